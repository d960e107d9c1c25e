//! The built-in `atom.xml` and `sitemap.xml`, written without Tera.
//!
//! A theme or site may override either template (see `theme.rs`); when it
//! does not, these writers make exactly the bytes the built-in templates in
//! `builtin/` would render (the tests below render both and compare), at a
//! fraction of the cost of interpreting the templates (BENCHMARKS.md,
//! "Figures behind design choices"). The templates stay the reference, and
//! the starting point for a theme's own.

use std::io::{self, Write};

use super::templates::escape_text;
use super::views::FeedView;

/// The site-wide fields a feed shows.
pub(super) struct FeedSite<'a> {
    /// `site.language`.
    pub language: &'a str,
    /// `site.description`.
    pub description: &'a str,
    /// `site.author`.
    pub author: Option<&'a str>,
    /// `site.title`.
    pub title: &'a str,
}

/// What `builtin/atom.xml` renders for `feed`.
pub(super) fn atom(site: &FeedSite<'_>, feed: &FeedView<'_>, out: &mut Vec<u8>) -> io::Result<()> {
    out.extend_from_slice(b"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    let feed_open = b"<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"";
    text(out, feed_open, site.language, b"\">\n")?;
    text(out, b"  <title>", &feed.title, b"</title>\n  ")?;
    if !site.description.is_empty() {
        text(out, b"<subtitle>", site.description, b"</subtitle>")?;
    }
    let self_link = b"\n  <link rel=\"self\" type=\"application/atom+xml\" href=\"";
    text(out, self_link, &feed.self_url, b"\"/>")?;
    let alternate = b"\n  <link rel=\"alternate\" type=\"text/html\" href=\"";
    text(out, alternate, &feed.alternate_url, b"\"/>")?;
    text(out, b"\n  <id>", &feed.self_url, b"</id>")?;
    text(out, b"\n  <updated>", &feed.updated, b"</updated>")?;
    out.extend_from_slice(b"\n  <generator uri=\"https://github.com/dossier-ssg/dossier\">dossier</generator>");
    for entry in &feed.entries {
        let card = &entry.card;
        text(out, b"\n  <entry>\n    <title>", card.title, b"</title>")?;
        let link = b"\n    <link rel=\"alternate\" type=\"text/html\" href=\"";
        text(out, link, &card.permalink, b"\"/>")?;
        text(out, b"\n    <id>", &card.permalink, b"</id>")?;
        text(out, b"\n    <published>", &card.date.rfc3339, b"</published>")?;
        text(out, b"\n    <updated>", &entry.updated, b"</updated>")?;
        // `entry.brief.author or site.author or site.title`: the first
        // non-empty one, else the title.
        let author = [card.author.as_deref(), site.author]
            .into_iter()
            .flatten()
            .find(|a| !a.is_empty())
            .unwrap_or(site.title);
        text(out, b"\n    <author><name>", author, b"</name></author>")?;
        for tag in &card.tags {
            text(out, b"\n    <category term=\"", tag.name, b"\"/>")?;
        }
        if !card.summary.is_empty() {
            text(out, b"\n    <summary>", card.summary, b"</summary>")?;
        }
        if !entry.content.is_empty() {
            text(out, b"\n    <content type=\"html\">", entry.content, b"</content>")?;
        }
        out.extend_from_slice(b"\n  </entry>");
    }
    out.write_all(b"\n</feed>\n")
}

/// What `builtin/sitemap.xml` renders, written one URL at a time: a
/// site's every page needs no list of entries first.
pub(super) struct Sitemap<'o> {
    out: &'o mut Vec<u8>,
}

impl<'o> Sitemap<'o> {
    /// Starts a sitemap of about `urls` URLs in `out`.
    pub(super) fn start(out: &'o mut Vec<u8>, urls: usize) -> Sitemap<'o> {
        out.reserve(urls * 100);
        out.extend_from_slice(
            b"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">",
        );
        Sitemap { out }
    }

    /// One URL, given as the pieces of its text, with the day it last
    /// changed (`YYYY-MM-DD`) if known.
    pub(super) fn url(&mut self, loc: &[&str], lastmod: Option<&str>) -> io::Result<()> {
        self.out.extend_from_slice(b"\n  <url>\n    <loc>");
        for piece in loc {
            escape_text(piece, self.out)?;
        }
        self.out.extend_from_slice(b"</loc>");
        if let Some(lastmod) = lastmod.filter(|l| !l.is_empty()) {
            text(self.out, b"\n    <lastmod>", lastmod, b"</lastmod>")?;
        }
        self.out.extend_from_slice(b"\n  </url>");
        Ok(())
    }

    /// Closes the sitemap.
    pub(super) fn finish(self) -> io::Result<()> {
        self.out.write_all(b"\n</urlset>\n")
    }
}

/// `before`, then `value` escaped as the templates escape it, then `after`.
fn text(out: &mut Vec<u8>, before: &[u8], value: &str, after: &[u8]) -> io::Result<()> {
    out.extend_from_slice(before);
    escape_text(value, out)?;
    out.extend_from_slice(after);
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde::Serialize;
    use tera::{Context, Tera};

    use super::*;
    use crate::render::views::{BriefCard, Cached, DateView, FeedEntry, LinkView, Shared, SitemapEntry};

    /// What `builtin/sitemap.xml` renders for `entries`.
    fn sitemap(entries: &[SitemapEntry], out: &mut Vec<u8>) -> io::Result<()> {
        let mut sitemap = Sitemap::start(out, entries.len());
        for entry in entries {
            sitemap.url(&[&entry.loc], entry.lastmod.as_deref())?;
        }
        sitemap.finish()
    }

    /// The built-in templates, compiled as `render::compile` compiles them.
    fn tera() -> Tera {
        let mut tera = Tera::default();
        tera.set_escape_fn(escape_text);
        tera.add_raw_templates([
            ("atom.xml", include_str!("builtin/atom.xml")),
            ("sitemap.xml", include_str!("builtin/sitemap.xml")),
        ])
        .unwrap();
        tera
    }

    #[derive(Serialize)]
    struct SiteFields<'a> {
        language: &'a str,
        description: &'a str,
        author: Option<&'a str>,
        title: &'a str,
    }

