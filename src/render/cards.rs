//! What every page shares, built once per build: each entity's card (a
//! brief's headline, dek, date and chips; a company's or contract's key
//! facts), serialized once and borrowed by every page that lists it, and the
//! `site` view of the configuration.

use rayon::prelude::*;
use serde::Serialize;
use tera::value::Key;

use std::borrow::Cow;

use rustc_hash::FxHashMap;

use crate::date::DateTime;
use crate::model::{
    Authors, Brief, BriefId, Byline, Companies, ContractId, Contracts, EntityKey, EntityKind, Links, Site, Suggestions,
    TagId,
};
use crate::routes::UrlPath;

use super::entity::RenderKind;
use super::functions;
use super::picture::{self, Cut};
use super::views::*;
use crate::media::image::Role;

/// The `site` view of the configuration and catalog.
pub fn site_view(site: &Site) -> SiteView<'_> {
    let base = &site.config.base_url;
    let c = &site.catalog;
    SiteView {
        title: &site.config.title,
        description: &site.config.description,
        language: &site.config.language,
        author: site.config.author.as_deref(),
        base_url: base.abs_url(&UrlPath::home()),
        base_path: base.path(),
        home_url: base.url(&UrlPath::home()),
        feed_url: base.url(&UrlPath::fixed("atom.xml")),
        companies_url: base.url(&UrlPath::fixed("companies/")),
        contracts_url: base.url(&UrlPath::fixed("contracts/")),
        tags_url: base.url(&UrlPath::fixed("tags/")),
        authors_url: (!c.authors.is_empty()).then(|| base.url(&UrlPath::section(Authors::KIND.plural()))),
        search_url: site.config.search.then(|| base.url(&super::search::section())),
        pages: c
            .pages
            .iter()
            .map(|p| LinkView {
                name: &p.title,
                url: base.url(&UrlPath::page(&p.slug)),
            })
            .collect(),
        counts: counts(site),
    }
}

/// How many of each entity the site has (`site.counts`).
pub(super) fn counts(site: &Site) -> Counts {
    let c = &site.catalog;
    Counts {
        briefs: c.briefs.len(),
        companies: c.companies.len(),
        contracts: c.contracts.len(),
        authors: c.authors.len(),
        tags: c.tags.len(),
    }
}

/// Cards of every entity, built once and borrowed by every page (and by
/// `get_company`/`get_contract` in templates).
pub struct Cards<'a> {
    site: &'a Site,
    /// Each brief as its pages show it, by id: the catalog's, or the one a
    /// `serve` session put in its place ([`Cards::patch`]).
    models: Vec<&'a Brief>,
    /// Each brief's body's first paragraph, likewise.
    leads: Vec<&'a str>,
    /// Each brief's card, typed, where it was made with its value: a
    /// `serve` session's brief put in place reuses every other card's
    /// value, and [`Cards::card`] makes the few typed ones its pages ask
    /// for.
    briefs: Vec<Option<BriefCard<'a>>>,
    brief_values: Vec<Cached>,
    /// The chips' links, for [`Cards::patch`].
    chips: LinkValues,
    /// The relations pages show: the site's, or those a `serve` session
    /// derived again after an edit to a brief's references ([`Cards::relink`]).
    graph: &'a Links,
    /// The suggested related stories, likewise.
    suggested: &'a Suggestions,
    /// Whether the values carry their fingerprints.
    fingerprints: bool,
    pub(super) companies: EntityCards<'a, CompanyFacts<'a>>,
    pub(super) contracts: EntityCards<'a, ContractFacts<'a>>,
    pub(super) authors: EntityCards<'a, AuthorFacts<'a>>,
    pub(super) tags: Vec<TagCard<'a>>,
}

/// The cards of one entity kind, typed and as the values pages share.
pub struct EntityCards<'a, X> {
    pub(super) cards: Vec<EntityCard<'a, X>>,
    pub(super) values: Vec<Cached>,
}

