//! The link graph: every relation the pages show, derived once from the
//! catalog's declared references and the mentions found in bodies.
//!
//! Everything is linear in the number of references: briefs are visited in
//! id order (newest first), so lists built by pushing are already sorted.

use super::{Brief, BriefId, Byline, Catalog, ContractId, EntityKey};

/// One line of a contract's merged timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimelineEntry {
    /// The contract's own event, an index into its `timeline`.
    Event(usize),
    /// A brief about the contract, on the brief's date.
    Brief(BriefId),
}

/// Relations derived from references, indexed by the catalog's ids.
#[derive(Debug, Default, Clone)]
pub struct Links {
    /// Briefs naming or mentioning each company, newest first.
    pub company_briefs: Vec<Vec<BriefId>>,
    /// Briefs naming or mentioning each contract, newest first.
    pub contract_briefs: Vec<Vec<BriefId>>,
    /// Briefs each author wrote (their bylines), newest first.
    pub author_briefs: Vec<Vec<BriefId>>,
    /// Briefs of each tag, newest first.
    pub tag_briefs: Vec<Vec<BriefId>>,
    /// Related briefs of each brief, declared by either side, newest first.
    pub related: Vec<Vec<BriefId>>,
    /// Briefs whose body links to each brief, newest first.
    pub mentioned_in: Vec<Vec<BriefId>>,
    /// Contracts awarded to each company.
    pub company_contracts: Vec<Vec<ContractId>>,
    /// Each contract's events and briefs, oldest first.
    pub timelines: Vec<Vec<TimelineEntry>>,
}

/// Derives the graph. `mentions[i]` holds what brief `i`'s body links to.
pub fn derive(catalog: &Catalog, mentions: &[Vec<EntityKey>]) -> Links {
    let briefs: Vec<&Brief> = catalog.briefs.iter().collect();
    derive_over(catalog, &briefs, mentions)
}

/// [`derive`] with `briefs` in the place of the catalog's (as many, in the
/// same order): a `serve` session's, after it put briefs whose references
/// were edited in the place of the catalog's.
pub fn derive_over(catalog: &Catalog, briefs: &[&Brief], mentions: &[Vec<EntityKey>]) -> Links {
    let mut links = Links {
        company_briefs: vec![Vec::new(); catalog.companies.len()],
        contract_briefs: vec![Vec::new(); catalog.contracts.len()],
        author_briefs: vec![Vec::new(); catalog.authors.len()],
        tag_briefs: vec![Vec::new(); catalog.tags.len()],
        related: vec![Vec::new(); catalog.briefs.len()],
        mentioned_in: vec![Vec::new(); catalog.briefs.len()],
        company_contracts: vec![Vec::new(); catalog.companies.len()],
        timelines: Vec::with_capacity(catalog.contracts.len()),
    };
    for (index, brief) in briefs.iter().enumerate() {
        let id = BriefId::new(index);
        let brief_mentions = mentions.get(index).map(Vec::as_slice).unwrap_or_default();
        let mentioned_companies = brief_mentions.iter().filter_map(|k| match k {
            EntityKey::Company(c) => Some(*c),
            _ => None,
        });
        for company in brief.companies.iter().copied().chain(mentioned_companies) {
            push_once(&mut links.company_briefs[company.index()], id);
        }
        let mentioned_contracts = brief_mentions.iter().filter_map(|k| match k {
            EntityKey::Contract(c) => Some(*c),
            _ => None,
        });
        for contract in brief.contracts.iter().copied().chain(mentioned_contracts) {
            push_once(&mut links.contract_briefs[contract.index()], id);
        }
        for byline in &brief.authors {
            if let Byline::Author(author) = byline {
                push_once(&mut links.author_briefs[author.index()], id);
            }
        }
        for tag in &brief.tags {
            push_once(&mut links.tag_briefs[tag.index()], id);
        }
        for other in &brief.related {
            links.related[index].push(*other);
            links.related[other.index()].push(id);
        }
        for key in brief_mentions {
            if let EntityKey::Brief(other) = key
                && *other != id
            {
                push_once(&mut links.mentioned_in[other.index()], id);
            }
        }
    }
    for related in &mut links.related {
        related.sort_unstable();
        related.dedup();
    }
    for (index, contract) in catalog.contracts.iter().enumerate() {
        for company in &contract.fields.awarded_to {
            push_once(&mut links.company_contracts[company.index()], ContractId::new(index));
        }
        let mut timeline: Vec<TimelineEntry> = (0..contract.fields.timeline.len()).map(TimelineEntry::Event).collect();
        timeline.extend(
            links.contract_briefs[index]
                .iter()
                .rev()
                .map(|b| TimelineEntry::Brief(*b)),
        );
        timeline.sort_by(|a, b| {
            let date = |e: &TimelineEntry| match e {
                TimelineEntry::Event(i) => &contract.fields.timeline[*i].date,
                TimelineEntry::Brief(b) => &briefs[b.index()].date,
            };
            date(a).cmp(date(b))
        });
        links.timelines.push(timeline);
    }
    links
}

/// Pushes `id` unless it is already the last element (lists are built in order).
fn push_once<T: PartialEq + Copy>(list: &mut Vec<T>, id: T) {
    if list.last() != Some(&id) {
        list.push(id);
    }
}
