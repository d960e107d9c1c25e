//! The render stage's entry points: [`render`] makes every page of a site
//! in bounded parallel batches; [`rerender`] makes again only the pages
//! showing bodies a `serve` session edited.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use rayon::prelude::*;
use tera::Tera;

use crate::diag::{Diagnostic, Diagnostics, EnvError};
use crate::markdown::RenderedBody;
use crate::model::{BriefId, Owner, Site};
use crate::routes::OutputPath;

use super::cards::Cards;
use super::hosting;
use super::memo::{PageMemo, Reuse};
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
pub fn render(
    prepared: Prepared<'_>,
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
    let site = prepared.site;
    let theme = prepared.theme;
    let renderer = Renderer::new(prepared, None, previous);
    let mut memo = match reuse {
        Reuse::Never => None,
        Reuse::Unchanged { global, .. } => Some(PageMemo {
            global,
            pages: HashMap::new(),
            shows: vec![Vec::new(); site.catalog.briefs.len()],
        }),
    };
    let mut kept = Vec::new();
    let mut rendered = 0;
    let mut diagnostics = Diagnostics::default();
    let mut seen = HashSet::new();
    // While fingerprinting, each page notes the briefs whose cards it shows.
    let noting = memo.is_some();
    for batch in renderer.jobs().chunks(BATCH) {
        let results: Vec<(Result<PageOutput, Diagnostic>, Vec<BriefId>)> = (batch.par_iter())
            .map(|job| match noting {
                true => shown::noting(|| renderer.render(job)),
                false => (renderer.render(job), Vec::new()),
            })
            .collect();
        let mut files = Vec::with_capacity(results.len());
        for (job, (result, shown)) in batch.iter().zip(results) {
            if let Some(memo) = &mut memo {
                for brief in shown {
                    memo.shows[brief.index()].push(*job);
                }
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
            sink(files).map_err(RenderError::Sink)?;
        }
    }
    if !diagnostics.is_empty() {
        return Err(RenderError::Templates(diagnostics));
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

/// Renders again the pages that show the briefs `ids` after a `serve`
/// session put new texts in their place ([`Cards::patch`]), reading bodies
/// from `overlay` first; updates `memo` with their new fingerprints.
///
/// Those pages are each brief's own, the sitemap (which dates it), and
/// every page that showed its card when `memo` was made (noted as it was
/// fingerprinted: [`super::shown`]). The site must be the one `memo` was
/// made for but for those briefs' texts: the same briefs in the same
/// places, naming the same things, so that no other page can show them.
/// Pages whose fingerprint did not change are left out of the result.
pub fn rerender_briefs(
    prepared: Prepared<'_>,
    overlay: &BodyOverlay,
    ids: &[BriefId],
    memo: &mut PageMemo,
) -> Result<Vec<OutputFile>, Diagnostics> {
    let mut jobs = vec![Job::Sitemap];
    for id in ids {
        jobs.push(Job::Brief(*id));
        jobs.extend(memo.shows.get(id.index()).into_iter().flatten());
    }
    render_again(prepared, overlay, jobs, memo)
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
