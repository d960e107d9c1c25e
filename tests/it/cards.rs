//! Social cards (issue 16): every brief's `og:image` is a generated
//! 1200×630 PNG under `/media/`, at a domain root and under a sub-path;
//! `social_cards: false` falls back to the site's `image:`; a missing
//! `image:` file is an error at its line; a theme's `card.svg` replaces the
//! built-in one; a warm media cache changes no byte of the output.

use std::path::Path;

use crate::common::{Outcome, Site, Snapshot};

const ROOT_URL: &str = "https://fixture.example/";
const SUB_PATH_URL: &str = "https://user.github.io/repo/";

/// Every brief page of an output, by folder.
fn brief_pages(output: &Path) -> Vec<String> {
    let mut pages: Vec<String> = std::fs::read_dir(output.join("briefs"))
        .expect("a briefs folder")
        .map(|e| format!("briefs/{}/", e.expect("an entry").file_name().to_string_lossy()))
        .filter(|p| output.join(p).join("index.html").is_file())
        .collect();
    pages.sort();
    pages
}

/// The `og:image` of a page, with its width and height.
fn og_image(outcome: &Outcome, page: &str) -> Option<(String, String, String)> {
    let page = outcome.page(page);
    let first = |property: &str| page.attrs(&format!("meta[property='{property}']"), "content").pop();
    Some((first("og:image")?, first("og:image:width")?, first("og:image:height")?))
}

/// The width and height in a PNG's header.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "a PNG");
    let be = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().expect("four bytes"));
    (be(16), be(20))
}

/// A PNG header claiming `width`×`height` (enough for a size check).
fn png_header(width: u32, height: u32) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    bytes.extend(width.to_be_bytes());
    bytes.extend(height.to_be_bytes());
    bytes.extend([8, 2, 0, 0, 0, 0, 0, 0, 0]);
    bytes
}

#[track_caller]
fn assert_every_brief_has_its_card(outcome: &Outcome, base_url: &str) {
    let pages = brief_pages(&outcome.output);
    assert!(pages.len() >= 3, "{pages:?}");
    for page in pages {
        let (url, width, height) = og_image(outcome, &page).unwrap_or_else(|| panic!("{page} has no og:image"));
        let relative = url
            .strip_prefix(base_url)
            .unwrap_or_else(|| panic!("{page}: {url} is not under {base_url}"));
        assert!(relative.starts_with("media/") && relative.ends_with(".png"), "{url}");
        let bytes = std::fs::read(outcome.file(relative)).unwrap_or_else(|e| panic!("{page}: {url}: {e}"));
        assert_eq!(png_size(&bytes), (1200, 630), "{url}");
        assert_eq!((width.as_str(), height.as_str()), ("1200", "630"), "{page}");
    }
}

#[test]
fn every_brief_shares_a_card_at_a_root_and_under_a_sub_path() {
    let site = Site::fixture("site");
    let root = site.build(&[]);
    root.assert_success();
    assert_every_brief_has_its_card(&root, ROOT_URL);
    let out = site.path("sub");
    let sub = site.build(&["--base-url", SUB_PATH_URL, "--output", out.to_str().unwrap()]);
    sub.assert_success();
    assert_every_brief_has_its_card(&sub, SUB_PATH_URL);
    assert_eq!(og_image(&root, ""), None, "no site image: the home page shares none");
}

#[test]
fn a_warm_cache_changes_no_byte_and_an_edited_headline_is_a_new_card() {
    let site = Site::fixture("site");
    let cold = site.build(&[]);
    cold.assert_success();
    let before = Snapshot::of(&cold.output);
    assert!(site.path(".dossier-cache/media").is_dir(), "cards are kept");
    let warm = site.build(&[]);
    warm.assert_success();
    before.assert_same_as(&Snapshot::of(&warm.output), "a build from a warm cache");
    let page = "briefs/jedi-awarded/";
    let (old, ..) = og_image(&warm, page).unwrap();
    site.edit(
        "content/briefs/2019-10-28-jedi-awarded.md",
        "title: ",
        "title: Updated & <Edited> ",
    );
    let edited = site.build(&[]);
    edited.assert_success();
    let (new, ..) = og_image(&edited, page).unwrap();
    assert_ne!(old, new, "an edited headline names a new card");
    // Without the cache, the same bytes.
    std::fs::remove_dir_all(site.path(".dossier-cache")).unwrap();
    let out = site.path("cold");
    let again = site.build(&["--output", out.to_str().unwrap()]);
    again.assert_success();
    Snapshot::of(&edited.output).assert_same_as(&Snapshot::of(&again.output), "a build from an empty cache");
}

