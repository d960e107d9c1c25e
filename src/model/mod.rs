//! The model stage: validated entities, their ids, and the link graph.
//!
//! [`catalog`] turns parsed content into entities with slugs, ids and
//! resolved front matter references; [`links`] derives every relation the
//! pages show (backlinks, related stories both ways, tag membership,
//! timelines) from the catalog and the mentions found in bodies; [`related`]
//! ranks the suggested related stories from those links. Relations are ids
//! into the catalog's vectors, never references or strings.

pub mod author;
pub mod catalog;
pub mod company;
pub mod contract;
pub mod display;
pub mod entities;
pub mod kind;
pub mod links;
pub mod lookup;
pub mod redirects;
pub mod related;
pub mod reorder;

pub use crate::media::pictures::Pictures;
pub use crate::media::source::{Image, ImageSrc};
pub use author::{Author, AuthorFields, Authors, NamedLink};
pub use catalog::Catalog;
pub use company::{Companies, Company, CompanyFields};
pub use contract::{Contract, ContractFields, Contracts, Event, Money, group_thousands};
pub use entities::*;
pub use kind::{EntityKind, Kind};
pub use links::Links;
pub use related::Suggestions;

use std::sync::Arc;

use crate::config::Config;
use crate::diag::Diagnostics;
use crate::markdown::{Rendered, RenderedBody};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(u32);

        impl $name {
            /// The id of the entity at `index` in its catalog vector.
            pub fn new(index: usize) -> Self {
                $name(u32::try_from(index).expect("fewer than 4 billion entities"))
            }

            /// The index into the catalog vector.
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }
    };
}

id_type!(
    /// A brief; ids follow publication order, newest first.
    BriefId
);
id_type!(
    /// A company.
    CompanyId
);
id_type!(
    /// A contract.
    ContractId
);
id_type!(
    /// An author.
    AuthorId
);
id_type!(
    /// A tag; ids follow slug order.
    TagId
);
id_type!(
    /// A free page.
    PageId
);

/// Something a reference or wikilink can point at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EntityKey {
    /// A brief.
    Brief(BriefId),
    /// A company.
    Company(CompanyId),
    /// A contract.
    Contract(ContractId),
    /// An author.
    Author(AuthorId),
}

impl EntityKey {
    /// The index into its kind's catalog vector.
    pub fn index(self) -> usize {
        match self {
            EntityKey::Brief(id) => id.index(),
            EntityKey::Company(id) => id.index(),
            EntityKey::Contract(id) => id.index(),
            EntityKey::Author(id) => id.index(),
        }
    }
}

/// Whose body a piece of Markdown is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Owner {
    /// A brief's body.
    Brief(BriefId),
    /// A company profile.
    Company(CompanyId),
    /// A contract's background.
    Contract(ContractId),
    /// An author's bio.
    Author(AuthorId),
    /// A free page.
    Page(PageId),
}

impl From<EntityKey> for Owner {
    fn from(key: EntityKey) -> Owner {
        match key {
            EntityKey::Brief(id) => Owner::Brief(id),
            EntityKey::Company(id) => Owner::Company(id),
            EntityKey::Contract(id) => Owner::Contract(id),
            EntityKey::Author(id) => Owner::Author(id),
        }
    }
}

/// The rendered Markdown of every entity, indexed like the catalog.
#[derive(Debug, Default)]
pub struct Bodies {
    /// Brief bodies, by [`BriefId`].
    pub briefs: Vec<Arc<RenderedBody>>,
    /// Company profiles, by [`CompanyId`].
    pub companies: Vec<Arc<RenderedBody>>,
    /// Contract backgrounds, by [`ContractId`].
    pub contracts: Vec<Arc<RenderedBody>>,
    /// Author bios, by [`AuthorId`].
    pub authors: Vec<Arc<RenderedBody>>,
    /// Free pages, by [`PageId`].
    pub pages: Vec<Arc<RenderedBody>>,
    /// What each brief's body links to, by [`BriefId`]: the mentions the
    /// link graph is derived from.
    pub mentions: Vec<Vec<EntityKey>>,
}

impl Bodies {
    /// Puts the Markdown stage's bodies (in any order) in catalog order,
    /// keeping what brief bodies mention; returns their diagnostics too.
    pub fn collect(rendered: Vec<(Owner, Rendered<EntityKey>)>, catalog: &Catalog) -> (Bodies, Diagnostics) {
        let mut bodies = Bodies {
            briefs: vec![Arc::default(); catalog.briefs.len()],
            companies: vec![Arc::default(); catalog.companies.len()],
            contracts: vec![Arc::default(); catalog.contracts.len()],
            authors: vec![Arc::default(); catalog.authors.len()],
            pages: vec![Arc::default(); catalog.pages.len()],
            mentions: vec![Vec::new(); catalog.briefs.len()],
        };
        let mut diagnostics = Diagnostics::default();
        for (owner, r) in rendered {
            diagnostics.extend(r.diagnostics);
            if let Owner::Brief(id) = owner {
                bodies.mentions[id.index()] = r.mentions;
            }
            bodies.set(owner, r.body);
        }
        (bodies, diagnostics)
    }

    /// Puts `body` in the place of `owner`'s (a `serve` session's body
    /// rendered again, folded into its site).
    pub fn set(&mut self, owner: Owner, body: Arc<RenderedBody>) {
        let slot = match owner {
            Owner::Brief(id) => &mut self.briefs[id.index()],
            Owner::Company(id) => &mut self.companies[id.index()],
            Owner::Contract(id) => &mut self.contracts[id.index()],
            Owner::Author(id) => &mut self.authors[id.index()],
            Owner::Page(id) => &mut self.pages[id.index()],
        };
        *slot = body;
    }

    /// Moves the HTML of every brief's body out, by id, leaving it empty:
    /// for a one-off build, whose render stage frees each once its page is
    /// made (`render::Handover`). `None` for a body shared with anything
    /// else (a session's cache), which keeps its HTML.
    pub fn take_brief_html(&mut self) -> Vec<Option<String>> {
        (self.briefs.iter_mut())
            .map(|body| Arc::get_mut(body).map(|b| std::mem::take(&mut b.html)))
            .collect()
    }

    /// The body of `owner`.
    pub fn get(&self, owner: Owner) -> &RenderedBody {
        match owner {
            Owner::Brief(id) => &self.briefs[id.index()],
            Owner::Company(id) => &self.companies[id.index()],
            Owner::Contract(id) => &self.contracts[id.index()],
            Owner::Author(id) => &self.authors[id.index()],
            Owner::Page(id) => &self.pages[id.index()],
        }
    }
}

/// The whole site, immutable from here on: what the render stage reads.
#[derive(Debug)]
pub struct Site {
    /// The configuration.
    pub config: Config,
    /// Entities and their declared references.
    pub catalog: Catalog,
    /// Relations derived from the references and mentions.
    pub links: Links,
    /// Suggested related stories, ranked from the links.
    pub suggested: Suggestions,
    /// Rendered bodies.
    pub bodies: Bodies,
    /// Every picture front matter names, made into its renditions.
    pub pictures: Pictures,
}