impl<'a> Cards<'a> {
    /// Builds every card of the site; with their fingerprints if pages will
    /// be fingerprinted.
    pub fn build(site: &'a Site, fingerprints: bool) -> Cards<'a> {
        Cards::build_reusing(site, fingerprints, Vec::new())
    }

    /// The values of the briefs' cards, by id, taken out of these cards
    /// for [`Cards::build_reusing`]: leaves these without them.
    pub fn take_brief_values(&mut self) -> Vec<Cached> {
        std::mem::take(&mut self.brief_values)
    }

    /// [`Cards::build`], reusing `values[i]` as the value of the card of
    /// brief `i` where it is given: a `serve` session's brief added,
    /// deleted or moved changes no other brief's card, and serializing
    /// every card is most of making them.
    pub fn build_reusing(site: &'a Site, fingerprints: bool, mut values: Vec<Option<Cached>>) -> Cards<'a> {
        values.resize_with(site.catalog.briefs.len(), || None);
        let c = &site.catalog;
        let models: Vec<&Brief> = c.briefs.iter().collect();
        let leads: Vec<&str> = (site.bodies.briefs.iter())
            .map(|b| b.first_paragraph.as_str())
            .collect();
        let graph = &site.links;
        let tags = (0..c.tags.len())
            .map(|i| tag_card(site, graph, TagId::new(i)))
            .collect();
        let chips = LinkValues::build(site, &values);
        let (briefs, brief_values) = (values.into_par_iter().enumerate())
            .map(|(i, value)| {
                let id = BriefId::new(i);
                match value {
                    Some(value) => (None, value.of(EntityKey::Brief(id))),
                    None => {
                        let card = brief_card(site, models[i], leads[i]);
                        let value = chips.brief_value(id, &card, models[i], fingerprints);
                        (Some(card), value)
                    }
                }
            })
            .unzip();
        Cards {
            site,
            models,
            leads,
            briefs,
            brief_values,
            chips,
            graph,
            suggested: &site.suggested,
            fingerprints,
            companies: EntityCards::build::<Companies>(site, graph, fingerprints),
            contracts: EntityCards::build::<Contracts>(site, graph, fingerprints),
            authors: EntityCards::build::<Authors>(site, graph, fingerprints),
            tags,
        }
    }

    /// Puts `brief` in the place of the brief `id` (a `serve` session's
    /// edit of it; `lead` is its body's first paragraph): its card and the
    /// value pages share are made again from it, as [`Cards::build`]
    /// makes them. The caller renders again the pages that show them.
    pub fn patch(&mut self, id: BriefId, brief: &'a Brief, lead: &'a str) {
        let card = brief_card(self.site, brief, lead);
        self.brief_values[id.index()] = self.chips.brief_value(id, &card, brief, self.fingerprints);
        self.briefs[id.index()] = Some(card);
        self.models[id.index()] = brief;
        self.leads[id.index()] = lead;
    }

    /// The card of the brief `id`, typed: for what reads its fields in
    /// Rust (the brief page's metadata, feeds, search, social cards).
    pub(super) fn card(&self, id: BriefId) -> Cow<'_, BriefCard<'a>> {
        let i = id.index();
        match &self.briefs[i] {
            Some(card) => Cow::Borrowed(card),
            None => Cow::Owned(brief_card(self.site, self.models[i], self.leads[i])),
        }
    }

    /// Puts `graph` and `suggested` in the place of the relations pages
    /// show, after a `serve` session derived them again from briefs it put
    /// in place ([`Cards::patch`]): the entity and tag cards, which count
    /// and date their briefs, are made again from them.
    pub fn relink(&mut self, graph: &'a Links, suggested: &'a Suggestions) {
        let site = self.site;
        self.graph = graph;
        self.suggested = suggested;
        self.companies = EntityCards::build::<Companies>(site, graph, self.fingerprints);
        self.contracts = EntityCards::build::<Contracts>(site, graph, self.fingerprints);
        self.authors = EntityCards::build::<Authors>(site, graph, self.fingerprints);
        self.tags = (0..site.catalog.tags.len())
            .map(|i| tag_card(site, graph, TagId::new(i)))
            .collect();
    }

    /// The relations pages show.
    pub fn graph(&self) -> &'a Links {
        self.graph
    }

    /// The suggested related stories pages show.
    pub fn suggested(&self) -> &'a Suggestions {
        self.suggested
    }

