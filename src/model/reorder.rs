//! A brief that comes, goes or moves in the date order, put in its place in
//! a site already made: what a `serve` session does when a writer adds a
//! brief, deletes one or gives one another date, instead of building the
//! whole site again. Ids are ranks by date, so every brief after the place
//! shifts by one; [`Remap`] says how, for everything else that holds ids
//! (the page memo, social cards, the session's bodies).
//!
//! The site that comes out is the one a full build makes of the same files,
//! ids included (`tests/it/incremental.rs` holds a session to that).

use std::sync::Arc;

use super::{BriefId, EntityKey, Kind, Links, Site, links, related};
use crate::markdown::RenderedBody;
use crate::model::Brief;
use crate::routes::UrlPath;

/// How brief ids change when one brief leaves its place, one takes a new
/// place, or both (a brief given another date).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Remap {
    /// The place of the brief that left, by its old id.
    from: Option<usize>,
    /// The place of the brief that came, by its new id.
    to: Option<usize>,
}

impl Remap {
    /// The ids of a brief leaving its place `from` (by the old ids) and
    /// one taking the place `to` (by the new ids); both for a brief that
    /// moved.
    pub fn new(from: Option<BriefId>, to: Option<BriefId>) -> Remap {
        Remap {
            from: from.map(BriefId::index),
            to: to.map(BriefId::index),
        }
    }

    /// The new id of the brief whose id was `old`; `None` for a brief
    /// deleted. A brief that moved has the id of its new place.
    pub fn id(&self, old: BriefId) -> Option<BriefId> {
        let mut i = old.index();
        if let Some(from) = self.from {
            if i == from {
                return self.to.map(BriefId::new);
            }
            if i > from {
                i -= 1;
            }
        }
        if let Some(to) = self.to
            && i >= to
        {
            i += 1;
        }
        Some(BriefId::new(i))
    }

    /// The brief that left its place, by its old id.
    pub fn from(&self) -> Option<BriefId> {
        self.from.map(BriefId::new)
    }

    /// The brief that took a new place, by its new id.
    pub fn to(&self) -> Option<BriefId> {
        self.to.map(BriefId::new)
    }

    /// Whether the brief is as many as before (it moved, or nothing did).
    pub fn same_count(&self) -> bool {
        self.from.is_some() == self.to.is_some()
    }

    /// The first place whose brief may differ: every id before it is kept.
    pub fn first_changed(&self) -> usize {
        self.from.into_iter().chain(self.to).min().unwrap_or(usize::MAX)
    }

    /// The last place whose brief may differ, when the count is the same
    /// (a move): every id after it is kept.
    pub fn last_changed(&self) -> Option<usize> {
        match (self.from, self.to) {
            (Some(from), Some(to)) => Some(from.max(to)),
            _ => None,
        }
    }

    /// Reorders `items`, one per brief by id, the same way: the item of the
    /// brief that left is taken out (and returned), `fill` put at the new
    /// place; a brief that moved takes its item along unless `fill` gives
    /// one.
    pub fn apply<T>(&self, items: &mut Vec<T>, fill: impl FnOnce() -> Option<T>) -> Option<T> {
        let taken = self
            .from
            .filter(|&from| from < items.len())
            .map(|from| items.remove(from));
        let Some(to) = self.to else {
            return taken;
        };
        match (fill(), taken) {
            (Some(item), taken) => {
                items.insert(to.min(items.len()), item);
                taken
            }
            (None, Some(moved)) => {
                items.insert(to.min(items.len()), moved);
                None
            }
            (None, None) => None,
        }
    }
}

/// A brief to put in its place, made (its references resolved to ids of
/// the site as it is), with its rendered body and what the body mentions.
#[derive(Debug)]
pub struct Placed {
    /// The brief.
    pub brief: Brief,
    /// Its body, as its page shows it.
    pub body: Arc<RenderedBody>,
    /// What its body links to.
    pub mentions: Vec<EntityKey>,
}

/// Why a brief cannot be put in place without a full build, which says
/// what is wrong or makes more than this brief of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// Another brief names the brief deleted among its related stories.
    StillNamed,
    /// Another brief, or a file left out, has the brief's slug, or an old
    /// address is where its page would be.
    SlugTaken,
}

/// What [`Site::reorder`] did: how the ids moved, the links as they were
/// (by the old ids) to compare with the new ones, and the briefs whose
/// suggestions changed (by the new ids).
#[derive(Debug)]
pub struct Reordered {
    /// How the ids moved.
    pub remap: Remap,
    /// The links before.
    pub links_before: Links,
    /// The briefs whose suggested stories changed.
    pub suggestions_changed: Vec<BriefId>,
}

