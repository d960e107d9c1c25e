//! What a contract adds to the entity pages: aliases, agency, value,
//! status and awardees on its card; its timeline (its own events and the
//! briefs about it, oldest first) on its page.

use crate::model::links::TimelineEntry;
use crate::model::{Companies, Contract, Contracts, Site};
use crate::routes::UrlPath;

use super::cards::{Cards, EntityCards, entity_link};
use super::entity::RenderKind;
use super::renderer::Renderer;
use super::views::{ContractFacts, ContractPageFacts, DateView, MoneyView, TimelineItem};

impl RenderKind for Contracts {
    type Card<'a> = ContractFacts<'a>;
    type Page<'a> = ContractPageFacts<'a>;

    fn card(site: &Site, index: usize) -> ContractFacts<'_> {
        let k = &site.catalog.contracts[index];
        ContractFacts {
            aliases: &k.aliases,
            agency: k.fields.agency.as_deref(),
            value: k.fields.value.as_ref().map(MoneyView::new),
            status: k.fields.status,
            awardees: (k.fields.awarded_to.iter())
                .map(|co| entity_link::<Companies>(site, co.index()))
                .collect(),
        }
    }

    fn cards<'c, 'a>(cards: &'c Cards<'a>) -> &'c EntityCards<'a, ContractFacts<'a>> {
        &cards.contracts
    }

    fn page<'a>(renderer: &Renderer<'a>, index: usize, _: &UrlPath) -> ContractPageFacts<'a> {
        let (site, cards) = (renderer.site, renderer.cards);
        let k = &site.catalog.contracts[index];
        let timeline = cards.graph().timelines[index]
            .iter()
            .map(|entry| match entry {
                TimelineEntry::Event(i) => {
                    let e = &k.fields.timeline[*i];
                    TimelineItem {
                        date: DateView::new(&e.date),
                        event: Some(&e.event),
                        status: e.status,
                        brief: None,
                    }
                }
                TimelineEntry::Brief(b) => TimelineItem {
                    date: cards.card(*b).date.clone(),
                    event: None,
                    status: None,
                    brief: Some(cards.brief(*b)),
                },
            })
            .collect();
        ContractPageFacts { timeline }
    }

    fn description(contract: &Contract) -> String {
        match &contract.fields.agency {
            Some(agency) => format!("{}: a contract of the {agency}", contract.name),
            None => contract.name.clone(),
        }
    }

    fn json_ld(_: &Contract, _: &str) -> Option<String> {
        None
    }
}
