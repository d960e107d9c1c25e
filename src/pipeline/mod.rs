//! The build, top to bottom, in one function (`run`): config → content →
//! model → markdown → render → output. Each stage reports all of its errors;
//! content and model hand on what was good, so the build stops after the
//! Markdown stage with every mistake of the run, or earlier only when the
//! names themselves are wrong (the model's naming step). `build`, `check` and
//! `render_site` run it with nothing to reuse; `serve` runs it in a
//! [`Session`], which hands the stages that can reuse work what its previous
//! build made (parsed files, rendered bodies, page fingerprints) and keeps
//! the prepared site for quick rebuilds of edited bodies.

pub mod progress;
mod session;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::config;
use crate::config::{BaseUrlFrom, Config, UnknownReferences};
use crate::content::{self, Content};
use crate::date::Now;
use crate::diag::{Diagnostic, Diagnostics, EnvError};
use crate::highlight::{self, Highlighter};
use crate::markdown::{self, BodyCache, MarkdownOptions};
use crate::media::cache::MediaCache;
use crate::media::document::Library;
use crate::media::pictures::{self, Pictures};
use crate::model::catalog::{self, Catalog, CatalogOptions, PendingBody, WikiResolver};
use crate::model::redirects::{self, Redirect};
use crate::model::{Bodies, Owner, Site, links, related};
use crate::output::{self, Refusal, Staging, WriteReport};
use crate::render::fingerprint::Fingerprint;
use crate::render::share::{self, CardMemo, CardReuse, ShareImages, Social};
use crate::render::stage::Contents;
use crate::render::stage::Prepared;
use crate::render::theme::{self, Theme};
use crate::render::{self, Cards, Handover, OutputFile, PageMemo, RenderError, Rendered, Reuse};
use crate::routes::{BaseUrl, OutputPath};
pub use progress::{Progress, Silent};
use session::ContentCache;
pub use session::{Kept, Session, Update};
use tera::Tera;

/// What to build, and how.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// The site folder.
    pub root: PathBuf,
    /// The output folder; `root/public` by default.
    pub output: Option<PathBuf>,
    /// Overrides `base_url` from the config.
    pub base_url: Option<String>,
    /// Include drafts.
    pub drafts: bool,
    /// Include scheduled briefs (dated after `now`), marked as scheduled.
    pub future: bool,
    /// What "now" is: briefs dated after it are scheduled (an embargo).
    pub now: Now,
    /// Warnings fail the build (`--strict`; also `strict: true` in dossier.yaml).
    pub strict: bool,
    /// Replace an output folder holding files dossier did not write (kept as a backup).
    pub force: bool,
}

/// How long one stage took and how many things it handled.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    /// Stage name.
    pub stage: &'static str,
    /// Wall time.
    pub elapsed: Duration,
    /// Items handled (files, bodies, pages; for `related`, the entries of
    /// entities' lists of briefs it walked).
    pub count: usize,
}

/// A successful build.
#[derive(Debug, Default)]
pub struct BuildReport {
    /// Warnings (never errors).
    pub warnings: Diagnostics,
    /// HTML pages rendered.
    pub pages: usize,
    /// Output files, pages included.
    pub files: usize,
    /// The base_url's path (`/` or `/repo/`), which `serve` serves under.
    pub base_path: String,
    /// Pages and feeds rendered through a template by this build.
    pub rendered: usize,
    /// Pages not rendered again because they equal the previous build's
    /// (only in a [`Session`]); counted in `pages` and `files`.
    pub kept: usize,
    /// Whether this was a session's quick build, which rendered again only
    /// the pages showing edited bodies (see [`Session::rebuild`]).
    pub quick: bool,
    /// What the write did (`None` for check).
    pub written: Option<WriteReport>,
    /// Per-stage timings.
    pub timings: Vec<Timing>,
    /// Briefs held back until their date (an embargo), oldest first, with
    /// that date as written.
    pub scheduled: Vec<(PathBuf, String)>,
}

