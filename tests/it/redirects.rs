//! Redirects from old addresses (`aliases:`, SPEC §4): a page at each old
//! URL of a brief, company, contract or free page that leads to a page that
//! exists, at a domain root and under a GitHub Pages project sub-path, kept
//! out of the sitemap and of search indexes. The mistakes an alias can hold
//! are in `errors.rs`.

use std::collections::BTreeMap;

use scraper::{Html, Selector};

use crate::common::{Outcome, Site, Snapshot, assert_links_resolve};

/// The fixture's own base_url (dossier.yaml): a domain root.
const ROOT_URL: &str = "https://fixture.example/";
/// A GitHub Pages project site.
const SUB_PATH_URL: &str = "https://user.github.io/repo/";

/// Each redirect the fixture gets from [`with_aliases`]: the file written at
/// the old address, and the page it leads to, both relative to the base path.
const REDIRECTS: &[(&str, &str)] = &[
    ("2019/10/28/jedi-awarded/index.html", "briefs/jedi-awarded/"),
    ("news/jedi.html", "briefs/jedi-awarded/"),
    ("café/index.html", "briefs/jedi-awarded/"),
    ("msft/index.html", "companies/microsoft/"),
    ("contracts/jedi-cloud/index.html", "contracts/jedi/"),
    ("about-us.html", "about/"),
];

/// The fixture site with old addresses on a brief (a folder, an `.html`
/// file, an escaped one), a company and a contract (beside their other
/// names) and a free page.
fn with_aliases() -> Site {
    let site = Site::fixture("site");
    site.edit(
        "content/briefs/2019-10-28-jedi-awarded.md",
        "summary:",
        "aliases: [/2019/10/28/jedi-awarded/, /news/jedi.html, '/caf%C3%A9/']\nsummary:",
    );
    site.edit(
        "content/companies/microsoft.md",
        "aliases: [MSFT]",
        "aliases: [MSFT, /msft/]",
    );
    site.edit(
        "content/contracts/jedi.md",
        "aliases: [JEDI]",
        "aliases: [JEDI, /contracts/jedi-cloud]",
    );
    site.edit(
        "content/pages/about.md",
        "summary:",
        "aliases: [/about-us.html]\nsummary:",
    );
    site
}

/// A redirect page as a reader's browser and a search engine see it.
#[derive(Debug)]
struct Redirect {
    /// Where the meta refresh leads.
    refresh: String,
    canonical: Vec<String>,
    robots: Vec<String>,
    /// The link for readers whose browser does not follow the refresh.
    links: Vec<String>,
}

/// Every page of the output with a meta refresh, by output path.
fn redirects(out: &Outcome) -> BTreeMap<String, Redirect> {
    let attrs = |html: &Html, css: &str, attr: &str| -> Vec<String> {
        let selector = Selector::parse(css).unwrap();
        html.select(&selector)
            .filter_map(|e| e.value().attr(attr).map(str::to_owned))
            .collect()
    };
    let mut found = BTreeMap::new();
    for (path, bytes) in Snapshot::of(&out.output).files() {
        if !path.ends_with(".html") {
            continue;
        }
        let html = Html::parse_document(&String::from_utf8_lossy(bytes));
        let refresh = attrs(&html, "meta[http-equiv=refresh]", "content");
        let Some(content) = refresh.first() else { continue };
        let target = content
            .split_once("url=")
            .unwrap_or_else(|| panic!("{path}: a refresh without a URL: {content}"))
            .1;
        assert!(content.starts_with("0;"), "{path}: a refresh that waits: {content}");
        found.insert(
            path.to_owned(),
            Redirect {
                refresh: target.to_owned(),
                canonical: attrs(&html, "link[rel=canonical]", "href"),
                robots: attrs(&html, "meta[name=robots]", "content"),
                links: attrs(&html, "a[href]", "href"),
            },
        );
    }
    found
}

/// Builds the site with aliases at `base_url` and checks every redirect:
/// where it is, that its page exists, its canonical link, `noindex`, the
/// link for readers, and that the sitemap leaves it out.
#[track_caller]
fn assert_redirects_lead_to_pages(base_url: &str, base_path: &str) {
    let site = with_aliases();
    let out = site.build(&["--base-url", base_url]);
    out.assert_success();
    let found = redirects(&out);
    let paths: Vec<&str> = found.keys().map(String::as_str).collect();
    let mut expected: Vec<&str> = REDIRECTS.iter().map(|(from, _)| *from).collect();
    expected.sort_unstable();
    assert_eq!(paths, expected, "{base_url}");
    let sitemap = out.text("sitemap.xml");
    for (from, to) in REDIRECTS {
        let redirect = &found[*from];
        let url = format!("{base_path}{to}");
        assert_eq!(redirect.refresh, url, "{from} at {base_url}");
        assert!(
            out.has(&format!("{to}index.html")),
            "{from} leads to {to}, which is missing"
        );
        assert_eq!(redirect.canonical, [format!("{base_url}{to}")], "{from}");
        assert_eq!(redirect.robots, ["noindex"], "{from}");
        assert_eq!(redirect.links, [url], "{from}");
        let old = from.trim_end_matches("index.html");
        assert!(
            !sitemap.contains(&format!("{base_url}{old}<")),
            "{from} is in the sitemap"
        );
    }
    assert_links_resolve(&out.output, base_url);
}

#[test]
fn every_redirect_leads_to_a_page_that_exists_at_a_domain_root() {
    assert_redirects_lead_to_pages(ROOT_URL, "/");
}