impl Site {
    /// Whether the brief `from` may leave its place (if any) and `to`
    /// take one (if any) without more of a full build than
    /// [`Site::reorder`] makes, as far as the briefs can tell: `briefs`
    /// are the site's as its pages show them now. Links to a deleted
    /// brief from bodies are the caller's to check.
    pub fn check_reorder(&self, briefs: &[&Brief], from: Option<BriefId>, to: Option<&Brief>) -> Result<(), Refused> {
        if let Some(gone) = from.filter(|_| to.is_none()) {
            let named = (briefs.iter().enumerate()).any(|(i, b)| i != gone.index() && b.related.contains(&gone));
            if named {
                return Err(Refused::StillNamed);
            }
        }
        if let Some(brief) = to {
            let c = &self.catalog;
            let slug = brief.slug.as_str();
            let page = UrlPath::brief(&brief.slug).output_file();
            let taken = c
                .lookup
                .holder(slug, Kind::Brief)
                .is_some_and(|k| Some(k) != from.map(EntityKey::Brief))
                || c.held_back.contains_key(slug)
                || c.failed_file(slug).is_some()
                || (c.redirects.iter()).any(|r| r.from.output_file() == page);
            if taken {
                return Err(Refused::SlugTaken);
            }
        }
        Ok(())
    }

    /// Takes the brief `from` out of its place (if any) and puts `to` (if
    /// any) in its place by date, newest first, then by slug; every id of a
    /// brief, in the catalog, its names, the bodies and what they mention,
    /// is moved with it, and the links and suggestions are derived again.
    ///
    /// The caller has made sure of the rest ([`Site::check_reorder`]): `to`
    /// is a brief a full build would publish as made, with tags the site
    /// has (named as they are now) and no old addresses, and nothing names
    /// a brief deleted.
    pub fn reorder(&mut self, from: Option<BriefId>, to: Option<Placed>) -> Reordered {
        let catalog = &self.catalog;
        // The new place, among the others.
        let to_place = to.as_ref().map(|placed| {
            let new = &placed.brief;
            let before = |i: usize, b: &Brief| {
                Some(i) != from.map(BriefId::index) && (b.date > new.date || (b.date == new.date && b.slug < new.slug))
            };
            (catalog.briefs.iter().enumerate())
                .filter(|(i, b)| before(*i, b))
                .count()
        });
        let remap = Remap {
            from: from.map(BriefId::index),
            to: to_place,
        };
        let id = |old: &mut BriefId| {
            *old = remap.id(*old).unwrap_or(*old);
        };
        let key = |k: &mut EntityKey| {
            if let EntityKey::Brief(b) = k {
                id(b);
            }
        };
        for brief in &mut self.catalog.briefs {
            brief.related.iter_mut().for_each(id);
        }
        for mentions in &mut self.bodies.mentions {
            mentions.iter_mut().for_each(key);
        }
        self.catalog.lookup.remap_briefs(|b| remap.id(b));
        let (brief, body, mentions) = match to {
            Some(Placed {
                mut brief,
                body,
                mut mentions,
            }) => {
                brief.related.iter_mut().for_each(id);
                mentions.iter_mut().for_each(key);
                (Some(brief), Some(body), Some(mentions))
            }
            None => (None, None, None),
        };
        if let (Some(brief), Some(at)) = (&brief, remap.to()) {
            self.catalog.lookup.insert(brief.slug.as_str(), EntityKey::Brief(at));
        }
        remap.apply(&mut self.catalog.briefs, || brief);
        remap.apply(&mut self.bodies.briefs, || body);
        remap.apply(&mut self.bodies.mentions, || mentions);
        let links = links::derive(&self.catalog, &self.bodies.mentions);
        let limit = self.config.related_limit;
        let previous = std::mem::take(&mut self.suggested);
        let (suggested, changed) =
            related::suggest_reordered(previous, &self.links, &self.catalog, &links, &remap, limit);
        self.suggested = suggested;
        Reordered {
            remap,
            links_before: std::mem::replace(&mut self.links, links),
            suggestions_changed: changed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(remap: Remap, n: usize) -> Vec<Option<usize>> {
        (0..n).map(|i| remap.id(BriefId::new(i)).map(BriefId::index)).collect()
    }

    #[test]
    fn a_remap_moves_ids_as_the_vectors_move() {
        for (from, to) in [
            (Some(1), None),
            (None, Some(2)),
            (Some(3), Some(0)),
            (Some(0), Some(3)),
            (Some(2), Some(2)),
        ] {
            let remap = Remap { from, to };
            let old: Vec<usize> = (0..5).collect();
            let mut moved = old.clone();
            remap.apply(&mut moved, || to.filter(|_| from.is_none()).map(|_| 99));
            for (i, new) in ids(remap, 5).into_iter().enumerate() {
                match new {
                    Some(new) => assert_eq!(moved[new], old[i], "{remap:?}: {i}"),
                    None => assert!(!moved.contains(&old[i]), "{remap:?}: {i}"),
                }
            }
            assert_eq!(moved.len(), 5 + usize::from(to.is_some()) - usize::from(from.is_some()));
        }
    }
}
