//! The render stage's entry points: [`render`] makes every page of a site
//! in bounded parallel batches; [`rerender`] makes again only the pages
//! showing bodies a `serve` session edited.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use rayon::prelude::*;
use tera::Tera;

use crate::diag::{Diagnostic, Diagnostics, EnvError};
use crate::markdown::RenderedBody;
use crate::model::reorder::Remap;
use crate::model::{BriefId, EntityKey, Owner, Site, TagId};
use crate::routes::{OutputPath, UrlPath};

use super::cards::Cards;
use super::handover::Handover;
use super::hosting;
use super::memo::{PageMemo, Reuse, Showed};
use super::renderer::{Job, PageOutput, Renderer};
use super::share::ShareImages;
use super::shown;
use super::theme::{Asset, Theme};

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

/// A site ready to render: the model and theme, with the cards and the
/// compiled templates built once from them for every page.
#[derive(Clone, Copy)]
pub struct Prepared<'a> {
    /// The site.
    pub site: &'a Site,
    /// Its theme.
    pub theme: &'a Theme,
    /// Every entity's card.
    pub cards: &'a Cards<'a>,
    /// The theme's templates, compiled.
    pub tera: &'a Tera,
    /// What each page shares in link previews.
    pub share: &'a ShareImages,
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
///
/// A one-off build hands over its brief bodies' HTML (`handover`, taken
/// out of the site): each brief page frees its own once made.
pub fn render(
    prepared: Prepared<'_>,
    syntax_css: String,
    (reuse, handover): (Reuse<'_>, Option<&Handover>),
    sink: &mut dyn FnMut(Vec<OutputFile>) -> Result<(), EnvError>,
) -> Result<Rendered, RenderError> {
    let empty = PageMemo::default();
    let previous = match reuse {
        Reuse::Never => None,
        Reuse::Unchanged { global, previous } if previous.global == global => Some(previous),
        Reuse::Unchanged { .. } => Some(&empty),
    };
    let site = prepared.site;
    let theme = prepared.theme;
    let renderer = Renderer::new(prepared, None, previous).handing_over(handover);
    let mut memo = match reuse {
        Reuse::Never => None,
        Reuse::Unchanged { global, .. } => Some(PageMemo {
            global,
            pages: HashMap::new(),
            shows: vec![Vec::new(); site.catalog.briefs.len()],
            shows_entities: HashMap::new(),
        }),
    };
    let mut kept = Vec::new();
    let mut rendered = 0;
    let mut diagnostics = Diagnostics::default();
    let mut seen = HashSet::new();
    // While fingerprinting, each page notes the briefs whose cards it shows.
    let noting = memo.is_some();
    let render_batch = |batch: &[Job]| -> Vec<(Result<PageOutput, Diagnostic>, Vec<EntityKey>)> {
        (batch.par_iter())
            .map(|job| match noting {
                true => shown::noting(|| renderer.render(job)),
                false => (renderer.render(job), Vec::new()),
            })
            .collect()
    };
    // The files of the batch before, written while this one renders: each
    // step alone leaves a core idle at its end, waiting for its last page
    // or file.
    let mut unwritten: Option<Vec<OutputFile>> = None;
    for batch in renderer.jobs().chunks(BATCH) {
        let mut results = Vec::new();
        let written = rayon::in_place_scope(|scope| {
            scope.spawn(|_| results = render_batch(batch));
            // Here, on the pipeline's thread, which the sink may expect.
            unwritten.take().map_or(Ok(()), &mut *sink)
        });
        written.map_err(RenderError::Sink)?;
        let mut files = Vec::with_capacity(results.len());
        for (job, (result, shown)) in batch.iter().zip(results) {
            if let Some(memo) = &mut memo {
                memo.note(*job, shown);
            }
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
            unwritten = Some(files);
        }
    }
    if !diagnostics.is_empty() {
        return Err(RenderError::Templates(diagnostics));
    }
    if let Some(files) = unwritten {
        sink(files).map_err(RenderError::Sink)?;
    }
    sink(hosting::files(site, theme, syntax_css)).map_err(RenderError::Sink)?;
    Ok(Rendered { rendered, kept, memo })
}

/// How many pages, feeds and redirects [`render`] makes of `prepared`, for a
/// progress display.
pub fn page_count(prepared: Prepared<'_>) -> usize {
    Renderer::new(prepared, None, None).jobs().len()
}

/// Bodies rendered again since their site was prepared: what a `serve`
/// session's quick rebuilds lay over the prepared site's own bodies.
pub type BodyOverlay = HashMap<Owner, Arc<RenderedBody>>;

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
    prepared: Prepared<'_>,
    overlay: &BodyOverlay,
    owners: &[Owner],
    memo: &mut PageMemo,
) -> Result<Vec<OutputFile>, Diagnostics> {
    let jobs = Renderer::new(prepared, Some(overlay), None).jobs_showing_bodies(owners);
    render_again(prepared, overlay, jobs, memo)
}

