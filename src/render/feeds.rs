//! Atom feeds (the site's, with full content, and one per tag, company,
//! contract and author)
//! and the sitemap. While the theme keeps the built-in `atom.xml` and
//! `sitemap.xml`, they are written without Tera ([`super::builtin`]),
//! byte for byte what the templates would make.

use std::fmt::Write as _;

use serde::Serialize;

use crate::model::{Authors, BriefId, Catalog, Companies, Contracts, EntityKind, TagId};
use crate::routes::UrlPath;

use super::builtin;
use super::renderer::{PageResult, Renderer};
use super::views::{FeedEntry, FeedView, SitemapEntry};

#[derive(Serialize)]
struct FeedPage<'a> {
    feed: FeedView<'a>,
}

#[derive(Serialize)]
struct SitemapPage {
    entries: Vec<SitemapEntry>,
}

impl Renderer<'_> {
    /// `atom.xml`: the newest briefs with their bodies.
    pub(super) fn site_feed(&self) -> PageResult {
        let config = &self.site.config;
        let ids: Vec<BriefId> = (0..self.site.catalog.briefs.len().min(config.feed_limit.get()))
            .map(BriefId::new)
            .collect();
        self.feed(&UrlPath::home(), config.title.clone(), &ids, true)
    }

    /// `tags/<slug>/atom.xml`.
    pub(super) fn tag_feed(&self, tag: TagId) -> PageResult {
        let t = &self.site.catalog.tags[tag.index()];
        let title = format!("{}: {}", self.site.config.title, t.name);
        let briefs = &self.cards.graph().tag_briefs[tag.index()];
        self.feed(&UrlPath::tag(&t.slug), title, briefs, false)
    }

    /// `<plural>/<slug>/atom.xml`: the briefs of an entity of a kind with
    /// feeds ([`crate::model::Kind::has_feed`]).
    pub(super) fn entity_feed<K: EntityKind>(&self, index: usize) -> PageResult {
        let e = &K::all(&self.site.catalog)[index];
        let title = format!("{}: {}", self.site.config.title, e.name);
        let briefs = K::briefs(self.cards.graph(), index);
        self.feed(&UrlPath::entity(K::KIND.plural(), &e.slug), title, briefs, false)
    }

    /// An Atom feed of `ids` (newest first, at most `feed_limit`) in `folder`.
    fn feed(&self, folder: &UrlPath, title: String, ids: &[BriefId], full_content: bool) -> PageResult {
        let site = self.site;
        let limit = site.config.feed_limit.get();
        let entries: Vec<FeedEntry> = ids
            .iter()
            .take(limit)
            .map(|id| {
                let b = self.cards.model(*id);
                let latest = std::iter::once(&b.date)
                    .chain(&b.updated)
                    .chain(b.corrections.iter().map(|c| &c.date))
                    .max()
                    .unwrap_or(&b.date);
                FeedEntry {
                    brief: self.cards.brief(*id),
                    card: self.cards.card(*id),
                    updated: latest.rfc3339(),
                    content: if full_content { self.brief_html_read(*id) } else { "" },
                }
            })
            .collect();
        let updated = entries
            .iter()
            .map(|e| e.updated.as_str())
            .max()
            .unwrap_or("1970-01-01T00:00:00Z")
            .to_owned();
        let path = UrlPath::feed_in(folder);
        let view = FeedView {
            title,
            self_url: self.base().abs_url(&path),
            alternate_url: self.base().abs_url(folder),
            updated,
            entries,
        };
        let page = FeedPage { feed: view };
        if !self.builtin_atom {
            return self.page("atom.xml", &path, &page);
        }
        let c = &site.config;
        let feed_site = builtin::FeedSite {
            language: &c.language,
            description: &c.description,
            author: c.author.as_deref(),
            title: &c.title,
        };
        self.emit("atom.xml", &path, &page, |xml| {
            Ok(builtin::atom(&feed_site, &page.feed, xml)?)
        })
    }

    /// `sitemap.xml`: every page of the site.
    pub(super) fn sitemap(&self) -> PageResult {
        let path = UrlPath::fixed("sitemap.xml");
        let base = self.base();
        let urls = self.site.catalog.briefs.len() + 1;
        if !self.builtin_sitemap {
            let mut entries = Vec::with_capacity(urls);
            self.each_sitemap_url(|site_path, lastmod| {
                entries.push(SitemapEntry {
                    loc: [base.origin(), base.path(), site_path].concat(),
                    lastmod: lastmod.map(str::to_owned),
                });
            });
            return self.page("sitemap.xml", &path, &SitemapPage { entries });
        }
        let mut xml = Vec::new();
        let mut sitemap = builtin::Sitemap::start(&mut xml, urls);
        let mut written = Ok(());
        self.each_sitemap_url(|site_path, lastmod| {
            if written.is_ok() {
                written = sitemap.url(&[base.origin(), base.path(), site_path], lastmod);
            }
        });
        written
            .and_then(|()| sitemap.finish())
            .map_err(|e| self.page_error("sitemap.xml", &path, e.into()))?;
        self.emit_written("sitemap.xml", &path, xml)
    }

    /// Calls `each` with the site path of every page of the sitemap, in
    /// order, and the day it last changed (`YYYY-MM-DD`) where known: the
    /// home page's is its newest brief's date, a brief's its update's.
    fn each_sitemap_url(&self, mut each: impl FnMut(&str, Option<&str>)) {
        let c = &self.site.catalog;
        let home = c.briefs.first().map(|b| b.date.day().to_string());
        each(UrlPath::home().as_str(), home.as_deref());
        let (mut page, mut day) = (String::new(), String::new());
        for i in 0..c.briefs.len() {
            let b = self.cards.model(BriefId::new(i));
            day.clear();
            // Writing to a String cannot fail.
            let _ = write!(day, "{}", b.updated.as_ref().unwrap_or(&b.date).day());
            UrlPath::brief_into(&b.slug, &mut page);
            each(&page, Some(&day));
        }
        let others = (entity_paths::<Companies>(c))
            .chain(entity_paths::<Contracts>(c))
            .chain(entity_paths::<Authors>(c))
            .chain(c.tags.iter().map(|x| UrlPath::tag(&x.slug)))
            .chain(c.pages.iter().map(|x| UrlPath::page(&x.slug)))
            .chain(["companies/", "contracts/", "tags/"].map(UrlPath::fixed))
            .chain((!c.authors.is_empty()).then(|| UrlPath::fixed("authors/")));
        for path in others {
            each(path.as_str(), None);
        }
    }
}

/// The page of every entity of kind `K`, in id order.
fn entity_paths<K: EntityKind>(catalog: &Catalog) -> impl Iterator<Item = UrlPath> + '_ {
    K::all(catalog)
        .iter()
        .map(|e| UrlPath::entity(K::KIND.plural(), &e.slug))
}
