//! The kinds of things a site is made of, and what each entity kind must
//! say about itself.
//!
//! [`Kind`] is the table every message, folder and URL section is read
//! from. [`EntityKind`] is the small implementation each entity kind
//! (companies, contracts, authors) gives: its front matter, its own
//! fields, how they are checked. Everything the kinds share — the folder
//! of named Markdown files, slugs, the name and alias lookup with "did you
//! mean", stubs for unknown names — is written once, in `catalog`, over
//! this trait.

use crate::content::SourceFile;
use crate::content::raw::Extra;

use super::catalog::{Catalog, References};
use super::{BriefId, Entity, EntityKey, Links};

/// Something a name can resolve to: a brief (by slug) or an entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// Briefs.
    Brief,
    /// Companies.
    Company,
    /// Contracts.
    Contract,
    /// Authors.
    Author,
}

impl Kind {
    /// The entity kinds, in the order their pages are listed.
    pub const ENTITIES: [Kind; 3] = [Kind::Company, Kind::Contract, Kind::Author];

    /// The word for messages and typed wikilinks (`[[company:x]]`).
    pub fn noun(self) -> &'static str {
        match self {
            Kind::Brief => "brief",
            Kind::Company => "company",
            Kind::Contract => "contract",
            Kind::Author => "author",
        }
    }

    /// The plural: the folder under `content/`, the URL section, the
    /// index template's name and the front matter key briefs list them in.
    pub fn plural(self) -> &'static str {
        match self {
            Kind::Brief => "briefs",
            Kind::Company => "companies",
            Kind::Contract => "contracts",
            Kind::Author => "authors",
        }
    }

    /// The index page's title.
    pub fn title(self) -> &'static str {
        match self {
            Kind::Brief => "Briefs",
            Kind::Company => "Companies",
            Kind::Contract => "Contracts",
            Kind::Author => "Authors",
        }
    }

    /// Whether each entity of the kind has an Atom feed of its briefs.
    pub fn has_feed(self) -> bool {
        match self {
            Kind::Brief => false,
            Kind::Company | Kind::Contract | Kind::Author => true,
        }
    }

    /// Whether an entity's page lists its briefs a page at a time
    /// (`briefs_per_page`), like the home and tag pages: a reporter's
    /// briefs grow without end; a company's or contract's page shows the
    /// whole record, with its timeline.
    pub fn paginated(self) -> bool {
        matches!(self, Kind::Author)
    }

    /// What to do about a name nothing of this kind answers to.
    pub fn unknown_help(self) -> &'static str {
        match self {
            Kind::Brief => "related: takes the slugs of other briefs (file name without date and .md)",
            Kind::Company => "add a profile in content/companies/, or fix the name",
            Kind::Contract => "add the contract in content/contracts/, or fix the name",
            Kind::Author => "add a profile in content/authors/, or fix the name",
        }
    }

    /// The kind of an entity key.
    pub fn of(key: EntityKey) -> Kind {
        match key {
            EntityKey::Brief(_) => Kind::Brief,
            EntityKey::Company(_) => Kind::Company,
            EntityKey::Contract(_) => Kind::Contract,
            EntityKey::Author(_) => Kind::Author,
        }
    }
}

/// An entity's front matter as written: the fields every kind shares, and
/// the kind's own.
pub trait RawEntity {
    /// The kind's own fields, still unchecked.
    type Own;

    /// The display name.
    fn name(&self) -> &str;

    /// Other names writers use.
    fn aliases(&self) -> &[String];

    /// The `slug:` given, if any.
    fn slug(&self) -> Option<&str>;

    /// The shared fields and the kind's own.
    fn split(self) -> (Shared, Self::Own);
}

/// The front matter fields every entity kind has.
#[derive(Debug)]
pub struct Shared {
    /// Display name.
    pub name: String,
    /// Other names.
    pub aliases: Vec<String>,
    /// Free-form template data.
    pub extra: Extra,
}

/// What an entity kind adds to the shared path: its front matter, its own
/// fields, and how they are checked and resolved.
pub trait EntityKind: 'static {
    /// Its row in the kind table.
    const KIND: Kind;
    /// Its front matter as written.
    type Raw: RawEntity;
    /// Its own fields, checked; a stub has the default ones.
    type Fields: Default + std::fmt::Debug + Send + Sync;

    /// The key of the entity at `index`.
    fn key(index: usize) -> EntityKey;

    /// The kind's entities in a catalog.
    fn all(catalog: &Catalog) -> &[Entity<Self::Fields>];

    /// The kind's entities, while the catalog is built.
    fn all_mut(catalog: &mut Catalog) -> &mut Vec<Entity<Self::Fields>>;

    /// The briefs naming or mentioning the entity at `index`, newest first.
    fn briefs(links: &Links, index: usize) -> &[BriefId];

    /// Checks the kind's own fields of `file` and resolves the references
    /// among them, reporting problems through `refs`.
    fn resolve(own: <Self::Raw as RawEntity>::Own, file: &SourceFile, refs: &mut References) -> Self::Fields;
}
