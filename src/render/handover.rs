//! The HTML of a one-off build's brief bodies, handed to the page that
//! shows it last and freed there.
//!
//! At 100,000 briefs the bodies' HTML is about 525 MiB, the largest thing
//! alive while pages are made, and each brief's is shown by its own page
//! only (and by the site's feed for the newest). A one-off build moves
//! them out of the site before rendering ([`crate::model::Bodies::take_brief_html`]);
//! brief pages come first in the render stage's order, and each takes its
//! body's HTML and frees it once written, so the listings and entity pages
//! made afterwards reuse that memory instead of growing the process
//! (BENCHMARKS.md, "Bodies freed as their pages are made"). A `serve`
//! session keeps its site, so it never hands bodies over.

use std::borrow::Cow;
use std::sync::Mutex;

use crate::model::BriefId;

/// Brief bodies' HTML taken out of a one-off build's site, by [`BriefId`].
#[derive(Debug, Default)]
pub struct Handover {
    /// The newest briefs', which the site's feed shows too: read, never
    /// taken.
    shared: Vec<Option<String>>,
    /// Every other brief's, taken by its page. `None` where the site kept
    /// the body (it was shared with something else) or a page took it.
    once: Vec<Mutex<Option<String>>>,
}

impl Handover {
    /// The HTML of each brief, by id (`None` where the site keeps it): the
    /// first `shared` are only ever read, the others are taken once.
    pub fn new(mut html: Vec<Option<String>>, shared: usize) -> Handover {
        let once = html.split_off(shared.min(html.len()));
        Handover {
            shared: html,
            once: once.into_iter().map(Mutex::new).collect(),
        }
    }

    /// The HTML of brief `id` for its own page: borrowed when it is shared,
    /// else taken (owned, and freed with the page); `None` when the site
    /// has it.
    pub(super) fn take(&self, id: BriefId) -> Option<Cow<'_, str>> {
        let i = id.index();
        match i.checked_sub(self.shared.len()) {
            None => self.shared[i].as_deref().map(Cow::Borrowed),
            Some(j) => {
                let mut slot = self
                    .once
                    .get(j)?
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
                slot.take().map(Cow::Owned)
            }
        }
    }

    /// The HTML of brief `id` for a page that only reads it (the site's
    /// feed): `None` when it is not one of the shared, or the site has it.
    pub(super) fn read(&self, id: BriefId) -> Option<&str> {
        self.shared.get(id.index())?.as_deref()
    }

    /// How many briefs' HTML are read rather than taken.
    pub(super) fn shared(&self) -> usize {
        self.shared.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn handover() -> Handover {
        let html = ["<p>a</p>", "<p>b</p>", "<p>c</p>", "<p>d</p>"].map(|h| Some(h.to_owned()));
        let mut html = Vec::from(html);
        html[3] = None;
        Handover::new(html, 2)
    }

    #[test]
    fn a_shared_body_is_read_as_often_as_asked_and_the_others_are_taken_once() {
        let h = handover();
        for _ in 0..2 {
            assert_eq!(h.take(BriefId::new(0)).as_deref(), Some("<p>a</p>"));
            assert_eq!(h.read(BriefId::new(1)), Some("<p>b</p>"));
        }
        assert_eq!(h.read(BriefId::new(2)), None, "not shared: never read");
        assert_eq!(h.take(BriefId::new(2)).as_deref(), Some("<p>c</p>"));
        assert!(h.take(BriefId::new(2)).is_none(), "taken once");
    }

    #[test]
    fn a_body_the_site_kept_is_not_in_the_handover() {
        let h = handover();
        assert!(h.take(BriefId::new(3)).is_none());
        assert!(h.take(BriefId::new(4)).is_none(), "past the end");
        assert_eq!(h.shared(), 2);
    }
}