/// Why a build failed.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// The site's own files are wrong: exit 1. Holds warnings too.
    #[error("the site has errors")]
    Site(Diagnostics),
    /// The output folder may not be replaced: exit 2, like any usage problem.
    #[error(transparent)]
    Refused(Refusal),
    /// The machine failed or the command line was wrong: exit 2.
    #[error(transparent)]
    Env(#[from] EnvError),
}

impl From<Refusal> for BuildError {
    fn from(r: Refusal) -> Self {
        match r {
            Refusal::Env(e) => BuildError::Env(e),
            other => BuildError::Refused(other),
        }
    }
}

/// The output folder a build writes to.
pub fn output_dir(options: &BuildOptions) -> PathBuf {
    options.output.clone().unwrap_or_else(|| options.root.join("public"))
}

/// Builds the site into its output folder.
pub fn build(options: &BuildOptions) -> Result<BuildReport, BuildError> {
    build_showing(options, &Silent)
}

/// [`build`], telling `progress` how it goes.
pub fn build_showing(options: &BuildOptions, progress: &dyn Progress) -> Result<BuildReport, BuildError> {
    let out = output_dir(options);
    let mut staging = Staging::create(&options.root, &out, options.force)?;
    let mut report = one_off(options, Purpose::Publish, progress, &mut |files| staging.write(&files))?;
    progress.stage("swapping in the new site", None);
    let started = Instant::now();
    report.written = Some(staging.finish(&options.root, options.force)?);
    report.timings.push(Timing {
        stage: "swap",
        elapsed: started.elapsed(),
        count: 1,
    });
    Ok(report)
}

/// Checks the site: every stage of a build but the write.
pub fn check(options: &BuildOptions) -> Result<BuildReport, BuildError> {
    check_showing(options, &Silent)
}

/// [`check`], telling `progress` how it goes.
pub fn check_showing(options: &BuildOptions, progress: &dyn Progress) -> Result<BuildReport, BuildError> {
    one_off(options, Purpose::Check, progress, &mut |_| Ok(()))
}

/// Runs every stage up to the write and returns the output files in memory
/// with the report.
pub fn render_site(options: &BuildOptions) -> Result<(Vec<OutputFile>, BuildReport), BuildError> {
    let mut all = Vec::new();
    let report = one_off(options, Purpose::Look, &Silent, &mut |files| {
        all.extend(files);
        Ok(())
    })?;
    Ok((all, report))
}

/// Where rendered files go, in bounded batches: the writer, or memory.
type Sink<'a> = dyn FnMut(Vec<OutputFile>) -> Result<(), EnvError> + 'a;

/// What a run is for: some warnings are about the files a build publishes
/// and would only be noise elsewhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Purpose {
    /// `build`: the output is what gets uploaded.
    Publish,
    /// `serve` and [`render_site`]: nothing is published.
    Look,
    /// `check`: nothing is published (it takes no `--base-url`, so it
    /// cannot know the one the publishing build will pass: the Pages
    /// workflows check, then build with it), and nothing is written, not
    /// even the media cache: social cards are laid out and templated (a
    /// broken `card.svg` template is reported) but not drawn.
    Check,
}

/// A build with nothing to reuse and nothing to keep.
fn one_off(
    options: &BuildOptions,
    purpose: Purpose,
    progress: &dyn Progress,
    sink: &mut Sink<'_>,
) -> Result<BuildReport, BuildError> {
    let highlighter = Highlighter::default();
    let built = run(
        options,
        purpose,
        Caches::none(&highlighter, &options.root),
        progress,
        sink,
    )?;
    free_in_background(built.site);
    Ok(built.report)
}

/// Frees a one-off build's site on another thread: freeing a large site's
/// model and cards takes tens of milliseconds on one core, and the command
/// exits without waiting for it (the OS takes the memory back at once).
fn free_in_background(site: PreparedSite) {
    std::thread::spawn(move || drop(site));
}

