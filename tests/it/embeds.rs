//! Embeds (SPEC §3, issue 16): a provider's video or document written as an
//! image becomes a click-to-load placeholder with no third-party request and
//! no `<iframe>` in any page; a local PDF becomes a document card whose
//! download is published once under `/media/`. Bad embeds fail the build at
//! their `path:line:col` and leave the previous output as it was.

use crate::common::{Site, Snapshot, assert_links_resolve};

const BRIEF: &str = "content/briefs/2021-01-01-embeds.md";
const OTHER: &str = "content/briefs/2021-01-02-again.md";
/// A tiny file that starts like a PDF, which is all dossier checks.
const PDF: &[u8] = b"%PDF-1.4\n% dossier test\n%%EOF\n";

/// The fixture site with a brief whose body (from line 6) is `body`.
fn site_with(body: &str) -> Site {
    let site = Site::fixture("site");
    site.write(
        BRIEF,
        &format!("---\ntitle: Embeds\ndate: 2021-01-01\nslug: embeds\n---\n{body}"),
    );
    site
}

fn write_pdf(site: &Site, relative: &str, bytes: &[u8]) {
    let path = site.path(relative);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn a_video_is_a_placeholder_and_no_page_has_an_iframe() {
    let site = site_with(
        "Intro.\n\n![Hearing on JEDI](https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=1m5s)\n\n![Talk](https://player.vimeo.com/video/76979871)\n",
    );
    let out = site.build(&[]);
    out.assert_success();
    let page = out.page("briefs/embeds/");
    assert_eq!(
        page.attrs("figure.embed-youtube a.embed-link", "href"),
        ["https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=65s"]
    );
    assert_eq!(
        page.attrs("figure.embed-youtube a.embed-link", "data-embed"),
        ["https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?start=65"]
    );
    assert_eq!(
        page.attrs("figure.embed-vimeo a.embed-link", "data-embed"),
        ["https://player.vimeo.com/video/76979871"]
    );
    assert_eq!(page.attrs("script[src]", "src"), ["/embed.js"]);
    assert!(out.has("embed.js"));
    for (path, bytes) in Snapshot::of(&site.public()).files() {
        let text = String::from_utf8_lossy(bytes).to_ascii_lowercase();
        if path.ends_with(".html") || path.ends_with(".xml") {
            assert!(!text.contains("<iframe") && !text.contains("&lt;iframe"), "{path}");
            assert!(!text.contains("src=\"https://www.youtube"), "{path} loads from YouTube");
        }
    }
}

/// `embed.js` is linked from the pages whose own body has a player (a
/// brief's, a company's, a free page's), under the base path; not from a
/// brief with only a document card, nor from the pages that list them.
#[test]
fn only_a_page_with_an_embed_links_the_script() {
    let site = site_with("Intro.\n\n![Hearing](https://youtu.be/dQw4w9WgXcQ)\n");
    site.write(
        OTHER,
        "---\ntitle: Again\ndate: 2021-01-02\nslug: again\n---\n![The filing](filing.pdf)\n",
    );
    write_pdf(&site, "content/briefs/filing.pdf", PDF);
    site.edit(
        "content/pages/about.md",
        "A test desk.",
        "A test desk.\n\n![Talk](https://vimeo.com/76979871)\n\n",
    );
    site.edit(
        "content/companies/microsoft.md",
        "Microsoft sells",
        "![Filing](https://www.documentcloud.org/documents/20059464-jedi-protest-decision)\n\nMicrosoft sells",
    );
    let out = site.build(&["--base-url", "https://fixture.example/repo/"]);
    out.assert_success();
    let scripts = |path: &str| out.page(path).attrs("script[src$='embed.js']", "src");
    for path in ["briefs/embeds/", "about/", "companies/microsoft/"] {
        assert_eq!(scripts(path), ["/repo/embed.js"], "{path} has an embed");
    }
    for path in [
        "briefs/again/",
        "",
        "companies/",
        "contracts/jedi/",
        "tags/",
        "404.html",
    ] {
        assert!(scripts(path).is_empty(), "{path} has no embed: {:?}", scripts(path));
    }
    assert!(out.has("embed.js"), "the theme's script is still published");
}

/// A PDF beside the briefs is copied once under `/media/`, however many
/// briefs embed it; one under `static/` is published where it is, as every
/// static file is, and linked there, not copied (nor is a PDF with its bytes).
#[test]
fn a_pdf_is_published_once_and_its_link_resolves_under_a_sub_path() {
    const ORDER: &[u8] = b"%PDF-1.7\n% the court's order\n%%EOF\n";
    for base_url in ["https://fixture.example/", "https://fixture.example/repo/"] {
        let site = site_with(
            "![The filing](filing.pdf)\n\nText.\n\n![The order](/docs/order.pdf)\n\n![A copy of the order](order-copy.pdf)\n",
        );
        write_pdf(&site, "content/briefs/filing.pdf", PDF);
        write_pdf(&site, "static/docs/order.pdf", ORDER);
        write_pdf(&site, "content/briefs/order-copy.pdf", ORDER);
        site.write(
            OTHER,
            "---\ntitle: Again\ndate: 2021-01-02\n---\n![Same filing](filing.pdf)\n",
        );
        let out = site.build(&["--base-url", base_url]);
        out.assert_success();
        let pdfs: Vec<String> = Snapshot::of(&site.public())
            .paths()
            .filter(|p| p.ends_with(".pdf"))
            .map(str::to_owned)
            .collect();
        assert_eq!(pdfs.len(), 2, "each PDF's bytes once: {pdfs:?}");
        let media = pdfs
            .iter()
            .find(|p| p.starts_with("media/"))
            .expect("the filing under /media/");
        assert_eq!(std::fs::read(out.file(media)).unwrap(), PDF);
        assert_eq!(std::fs::read(out.file("docs/order.pdf")).unwrap(), ORDER);
        let path = base_url.strip_prefix("https://fixture.example").unwrap();
        let page = out.page("briefs/embeds/");
        assert_eq!(
            page.hrefs("figure.document a.document-link"),
            [
                format!("{path}{media}"),
                format!("{path}docs/order.pdf"),
                format!("{path}docs/order.pdf")
            ]
        );
        assert_eq!(
            page.texts("figure.document .document-meta"),
            [
                "Download PDF, 30 bytes",
                "Download PDF, 35 bytes",
                "Download PDF, 35 bytes"
            ]
        );
        assert_eq!(
            out.page("briefs/again/").hrefs("figure.document a.document-link"),
            [format!("{path}{media}")]
        );
        assert_links_resolve(&site.public(), base_url);
    }
}

#[test]
fn bad_embeds_fail_at_their_place_and_keep_the_last_output() {
    let site = site_with("Intro.\n");
    site.build(&[]).assert_success();
    let before = Snapshot::of(&site.public());
    write_pdf(&site, "content/briefs/fake.pdf", b"<html>not a pdf</html>");
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.pdf"), PDF).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(outside.path().join("secret.pdf"), site.path("content/briefs/leak.pdf")).unwrap();
    site.write(
        BRIEF,
        "---\ntitle: Embeds\ndate: 2021-01-01\nslug: embeds\n---\nIntro.\n\n\
         ![Trending](https://www.youtube.com/feed/trending)\n\n\
         ![Channel](https://vimeo.com/channels/staffpicks)\n\n\
         ![App](https://www.documentcloud.org/app)\n\n\
         ![Missing](missing.pdf)\n\n\
         ![Fake](fake.pdf)\n\n\
         ![Up](../../secret.pdf)\n\n\
         ![Leak](leak.pdf)\n",
    );
    let out = site.build(&[]);
    out.assert_status(1);
    let at = |line: usize| format!("{BRIEF}:{line}:1");
    for (line, words) in [
        (8, "YouTube link of no shape dossier can embed"),
        (10, "Vimeo link of no shape"),
        (12, "DocumentCloud link of no shape"),
        (14, "no PDF at content/briefs/missing.pdf"),
        (16, "is not a PDF"),
        (18, "climbs out of its folder"),
    ] {
        let d = out.diagnostic(&at(line));
        assert!(d.contains(words) && d.contains("help:"), "{d}");
    }
    #[cfg(unix)]
    assert!(out.diagnostic(&at(20)).contains("outside the site"));
    before.assert_unchanged(&site.public());
}
