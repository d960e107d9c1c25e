//! The page memo: each page's [`Fingerprint`] from the last good build, so
//! that the next build of the same site (in `serve`) renders only the pages
//! whose inputs changed. One-off builds never make one.

use std::collections::HashMap;

use crate::routes::OutputPath;

use super::fingerprint::Fingerprint;
use super::renderer::Job;
use crate::model::reorder::Remap;
use crate::model::{EntityKey, Site};

use super::cards::Cards;
use super::theme::Theme;
use super::views::{Counts, SiteView};

/// The fingerprints of a build's pages, so that the next build of the same
/// site (in `serve`) renders only the pages whose inputs changed.
#[derive(Debug, Default, Clone)]
pub struct PageMemo {
    /// What every page shares: templates, configuration, global context.
    pub(super) global: Fingerprint,
    /// Each page's own view, by output path.
    pub(super) pages: HashMap<OutputPath, Fingerprint>,
    /// The pages that show each brief's card, by brief id, as noted while
    /// they were made ([`super::shown`]); a superset after a session's
    /// edits, which add the pages they render to it.
    pub(super) shows: Vec<Vec<Job>>,
    /// The same for the other entities' cards.
    pub(super) shows_entities: HashMap<EntityKey, Vec<Job>>,
}

impl PageMemo {
    /// The fingerprint of what every page of a site shares: the templates,
    /// the configuration, the `site` view (its counts only when every page
    /// can show them) and the lookup tables.
    pub fn global(site: &Site, theme: &Theme, cards: &Cards<'_>, site_view: &SiteView<'_>) -> Fingerprint {
        let config = format!("{:?}", site.config);
        // The counts change with every brief added or deleted; pages whose
        // templates cannot show them take them into their own fingerprint
        // (`Renderer::fingerprint`), so the others are not all rendered again.
        let site_view = if theme.counts_readers().everywhere() {
            Fingerprint::of(site_view)
        } else {
            Fingerprint::of(&SiteView {
                counts: Counts::default(),
                ..site_view.clone()
            })
        };
        let site_view = site_view.unwrap_or_default().to_bytes();
        // The entity cards are in every page's reach only through the
        // lookup functions (`get_company`, …), and Tera calls a function
        // only by its name written in a template: templates that name none
        // cannot read them, so a change to them (a brief count) is no
        // change to every page.
        let lookups: Vec<[u8; 16]> = if theme.uses_lookups() {
            cards.entity_values().map(|c| c.fingerprint().to_bytes()).collect()
        } else {
            Vec::new()
        };
        let templates = theme
            .templates
            .iter()
            .flat_map(|t| [t.name.as_bytes(), t.text.as_bytes()]);
        Fingerprint::of_parts(
            [config.as_bytes(), site_view.as_slice()]
                .into_iter()
                .chain(templates)
                .chain(lookups.iter().map(|l| l.as_slice())),
        )
    }
}

impl PageMemo {
    /// Notes that `job`'s page shows the cards of `owners`.
    pub(super) fn note(&mut self, job: Job, owners: Vec<EntityKey>) {
        for owner in owners {
            match owner {
                EntityKey::Brief(id) => {
                    if let Some(jobs) = self.shows.get_mut(id.index()) {
                        jobs.push(job);
                    }
                }
                other => self.shows_entities.entry(other).or_default().push(job),
            }
        }
    }

    /// Each page noted once per card, after [`PageMemo::note`] added the
    /// pages an edit rendered again to those already noted.
    pub(super) fn dedup(&mut self) {
        for jobs in self.shows.iter_mut().chain(self.shows_entities.values_mut()) {
            jobs.sort_unstable();
            jobs.dedup();
        }
    }

    /// Gives every brief the id `remap` says (a brief added, deleted or
    /// moved in a `serve` session): the pages noted as showing each card
    /// move with it. Returns the pages that showed the card of the brief
    /// deleted, if one was.
    pub fn remap(&mut self, remap: &Remap) -> Showed {
        for jobs in self.shows.iter_mut().chain(self.shows_entities.values_mut()) {
            jobs.retain_mut(|job| match job {
                Job::Brief(id) => remap.id(*id).map(|new| *id = new).is_some(),
                _ => true,
            });
        }
        Showed(
            remap
                .apply(&mut self.shows, || remap.from().is_none().then(Vec::new))
                .unwrap_or_default(),
        )
    }

    /// Forgets the page at `path`, which the site no longer has.
    pub fn forget(&mut self, path: &OutputPath) {
        self.pages.remove(path);
    }

    /// The pages noted as showing `owner`'s card.
    pub(super) fn showing(&self, owner: EntityKey) -> &[Job] {
        match owner {
            EntityKey::Brief(id) => self.shows.get(id.index()).map_or(&[], Vec::as_slice),
            other => self.shows_entities.get(&other).map_or(&[], Vec::as_slice),
        }
    }
}

/// The pages that showed a card, by job, for [`super::rerender_moved`].
#[derive(Debug, Clone, Default)]
pub struct Showed(pub(super) Vec<Job>);

/// What to do about pages whose inputs did not change.
#[derive(Debug, Clone, Copy)]
pub enum Reuse<'a> {
    /// Render every page, remember nothing (`build`, `check`).
    Never,
    /// Fingerprint every page; skip those equal in `previous` (`serve`).
    Unchanged {
        /// This build's global fingerprint.
        global: Fingerprint,
        /// The last good build's fingerprints.
        previous: &'a PageMemo,
    },
}
