//! The build, top to bottom: config → content → model → markdown → links →
//! render → output. Each stage reports all of its errors; the build stops
//! after the first stage that had any. `check` is the same pipeline without
//! the write; `serve` runs it in a [`Session`], which reuses what the
//! previous build of the same site made.

mod session;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::config::{Config, UnknownReferences};
use crate::diag::{Diagnostic, Diagnostics, EnvError};
use crate::highlight::{self, Highlighter};
use crate::markdown::{self, BodyCache, MarkdownOptions};
use crate::model::catalog::{self, CatalogOptions, WikiResolver};
use crate::model::routes::BaseUrl;
use crate::model::routes::OutputPath;
use crate::model::{Bodies, Owner, Site, links};
use crate::output::Staging;
use crate::output::{self, Refusal, WriteReport};
use crate::render::theme::Theme;
use crate::render::views::SiteView;
use crate::render::{self, Cards, OutputFile, PageMemo, RenderError, Reuse, theme};
use crate::{config, content};
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
    /// Items handled (files, bodies, pages).
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

/// Builds (or checks) the site.
pub fn build(options: &BuildOptions) -> Result<BuildReport, BuildError> {
    let out = output_dir(options);
    let mut staging = Staging::create(&options.root, &out, options.force)?;
    let mut report = release(run(options, None, &mut |files| staging.write(&files))?);
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
    Ok(release(run(options, None, &mut |_| Ok(()))?))
}

/// The report of a one-off build, whose model is freed on another thread:
/// freeing a large site's model takes tens of milliseconds on one core,
/// and the command exits without waiting for it (the OS takes the memory
/// back at once).
fn release(built: Built) -> BuildReport {
    let Built {
        report,
        rendered,
        prepared,
    } = built;
    std::thread::spawn(move || drop((rendered, prepared)));
    report
}

/// Runs every stage up to the write and returns the output files in memory
/// with the report.
pub fn render_site(options: &BuildOptions) -> Result<(Vec<OutputFile>, BuildReport), BuildError> {
    let mut all = Vec::new();
    let report = run(options, None, &mut |files| {
        all.extend(files);
        Ok(())
    })?
    .report;
    Ok((all, report))
}

/// What a build may reuse from earlier builds of its session.
struct Memory<'a> {
    highlighter: &'a Highlighter,
    content: &'a mut ContentCache,
    pages: &'a PageMemo,
    bodies: &'a mut BodyCache<Owner>,
}

/// The site model and theme of a build, which the render stage borrows.
struct Model {
    site: Site,
    theme: Theme,
}

/// What rendering borrows from a [`Model`]: built once per build.
struct Rendering<'a> {
    site_view: SiteView<'a>,
    cards: Cards<'a>,
    tera: Arc<Tera>,
}

self_cell::self_cell!(
    /// A site ready to render: the model with its cards and compiled
    /// templates. A [`Session`] keeps the last good one, so that an edit to
    /// a body renders the pages showing it without preparing the site again.
    struct Prepared {
        owner: Model,
        #[covariant]
        dependent: Rendering,
    }
);

impl Prepared {
    /// What the render stage reads.
    fn prepared(&self) -> render::stage::Prepared<'_> {
        let (model, rendering) = (self.borrow_owner(), self.borrow_dependent());
        render::stage::Prepared {
            site: &model.site,
            theme: &model.theme,
            cards: &rendering.cards,
            tera: &rendering.tera,
        }
    }
}

/// Everything a build made, for a session to keep.
struct Built {
    report: BuildReport,
    rendered: render::Rendered,
    prepared: Prepared,
}