/// The pipeline: each stage makes what the next one reads, and rendered
/// files go to `sink` in bounded batches. `caches` hold what a session's
/// earlier builds made, for the stages that can reuse it.
fn run(
    options: &BuildOptions,
    purpose: Purpose,
    caches: Caches<'_>,
    progress: &dyn Progress,
    sink: &mut Sink<'_>,
) -> Result<Built, BuildError> {
    let mut build = Build::start(caches.highlighter, progress);
    let config = build.config(options, purpose)?;
    let content = build.load(&options.root, caches.content)?;
    let documents = build.documents(&options.root, &content.documents)?;
    let (catalog, pending) = build.resolve(content, catalog_options(options, &config))?;
    let pictures = build.media(&options.root, &catalog, &caches.media);
    let markdown = Markdown {
        catalog: &catalog,
        config: &config,
        documents: &documents,
    };
    let (bodies, syntax_css, published) = build.markdown(pending, markdown, caches.bodies)?;
    let mut site = build.link(config, catalog, bodies, pictures);
    let handover = (!caches.keeps_site).then(|| {
        // The site's feed shows the newest briefs' bodies too.
        Handover::new(site.bodies.take_brief_html(), site.config.feed_limit.get())
    });
    let (theme, syntax_css) = build.theme(&options.root, &site.config, syntax_css)?;
    let mut social = Social::default();
    let model = Model {
        site,
        theme,
        patches: Patches::default(),
    };
    let site = PreparedSite::try_new(model, |model| build.prepare(model, caches.pages, &mut social))?;
    if purpose == Purpose::Check {
        social.pending.clear();
    }
    let media = MediaCache::at(&options.root);
    let previous = Previous {
        pages: caches.pages,
        index: caches.index_later.filter(|_| site.borrow_owner().site.config.search),
    };
    let (report, rendered) = build.render(
        &site,
        (syntax_css, published),
        (previous, handover.as_ref()),
        (&social, &media),
        sink,
    )?;
    let index_behind = previous.index.is_some();
    Ok(Built {
        report,
        rendered,
        index_behind,
        site,
        documents,
        cards: social.memo,
        kept_cards: social.kept.into_iter().map(|(path, _)| path).collect(),
    })
}

/// The highlight stylesheet, or the names of the themes there are.
type SyntaxCss = Result<String, Vec<String>>;

/// What the Markdown stage reads besides the bodies: wikilinks resolve in
/// the catalog, local documents in the library.
#[derive(Clone, Copy)]
struct Markdown<'a> {
    catalog: &'a Catalog,
    config: &'a Config,
    documents: &'a Library,
}

/// Social cards drawn per batch handed to the sink: both cores busy, and a
/// bounded number of pictures in memory.
const CARD_BATCH: usize = 64;

/// Bodies rendered between two reports of progress: a few dozen slices at
/// 100,000 briefs, each long enough that the pause between them (one core
/// finishing the slice's last body) costs nothing measurable.
const MARKDOWN_SLICE: usize = 2048;

/// What a build may reuse from a session's earlier builds, each part handed
/// to the stage that uses it. A one-off build has none.
struct Caches<'a> {
    /// Parsed content files, for the content stage.
    content: Option<&'a mut ContentCache>,
    /// Rendered bodies, for the Markdown stage.
    bodies: Option<&'a mut BodyCache<Owner>>,
    /// Syntax definitions, loaded at most once, for the Markdown stage
    /// (they start loading beside the model stage).
    highlighter: &'a Highlighter,
    /// The last good build's page fingerprints and social cards, for the
    /// render stage: a page or card whose fingerprint is unchanged is not
    /// rendered again.
    pages: Option<(&'a PageMemo, &'a CardMemo)>,
    /// The pictures earlier builds made (`.dossier-cache/media/`), for the
    /// media stage; one-off builds and sessions alike use the site's.
    media: MediaCache,
    /// The paths of the search index as last written, when a session will
    /// bring it up to date after serving this build's pages
    /// ([`Session::refresh_index`]): the render stage counts them as kept
    /// instead of making the index.
    index_later: Option<&'a [OutputPath]>,
    /// Whether the site outlives the build (a session keeps it for its
    /// quick rebuilds). A one-off build's does not, so its render stage
    /// frees each brief body's HTML once the brief's page is made
    /// ([`render::Handover`]).
    keeps_site: bool,
}

