//! Themes as an interface, and the default theme's output.
//!
//! A second, minimal theme (tests/fixtures/theme-minimal) builds the same
//! fixture site as the default theme; a site's own template overrides the
//! theme's; a template error names the template file and line. The bundled
//! example, built under a sub-path, is checked page by page for metadata
//! and accessibility basics.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::cargo::cargo_bin_cmd;
use scraper::{Html, Selector};
use tempfile::TempDir;

use crate::common::{Snapshot, run};

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/theme-minimal");
const BASE_URL: &str = "https://example.org/briefs/";

/// A copy of the fixture site in a temporary folder, to change before building.
struct Site {
    dir: TempDir,
}

impl Site {
    fn fixture() -> Site {
        let dir = TempDir::new().unwrap();
        copy_dir(Path::new(FIXTURE), dir.path());
        Site { dir }
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn write(&self, relative: &str, text: &str) -> &Site {
        let path = self.root().join(relative);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
        self
    }

    fn use_theme(&self, theme: &str) -> &Site {
        let config = self.root().join("dossier.yaml");
        let text = fs::read_to_string(&config)
            .unwrap()
            .replace("theme: minimal", &format!("theme: {theme}"));
        fs::write(config, text).unwrap();
        self
    }

    fn output(&self) -> PathBuf {
        self.root().join("public")
    }

    /// Builds the site; returns the exit code and stderr.
    fn build(&self) -> (i32, String) {
        let out = cargo_bin_cmd!("dossier")
            .arg("build")
            .arg("--root")
            .arg(self.root())
            .arg("--output")
            .arg(self.output())
            .output()
            .unwrap();
        crate::common::assert_in_writers_words(&String::from_utf8_lossy(&out.stderr));
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    fn built(&self) -> &Site {
        let (code, stderr) = self.build();
        assert_eq!(code, 0, "build failed:\n{stderr}");
        self
    }

    fn page(&self, url_path: &str) -> Html {
        let file = self.output().join(url_path.trim_start_matches('/')).join("index.html");
        Html::parse_document(&fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display())))
    }
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Every HTML file under `root`, as (path relative to root with `/`, parsed page).
fn html_pages(root: &Path) -> Vec<(String, Html)> {
    files_ending(root, ".html")
        .into_iter()
        .map(|(path, text)| (path, Html::parse_document(&text)))
        .collect()
}

fn select<'a>(page: &'a Html, css: &str) -> Vec<scraper::ElementRef<'a>> {
    page.select(&Selector::parse(css).unwrap()).collect()
}

fn text(element: &scraper::ElementRef<'_>) -> String {
    element.text().collect::<String>().trim().to_owned()
}

#[test]
fn a_minimal_theme_builds_the_same_site_as_the_default_theme() {
    let minimal = Site::fixture();
    minimal.built();
    let default = Site::fixture();
    default.use_theme("default").built();

    let pages = |site: &Site| -> BTreeSet<String> { html_pages(&site.output()).into_iter().map(|(p, _)| p).collect() };
    assert_eq!(pages(&minimal), pages(&default), "both themes render every page kind");
    assert!(pages(&minimal).contains("briefs/acme-wins-road/index.html"));

    let brief = minimal.page("/briefs/acme-wins-road/");
    assert_eq!(
        select(&brief, "body.minimal-theme").len(),
        1,
        "the minimal theme's base.html is used"
    );
    assert_eq!(
        text(&select(&brief, "p.value")[0]),
        "Road Network Cloud: $2,500,000,000"
    );
    assert!(
        minimal.output().join("minimal.css").is_file(),
        "the theme's static files are copied"
    );
    assert!(
        !minimal.output().join("style.css").exists(),
        "nothing of the default theme leaks into another theme"
    );
    let home = minimal.page("/");
    let dates: Vec<String> = select(&home, "ul.briefs time").iter().map(text).collect();
    assert_eq!(
        dates,
        ["2024-01-09", "2024-01-05"],
        "the date filter formats view dates"
    );
}

