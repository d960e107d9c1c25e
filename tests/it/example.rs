//! The bundled example (the repository's own dossier.yaml and content/)
//! builds cleanly and without a broken link, at a domain root and under a
//! GitHub Pages project sub-path, and shows what issue 16 asks of it.

use std::path::Path;

use crate::common::{Outcome, assert_links_resolve, run};

/// Builds the repository's site into a temporary folder.
fn build_example(base_url: Option<&str>) -> (tempfile::TempDir, Outcome) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let output = dir.path().join("public");
    let output_arg = output.to_str().expect("a UTF-8 temporary path");
    let mut args = vec!["--output", output_arg];
    if let Some(url) = base_url {
        args.extend(["--base-url", url]);
    }
    let out = run(Path::new(env!("CARGO_MANIFEST_DIR")), "build", &args, output.clone());
    out.assert_success();
    (dir, out)
}

/// Panics unless stderr holds nothing but the "Built N pages …" summary.
#[track_caller]
fn assert_quiet(out: &Outcome) {
    let lines: Vec<&str> = out.stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(
        lines.len() == 1 && lines[0].starts_with("Built ") && !lines[0].contains("warning"),
        "expected only the summary line on stderr:\n{}",
        out.stderr
    );
}

/// The example's own base_url (dossier.yaml): a host, at its root, so that
/// feeds and the sitemap carry absolute URLs and no build of the example
/// warns about them.
const EXAMPLE_URL: &str = "https://briefs.example.com/";

#[test]
fn the_example_builds_cleanly_at_a_domain_root() {
    let (_dir, out) = build_example(None);
    assert_quiet(&out);
    assert!(out.has("index.html") && out.has("404.html") && out.has("atom.xml"));
    assert_links_resolve(&out.output, EXAMPLE_URL);
    assert!(
        out.text("sitemap.xml")
            .contains(&format!("<loc>{EXAMPLE_URL}briefs/jwcc-awarded/</loc>")),
        "the sitemap's URLs are absolute"
    );
}

#[test]
fn the_example_builds_cleanly_under_a_sub_path() {
    let (_dir, out) = build_example(Some("https://user.github.io/repo/"));
    assert_quiet(&out);
    let stylesheets = out.page("").attrs("link[rel=stylesheet]", "href");
    assert!(stylesheets.contains(&"/repo/style.css".to_owned()), "{stylesheets:?}");
    assert_links_resolve(&out.output, "https://user.github.io/repo/");
}

/// Issue 16: the example shows a click-to-load YouTube embed (on the about
/// page, which then links the script) and a company logo, on the page of
/// the invented Northwind Analytics, which the about page links.
#[test]
fn the_example_shows_a_youtube_embed_and_a_company_logo() {
    let (_dir, out) = build_example(None);
    let about = out.page("about/");
    let player = "figure.embed-youtube a.embed-link";
    assert_eq!(
        about.hrefs(player),
        ["https://www.youtube.com/watch?v=jNQXAC9IVRw"],
        "\"Me at the zoo\", linked for readers without JavaScript"
    );
    assert_eq!(
        about.attrs(player, "data-embed"),
        ["https://www.youtube-nocookie.com/embed/jNQXAC9IVRw"]
    );
    assert_eq!(about.attrs(player, "data-title"), ["Me at the zoo"]);
    assert_eq!(about.attrs("script[src$='embed.js']", "src"), ["/embed.js"]);
    assert!(
        about
            .hrefs("main a")
            .contains(&"/companies/northwind-analytics/".to_owned()),
        "the about page links the invented company"
    );

    let company = out.page("companies/northwind-analytics/");
    let logo = company.attrs("img.logo", "src");
    assert_eq!(logo.len(), 1, "one logo");
    assert!(logo[0].starts_with("/media/") && logo[0].ends_with(".png"), "{logo:?}");
    assert!(out.has(logo[0].trim_start_matches('/')), "{logo:?} is published");
    assert!(
        company.attrs("img.logo", "srcset")[0].contains(" 160w"),
        "a rendition for the logo's 160 px box"
    );
    assert!(company.attrs("img.logo", "alt")[0].starts_with("Northwind Analytics logo"));
    assert!(
        company.texts("main .prose").join(" ").contains("does not exist"),
        "the page says the company is invented"
    );
}