impl<'a> Caches<'a> {
    /// Nothing to reuse in memory; syntax definitions load into
    /// `highlighter`, pictures come from the site's media cache at `root`.
    fn none(highlighter: &'a Highlighter, root: &Path) -> Caches<'a> {
        Caches {
            content: None,
            bodies: None,
            highlighter,
            pages: None,
            media: MediaCache::at(root),
            index_later: None,
            keeps_site: false,
        }
    }
}

/// What the render stage may reuse of a session's last good build.
#[derive(Clone, Copy)]
struct Previous<'a> {
    /// Its page fingerprints and social cards.
    pages: Option<(&'a PageMemo, &'a CardMemo)>,
    /// Its search index's paths, when the site has search and the index
    /// is to be made after this build: they stay until then.
    index: Option<&'a [OutputPath]>,
}

/// What a build made: its report, and the site it rendered.
struct Built {
    report: BuildReport,
    /// Whether the search index was left for later ([`Caches::index_later`]).
    index_behind: bool,
    /// What rendering found besides the files (pages kept, fingerprints).
    rendered: Rendered,
    site: PreparedSite,
    /// The PDFs bodies could embed, for a session's quick rebuilds.
    documents: Library,
    /// The social cards by fingerprint (in a session).
    cards: CardMemo,
    /// The last good build's social cards this one kept as they were.
    kept_cards: Vec<OutputPath>,
}

/// The site and its theme, immutable once made.
struct Model {
    site: Site,
    theme: Theme,
    /// What a `serve` session put in the place of the site's own.
    patches: Patches,
}

/// Briefs a `serve` session put in the place of the site's own after an
/// edit to them (`Session::briefs`), and the links and suggestions derived
/// again from them: the cards borrow them from here, as they borrow the
/// rest from the site. Kept until the next full build.
#[derive(Default)]
struct Patches {
    briefs: typed_arena::Arena<crate::model::Brief>,
    links: typed_arena::Arena<crate::model::Links>,
    suggested: typed_arena::Arena<crate::model::Suggestions>,
    /// Bodies a session's quick builds rendered again, which a patched
    /// brief's card takes its first paragraph from.
    bodies: typed_arena::Arena<Arc<crate::markdown::RenderedBody>>,
}

/// What the render stage builds once per build from a [`Model`], borrowing it.
struct Rendering<'a> {
    /// What every page's template sees, fingerprinted (when pages are).
    global: Option<Fingerprint>,
    cards: Cards<'a>,
    tera: Arc<Tera>,
    /// The store of `tera`'s `render_partial`, which a session's next
    /// build may take on ([`render::Partials`]).
    partials: Arc<render::Partials>,
    share: ShareImages,
}

self_cell::self_cell!(
    /// A site ready to render: the model, with the cards and compiled
    /// templates that borrow it. Owned whole so that it can move: into a
    /// [`Session`], which keeps the last good one so that an edit to a body
    /// renders the pages showing it without preparing the site again, or,
    /// after a one-off build, to another thread to be freed.
    struct PreparedSite {
        owner: Model,
        #[covariant]
        dependent: Rendering,
    }
);

impl PreparedSite {
    /// What the render stage reads.
    fn prepared(&self) -> Prepared<'_> {
        let (model, rendering) = (self.borrow_owner(), self.borrow_dependent());
        Prepared {
            site: &model.site,
            theme: &model.theme,
            cards: &rendering.cards,
            tera: &rendering.tera,
            share: &rendering.share,
        }
    }
}

/// A build under way: the diagnostics of its stages so far, and their
/// timings. Each stage is a method; the first that reports an error stops
/// the build.
struct Build<'a> {
    diagnostics: Diagnostics,
    /// Warnings are errors (`--strict`, `strict: true`).
    strict: bool,
    clock: Clock,
    /// What code blocks are highlighted with.
    highlighter: &'a Highlighter,
    /// Told as each stage starts.
    progress: &'a dyn Progress,
}

