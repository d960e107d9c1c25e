//! Which briefs' cards each page shows, noted as `serve` fingerprints the
//! page: the reverse index a session's edit of a brief's texts renders
//! again from (`super::stage::rerender_briefs`), instead of fingerprinting
//! every page of the site.
//!
//! Nothing is declared by hand: a shared card notes its brief when it is
//! hashed into a page's fingerprint (`views::Shared`), so a view that
//! starts to list briefs some other way is noted without a change here.
//! Noting is on only inside [`noting`], on the thread that renders the
//! page (rendering one page never hands work to another thread).

use std::cell::RefCell;

use crate::model::BriefId;

thread_local! {
    /// The briefs noted so far on this thread, while noting is on.
    static NOTED: RefCell<Option<Vec<BriefId>>> = const { RefCell::new(None) };
}

/// Runs `f` (which fingerprints one page) and returns, with its result,
/// the briefs whose shared cards it hashed, each once, in id order.
pub(super) fn noting<R>(f: impl FnOnce() -> R) -> (R, Vec<BriefId>) {
    let outer = NOTED.with(|noted| noted.borrow_mut().replace(Vec::new()));
    let result = f();
    let mut briefs = NOTED
        .with(|noted| std::mem::replace(&mut *noted.borrow_mut(), outer))
        .unwrap_or_default();
    briefs.sort_unstable();
    briefs.dedup();
    (result, briefs)
}

/// Notes that the page being fingerprinted shows `brief`'s card; nothing
/// outside [`noting`].
pub(super) fn note(brief: BriefId) {
    NOTED.with(|noted| {
        if let Some(briefs) = noted.borrow_mut().as_mut() {
            briefs.push(brief);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_only_inside_noting_each_brief_once() {
        note(BriefId::new(9));
        let ((), briefs) = noting(|| {
            note(BriefId::new(3));
            note(BriefId::new(1));
            note(BriefId::new(3));
        });
        assert_eq!(briefs, [BriefId::new(1), BriefId::new(3)]);
        let ((), none) = noting(|| ());
        assert!(none.is_empty(), "{none:?}");
    }
}
