//! The renderer: the list of pages a site has ([`Job`]), and one flat
//! dispatch from a job to the module of its page kind (`brief`, `entity`,
//! `listing`, `free`, `feeds`, `redirect`). Every page goes through
//! [`Renderer::page`] (or [`Renderer::emit`] for the feeds and sitemap
//! written without Tera), the one place that fingerprints a page and skips
//! it when the previous build's is the same.

use std::borrow::Cow;

use serde::Serialize;
use tera::{Context, Tera};

use crate::diag::Diagnostic;
use crate::markdown::RenderedBody;
use crate::model::{
    AuthorId, Authors, BriefId, Companies, CompanyId, ContractId, Contracts, EntityKey, EntityKind, Owner, PageId,
    Site, TagId,
};
use crate::routes::{BaseUrl, OutputPath, UrlPath};

use super::cards::Cards;
use super::fingerprint::Fingerprint;
use super::functions;
use super::handover::Handover;
use super::jsonld;
use super::memo::PageMemo;
use super::reach::CountsReaders;
use super::share::ShareImages;
use super::stage::{BodyOverlay, Contents, Listed, OutputFile, Prepared};
use super::templates::template_error;
use super::theme::TemplateSource;
use super::views::PageMeta;

/// The room a page's HTML starts with: enough for all but the longest pages
/// (brief pages with long "Read more" lists, tag pages; BENCHMARKS.md,
/// "Figures behind design choices"), so most pages make one allocation. A
/// batch holds at most [`super::stage`]'s batch size times this of room it
/// may not fill, which the allocator does not touch until a page writes there.
const PAGE_CAPACITY: usize = 32 << 10;

/// One unit of rendering work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Job {
    Home { page: usize },
    Brief(BriefId),
    Company(CompanyId),
    Contract(ContractId),
    Author { author: AuthorId, page: usize },
    Tag { tag: TagId, page: usize },
    Page(PageId),
    Companies,
    Contracts,
    Authors,
    Tags,
    Search,
    NotFound,
    SiteFeed,
    TagFeed(TagId),
    CompanyFeed(CompanyId),
    ContractFeed(ContractId),
    AuthorFeed(AuthorId),
    Sitemap,
    Redirect(usize),
}

/// A page rendered, or known unchanged since the previous build.
pub(super) enum PageOutput {
    Rendered {
        file: OutputFile,
        /// Under [`super::Reuse::Unchanged`].
        fingerprint: Option<Fingerprint>,
    },
    Kept {
        path: OutputPath,
        origin: String,
        fingerprint: Fingerprint,
    },
}

impl PageOutput {
    /// The same page, named `origin` in messages instead of by its address
    /// (a redirect is named by its alias and file).
    pub(super) fn with_origin(self, origin: String) -> PageOutput {
        match self {
            PageOutput::Rendered { mut file, fingerprint } => {
                file.origin = origin;
                PageOutput::Rendered { file, fingerprint }
            }
            PageOutput::Kept { path, fingerprint, .. } => PageOutput::Kept {
                path,
                origin,
                fingerprint,
            },
        }
    }
}

/// The result of rendering one job.
pub(super) type PageResult = Result<PageOutput, Diagnostic>;

/// What every page's job borrows: the site, its cards and templates.
pub(super) struct Renderer<'a> {
    pub(super) site: &'a Site,
    /// Bodies that replace the site's own.
    overlay: Option<&'a BodyOverlay>,
    /// A one-off build's brief bodies' HTML, taken out of the site: each
    /// brief page takes its own.
    handover: Option<&'a Handover>,
    /// Every brief, newest first: the home page listing.
    pub(super) all_briefs: Vec<BriefId>,
    home_permalink: String,
    tera: &'a Tera,
    templates: &'a [TemplateSource],
    pub(super) cards: &'a Cards<'a>,
    /// What each page shares in link previews.
    pub(super) share: &'a ShareImages,
    /// The previous build's fingerprints, when fingerprinting.
    previous: Option<&'a PageMemo>,
    /// When fingerprinting, and the counts are not in what every page
    /// shares: the templates that can show them, and the counts'
    /// fingerprint, which those templates' pages take into their own.
    counts: Option<(&'a CountsReaders, Fingerprint)>,
    /// Whether feeds use the built-in `atom.xml`, written without Tera.
    pub(super) builtin_atom: bool,
    /// Whether the sitemap uses the built-in `sitemap.xml`.
    pub(super) builtin_sitemap: bool,
}