impl<'a> Build<'a> {
    fn start(highlighter: &'a Highlighter, progress: &'a dyn Progress) -> Build<'a> {
        Build {
            diagnostics: Diagnostics::default(),
            strict: false,
            clock: Clock::start(),
            highlighter,
            progress,
        }
    }

    /// The configuration, with the command line's overrides; `strict` from
    /// either makes every later warning an error. A build that publishes
    /// warns once if its base URL has no host (SPEC §4).
    fn config(&mut self, options: &BuildOptions, purpose: Purpose) -> Result<Config, BuildError> {
        let config = load_config(options)?;
        self.strict = options.strict || config.strict;
        if purpose == Purpose::Publish {
            self.collect(config.relative_urls.iter().cloned().collect());
        }
        Ok(config)
    }

    /// The content stage: every file read and its front matter parsed,
    /// through the session's parsed files if there are some.
    fn load(&mut self, root: &Path, cache: Option<&mut ContentCache>) -> Result<Content, BuildError> {
        self.progress.stage("reading content", None);
        let (content, d) = match cache {
            Some(cache) => cache.load(root)?,
            None => content::load(root)?,
        };
        self.clock.lap("load + parse", content.files().count());
        self.collect(d);
        Ok(content)
    }

    /// The PDFs bodies may embed (those the content walk `found`, and
    /// those under `static/`), read beside the content so that the
    /// Markdown stage reads no file.
    fn documents(&mut self, root: &Path, found: &[PathBuf]) -> Result<Library, BuildError> {
        let library = Library::load(root, found)?;
        self.clock.lap("documents", library.len());
        Ok(library)
    }

    /// The model stage: entities validated, references resolved.
    ///
    /// Syntect's syntaxes (if any body has a code fence) load meanwhile on
    /// another thread: mostly one core names and orders the files, and
    /// briefs' references resolve on all (`catalog::build`). Only the
    /// syntaxes: for a small site they take longer than resolving, and the
    /// stylesheet can wait for the Markdown stage, where it costs a share
    /// of both cores instead.
    fn resolve(
        &mut self,
        content: Content,
        options: CatalogOptions,
    ) -> Result<(Catalog, Vec<PendingBody>), BuildError> {
        self.progress.stage("resolving references", None);
        let texts = content.texts();
        let highlighter = self.highlighter;
        let (catalog, pending, d) = std::thread::scope(|scope| {
            let preloading = scope.spawn(|| {
                if texts.iter().any(|t| highlight::has_code_fence(t)) {
                    highlighter.preload();
                }
            });
            let resolved = catalog::build(content, options);
            preloading.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
            resolved
        });
        drop(texts);
        self.clock.lap("resolve", catalog.briefs.len());
        self.collect(d);
        Ok((catalog, pending))
    }

    /// The Markdown stage: every body on all cores, through the session's
    /// rendered bodies if there are some, with the highlight stylesheet made
    /// beside them; the bodies then go back in catalog order, and the files
    /// of the documents they embed come out, each once.
    fn markdown(
        &mut self,
        pending: Vec<PendingBody>,
        inputs: Markdown<'_>,
        cache: Option<&mut BodyCache<Owner>>,
    ) -> Result<(Bodies, SyntaxCss, Vec<OutputFile>), BuildError> {
        let Markdown {
            catalog,
            config,
            documents,
        } = inputs;
        let options = markdown_options(config);
        let resolver = WikiResolver {
            catalog,
            base: &config.base_url,
            documents,
        };
        let (highlighter, progress) = (self.highlighter, self.progress);
        progress.stage("rendering Markdown", Some(pending.len()));
        let (syntax_css, rendered) = match cache {
            Some(cache) => rayon::join(
                || highlight::stylesheet(&config.highlight_theme),
                || cache.render_all(pending, &resolver, highlighter, &options),
            ),
            None => {
                // In slices, so that a long build can show how far it is.
                let mut bodies = pending.into_iter();
                let mut rendered = Vec::with_capacity(bodies.len());
                let syntax_css = std::thread::scope(|scope| {
                    let css = scope.spawn(|| highlight::stylesheet(&config.highlight_theme));
                    loop {
                        let slice: Vec<PendingBody> = bodies.by_ref().take(MARKDOWN_SLICE).collect();
                        if slice.is_empty() {
                            break;
                        }
                        let done = slice.len();
                        rendered.extend(markdown::render_all(slice, &resolver, highlighter, &options));
                        progress.advance(done);
                    }
                    css.join().unwrap_or_else(|e| std::panic::resume_unwind(e))
                });
                (syntax_css, rendered)
            }
        };
        self.clock.lap("markdown", rendered.len());
        let embedded = rendered
            .iter()
            .flat_map(|(_, r)| r.documents.iter().map(String::as_str));
        let published = (documents.published(embedded).into_iter())
            .map(|(key, document)| OutputFile {
                path: document.path.output_file(),
                contents: Contents::Bytes(document.bytes.to_vec()),
                origin: key,
            })
            .collect();
        let (bodies, d) = Bodies::collect(rendered, catalog);
        self.report(d)?;
        Ok((bodies, syntax_css, published))
    }

    /// The media stage: every picture front matter names, made into its
    /// renditions (or taken from `cache`); errors wait for the Markdown
    /// stage's report, so one run reports them with the rest.
    fn media(&mut self, root: &Path, catalog: &Catalog, cache: &MediaCache) -> Pictures {
        let wanted = catalog.pictures();
        self.progress.stage("making pictures", Some(wanted.len()));
        let (pictures, d) = pictures::make_all(root, &wanted, cache);
        self.clock.lap("media", pictures.encoded);
        self.collect(d);
        pictures
    }

    /// The link graph, from the catalog and what the bodies mention, and
    /// the related stories it suggests: with them the site is complete.
    fn link(&mut self, config: Config, catalog: Catalog, bodies: Bodies, pictures: Pictures) -> Site {
        self.progress.stage("linking related stories", None);
        let links = links::derive(&catalog, &bodies.mentions);
        self.clock.lap("link graph", catalog.briefs.len());
        let suggested = related::suggest(&catalog, &links, config.related_limit);
        self.clock.lap("related", suggested.visited());
        Site {
            config,
            catalog,
            links,
            suggested,
            bodies,
            pictures,
        }
    }

    /// The theme the configuration names, and the stylesheet of its
    /// highlight theme (or an error naming the ones there are).
    fn theme(
        &mut self,
        root: &Path,
        config: &Config,
        syntax_css: Result<String, Vec<String>>,
    ) -> Result<(Theme, String), BuildError> {
        let theme = match theme::load(root, &config.theme)? {
            Ok(theme) => theme,
            Err(d) => return Err(self.fail(d)),
        };
        let syntax_css = syntax_css.map_err(|names| {
            let d = Diagnostic::error(
                config::FILE_NAME,
                format!("unknown highlight_theme '{}'", config.highlight_theme),
            )
            .with_help(format!("use one of: {}", names.join(", ")));
            self.fail([d])
        })?;
        Ok((theme, syntax_css))
    }

    /// What the render stage builds once per build: the `site` view, every
    /// entity's card, the compiled templates and the picture each page
    /// shares, with the social cards to draw for it put in `social`. Cards
    /// carry fingerprints when there are `previous` page fingerprints to
    /// compare pages with; social cards the previous build made are kept.
    fn prepare<'m>(
        &mut self,
        model: &'m Model,
        previous: Option<(&PageMemo, &CardMemo)>,
        social: &mut Social,
    ) -> Result<Rendering<'m>, BuildError> {
        self.progress.stage("preparing cards and templates", None);
        let site_view = render::site_view(&model.site);
        let cards = Cards::build(&model.site, previous.is_some());
        self.clock.lap("cards", model.site.catalog.briefs.len());
        let partials = Arc::new(render::Partials::default());
        let tera = render::compile(&model.theme, &model.site.config.base_url, &site_view, &cards, &partials)
            .map_err(|d| self.fail(d.into_vec()))?;
        self.clock.lap("templates", model.theme.templates.len());
        let global = previous.map(|_| PageMemo::global(&model.site, &model.theme, &cards, &site_view));
        let reuse = previous.zip(global).map(|((_, cards), global)| CardReuse {
            global,
            previous: cards,
        });
        let made = share::make(&model.site, &model.theme, &tera, &cards, reuse).map_err(|d| self.fail(d.into_vec()))?;
        self.clock.lap("card layout", made.social.pending.len());
        *social = made.social;
        Ok(Rendering {
            global,
            cards,
            tera,
            partials,
            share: made.images,
        })
    }

    /// render → output: every page through the templates to `sink` (the
    /// write timed apart), then no two files may share a path, nor an old
    /// address (`aliases:`) the path of anything else. Pages whose
    /// fingerprint equals theirs in `previous` are reported, not rendered;
    /// so is the search index when `previous` says it is made later.
    fn render(
        mut self,
        site: &PreparedSite,
        (syntax_css, published): (String, Vec<OutputFile>),
        (previous, handover): (Previous<'_>, Option<&Handover>),
        (social, media): (&Social, &MediaCache),
        sink: &mut Sink<'_>,
    ) -> Result<(BuildReport, Rendered), BuildError> {
        let reuse = match (previous.pages, site.borrow_dependent().global) {
            (Some((previous, _)), Some(global)) => Reuse::Unchanged { global, previous },
            _ => Reuse::Never,
        };
        let catalog = &site.borrow_owner().site.catalog;
        // Redirects wait for the check below: one that needs a folder where
        // a file of the site is (or the other way round) would otherwise
        // fail the write instead of the check.
        let redirect_origins: HashSet<String> = catalog.redirects.iter().map(Redirect::origin).collect();
        let mut held_back: Vec<OutputFile> = Vec::new();
        let mut paths: Vec<(OutputPath, String)> = Vec::new();
        let progress = self.progress;
        let mut counting_sink = |files: Vec<OutputFile>| {
            progress.advance(files.len());
            paths.extend(files.iter().map(|f| (f.path.clone(), f.origin.clone())));
            let (redirects, files): (Vec<_>, Vec<_>) =
                files.into_iter().partition(|f| redirect_origins.contains(&f.origin));
            held_back.extend(redirects);
            sink(files)
        };
        counting_sink(published)?;
        let started = Instant::now();
        let prepared = site.prepared();
        let mut index_files = 0;
        if previous.index.is_none() && prepared.site.config.search {
            progress.stage("writing the search index", None);
            // Written as it is made: a large index is never in memory whole.
            render::search::index_files(prepared.site, prepared.cards, None, &mut |files| {
                index_files += files.len();
                counting_sink(files)
            })
            .map_err(BuildError::Env)?;
        }
        let indexing = (started.elapsed(), index_files);
        progress.stage("rendering and writing pages", Some(render::page_count(prepared)));
        let rendered = match render::render(site.prepared(), syntax_css, (reuse, handover), &mut counting_sink) {
            Ok(rendered) => rendered,
            Err(RenderError::Templates(d)) => return Err(self.fail(d.into_vec())),
            Err(RenderError::Sink(e)) => return Err(BuildError::Env(e)),
        };
        let (started, mut rasterised) = (Instant::now(), 0);
        let cards = &social.pending;
        if !cards.is_empty() {
            progress.stage("drawing social cards", Some(cards.len()));
        }
        for batch in cards.chunks(CARD_BATCH) {
            let (files, fresh) = share::draw(batch, media).map_err(|d| self.fail(d.into_vec()))?;
            rasterised += fresh;
            counting_sink(files)?;
        }
        let drawing = started.elapsed();
        paths.extend(rendered.kept.iter().cloned());
        paths.extend(social.kept.iter().cloned());
        if let Some(index) = previous.index {
            let origin = render::search::INDEX_ORIGIN;
            paths.extend(index.iter().map(|path| (path.clone(), origin.to_owned())));
        }
        // Redirects are checked against everything else at their alias's
        // line; the output stage checks the other files among themselves.
        let (mut collisions, others) = redirects::collisions(catalog, &paths);
        collisions.extend(output::check_collisions(others.iter().map(|(p, o)| (p.as_str(), o.as_str()))).into_vec());
        self.report(collisions)?;
        if !held_back.is_empty() {
            sink(held_back)?;
        }
        // One lap: each batch of pages is written while the next renders.
        self.clock.lap("render + write", paths.len());
        self.clock.laps.push(Timing {
            stage: "  of which cards",
            elapsed: drawing,
            count: rasterised,
        });
        self.clock.laps.push(Timing {
            stage: "  of which search",
            elapsed: indexing.0,
            count: indexing.1,
        });
        let report = BuildReport {
            warnings: self.diagnostics,
            pages: paths.iter().filter(|(p, _)| p.as_str().ends_with(".html")).count(),
            files: paths.len(),
            base_path: site.borrow_owner().site.config.base_url.path().to_owned(),
            rendered: rendered.rendered,
            kept: rendered.kept.len(),
            quick: false,
            written: None,
            timings: self.clock.laps,
            scheduled: (site.borrow_owner().site.catalog.scheduled.iter())
                .map(|(path, date)| (path.clone(), date.iso().to_owned()))
                .collect(),
        };
        Ok((report, rendered))
    }

    /// Adds a stage's diagnostics (warnings as errors when strict) and goes
    /// on: the content and model stages hand what was good to the next, so
    /// one run reports every mistake of a file, not a stage's at a time.
    fn collect(&mut self, mut d: Diagnostics) {
        d.sort();
        let strict = self.strict;
        self.diagnostics.extend(
            d.into_vec()
                .into_iter()
                .map(|d| if strict { d.into_error() } else { d }),
        );
    }

    /// Adds a stage's diagnostics; fails if any so far is an error, with
    /// every diagnostic of the build by file, then line.
    fn report(&mut self, d: Diagnostics) -> Result<(), BuildError> {
        self.collect(d);
        if self.diagnostics.has_errors() {
            self.diagnostics.sort();
            Err(BuildError::Site(std::mem::take(&mut self.diagnostics)))
        } else {
            Ok(())
        }
    }

    /// The build's failure: its diagnostics so far and `more`, as they come.
    fn fail(&mut self, more: impl IntoIterator<Item = Diagnostic>) -> BuildError {
        let mut all = std::mem::take(&mut self.diagnostics);
        all.extend(more);
        BuildError::Site(all)
    }
}

