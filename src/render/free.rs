//! Pages outside the news: free pages (`page.html`, about, methodology) and
//! the 404 page.

use serde::Serialize;

use crate::markdown::embed;
use crate::model::{Owner, PageId};
use crate::routes::UrlPath;

use super::renderer::{ListingPage, PageResult, Renderer};
use super::views::FreePageView;

#[derive(Serialize)]
struct FreePage<'a> {
    free_page: FreePageView<'a>,
}

#[derive(Serialize)]
struct NotFound {}

impl Renderer<'_> {
    /// `<slug>/`, at the site root.
    pub(super) fn free_page(&self, id: PageId) -> PageResult {
        let p = &self.site.catalog.pages[id.index()];
        let path = UrlPath::page(&p.slug);
        let view = FreePageView {
            title: &p.title,
            summary: p.summary.as_deref(),
            content: &self.body(Owner::Page(id)).html,
            extra: &p.extra,
        };
        let mut meta = self.meta("page", &path, p.title.clone(), p.summary.clone().unwrap_or_default());
        meta.has_embeds = embed::has_placeholder(view.content);
        let page = ListingPage {
            page: meta,
            data: FreePage { free_page: view },
        };
        self.page("page.html", &path, &page)
    }

    /// `404.html`.
    pub(super) fn not_found(&self) -> PageResult {
        let path = UrlPath::fixed("404.html");
        let meta = self.meta("404", &path, "Page not found".to_owned(), String::new());
        let page = ListingPage {
            page: meta,
            data: NotFound {},
        };
        self.page("404.html", &path, &page)
    }
}
