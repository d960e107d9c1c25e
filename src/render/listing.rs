//! Listings of briefs: the home page and each tag's page, paginated, and the
//! index of tags.

use serde::Serialize;

use crate::model::{BriefId, TagId};
use crate::routes::UrlPath;

use super::renderer::{ListingPage, PageResult, Renderer};
use super::views::{BriefCard, PageLink, Pagination, Shared, TagCard};

#[derive(Serialize)]
struct Home<'a> {
    briefs: Vec<Shared<'a, BriefCard<'a>>>,
    pagination: Pagination,
}

#[derive(Serialize)]
struct TagPage<'a> {
    tag: &'a TagCard<'a>,
    briefs: Vec<Shared<'a, BriefCard<'a>>>,
    pagination: Pagination,
}

#[derive(Serialize)]
struct TagsPage<'a> {
    tags: Vec<&'a TagCard<'a>>,
}

impl<'a> Renderer<'a> {
    /// Page `page` of the home page: every brief, newest first.
    pub(super) fn home(&self, page: usize) -> PageResult {
        let config = &self.site.config;
        let path = UrlPath::paginated(&UrlPath::home(), page);
        let (briefs, pagination) = self.paginate(&UrlPath::home(), &self.all_briefs, page);
        let title = if page == 1 {
            config.title.clone()
        } else {
            format!("Page {page}")
        };
        let meta = self.meta("index", &path, title, config.description.clone());
        let view = ListingPage {
            page: meta,
            data: Home { briefs, pagination },
        };
        self.page("index.html", &path, &view)
    }

    /// Page `page` of a tag's briefs.
    pub(super) fn tag(&self, tag: TagId, page: usize) -> PageResult {
        let t = &self.cards.tags[tag.index()];
        let base_path = UrlPath::tag(&self.site.catalog.tags[tag.index()].slug);
        let path = UrlPath::paginated(&base_path, page);
        let (briefs, pagination) = self.paginate(&base_path, &self.cards.graph().tag_briefs[tag.index()], page);
        let mut meta = self.meta(
            "tag",
            &path,
            format!("Tagged “{}”", t.name),
            format!("Briefs tagged {}", t.name),
        );
        meta.feed_url = Some(t.feed_url.clone());
        let view = ListingPage {
            page: meta,
            data: TagPage {
                tag: t,
                briefs,
                pagination,
            },
        };
        self.page("tag.html", &path, &view)
    }

    /// `tags/`.
    pub(super) fn tags(&self) -> PageResult {
        let path = UrlPath::fixed("tags/");
        let meta = self.meta(
            "tags",
            &path,
            "Tags".to_owned(),
            format!("Every tag used on {}", self.site.config.title),
        );
        let view = ListingPage {
            page: meta,
            data: TagsPage {
                tags: self.cards.tags.iter().collect(),
            },
        };
        self.page("tags.html", &path, &view)
    }

    /// The cards of page `page` of a listing of `ids` under `base`, and its
    /// pager.
    pub(super) fn paginate(
        &self,
        base: &UrlPath,
        ids: &[BriefId],
        page: usize,
    ) -> (Vec<Shared<'a, BriefCard<'a>>>, Pagination) {
        let per_page = self.site.config.briefs_per_page.get();
        let total = self.pages_of(ids.len());
        let url = |n: usize| self.base().url(&UrlPath::paginated(base, n));
        let start = ((page - 1) * per_page).min(ids.len());
        let end = (start + per_page).min(ids.len());
        let pagination = Pagination {
            current: page,
            total,
            previous: (page > 1).then(|| url(page - 1)),
            next: (page < total).then(|| url(page + 1)),
            pages: page_window(page, total)
                .map(|(number, gap_before)| PageLink {
                    number,
                    url: url(number),
                    gap_before,
                })
                .collect(),
        };
        (self.cards.briefs(&ids[start..end]), pagination)
    }
}

/// The page numbers a pagination bar shows: 1, the last, and two either side
/// of `current`; each with whether numbers were skipped just before it.
fn page_window(current: usize, total: usize) -> impl Iterator<Item = (usize, bool)> {
    let near = current.saturating_sub(2).max(1)..=(current + 2).min(total);
    let mut numbers: Vec<usize> = std::iter::once(1)
        .chain(near)
        .chain(std::iter::once(total))
        .filter(|&n| n >= 1 && n <= total)
        .collect();
    numbers.dedup();
    let mut previous = 0;
    numbers.into_iter().map(move |n| {
        let gap = n > previous + 1;
        previous = n;
        (n, gap)
    })
}

#[cfg(test)]
mod tests {
    use super::page_window;

    #[test]
    fn pagination_shows_a_window_with_gaps() {
        let pages: Vec<(usize, bool)> = page_window(10, 500).collect();
        assert_eq!(
            pages,
            vec![
                (1, false),
                (8, true),
                (9, false),
                (10, false),
                (11, false),
                (12, false),
                (500, true)
            ]
        );
        assert_eq!(page_window(1, 3).count(), 3);
    }
}