/// Which entities the model stage keeps, and how strict it is.
pub(super) fn catalog_options<'c>(options: &BuildOptions, config: &'c Config) -> CatalogOptions<'c> {
    CatalogOptions {
        drafts: options.drafts,
        future: options.future,
        now: options.now.resolve(),
        unknown_references: config.unknown_references,
        base: &config.base_url,
    }
}

/// How bodies are rendered under `config`.
fn markdown_options(config: &Config) -> MarkdownOptions {
    MarkdownOptions {
        raw_html: config.raw_html,
        link_prefix: config.base_url.path().to_owned(),
        unknown_is_warning: config.unknown_references == UnknownReferences::Warn,
        search: config.search,
    }
}

fn load_config(options: &BuildOptions) -> Result<Config, BuildError> {
    let mut config = match Config::load(&options.root)? {
        Ok(config) => config,
        Err(errors) => return Err(BuildError::Site(errors.into_iter().collect())),
    };
    if let Some(url) = &options.base_url {
        config.base_url = BaseUrl::parse(url)
            .map_err(|why| BuildError::Env(EnvError::usage(format!("invalid --base-url: {why}"))))?;
        config.relative_urls = config::relative_urls_warning(&config.base_url, BaseUrlFrom::Flag(url));
    }
    Ok(config)
}

/// Times consecutive stages.
struct Clock {
    last: Instant,
    laps: Vec<Timing>,
}

impl Clock {
    fn start() -> Clock {
        Clock {
            last: Instant::now(),
            laps: Vec::new(),
        }
    }

    fn lap(&mut self, stage: &'static str, count: usize) {
        let now = Instant::now();
        self.laps.push(Timing {
            stage,
            elapsed: now - self.last,
            count,
        });
        self.last = now;
    }
}
