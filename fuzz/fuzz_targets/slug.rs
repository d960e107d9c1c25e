//! Slugs: any text either has no slug or one that is canonical
//! (`[a-z0-9]+(-[a-z0-9]+)*`), idempotent, accepted by `Slug::parse` and a
//! single normal path component, so it can never leave its output folder.
#![no_main]

use std::path::{Component, Path};

use dossier::slug::{Slug, strip_date_prefix};
use libfuzzer_sys::fuzz_target;

fn check(slug: &Slug) {
    let s = slug.as_str();
    assert!(!s.is_empty());
    assert!(
        s.split('-')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())),
        "{s:?}"
    );
    assert_eq!(Slug::from_text(s).as_ref(), Ok(slug), "idempotent");
    assert_eq!(Slug::parse(s).as_ref(), Ok(slug), "canonical");
    let path = Path::new("public/briefs").join(s);
    assert_eq!(path.components().count(), 3, "{s:?}");
    assert!(matches!(path.components().next_back(), Some(Component::Normal(_))));
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(slug) = Slug::from_text(&text) {
        check(&slug);
    }
    if let Ok(slug) = Slug::parse(&text) {
        check(&slug);
        assert_eq!(slug.as_str(), text);
    }
    if let Ok(slug) = Slug::from_file_stem(&text) {
        check(&slug);
    }
    let _ = strip_date_prefix(&text);
});
