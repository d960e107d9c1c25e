//! `dossier build` on the fixture site (tests/fixtures/site): the pages of
//! SPEC §4, working links at a domain root and under a GitHub Pages project
//! sub-path, links between briefs, companies, contracts and tags in both
//! directions, escaping, reproducibility, drafts and the output folder rules.

use crate::common::{Outcome, Site, Snapshot, assert_links_resolve};

/// The fixture's own base_url (dossier.yaml): a domain root.
const ROOT_URL: &str = "https://fixture.example/";
/// A GitHub Pages project site.
const SUB_PATH_URL: &str = "https://user.github.io/repo/";

/// Every file the fixture site must produce, whatever its base URL.
const EXPECTED_FILES: &[&str] = &[
    "index.html",
    "page/2/index.html",
    "briefs/jedi-awarded/index.html",
    "briefs/aws-protests/index.html",
    "briefs/court-halts-jedi/index.html",
    "briefs/jedi-explained/index.html",
    "companies/index.html",
    "companies/microsoft/index.html",
    "companies/microsoft/atom.xml",
    "companies/amazon-web-services/index.html",
    "companies/amazon-web-services/atom.xml",
    "contracts/index.html",
    "contracts/jedi/index.html",
    "tags/index.html",
    "tags/cloud-computing/index.html",
    "tags/cloud-computing/atom.xml",
    "tags/defense/index.html",
    "tags/defense/atom.xml",
    "tags/bid-protests/index.html",
    "tags/bid-protests/atom.xml",
    "tags/courts/index.html",
    "tags/courts/atom.xml",
    "about/index.html",
    "atom.xml",
    "sitemap.xml",
    "robots.txt",
    "404.html",
    ".nojekyll",
    "CNAME",
    "images/diagram.svg",
];

/// The "Read more" section of a brief: related briefs, declared by either side.
const READ_MORE: &str = ".related:not(.mentioned):not(.suggested)";

fn built(args: &[&str]) -> (Site, Outcome) {
    let site = Site::fixture("site");
    let outcome = site.build(args);
    outcome.assert_success();
    (site, outcome)
}

#[track_caller]
fn assert_every_page_exists(out: &Outcome) {
    let missing: Vec<&&str> = EXPECTED_FILES.iter().filter(|f| !out.has(f)).collect();
    assert!(missing.is_empty(), "missing from the output: {missing:?}");
    assert!(
        !out.has("page/3/index.html"),
        "4 briefs at 2 per page make 2 pages, not 3"
    );
    assert_eq!(out.text("CNAME").trim(), "briefs.fixture.example");
    assert_eq!(
        out.page("").texts(".card-title a"),
        ["JEDI, Explained", "Court Halts Work on JEDI"],
        "the home page lists the newest briefs first"
    );
    assert_eq!(
        out.page("page/2/").texts(".card-title a"),
        ["AWS Protests the JEDI Award", "Pentagon Awards JEDI to Microsoft"]
    );
}

#[test]
fn a_site_at_a_domain_root_has_every_page_and_no_broken_link() {
    let (_site, out) = built(&[]);
    assert_every_page_exists(&out);
    assert_eq!(
        out.page("briefs/jedi-awarded/").attrs("link[rel=canonical]", "href"),
        ["https://fixture.example/briefs/jedi-awarded/"]
    );
    assert_links_resolve(&out.output, ROOT_URL);
}

#[test]
fn a_site_under_a_sub_path_has_every_page_and_no_broken_link() {
    let (_site, out) = built(&["--base-url", SUB_PATH_URL]);
    assert_every_page_exists(&out);
    assert_eq!(
        out.page("").hrefs(".card-title a"),
        ["/repo/briefs/jedi-explained/", "/repo/briefs/court-halts-jedi/"]
    );
    assert_eq!(
        out.page("briefs/jedi-awarded/").attrs("link[rel=canonical]", "href"),
        ["https://user.github.io/repo/briefs/jedi-awarded/"]
    );
    assert!(
        out.text("atom.xml")
            .contains("href=\"https://user.github.io/repo/briefs/jedi-awarded/\""),
        "feed entries link to absolute URLs under the sub-path"
    );
    assert_links_resolve(&out.output, SUB_PATH_URL);
}

