//! The render stage: the site through Tera templates into output files.
//!
//! Builds each entity's card once, then renders every page in parallel with
//! one shared `Tera`; the site-wide `site` view lives in Tera's global
//! context so it is serialized once, not per page. The only place rendered
//! Markdown is marked safe is the theme's `| safe` on `content` fields.
//! Feeds and the sitemap skip Tera while their templates are the built-in
//! ones (`builtin.rs`).

mod builtin;
pub mod fingerprint;
pub mod functions;
pub mod jsonld;
pub mod partials;
pub mod theme;
pub mod views;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use rayon::prelude::*;
use serde::Serialize;
use tera::{Context, Tera};

use crate::diag::{Diagnostic, Diagnostics, EnvError, Position};
use crate::markdown::RenderedBody;
use crate::model::links::TimelineEntry;
use crate::model::routes::{BaseUrl, OutputPath, UrlPath};
use crate::model::{BriefId, CompanyId, ContractId, Origin, Owner, PageId, Site, TagId};
use fingerprint::Fingerprint;
use theme::{Asset, TemplateSource, Theme};
use views::*;

/// Templates every theme must provide (feeds and sitemap are built in).
pub const REQUIRED_TEMPLATES: [&str; 10] = [
    "index.html",
    "brief.html",
    "company.html",
    "companies.html",
    "contract.html",
    "contracts.html",
    "tag.html",
    "tags.html",
    "page.html",
    "404.html",
];

/// One file of the output, in memory or to be copied.
#[derive(Debug)]
pub struct OutputFile {
    /// Where it goes.
    pub path: OutputPath,
    /// What goes there.
    pub contents: Contents,
    /// What produced it, for collision messages.
    pub origin: String,
}

/// The bytes of an output file.
#[derive(Debug)]
pub enum Contents {
    /// Rendered in memory.
    Bytes(Vec<u8>),
    /// A theme or site asset.
    Asset(Asset),
}

/// Compiles the theme's templates with dossier's functions registered (in an
/// `Arc`, which `render_partial` reaches weakly).
pub fn compile(
    theme: &Theme,
    base: &BaseUrl,
    site: &SiteView<'_>,
    cards: &Cards<'_>,
) -> Result<Arc<Tera>, Diagnostics> {
    let mut tera = Tera::default();
    tera.set_escape_fn(escape_text);
    functions::register(&mut tera, base);
    functions::register_lookups(&mut tera, cards.lookups());
    let partials = partials::Partials::register(&mut tera);
    tera.global_context().insert("site", site);
    let sources = theme.templates.iter().map(|t| (t.name.as_str(), t.text.as_str()));
    if let Err(e) = tera.add_raw_templates(sources) {
        let reports = text_reports(&e.to_string(), &theme.templates);
        return Err(if reports.is_empty() {
            std::iter::once(template_error(&e, &theme.templates, None)).collect()
        } else {
            reports
        });
    }
    let missing: Diagnostics = REQUIRED_TEMPLATES
        .iter()
        .filter(|name| !tera.contains_template(name))
        .map(|name| {
            Diagnostic::error(crate::config::FILE_NAME, format!("the theme has no template '{name}'"))
                .with_help("add it to the theme's templates/ folder or to the site's templates/")
        })
        .collect();
    if !missing.is_empty() {
        return Err(missing);
    }
    let tera = Arc::new(tera);
    partials.ready(&tera);
    Ok(tera)
}

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

/// Pages rendered per batch handed to the sink: enough to keep both cores
/// busy, few enough that a 100,000-brief site never holds all its pages.
const BATCH: usize = 128;

/// Why rendering stopped.
#[derive(Debug)]
pub enum RenderError {
    /// Templates failed (every distinct error, deduplicated).
    Templates(Diagnostics),
    /// The sink (the writer) failed.
    Sink(EnvError),
}

/// The fingerprints of a build's pages, so that the next build of the same
/// site (in `serve`) renders only the pages whose inputs changed.
#[derive(Debug, Default, Clone)]
pub struct PageMemo {
    /// What every page shares: templates, configuration, global context.
    global: Fingerprint,
    /// Each page's own view, by output path.
    pages: HashMap<OutputPath, Fingerprint>,
}

impl PageMemo {
    /// The fingerprint of what every page of `site` shares: the templates,
    /// the configuration, the `site` view and the lookup tables.
    pub fn global(site: &Site, theme: &Theme, site_view: &SiteView<'_>, cards: &Cards<'_>) -> Fingerprint {
        let config = format!("{:?}", site.config);
        let site_view = Fingerprint::of(site_view).unwrap_or_default().to_bytes();
        let lookups: Vec<[u8; 16]> = (cards.company_values.iter().chain(&cards.contract_values))
            .map(|c| c.fingerprint().to_bytes())
            .collect();
        let templates = theme
            .templates
            .iter()
            .flat_map(|t| [t.name.as_bytes(), t.text.as_bytes()]);
        Fingerprint::of_parts(
            [config.as_bytes(), site_view.as_slice()]
                .into_iter()
                .chain(templates)
                .chain(lookups.iter().map(|l| l.as_slice())),
        )
    }
}