/// What a `serve` session's edit of briefs changed in a prepared site, for
/// [`rerender_briefs`].
#[derive(Debug, Default)]
pub struct BriefEdit {
    /// Briefs put in their places ([`Cards::patch`]): their cards changed.
    pub briefs: Vec<BriefId>,
    /// Other briefs whose own pages list other briefs now (their related
    /// or suggested stories).
    pub pages: Vec<BriefId>,
    /// Entities and tags whose lists of briefs changed (after
    /// [`Cards::relink`]), each with the length its list had: their pages,
    /// feeds and cards, and the indexes of their kind, change with them.
    pub lists: Vec<(Listed, usize)>,
    /// Whether a brief's date of update changed, which the sitemap shows.
    pub sitemap: bool,
}

/// Something with a list of briefs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listed {
    /// A company, contract or author (never a brief).
    Entity(EntityKey),
    /// A tag.
    Tag(TagId),
}

/// Renders again the pages an edit of briefs changed ([`BriefEdit`]),
/// reading bodies from `overlay` first; updates `memo` with their new
/// fingerprints and with the cards they show. Returns the files, and the
/// pages a shorter list no longer has.
///
/// Those pages are each edited brief's own, every page that showed the card
/// of an edited brief or of an entity whose list changed (noted as it was
/// made: [`super::shown`]), the pages, feeds and index of each such entity
/// and tag, and the pages of the briefs in `edit.pages`. An error without
/// messages if a new page of a listing is where an old address redirects
/// (a full build reports it). The site must be
/// the one `memo` was made for but for those changes: the same briefs and
/// entities in the same places. Pages whose fingerprint did not change are
/// left out of the result.
pub fn rerender_briefs(
    prepared: Prepared<'_>,
    overlay: &BodyOverlay,
    edit: &BriefEdit,
    memo: &mut PageMemo,
) -> Result<Rerendered, Diagnostics> {
    let mut jobs = Vec::new();
    for id in &edit.briefs {
        jobs.push(Job::Brief(*id));
        jobs.extend(memo.showing(EntityKey::Brief(*id)));
    }
    jobs.extend(edit.pages.iter().map(|id| Job::Brief(*id)));
    if edit.sitemap {
        jobs.push(Job::Sitemap);
    }
    render_with_lists(prepared, overlay, (jobs, &edit.lists), (Vec::new(), Vec::new()), memo)
}

/// The templates that may show the number of briefs when a brief is added
/// or deleted without a full build ([`rerender_moved`]): their pages are
/// known (every home page, the 404 page).
pub const MOVED_COUNTS_READERS: [&str; 2] = ["index.html", "404.html"];

/// What a brief added, deleted or moved in the date order changed in a
/// site prepared again ([`crate::model::reorder`]), for [`rerender_moved`].
#[derive(Debug)]
pub struct MovedEdit {
    /// How the ids changed.
    pub remap: Remap,
    /// How many briefs the site had.
    pub was: usize,
    /// Pages that showed the card of the brief deleted.
    pub showed: Showed,
    /// Briefs whose own pages list other briefs now (related, suggested
    /// or mentioning stories), by their new ids.
    pub pages: Vec<BriefId>,
    /// Entities and tags whose lists of briefs changed, or that list the
    /// brief, each with the length its list had.
    pub lists: Vec<(Listed, usize)>,
}