#[test]
fn a_sub_path_given_without_a_host_or_trailing_slash_works() {
    for base_url in ["/repo", "https://user.github.io/repo"] {
        let (_site, out) = built(&["--base-url", base_url]);
        let stylesheets = out.page("").attrs("link[rel=stylesheet]", "href");
        assert!(
            stylesheets.contains(&"/repo/style.css".to_owned()),
            "{base_url}: {stylesheets:?}"
        );
        assert_links_resolve(&out.output, &format!("{base_url}/"));
    }
}

#[test]
fn every_page_links_the_theme_icon_under_the_base_path() {
    // Without an icon declared, browsers ask the host's root for
    // /favicon.ico: a 404 in the console, and not the site's own file
    // under a GitHub Pages project sub-path (issue #15, item 7).
    for (base_url, icon) in [(ROOT_URL, "/favicon.svg"), (SUB_PATH_URL, "/repo/favicon.svg")] {
        let (_site, out) = built(&["--base-url", base_url]);
        assert!(out.has("favicon.svg"), "{base_url}: the theme's icon is copied");
        let pages: Vec<String> = (Snapshot::of(&out.output).paths())
            .filter(|p| p.ends_with(".html"))
            .map(str::to_owned)
            .collect();
        assert!(pages.len() > 15, "{pages:?}");
        for page in pages {
            let icons = out.page(&page).attrs("link[rel=icon]", "href");
            assert_eq!(icons, [icon], "{base_url}: {page}");
        }
    }
}

#[test]
fn a_base_url_without_a_host_warns_once_that_feeds_carry_relative_urls() {
    let site = Site::fixture("site");
    let full = site.build(&[]);
    full.assert_success();
    assert!(!full.stderr.contains("warning"), "{}", full.stderr);

    // dossier.yaml's `base_url:` is line 4 of the fixture's.
    site.edit(
        "dossier.yaml",
        "base_url: https://fixture.example/",
        "base_url: /briefs/",
    );
    let out = site.build(&[]);
    out.assert_success();
    assert_eq!(out.stderr.matches("warning: ").count(), 1, "once:\n{}", out.stderr);
    let w = out.warning("dossier.yaml:4:1");
    assert!(
        w.contains(
            "base_url '/briefs/' has no host, so the Atom feeds and sitemap.xml carry relative URLs, \
             which feed readers and search engines cannot follow"
        ),
        "{w}"
    );
    assert!(w.contains("\n4 | base_url: /briefs/"), "{w}");
    assert!(
        w.contains("= help: set base_url to the address the site is published at"),
        "{w}"
    );
    assert!(out.text("sitemap.xml").contains("<loc>/briefs/</loc>"), "as it says");

    // `check` writes nothing, and the build that publishes may give a host
    // with --base-url (as the Pages workflows do): no warning.
    let checked = site.check();
    checked.assert_success();
    assert!(!checked.stderr.contains("warning"), "{}", checked.stderr);
    let given = site.build(&["--base-url", SUB_PATH_URL]);
    given.assert_success();
    assert!(!given.stderr.contains("warning"), "{}", given.stderr);

    // A --base-url without a host is named as such.
    let flag = site.build(&["--base-url", "/repo/"]);
    flag.assert_success();
    assert!(
        flag.warning("--base-url").contains("'/repo/' has no host"),
        "{}",
        flag.stderr
    );

    // --strict makes it an error, like every warning.
    let strict = site.build(&["--strict"]);
    strict.assert_status(1);
    strict.diagnostic("dossier.yaml:4:1");
}

#[test]
fn links_in_markdown_bodies_get_the_sub_path() {
    let (_site, out) = built(&["--base-url", SUB_PATH_URL]);
    let explainer = out.page("briefs/jedi-explained/");
    assert_eq!(explainer.attrs(".body img", "src"), ["/repo/images/diagram.svg"]);
    assert_eq!(explainer.hrefs(".body a"), ["/repo/contracts/", "#the-protest"]);
    assert_eq!(
        out.page("about/").hrefs(".body a"),
        ["/repo/contracts/", "/repo/companies/"]
    );
}

