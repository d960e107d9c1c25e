//! The search page and its index (issue 17): the site's briefs, companies,
//! contracts and authors handed to [`crate::search`] as documents, built
//! from the cards every listing already uses and the word counts the
//! Markdown stage kept, and the page `/search/` through the theme's
//! `search.html`.

use serde::Serialize;

use crate::diag::EnvError;
use crate::markdown::RenderedBody;
use crate::model::{AuthorId, BriefId, Byline, CompanyId, ContractId, Owner, Site};
use crate::routes::UrlPath;
use crate::search::{self, Document, FilterKind, FilterValue};

use super::cards::{Cards, EntityCards};
use super::renderer::{ListingPage, PageResult, Renderer};
use super::stage::{BodyOverlay, Contents, OutputFile};

/// The template of the search page.
pub const SEARCH_TEMPLATE: &str = "search.html";

/// The manifest's output path, under the output folder.
pub const MANIFEST_PATH: &str = "search/index.json";

/// The origin of every index file, in messages (and how a `serve`
/// session tells them from pages).
pub const INDEX_ORIGIN: &str = "the search index";

/// The search page's folder, under the base path.
pub fn section() -> UrlPath {
    UrlPath::fixed("search/")
}

/// What `search.html` sees besides `page`.
#[derive(Serialize)]
struct SearchPage {
    search: SearchView,
}

/// The index the page's script reads.
#[derive(Serialize)]
struct SearchView {
    /// The manifest's URL under the base path (`/repo/search/index.json`).
    index_url: String,
}

impl Renderer<'_> {
    /// The search page.
    pub(super) fn search_page(&self) -> PageResult {
        let path = section();
        let meta = self.meta(
            "search",
            &path,
            "Search".to_owned(),
            format!(
                "Search every brief, company, contract and author of {}",
                self.site.config.title
            ),
        );
        let view = ListingPage {
            page: meta,
            data: SearchPage {
                search: SearchView {
                    index_url: self.base().url(&UrlPath::fixed(MANIFEST_PATH)),
                },
            },
        };
        self.page(SEARCH_TEMPLATE, &path, &view)
    }
}