/// What to do about pages whose inputs did not change.
#[derive(Debug, Clone, Copy)]
pub enum Reuse<'a> {
    /// Render every page, remember nothing (`build`, `check`).
    Never,
    /// Fingerprint every page; skip those equal in `previous` (`serve`).
    Unchanged {
        /// This build's global fingerprint.
        global: Fingerprint,
        /// The last good build's fingerprints.
        previous: &'a PageMemo,
    },
}

/// What rendering produced besides the files handed to the sink.
#[derive(Debug, Default)]
pub struct Rendered {
    /// Pages and feeds rendered through a template.
    pub rendered: usize,
    /// Pages not rendered because the previous build's file is still right.
    pub kept: Vec<(OutputPath, String)>,
    /// This build's fingerprints, under [`Reuse::Unchanged`].
    pub memo: Option<PageMemo>,
}

/// Renders every page, feed and hosting file, plus the theme's assets, and
/// hands them to `sink` in bounded batches, in a deterministic order.
///
/// After the first template error nothing more is handed to the sink, but
/// rendering goes on so that every broken template is reported.
pub fn render(
    site: &Site,
    tera: &Tera,
    theme: &Theme,
    cards: &Cards<'_>,
    syntax_css: String,
    reuse: Reuse<'_>,
    sink: &mut dyn FnMut(Vec<OutputFile>) -> Result<(), EnvError>,
) -> Result<Rendered, RenderError> {
    let empty = PageMemo::default();
    let previous = match reuse {
        Reuse::Never => None,
        Reuse::Unchanged { global, previous } if previous.global == global => Some(previous),
        Reuse::Unchanged { .. } => Some(&empty),
    };
    let renderer = Renderer::new(site, tera, theme, cards, None, previous);
    let mut memo = match reuse {
        Reuse::Never => None,
        Reuse::Unchanged { global, .. } => Some(PageMemo {
            global,
            pages: HashMap::new(),
        }),
    };
    let mut kept = Vec::new();
    let mut rendered = 0;
    let mut diagnostics = Diagnostics::default();
    let mut seen = HashSet::new();
    for batch in renderer.jobs().chunks(BATCH) {
        let results: Vec<Result<PageOutput, Diagnostic>> = batch.par_iter().map(|job| renderer.render(job)).collect();
        let mut files = Vec::with_capacity(results.len());
        for result in results {
            match result {
                Ok(PageOutput::Rendered { file, fingerprint }) => {
                    if let (Some(memo), Some(fingerprint)) = (&mut memo, fingerprint) {
                        memo.pages.insert(file.path.clone(), fingerprint);
                    }
                    rendered += 1;
                    files.push(file);
                }
                Ok(PageOutput::Kept {
                    path,
                    origin,
                    fingerprint,
                }) => {
                    if let Some(memo) = &mut memo {
                        memo.pages.insert(path.clone(), fingerprint);
                    }
                    kept.push((path, origin));
                }
                Err(d) if seen.insert((d.path.clone(), d.position, d.message.clone())) => diagnostics.push(d),
                Err(_) => {}
            }
        }
        if diagnostics.is_empty() {
            sink(files).map_err(RenderError::Sink)?;
        }
    }
    if !diagnostics.is_empty() {
        return Err(RenderError::Templates(diagnostics));
    }
    let mut files = renderer.hosting_files(syntax_css);
    files.extend(theme.static_files.iter().map(|s| OutputFile {
        path: UrlPath::from_static(&s.relative).output_file(),
        contents: Contents::Asset(s.asset.clone()),
        origin: s.origin.display().to_string(),
    }));
    sink(files).map_err(RenderError::Sink)?;
    Ok(Rendered { rendered, kept, memo })
}

/// Bodies rendered again since their site was prepared: what a `serve`
/// session's quick rebuilds lay over the prepared site's own bodies.
pub type BodyOverlay = HashMap<Owner, RenderedBody>;

/// Renders again the pages that show the bodies of `owners`, reading bodies
/// from `overlay` first; updates `memo` with their new fingerprints.
///
/// The site must be the one `memo` was made for, with only those bodies
/// changed: everything else on every other page is as it was. Pages whose
/// fingerprint did not change are left out of the result.
///
/// The caller must be sure of that; `pipeline::Session` checks it before
/// it calls this.
pub fn rerender(
    site: &Site,
    tera: &Tera,
    theme: &Theme,
    cards: &Cards<'_>,
    overlay: &BodyOverlay,
    owners: &[Owner],
    memo: &mut PageMemo,
) -> Result<Vec<OutputFile>, Diagnostics> {
    let renderer = Renderer::new(site, tera, theme, cards, Some(overlay), Some(memo));
    let mut jobs: Vec<Job> = owners.iter().flat_map(|o| renderer.jobs_showing_body(*o)).collect();
    jobs.sort_unstable();
    jobs.dedup();
    let results: Vec<_> = jobs.par_iter().map(|job| renderer.render(job)).collect();
    let mut files = Vec::new();
    let mut fingerprints = Vec::new();
    let mut diagnostics = Diagnostics::default();
    for result in results {
        match result {
            Ok(PageOutput::Rendered { file, fingerprint }) => {
                fingerprints.extend(fingerprint.map(|f| (file.path.clone(), f)));
                files.push(file);
            }
            Ok(PageOutput::Kept { .. }) => {}
            Err(d) => diagnostics.push(d),
        }
    }
    if !diagnostics.is_empty() {
        return Err(diagnostics);
    }
    memo.pages.extend(fingerprints);
    Ok(files)
}