#[test]
fn the_404_page_links_only_under_the_sub_path() {
    let (_site, out) = built(&["--base-url", SUB_PATH_URL]);
    let page = out.page("404.html");
    let urls: Vec<String> = [("a", "href"), ("link", "href"), ("script", "src"), ("img", "src")]
        .into_iter()
        .flat_map(|(tag, attr)| page.attrs(tag, attr))
        .collect();
    assert!(
        urls.iter().any(|u| u == "/repo/style.css"),
        "the stylesheet is linked under the sub-path: {urls:?}"
    );
    let misplaced: Vec<&String> = urls
        .iter()
        .filter(|u| !(u.starts_with('#') || u.starts_with("/repo/") || u.starts_with(SUB_PATH_URL)))
        .collect();
    assert!(
        misplaced.is_empty(),
        "GitHub serves 404.html at any missing URL, so every link must be root-relative with the prefix: {misplaced:?}"
    );
}

#[test]
fn the_link_checker_reports_broken_links() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("a")).unwrap();
    std::fs::write(dir.path().join("a/index.html"), "<h2 id=\"here\">A</h2>").unwrap();
    for (page, link) in [
        ("index.html", "/repo/missing/"),
        ("index.html", "/a/"),
        ("index.html", "/repo/a/#nowhere"),
        ("index.html", "https://user.github.io/repo/missing/"),
        ("index.html", "../../a/"),
        ("404.html", "a/"),
    ] {
        let html = format!("<a href=\"/repo/a/#here\">ok</a><a href=\"{link}\">bad</a>");
        std::fs::write(dir.path().join("index.html"), "<p>home</p>").unwrap();
        std::fs::write(dir.path().join(page), html).unwrap();
        let checked = std::panic::catch_unwind(|| assert_links_resolve(dir.path(), SUB_PATH_URL));
        assert!(checked.is_err(), "{link} on {page} should be reported as broken");
        std::fs::remove_file(dir.path().join(page)).unwrap();
    }
    std::fs::write(
        dir.path().join("index.html"),
        "<a href=\"/repo/a/#here\">ok</a><a href=\"https://elsewhere.org/\">out</a><a href=\"a/\">rel</a>",
    )
    .unwrap();
    assert_links_resolve(dir.path(), SUB_PATH_URL);
}

#[test]
fn a_company_page_lists_the_briefs_that_name_or_mention_it() {
    let (_site, out) = built(&["--base-url", SUB_PATH_URL]);
    assert_eq!(
        out.page("briefs/jedi-awarded/").hrefs("a.chip-company"),
        ["/repo/companies/microsoft/"],
        "the brief names Microsoft by its alias MSFT"
    );
    assert_eq!(
        out.page("companies/microsoft/").hrefs(".card-title a"),
        ["/repo/briefs/court-halts-jedi/", "/repo/briefs/jedi-awarded/"],
        "jedi-awarded names Microsoft in front matter; court-halts-jedi only mentions [[Microsoft|…]]"
    );
    assert!(
        out.text("companies/microsoft/atom.xml")
            .contains("https://user.github.io/repo/briefs/court-halts-jedi/"),
        "the company feed holds the briefs about it"
    );
}

#[test]
fn related_briefs_link_in_both_directions() {
    let (_site, out) = built(&["--base-url", SUB_PATH_URL]);
    assert_eq!(
        out.page("briefs/jedi-awarded/").links(READ_MORE, "/repo/briefs/"),
        ["/repo/briefs/aws-protests/"],
        "jedi-awarded declares related: [aws-protests]"
    );
    assert_eq!(
        out.page("briefs/aws-protests/").links(READ_MORE, "/repo/briefs/"),
        ["/repo/briefs/jedi-awarded/"],
        "aws-protests shows the brief that declared it related"
    );
    assert!(out.page("briefs/court-halts-jedi/").links(READ_MORE, "/").is_empty());
}