/// A page's view: what every page knows about itself (`page`), and the
/// fields of its kind.
#[derive(Serialize)]
pub(super) struct ListingPage<T: Serialize> {
    pub(super) page: PageMeta,
    #[serde(flatten)]
    pub(super) data: T,
}

impl<'a> Renderer<'a> {
    pub(super) fn new(
        prepared: Prepared<'a>,
        overlay: Option<&'a BodyOverlay>,
        previous: Option<&'a PageMemo>,
    ) -> Renderer<'a> {
        let Prepared {
            site,
            theme,
            cards,
            tera,
            share,
        } = prepared;
        Renderer {
            site,
            overlay,
            handover: None,
            all_briefs: (0..site.catalog.briefs.len()).map(BriefId::new).collect(),
            home_permalink: site.config.base_url.abs_url(&UrlPath::home()),
            tera,
            templates: &theme.templates,
            cards,
            share,
            previous,
            counts: previous
                .map(|_| theme.counts_readers())
                .filter(|readers| !readers.everywhere())
                .map(|readers| {
                    let mut counts = super::cards::counts(site);
                    // No page can show it: a brief added changes no page
                    // through it.
                    if !readers.brief_count() {
                        counts.briefs = 0;
                    }
                    (readers, Fingerprint::of(&counts).unwrap_or_default())
                }),
            builtin_atom: theme.is_builtin("atom.xml"),
            builtin_sitemap: theme.is_builtin("sitemap.xml"),
        }
    }

    /// Renders one job: a flat table from page kind to its module.
    pub(super) fn render(&self, job: &Job) -> PageResult {
        match *job {
            Job::Home { page } => self.home(page),
            Job::Brief(id) => self.brief(id),
            Job::Company(id) => self.entity::<Companies>(id.index(), 1),
            Job::Contract(id) => self.entity::<Contracts>(id.index(), 1),
            Job::Author { author, page } => self.entity::<Authors>(author.index(), page),
            Job::Tag { tag, page } => self.tag(tag, page),
            Job::Page(id) => self.free_page(id),
            Job::Companies => self.entity_index::<Companies>(),
            Job::Contracts => self.entity_index::<Contracts>(),
            Job::Authors => self.entity_index::<Authors>(),
            Job::Tags => self.tags(),
            Job::Search => self.search_page(),
            Job::NotFound => self.not_found(),
            Job::SiteFeed => self.site_feed(),
            Job::TagFeed(tag) => self.tag_feed(tag),
            Job::CompanyFeed(id) => self.entity_feed::<Companies>(id.index()),
            Job::ContractFeed(id) => self.entity_feed::<Contracts>(id.index()),
            Job::AuthorFeed(id) => self.entity_feed::<Authors>(id.index()),
            Job::Sitemap => self.sitemap(),
            // An index into the catalog's redirects.
            Job::Redirect(index) => self.redirect(index),
        }
    }

    /// Every job of the site, in the order they are rendered: pages that
    /// show the same cards close together, so that the bounded store of
    /// rendered partials (`partials.rs`) still holds a card when the next
    /// page asks for it. Home and tag pages list briefs newest first with
    /// the same card, so they are merged by the newest brief each shows;
    /// brief pages (related briefs' compact cards) come next, then the
    /// entity pages (cards without chips), then everything else.
    ///
    /// A renderer with a [`Handover`] (a one-off build) makes the brief
    /// pages first instead: each frees its body as it is made, and what
    /// comes after reuses that memory. A `serve` session keeps the first
    /// order, which leaves the listings' cards in the partial store where
    /// its rebuilds after a brief moved find them (a date edit took 7 ms
    /// longer at 10,000 briefs with the brief pages first).
    pub(super) fn jobs(&self) -> Vec<Job> {
        let c = &self.site.catalog;
        let links = self.cards.graph();
        let per_page = self.site.config.briefs_per_page.get();
        let brief_pages = (0..c.briefs.len()).map(|i| Job::Brief(BriefId::new(i)));
        let briefs_first = self.handover.is_some();
        let mut jobs: Vec<Job> = Vec::new();
        if briefs_first {
            jobs.extend(brief_pages.clone());
        }
        // The catalog lists briefs newest first: an id is a rank by date.
        let first_shown = |briefs: &[BriefId], page: usize| briefs.get((page - 1) * per_page).map(|b| b.index());
        let mut listings: Vec<(Option<usize>, Job)> = Vec::new();
        listings
            .extend((1..=self.pages_of(c.briefs.len())).map(|page| (Some((page - 1) * per_page), Job::Home { page })));
        for (i, briefs) in links.tag_briefs.iter().enumerate() {
            let tag = TagId::new(i);
            listings.extend(
                (1..=self.pages_of(briefs.len())).map(|page| (first_shown(briefs, page), Job::Tag { tag, page })),
            );
        }
        // Stable: pages of one tag stay in order.
        listings.sort_by_key(|(rank, _)| *rank);
        jobs.extend(listings.into_iter().map(|(_, job)| job));
        if !briefs_first {
            jobs.extend(brief_pages);
        }
        jobs.extend((0..c.companies.len()).map(|i| Job::Company(CompanyId::new(i))));
        jobs.extend((0..c.contracts.len()).map(|i| Job::Contract(ContractId::new(i))));
        for (i, briefs) in links.author_briefs.iter().enumerate() {
            let author = AuthorId::new(i);
            jobs.extend((1..=self.pages_of(briefs.len())).map(|page| Job::Author { author, page }));
        }
        jobs.extend((0..c.companies.len()).map(|i| Job::CompanyFeed(CompanyId::new(i))));
        jobs.extend((0..c.contracts.len()).map(|i| Job::ContractFeed(ContractId::new(i))));
        jobs.extend((0..c.authors.len()).map(|i| Job::AuthorFeed(AuthorId::new(i))));
        jobs.extend((0..links.tag_briefs.len()).map(|i| Job::TagFeed(TagId::new(i))));
        jobs.extend((0..c.pages.len()).map(|i| Job::Page(PageId::new(i))));
        jobs.extend([Job::Companies, Job::Contracts]);
        if !c.authors.is_empty() {
            jobs.push(Job::Authors);
        }
        jobs.push(Job::Tags);
        if self.site.config.search {
            jobs.push(Job::Search);
        }
        jobs.extend([Job::NotFound, Job::SiteFeed, Job::Sitemap]);
        jobs.extend((0..c.redirects.len()).map(Job::Redirect));
        jobs
    }

    /// This renderer reading a one-off build's brief bodies from
    /// `handover`, which its brief pages empty as they are made.
    pub(super) fn handing_over(self, handover: Option<&'a Handover>) -> Renderer<'a> {
        Renderer { handover, ..self }
    }

    /// The HTML of brief `id`'s body for its own page, which takes it
    /// from the handover if there is one. (A renderer with a handover has
    /// no overlay: only a one-off build hands bodies over.)
    pub(super) fn brief_html(&self, id: BriefId) -> Cow<'a, str> {
        (self.handover.and_then(|h| h.take(id))).unwrap_or_else(|| Cow::Borrowed(&self.body(Owner::Brief(id)).html))
    }

    /// The HTML of brief `id`'s body for a page that only reads it (the
    /// site's feed, which shows the briefs a handover shares).
    pub(super) fn brief_html_read(&self, id: BriefId) -> &'a str {
        debug_assert!(
            self.handover.is_none_or(|h| id.index() < h.shared()),
            "only the shared bodies are read"
        );
        (self.handover.and_then(|h| h.read(id))).unwrap_or(&self.body(Owner::Brief(id)).html)
    }

    /// The rendered body of `owner`: the one place pages read bodies, so
    /// that [`Renderer::jobs_showing_body`] can say which pages show one.
    pub(super) fn body(&self, owner: Owner) -> &'a RenderedBody {
        match self.overlay.and_then(|o| o.get(&owner)) {
            Some(body) => body,
            None => self.site.bodies.get(owner),
        }
    }

    /// Every page, feed and index that lists the briefs of `listed`, whose
    /// list had `was` briefs; with the pages it gained and those it no
    /// longer has.
    pub(super) fn jobs_listing(&self, listed: Listed, was: usize) -> (Vec<Job>, Vec<OutputPath>, Vec<OutputPath>) {
        let links = self.cards.graph();
        let c = &self.site.catalog;
        // Pages of a paginated listing now `now` long under `base`.
        let paged = |now: usize, base: UrlPath, job: &dyn Fn(usize) -> Job| {
            let (pages, before) = (self.pages_of(now), self.pages_of(was));
            let jobs = (1..=pages).map(job).collect::<Vec<Job>>();
            let path = |page: usize| UrlPath::paginated(&base, page).output_file();
            (
                jobs,
                (before + 1..=pages).map(path).collect(),
                (pages + 1..=before).map(path).collect(),
            )
        };
        match listed {
            Listed::Tag(tag) => {
                let now = links.tag_briefs[tag.index()].len();
                let base = UrlPath::tag(&c.tags[tag.index()].slug);
                let (mut jobs, added, gone) = paged(now, base, &|page| Job::Tag { tag, page });
                jobs.extend([Job::TagFeed(tag), Job::Tags]);
                (jobs, added, gone)
            }
            Listed::Entity(EntityKey::Author(author)) => {
                let now = links.author_briefs[author.index()].len();
                let base = UrlPath::entity(Authors::KIND.plural(), &c.authors[author.index()].slug);
                let (mut jobs, added, gone) = paged(now, base, &|page| Job::Author { author, page });
                jobs.extend([Job::AuthorFeed(author), Job::Authors]);
                (jobs, added, gone)
            }
            Listed::Entity(EntityKey::Company(id)) => (
                vec![Job::Company(id), Job::CompanyFeed(id), Job::Companies],
                Vec::new(),
                Vec::new(),
            ),
            Listed::Entity(EntityKey::Contract(id)) => (
                vec![Job::Contract(id), Job::ContractFeed(id), Job::Contracts],
                Vec::new(),
                Vec::new(),
            ),
            Listed::Entity(EntityKey::Brief(id)) => (vec![Job::Brief(id)], Vec::new(), Vec::new()),
        }
    }

    /// Whether the site has `job`'s page: a page of a listing may be one the
    /// listing had before an edit shortened it (still noted as showing a
    /// card, see [`super::shown`]).
    pub(super) fn exists(&self, job: &Job) -> bool {
        let links = self.cards.graph();
        match *job {
            Job::Home { page } => page <= self.pages_of(self.site.catalog.briefs.len()),
            Job::Tag { tag, page } => page <= self.pages_of(links.tag_briefs[tag.index()].len()),
            Job::Author { author, page } => page <= self.pages_of(links.author_briefs[author.index()].len()),
            _ => true,
        }
    }

    /// Every job that reads one of `owners`' bodies.
    pub(super) fn jobs_showing_bodies(&self, owners: &[Owner]) -> Vec<Job> {
        owners.iter().flat_map(|o| self.jobs_showing_body(*o)).collect()
    }

    /// Every job that reads `owner`'s body through [`Renderer::body`]: its
    /// own page, and for a brief the site feed if it lists the brief (the
    /// only feed with full content). Cards show a brief's summary, never its
    /// body.
    pub(super) fn jobs_showing_body(&self, owner: Owner) -> Vec<Job> {
        match owner {
            Owner::Brief(id) if id.index() < self.site.config.feed_limit.get() => vec![Job::Brief(id), Job::SiteFeed],
            Owner::Brief(id) => vec![Job::Brief(id)],
            Owner::Company(id) => vec![Job::Company(id)],
            Owner::Contract(id) => vec![Job::Contract(id)],
            // The bio shows on the first page only.
            Owner::Author(author) => vec![Job::Author { author, page: 1 }],
            Owner::Page(id) => vec![Job::Page(id)],
        }
    }

    pub(super) fn base(&self) -> &BaseUrl {
        &self.site.config.base_url
    }

    pub(super) fn publisher(&self) -> jsonld::Publisher<'_> {
        let origin = self.base().origin();
        jsonld::Publisher {
            name: &self.site.config.title,
            url: &self.home_permalink,
            origin,
        }
    }

    pub(super) fn pages_of(&self, count: usize) -> usize {
        count.div_ceil(self.site.config.briefs_per_page.get()).max(1)
    }

    pub(super) fn meta(&self, kind: &'static str, path: &UrlPath, title: String, description: String) -> PageMeta {
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
            image: self.share.site().cloned(),
            has_embeds: false,
        }
    }

    /// Renders one page, unless the previous build's is known to be the same.
    pub(super) fn page(&self, template: &str, path: &UrlPath, view: &impl Serialize) -> PageResult {
        self.emit(template, path, view, |html| self.write_page(template, view, html))
    }

    /// Renders `view` through `template` into `html`.
    pub(super) fn write_page(
        &self,
        template: &str,
        view: &impl Serialize,
        html: &mut Vec<u8>,
    ) -> Result<(), tera::Error> {
        let context = Context::from_serialize(view)?;
        functions::with_range_budget(|| self.tera.render_to(template, &context, html))
    }

    /// Makes one page with `write` (which fills the page's bytes), unless the
    /// previous build's is known to be the same: the fingerprint is of
    /// `template` and `view`, whoever writes the page.
    pub(super) fn emit(
        &self,
        template: &str,
        path: &UrlPath,
        view: &impl Serialize,
        write: impl FnOnce(&mut Vec<u8>) -> Result<(), tera::Error>,
    ) -> PageResult {
        let fingerprint = self.fingerprint(template, view);
        self.emit_printed(template, path, fingerprint, write)
    }

    /// A page written without a template (the built-in sitemap), as
    /// [`Renderer::emit`] would make it: fingerprinted by its bytes, which
    /// costs less than serializing its view when the view is most of the
    /// page (every URL of the site).
    pub(super) fn emit_written(&self, template: &str, path: &UrlPath, bytes: Vec<u8>) -> PageResult {
        let fingerprint = (self.previous).map(|_| Fingerprint::of_parts([template.as_bytes(), &bytes]));
        self.emit_printed(template, path, fingerprint, |out| {
            *out = bytes;
            Ok(())
        })
    }

    /// The error of rendering the page of `template` at `path`.
    pub(super) fn page_error(&self, template: &str, path: &UrlPath, error: tera::Error) -> Diagnostic {
        template_error(&error, self.templates, Some((template, path)))
    }

    /// The fingerprint of a page of `template` whose inputs are `view`,
    /// when fingerprinting.
    pub(super) fn fingerprint(&self, template: &str, view: &impl Serialize) -> Option<Fingerprint> {
        let fingerprint = self.previous.and_then(|_| Fingerprint::of_page(template, view));
        match (fingerprint, self.counts) {
            (Some(page), Some((readers, counts))) if readers.reads(template) => Some(Fingerprint::of_parts(
                [page.to_bytes(), counts.to_bytes()].iter().map(|b| b.as_slice()),
            )),
            (fingerprint, _) => fingerprint,
        }
    }

    /// [`Renderer::emit`] with the page's fingerprint worked out by the
    /// caller ([`Renderer::fingerprint`]), for a page whose view is
    /// finished only once it is known to be rendered.
    pub(super) fn emit_printed(
        &self,
        template: &str,
        path: &UrlPath,
        fingerprint: Option<Fingerprint>,
        write: impl FnOnce(&mut Vec<u8>) -> Result<(), tera::Error>,
    ) -> PageResult {
        let output = path.output_file();
        let origin = format!("page {path}");
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
        write(&mut html).map_err(|e| self.page_error(template, path, e))?;
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