    fn card<'a>(title: &'a str, author: Option<&'a str>, summary: &'a str, tags: &[&'a str]) -> BriefCard<'a> {
        BriefCard {
            title,
            slug: "a-brief",
            url: "/briefs/a-brief/".to_owned(),
            permalink: "https://example.com/briefs/a-brief/?x=1&y=\"2\"".to_owned(),
            date: DateView {
                iso: "2020-08-18".to_owned(),
                rfc3339: "2020-08-18T00:00:00Z".to_owned(),
                display: "August 18, 2020".to_owned(),
            },
            updated: None,
            scheduled: false,
            summary,
            author: author.map(std::borrow::Cow::Borrowed),
            authors: Vec::new(),
            companies: Vec::new(),
            contracts: Vec::new(),
            tags: tags
                .iter()
                .map(|name| LinkView {
                    name,
                    url: format!("/tags/{name}/"),
                })
                .collect(),
            thumb: None,
        }
    }

    fn both_ways(site: &FeedSite<'_>, cards: &[BriefCard<'_>], contents: &[&str]) -> (String, String) {
        let cached: Vec<Cached> = cards.iter().map(|c| Cached::new(c, false)).collect();
        let feed = FeedView {
            title: "Briefs: <defense> & \"space\"".to_owned(),
            self_url: "https://example.com/tags/defense/atom.xml".to_owned(),
            alternate_url: "https://example.com/tags/defense/".to_owned(),
            updated: "2021-01-02T00:00:00Z".to_owned(),
            entries: cards
                .iter()
                .zip(&cached)
                .zip(contents)
                .map(|((card, value), content)| FeedEntry {
                    brief: Shared::new(value),
                    card: std::borrow::Cow::Borrowed(card),
                    updated: "2021-01-02T00:00:00Z".to_owned(),
                    content,
                })
                .collect(),
        };
        let mut context = Context::new();
        context.insert(
            "site",
            &SiteFields {
                language: site.language,
                description: site.description,
                author: site.author,
                title: site.title,
            },
        );
        context.insert("feed", &feed);
        let by_template = tera().render("atom.xml", &context).unwrap();
        let mut written = Vec::new();
        atom(site, &feed, &mut written).unwrap();
        (by_template, String::from_utf8(written).unwrap())
    }

    #[test]
    fn atom_is_what_the_builtin_template_renders() {
        let sites = [
            FeedSite {
                language: "en",
                description: "Defense <and> space",
                author: Some("The Desk"),
                title: "Briefs",
            },
            FeedSite {
                language: "fr",
                description: "",
                author: None,
                title: "Dossiers & notes",
            },
            FeedSite {
                language: "en",
                description: "",
                author: Some(""),
                title: "",
            },
        ];
        let cards = [
            card(
                "JEDI: <$10B> & \"more\"",
                Some("Ana O'Neil"),
                "Why it matters.",
                &["defense", "cloud"],
            ),
            card("No author, no summary", None, "", &[]),
            card("Empty author", Some(""), "Tabs\tand\nbreaks stay", &["a&b"]),
        ];
        let contents = ["<p>Body &amp; <em>more</em></p>", "", "<p>x</p>\n"];
        for site in &sites {
            let (expected, written) = both_ways(site, &cards, &contents);
            assert_eq!(written, expected);
            let (expected, written) = both_ways(site, &[], &[]);
            assert_eq!(written, expected);
        }
    }

    #[test]
    fn sitemap_is_what_the_builtin_template_renders() {
        #[derive(Serialize)]
        struct Page<'a> {
            entries: &'a [SitemapEntry],
        }
        let entry = |loc: &str, lastmod: Option<&str>| SitemapEntry {
            loc: loc.to_owned(),
            lastmod: lastmod.map(str::to_owned),
        };
        let lists = [
            vec![],
            vec![
                entry("https://example.com/", Some("2020-08-18")),
                entry("https://example.com/briefs/a/?q=1&r=<2>", Some("2020-08-19")),
                entry("https://example.com/tags/x/", None),
                entry("https://example.com/tags/y/", Some("")),
            ],
        ];
        for entries in &lists {
            let expected = tera()
                .render("sitemap.xml", &Context::from_serialize(&Page { entries }).unwrap())
                .unwrap();
            let mut written = Vec::new();
            sitemap(entries, &mut written).unwrap();
            assert_eq!(String::from_utf8(written).unwrap(), expected);
        }
    }
}