/// The index files of `site`, under `/search/`, with the bodies of
/// `overlay` (a `serve` session's edits) over the site's own, handed to
/// `sink` in batches as they are made.
pub fn index_files(
    site: &Site,
    cards: &Cards<'_>,
    overlay: Option<&BodyOverlay>,
    sink: &mut dyn FnMut(Vec<OutputFile>) -> Result<(), EnvError>,
) -> Result<(), EnvError> {
    let c = &site.catalog;
    let body = |owner: Owner| -> &RenderedBody {
        overlay
            .and_then(|o| o.get(&owner))
            .map_or_else(|| site.bodies.get(owner), |b| &**b)
    };
    let mut filters = Vec::new();
    let mut add = |kind: FilterKind, slug: &str, name: &str| {
        filters.push(FilterValue {
            kind,
            slug: slug.to_owned(),
            name: name.to_owned(),
        });
        filters.len() - 1
    };
    let companies: Vec<usize> = (c.companies.iter())
        .map(|e| add(FilterKind::Company, e.slug.as_str(), &e.name))
        .collect();
    let contracts: Vec<usize> = (c.contracts.iter())
        .map(|e| add(FilterKind::Contract, e.slug.as_str(), &e.name))
        .collect();
    let authors: Vec<usize> = (c.authors.iter())
        .map(|e| add(FilterKind::Author, e.slug.as_str(), &e.name))
        .collect();
    let tags: Vec<usize> = (c.tags.iter())
        .map(|t| add(FilterKind::Tag, t.slug.as_str(), &t.name))
        .collect();
    let mut years: Vec<i16> = c.briefs.iter().map(|b| b.date.day().year()).collect();
    years.sort_unstable();
    years.dedup();
    let year_filters: Vec<(i16, usize)> = (years.iter())
        .map(|&y| (y, add(FilterKind::Year, &y.to_string(), &y.to_string())))
        .collect();
    let year_filter = |year: i16| {
        let at = year_filters.partition_point(|(y, _)| *y < year);
        year_filters[at].1
    };

    let mut documents = Vec::with_capacity(c.briefs.len() + c.companies.len() + c.contracts.len() + c.authors.len());
    // Typed: a `serve` session's cards make those of briefs it moved.
    let typed: Vec<_> = (0..cards.models().len()).map(|i| cards.card(BriefId::new(i))).collect();
    for (i, card) in typed.iter().enumerate() {
        let brief = cards.model(BriefId::new(i));
        let mut names: Vec<&str> = Vec::new();
        names.extend(
            card.companies
                .iter()
                .chain(&card.contracts)
                .chain(&card.tags)
                .map(|l| l.name),
        );
        names.extend(card.authors.iter().map(|a| a.name));
        let mut keeps: Vec<usize> = Vec::new();
        keeps.extend(brief.companies.iter().map(|id| companies[id.index()]));
        keeps.extend(brief.contracts.iter().map(|id| contracts[id.index()]));
        keeps.extend(brief.authors.iter().filter_map(|b| match b {
            Byline::Author(id) => Some(authors[id.index()]),
            Byline::Name(_) => None,
        }));
        keeps.extend(brief.tags.iter().map(|id| tags[id.index()]));
        keeps.push(year_filter(brief.date.day().year()));
        documents.push(Document {
            title: card.title,
            url: &card.url,
            kicker: card.tags.first().map_or("", |t| t.name),
            date: &card.date.display,
            summary: card.summary,
            names,
            captions: (brief.image.iter())
                .flat_map(|image| std::iter::once(image.alt.as_str()).chain(image.caption.as_deref()))
                .collect(),
            body: &body(Owner::Brief(BriefId::new(i))).words,
            filters: keeps,
        });
    }
    type OwnerOf = fn(usize) -> Owner;
    let kinds: [(_, _, _, OwnerOf); 3] = [
        (
            entities(&cards.companies, c.companies.iter().map(|e| &e.aliases[..])),
            "Company",
            &companies,
            |i| Owner::Company(CompanyId::new(i)),
        ),
        (
            entities(&cards.contracts, c.contracts.iter().map(|e| &e.aliases[..])),
            "Contract",
            &contracts,
            |i| Owner::Contract(ContractId::new(i)),
        ),
        (
            entities(&cards.authors, c.authors.iter().map(|e| &e.aliases[..])),
            "Author",
            &authors,
            |i| Owner::Author(AuthorId::new(i)),
        ),
    ];
    for (items, kind, filters, owner) in kinds {
        for (i, (name, url, aliases)) in items.into_iter().enumerate() {
            let body = body(owner(i));
            documents.push(Document {
                title: name,
                url,
                kicker: kind,
                date: "",
                summary: &body.first_paragraph,
                names: aliases.iter().map(String::as_str).collect(),
                captions: Vec::new(),
                body: &body.words,
                filters: vec![filters[i]],
            });
        }
    }

    search::build_into(&documents, &filters, &site.config.language, &mut |files| {
        sink(
            files
                .into_iter()
                .map(|file| OutputFile {
                    path: UrlPath::from_static(&format!("search/{}", file.path)).output_file(),
                    contents: Contents::Bytes(file.bytes),
                    origin: INDEX_ORIGIN.to_owned(),
                })
                .collect(),
        )
    })
}

/// Each entity of a kind: its name, URL and aliases.
fn entities<'a, X>(
    cards: &'a EntityCards<'a, X>,
    aliases: impl Iterator<Item = &'a [String]>,
) -> Vec<(&'a str, &'a str, &'a [String])> {
    (cards.cards.iter().zip(aliases))
        .map(|(card, aliases)| (card.name, card.url.as_str(), aliases))
        .collect()
}