#[test]
fn a_wikilink_to_a_brief_shows_under_mentioned_in() {
    let (_site, out) = built(&["--base-url", SUB_PATH_URL]);
    assert_eq!(
        out.page("briefs/court-halts-jedi/").hrefs(".body a"),
        [
            "/repo/contracts/jedi/",
            "/repo/briefs/jedi-awarded/",
            "/repo/companies/microsoft/"
        ]
    );
    assert_eq!(
        out.page("briefs/jedi-awarded/").links(".mentioned", "/repo/briefs/"),
        ["/repo/briefs/court-halts-jedi/"]
    );
    assert!(out.page("briefs/court-halts-jedi/").links(".mentioned", "/").is_empty());
}

#[test]
fn tags_spelled_differently_are_one_tag() {
    let (_site, out) = built(&[]);
    assert_eq!(
        out.page("tags/cloud-computing/").hrefs(".card-title a"),
        ["/briefs/aws-protests/", "/briefs/jedi-awarded/"],
        "'Cloud Computing' (jedi-awarded) and 'cloud computing' (aws-protests) are one tag"
    );
    assert_eq!(
        out.page("tags/").links("main", "/tags/"),
        [
            "/tags/bid-protests/",
            "/tags/cloud-computing/",
            "/tags/courts/",
            "/tags/defense/"
        ],
        "one entry per tag on the tags page"
    );
    assert_eq!(
        out.page("briefs/aws-protests/").links("main", "/tags/"),
        ["/tags/cloud-computing/", "/tags/bid-protests/"]
    );
}

#[test]
fn a_contract_timeline_merges_its_events_with_the_briefs_about_it() {
    let (_site, out) = built(&[]);
    let contract = out.page("contracts/jedi/");
    assert_eq!(
        contract.attrs(".timeline time", "datetime"),
        ["2019-04-10", "2019-10-25", "2019-10-28", "2020-02-14"],
        "the contract's own events and the briefs naming or mentioning it, oldest first"
    );
    let items = contract.texts(".timeline li");
    assert!(items[0].contains("IBM and Oracle eliminated"), "{items:?}");
    assert!(items[1].contains("Awarded to Microsoft"), "{items:?}");
    assert!(items[2].contains("Pentagon Awards JEDI to Microsoft"), "{items:?}");
    assert!(items[3].contains("Court Halts Work on JEDI"), "{items:?}");
    assert_eq!(
        contract.links(".timeline", "/"),
        ["/briefs/jedi-awarded/", "/briefs/court-halts-jedi/"]
    );
    assert_eq!(
        contract.links(".facts", "/"),
        ["/companies/microsoft/"],
        "awarded_to links the company"
    );
}

const HOSTILE_TITLE: &str = "<script>alert(1)</script>\"><img src=x onerror=alert(1)>";

const HOSTILE_BRIEF: &str = r#"---
title: "<script>alert(1)</script>\"><img src=x onerror=alert(1)>"
date: 2021-06-01
summary: "<script>alert(2)</script>"
author: "<img src=x onerror=alert(3)>"
tags: ["<b>bold</b>"]
companies: [AWS]
sources:
  - name: "</a><script>alert(4)</script>"
    url: "https://example.com/?q=\"><script>alert(5)</script>"
---
Raw HTML in a body: <script>alert(6)</script> and <img src=x onerror=alert(7)>.
"#;

