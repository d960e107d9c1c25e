//! Entity pages, written once for every entity kind: an entity's own page
//! (`<noun>.html`: `company.html`, `contract.html`), its feed, and the index
//! of every entity of the kind (`<plural>.html`). What a kind adds — its
//! card's and page's own fields, its description and JSON-LD node — it says
//! through [`RenderKind`] (`company.rs`, `contract.rs`, `author.rs`).

use serde::Serialize;
use serde::ser::SerializeMap;

use crate::markdown::embed;
use crate::model::{Entity, EntityKind, Owner, Site};
use crate::routes::UrlPath;

use super::cards::{Cards, EntityCards};
use super::renderer::{ListingPage, PageResult, Renderer};
use super::views::{DateView, EntityCard, EntityView, Fields};

/// What the render stage asks of an entity kind beyond what every kind has.
pub(super) trait RenderKind: EntityKind {
    /// The kind's own fields on its card, spliced into [`EntityCard`].
    type Card<'a>: Serialize + Send + Sync;
    /// The kind's own fields on its page, spliced into [`EntityView`].
    type Page<'a>: Serialize;

    /// The card fields of the entity at `index`.
    fn card(site: &Site, index: usize) -> Self::Card<'_>;

    /// The kind's cards among all of them.
    fn cards<'c, 'a>(cards: &'c Cards<'a>) -> &'c EntityCards<'a, Self::Card<'a>>;

    /// The page fields of the entity at `index`, whose page is at `path`.
    fn page<'a>(renderer: &Renderer<'a>, index: usize, path: &UrlPath) -> Self::Page<'a>;

    /// The page's meta description.
    fn description(entity: &Entity<Self::Fields>) -> String;

    /// The page's schema.org node, if the kind has one.
    fn json_ld(entity: &Entity<Self::Fields>, permalink: &str) -> Option<String>;
}

impl Renderer<'_> {
    /// `<plural>/<slug>/`: the entity of kind `K` at `index`; for a
    /// paginated kind, page `page` of its briefs (`…/page/N/`).
    pub(super) fn entity<K: RenderKind>(&self, index: usize, page: usize) -> PageResult {
        let kind = K::KIND;
        let e = &K::all(&self.site.catalog)[index];
        let first = UrlPath::entity(kind.plural(), &e.slug);
        let path = UrlPath::paginated(&first, page);
        let all = K::briefs(self.cards.graph(), index);
        let (briefs, pagination) = if kind.paginated() {
            let (briefs, pagination) = self.paginate(&first, all, page);
            (briefs, Some(pagination))
        } else {
            (self.cards.briefs(all), None)
        };
        let feed_url = kind.has_feed().then(|| self.base().url(&UrlPath::feed_in(&first)));
        let view = EntityView {
            card: Fields(K::cards(self.cards).get(index)),
            content: match page {
                1 => &self.body(Owner::from(K::key(index))).html,
                _ => "",
            },
            own: K::page(self, index, &path),
            briefs,
            feed_url: feed_url.clone(),
            pagination,
            extra: &e.extra,
        };
        let title = match page {
            1 => e.name.clone(),
            _ => format!("{}, page {page}", e.name),
        };
        let mut meta = self.meta(kind.noun(), &path, title, K::description(e));
        meta.has_embeds = embed::has_placeholder(view.content);
        meta.feed_url = feed_url;
        meta.json_ld = K::json_ld(e, &meta.permalink);
        let page = ListingPage {
            page: meta,
            data: Keyed(kind.noun(), view),
        };
        self.page(&format!("{}.html", kind.noun()), &path, &page)
    }

    /// `<plural>/`: every entity of kind `K`, by name (as `<plural>`) and
    /// by activity (`by_activity`: most briefs first, then newest brief).
    pub(super) fn entity_index<K: RenderKind>(&self) -> PageResult {
        let kind = K::KIND;
        let mut by_name: Vec<&EntityCard<K::Card<'_>>> = K::cards(self.cards).cards.iter().collect();
        by_name.sort_by(|a, b| {
            (a.name.to_lowercase())
                .cmp(&b.name.to_lowercase())
                .then(a.slug.cmp(b.slug))
        });
        let mut by_activity = by_name.clone();
        by_activity.sort_by(|a, b| (b.brief_count.cmp(&a.brief_count)).then_with(|| latest(b).cmp(&latest(a))));
        let path = UrlPath::section(kind.plural());
        let description = format!("Every {} covered by {}", kind.noun(), self.site.config.title);
        let meta = self.meta(kind.plural(), &path, kind.title().to_owned(), description);
        let page = ListingPage {
            page: meta,
            data: IndexPage {
                plural: kind.plural(),
                by_name,
                by_activity,
            },
        };
        self.page(&format!("{}.html", kind.plural()), &path, &page)
    }
}

/// The newest brief's date of a card, for sorting.
fn latest<'c, X>(card: &'c EntityCard<'_, X>) -> Option<&'c String> {
    card.latest.as_ref().map(|d: &DateView| &d.rfc3339)
}

/// A view under a key only known at run time: `{"company": view}`.
struct Keyed<T>(&'static str, T);

impl<T: Serialize> Serialize for Keyed<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(1))?;
        map.serialize_entry(self.0, &self.1)?;
        map.end()
    }
}

/// An entity index's view: `{<plural>: [cards by name], by_activity: [cards]}`.
struct IndexPage<'c, C> {
    plural: &'static str,
    by_name: Vec<&'c C>,
    by_activity: Vec<&'c C>,
}

impl<C: Serialize> Serialize for IndexPage<'_, C> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry(self.plural, &self.by_name)?;
        map.serialize_entry("by_activity", &self.by_activity)?;
        map.end()
    }
}