#[test]
fn every_redirect_leads_to_a_page_that_exists_under_a_sub_path() {
    assert_redirects_lead_to_pages(SUB_PATH_URL, "/repo/");
}

#[test]
fn an_entitys_old_address_is_no_name() {
    let site = with_aliases();
    let out = site.build(&[]);
    out.assert_success();
    assert_eq!(out.page("companies/microsoft/").texts(".aka"), ["Also known as MSFT"]);
    // Its other names still resolve: the fixture's briefs name it MSFT.
    assert!(
        out.page("briefs/jedi-awarded/")
            .hrefs("a")
            .contains(&"/companies/microsoft/".to_owned())
    );
    site.write(
        "content/briefs/2021-01-01-new.md",
        "---\ntitle: New\ndate: 2021-01-01\ncontracts: [/contracts/jedi-cloud]\n---\nBody.\n",
    );
    let out = site.build(&[]);
    out.assert_status(1);
    assert!(
        out.diagnostic("content/briefs/2021-01-01-new.md:4:13")
            .contains("unknown contract '/contracts/jedi-cloud'"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_theme_without_a_redirect_template_uses_the_built_in_one_and_a_site_may_override_it() {
    let site = Site::fixture("theme-minimal");
    site.edit(
        "content/briefs/2024-01-02-acme-wins-road.md",
        "date: 2024-01-02\n",
        "date: 2024-01-02\naliases: [/old/]\n",
    );
    let out = site.build(&[]);
    out.assert_success();
    assert_eq!(redirects(&out).len(), 1, "{:?}", redirects(&out));
    assert!(
        out.text("old/index.html")
            .contains("<meta name=\"robots\" content=\"noindex\">")
    );

    site.write(
        "templates/redirect.html",
        "<!DOCTYPE html><html lang=\"{{ site.language }}\"><head><meta charset=\"utf-8\"><title>Moved: {{ redirect.title }}</title>\
         <meta http-equiv=\"refresh\" content=\"0; url={{ redirect.url }}\"></head><body><a href=\"{{ redirect.url }}\">{{ page.kind }}</a></body></html>\n",
    );
    let out = site.build(&[]);
    out.assert_success();
    let page = out.page("old/");
    assert!(
        page.texts("title")[0].starts_with("Moved: "),
        "{:?}",
        page.texts("title")
    );
    assert_eq!(page.texts("a"), ["redirect"]);
    assert_links_resolve(&out.output, "https://example.org/fixture/");
}

#[test]
fn an_alias_repeating_the_base_path_is_a_warning_saying_where_it_is_served() {
    let site = Site::fixture("site");
    site.edit(
        "content/briefs/2019-10-28-jedi-awarded.md",
        "summary:",
        "aliases: [/repo/2019/old/, /briefs/old-slug/]\nsummary:",
    );
    let out = site.build(&["--base-url", SUB_PATH_URL]);
    out.assert_success();
    let warning = out.warning("content/briefs/2019-10-28-jedi-awarded.md:4:11");
    assert!(warning.contains("served at /repo/repo/2019/old/"), "{warning}");
    assert!(warning.contains("write /2019/old/"), "{warning}");
    assert!(out.has("repo/2019/old/index.html"));
    assert_eq!(out.stderr.matches("warning: ").count(), 1, "{}", out.stderr);
    // At a domain root nothing repeats.
    let out = site.build(&[]);
    out.assert_success();
    assert!(!out.stderr.contains("warning: "), "{}", out.stderr);
}

#[test]
fn a_site_whose_base_path_is_a_section_keeps_its_old_brief_addresses_quietly() {
    let site = Site::fixture("site");
    site.edit(
        "content/briefs/2019-10-28-jedi-awarded.md",
        "summary:",
        "aliases: [/briefs/old-slug/]\nsummary:",
    );
    let out = site.build(&["--base-url", "https://user.github.io/briefs/"]);
    out.assert_success();
    assert!(!out.stderr.contains("warning: "), "{}", out.stderr);
    assert!(out.has("briefs/old-slug/index.html"));
    assert_links_resolve(&out.output, "https://user.github.io/briefs/");
}

#[test]
fn check_reports_alias_collisions_as_build_does() {
    let site = Site::fixture("site");
    site.edit(
        "content/briefs/2019-10-28-jedi-awarded.md",
        "summary:",
        "aliases: [/tags/defense/]\nsummary:",
    );
    let out = site.check();
    out.assert_status(1);
    assert!(
        out.diagnostic("content/briefs/2019-10-28-jedi-awarded.md:4:11")
            .contains("/tags/defense/")
    );
    assert!(!site.public().exists(), "check writes nothing");
}

#[test]
fn an_authors_old_address_redirects_through_the_shared_entity_code() {
    let site = crate::authors::desk();
    site.edit(
        "content/authors/john-roe.md",
        "name: John Roe\n",
        "name: John Roe\naliases: [J. Roe, /staff/jroe.html]\n",
    );
    site.edit(
        "content/briefs/2019-10-28-jedi-awarded.md",
        "author: J. Doe\n",
        "author: J. Roe\n",
    );
    let out = site.build(&["--base-url", SUB_PATH_URL]);
    out.assert_success();
    let found = redirects(&out);
    assert_eq!(found["staff/jroe.html"].refresh, "/repo/authors/john-roe/");
    assert!(out.has("authors/john-roe/index.html"));
    assert!(
        out.page("briefs/jedi-awarded/")
            .links("main", "/repo/authors/")
            .contains(&"/repo/authors/john-roe/".to_owned()),
        "the alias that is a name still names him"
    );
    assert_links_resolve(&out.output, SUB_PATH_URL);
}