    /// Every brief as its pages show it, by id.
    pub fn models(&self) -> &[&'a Brief] {
        &self.models
    }

    /// The brief `id` as its pages show it.
    pub fn model(&self, id: BriefId) -> &'a Brief {
        self.models[id.index()]
    }

    /// Every entity card's value by kind noun and slug, for the template
    /// lookups (`get_company`, `get_contract`).
    pub(super) fn lookups(&self) -> functions::Lookups {
        functions::Lookups::new([
            (Companies::KIND.noun(), self.companies.by_slug()),
            (Contracts::KIND.noun(), self.contracts.by_slug()),
            (Authors::KIND.noun(), self.authors.by_slug()),
        ])
    }

    /// The values of every entity card, for the global fingerprint.
    pub(super) fn entity_values(&self) -> impl Iterator<Item = &Cached> {
        (self.companies.values.iter())
            .chain(&self.contracts.values)
            .chain(&self.authors.values)
    }

    pub(super) fn briefs(&self, ids: &[BriefId]) -> Vec<Shared<'_, BriefCard<'a>>> {
        ids.iter().map(|id| self.brief(*id)).collect()
    }

    pub(super) fn brief(&self, id: BriefId) -> Shared<'_, BriefCard<'a>> {
        Shared::new(&self.brief_values[id.index()])
    }

    pub(super) fn contract(&self, id: ContractId) -> Shared<'_, ContractCard<'a>> {
        self.contracts.get(id.index())
    }
}

impl<'a, X: Serialize + Send + Sync> EntityCards<'a, X> {
    /// On all cores: at 100,000 briefs a site has thousands of companies.
    fn build<K: RenderKind<Card<'a> = X>>(site: &'a Site, graph: &'a Links, fingerprints: bool) -> Self {
        let cards: Vec<EntityCard<'a, X>> = (0..K::all(&site.catalog).len())
            .into_par_iter()
            .map(|i| entity_card::<K>(site, graph, i))
            .collect();
        let values = (cards.par_iter().enumerate())
            .map(|(i, c)| Shared::cache(c, fingerprints).of(K::key(i)))
            .collect();
        EntityCards { cards, values }
    }

    /// The shared card of the entity at `index`.
    pub(super) fn get(&self, index: usize) -> Shared<'_, EntityCard<'a, X>> {
        Shared::new(&self.values[index])
    }

    fn by_slug(&self) -> Vec<(&str, tera::Value)> {
        (self.cards.iter().zip(&self.values))
            .map(|(c, v)| (c.slug, v.value().clone()))
            .collect()
    }
}

/// The chips' links (a tag's, company's or contract's name and URL) as
/// values, one per entity, shared by every card that names it: serialized
/// into each card instead, they were about 1.5 KB a brief (BENCHMARKS.md,
/// "Performance, third round"). The cards' dates are shared the same way.
struct LinkValues {
    tags: Vec<tera::Value>,
    companies: Vec<tera::Value>,
    contracts: Vec<tera::Value>,
    /// Each date a brief is published or updated on, as its card shows it
    /// (`date`, `updated`), shared likewise by every card of that date:
    /// made for each card, these maps were about 350 bytes a brief, against
    /// a few thousand dates in all at 100,000 briefs.
    dates: FxHashMap<DateTime, tera::Value>,
}

impl LinkValues {
    /// The links, and the dates of the briefs whose card `values` leaves
    /// to make.
    fn build(site: &Site, values: &[Option<Cached>]) -> LinkValues {
        let c = &site.catalog;
        let value = |link: LinkView| tera::Value::from_serializable(&link);
        LinkValues {
            tags: (0..c.tags.len())
                .map(|i| value(tag_link(site, TagId::new(i))))
                .collect(),
            companies: (0..c.companies.len())
                .map(|i| value(entity_link::<Companies>(site, i)))
                .collect(),
            contracts: (0..c.contracts.len())
                .map(|i| value(entity_link::<Contracts>(site, i)))
                .collect(),
            dates: date_values(
                (c.briefs.iter().zip(values))
                    .filter(|(_, value)| value.is_none())
                    .map(|(brief, _)| brief),
            ),
        }
    }