/// The pipeline; rendered files go to `sink` in bounded batches. With a
/// previous build's fingerprints, unchanged pages are reported, not rendered.
fn run(
    options: &BuildOptions,
    mut memory: Option<Memory<'_>>,
    sink: &mut dyn FnMut(Vec<OutputFile>) -> Result<(), EnvError>,
) -> Result<Built, BuildError> {
    let mut report = BuildReport::default();
    let mut all = Diagnostics::default();
    let mut clock = Clock::start();
    let root = &options.root;

    let config = load_config(options)?;

    let (content, d) = match memory.as_mut() {
        Some(memory) => memory.content.load(root)?,
        None => content::load(root)?,
    };
    let files = content.briefs.len() + content.companies.len() + content.contracts.len() + content.pages.len();
    clock.lap("load + parse", files);
    stage(&mut all, d)?;

    let catalog_options = CatalogOptions {
        drafts: options.drafts,
        unknown_references: config.unknown_references,
    };
    let fresh = Highlighter::default();
    let highlighter = memory.as_ref().map_or(&fresh, |m| m.highlighter);
    // Resolving runs on one core: syntect's syntaxes (if any body has a code
    // fence) load meanwhile on the other. Only they: for a small site they
    // take longer than resolving, and the stylesheet can wait for the
    // Markdown stage, where it costs a share of both cores instead.
    let texts = content.texts();
    let (catalog, pending, d) = std::thread::scope(|scope| {
        let preloading = scope.spawn(|| {
            if texts.iter().any(|t| highlight::has_code_fence(t)) {
                highlighter.preload();
            }
        });
        let resolved = catalog::build(content, catalog_options);
        preloading.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
        resolved
    });
    drop(texts);
    clock.lap("resolve", catalog.briefs.len());
    stage(&mut all, d)?;

    let markdown_options = markdown_options(&config);
    let resolver = WikiResolver {
        catalog: &catalog,
        base: &config.base_url,
    };
    let (syntax_css, rendered) = rayon::join(
        || highlight::stylesheet(&config.highlight_theme),
        || match memory.as_mut() {
            Some(memory) => memory
                .bodies
                .render_all(pending, &resolver, highlighter, &markdown_options),
            None => markdown::render_all(pending, &resolver, highlighter, &markdown_options),
        },
    );
    clock.lap("markdown", rendered.len());
    let (bodies, d) = Bodies::collect(rendered, &catalog);
    stage(&mut all, d)?;

    let links = links::derive(&catalog, &bodies.mentions);
    clock.lap("link graph", catalog.briefs.len());
    let site = Site {
        config,
        catalog,
        links,
        bodies,
    };

    let theme = match theme::load(root, &site.config.theme)? {
        Ok(theme) => theme,
        Err(d) => return Err(BuildError::Site(merged(all, d))),
    };
    let syntax_css = syntax_css.map_err(|names| {
        let d = Diagnostic::error(
            config::FILE_NAME,
            format!("unknown highlight_theme '{}'", site.config.highlight_theme),
        )
        .with_help(format!("use one of: {}", names.join(", ")));
        BuildError::Site(merged(all.clone(), [d]))
    })?;
    let fingerprints = memory.is_some();
    let prepared = Prepared::try_new(Model { site, theme }, |model| {
        let site_view = render::site_view(&model.site);
        let cards = render::Cards::build(&model.site, fingerprints);
        clock.lap("cards", model.site.catalog.briefs.len());
        let tera = render::compile(&model.theme, &model.site.config.base_url, &site_view, &cards)
            .map_err(|d| BuildError::Site(merged(all.clone(), d.into_vec())))?;
        clock.lap("templates", model.theme.templates.len());
        Ok::<_, BuildError>(Rendering { site_view, cards, tera })
    })?;
    let site = &prepared.borrow_owner().site;
    let site_view = &prepared.borrow_dependent().site_view;
    let mut paths: Vec<(OutputPath, String)> = Vec::new();
    let mut writing = Duration::ZERO;
    let mut counting_sink = |files: Vec<OutputFile>| {
        paths.extend(files.iter().map(|f| (f.path.clone(), f.origin.clone())));
        let started = Instant::now();
        let result = sink(files);
        writing += started.elapsed();
        result
    };
    let reuse = match &memory {
        Some(memory) => Reuse::Unchanged {
            global: PageMemo::global(prepared.prepared(), site_view),
            previous: memory.pages,
        },
        None => Reuse::Never,
    };
    let rendered = match render::render(prepared.prepared(), syntax_css, reuse, &mut counting_sink) {
        Ok(rendered) => rendered,
        Err(RenderError::Templates(d)) => return Err(BuildError::Site(merged(all, d.into_vec()))),
        Err(RenderError::Sink(e)) => return Err(BuildError::Env(e)),
    };
    report.kept = rendered.kept.len();
    report.rendered = rendered.rendered;
    paths.extend(rendered.kept.iter().cloned());
    report.pages = paths.iter().filter(|(p, _)| p.as_str().ends_with(".html")).count();
    report.files = paths.len();
    clock.lap("render + write", paths.len());
    if let Some(lap) = clock.laps.last_mut() {
        lap.elapsed = lap.elapsed.saturating_sub(writing);
        lap.stage = "render";
    }
    clock.laps.push(Timing {
        stage: "write",
        elapsed: writing,
        count: paths.len(),
    });
    stage(
        &mut all,
        output::check_collisions(paths.iter().map(|(p, o)| (p.as_str(), o.as_str()))),
    )?;
    report.warnings = all;
    report.timings = clock.laps;
    report.base_path = site.config.base_url.path().to_owned();
    Ok(Built {
        report,
        rendered,
        prepared,
    })
}

/// How bodies are rendered under `config`.
fn markdown_options(config: &Config) -> MarkdownOptions {
    MarkdownOptions {
        raw_html: config.raw_html,
        link_prefix: config.base_url.path().to_owned(),
        unknown_is_warning: config.unknown_references == UnknownReferences::Warn,
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
    }
    Ok(config)
}

/// Adds a stage's diagnostics; fails if any is an error.
fn stage(all: &mut Diagnostics, mut d: Diagnostics) -> Result<(), BuildError> {
    d.sort();
    all.extend(d.into_vec());
    if all.has_errors() {
        Err(BuildError::Site(std::mem::take(all)))
    } else {
        Ok(())
    }
}

fn merged(mut all: Diagnostics, more: impl IntoIterator<Item = Diagnostic>) -> Diagnostics {
    all.extend(more);
    all
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