#[test]
fn hostile_front_matter_is_escaped_everywhere() {
    let site = Site::fixture("site");
    site.write("content/briefs/2021-06-01-hostile.md", HOSTILE_BRIEF);
    let out = site.build(&[]);
    out.assert_success();

    let brief = out.page("briefs/hostile/");
    assert_eq!(brief.texts("h1"), [HOSTILE_TITLE]);
    assert_eq!(brief.texts(".dek"), ["<script>alert(2)</script>"]);
    let source = brief.texts(".sources a");
    assert!(source[0].starts_with("</a><script>alert(4)</script>"), "{source:?}");
    assert_eq!(
        brief.hrefs(".sources a"),
        ["https://example.com/?q=\"><script>alert(5)</script>"]
    );
    assert_eq!(
        out.page("").texts(".card-title a")[0],
        HOSTILE_TITLE,
        "the home page listing"
    );
    assert_eq!(
        out.page("companies/amazon-web-services/").texts(".card-title a")[0],
        HOSTILE_TITLE
    );
    assert_eq!(out.page("tags/b-bold-b/").texts("h1"), ["<b>bold</b>"]);
    assert!(
        out.text("atom.xml")
            .contains("<title>&lt;script&gt;alert(1)&lt;/script&gt;"),
        "the feed entry's title is escaped"
    );

    for (path, bytes) in Snapshot::of(&out.output).files() {
        let text = String::from_utf8_lossy(bytes);
        for needle in ["<script>alert", "<img src=x", "<b>bold"] {
            assert!(!text.contains(needle), "{path} holds an unescaped {needle}");
        }
        if path.ends_with(".html") {
            let handlers: Vec<String> = out
                .page(path)
                .attribute_names()
                .into_iter()
                .filter(|a| a.starts_with("on"))
                .collect();
            assert!(handlers.is_empty(), "{path} has event handlers: {handlers:?}");
        }
    }
}

#[test]
fn the_same_input_gives_a_byte_identical_output() {
    let first = Site::fixture("site");
    let second = Site::fixture("site");
    let elsewhere = tempfile::tempdir().unwrap();
    let second_output = elsewhere.path().join("out");
    first.build(&[]).assert_success();
    second
        .build(&["--output", second_output.to_str().unwrap()])
        .assert_success();
    let out = Snapshot::of(&first.public());
    assert!(out.paths().count() >= EXPECTED_FILES.len());
    out.assert_same_as(
        &Snapshot::of(&second_output),
        "two builds of the same site, from two folders into two folders, differ",
    );
}

/// A one-off build frees each brief body's HTML once the brief's page is
/// made, but for the newest, which the site's feed shows too
/// (`render::Handover`): with a feed of one brief, every other page
/// takes its body, and each must still show it, as when all are shared.
#[test]
fn brief_pages_show_their_bodies_whether_the_feed_shares_them_or_not() {
    let shared = Site::fixture("site");
    shared.write("dossier.yaml", &(shared.read("dossier.yaml") + "feed_limit: 100\n"));
    let taken = Site::fixture("site");
    taken.write("dossier.yaml", &(taken.read("dossier.yaml") + "feed_limit: 1\n"));
    let (shared, taken) = (shared.build(&[]), taken.build(&[]));
    shared.assert_success();
    taken.assert_success();
    let pages: Vec<String> = std::fs::read_dir(taken.file("briefs"))
        .unwrap()
        .map(|e| format!("briefs/{}/", e.unwrap().file_name().to_string_lossy()))
        .collect();
    assert!(pages.len() >= 4, "{pages:?}");
    for page in &pages {
        let file = format!("{page}index.html");
        assert_eq!(taken.text(&file), shared.text(&file), "{page}");
        let body = taken.page(page).texts(".prose.body").concat();
        assert!(body.len() > 40, "{page} shows its body: {body:?}");
    }
    let feed = taken.text("atom.xml");
    assert_eq!(feed.matches("<entry>").count(), 1, "{feed}");
    assert!(
        feed.contains("<content type=\"html\">&lt;"),
        "the newest brief's body: {feed}"
    );
}