#[test]
fn a_site_template_overrides_the_theme_template_of_the_same_name() {
    let site = Site::fixture();
    site.write(
        "templates/brief.html",
        "{% extends \"base.html\" %}\n{% block main %}<h1 class=\"site-override\">{{ brief.title }}</h1>{% endblock main %}\n",
    )
    .built();
    let brief = site.page("/briefs/acme-wins-road/");
    assert_eq!(
        text(&select(&brief, "h1.site-override")[0]),
        "Acme Wins the Road Network Cloud"
    );
    assert!(
        select(&brief, "article.minimal-brief").is_empty(),
        "the theme's brief.html is not used"
    );
    assert_eq!(
        select(&site.page("/companies/acme/"), "body.minimal-theme").len(),
        1,
        "other templates still come from the theme"
    );

    let default = Site::fixture();
    default
        .use_theme("default")
        .write(
            "templates/brief.html",
            "{% extends \"base.html\" %}\n{% block main %}<h1 class=\"site-override\">{{ brief.title }}</h1>{% endblock main %}\n",
        )
        .built();
    let brief = default.page("/briefs/acme-wins-road/");
    assert_eq!(
        select(&brief, "h1.site-override").len(),
        1,
        "overrides win over the built-in theme too"
    );
    assert_eq!(select(&brief, "header.masthead").len(), 1, "and extend its base.html");
}

#[test]
fn an_undefined_variable_fails_the_build_naming_the_template_file_and_line() {
    let site = Site::fixture();
    site.write(
        "templates/brief.html",
        "{% extends \"base.html\" %}\n{% block main %}\n<h1>{{ brief.title }}</h1>\n<p>{{ brief.no_such_field }}</p>\n{% endblock main %}\n",
    );
    let (code, stderr) = site.build();
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("templates/brief.html:4"), "file and line in: {stderr}");
    assert!(stderr.contains("no_such_field"), "the variable in: {stderr}");
    assert!(!site.output().exists(), "a failed build writes nothing");

    let site = Site::fixture();
    site.write(
        "themes/minimal/templates/tag.html",
        "{% extends \"base.html\" %}\n{% block main %}{{ nope }}{% endblock main %}\n",
    );
    let (code, stderr) = site.build();
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("themes/minimal/templates/tag.html:2"),
        "file and line in: {stderr}"
    );
}

#[test]
fn a_missing_block_or_filter_says_what_to_add_or_fix() {
    // The site's own base.html drops the default theme's `head` block,
    // which the theme's other templates fill.
    let site = Site::fixture();
    site.use_theme("default").write(
        "templates/base.html",
        "<!DOCTYPE html>\n<html lang=\"en\"><head><title>{{ page.title }}</title></head>\n<body>{% block main %}{% endblock main %}</body></html>\n",
    );
    let (code, stderr) = site.build();
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("Block `head` is not defined"), "the error in: {stderr}");
    assert!(
        stderr.contains("add `{% block head %}{% endblock head %}` to the template this one extends"),
        "what to add in: {stderr}"
    );
    assert!(!stderr.contains("register the"), "no advice about filters in: {stderr}");

    let site = Site::fixture();
    site.write(
        "templates/brief.html",
        "{% extends \"base.html\" %}\n{% block main %}{{ brief.title | shout }}{% endblock main %}\n",
    );
    let (code, stderr) = site.build();
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("templates/brief.html:2"), "file and line in: {stderr}");
    assert!(
        stderr.contains("register the filter, or fix its name"),
        "what to do in: {stderr}"
    );
}