    /// The shared value of the card of the brief `id`, marked as its.
    fn brief_value(&self, id: BriefId, card: &BriefCard<'_>, brief: &Brief, fingerprints: bool) -> Cached {
        Cached::of_value(self.brief_card(card, brief), fingerprints).of(EntityKey::Brief(id))
    }

    /// `card` as the value pages share, its chips' links taken from here:
    /// the same value as serializing the whole card.
    fn brief_card(&self, card: &BriefCard<'_>, brief: &Brief) -> tera::Value {
        // A brief a `serve` session put in its place may have a date no
        // other brief has: its card keeps the map made for it.
        let date = self.dates.get(&brief.date);
        let updated = brief.updated.as_ref().and_then(|d| self.dates.get(d));
        let without_links = BriefCardWithoutLinks {
            card,
            date: date.is_none().then_some(&card.date),
            updated: updated.is_none().then_some(&card.updated),
        };
        let mut map = tera::Value::from_serializable(&without_links)
            .into_map()
            .unwrap_or_default();
        let list = |ids: &mut dyn Iterator<Item = usize>, values: &[tera::Value]| {
            tera::Value::from(ids.map(|i| values[i].clone()).collect::<Vec<_>>())
        };
        let companies = list(&mut brief.companies.iter().map(|k| k.index()), &self.companies);
        let contracts = list(&mut brief.contracts.iter().map(|k| k.index()), &self.contracts);
        let tags = list(&mut brief.tags.iter().map(|t| t.index()), &self.tags);
        for (key, value) in [("companies", companies), ("contracts", contracts), ("tags", tags)] {
            if let Some(slot) = map.get_mut(&Key::Str(key)) {
                *slot = value;
            }
        }
        for (key, shared) in [("date", date), ("updated", updated)] {
            if let (Some(slot), Some(value)) = (map.get_mut(&Key::Str(key)), shared) {
                *slot = value.clone();
            }
        }
        tera::Value::from(map)
    }
}

/// The value of each date `briefs` are published or updated on, as
/// [`DateView`] serializes it: for every brief of a build, for the few a
/// `serve` session's brief added or moved leaves to make.
fn date_values<'b>(briefs: impl Iterator<Item = &'b Brief>) -> FxHashMap<DateTime, tera::Value> {
    let mut values = FxHashMap::default();
    for date in briefs.flat_map(|b| std::iter::once(&b.date).chain(&b.updated)) {
        if !values.contains_key(date) {
            values.insert(date.clone(), tera::Value::from_serializable(&DateView::new(date)));
        }
    }
    values
}

/// A brief card serialized with its chips' link lists left empty, and its
/// dates null where a shared value will take their place (`None` here),
/// for [`LinkValues::brief_card`] to fill: the fields in the same order,
/// borrowed, not cloned into a card to serialize.
struct BriefCardWithoutLinks<'c, 'a> {
    card: &'c BriefCard<'a>,
    date: Option<&'c DateView>,
    updated: Option<&'c Option<DateView>>,
}

impl Serialize for BriefCardWithoutLinks<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        // Destructured, so that a field added to the card must be added here.
        let BriefCard {
            title,
            slug,
            url,
            permalink,
            date: _,
            updated: _,
            scheduled,
            summary,
            author,
            authors,
            companies: _,
            contracts: _,
            tags: _,
            thumb,
        } = self.card;
        let no_links: &[LinkView<'_>] = &[];
        let mut card = serializer.serialize_struct("BriefCard", 14)?;
        card.serialize_field("title", title)?;
        card.serialize_field("slug", slug)?;
        card.serialize_field("url", url)?;
        card.serialize_field("permalink", permalink)?;
        card.serialize_field("date", &self.date)?;
        card.serialize_field("updated", &self.updated)?;
        card.serialize_field("scheduled", scheduled)?;
        card.serialize_field("summary", summary)?;
        card.serialize_field("author", author)?;
        card.serialize_field("authors", authors)?;
        card.serialize_field("companies", no_links)?;
        card.serialize_field("contracts", no_links)?;
        card.serialize_field("tags", no_links)?;
        card.serialize_field("thumb", thumb)?;
        card.end()
    }
}