/// Cards share one value per date (`render::cards`): briefs of the same
/// day show it, and a brief dated at a time of that day, or updated on
/// another brief's date, shows its own.
#[test]
fn each_card_shows_its_own_dates_when_briefs_share_them() {
    let site = Site::fixture("site");
    site.write(
        "content/briefs/2020-02-14-second.md",
        "---\ntitle: Second Brief Of The Day\ndate: 2020-02-14\n---\nAlso that day.\n",
    );
    site.write(
        "content/briefs/2020-02-14-timed.md",
        "---\ntitle: Timed Brief\ndate: 2020-02-14T09:30:00-05:00\nupdated: 2020-03-01\n---\nAt half past nine.\n",
    );
    let out = site.build(&[]);
    out.assert_success();
    // Every page of the home listing (two briefs a page in this fixture).
    let mut home = out.text("index.html");
    for page in 2.. {
        if !out.has(&format!("page/{page}/index.html")) {
            break;
        }
        home += &out.text(&format!("page/{page}/index.html"));
    }
    // Each card's title with the `datetime`s of its meta line.
    let cards: Vec<(String, Vec<String>)> = (home.split("<article class=\"card").skip(1))
        .map(|card| {
            let title = card.split("card-title\"><a href=\"").nth(1).unwrap_or("");
            let title = title.split('>').nth(1).unwrap_or("").split('<').next().unwrap_or("");
            let meta = card
                .split("card-meta")
                .nth(1)
                .unwrap_or("")
                .split("</p>")
                .next()
                .unwrap_or("");
            let times = (meta.split("datetime=\"").skip(1))
                .map(|t| t.split('"').next().unwrap_or("").to_owned())
                .collect();
            (title.to_owned(), times)
        })
        .collect();
    let times_of = |title: &str| {
        (cards.iter().find(|(t, _)| t == title))
            .unwrap_or_else(|| panic!("no card for {title}: {cards:?}"))
            .1
            .clone()
    };
    assert_eq!(times_of("Court Halts Work on JEDI"), ["2020-02-14"]);
    assert_eq!(times_of("Second Brief Of The Day"), ["2020-02-14"]);
    assert_eq!(times_of("JEDI, Explained"), ["2020-03-01"]);
    let timed = times_of("Timed Brief");
    assert_eq!(timed.len(), 2, "{timed:?}");
    assert!(timed[0].starts_with("2020-02-14T09:30"), "{timed:?}");
    assert_eq!(timed[1], "2020-03-01");
    assert!(home.contains("Updated <time datetime=\"2020-03-01\">March 1, 2020</time>"));
}

#[test]
fn drafts_are_built_only_with_the_drafts_flag() {
    let site = Site::fixture("site");
    let out = site.build(&[]);
    out.assert_success();
    assert!(!out.has("briefs/unfinished/index.html"));
    for (path, bytes) in Snapshot::of(&out.output).files() {
        let text = String::from_utf8_lossy(bytes);
        assert!(
            !text.contains("Unfinished Draft") && !text.contains("briefs/unfinished/"),
            "{path} mentions the draft"
        );
    }
    assert_eq!(
        out.page("tags/defense/").texts(".card-title a"),
        ["JEDI, Explained", "Pentagon Awards JEDI to Microsoft"]
    );
    assert!(!out.has("tags/defense/page/2/index.html"));

    let out = site.build(&["--drafts"]);
    out.assert_success();
    assert_eq!(out.page("briefs/unfinished/").texts("h1"), ["Unfinished Draft"]);
    assert_eq!(out.page("").texts(".card-title a")[0], "Unfinished Draft");
    assert_eq!(out.page("tags/defense/").texts(".card-title a")[0], "Unfinished Draft");
    assert!(
        out.has("tags/defense/page/2/index.html"),
        "three defense briefs at two per page"
    );
}

#[test]
fn a_rebuild_replaces_the_previous_output_and_drops_stale_pages() {
    let site = Site::fixture("site");
    site.build(&[]).assert_success();
    site.remove("content/briefs/2020-03-01-explainer.md");
    let out = site.build(&[]);
    out.assert_success();
    assert!(out.has("briefs/jedi-awarded/index.html"));
    assert!(
        !out.has("briefs/jedi-explained/index.html"),
        "the removed brief's page is gone"
    );
    let mut left = std::fs::read_dir(site.root().parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .chain(
            std::fs::read_dir(site.root())
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned()),
        )
        .collect::<Vec<_>>();
    left.sort();
    assert_eq!(
        left,
        [".dossier-cache", "content", "dossier.yaml", "public", "site", "static"],
        "no staging or old output folder is left behind (the media cache stays)"
    );
}

#[test]
fn an_output_folder_with_foreign_files_is_refused_and_left_alone() {
    let site = Site::fixture("site");
    site.write("public/notes.txt", "mine");
    let before = Snapshot::of(&site.public());
    let out = site.build(&[]);
    out.assert_status(2);
    assert!(
        out.stderr.contains("notes.txt") && out.stderr.contains("--force"),
        "the refusal names the foreign file and the way out:\n{}",
        out.stderr
    );
    before.assert_unchanged(&site.public());
}