/// The bundled example, built once under a sub-path and checked page by page.
#[test]
fn every_page_of_the_bundled_example_has_sound_metadata_and_markup() {
    let out = TempDir::new().unwrap();
    let public = out.path().join("public");
    let build = cargo_bin_cmd!("dossier")
        .args([
            "build",
            "--base-url",
            BASE_URL,
            "--root",
            env!("CARGO_MANIFEST_DIR"),
            "--output",
        ])
        .arg(&public)
        .output()
        .unwrap();
    assert!(build.status.success(), "{}", String::from_utf8_lossy(&build.stderr));

    let pages = html_pages(&public);
    assert!(pages.len() > 20, "the example has all its pages: {}", pages.len());
    let mut problems = Vec::new();
    let mut redirects = 0;
    for (path, page) in &pages {
        if !select(page, "meta[http-equiv=refresh]").is_empty() {
            redirects += 1;
            problems.extend(
                redirect_is_sound(page, &pages)
                    .into_iter()
                    .map(|p| format!("{path}: {p}")),
            );
            problems.extend(
                links_stay_under_the_base_path(path, page)
                    .into_iter()
                    .map(|p| format!("{path}: {p}")),
            );
            continue;
        }
        for check in [
            one_h1,
            canonical_is_the_page_url,
            images_have_alt,
            no_inline_handlers,
            links_stay_under_the_base_path,
        ] {
            problems.extend(check(path, page).into_iter().map(|p| format!("{path}: {p}")));
        }
    }
    assert!(redirects >= 1, "the example shows a redirect from an old URL");
    problems.extend(brief_json_ld_names_its_companies(&public));
    problems.extend(company_json_ld_is_an_organization(&public));
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// The `name` attribute of every element `css` selects in `page`.
fn attrs_of(page: &Html, css: &str, name: &str) -> Vec<String> {
    select(page, css)
        .iter()
        .filter_map(|e| e.value().attr(name))
        .map(str::to_owned)
        .collect()
}

/// A redirect from an old address (`aliases:`): it leads at once to a page
/// of the example, which is its canonical link, and is kept out of indexes.
fn redirect_is_sound(page: &Html, pages: &[(String, Html)]) -> Vec<String> {
    let attr = |css: &str, name: &str| attrs_of(page, css, name);
    let mut problems = Vec::new();
    let refresh = attr("meta[http-equiv=refresh]", "content");
    let target = refresh[0].strip_prefix("0; url=/briefs/").unwrap_or_default();
    if !pages.iter().any(|(path, _)| *path == format!("{target}index.html")) {
        problems.push(format!("the refresh {refresh:?} leads to no page of the site"));
    }
    if attr("link[rel=canonical]", "href") != [format!("{BASE_URL}{target}")] {
        problems.push(format!(
            "canonical {:?} is not the page it leads to",
            attr("link[rel=canonical]", "href")
        ));
    }
    if attr("meta[name=robots]", "content") != ["noindex"] {
        problems.push("a redirect should be noindex".to_owned());
    }
    problems
}

fn one_h1(_: &str, page: &Html) -> Vec<String> {
    match select(page, "h1").len() {
        1 => vec![],
        n => vec![format!("{n} h1 elements")],
    }
}

fn page_url(path: &str) -> String {
    format!("{BASE_URL}{}", path.trim_end_matches("index.html"))
}

fn canonical_is_the_page_url(path: &str, page: &Html) -> Vec<String> {
    if path == "404.html" {
        // Served at any missing URL: no canonical, and not indexed.
        let robots = select(page, "meta[name=robots]");
        return if robots.len() == 1 && select(page, "link[rel=canonical]").is_empty() {
            vec![]
        } else {
            vec!["404.html should be noindex without a canonical link".to_owned()]
        };
    }
    let expected = page_url(path);
    let attr = |css: &str, name: &str| attrs_of(page, css, name);
    let mut problems = Vec::new();
    if attr("link[rel=canonical]", "href") != [expected.clone()] {
        problems.push(format!(
            "canonical {:?}, expected {expected}",
            attr("link[rel=canonical]", "href")
        ));
    }
    if attr("meta[property='og:url']", "content") != [expected.clone()] {
        problems.push(format!(
            "og:url {:?}, expected {expected}",
            attr("meta[property='og:url']", "content")
        ));
    }
    for required in ["og:title", "og:type", "og:site_name"] {
        if attr(&format!("meta[property='{required}']"), "content").len() != 1 {
            problems.push(format!("no {required}"));
        }
    }
    if attr("meta[name='twitter:card']", "content").len() != 1 {
        problems.push("no twitter:card".to_owned());
    }
    if path.starts_with("briefs/") {
        let og_type = attr("meta[property='og:type']", "content");
        let published = attr("meta[property='article:published_time']", "content");
        let modified = attr("meta[property='article:modified_time']", "content");
        if og_type != ["article"] || published.len() != 1 || modified.len() != 1 {
            problems.push(format!(
                "article metadata: type {og_type:?}, published {published:?}, modified {modified:?}"
            ));
        }
    }
    let feeds = attr("link[rel=alternate][type='application/atom+xml']", "href");
    let wants_own_feed = ["tags", "companies", "contracts", "authors"]
        .iter()
        .any(|section| path.starts_with(&format!("{section}/")) && path != format!("{section}/index.html"));
    let expected_feeds = if wants_own_feed { 2 } else { 1 };
    if feeds.len() != expected_feeds {
        problems.push(format!(
            "{} Atom links, expected {expected_feeds}: {feeds:?}",
            feeds.len()
        ));
    }
    problems
}

fn images_have_alt(_: &str, page: &Html) -> Vec<String> {
    select(page, "img:not([alt])")
        .iter()
        .map(|img| format!("<img> without alt: {}", img.html()))
        .collect()
}

fn no_inline_handlers(_: &str, page: &Html) -> Vec<String> {
    let mut problems = Vec::new();
    for element in select(page, "*") {
        for (name, _) in element.value().attrs() {
            if name.to_ascii_lowercase().starts_with("on") {
                problems.push(format!("inline handler {name} on <{}>", element.value().name()));
            }
        }
    }
    for a in select(page, "a[href]") {
        let href = a.value().attr("href").unwrap_or_default().trim().to_ascii_lowercase();
        if href.starts_with("javascript:") {
            problems.push(format!("javascript: link {href}"));
        }
    }
    problems
}

/// Root-relative links must carry the base path, so pages work under a
/// GitHub Pages project sub-path; 404.html, served at any depth, has no
/// document-relative links at all.
fn links_stay_under_the_base_path(path: &str, page: &Html) -> Vec<String> {
    let base_path = "/briefs/";
    let mut problems = Vec::new();
    for (css, attr) in [("[href]", "href"), ("[src]", "src")] {
        for element in select(page, css) {
            let url = element.value().attr(attr).unwrap_or_default();
            let local = !url.contains("://") && !url.starts_with('#') && !url.starts_with("mailto:");
            let root_relative = url.starts_with('/');
            if local && (root_relative || path == "404.html") && !url.starts_with(base_path) {
                problems.push(format!("{attr}=\"{url}\" is not under {base_path}"));
            }
            if url.starts_with("http") && !url.starts_with(BASE_URL) && element.value().name() == "a" {
                let rel = element.value().attr("rel").unwrap_or_default();
                if !(rel.contains("noopener") && rel.contains("noreferrer")) && element.value().attr("target").is_some()
                {
                    problems.push(format!(
                        "external link {url} opens a new tab without rel=noopener noreferrer"
                    ));
                }
            }
        }
    }
    problems
}

fn json_ld(page: &Html) -> Result<serde_json::Value, String> {
    let scripts = select(page, "script[type='application/ld+json']");
    let [script] = scripts.as_slice() else {
        return Err(format!("{} JSON-LD blocks", scripts.len()));
    };
    serde_json::from_str(&script.inner_html()).map_err(|e| format!("JSON-LD does not parse: {e}"))
}

fn brief_json_ld_names_its_companies(public: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    let briefs = html_pages(&public.join("briefs"));
    assert!(!briefs.is_empty());
    for (path, page) in &briefs {
        let value = match json_ld(page) {
            Ok(v) => v,
            Err(e) => {
                problems.push(format!("briefs/{path}: {e}"));
                continue;
            }
        };
        let about: BTreeSet<&str> = value["about"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|o| o["@type"] == "Organization")
            .filter_map(|o| o["name"].as_str())
            .collect();
        let chips: Vec<String> = select(page, ".brief-head a.chip-company").iter().map(text).collect();
        let chips: BTreeSet<&str> = chips.iter().map(String::as_str).collect();
        if value["@type"] != "NewsArticle" || about != chips {
            problems.push(format!(
                "briefs/{path}: JSON-LD {} about {about:?}, the page names {chips:?}",
                value["@type"]
            ));
        }
        let h1 = select(page, "h1").first().map(text).unwrap_or_default();
        if value["headline"].as_str() != Some(h1.as_str()) {
            problems.push(format!(
                "briefs/{path}: JSON-LD headline {} is not the h1 {h1:?}",
                value["headline"]
            ));
        }
    }
    let known = Html::parse_document(
        &fs::read_to_string(public.join("briefs/microsoft-foreign-government-cloud/index.html")).unwrap(),
    );
    let about = json_ld(&known).unwrap()["about"].to_string();
    for company in ["Microsoft", "Amazon Web Services", "ByteDance"] {
        if !about.contains(&format!("\"{company}\"")) {
            problems.push(format!(
                "microsoft-foreign-government-cloud: JSON-LD about lacks {company}: {about}"
            ));
        }
    }
    problems
}

fn company_json_ld_is_an_organization(public: &Path) -> Vec<String> {
    let page = Html::parse_document(&fs::read_to_string(public.join("companies/microsoft/index.html")).unwrap());
    match json_ld(&page) {
        Ok(v) if v["@type"] == "Organization" && v["name"] == "Microsoft" => vec![],
        Ok(v) => vec![format!("companies/microsoft: JSON-LD is {v}")],
        Err(e) => vec![format!("companies/microsoft: {e}")],
    }
}

/// Every file under `root` ending in `suffix`, by relative path, with its text.
fn files_ending(root: &Path, suffix: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.to_string_lossy().ends_with(suffix) {
                let relative = path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
                found.push((relative, fs::read_to_string(&path).unwrap()));
            }
        }
    }
    found.sort();
    found
}

