//! Redirect pages (`redirect.html`): one at each old address an
//! `aliases:` entry gives, leading to the page that moved with a meta
//! refresh, a canonical link and a link for readers, and kept out of
//! search indexes and the sitemap. The template is dossier's built-in one
//! unless a theme or site overrides it.

use serde::Serialize;

use super::renderer::{ListingPage, PageResult, Renderer};
use super::views::RedirectView;

#[derive(Serialize)]
struct RedirectPage<'a> {
    redirect: RedirectView<'a>,
}

impl Renderer<'_> {
    /// The redirect at the old address of `catalog.redirects[index]`.
    pub(super) fn redirect(&self, index: usize) -> PageResult {
        let r = &self.site.catalog.redirects[index];
        let base = self.base();
        let view = RedirectView {
            title: &r.title,
            url: base.url(&r.target),
            permalink: base.abs_url(&r.target),
        };
        // `page.permalink` is the canonical address: the page it leads to.
        let mut meta = self.meta("redirect", &r.from, r.title.clone(), String::new());
        meta.permalink.clone_from(&view.permalink);
        let page = ListingPage {
            page: meta,
            data: RedirectPage { redirect: view },
        };
        Ok(self.page("redirect.html", &r.from, &page)?.with_origin(r.origin()))
    }
}
