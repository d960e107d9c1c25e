//! The render stage: the site through Tera templates into output files.
//!
//! Builds each entity's card once ([`cards`]), compiles the theme
//! ([`templates`]), then renders every page in parallel with one shared
//! `Tera` ([`stage`]); the site-wide `site` view lives in Tera's global
//! context so it is serialized once, not per page. Each kind of page has its
//! module (`brief`, `entity`, `listing`, `free`, `feeds`, `hosting`), reached
//! from one flat dispatch in `renderer`; entity pages are written once for
//! every entity kind (`entity`), each kind adding its own fields
//! (`company`, `contract`); `redirect` writes the page at each old address
//! (`aliases:`). The only place rendered Markdown is
//! marked safe is the theme's `| safe` on `content` fields. Feeds and the
//! sitemap skip Tera while their templates are the built-in ones
//! ([`builtin`]).

mod author;
mod brief;
mod builtin;
pub mod cards;
mod company;
mod contract;
mod entity;
mod feeds;
pub mod fingerprint;
mod free;
pub mod functions;
mod handover;
mod hosting;
pub mod jsonld;
mod listing;
pub mod memo;
pub mod partials;
mod picture;
pub mod reach;
mod redirect;
mod renderer;
pub mod search;
pub mod share;
mod shown;
pub mod stage;
pub mod templates;
pub mod theme;
pub mod views;

pub use cards::{Cards, site_view};
pub use handover::Handover;
pub use memo::{PageMemo, Reuse, Showed};
pub use partials::Partials;
pub use stage::{
    BodyOverlay, BriefEdit, Contents, Listed, MOVED_COUNTS_READERS, MovedEdit, OutputFile, Prepared, RenderError,
    Rendered, Rerendered, page_count, render, rerender, rerender_briefs, rerender_moved,
};
pub use templates::{REQUIRED_TEMPLATES, compile, template_error};