#[test]
fn feeds_and_sitemap_are_the_builtin_templates_output_and_a_site_can_override_them() {
    let site = Site::fixture();
    site.built();
    let written = files_ending(&site.output(), ".xml");
    assert!(written.iter().any(|(p, _)| p == "atom.xml"), "{written:?}");
    assert!(
        written
            .iter()
            .any(|(p, _)| p.starts_with("tags/") && p.ends_with("/atom.xml"))
    );
    assert!(written.iter().any(|(p, _)| p == "sitemap.xml"));

    // The same templates as the site's own: rendered by Tera, not written
    // by dossier's built-in writers, and byte for byte the same.
    let builtin = concat!(env!("CARGO_MANIFEST_DIR"), "/src/render/builtin/");
    site.write(
        "templates/atom.xml",
        &fs::read_to_string(format!("{builtin}atom.xml")).unwrap(),
    )
    .write(
        "templates/sitemap.xml",
        &fs::read_to_string(format!("{builtin}sitemap.xml")).unwrap(),
    )
    .built();
    let rendered = files_ending(&site.output(), ".xml");
    assert_eq!(rendered.len(), written.len());
    for ((path, by_writer), (_, by_template)) in written.iter().zip(&rendered) {
        assert_eq!(by_writer, by_template, "{path}");
    }

    site.write(
        "templates/atom.xml",
        "<feed>{{ feed.title }}: {{ feed.entries | length }}</feed>\n",
    )
    .write("templates/sitemap.xml", "<urlset>{{ entries | length }}</urlset>\n")
    .built();
    let overridden = files_ending(&site.output(), ".xml");
    for (path, text) in &overridden {
        let expected = if path == "sitemap.xml" { "<urlset>" } else { "<feed>" };
        assert!(text.starts_with(expected), "{path}: {text}");
    }
}

