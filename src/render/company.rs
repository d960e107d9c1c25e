//! What a company adds to the entity pages: ticker, headquarters and
//! contract count on its card; aliases, website, feed and awarded contracts
//! on its page; an `Organization` node.

use crate::model::{Companies, Company, Site};
use crate::routes::UrlPath;

use super::cards::{Cards, EntityCards};
use super::entity::RenderKind;
use super::jsonld;
use super::picture::{self, Cut};
use super::renderer::Renderer;
use super::views::{CompanyFacts, CompanyPageFacts};
use crate::media::image::Role;

impl RenderKind for Companies {
    type Card<'a> = CompanyFacts<'a>;
    type Page<'a> = CompanyPageFacts<'a>;

    fn card(site: &Site, index: usize) -> CompanyFacts<'_> {
        let co = &site.catalog.companies[index].fields;
        CompanyFacts {
            ticker: co.ticker.as_deref(),
            headquarters: co.headquarters.as_deref(),
            contract_count: site.links.company_contracts[index].len(),
            image: (co.image.as_ref()).map(|i| picture::view(site, i, Role::Logo, Cut::Whole)),
        }
    }

    fn cards<'c, 'a>(cards: &'c Cards<'a>) -> &'c EntityCards<'a, CompanyFacts<'a>> {
        &cards.companies
    }

    fn page<'a>(renderer: &Renderer<'a>, index: usize, _: &UrlPath) -> CompanyPageFacts<'a> {
        let co = &renderer.site.catalog.companies[index];
        CompanyPageFacts {
            aliases: &co.aliases,
            website: co.fields.website.as_deref(),
            contracts: renderer.site.links.company_contracts[index]
                .iter()
                .map(|k| renderer.cards.contract(*k))
                .collect(),
        }
    }

    fn description(company: &Company) -> String {
        format!("Briefs about {}", company.name)
    }

    fn json_ld(company: &Company, permalink: &str) -> Option<String> {
        Some(jsonld::company(
            &company.name,
            permalink.to_owned(),
            &company.aliases,
            company.fields.website.as_deref(),
            company.fields.ticker.as_deref(),
        ))
    }
}
