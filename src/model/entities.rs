//! The validated entities a site is made of.
//!
//! Every field holds a checked value: slugs are [`Slug`]s, dates are
//! [`DateTime`]s, references are ids. Raw front matter never gets here.

use std::path::PathBuf;

use crate::content::raw::Extra;
use crate::date::DateTime;
use crate::slug::Slug;

use super::{AuthorId, BriefId, CompanyId, ContractId, TagId};

/// Where an entity came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A content file.
    File(PathBuf),
    /// A stub made for an unknown reference (`unknown_references: warn`),
    /// first named in this file.
    Stub(PathBuf),
}

impl Origin {
    /// The file to name in messages.
    pub fn path(&self) -> &std::path::Path {
        match self {
            Origin::File(p) | Origin::Stub(p) => p,
        }
    }
}

/// A news brief.
#[derive(Clone, Debug)]
pub struct Brief {
    /// Its file.
    pub path: PathBuf,
    /// URL segment.
    pub slug: Slug,
    /// Headline.
    pub title: String,
    /// Publication date.
    pub date: DateTime,
    /// Last update, if any.
    pub updated: Option<DateTime>,
    /// Dated after the build's "now" and published anyway (`--future`,
    /// `serve`): pages mark it as scheduled.
    pub scheduled: bool,
    /// The dek the writer gave; the first paragraph stands in otherwise.
    pub summary: Option<String>,
    /// Byline, in the writer's order; empty means the site author.
    pub authors: Vec<Byline>,
    /// Tags, deduplicated, in the writer's order.
    pub tags: Vec<TagId>,
    /// Companies declared in front matter.
    pub companies: Vec<CompanyId>,
    /// Contracts declared in front matter.
    pub contracts: Vec<ContractId>,
    /// Related briefs declared in front matter.
    pub related: Vec<BriefId>,
    /// Cited sources.
    pub sources: Vec<Source>,
    /// Corrections, newest first.
    pub corrections: Vec<Correction>,
    /// The lead image.
    pub image: Option<super::Image>,
    /// Free-form template data.
    pub extra: Extra,
}

/// One name on a brief's byline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Byline {
    /// An author with a profile in `content/authors/`.
    Author(AuthorId),
    /// A name as written, on a site without author profiles.
    Name(String),
}

/// A source a brief cites; its URL is http(s).
#[derive(Debug, Clone)]
pub struct Source {
    /// Publisher.
    pub name: String,
    /// Link.
    pub url: String,
}

/// A correction note.
#[derive(Debug, Clone)]
pub struct Correction {
    /// When it was made.
    pub date: DateTime,
    /// What was corrected.
    pub note: String,
}

/// A named entity briefs refer to: a company, a contract, an author. What every kind
/// has is here; what a kind adds is its `F` (see [`super::kind`]).
#[derive(Debug)]
pub struct Entity<F> {
    /// Its file, or the file that first named it.
    pub origin: Origin,
    /// URL segment.
    pub slug: Slug,
    /// Display name.
    pub name: String,
    /// Other names writers use.
    pub aliases: Vec<String>,
    /// Free-form template data.
    pub extra: Extra,
    /// The kind's own fields.
    pub fields: F,
}

impl<F: Default> Entity<F> {
    /// A stub for an unknown name (`unknown_references: warn`), first named
    /// in `file`: the name, a slug, and nothing else.
    pub fn stub(name: &str, slug: Slug, file: PathBuf) -> Entity<F> {
        Entity {
            origin: Origin::Stub(file),
            slug,
            name: name.to_owned(),
            aliases: Vec::new(),
            extra: Extra::default(),
            fields: F::default(),
        }
    }

    /// Whether it is a stub.
    pub fn is_stub(&self) -> bool {
        matches!(self.origin, Origin::Stub(_))
    }
}

/// A tag, merged by slug ("Cloud Computing" = "cloud computing").
#[derive(Debug)]
pub struct Tag {
    /// URL segment.
    pub slug: Slug,
    /// Display name: the first spelling in sorted order.
    pub name: String,
}

/// A free page (about, methodology).
#[derive(Debug)]
pub struct Page {
    /// Its file.
    pub path: PathBuf,
    /// URL segment, at the site root.
    pub slug: Slug,
    /// Title.
    pub title: String,
    /// Description.
    pub summary: Option<String>,
    /// Free-form template data.
    pub extra: Extra,
}
