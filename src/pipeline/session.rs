//! `serve`'s builds: a [`Session`] remembers the last good build of a site
//! so that the next one does only the work its edits call for.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::time::Instant;

use super::{Built, Memory, Prepared, Rendering, Source, Timing, markdown_options, run};
use crate::body_cache::BodyCache;
use crate::content::{self, Content, FileCache, SourceFile};
use crate::diag::Diagnostics;
use crate::highlight::Highlighter;
use crate::markdown;
use crate::model::catalog::WikiResolver;
use crate::model::routes::OutputPath;
use crate::model::{EntityKey, Owner};
use crate::pipeline::{BuildError, BuildOptions, BuildReport};
use crate::render::fingerprint::Fingerprint;
use crate::render::{self, BodyOverlay, OutputFile, PageMemo};

/// Builds of one site in memory that remember the last good build, so each
/// renders only the pages whose inputs changed: what `serve` runs on every
/// saved edit.
///
/// Two ways, both checked against clean builds by `tests/it/incremental.rs`:
///
/// - **Quick**: when the only change is to the bodies of known content files
///   (their front matter byte-identical), and the new bodies link to the same
///   entities, give no warning and keep the brief's summary, the site the last
///   good build prepared (catalog, links, cards, templates) is still right
///   but for those bodies. Only the pages that show one are rendered again
///   ([`render::rerender`]).
/// - **Full**: every stage runs as in a full build, but reuses its previous
///   work where the inputs are provably the same: parsed files whose stamp is
///   unchanged ([`content::FileCache`]), bodies whose text and wikilink
///   answers are unchanged ([`BodyCache`]), and pages whose fingerprint (see
///   [`render::fingerprint`]) equals the last good build's. A page's
///   fingerprint covers its whole view plus everything pages share
///   (templates, configuration, the `site` view, the lookup cards).
#[derive(Default)]
pub struct Session {
    /// The last good build's page fingerprints.
    pages: PageMemo,
    /// The last build's parsed files.
    files: FileCache,
    /// The last build's rendered bodies.
    bodies: BodyCache,
    /// Syntax definitions, loaded once per session (on the first code block).
    highlighter: Highlighter,
    /// The last good build, if the build after it did not fail: after a
    /// failure, files may differ from it in ways no later edit reports.
    last: Option<Last>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("pages", &self.pages)
            .field("kept_build", &self.last.is_some())
            .finish_non_exhaustive()
    }
}

/// The last good build, kept whole.
struct Last {
    prepared: Prepared,
    options: BuildOptions,
    /// Content files with a body in the site.
    sources: HashMap<PathBuf, Source>,
    /// What each brief's body links to, by brief.
    mentions: Vec<Vec<EntityKey>>,
    /// Bodies rendered again by quick builds since.
    overlay: BodyOverlay,
    /// The build's warnings, and the files they are about.
    warnings: Diagnostics,
    warned: HashSet<PathBuf>,
    pages: usize,
    files: usize,
    base_path: String,
    /// Pages and feeds rendered through a template.
    templated: usize,
}

/// What changed since the session's last good build.
#[derive(Debug)]
pub struct Update {
    /// Files rendered or copied by this build: new or changed pages and
    /// feeds (after a full build, also every hosting file and asset).
    pub files: Vec<OutputFile>,
    /// The last good build's files that stay as they are.
    pub kept: Kept,
}

/// Which of the last good build's files an [`Update`] keeps.
#[derive(Debug)]
pub enum Kept {
    /// These pages; every other old file is gone.
    Only(Vec<OutputPath>),
    /// Every file the update does not replace.
    AllOthers,
}

impl Session {
    /// Builds the site, not knowing what changed; on success the result
    /// becomes the base of the next build.
    pub fn build(&mut self, options: &BuildOptions) -> Result<(Update, BuildReport), BuildError> {
        self.full(options)
    }

    /// Builds the site after changes to `changed` (paths relative to the
    /// site root, as a file watcher reports them): quickly if they are only
    /// edits to bodies, fully otherwise.
    pub fn rebuild(
        &mut self,
        options: &BuildOptions,
        changed: &[PathBuf],
    ) -> Result<(Update, BuildReport), BuildError> {
        match self.quick(options, changed) {
            Some(done) => Ok(done),
            None => self.full(options),
        }
    }