#[test]
fn without_cards_the_site_image_is_every_pages_og_image() {
    let site = Site::fixture("site");
    site.write("static/share.png", "");
    std::fs::write(site.path("static/share.png"), png_header(1200, 675)).unwrap();
    let yaml = site.read("dossier.yaml");
    site.write(
        "dossier.yaml",
        &format!("{yaml}social_cards: false\nimage: share.png\n"),
    );
    let outcome = site.build(&[]);
    outcome.assert_success();
    assert!(!outcome.file("media").exists(), "no cards");
    for page in ["", "briefs/jedi-awarded/", "companies/microsoft/"] {
        let image = og_image(&outcome, page).unwrap_or_else(|| panic!("{page} has no og:image"));
        assert_eq!(
            image,
            (format!("{ROOT_URL}share.png"), "1200".to_owned(), "675".to_owned()),
            "{page}"
        );
    }
}

#[test]
fn with_cards_the_site_image_is_the_other_pages_og_image() {
    let site = Site::fixture("site");
    std::fs::write(site.path("static/share.png"), png_header(800, 600)).unwrap();
    let yaml = site.read("dossier.yaml");
    site.write("dossier.yaml", &format!("{yaml}image: /share.png\n"));
    let outcome = site.build(&[]);
    outcome.assert_success();
    assert_every_brief_has_its_card(&outcome, ROOT_URL);
    assert_eq!(
        og_image(&outcome, ""),
        Some((format!("{ROOT_URL}share.png"), "800".to_owned(), "600".to_owned()))
    );
}

#[test]
fn a_missing_or_unreadable_site_image_is_an_error_at_its_line() {
    let site = Site::fixture("site");
    let yaml = site.read("dossier.yaml");
    let line = yaml.lines().count() + 2;
    site.write(
        "dossier.yaml",
        &format!("{yaml}social_cards: false\nimage: nowhere.png\n"),
    );
    let outcome = site.build(&[]);
    outcome.assert_status(1);
    let d = outcome.diagnostic(&format!("dossier.yaml:{line}:1"));
    assert!(d.contains("'nowhere.png' is not a file under static/"), "{d}");
    assert!(!outcome.output.exists(), "nothing written");

    site.write("static/notes.png", "not a picture");
    site.edit("dossier.yaml", "nowhere.png", "notes.png");
    let outcome = site.build(&[]);
    outcome.assert_status(1);
    let d = outcome.diagnostic(&format!("dossier.yaml:{line}:1"));
    assert!(d.contains("is not a picture"), "{d}");
}

#[test]
fn a_sites_card_template_replaces_the_built_in_one() {
    let site = Site::fixture("site");
    let built_in = site.build(&[]);
    built_in.assert_success();
    let (default_card, ..) = og_image(&built_in, "briefs/jedi-awarded/").unwrap();
    site.write(
        "templates/card.svg",
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="600" height="315"><rect width="600" height="315" fill="#123456"/><text x="20" y="100" font-size="{{ card.size / 2 }}">{% for line in card.lines %}<tspan x="20" dy="40">{{ line.text }}</tspan>{% endfor %} {{ site.title }}</text></svg>"##,
    );
    let own = site.build(&[]);
    own.assert_success();
    let (own_card, width, _) = og_image(&own, "briefs/jedi-awarded/").unwrap();
    assert_ne!(own_card, default_card);
    assert_eq!(width, "1200", "scaled to the card size");
    let bytes = std::fs::read(own.file(own_card.strip_prefix(ROOT_URL).unwrap())).unwrap();
    assert_eq!(png_size(&bytes), (1200, 630));

    site.write("templates/card.svg", "<svg>{{ card.nothing_here }}</svg>");
    let broken = site.build(&[]);
    broken.assert_status(1);
    assert!(broken.stderr.contains("card.svg"), "{}", broken.stderr);
}