/// The card of the entity of kind `K` at `index`: the shared fields, and
/// the kind's own.
fn entity_card<'a, K: RenderKind>(site: &'a Site, graph: &Links, index: usize) -> EntityCard<'a, K::Card<'a>> {
    let e = &K::all(&site.catalog)[index];
    let briefs = K::briefs(graph, index);
    EntityCard {
        name: &e.name,
        slug: e.slug.as_str(),
        url: site.config.base_url.url(&UrlPath::entity(K::KIND.plural(), &e.slug)),
        own: K::card(site, index),
        brief_count: briefs.len(),
        latest: latest(site, briefs),
        stub: e.is_stub(),
    }
}

/// The card of the brief `b`, whose body's first paragraph is `lead`.
fn brief_card<'a>(site: &'a Site, b: &'a Brief, lead: &'a str) -> BriefCard<'a> {
    let base = &site.config.base_url;
    let path = UrlPath::brief(&b.slug);
    BriefCard {
        title: &b.title,
        slug: b.slug.as_str(),
        url: base.url(&path),
        permalink: base.abs_url(&path),
        date: DateView::new(&b.date),
        updated: b.updated.as_ref().map(DateView::new),
        scheduled: b.scheduled,
        summary: b.summary.as_deref().unwrap_or(lead),
        thumb: (b.image.as_ref()).map(|i| picture::view(site, i, Role::Lead, Cut::Thumb)),
        author: byline_text(site, &b.authors),
        authors: bylines(site, &b.authors),
        companies: b
            .companies
            .iter()
            .map(|k| entity_link::<Companies>(site, k.index()))
            .collect(),
        contracts: b
            .contracts
            .iter()
            .map(|k| entity_link::<Contracts>(site, k.index()))
            .collect(),
        tags: b.tags.iter().map(|t| tag_link(site, *t)).collect(),
    }
}

/// A link to a tag's page, for chips.
fn tag_link(site: &Site, id: TagId) -> LinkView<'_> {
    let tag = &site.catalog.tags[id.index()];
    LinkView {
        name: &tag.name,
        url: site.config.base_url.url(&UrlPath::tag(&tag.slug)),
    }
}

/// A brief's byline, each name linked to the author's page when it has
/// one; the site author when the brief names nobody.
fn bylines<'a>(site: &'a Site, authors: &'a [Byline]) -> Vec<BylineView<'a>> {
    if authors.is_empty() {
        return (site.config.author.as_deref().into_iter())
            .map(|name| BylineView { name, url: None })
            .collect();
    }
    authors
        .iter()
        .map(|byline| match byline {
            Byline::Author(id) => {
                let link = entity_link::<Authors>(site, id.index());
                BylineView {
                    name: link.name,
                    url: Some(link.url),
                }
            }
            Byline::Name(name) => BylineView { name, url: None },
        })
        .collect()
}

/// A byline as one text: "Jane Doe", "Jane Doe and John Roe", "A, B and C".
fn byline_text<'a>(site: &'a Site, authors: &'a [Byline]) -> Option<Cow<'a, str>> {
    let name = |byline: &'a Byline| match byline {
        Byline::Author(id) => site.catalog.authors[id.index()].name.as_str(),
        Byline::Name(name) => name.as_str(),
    };
    match authors {
        [] => site.config.author.as_deref().map(Cow::Borrowed),
        [one] => Some(Cow::Borrowed(name(one))),
        [rest @ .., last] => {
            let rest: Vec<&str> = rest.iter().map(name).collect();
            Some(Cow::Owned(format!("{} and {}", rest.join(", "), name(last))))
        }
    }
}