#[test]
fn a_file_added_to_a_previous_output_is_not_deleted() {
    let site = Site::fixture("site");
    site.build(&[]).assert_success();
    site.write("public/briefs/notes.txt", "mine");
    let before = Snapshot::of(&site.public());
    site.build(&[]).assert_status(2);
    before.assert_unchanged(&site.public());
}

#[test]
fn force_moves_a_foreign_output_folder_to_a_backup() {
    let site = Site::fixture("site");
    site.write("public/notes.txt", "mine");
    let out = site.build(&["--force"]);
    out.assert_success();
    assert!(out.has("index.html"));
    assert!(!out.has("notes.txt"));
    let backups: Vec<std::path::PathBuf> = std::fs::read_dir(site.root())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("notes.txt").is_file())
        .collect();
    assert_eq!(backups.len(), 1, "exactly one backup holds notes.txt: {backups:?}");
    assert_eq!(std::fs::read_to_string(backups[0].join("notes.txt")).unwrap(), "mine");
    assert!(
        out.stderr.contains(&backups[0].display().to_string()),
        "the user is told where the backup is:\n{}",
        out.stderr
    );
}

#[test]
fn check_writes_nothing() {
    let site = Site::fixture("site");
    let before = Snapshot::of(site.root());
    let out = site.check();
    out.assert_success();
    assert!(out.stderr.contains("no errors"), "{}", out.stderr);
    before.assert_unchanged(site.root());
    assert!(!site.public().exists());
}

#[test]
fn cname_is_written_only_when_configured() {
    let site = Site::fixture("site");
    site.edit("dossier.yaml", "cname: briefs.fixture.example\n", "");
    let out = site.build(&[]);
    out.assert_success();
    assert!(out.has(".nojekyll"));
    assert!(!out.has("CNAME"));
}