/// A page rendered, or known unchanged since the previous build.
enum PageOutput {
    Rendered {
        file: OutputFile,
        /// Under [`Reuse::Unchanged`].
        fingerprint: Option<Fingerprint>,
    },
    Kept {
        path: OutputPath,
        origin: String,
        fingerprint: Fingerprint,
    },
}

/// Cards of every entity, built once and borrowed by every page (and by
/// `get_company`/`get_contract` in templates).
pub struct Cards<'a> {
    briefs: Vec<BriefCard<'a>>,
    brief_values: Vec<Cached>,
    company_values: Vec<Cached>,
    contract_values: Vec<Cached>,
    companies: Vec<CompanyCard<'a>>,
    contracts: Vec<ContractCard<'a>>,
    tags: Vec<TagCard<'a>>,
}

impl<'a> Cards<'a> {
    /// Builds every card of the site; with their fingerprints if pages will
    /// be fingerprinted.
    pub fn build(site: &'a Site, fingerprints: bool) -> Cards<'a> {
        let c = &site.catalog;
        let base = &site.config.base_url;
        let company_link = |id: &CompanyId| {
            let company = &c.companies[id.index()];
            LinkView {
                name: &company.name,
                url: base.url(&UrlPath::company(&company.slug)),
            }
        };
        let contract_link = |id: &ContractId| {
            let contract = &c.contracts[id.index()];
            LinkView {
                name: &contract.name,
                url: base.url(&UrlPath::contract(&contract.slug)),
            }
        };
        let latest = |briefs: &[BriefId]| briefs.first().map(|b| DateView::new(&c.briefs[b.index()].date));
        let briefs: Vec<BriefCard> = c
            .briefs
            .par_iter()
            .enumerate()
            .map(|(i, b)| {
                let path = UrlPath::brief(&b.slug);
                BriefCard {
                    title: &b.title,
                    slug: b.slug.as_str(),
                    url: base.url(&path),
                    permalink: base.abs_url(&path),
                    date: DateView::new(&b.date),
                    updated: b.updated.as_ref().map(DateView::new),
                    summary: b.summary.as_deref().unwrap_or(&site.bodies.briefs[i].first_paragraph),
                    author: b.author.as_deref().or(site.config.author.as_deref()),
                    companies: b.companies.iter().map(company_link).collect(),
                    contracts: b.contracts.iter().map(contract_link).collect(),
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
            })
            .collect();
        let companies: Vec<CompanyCard> = c
            .companies
            .iter()
            .enumerate()
            .map(|(i, co)| CompanyCard {
                name: &co.name,
                slug: co.slug.as_str(),
                url: base.url(&UrlPath::company(&co.slug)),
                ticker: co.ticker.as_deref(),
                headquarters: co.headquarters.as_deref(),
                brief_count: site.links.company_briefs[i].len(),
                contract_count: site.links.company_contracts[i].len(),
                latest: latest(&site.links.company_briefs[i]),
                stub: matches!(co.origin, Origin::Stub(_)),
            })
            .collect();
        let contracts: Vec<ContractCard> = c
            .contracts
            .iter()
            .enumerate()
            .map(|(i, k)| ContractCard {
                name: &k.name,
                slug: k.slug.as_str(),
                url: base.url(&UrlPath::contract(&k.slug)),
                aliases: &k.aliases,
                agency: k.agency.as_deref(),
                value: k.value.as_ref().map(MoneyView::new),
                status: k.status,
                awardees: k.awarded_to.iter().map(company_link).collect(),
                brief_count: site.links.contract_briefs[i].len(),
                latest: latest(&site.links.contract_briefs[i]),
                stub: matches!(k.origin, Origin::Stub(_)),
            })
            .collect();
        let tags = c
            .tags
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let path = UrlPath::tag(&t.slug);
                TagCard {
                    name: &t.name,
                    slug: t.slug.as_str(),
                    url: base.url(&path),
                    feed_url: base.url(&UrlPath::feed_in(&path)),
                    count: site.links.tag_briefs[i].len(),
                }
            })
            .collect();
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
    fn lookups(&self) -> functions::Lookups {
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

    fn briefs(&self, ids: &[BriefId]) -> Vec<Shared<'_, BriefCard<'a>>> {
        ids.iter().map(|id| self.brief(*id)).collect()
    }

    fn brief(&self, id: BriefId) -> Shared<'_, BriefCard<'a>> {
        Shared::new(&self.brief_values[id.index()])
    }

    fn contract(&self, id: ContractId) -> Shared<'_, ContractCard<'a>> {
        Shared::new(&self.contract_values[id.index()])
    }

    fn company(&self, id: CompanyId) -> Shared<'_, CompanyCard<'a>> {
        Shared::new(&self.company_values[id.index()])
    }
}

/// The room a page's HTML starts with. At 1,000 briefs a fifth of the pages
/// (brief pages with long "Read more" lists, tag pages) pass 16 KiB and 2 %
/// pass 32 KiB; a batch holds at most 128 × 32 KiB of room it may not fill,
/// which the allocator does not touch until a page writes there.
const PAGE_CAPACITY: usize = 32 << 10;

/// One unit of rendering work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Job {
    Home { page: usize },
    Brief(BriefId),
    Company(CompanyId),
    Contract(ContractId),
    Tag { tag: TagId, page: usize },
    Page(PageId),
    Companies,
    Contracts,
    Tags,
    NotFound,
    SiteFeed,
    TagFeed(TagId),
    CompanyFeed(CompanyId),
    Sitemap,
}

struct Renderer<'a> {
    site: &'a Site,
    /// Bodies that replace the site's own.
    overlay: Option<&'a BodyOverlay>,
    /// Every brief, newest first: the home page listing.
    all_briefs: Vec<BriefId>,
    home_permalink: String,
    tera: &'a Tera,
    templates: &'a [TemplateSource],
    cards: &'a Cards<'a>,
    /// The previous build's fingerprints, when fingerprinting.
    previous: Option<&'a PageMemo>,
    /// Whether feeds use the built-in `atom.xml`, written without Tera.
    builtin_atom: bool,
    /// Whether the sitemap uses the built-in `sitemap.xml`.
    builtin_sitemap: bool,
}

