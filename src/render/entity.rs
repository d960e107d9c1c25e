//! Entity pages: a company's or contract's own page (`company.html`,
//! `contract.html`) and the index of every entity of a kind
//! (`companies.html`, `contracts.html`), which all kinds build with one
//! function, [`Renderer::entity_index`].

use serde::Serialize;
use serde::ser::SerializeMap;

use crate::model::links::TimelineEntry;
use crate::model::routes::UrlPath;
use crate::model::{CompanyId, ContractId, Owner};

use super::jsonld;
use super::renderer::{ListingPage, PageResult, Renderer};
use super::views::{CompanyCard, CompanyView, ContractCard, ContractView, DateView, Fields, TimelineItem};

#[derive(Serialize)]
struct CompanyPage<'a> {
    company: CompanyView<'a>,
}

#[derive(Serialize)]
struct ContractPage<'a> {
    contract: ContractView<'a>,
}

impl Renderer<'_> {
    /// `companies/<slug>/`.
    pub(super) fn company(&self, id: CompanyId) -> PageResult {
        let (cards, links) = (self.cards, &self.site.links);
        let co = &self.site.catalog.companies[id.index()];
        let path = UrlPath::company(&co.slug);
        let view = CompanyView {
            card: Fields(cards.company(id)),
            aliases: &co.aliases,
            website: co.website.as_deref(),
            content: &self.body(Owner::Company(id)).html,
            feed_url: self.base().url(&UrlPath::feed_in(&path)),
            contracts: links.company_contracts[id.index()]
                .iter()
                .map(|k| cards.contract(*k))
                .collect(),
            briefs: cards.briefs(&links.company_briefs[id.index()]),
            extra: &co.extra,
        };
        let description = format!("Briefs about {}", co.name);
        let mut meta = self.meta("company", &path, co.name.clone(), description);
        meta.feed_url = Some(view.feed_url.clone());
        meta.json_ld = Some(jsonld::company(
            &co.name,
            meta.permalink.clone(),
            &co.aliases,
            co.website.as_deref(),
            co.ticker.as_deref(),
        ));
        let page = ListingPage {
            page: meta,
            data: CompanyPage { company: view },
        };
        self.page("company.html", &path, &page)
    }

    /// `contracts/<slug>/`.
    pub(super) fn contract(&self, id: ContractId) -> PageResult {
        let (cards, links) = (self.cards, &self.site.links);
        let k = &self.site.catalog.contracts[id.index()];
        let path = UrlPath::contract(&k.slug);
        let timeline = links.timelines[id.index()]
            .iter()
            .map(|entry| match entry {
                TimelineEntry::Event(i) => {
                    let e = &k.timeline[*i];
                    TimelineItem {
                        date: DateView::new(&e.date),
                        event: Some(&e.event),
                        brief: None,
                    }
                }
                TimelineEntry::Brief(b) => TimelineItem {
                    date: cards.briefs[b.index()].date.clone(),
                    event: None,
                    brief: Some(cards.brief(*b)),
                },
            })
            .collect();
        let view = ContractView {
            card: Fields(cards.contract(id)),
            content: &self.body(Owner::Contract(id)).html,
            timeline,
            briefs: cards.briefs(&links.contract_briefs[id.index()]),
            extra: &k.extra,
        };
        let description = k
            .agency
            .as_ref()
            .map_or_else(|| k.name.clone(), |a| format!("{}: a contract of the {a}", k.name));
        let meta = self.meta("contract", &path, k.name.clone(), description);
        let page = ListingPage {
            page: meta,
            data: ContractPage { contract: view },
        };
        self.page("contract.html", &path, &page)
    }

    /// `companies/`.
    pub(super) fn companies(&self) -> PageResult {
        self.entity_index(&Index {
            plural: "companies",
            noun: "company",
            title: "Companies",
            path: UrlPath::fixed("companies/"),
            template: "companies.html",
            cards: &self.cards.companies,
        })
    }

    /// `contracts/`.
    pub(super) fn contracts(&self) -> PageResult {
        self.entity_index(&Index {
            plural: "contracts",
            noun: "contract",
            title: "Contracts",
            path: UrlPath::fixed("contracts/"),
            template: "contracts.html",
            cards: &self.cards.contracts,
        })
    }

    /// The index of every entity of a kind, at its own path and template: its cards by name (as `<plural>`) and by activity
    /// (`by_activity`: most briefs first, then newest brief).
    fn entity_index<C: IndexCard>(&self, index: &Index<'_, C>) -> PageResult {
        let mut by_name: Vec<&C> = index.cards.iter().collect();
        by_name.sort_by(|a, b| {
            (a.name().to_lowercase())
                .cmp(&b.name().to_lowercase())
                .then(a.slug().cmp(b.slug()))
        });
        let mut by_activity = by_name.clone();
        by_activity.sort_by(|a, b| {
            (b.brief_count().cmp(&a.brief_count()))
                .then_with(|| b.latest().map(|d| &d.rfc3339).cmp(&a.latest().map(|d| &d.rfc3339)))
        });
        let description = format!("Every {} covered by {}", index.noun, self.site.config.title);
        let meta = self.meta(index.plural, &index.path, index.title.to_owned(), description);
        let page = ListingPage {
            page: meta,
            data: IndexPage {
                plural: index.plural,
                by_name,
                by_activity,
            },
        };
        self.page(index.template, &index.path, &page)
    }
}

/// What differs between the indexes of two kinds.
struct Index<'c, C> {
    /// The kind's plural: the page kind and the view's key for the cards.
    plural: &'static str,
    /// The kind's noun, for the description.
    noun: &'static str,
    /// The page title.
    title: &'static str,
    path: UrlPath,
    template: &'static str,
    cards: &'c [C],
}

/// An entity index's view: `{plural: [cards by name], by_activity: [cards]}`.
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

/// What an entity index sorts its cards by.
trait IndexCard: Serialize {
    fn name(&self) -> &str;
    fn slug(&self) -> &str;
    fn brief_count(&self) -> usize;
    fn latest(&self) -> Option<&DateView>;
}

macro_rules! index_card {
    ($card:ident) => {
        impl IndexCard for $card<'_> {
            fn name(&self) -> &str {
                self.name
            }
            fn slug(&self) -> &str {
                self.slug
            }
            fn brief_count(&self) -> usize {
                self.brief_count
            }
            fn latest(&self) -> Option<&DateView> {
                self.latest.as_ref()
            }
        }
    };
}

index_card!(CompanyCard);
index_card!(ContractCard);