fn tag_card<'a>(site: &'a Site, graph: &Links, id: TagId) -> TagCard<'a> {
    let base = &site.config.base_url;
    let t = &site.catalog.tags[id.index()];
    let path = UrlPath::tag(&t.slug);
    TagCard {
        name: &t.name,
        slug: t.slug.as_str(),
        url: base.url(&path),
        feed_url: base.url(&UrlPath::feed_in(&path)),
        count: graph.tag_briefs[id.index()].len(),
    }
}

/// A link to the entity of kind `K` at `index`, for chips.
pub(super) fn entity_link<K: EntityKind>(site: &Site, index: usize) -> LinkView<'_> {
    let e = &K::all(&site.catalog)[index];
    LinkView {
        name: &e.name,
        url: site.config.base_url.url(&UrlPath::entity(K::KIND.plural(), &e.slug)),
    }
}

/// The date of the newest of `briefs` (newest first).
pub(super) fn latest(site: &Site, briefs: &[BriefId]) -> Option<DateView> {
    briefs
        .first()
        .map(|b| DateView::new(&site.catalog.briefs[b.index()].date))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(iso: &str) -> DateView {
        DateView {
            iso: iso.to_owned(),
            rfc3339: format!("{iso}T00:00:00Z"),
            display: format!("display {iso}"),
        }
    }

    /// A card with every field set, chips and all.
    fn card() -> BriefCard<'static> {
        let link = |name: &'static str| LinkView {
            name,
            url: format!("/x/{name}/"),
        };
        BriefCard {
            title: "A & B",
            slug: "a-b",
            url: "/briefs/a-b/".to_owned(),
            permalink: "https://example.com/briefs/a-b/".to_owned(),
            date: date("2020-08-18"),
            updated: Some(date("2021-01-02")),
            scheduled: true,
            summary: "What changed.",
            author: Some(Cow::Borrowed("Jane Doe")),
            authors: vec![BylineView {
                name: "Jane Doe",
                url: Some("/authors/jane-doe/".to_owned()),
            }],
            companies: vec![link("acme")],
            contracts: vec![link("jedi")],
            tags: vec![link("cloud"), link("defense")],
            thumb: Some(ImageView {
                src: "/media/a.jpg".to_owned(),
                alt: "A picture",
                srcset: Some("/media/a.jpg 480w".to_owned()),
                width: Some(480),
                height: Some(320),
                caption: None,
                credit: Some("Photo: B"),
            }),
        }
    }

    #[test]
    fn a_card_without_links_is_the_card_with_empty_chips_field_for_field() {
        let card = card();
        let expected = tera::Value::from_serializable(&BriefCard {
            companies: Vec::new(),
            contracts: Vec::new(),
            tags: Vec::new(),
            ..card.clone()
        });
        let borrowed = BriefCardWithoutLinks {
            card: &card,
            date: Some(&card.date),
            updated: Some(&card.updated),
        };
        let got = tera::Value::from_serializable(&borrowed);
        let keys = |v: &tera::Value| -> Vec<String> {
            let map = v.as_map().expect("a card is a mapping");
            map.keys().map(|k| k.to_string()).collect()
        };
        assert_eq!(keys(&got), keys(&expected), "same fields in the same order");
        assert_eq!(got, expected);
    }

    #[test]
    fn dates_a_shared_value_replaces_are_left_null() {
        let card = card();
        let borrowed = BriefCardWithoutLinks {
            card: &card,
            date: None,
            updated: None,
        };
        let got = tera::Value::from_serializable(&borrowed);
        let map = got.as_map().expect("a card is a mapping");
        for key in ["date", "updated"] {
            assert!(map.get(&Key::Str(key)).is_some_and(|v| v.is_none()), "{key}");
        }
        assert_eq!(map.get(&Key::Str("title")), Some(&tera::Value::from("A & B")));
    }
}