#[derive(Serialize)]
struct ListingPage<T: Serialize> {
    page: PageMeta,
    #[serde(flatten)]
    data: T,
}

impl<'a> Renderer<'a> {
    fn new(
        site: &'a Site,
        tera: &'a Tera,
        theme: &'a Theme,
        cards: &'a Cards<'a>,
        overlay: Option<&'a BodyOverlay>,
        previous: Option<&'a PageMemo>,
    ) -> Renderer<'a> {
        Renderer {
            site,
            overlay,
            all_briefs: (0..site.catalog.briefs.len()).map(BriefId::new).collect(),
            home_permalink: site.config.base_url.abs_url(&UrlPath::home()),
            tera,
            templates: &theme.templates,
            cards,
            previous,
            builtin_atom: theme.is_builtin("atom.xml"),
            builtin_sitemap: theme.is_builtin("sitemap.xml"),
        }
    }

    /// The rendered body of `owner`: the one place pages read bodies, so
    /// that [`Renderer::jobs_showing_body`] can say which pages show one.
    fn body(&self, owner: Owner) -> &'a RenderedBody {
        match self.overlay.and_then(|o| o.get(&owner)) {
            Some(body) => body,
            None => self.site.bodies.get(owner),
        }
    }

    /// Every job that reads `owner`'s body through [`Renderer::body`]: its
    /// own page, and for a brief the site feed if it lists the brief (the
    /// only feed with full content). Cards show a brief's summary, never its
    /// body.
    fn jobs_showing_body(&self, owner: Owner) -> Vec<Job> {
        match owner {
            Owner::Brief(id) if id.index() < self.site.config.feed_limit.get() => vec![Job::Brief(id), Job::SiteFeed],
            Owner::Brief(id) => vec![Job::Brief(id)],
            Owner::Company(id) => vec![Job::Company(id)],
            Owner::Contract(id) => vec![Job::Contract(id)],
            Owner::Page(id) => vec![Job::Page(id)],
        }
    }

    fn base(&self) -> &BaseUrl {
        &self.site.config.base_url
    }

    fn publisher(&self) -> jsonld::Publisher<'_> {
        let origin = self.base().origin();
        jsonld::Publisher {
            name: &self.site.config.title,
            url: &self.home_permalink,
            origin,
        }
    }

    fn pages_of(&self, count: usize) -> usize {
        count.div_ceil(self.site.config.briefs_per_page.get()).max(1)
    }

    fn jobs(&self) -> Vec<Job> {
        let c = &self.site.catalog;
        let mut jobs = Vec::new();
        jobs.extend((1..=self.pages_of(c.briefs.len())).map(|page| Job::Home { page }));
        jobs.extend((0..c.briefs.len()).map(|i| Job::Brief(BriefId::new(i))));
        jobs.extend((0..c.companies.len()).map(|i| Job::Company(CompanyId::new(i))));
        jobs.extend((0..c.companies.len()).map(|i| Job::CompanyFeed(CompanyId::new(i))));
        jobs.extend((0..c.contracts.len()).map(|i| Job::Contract(ContractId::new(i))));
        for (i, briefs) in self.site.links.tag_briefs.iter().enumerate() {
            jobs.extend((1..=self.pages_of(briefs.len())).map(|page| Job::Tag {
                tag: TagId::new(i),
                page,
            }));
            jobs.push(Job::TagFeed(TagId::new(i)));
        }
        jobs.extend((0..c.pages.len()).map(|i| Job::Page(PageId::new(i))));
        jobs.extend([
            Job::Companies,
            Job::Contracts,
            Job::Tags,
            Job::NotFound,
            Job::SiteFeed,
            Job::Sitemap,
        ]);
        jobs
    }

    fn meta(&self, kind: &'static str, path: &UrlPath, title: String, description: String) -> PageMeta {
        PageMeta {
            title,
            description,
            url: self.base().url(path),
            permalink: self.base().abs_url(path),
            kind,
            feed_url: None,
            og_type: "website",
            article: None,
            json_ld: None,
        }
    }

    fn render(&self, job: &Job) -> Result<PageOutput, Diagnostic> {
        let site = self.site;
        let c = &site.catalog;
        let l = &site.links;
        let cards = self.cards;
        match *job {
            Job::Home { page } => {
                let path = UrlPath::paginated(&UrlPath::home(), page);
                let (briefs, pagination) = self.paginate(&UrlPath::home(), &self.all_briefs, page);
                let title = if page == 1 {
                    site.config.title.clone()
                } else {
                    format!("Page {page}")
                };
                let meta = self.meta("index", &path, title, site.config.description.clone());
                self.page(
                    "index.html",
                    &path,
                    &ListingPage {
                        page: meta,
                        data: Home { briefs, pagination },
                    },
                )
            }
            Job::Brief(id) => {
                let b = &c.briefs[id.index()];
                let card = &cards.briefs[id.index()];
                let path = UrlPath::brief(&b.slug);
                let view = BriefView {
                    card: Fields(cards.brief(id)),
                    content: &self.body(Owner::Brief(id)).html,
                    contract_facts: b.contracts.iter().map(|k| cards.contract(*k)).collect(),
                    sources: b
                        .sources
                        .iter()
                        .map(|s| SourceView {
                            name: &s.name,
                            url: &s.url,
                        })
                        .collect(),
                    corrections: b
                        .corrections
                        .iter()
                        .map(|k| CorrectionView {
                            date: DateView::new(&k.date),
                            note: &k.note,
                        })
                        .collect(),
                    related: cards.briefs(&l.related[id.index()]),
                    mentioned_in: cards.briefs(&l.mentioned_in[id.index()]),
                    source_path: b.path.display().to_string(),
                    extra: &b.extra,
                };
                let mut meta = self.meta("brief", &path, b.title.clone(), card.summary.to_owned());
                meta.og_type = "article";
                meta.article = Some(ArticleMeta {
                    published_time: card.date.rfc3339.clone(),
                    modified_time: card.updated.as_ref().unwrap_or(&card.date).rfc3339.clone(),
                    tags: card.tags.iter().map(|t| t.name.to_owned()).collect(),
                    author: card.author.map(str::to_owned),
                });
                meta.json_ld = Some(jsonld::brief(card, &view.sources, self.publisher()));
                self.page(
                    "brief.html",
                    &path,
                    &ListingPage {
                        page: meta,
                        data: BriefPage { brief: view },
                    },
                )
            }
            Job::Company(id) => {
                let co = &c.companies[id.index()];
                let path = UrlPath::company(&co.slug);
                let view = CompanyView {
                    card: Fields(cards.company(id)),
                    aliases: &co.aliases,
                    website: co.website.as_deref(),
                    content: &self.body(Owner::Company(id)).html,
                    feed_url: self.base().url(&UrlPath::feed_in(&path)),
                    contracts: l.company_contracts[id.index()]
                        .iter()
                        .map(|k| cards.contract(*k))
                        .collect(),
                    briefs: cards.briefs(&l.company_briefs[id.index()]),
                    extra: &co.extra,
                };
                let description = format!("Briefs about {}", co.name);
                let mut meta = self.meta("company", &path, co.name.clone(), description);
                meta.feed_url = Some(view.feed_url.clone());
                let website = co.website.as_deref();
                meta.json_ld = Some(jsonld::company(
                    &co.name,
                    meta.permalink.clone(),
                    &co.aliases,
                    website,
                    co.ticker.as_deref(),
                ));
                self.page(
                    "company.html",
                    &path,
                    &ListingPage {
                        page: meta,
                        data: CompanyPage { company: view },
                    },
                )
            }
            Job::Contract(id) => {
                let k = &c.contracts[id.index()];
                let path = UrlPath::contract(&k.slug);
                let timeline = l.timelines[id.index()]
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
                        TimelineEntry::Brief(b) => {
                            let card = &cards.briefs[b.index()];
                            TimelineItem {
                                date: card.date.clone(),
                                event: None,
                                brief: Some(cards.brief(*b)),
                            }
                        }
                    })
                    .collect();
                let view = ContractView {
                    card: Fields(cards.contract(id)),
                    content: &self.body(Owner::Contract(id)).html,
                    timeline,
                    briefs: cards.briefs(&l.contract_briefs[id.index()]),
                    extra: &k.extra,
                };
                let description = k
                    .agency
                    .as_ref()
                    .map_or_else(|| k.name.clone(), |a| format!("{}: a contract of the {a}", k.name));
                let meta = self.meta("contract", &path, k.name.clone(), description);
                self.page(
                    "contract.html",
                    &path,
                    &ListingPage {
                        page: meta,
                        data: ContractPage { contract: view },
                    },
                )
            }
            Job::Tag { tag, page } => {
                let t = &cards.tags[tag.index()];
                let base_path = UrlPath::tag(&c.tags[tag.index()].slug);
                let path = UrlPath::paginated(&base_path, page);
                let (briefs, pagination) = self.paginate(&base_path, &l.tag_briefs[tag.index()], page);
                let mut meta = self.meta(
                    "tag",
                    &path,
                    format!("Tagged “{}”", t.name),
                    format!("Briefs tagged {}", t.name),
                );
                meta.feed_url = Some(t.feed_url.clone());
                self.page(
                    "tag.html",
                    &path,
                    &ListingPage {
                        page: meta,
                        data: TagPage {
                            tag: t,
                            briefs,
                            pagination,
                        },
                    },
                )
            }
            Job::Page(id) => {
                let p = &c.pages[id.index()];
                let path = UrlPath::page(&p.slug);
                let view = FreePageView {
                    title: &p.title,
                    summary: p.summary.as_deref(),
                    content: &self.body(Owner::Page(id)).html,
                    extra: &p.extra,
                };
                let meta = self.meta("page", &path, p.title.clone(), p.summary.clone().unwrap_or_default());
                self.page(
                    "page.html",
                    &path,
                    &ListingPage {
                        page: meta,
                        data: FreePage { free_page: view },
                    },
                )
            }
            Job::Companies => {
                let path = UrlPath::fixed("companies/");
                let mut companies: Vec<&CompanyCard> = cards.companies.iter().collect();
                companies.sort_by(|a, b| {
                    a.name
                        .to_lowercase()
                        .cmp(&b.name.to_lowercase())
                        .then(a.slug.cmp(b.slug))
                });
                let mut by_activity = companies.clone();
                by_activity.sort_by(|a, b| {
                    b.brief_count.cmp(&a.brief_count).then_with(|| {
                        b.latest
                            .as_ref()
                            .map(|d| &d.rfc3339)
                            .cmp(&a.latest.as_ref().map(|d| &d.rfc3339))
                    })
                });
                let meta = self.meta(
                    "companies",
                    &path,
                    "Companies".to_owned(),
                    format!("Every company covered by {}", site.config.title),
                );
                self.page(
                    "companies.html",
                    &path,
                    &ListingPage {
                        page: meta,
                        data: CompaniesPage { companies, by_activity },
                    },
                )
            }
            Job::Contracts => {
                let path = UrlPath::fixed("contracts/");
                let mut contracts: Vec<&ContractCard> = cards.contracts.iter().collect();
                contracts.sort_by(|a, b| {
                    a.name
                        .to_lowercase()
                        .cmp(&b.name.to_lowercase())
                        .then(a.slug.cmp(b.slug))
                });
                let mut by_activity = contracts.clone();
                by_activity.sort_by(|a, b| {
                    b.brief_count.cmp(&a.brief_count).then_with(|| {
                        b.latest
                            .as_ref()
                            .map(|d| &d.rfc3339)
                            .cmp(&a.latest.as_ref().map(|d| &d.rfc3339))
                    })
                });
                let meta = self.meta(
                    "contracts",
                    &path,
                    "Contracts".to_owned(),
                    format!("Every contract covered by {}", site.config.title),
                );
                self.page(
                    "contracts.html",
                    &path,
                    &ListingPage {
                        page: meta,
                        data: ContractsPage { contracts, by_activity },
                    },
                )
            }
            Job::Tags => {
                let path = UrlPath::fixed("tags/");
                let meta = self.meta(
                    "tags",
                    &path,
                    "Tags".to_owned(),
                    format!("Every tag used on {}", site.config.title),
                );
                self.page(
                    "tags.html",
                    &path,
                    &ListingPage {
                        page: meta,
                        data: TagsPage {
                            tags: cards.tags.iter().collect(),
                        },
                    },
                )
            }
            Job::NotFound => {
                let path = UrlPath::fixed("404.html");
                let meta = self.meta("404", &path, "Page not found".to_owned(), String::new());
                self.page(
                    "404.html",
                    &path,
                    &ListingPage {
                        page: meta,
                        data: NotFound {},
                    },
                )
            }
            Job::SiteFeed => {
                let ids: Vec<BriefId> = (0..c.briefs.len().min(site.config.feed_limit.get()))
                    .map(BriefId::new)
                    .collect();
                self.feed(&UrlPath::home(), site.config.title.clone(), &ids, true)
            }
            Job::TagFeed(tag) => {
                let t = &c.tags[tag.index()];
                let title = format!("{}: {}", site.config.title, t.name);
                self.feed(&UrlPath::tag(&t.slug), title, &l.tag_briefs[tag.index()], false)
            }
            Job::CompanyFeed(id) => {
                let co = &c.companies[id.index()];
                let title = format!("{}: {}", site.config.title, co.name);
                self.feed(&UrlPath::company(&co.slug), title, &l.company_briefs[id.index()], false)
            }
            Job::Sitemap => self.sitemap(),
        }
    }

    fn paginate(&self, base: &UrlPath, ids: &[BriefId], page: usize) -> (Vec<Shared<'a, BriefCard<'a>>>, Pagination) {
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

    fn feed(
        &self,
        folder: &UrlPath,
        title: String,
        ids: &[BriefId],
        full_content: bool,
    ) -> Result<PageOutput, Diagnostic> {
        let site = self.site;
        let limit = site.config.feed_limit.get();
        let entries: Vec<FeedEntry> = ids
            .iter()
            .take(limit)
            .map(|id| {
                let b = &site.catalog.briefs[id.index()];
                let latest = std::iter::once(&b.date)
                    .chain(&b.updated)
                    .chain(b.corrections.iter().map(|c| &c.date))
                    .max()
                    .unwrap_or(&b.date);
                FeedEntry {
                    brief: self.cards.brief(*id),
                    card: &self.cards.briefs[id.index()],
                    updated: latest.rfc3339(),
                    content: if full_content {
                        &self.body(Owner::Brief(*id)).html
                    } else {
                        ""
                    },
                }
            })
            .collect();
        let updated = entries
            .iter()
            .map(|e| e.updated.as_str())
            .max()
            .unwrap_or("1970-01-01T00:00:00Z")
            .to_owned();
        let path = UrlPath::feed_in(folder);
        let view = FeedView {
            title,
            self_url: self.base().abs_url(&path),
            alternate_url: self.base().abs_url(folder),
            updated,
            entries,
        };
        let page = FeedPage { feed: view };
        if !self.builtin_atom {
            return self.page("atom.xml", &path, &page);
        }
        let c = &site.config;
        let feed_site = builtin::FeedSite {
            language: &c.language,
            description: &c.description,
            author: c.author.as_deref(),
            title: &c.title,
        };
        self.emit("atom.xml", &path, &page, |xml| {
            Ok(builtin::atom(&feed_site, &page.feed, xml)?)
        })
    }

    fn sitemap(&self) -> Result<PageOutput, Diagnostic> {
        let site = self.site;
        let c = &site.catalog;
        let base = self.base();
        let entry = |path: UrlPath, lastmod: Option<String>| SitemapEntry {
            loc: base.abs_url(&path),
            lastmod,
        };
        let mut entries = vec![entry(
            UrlPath::home(),
            c.briefs.first().map(|b| b.date.day().to_string()),
        )];
        entries.extend(c.briefs.iter().map(|b| {
            entry(
                UrlPath::brief(&b.slug),
                Some(b.updated.as_ref().unwrap_or(&b.date).day().to_string()),
            )
        }));
        entries.extend(c.companies.iter().map(|x| entry(UrlPath::company(&x.slug), None)));
        entries.extend(c.contracts.iter().map(|x| entry(UrlPath::contract(&x.slug), None)));
        entries.extend(c.tags.iter().map(|x| entry(UrlPath::tag(&x.slug), None)));
        entries.extend(c.pages.iter().map(|x| entry(UrlPath::page(&x.slug), None)));
        entries.extend(["companies/", "contracts/", "tags/"].map(|p| entry(UrlPath::fixed(p), None)));
        let path = UrlPath::fixed("sitemap.xml");
        let page = SitemapPage { entries };
        if !self.builtin_sitemap {
            return self.page("sitemap.xml", &path, &page);
        }
        self.emit("sitemap.xml", &path, &page, |xml| {
            Ok(builtin::sitemap(&page.entries, xml)?)
        })
    }

    fn hosting_files(&self, syntax_css: String) -> Vec<OutputFile> {
        let config = &self.site.config;
        let generated = |path: &'static str, text: String| OutputFile {
            path: UrlPath::fixed(path).output_file(),
            contents: Contents::Bytes(text.into_bytes()),
            origin: format!("(generated {path})"),
        };
        let sitemap = self.base().abs_url(&UrlPath::fixed("sitemap.xml"));
        let mut files = vec![
            generated("robots.txt", format!("User-agent: *\nAllow: /\n\nSitemap: {sitemap}\n")),
            generated(".nojekyll", String::new()),
            generated("syntax.css", syntax_css),
        ];
        if let Some(cname) = &config.cname {
            files.push(generated("CNAME", format!("{cname}\n")));
        }
        files
    }

    /// Renders one page, unless the previous build's is known to be the same.
    fn page(&self, template: &str, path: &UrlPath, view: &impl Serialize) -> Result<PageOutput, Diagnostic> {
        self.emit(template, path, view, |html| {
            let context = Context::from_serialize(view)?;
            functions::reset_range_budget();
            self.tera.render_to(template, &context, html)
        })
    }

    /// Makes one page with `write` (which fills the page's bytes), unless the
    /// previous build's is known to be the same: the fingerprint is of
    /// `template` and `view`, whoever writes the page.
    fn emit(
        &self,
        template: &str,
        path: &UrlPath,
        view: &impl Serialize,
        write: impl FnOnce(&mut Vec<u8>) -> Result<(), tera::Error>,
    ) -> Result<PageOutput, Diagnostic> {
        let output = path.output_file();
        let origin = format!("page {path}");
        let fingerprint = self.previous.and_then(|_| Fingerprint::of_page(template, view));
        if let (Some(fingerprint), Some(previous)) = (fingerprint, self.previous)
            && previous.pages.get(&output) == Some(&fingerprint)
        {
            return Ok(PageOutput::Kept {
                path: output,
                origin,
                fingerprint,
            });
        }
        // Brief pages, most of a site, fit: one allocation instead of a
        // doubling series, and no UTF-8 check of what Tera wrote.
        let mut html = Vec::with_capacity(PAGE_CAPACITY);
        write(&mut html).map_err(|e| template_error(&e, self.templates, Some((template, path))))?;
        Ok(PageOutput::Rendered {
            file: OutputFile {
                path: output,
                contents: Contents::Bytes(html),
                origin,
            },
            fingerprint,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{escape_text, page_window};

    #[test]
    fn escaping_escapes_markup_and_keeps_the_rest() {
        let escape = |s: &str| {
            let mut out = Vec::new();
            escape_text(s, &mut out).unwrap();
            String::from_utf8(out).unwrap()
        };
        assert_eq!(escape("a <b> & \"c\""), "a &lt;b&gt; &amp; &quot;c&quot;");
        assert_eq!(escape("© 2020 — é\tx\n"), "© 2020 — é\tx\n");
    }

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

#[derive(Serialize)]
struct Home<'a> {
    briefs: Vec<Shared<'a, BriefCard<'a>>>,
    pagination: Pagination,
}

#[derive(Serialize)]
struct BriefPage<'a> {
    brief: BriefView<'a>,
}

#[derive(Serialize)]
struct CompanyPage<'a> {
    company: CompanyView<'a>,
}

