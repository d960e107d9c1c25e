//! dossier's integration tests, all in one test binary: each file that used
//! to be its own binary (and link the whole crate again) is now a module
//! here. `common` is the toolkit most of them share.

mod common;

mod action;
mod asof;
mod authors;
mod build;
mod cards;
mod complexity;
mod embargo;
mod embeds;
mod errors;
mod example;
mod faults;
mod hostile;
mod images;
mod incremental;
mod newsroom;
mod progress;
mod redirects;
mod related;
mod scaffold;
mod schema;
mod search;
mod security;
mod serve;
mod shell;
mod theme;
mod writing;