    fn full(&mut self, options: &BuildOptions) -> Result<(Update, BuildReport), BuildError> {
        self.last = None;
        let mut files = Vec::new();
        let memory = Memory {
            highlighter: &self.highlighter,
            files: &mut self.files,
            pages: &self.pages,
            bodies: &mut self.bodies,
        };
        let Built {
            report,
            rendered,
            prepared,
            sources,
            mentions,
        } = run(options, Some(memory), &mut |batch| {
            files.extend(batch);
            Ok(())
        })?;
        if let Some(memo) = rendered.memo {
            self.pages = memo;
        }
        self.last = Some(Last {
            prepared,
            options: options.clone(),
            sources,
            mentions,
            overlay: BodyOverlay::new(),
            warnings: report.warnings.clone(),
            warned: report.warnings.iter().map(|d| d.path.clone()).collect(),
            pages: report.pages,
            files: report.files,
            base_path: report.base_path.clone(),
            templated: report.rendered + report.kept,
        });
        let kept = Kept::Only(rendered.kept.into_iter().map(|(path, _)| path).collect());
        Ok((Update { files, kept }, report))
    }

    /// The quick build, if `changed` are only body edits it can apply to
    /// the last good build; `None` leaves the session as it was.
    fn quick(&mut self, options: &BuildOptions, changed: &[PathBuf]) -> Option<(Update, BuildReport)> {
        let started = Instant::now();
        let Session {
            pages,
            highlighter,
            last,
            ..
        } = self;
        let last = last.as_mut()?;
        if changed.is_empty() || !same_site(&last.options, options) {
            return None;
        }
        let model = last.prepared.borrow_owner();
        let site = &model.site;
        let markdown_options = markdown_options(&site.config);
        let resolver = WikiResolver {
            catalog: &site.catalog,
            base: &site.config.base_url,
        };
        let mut overlay = last.overlay.clone();
        let mut owners = Vec::new();
        for path in changed {
            let source = *last.sources.get(path)?;
            if last.warned.contains(path) {
                return None;
            }
            let file = content::reread(&options.root, path)?;
            if front_fingerprint(&file) != source.front {
                return None;
            }
            let rendered = markdown::render(&file.into_body(), &resolver, highlighter, &markdown_options);
            if !rendered.diagnostics.is_empty() {
                return None;
            }
            if let Owner::Brief(id) = source.owner {
                let current = overlay
                    .get(&source.owner)
                    .unwrap_or_else(|| site.bodies.get(source.owner));
                let summary_changed = site.catalog.briefs[id.index()].summary.is_none()
                    && rendered.body.first_paragraph != current.first_paragraph;
                if summary_changed || rendered.mentions != last.mentions[id.index()] {
                    return None;
                }
            }
            overlay.insert(source.owner, rendered.body);
            owners.push(source.owner);
        }
        let markdown_done = Instant::now();
        let Rendering { cards, tera, .. } = last.prepared.borrow_dependent();
        let files = render::rerender(site, tera, &model.theme, cards, &overlay, &owners, pages).ok()?;
        last.overlay = overlay;
        let report = BuildReport {
            warnings: last.warnings.clone(),
            pages: last.pages,
            files: last.files,
            base_path: last.base_path.clone(),
            rendered: files.len(),
            kept: last.templated - files.len(),
            quick: true,
            written: None,
            timings: vec![
                Timing {
                    stage: "read + markdown",
                    elapsed: markdown_done - started,
                    count: changed.len(),
                },
                Timing {
                    stage: "render",
                    elapsed: markdown_done.elapsed(),
                    count: files.len(),
                },
            ],
        };
        let update = Update {
            files,
            kept: Kept::AllOthers,
        };
        Some((update, report))
    }
}

/// Whether two builds are of the same site with the same options.
fn same_site(a: &BuildOptions, b: &BuildOptions) -> bool {
    a.root == b.root && a.base_url == b.base_url && a.drafts == b.drafts
}

/// The fingerprint of a file's front matter, by path: equal fingerprints
/// mean an equal parse.
pub(super) fn front_fingerprints(content: &Content) -> HashMap<PathBuf, Fingerprint> {
    content
        .files()
        .map(|f| (f.path.clone(), front_fingerprint(f)))
        .collect()
}

fn front_fingerprint(file: &SourceFile) -> Fingerprint {
    let line = file.body_line().to_le_bytes();
    Fingerprint::of_parts([file.yaml().as_bytes(), line.as_slice()])
}
