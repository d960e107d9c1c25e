//! What every page shares, built once per build: each entity's card (a
//! brief's headline, dek, date and chips; a company's or contract's key
//! facts), serialized once and borrowed by every page that lists it, and the
//! `site` view of the configuration.

use rayon::prelude::*;

use crate::model::routes::UrlPath;
use crate::model::{BriefId, CompanyId, ContractId, Origin, Site, TagId};

use super::functions;
use super::views::*;

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
        pages: c
            .pages
            .iter()
            .map(|p| LinkView {
                name: &p.title,
                url: base.url(&UrlPath::page(&p.slug)),
            })
            .collect(),
        counts: Counts {
            briefs: c.briefs.len(),
            companies: c.companies.len(),
            contracts: c.contracts.len(),
            tags: c.tags.len(),
        },
    }
}

/// Cards of every entity, built once and borrowed by every page (and by
/// `get_company`/`get_contract` in templates).
pub struct Cards<'a> {
    pub(super) briefs: Vec<BriefCard<'a>>,
    brief_values: Vec<Cached>,
    pub(super) company_values: Vec<Cached>,
    pub(super) contract_values: Vec<Cached>,
    pub(super) companies: Vec<CompanyCard<'a>>,
    pub(super) contracts: Vec<ContractCard<'a>>,
    pub(super) tags: Vec<TagCard<'a>>,
}

impl<'a> Cards<'a> {
    /// Builds every card of the site; with their fingerprints if pages will
    /// be fingerprinted.
    pub fn build(site: &'a Site, fingerprints: bool) -> Cards<'a> {
        let c = &site.catalog;
        let briefs: Vec<BriefCard> = (0..c.briefs.len())
            .into_par_iter()
            .map(|i| brief_card(site, BriefId::new(i)))
            .collect();
        let companies: Vec<CompanyCard> = (0..c.companies.len())
            .map(|i| company_card(site, CompanyId::new(i)))
            .collect();
        let contracts: Vec<ContractCard> = (0..c.contracts.len())
            .map(|i| contract_card(site, ContractId::new(i)))
            .collect();
        let tags = (0..c.tags.len()).map(|i| tag_card(site, TagId::new(i))).collect();
        let brief_values = briefs.par_iter().map(|c| Shared::cache(c, fingerprints)).collect();
        let company_values = companies.iter().map(|c| Shared::cache(c, fingerprints)).collect();
        let contract_values = contracts.iter().map(|c| Shared::cache(c, fingerprints)).collect();
        Cards {
            briefs,
            brief_values,
            company_values,
            contract_values,
            companies,
            contracts,
            tags,
        }
    }

    /// Company and contract cards by slug, for template lookups.
    pub(super) fn lookups(&self) -> functions::Lookups {
        let companies = self
            .companies
            .iter()
            .zip(&self.company_values)
            .map(|(c, v)| (c.slug, v.value().clone()));
        let contracts = self
            .contracts
            .iter()
            .zip(&self.contract_values)
            .map(|(c, v)| (c.slug, v.value().clone()));
        functions::Lookups::new(companies, contracts)
    }

    pub(super) fn briefs(&self, ids: &[BriefId]) -> Vec<Shared<'_, BriefCard<'a>>> {
        ids.iter().map(|id| self.brief(*id)).collect()
    }

    pub(super) fn brief(&self, id: BriefId) -> Shared<'_, BriefCard<'a>> {
        Shared::new(&self.brief_values[id.index()])
    }

    pub(super) fn contract(&self, id: ContractId) -> Shared<'_, ContractCard<'a>> {
        Shared::new(&self.contract_values[id.index()])
    }

    pub(super) fn company(&self, id: CompanyId) -> Shared<'_, CompanyCard<'a>> {
        Shared::new(&self.company_values[id.index()])
    }
}

fn brief_card(site: &Site, id: BriefId) -> BriefCard<'_> {
    let (c, base) = (&site.catalog, &site.config.base_url);
    let b = &c.briefs[id.index()];
    let path = UrlPath::brief(&b.slug);
    BriefCard {
        title: &b.title,
        slug: b.slug.as_str(),
        url: base.url(&path),
        permalink: base.abs_url(&path),
        date: DateView::new(&b.date),
        updated: b.updated.as_ref().map(DateView::new),
        summary: b
            .summary
            .as_deref()
            .unwrap_or(&site.bodies.briefs[id.index()].first_paragraph),
        author: b.author.as_deref().or(site.config.author.as_deref()),
        companies: b.companies.iter().map(|k| company_link(site, *k)).collect(),
        contracts: b.contracts.iter().map(|k| contract_link(site, *k)).collect(),
        tags: b
            .tags
            .iter()
            .map(|t| {
                let tag = &c.tags[t.index()];
                LinkView {
                    name: &tag.name,
                    url: base.url(&UrlPath::tag(&tag.slug)),
                }
            })
            .collect(),
    }
}

fn company_card(site: &Site, id: CompanyId) -> CompanyCard<'_> {
    let (i, co) = (id.index(), &site.catalog.companies[id.index()]);
    CompanyCard {
        name: &co.name,
        slug: co.slug.as_str(),
        url: site.config.base_url.url(&UrlPath::company(&co.slug)),
        ticker: co.ticker.as_deref(),
        headquarters: co.headquarters.as_deref(),
        brief_count: site.links.company_briefs[i].len(),
        contract_count: site.links.company_contracts[i].len(),
        latest: latest(site, &site.links.company_briefs[i]),
        stub: matches!(co.origin, Origin::Stub(_)),
    }
}

fn contract_card(site: &Site, id: ContractId) -> ContractCard<'_> {
    let (i, k) = (id.index(), &site.catalog.contracts[id.index()]);
    ContractCard {
        name: &k.name,
        slug: k.slug.as_str(),
        url: site.config.base_url.url(&UrlPath::contract(&k.slug)),
        aliases: &k.aliases,
        agency: k.agency.as_deref(),
        value: k.value.as_ref().map(MoneyView::new),
        status: k.status,
        awardees: k.awarded_to.iter().map(|co| company_link(site, *co)).collect(),
        brief_count: site.links.contract_briefs[i].len(),
        latest: latest(site, &site.links.contract_briefs[i]),
        stub: matches!(k.origin, Origin::Stub(_)),
    }
}

fn tag_card(site: &Site, id: TagId) -> TagCard<'_> {
    let base = &site.config.base_url;
    let t = &site.catalog.tags[id.index()];
    let path = UrlPath::tag(&t.slug);
    TagCard {
        name: &t.name,
        slug: t.slug.as_str(),
        url: base.url(&path),
        feed_url: base.url(&UrlPath::feed_in(&path)),
        count: site.links.tag_briefs[id.index()].len(),
    }
}

fn company_link(site: &Site, id: CompanyId) -> LinkView<'_> {
    let company = &site.catalog.companies[id.index()];
    LinkView {
        name: &company.name,
        url: site.config.base_url.url(&UrlPath::company(&company.slug)),
    }
}

fn contract_link(site: &Site, id: ContractId) -> LinkView<'_> {
    let contract = &site.catalog.contracts[id.index()];
    LinkView {
        name: &contract.name,
        url: site.config.base_url.url(&UrlPath::contract(&contract.slug)),
    }
}

/// The date of the newest of `briefs` (newest first).
fn latest(site: &Site, briefs: &[BriefId]) -> Option<DateView> {
    briefs
        .first()
        .map(|b| DateView::new(&site.catalog.briefs[b.index()].date))
}
