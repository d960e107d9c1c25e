//! Authors (SPEC §1–2) and the wikilinks that read like prose (SPEC §3):
//! the fixture site gets a desk of authors, and the tests read the pages,
//! feeds and errors a writer would see.

use crate::common::{Site, assert_links_resolve};

const JANE: &str = "---\nname: Jane Doe\naliases: [J. Doe]\nrole: Defense technology reporter\nlinks:\n  - { name: Mastodon, url: \"https://mastodon.example/@jane\" }\n---\nJane covers [[JEDI]].\n";
const JOHN: &str = "---\nname: John Roe\nrole: Editor\n---\nJohn edits the desk.\n";

/// The fixture site with two authors and bylines naming them.
pub(crate) fn desk() -> Site {
    let site = Site::fixture("site");
    site.write("content/authors/jane-doe.md", JANE);
    site.write("content/authors/john-roe.md", JOHN);
    site.edit(
        "content/briefs/2019-10-28-jedi-awarded.md",
        "date: 2019-10-28\n",
        "date: 2019-10-28\nauthor: J. Doe\n",
    );
    site.edit(
        "content/briefs/2020-02-14-court-halts-jedi.md",
        "date: 2020-02-14\n",
        "date: 2020-02-14\nauthors: [jane-doe, John Roe]\n",
    );
    site.edit(
        "content/briefs/2020-03-01-explainer.md",
        "date: 2020-03-01\n",
        "date: 2020-03-01\nauthor: jane doe\n",
    );
    site
}