/// `dossier theme eject` writes every template a theme may override, each
/// of dossier's built-in ones (`src/render/builtin/`) too; the bundled
/// example then builds from the ejected files, to the same bytes.
#[test]
fn theme_eject_writes_every_template_a_theme_may_override_and_the_build_uses_them() {
    let dir = TempDir::new().unwrap();
    let site = dir.path().join("site");
    let repository = Path::new(env!("CARGO_MANIFEST_DIR"));
    copy_dir(&repository.join("content"), &site.join("content"));
    fs::copy(repository.join("dossier.yaml"), site.join("dossier.yaml")).unwrap();
    let public = site.join("public");
    let build = || {
        let output = public.to_str().unwrap();
        run(&site, "build", &["--output", output], public.clone()).assert_success();
        Snapshot::of(&public)
    };
    let before = build();

    let ejected = cargo_bin_cmd!("dossier")
        .args(["theme", "eject", "--root"])
        .arg(&site)
        .output()
        .unwrap();
    assert!(ejected.status.success(), "{}", String::from_utf8_lossy(&ejected.stderr));
    let templates = site.join("themes/default/templates");
    let builtin: Vec<(String, String)> = files_ending(&repository.join("src/render/builtin"), "");
    assert!(builtin.len() >= 4, "{builtin:?}");
    for (name, text) in &builtin {
        let copy = fs::read_to_string(templates.join(name)).unwrap_or_else(|e| panic!("{name} is not ejected: {e}"));
        assert_eq!(&copy, text, "{name} is the built-in template");
    }
    build().assert_same_as(&before, "the ejected theme builds the example to the same bytes");

    // Each ejected copy is the one the build uses.
    let edit = |name: &str, from: &str, to: &str| {
        let path = templates.join(name);
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{name}: {from}");
        fs::write(&path, text.replacen(from, to, 1)).unwrap();
    };
    let declaration = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n";
    edit("atom.xml", declaration, &format!("{declaration}<!-- ejected -->\n"));
    edit("sitemap.xml", declaration, &format!("{declaration}<!-- ejected -->\n"));
    edit("redirect.html", "<p>", "<p data-ejected>");
    edit("card.svg", "fill=\"#fbfaf7\"", "fill=\"#ffffff\"");
    build();
    let output = |relative: &str| fs::read_to_string(public.join(relative)).unwrap();
    assert!(output("atom.xml").contains("<!-- ejected -->"), "atom.xml");
    assert!(output("sitemap.xml").contains("<!-- ejected -->"), "sitemap.xml");
    let redirects: Vec<(String, String)> = files_ending(&public, ".html")
        .into_iter()
        .filter(|(_, html)| html.contains("http-equiv=\"refresh\""))
        .collect();
    assert!(!redirects.is_empty(), "the example has a redirect");
    for (path, html) in &redirects {
        assert!(html.contains("<p data-ejected>"), "{path}");
    }
    let og_image = |html: &str| attrs_of(&Html::parse_document(html), "meta[property='og:image']", "content");
    let brief = "briefs/jedi-cancelled-jwcc/index.html";
    let card_before = og_image(std::str::from_utf8(before.files().find(|(p, _)| *p == brief).unwrap().1).unwrap());
    assert_ne!(
        og_image(&output(brief)),
        card_before,
        "the social card is drawn from the ejected card.svg"
    );
}