/// Renders again the pages a brief added, deleted or moved changed
/// ([`MovedEdit`]); `memo` must have been given the new ids
/// ([`PageMemo::remap`]). Those pages are the brief's own, every page that
/// showed its card, the home pages from its old or new place on (to the
/// end when their number changed), the pages, feeds and index of each
/// list in `edit.lists`, the pages of `edit.pages`, the site feed and the
/// sitemap, and, when the number of briefs changed, every page whose
/// template can show the number (which only the home and 404 templates
/// may: [`MOVED_COUNTS_READERS`]). The site's own bodies are its pages'
/// (a session folds what it rendered since into the site it puts the
/// brief in). An error without messages if a new page is where an old
/// address redirects. Returns the files whose bytes changed, with the
/// listing pages gone and how many came.
pub fn rerender_moved(
    prepared: Prepared<'_>,
    edit: &MovedEdit,
    memo: &mut PageMemo,
) -> Result<Rerendered, Diagnostics> {
    let overlay = &BodyOverlay::new();
    let renderer = Renderer::new(prepared, Some(overlay), None);
    let remap = &edit.remap;
    let now = prepared.site.catalog.briefs.len();
    let mut jobs = edit.showed.0.clone();
    if let Some(id) = remap.to() {
        jobs.push(Job::Brief(id));
        jobs.extend(memo.showing(EntityKey::Brief(id)));
    }
    jobs.extend(edit.pages.iter().map(|id| Job::Brief(*id)));
    jobs.extend([Job::SiteFeed, Job::Sitemap]);
    let counts_read = !remap.same_count() && prepared.theme.counts_readers().brief_count();
    let (pages, before) = (renderer.pages_of(now), renderer.pages_of(edit.was));
    let per_page = prepared.site.config.briefs_per_page.get();
    let first = if counts_read {
        1
    } else {
        remap.first_changed() / per_page + 1
    };
    let last = match remap.last_changed() {
        Some(last) if !counts_read => last / per_page + 1,
        _ => pages,
    };
    jobs.extend((first..=last.min(pages)).map(|page| Job::Home { page }));
    if counts_read {
        jobs.push(Job::NotFound);
    }
    let home = |page: usize| UrlPath::paginated(&UrlPath::home(), page).output_file();
    let added = (before + 1..=pages).map(home).collect();
    let gone = (pages + 1..=before).map(home).collect();
    render_with_lists(prepared, overlay, (jobs, &edit.lists), (added, gone), memo)
}

/// Renders `jobs` again, with the pages, feeds and index of each of
/// `lists` (each with the length its list had) and the pages that showed
/// the card of an entity among them, through `memo`; `paged` are pages
/// the site gained and lost besides. An error without messages if a new
/// page of a listing is where an old address redirects: a full build
/// says which alias is in the way.
fn render_with_lists(
    prepared: Prepared<'_>,
    overlay: &BodyOverlay,
    (mut jobs, lists): (Vec<Job>, &[(Listed, usize)]),
    (mut added, mut gone): (Vec<OutputPath>, Vec<OutputPath>),
    memo: &mut PageMemo,
) -> Result<Rerendered, Diagnostics> {
    let renderer = Renderer::new(prepared, Some(overlay), None);
    for (listed, was) in lists {
        let (listing, more, fewer) = renderer.jobs_listing(*listed, *was);
        jobs.extend(listing);
        added.extend(more);
        gone.extend(fewer);
        if let Listed::Entity(owner) = listed {
            jobs.extend(memo.showing(*owner));
        }
    }
    let redirects = &prepared.site.catalog.redirects;
    if (added.iter()).any(|page| redirects.iter().any(|r| r.from.output_file() == *page)) {
        return Err(Diagnostics::default());
    }
    jobs.retain(|job| renderer.exists(job));
    let files = render_again(prepared, overlay, jobs, memo)?;
    // A page gone is made again if its listing grows back.
    for path in &gone {
        memo.pages.remove(path);
    }
    Ok(Rerendered {
        files,
        gone,
        added: added.len(),
    })
}

/// What [`rerender_briefs`] made.
#[derive(Debug)]
pub struct Rerendered {
    /// The pages whose bytes changed.
    pub files: Vec<OutputFile>,
    /// Pages of listings that no longer have them.
    pub gone: Vec<OutputPath>,
    /// How many pages listings gained.
    pub added: usize,
}

/// Renders `jobs` (each once) through `memo`, which takes the new
/// fingerprints of those rendered.
fn render_again(
    prepared: Prepared<'_>,
    overlay: &BodyOverlay,
    mut jobs: Vec<Job>,
    memo: &mut PageMemo,
) -> Result<Vec<OutputFile>, Diagnostics> {
    jobs.sort_unstable();
    jobs.dedup();
    let renderer = Renderer::new(prepared, Some(overlay), Some(memo));
    let results: Vec<_> = (jobs.par_iter())
        .map(|job| shown::noting(|| renderer.render(job)))
        .collect();
    let mut files = Vec::new();
    let mut fingerprints = Vec::new();
    let mut diagnostics = Diagnostics::default();
    let mut noted = Vec::new();
    for (job, (result, shown)) in jobs.iter().zip(results) {
        noted.push((*job, shown));
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
    for (job, shown) in noted {
        memo.note(job, shown);
    }
    memo.dedup();
    Ok(files)
}