#[test]
fn authors_have_pages_feeds_and_linked_bylines() {
    let site = desk();
    let out = site.build(&[]);
    out.assert_success();
    assert_links_resolve(&out.output, "https://fixture.example/");

    let index = out.page("authors/");
    assert_eq!(index.texts("#by-name tbody th a"), ["Jane Doe", "John Roe"]);

    let jane = out.page("authors/jane-doe/");
    assert_eq!(jane.texts("h1"), ["Jane Doe"]);
    assert!(jane.texts(".aka").contains(&"Defense technology reporter".to_owned()));
    assert_eq!(
        jane.attrs("link[rel=alternate][type='application/atom+xml']", "href")[1],
        "/authors/jane-doe/atom.xml",
        "autodiscovery of the author's feed"
    );
    assert_eq!(jane.hrefs(".profile-links a"), ["https://mastodon.example/@jane"]);
    // briefs_per_page is 2: Jane's three briefs take two pages; the bio
    // shows on the first only.
    assert_eq!(jane.texts(".entity-briefs .card-title").len(), 2);
    assert!(jane.texts(".prose").iter().any(|t| t.contains("Jane covers")));
    let second = out.page("authors/jane-doe/page/2/");
    assert_eq!(
        second.texts(".entity-briefs .card-title"),
        ["Pentagon Awards JEDI to Microsoft"]
    );
    assert!(second.texts(".prose").is_empty());

    let feed = out.text("authors/jane-doe/atom.xml");
    assert_eq!(feed.matches("<entry>").count(), 3, "{feed}");
    assert!(feed.contains("<name>Jane Doe and John Roe</name>"), "{feed}");

    // Bylines are linked on the brief and on every card.
    let brief = out.page("briefs/court-halts-jedi/");
    assert_eq!(
        brief.hrefs(".byline .author a"),
        ["/authors/jane-doe/", "/authors/john-roe/"]
    );
    assert_eq!(brief.texts(".byline .author"), ["By Jane Doe and John Roe"]);
    let home = out.page("");
    assert!(home.hrefs(".card-byline a").contains(&"/authors/john-roe/".to_owned()));
    // A brief without a byline still shows the site author, unlinked.
    let tag = out.page("tags/cloud-computing/");
    assert_eq!(tag.texts(".card-byline"), ["By Fixture Desk", "By Jane Doe"]);
    assert_eq!(tag.hrefs(".card-byline a"), ["/authors/jane-doe/"]);

    // JSON-LD: each author a Person with an absolute url; the author's page
    // is a Person too.
    let ld = brief.texts("script[type='application/ld+json']").join("");
    assert!(
        ld.contains(r#""author":[{"@type":"Person","name":"Jane Doe","url":"https://fixture.example/authors/jane-doe/"},{"@type":"Person","name":"John Roe","url":"https://fixture.example/authors/john-roe/"}]"#),
        "{ld}"
    );
    let ld = jane.texts("script[type='application/ld+json']").join("");
    assert!(ld.contains(r#""@type":"Person","name":"Jane Doe""#), "{ld}");
    assert!(ld.contains(r#""jobTitle":"Defense technology reporter""#), "{ld}");

    assert!(
        out.text("sitemap.xml")
            .contains("https://fixture.example/authors/jane-doe/</loc>")
    );
    assert!(out.page("").hrefs("nav.sections a").contains(&"/authors/".to_owned()));
}

#[test]
fn authors_and_contract_feeds_work_under_a_sub_path() {
    let site = desk();
    let out = site.build(&["--base-url", "https://example.github.io/briefs/"]);
    out.assert_success();
    assert_links_resolve(&out.output, "https://example.github.io/briefs/");
    let contract = out.page("contracts/jedi/");
    assert_eq!(
        contract.hrefs(".follow a"),
        ["/briefs/contracts/jedi/atom.xml"],
        "a contract has a feed, linked from its page"
    );
    let feed = out.text("contracts/jedi/atom.xml");
    assert!(
        feed.contains("<title>Fixture Briefs: Joint Enterprise Defense Infrastructure</title>"),
        "{feed}"
    );
    assert!(
        feed.contains("https://example.github.io/briefs/briefs/court-halts-jedi/"),
        "{feed}"
    );
}

#[test]
fn without_an_authors_folder_bylines_are_free_text() {
    let site = Site::fixture("site");
    site.edit(
        "content/briefs/2019-10-28-jedi-awarded.md",
        "date: 2019-10-28\n",
        "date: 2019-10-28\nauthors: [Anyone At All, Someone Else]\n",
    );
    let out = site.build(&[]);
    out.assert_success();
    assert!(!out.has("authors/index.html"));
    assert!(!out.page("").hrefs("nav.sections a").contains(&"/authors/".to_owned()));
    let brief = out.page("briefs/jedi-awarded/");
    assert_eq!(brief.texts(".byline .author"), ["By Anyone At All and Someone Else"]);
    assert!(brief.hrefs(".byline .author a").is_empty());
}

#[test]
fn a_bare_wikilink_means_the_entity_before_the_brief() {
    let site = Site::fixture("site");
    // A brief slugged `tiktok` beside a company aliased TikTok, and a brief
    // slugged `jedi` beside the contract JEDI.
    site.write(
        "content/companies/bytedance.md",
        "---\nname: ByteDance\naliases: [TikTok]\n---\nOwner of TikTok.\n",
    );
    site.write(
        "content/briefs/2020-08-01-tiktok.md",
        "---\ntitle: TikTok Talks\ndate: 2020-08-01\n---\nSee [[TikTok]], [[JEDI]], [[brief:tiktok]] and [[company:TikTok]].\n",
    );
    site.write(
        "content/briefs/2020-08-02-jedi.md",
        "---\ntitle: JEDI Again\ndate: 2020-08-02\n---\nAbout [[jedi]].\n",
    );
    let out = site.build(&[]);
    out.assert_success();
    let page = out.page("briefs/tiktok/");
    assert_eq!(
        page.hrefs(".body a"),
        [
            "/companies/bytedance/",
            "/contracts/jedi/",
            "/briefs/tiktok/",
            "/companies/bytedance/"
        ]
    );
    assert_eq!(page.texts(".body a"), ["TikTok", "JEDI", "tiktok", "TikTok"]);
    assert_eq!(out.page("briefs/jedi/").hrefs(".body a"), ["/contracts/jedi/"]);
    // The company page lists the brief that mentions it.
    assert!(
        out.page("companies/bytedance/")
            .texts(".card-title")
            .contains(&"TikTok Talks".to_owned())
    );
}

#[test]
fn two_entities_on_one_name_are_ambiguous_naming_both_files() {
    let site = desk();
    site.write(
        "content/companies/jane.md",
        "---\nname: Jane Doe\n---\nA company that shares a reporter's name.\n",
    );
    site.write(
        "content/briefs/2020-08-01-who.md",
        "---\ntitle: Who\ndate: 2020-08-01\nauthor: John Roe\n---\nFirst.\n\nAsk [[Jane Doe]]. Or [[author:J. Doe]].\n",
    );
    let out = site.build(&[]);
    out.assert_status(1);
    let d = out.diagnostic("content/briefs/2020-08-01-who.md:8:5");
    assert!(
        d.contains("wikilink 'Jane Doe' names more than one thing: the company in content/companies/jane.md and the author in content/authors/jane-doe.md"),
        "{d}"
    );
    assert!(d.contains("write one of [[company:jane]], [[author:jane-doe]]"), "{d}");
    assert_eq!(out.errors().len(), 1, "the typed link resolves: {}", out.stderr);
}
