//! Which entities' cards each page shows, noted as `serve` makes the
//! page: the reverse index a session's edit of a brief renders again from
//! (`super::stage::rerender_briefs`), instead of fingerprinting every page
//! of the site.
//!
//! Nothing is declared by hand: a shared card notes whose it is whenever
//! it is serialized into a page's view or fingerprint (`views::Shared`,
//! `views::Fields`), so a view that starts to show cards some other way is
//! noted without a change here. Noting is on only inside [`noting`], on
//! the thread that makes the page (making one page never hands work to
//! another thread).

use std::cell::RefCell;

use crate::model::EntityKey;

thread_local! {
    /// The briefs noted so far on this thread, while noting is on.
    static NOTED: RefCell<Option<Vec<EntityKey>>> = const { RefCell::new(None) };
}

/// Runs `f` (which makes one page) and returns, with its result, whose
/// shared cards it serialized, each once, in order.
pub(super) fn noting<R>(f: impl FnOnce() -> R) -> (R, Vec<EntityKey>) {
    let outer = NOTED.with(|noted| noted.borrow_mut().replace(Vec::new()));
    let result = f();
    let mut briefs = NOTED
        .with(|noted| std::mem::replace(&mut *noted.borrow_mut(), outer))
        .unwrap_or_default();
    briefs.sort_unstable();
    briefs.dedup();
    (result, briefs)
}

/// Notes that the page being made shows `owner`'s card; nothing outside
/// [`noting`].
pub(super) fn note(owner: EntityKey) {
    NOTED.with(|noted| {
        if let Some(owners) = noted.borrow_mut().as_mut() {
            owners.push(owner);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_only_inside_noting_each_brief_once() {
        use crate::model::{BriefId, CompanyId};
        let brief = |i| EntityKey::Brief(BriefId::new(i));
        note(brief(9));
        let ((), owners) = noting(|| {
            note(brief(3));
            note(EntityKey::Company(CompanyId::new(0)));
            note(brief(1));
            note(brief(3));
        });
        assert_eq!(owners, [brief(1), brief(3), EntityKey::Company(CompanyId::new(0))]);
        let ((), none) = noting(|| ());
        assert!(none.is_empty(), "{none:?}");
    }
}