#[derive(Serialize)]
struct ContractPage<'a> {
    contract: ContractView<'a>,
}

#[derive(Serialize)]
struct TagPage<'a> {
    tag: &'a TagCard<'a>,
    briefs: Vec<Shared<'a, BriefCard<'a>>>,
    pagination: Pagination,
}

#[derive(Serialize)]
struct FreePage<'a> {
    free_page: FreePageView<'a>,
}

#[derive(Serialize)]
struct CompaniesPage<'a> {
    companies: Vec<&'a CompanyCard<'a>>,
    by_activity: Vec<&'a CompanyCard<'a>>,
}

#[derive(Serialize)]
struct ContractsPage<'a> {
    contracts: Vec<&'a ContractCard<'a>>,
    by_activity: Vec<&'a ContractCard<'a>>,
}

#[derive(Serialize)]
struct TagsPage<'a> {
    tags: Vec<&'a TagCard<'a>>,
}

#[derive(Serialize)]
struct NotFound {}

#[derive(Serialize)]
struct FeedPage<'a> {
    feed: FeedView<'a>,
}

#[derive(Serialize)]
struct SitemapPage {
    entries: Vec<SitemapEntry>,
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

/// Tera's HTML escaping. No value holds a control character, which no page
/// or feed may (no XML 1.0 document can): files cannot hold one raw, YAML
/// refuses escapes that make one (`yaml::parse`), and the Markdown stage
/// drops those that character references make. Debug builds, and so the
/// tests, check that here.
fn escape_text(input: &str, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    debug_assert_eq!(
        crate::content::find_control(input),
        None,
        "a control character reached the template engine: {input:?}"
    );
    tera::escape_html(input, out)
}

/// Tera reports unknown filters, functions and components found while
/// compiling as pre-formatted text (`error: …` then `--> name:line:col`);
/// turn each into a diagnostic at the template's real path.
fn text_reports(text: &str, templates: &[TemplateSource]) -> Diagnostics {
    let mut out = Diagnostics::default();
    let mut message = None;
    for line in text.lines() {
        if let Some(m) = line.trim_start().strip_prefix("error: ") {
            message = Some(m.to_owned());
        } else if let Some(at) = line.trim_start().strip_prefix("--> ") {
            let mut parts = at.rsplitn(3, ':');
            let (Some(col), Some(line_no), Some(name), Some(msg)) =
                (parts.next(), parts.next(), parts.next(), message.take())
            else {
                continue;
            };
            let (Ok(line_no), Ok(col)) = (line_no.parse::<usize>(), col.parse::<usize>()) else {
                continue;
            };
            let d = match templates.iter().find(|t| t.name == name) {
                Some(t) => Diagnostic::error(&t.origin, msg).at(
                    &t.text,
                    Position {
                        line: line_no,
                        column: col,
                    },
                    1,
                ),
                None => Diagnostic::error(name, msg),
            };
            out.push(d.with_help("register the filter or function, or fix its name (see docs/themes.md)"));
        }
    }
    out
}

/// Turns a Tera error into a diagnostic at the template's file and line,
/// with the whole source chain in the message. An error Tera gives no place
/// (a component recursing too deep) is put on the template being rendered.
pub fn template_error(
    error: &tera::Error,
    templates: &[TemplateSource],
    rendering: Option<(&str, &UrlPath)>,
) -> Diagnostic {
    let page = rendering.map(|(_, path)| path);
    let mut chain = Vec::new();
    let mut source = std::error::Error::source(error);
    while let Some(s) = source {
        chain.push(s.to_string());
        source = s.source();
    }
    let help = page.map(|p| format!("while rendering {p}"));
    let reported = std::iter::successors(Some(error), |e| {
        std::error::Error::source(*e).and_then(|s| s.downcast_ref::<tera::Error>())
    })
    .find(|e| {
        matches!(
            e.kind(),
            tera::ErrorKind::SyntaxError(_) | tera::ErrorKind::RenderingError(_)
        )
    })
    .unwrap_or(error);
    let mut d = match reported.kind() {
        tera::ErrorKind::SyntaxError(report) | tera::ErrorKind::RenderingError(report) => {
            let template = templates.iter().find(|t| t.name == report.filename());
            let path = template.map_or_else(|| report.filename().into(), |t| t.origin.clone());
            let span = report.span();
            let mut message = report.message().to_owned();
            for c in &chain {
                message.push_str(": ");
                message.push_str(c);
            }
            let d = Diagnostic::error(path, message);
            match template {
                Some(t) => {
                    let width = if span.end_line == span.start_line {
                        span.end_col.saturating_sub(span.start_col)
                    } else {
                        1
                    };
                    d.at(
                        &t.text,
                        Position {
                            line: span.start_line,
                            column: span.start_col + 1,
                        },
                        width,
                    )
                }
                None => d,
            }
        }
        _ => {
            let mut message = error.to_string();
            for c in &chain {
                message.push_str(": ");
                message.push_str(c);
            }
            let template = rendering.and_then(|(name, _)| templates.iter().find(|t| t.name == name));
            match template {
                Some(t) => Diagnostic::error(&t.origin, message),
                None => Diagnostic::error("templates", message),
            }
        }
    };
    d.help = help;
    d
}
