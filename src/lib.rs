//! dossier: a static site generator for annotated news briefs.
//!
//! The library is the build pipeline (see [`pipeline::build`]); the binary is
//! a thin command line over it. Library code never prints or exits.

#![warn(clippy::print_stdout, clippy::print_stderr, missing_docs)]
// Diagnostics are plain values on the rare failure path; boxing them would
// only add noise to every stage signature.
#![allow(clippy::result_large_err)]

pub mod config;
pub mod content;
pub mod control;
pub mod date;
pub mod diag;
pub mod highlight;
pub mod markdown;
pub mod media;
pub mod model;
#[cfg(test)]
mod module_graph;
pub mod output;
pub mod pipeline;
pub mod render;
pub mod routes;
pub mod scaffold;
pub mod schema;
pub mod search;
pub mod serve;
pub mod slug;
pub mod yaml;
