//! A site written to SPEC by someone else (issue 15's "done when"):
//! `tests/fixtures/newsroom` has authors (one with an old URL), aliases on a
//! brief, a company and a page, contract timelines with statuses, and bare
//! wikilinks that share names with brief slugs (`[[TikTok]]` beside
//! `tiktok.md`, `[[JWCC]]` beside a brief slugged `jwcc`). It builds with
//! no broken link and every redirect leading to a page, at a domain root and
//! under a project sub-path.

use crate::common::{Outcome, Site, Snapshot, assert_links_resolve};

/// The redirects the fixture's aliases make, and where each leads.
const REDIRECTS: &[(&str, &str)] = &[
    ("2019/11/22/aws-protests/index.html", "briefs/aws-protests/"),
    ("companies/tiktok/index.html", "companies/bytedance/"),
    ("people/ana/index.html", "authors/ana-lima/"),
    ("about-us/index.html", "about/"),
];

/// Every redirect page of a build (a meta refresh), with where it leads,
/// relative to the output folder.
fn redirects(out: &Outcome, base_path: &str) -> Vec<(String, String)> {
    let snapshot = Snapshot::of(&out.output);
    let mut found = Vec::new();
    for (path, bytes) in snapshot.files() {
        let text = String::from_utf8_lossy(bytes);
        let Some(at) = text.find("http-equiv=\"refresh\" content=\"0; url=") else {
            continue;
        };
        let rest = &text[at + "http-equiv=\"refresh\" content=\"0; url=".len()..];
        let target = &rest[..rest.find('"').expect("a closed attribute")];
        let relative = target
            .strip_prefix(base_path)
            .unwrap_or_else(|| panic!("{path}: {target} is not under {base_path}"));
        found.push((path.to_owned(), relative.to_owned()));
    }
    found.sort();
    found
}

fn check(out: &Outcome, base_url: &str, base_path: &str) {
    out.assert_success();
    assert_links_resolve(&out.output, base_url);
    let found = redirects(out, base_path);
    let mut expected: Vec<(String, String)> = REDIRECTS
        .iter()
        .map(|(from, to)| ((*from).to_owned(), (*to).to_owned()))
        .collect();
    expected.sort();
    assert_eq!(found, expected);
    for (from, to) in &found {
        assert!(
            out.has(&format!("{to}index.html")),
            "{from} leads to {to}, which exists"
        );
    }
    let sitemap = out.text("sitemap.xml");
    for (from, _) in REDIRECTS {
        let folder = from.trim_end_matches("index.html");
        assert!(
            !sitemap.contains(&format!("{base_url}{folder}<")),
            "{from} is not in the sitemap"
        );
    }

    // Bare names mean the entity, typed ones the kind they name.
    let tiktok = out.page("briefs/tiktok/");
    assert_eq!(
        tiktok.hrefs(".body a"),
        [
            format!("{base_path}companies/microsoft/"),
            format!("{base_path}companies/bytedance/"),
            format!("{base_path}briefs/tiktok/"),
            format!("{base_path}companies/bytedance/"),
        ]
    );
    let jwcc = out.page("briefs/jwcc/");
    assert_eq!(
        jwcc.hrefs(".body a"),
        [
            format!("{base_path}contracts/jwcc/"),
            format!("{base_path}contracts/jedi/"),
            format!("{base_path}briefs/jwcc/"),
            format!("{base_path}authors/ana-lima/"),
        ]
    );
    assert_eq!(
        tiktok.hrefs(".byline .author a"),
        [
            format!("{base_path}authors/ben-okoye/"),
            format!("{base_path}authors/ana-lima/"),
        ]
    );
    // Facts as of the brief's date: JEDI was protested in 2019, not yet cancelled.
    let protest = out.page("briefs/aws-protests/");
    let facts = protest.texts(".keyfacts").join(" ");
    assert!(facts.contains("Protested"), "{facts}");
    assert!(facts.contains("now:"), "{facts}");
    // Suggestions: the JWCC award brief shares JWCC and companies with jwcc.
    let awarded = out.page("briefs/jwcc-awarded/");
    assert!(
        awarded
            .hrefs(".related a")
            .contains(&format!("{base_path}briefs/jwcc/")),
        "{:?}",
        awarded.hrefs(".related a")
    );
    assert!(
        out.has("authors/ana-lima/page/2/index.html"),
        "three briefs, two a page"
    );
    assert!(out.has("contracts/jwcc/atom.xml") && out.has("authors/ana-lima/atom.xml"));
}

#[test]
fn a_site_written_to_spec_by_someone_else_builds_at_a_root() {
    let site = Site::fixture("newsroom");
    let out = site.build(&[]);
    check(&out, "https://newsroom.example/", "/");
}

#[test]
fn a_site_written_to_spec_by_someone_else_builds_under_a_sub_path() {
    let site = Site::fixture("newsroom");
    let out = site.build(&["--base-url", "https://desk.github.io/newsroom/"]);
    check(&out, "https://desk.github.io/newsroom/", "/newsroom/");
}
