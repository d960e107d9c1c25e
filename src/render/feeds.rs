//! Atom feeds (the site's, with full content, and one per tag, company,
//! contract and author)
//! and the sitemap. While the theme keeps the built-in `atom.xml` and
//! `sitemap.xml`, they are written without Tera ([`super::builtin`]),
//! byte for byte what the templates would make.

use serde::Serialize;

use crate::model::{Authors, BriefId, Catalog, Companies, Contracts, EntityKind, Owner, TagId};
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
                    content: if full_content {
                        &self.body(Owner::Brief(*id)).html
                    } else {
                        ""
                    },
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
        let site = self.site;
        let c = &site.catalog;
        let base = self.base();
        let entry = |path: UrlPath, lastmod: Option<String>| SitemapEntry {
            loc: base.abs_url(&path),
            lastmod,
        };
        let mut entries = vec![entry(
            UrlPath::home(),
            c.briefs.first().map(|b| b.date.day().to_string()),
        )];
        entries.extend((0..c.briefs.len()).map(|i| {
            let b = self.cards.model(BriefId::new(i));
            entry(
                UrlPath::brief(&b.slug),
                Some(b.updated.as_ref().unwrap_or(&b.date).day().to_string()),
            )
        }));
        entries.extend(entity_paths::<Companies>(c).map(|p| entry(p, None)));
        entries.extend(entity_paths::<Contracts>(c).map(|p| entry(p, None)));
        entries.extend(entity_paths::<Authors>(c).map(|p| entry(p, None)));
        entries.extend(c.tags.iter().map(|x| entry(UrlPath::tag(&x.slug), None)));
        entries.extend(c.pages.iter().map(|x| entry(UrlPath::page(&x.slug), None)));
        entries.extend(["companies/", "contracts/", "tags/"].map(|p| entry(UrlPath::fixed(p), None)));
        if !c.authors.is_empty() {
            entries.push(entry(UrlPath::fixed("authors/"), None));
        }
        let path = UrlPath::fixed("sitemap.xml");
        let page = SitemapPage { entries };
        if !self.builtin_sitemap {
            return self.page("sitemap.xml", &path, &page);
        }
        self.emit("sitemap.xml", &path, &page, |xml| {
            Ok(builtin::sitemap(&page.entries, xml)?)
        })
    }
}

/// The page of every entity of kind `K`, in id order.
fn entity_paths<K: EntityKind>(catalog: &Catalog) -> impl Iterator<Item = UrlPath> + '_ {
    K::all(catalog)
        .iter()
        .map(|e| UrlPath::entity(K::KIND.plural(), &e.slug))
}