#[test]
fn unknown_references_can_be_warnings_with_stub_pages() {
    let site = Site::fixture("site");
    site.edit(
        "dossier.yaml",
        "theme: default\n",
        "theme: default\nunknown_references: warn\n",
    );
    site.write(
        "content/briefs/2021-01-01-oracle.md",
        "---\ntitle: Oracle Bids\ndate: 2021-01-01\ncompanies: [Oracle]\ncontracts: [JWCC]\n---\nBody.\n",
    );
    let out = site.build(&["--base-url", SUB_PATH_URL]);
    out.assert_success();
    assert!(
        out.stderr
            .contains("warning: content/briefs/2021-01-01-oracle.md:4:13: unknown company 'Oracle'"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("warning: content/briefs/2021-01-01-oracle.md:5:13: unknown contract 'JWCC'"),
        "{}",
        out.stderr
    );
    assert_eq!(
        out.page("companies/oracle/").hrefs(".card-title a"),
        ["/repo/briefs/oracle/"]
    );
    assert_eq!(
        out.page("contracts/jwcc/").hrefs(".card-title a"),
        ["/repo/briefs/oracle/"]
    );
    assert_links_resolve(&out.output, SUB_PATH_URL);
}

#[test]
fn stubs_are_made_once_per_name_in_brief_order() {
    // One stub per unknown name, made in brief order (newest first), so
    // their ids, and the order of everything listed by id, do not depend on
    // file names or on how the work was split.
    let site = Site::fixture("site");
    site.edit(
        "dossier.yaml",
        "theme: default\n",
        "theme: default\nunknown_references: warn\n",
    );
    for (day, companies) in [
        (1, "[Alpha Inc]"),
        (2, "[Amazon Web Services]"),
        (3, "[Alpha Inc, Zeta Corp]"),
        (4, "[Microsoft]"),
        (5, "[Zeta Corp]"),
    ] {
        site.write(
            &format!("content/briefs/2019-01-0{day}-stub-{day}.md"),
            &format!("---\ntitle: Stub {day}\ndate: 2019-01-0{day}\ncompanies: {companies}\n---\nBody.\n"),
        );
    }
    let out = site.build(&[]);
    out.assert_success();
    let warnings = out
        .stderr
        .lines()
        .filter(|l| l.starts_with("warning: content/briefs/2019-"))
        .count();
    assert_eq!(warnings, 4, "{}", out.stderr);
    assert_eq!(
        out.page("companies/alpha-inc/").hrefs(".card-title a"),
        ["/briefs/stub-3/", "/briefs/stub-1/"]
    );
    assert_eq!(
        out.page("companies/zeta-corp/").hrefs(".card-title a"),
        ["/briefs/stub-5/", "/briefs/stub-3/"]
    );
    // Companies are listed in the sitemap in id order: Zeta Corp's stub was
    // made first, by the newest brief.
    let sitemap = std::fs::read_to_string(out.output.join("sitemap.xml")).unwrap();
    let at = |slug: &str| sitemap.find(&format!("/companies/{slug}/")).unwrap();
    assert!(at("zeta-corp") < at("alpha-inc"), "{sitemap}");
}

/// Writes `count` briefs into `site`: each tagged `bulk tag` (spelled
/// `Bulk Tag` by one of them) and `bulk-<k mod 5>`, naming Microsoft, or
/// an unknown company where `unknown(k)`.
fn write_bulk_briefs(site: &Site, count: usize, unknown: impl Fn(usize) -> bool) {
    for k in 0..count {
        let spelling = if k == 417 { "Bulk Tag" } else { "bulk tag" };
        let company = if unknown(k) {
            format!("Unknown Co {k}")
        } else {
            "Microsoft".to_owned()
        };
        let text = format!(
            "---\ntitle: Bulk brief {k}\ndate: 2021-01-{:02}\ntags: [{spelling}, bulk-{}]\ncompanies: [{company}]\n---\nBody {k}.\n",
            1 + k % 28,
            k % 5
        );
        site.write(&format!("content/briefs/bulk-{k:03}.md"), &text);
    }
}

/// Briefs are resolved on all cores when unknown names are errors: a site
/// of many briefs still reports every mistake at its own file, and gives
/// each brief its own tags and each tag its name (the first spelling in
/// sorted order) as resolving one brief after another would.
#[test]
fn many_briefs_resolved_on_all_cores_keep_every_mistake_and_every_tag() {
    let site = Site::fixture("site");
    let unknown = |k: usize| k % 97 == 5;
    write_bulk_briefs(&site, 600, unknown);
    let out = site.build(&[]);
    out.assert_status(1);
    let expected: Vec<usize> = (0..600).filter(|k| unknown(*k)).collect();
    assert_eq!(out.errors().len(), expected.len(), "{}", out.stderr);
    for k in expected {
        let error = out.diagnostic(&format!("content/briefs/bulk-{k:03}.md:5:13"));
        assert!(error.contains(&format!("unknown company 'Unknown Co {k}'")), "{error}");
    }

    write_bulk_briefs(&site, 600, |_| false);
    let out = site.build(&[]);
    out.assert_success();
    for k in [0, 3, 4, 416, 417, 599] {
        let page = out.page(&format!("briefs/bulk-{k:03}/"));
        let tags = page.links("main", "/tags/");
        assert!(tags.contains(&"/tags/bulk-tag/".to_owned()), "bulk-{k:03}: {tags:?}");
        assert!(
            tags.contains(&format!("/tags/bulk-{}/", k % 5)),
            "bulk-{k:03}: {tags:?}"
        );
        assert!(
            !tags.contains(&format!("/tags/bulk-{}/", (k + 1) % 5)),
            "bulk-{k:03}: {tags:?}"
        );
    }
    let tag = out.page("tags/bulk-tag/");
    assert_eq!(tag.texts("h1"), ["Bulk Tag"]);
    let again = Site::fixture("site");
    write_bulk_briefs(&again, 600, |_| false);
    let elsewhere = tempfile::tempdir().unwrap();
    let second_output = elsewhere.path().join("out");
    (again.build(&["--output", second_output.to_str().unwrap()])).assert_success();
    Snapshot::of(&site.public()).assert_same_as(
        &Snapshot::of(&second_output),
        "two builds of a site of many briefs differ",
    );
}
