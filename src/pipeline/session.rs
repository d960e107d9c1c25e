//! `serve`'s builds: a [`Session`] remembers the last good build of a site
//! so that the next one does only the work its edits call for.

mod moved;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::media::cache::MediaCache;

use super::{
    BuildError, BuildOptions, BuildReport, Built, Caches, PreparedSite, Purpose, Silent, Timing, markdown_options, run,
};
use crate::content::raw::RawBrief;
use crate::content::{self, Content, FileCache, SourceFile, Walked};
use crate::diag::{Diagnostics, EnvError};
use crate::highlight::Highlighter;
use crate::markdown::{self, BodyCache};
use crate::media::document::Library;
use crate::model::catalog::{self, WikiResolver};
use crate::model::{
    AuthorId, Brief, BriefId, CompanyId, ContractId, EntityKey, Links, Owner, Site, Suggestions, TagId, links, related,
};
use crate::render::fingerprint::Fingerprint;
use crate::render::share::{self, CardMemo};
use crate::render::{self, BodyOverlay, BriefEdit, Listed, OutputFile, PageMemo};
use crate::routes::OutputPath;
use crate::slug::Slug;

/// Builds of one site in memory that remember the last good build, so each
/// renders only the pages whose inputs changed: what `serve` runs on every
/// saved edit.
///
/// Three ways, all checked against clean builds by `tests/it/incremental.rs`:
///
/// - **Quick**: when the only change is to the bodies of known content files
///   (their front matter byte-identical), and the new bodies link to the same
///   entities, give no warning and keep the brief's summary, the site the last
///   good build prepared (catalog, links, cards, templates) is still right
///   but for those bodies. Only the pages that show one are rendered again
///   ([`render::rerender`]).
/// - **Texts**: when the only change is to the texts of briefs' front
///   matter (title, summary, sources…; their bodies, dates, names and
///   references as they were, and no message about them), each brief is
///   put in its place in the prepared site, with its card and social card,
///   and only the pages that showed its card when they were last
///   fingerprinted are rendered again ([`render::rerender_briefs`]).
/// - **Full**: every stage runs as in a one-off build, but reuses its
///   previous work where the inputs are provably the same: parsed files
///   whose stamp is unchanged ([`content::FileCache`]), bodies whose text
///   and wikilink answers are unchanged ([`BodyCache`]), and pages whose
///   fingerprint (see [`render::fingerprint`]) equals the last good build's.
///   A page's fingerprint covers its whole view plus everything pages share
///   (templates, configuration, the `site` view, the lookup cards when a
///   template can call a lookup). Besides, only the files the watcher
///   named are read again (no walk, no stat of the others) when none came
///   or went; social cards whose texts are unchanged are neither laid out
///   nor drawn ([`crate::render::share::CardMemo`]); and the search index
///   is left to [`Session::refresh_index`], after the pages are served.
#[derive(Default)]
pub struct Session {
    /// The last good build's page fingerprints.
    pages: PageMemo,
    /// The last good build's social cards.
    cards: CardMemo,
    /// The last build's parsed files.
    content: ContentCache,
    /// The last build's rendered bodies, and whose each was.
    bodies: BodyCache<Owner>,
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

/// The content stage's part of a session: the last load's parsed files,
/// and each one's front matter fingerprint, by path relative to the root.
#[derive(Debug, Default)]
pub(super) struct ContentCache {
    files: FileCache,
    /// Equal fingerprints mean an equal parse: a quick build may keep it.
    fronts: HashMap<PathBuf, Fingerprint>,
    /// The last walk of `content/`, if it reported nothing, brought up to
    /// date with the watcher's reports since ([`Walked::follow`]).
    walked: Option<Walked>,
    /// What changed since the last load, as the file watcher reported it
    /// (paths relative to the root, quick builds' included: they read
    /// their files but leave the parsed ones as they were); `None` when
    /// not known.
    changed: Option<HashSet<PathBuf>>,
}

impl ContentCache {
    /// Loads the content through the parsed files, and fingerprints each
    /// file's front matter for the quick builds that may follow. When the
    /// watcher reported only Markdown files edited, added or deleted where
    /// the walk looks ([`Walked::follow`]), the walk is not made again and
    /// only those files are read.
    pub(super) fn load(&mut self, root: &Path) -> Result<(Content, Diagnostics), EnvError> {
        let changed = self.changed.replace(HashSet::new());
        let followed = changed.and_then(|changed| {
            let walked = self.walked.as_ref()?;
            let changed = changed.iter().map(|p| root.join(p)).collect::<HashSet<PathBuf>>();
            let walked = walked.follow(root, &changed)?;
            Some((walked, changed))
        });
        let (content, d) = match followed {
            Some((walked, changed)) => {
                let loaded = content::load_known(root, &walked, &mut self.files, &changed);
                // What failed to read may have changed again unreported.
                let loaded = loaded.inspect_err(|_| self.walked = None)?;
                self.files.forget_all(changed.iter().filter(|p| !p.exists()));
                self.walked = Some(walked);
                loaded
            }
            None => {
                self.walked = None;
                let (walked, d) = content::walk(root)?;
                let walk_was_clean = d.is_empty();
                let loaded = content::load_walked(root, &walked, Some(&mut self.files), d)?;
                if walk_was_clean {
                    self.walked = Some(walked);
                }
                loaded
            }
        };
        self.fronts = content
            .files()
            .map(|f| (f.path.clone(), front_fingerprint(f)))
            .collect();
        Ok((content, d))
    }

    /// Notes paths the watcher reported changed, for the next load.
    fn note_changed(&mut self, changed: &[PathBuf]) {
        if let Some(set) = &mut self.changed {
            set.extend(changed.iter().cloned());
        }
    }
}

/// The last good build, kept whole.
struct Last {
    site: PreparedSite,
    options: BuildOptions,
    /// Bodies rendered again by quick builds since.
    overlay: BodyOverlay,
    /// The build's warnings, and the files they are about.
    warnings: Diagnostics,
    warned: HashSet<PathBuf>,
    pages: usize,
    files: usize,
    base_path: String,
    /// Briefs held back until their date.
    scheduled: Vec<(PathBuf, String)>,
    /// Pages and feeds rendered through a template.
    templated: usize,
    /// The PDFs bodies could embed: an edit to one is no body edit, so
    /// they are as the last full build read them.
    documents: Library,
    /// The search index's files as last written, by path, each with a hash
    /// of its bytes: an update sends only those an edit changed.
    index: HashMap<OutputPath, u128>,
    /// Whether quick builds since changed bodies the index does not hold
    /// yet ([`Session::refresh_index`]).
    index_stale: bool,
}

impl Last {
    /// The report of an update made from this build: its warnings and
    /// counts, with what the update rendered and kept.
    fn quick_report(&self, rendered: usize, kept: usize, timings: Vec<Timing>) -> BuildReport {
        BuildReport {
            warnings: self.warnings.clone(),
            pages: self.pages,
            files: self.files,
            base_path: self.base_path.clone(),
            scheduled: self.scheduled.clone(),
            rendered,
            kept,
            quick: true,
            written: None,
            timings,
        }
    }
}

/// The search index's files among `files`, each with a hash of its bytes.
fn index_hashes(files: &[OutputFile]) -> HashMap<OutputPath, u128> {
    (files.iter())
        .filter(|f| f.origin == render::search::INDEX_ORIGIN)
        .filter_map(|f| match &f.contents {
            render::Contents::Bytes(bytes) => Some((f.path.clone(), xxhash_rust::xxh3::xxh3_128(bytes))),
            render::Contents::Asset(_) => None,
        })
        .collect()
}

/// What changed since the session's last good build.
#[derive(Debug)]
pub struct Update {
    /// Files rendered or copied by this build: new or changed pages and
    /// feeds (after a full build, also every hosting file and asset).
    pub files: Vec<OutputFile>,
    /// The last good build's files that stay as they are.
    pub kept: Kept,
    /// Whether the search index is behind this update: a quick build
    /// leaves it to [`Session::refresh_index`], so that the edited page
    /// reloads without waiting for it.
    pub index_behind: bool,
}

/// Which of the last good build's files an [`Update`] keeps.
#[derive(Debug)]
pub enum Kept {
    /// These pages; every other old file is gone.
    Only(Vec<OutputPath>),
    /// Every file the update does not replace.
    AllOthers,
    /// Every file the update does not replace but these, which are gone.
    AllBut(Vec<OutputPath>),
}

impl Session {
    /// Builds the site, not knowing what changed; on success the result
    /// becomes the base of the next build.
    pub fn build(&mut self, options: &BuildOptions) -> Result<(Update, BuildReport), BuildError> {
        self.content.changed = None;
        self.full(options)
    }

    /// Builds the site after changes to `changed` (paths relative to the
    /// site root, as a file watcher reports them): quickly if they are only
    /// edits to bodies, fully otherwise. `changed` must name every path
    /// that changed since the last build (a watcher that may have missed
    /// some calls [`Session::build`]): a file it leaves out may not be
    /// read again.
    pub fn rebuild(
        &mut self,
        options: &BuildOptions,
        changed: &[PathBuf],
    ) -> Result<(Update, BuildReport), BuildError> {
        self.content.note_changed(changed);
        if let Some(done) = self.quick(options, changed) {
            return Ok(done);
        }
        if let Some(done) = self.briefs(options, changed) {
            return Ok(done);
        }
        match self.moved(options, changed) {
            Some(done) => Ok(done),
            None => self.full(options),
        }
    }

    /// Says that changes may have gone unreported (a file watcher's error):
    /// the next build reads every file whose stamp changed, as
    /// [`Session::build`] does, instead of trusting the paths it is given.
    pub fn lost_track(&mut self) {
        self.content.changed = None;
    }

    /// Every stage, through the session's caches; keeps the prepared site.
    /// After a good build, the search index is left to
    /// [`Session::refresh_index`]: at 10,000 briefs it takes longer than
    /// the pages an edit changes, and the writer's reload need not wait.
    fn full(&mut self, options: &BuildOptions) -> Result<(Update, BuildReport), BuildError> {
        let previous_index = self.last.take().map(|last| {
            let Last { site, index, .. } = last;
            // Freeing a large site takes tens of milliseconds on one core.
            super::free_in_background(site);
            index
        });
        let index_paths: Option<Vec<OutputPath>> = previous_index.as_ref().map(|index| index.keys().cloned().collect());
        let caches = Caches {
            content: Some(&mut self.content),
            bodies: Some(&mut self.bodies),
            highlighter: &self.highlighter,
            pages: Some((&self.pages, &self.cards)),
            media: MediaCache::at(&options.root),
            index_later: index_paths.as_deref(),
            keeps_site: true,
        };
        let mut files = Vec::new();
        let Built {
            report,
            index_behind,
            rendered,
            site,
            documents,
            cards,
            kept_cards,
        } = run(options, Purpose::Look, caches, &Silent, &mut |batch| {
            files.extend(batch);
            Ok(())
        })?;
        if let Some(memo) = rendered.memo {
            self.pages = memo;
        }
        self.cards = cards;
        let (index, kept_index) = match (index_behind, previous_index, index_paths) {
            (true, Some(index), Some(paths)) => (index, paths),
            _ => (index_hashes(&files), Vec::new()),
        };
        self.last = Some(Last {
            site,
            options: options.clone(),
            overlay: BodyOverlay::new(),
            warnings: report.warnings.clone(),
            warned: report.warnings.iter().map(|d| d.path.clone()).collect(),
            pages: report.pages,
            files: report.files,
            base_path: report.base_path.clone(),
            scheduled: report.scheduled.clone(),
            templated: report.rendered + report.kept,
            documents,
            index,
            index_stale: index_behind,
        });
        let kept = (rendered.kept.into_iter().map(|(path, _)| path))
            .chain(kept_cards)
            .chain(kept_index)
            .collect();
        let update = Update {
            files,
            kept: Kept::Only(kept),
            index_behind,
        };
        Ok((update, report))
    }

    /// The quick build, if `changed` are only body edits it can apply to
    /// the last good build; `None` leaves the session as it was.
    fn quick(&mut self, options: &BuildOptions, changed: &[PathBuf]) -> Option<(Update, BuildReport)> {
        let started = Instant::now();
        let last = self.last.as_ref()?;
        if changed.is_empty() || !same_site(&last.options, options) {
            return None;
        }
        let EditedBodies {
            overlay,
            owners,
            reparsed,
        } = self.edited_bodies(last, &options.root, changed)?;
        let markdown_done = Instant::now();
        let files = render::rerender(last.site.prepared(), &overlay, &owners, &mut self.pages).ok()?;
        let rendered = Instant::now();
        for (walked, stamp, loaded) in reparsed {
            self.content.files.briefs.insert(walked, stamp, loaded);
        }
        let last = self.last.as_mut()?;
        last.overlay = overlay;
        // The edited bodies' words change the index; it is brought up to
        // date after the pages are served (`refresh_index`).
        let index_behind = last.site.prepared().site.config.search;
        last.index_stale |= index_behind;
        let timings = vec![
            Timing {
                stage: "read + markdown",
                elapsed: markdown_done - started,
                count: changed.len(),
            },
            Timing {
                stage: "render",
                elapsed: rendered - markdown_done,
                count: files.len(),
            },
        ];
        let report = last.quick_report(files.len(), last.templated - files.len(), timings);
        let update = Update {
            files,
            kept: Kept::AllOthers,
            index_behind,
        };
        Some((update, report))
    }

    /// The build after edits to briefs' front matter that keep each brief
    /// in its place ([`RawBrief::same_place`]: the same date, slug and
    /// picture), their bodies as they were. Each brief is made again and
    /// put in its place in the last good build ([`Cards::patch`]): from
    /// its new texts alone when nothing else changed
    /// ([`RawBrief::same_but_texts`]); else with its references resolved
    /// again, and the links and suggestions derived again from them
    /// ([`Cards::relink`]). Its social card is made again, and the pages
    /// that show what changed rendered again ([`render::rerender_briefs`]).
    ///
    /// `None` leaves the session as it was, unless the edit failed half
    /// way: then it forgets the last build, and the full build that
    /// follows reports why and renders every page.
    fn briefs(&mut self, options: &BuildOptions, changed: &[PathBuf]) -> Option<(Update, BuildReport)> {
        let started = Instant::now();
        let root = &options.root;
        let last = self.last.as_ref()?;
        if changed.is_empty() || !same_site(&last.options, options) {
            return None;
        }
        let prepared = last.site.prepared();
        let site = prepared.site;
        let resolve = super::catalog_options(&last.options, &site.config);
        let mut edits = Vec::with_capacity(changed.len());
        let mut relink = false;
        let (mut dated, mut touched) = (false, Vec::new());
        for path in changed {
            let Owner::Brief(id) = self.bodies.owner(path)? else {
                return None;
            };
            let was = prepared.cards.model(id);
            if last.warned.contains(path) || was.path != *path {
                return None;
            }
            let walked = root.join(path);
            let old = self.content.files.briefs.get(&walked)?;
            let (stamp, new) = content::reparse::<RawBrief>(root, path)?;
            // The body renders the same wherever it starts: its line only
            // places messages, and a file with any is never patched.
            let refused = content::too_many_tags(&new).is_some();
            if refused || new.file.body() != old.file.body() || !old.front.same_place(&new.front) {
                return None;
            }
            let brief = if old.front.same_but_texts(&new.front) {
                catalog::with_texts(was, new.front.clone(), &new.file).ok()?
            } else {
                relink = true;
                catalog::with_references(&site.catalog, was, id, new.front.clone(), &new.file, resolve)?
            };
            let spellings = new.front.tags.iter().map(|t| t.trim().to_owned()).collect();
            // The sitemap dates each brief by its last update.
            dated |= brief.updated != was.updated;
            touched.extend((old.front.tags.iter().chain(&new.front.tags)).filter_map(|t| Slug::from_text(t).ok()));
            edits.push(Edited {
                id,
                brief,
                spellings,
                file: (path.clone(), walked, stamp, new),
            });
        }
        let model = last.site.borrow_owner();
        // Relinking changes entity cards, which a lookup in any template
        // can read; and each relink keeps a copy of the links until the
        // next full build.
        let relinks = model.patches.links.len() + 1;
        if relink && (model.theme.uses_lookups() || relinks * site.catalog.briefs.len() > RELINK_BUDGET) {
            return None;
        }
        let resolved = Instant::now();
        let global = last.site.borrow_dependent().global?;
        let media = MediaCache::at(root);
        let (memo, files) = (&mut self.cards, &self.content.files);
        let last = self.last.as_mut()?;
        let mut loaded = Vec::with_capacity(edits.len());
        let overlay = &last.overlay;
        let made = last.site.with_dependent_mut(|model, rendering| {
            let site = &model.site;
            let mut edit = BriefEdit::default();
            let mut spellings = Vec::new();
            let mut briefs = Vec::with_capacity(edits.len());
            for Edited {
                id,
                brief,
                spellings: written,
                file,
            } in edits
            {
                briefs.push((id, &*model.patches.briefs.alloc(brief)));
                spellings.extend(written.into_iter().map(|s| (id, s)));
                loaded.push(file);
            }
            if relink {
                let mut models = rendering.cards.models().to_vec();
                for (id, brief) in &briefs {
                    models[id.index()] = brief;
                }
                // An edited brief as written now; the others as last read.
                let spelled = |brief: &Brief, name: &str| match briefs.iter().find(|(_, b)| b.path == brief.path) {
                    Some((id, _)) => spellings.iter().any(|(by, s)| by == id && s == name),
                    None => (files.briefs.get(&root.join(&brief.path)))
                        .is_some_and(|f| f.front.tags.iter().any(|t| t.trim() == name)),
                };
                let old = (rendering.cards.graph(), rendering.cards.suggested());
                let Some(relinked) = relinked(site, &models, old, &touched, spelled) else {
                    return Ok(None);
                };
                let Relinked {
                    links,
                    suggested,
                    pages,
                    lists,
                } = relinked;
                edit.pages = pages;
                edit.lists = lists;
                let links = model.patches.links.alloc(links);
                let suggested = model.patches.suggested.alloc(suggested);
                rendering.cards.relink(links, suggested);
            }
            edit.sitemap = dated;
            for (id, brief) in briefs {
                // Its body as last rendered (by a quick build, maybe).
                let body = match overlay.get(&Owner::Brief(id)) {
                    Some(body) => &**model.patches.bodies.alloc(body.clone()),
                    None => site.bodies.get(Owner::Brief(id)),
                };
                rendering.cards.patch(id, brief, &body.first_paragraph);
                edit.briefs.push(id);
            }
            // Files drawn, gone, and new to the site.
            let mut cards = (Vec::new(), Vec::new(), 0);
            for id in &edit.briefs {
                let share = (&mut rendering.share, &mut *memo);
                let patched = share::patch(
                    site,
                    &model.theme,
                    &rendering.tera,
                    &rendering.cards,
                    *id,
                    share,
                    (global, &media),
                )?;
                cards.0.extend(patched.file);
                cards.1.extend(patched.gone);
                cards.2 += usize::from(patched.added);
            }
            Ok::<_, Diagnostics>(Some((edit, cards)))
        });
        let (edit, (cards, mut gone, new_cards)) = match made {
            Ok(Some(made)) => made,
            // Nothing changed but the patched briefs' arena.
            Ok(None) => return None,
            Err(_) => {
                self.forget();
                return None;
            }
        };
        let patched = Instant::now();
        let Ok(pages) = render::rerender_briefs(last.site.prepared(), &last.overlay, &edit, &mut self.pages) else {
            self.forget();
            return None;
        };
        let rendered = Instant::now();
        for (path, walked, stamp, new) in loaded {
            self.content.fronts.insert(path, front_fingerprint(&new.file));
            self.content.files.briefs.insert(walked, stamp, new);
        }
        let index_behind = last.site.prepared().site.config.search;
        last.index_stale |= index_behind;
        // Listings that grew or shrank by a page; social cards that came
        // or went.
        let (added, removed) = (pages.added, pages.gone.len());
        for count in [&mut last.pages, &mut last.files, &mut last.templated] {
            *count = (*count + added).saturating_sub(removed);
        }
        last.files = (last.files + new_cards).saturating_sub(gone.len());
        gone.extend(pages.gone);
        let timings = vec![
            Timing {
                stage: "read + resolve",
                elapsed: resolved - started,
                count: changed.len(),
            },
            Timing {
                stage: "cards",
                elapsed: patched - resolved,
                count: cards.len(),
            },
            Timing {
                stage: "render",
                elapsed: rendered - patched,
                count: pages.files.len(),
            },
        ];
        let rendered = pages.files.len();
        let report = last.quick_report(rendered, last.templated - rendered, timings);
        let update = Update {
            files: pages.files.into_iter().chain(cards).collect(),
            kept: match gone.is_empty() {
                true => Kept::AllOthers,
                false => Kept::AllBut(gone),
            },
            index_behind,
        };
        Some((update, report))
    }

    /// Forgets the last good build and what was made of it, after an
    /// update that failed half way: the next build renders every page.
    fn forget(&mut self) {
        self.last = None;
        self.pages = PageMemo::default();
        self.cards = CardMemo::default();
    }

    /// The search index brought up to date with the quick builds since it
    /// was last written: the index files that changed (and those a shard
    /// count dropped), or `None` when it is up to date or off. `serve`
    /// calls it after serving a quick build's pages, since at 10,000 briefs
    /// the index takes longer than the pages.
    pub fn refresh_index(&mut self) -> Option<(Update, BuildReport)> {
        let last = self.last.as_mut()?;
        if !last.index_stale {
            return None;
        }
        let started = Instant::now();
        last.index_stale = false;
        let mut made = Vec::new();
        {
            let prepared = last.site.prepared();
            let collect = &mut |files: Vec<OutputFile>| {
                made.extend(files);
                Ok(())
            };
            render::search::index_files(prepared.site, prepared.cards, Some(&last.overlay), collect).ok()?;
        }
        let index = index_hashes(&made);
        let gone: Vec<OutputPath> = (last.index.keys())
            .filter(|path| !index.contains_key(*path))
            .cloned()
            .collect();
        let files: Vec<OutputFile> = (made.into_iter())
            .filter(|f| index.get(&f.path) != last.index.get(&f.path))
            .collect();
        // A full build counted the index as it was last written.
        last.files = (last.files + index.len()).saturating_sub(last.index.len());
        last.index = index;
        let timings = vec![Timing {
            stage: "search index",
            elapsed: started.elapsed(),
            count: last.index.len(),
        }];
        let report = last.quick_report(files.len(), 0, timings);
        let kept = match gone.is_empty() {
            true => Kept::AllOthers,
            false => Kept::AllBut(gone),
        };
        let update = Update {
            files,
            kept,
            index_behind: false,
        };
        Some((update, report))
    }

    /// The bodies of the `changed` files read and rendered again, laid over
    /// `last`'s, with their owners; `None` unless each is the body of a
    /// file of `last` whose front matter is unchanged, which renders with no
    /// warning, mentions what it did, and keeps its brief's summary.
    fn edited_bodies(&self, last: &Last, root: &Path, changed: &[PathBuf]) -> Option<EditedBodies> {
        let site = &last.site.borrow_owner().site;
        let options = markdown_options(&site.config);
        let resolver = WikiResolver {
            catalog: &site.catalog,
            base: &site.config.base_url,
            documents: &last.documents,
        };
        let mut overlay = last.overlay.clone();
        let mut owners = Vec::new();
        let mut reparsed = Vec::new();
        for path in changed {
            let owner = self.bodies.owner(path)?;
            let front = *self.content.fronts.get(path)?;
            if last.warned.contains(path) {
                return None;
            }
            // A brief is parsed too, for the parsed files: an edit to its
            // texts next compares its body with this one ([`Session::texts`]).
            let file = match owner {
                Owner::Brief(_) => {
                    let (stamp, loaded) = content::reparse::<RawBrief>(root, path)?;
                    let file = loaded.file.clone();
                    reparsed.push((root.join(path), stamp, loaded));
                    file
                }
                _ => content::reread(root, path)?,
            };
            if front_fingerprint(&file) != front {
                return None;
            }
            let rendered = markdown::render(&file.into_body(), &resolver, &self.highlighter, &options);
            // The documents published are those of the last full build.
            if !rendered.diagnostics.is_empty() || self.bodies.documents(path)? != rendered.documents {
                return None;
            }
            if let Owner::Brief(id) = owner {
                let current = overlay.get(&owner).map_or_else(|| site.bodies.get(owner), |b| &**b);
                let summary_changed = last.site.prepared().cards.model(id).summary.is_none()
                    && rendered.body.first_paragraph != current.first_paragraph;
                if summary_changed || rendered.mentions != site.bodies.mentions[id.index()] {
                    return None;
                }
            }
            overlay.insert(owner, rendered.body);
            owners.push(owner);
        }
        Some(EditedBodies {
            overlay,
            owners,
            reparsed,
        })
    }
}

/// Relinks a session makes before it builds fully again, times the site's
/// briefs: each keeps a copy of the site's links and suggestions (a few
/// megabytes at 10,000 briefs), so 16 at 10,000 briefs, one at 100,000.
const RELINK_BUDGET: usize = 160_000;

/// One brief's edit, checked, for [`Session::briefs`].
struct Edited {
    id: BriefId,
    /// The brief made again.
    brief: Brief,
    /// Its tags as written now, trimmed.
    spellings: Vec<String>,
    /// Its file: path relative to the root, as the walk has it, its stamp
    /// and what it parsed to, for the session's parsed files.
    file: (PathBuf, PathBuf, content::cache::Stamp, content::Loaded<RawBrief>),
}

/// The links and suggestions derived again after edits to briefs'
/// references, and what changed with them.
struct Relinked {
    links: Links,
    suggested: Suggestions,
    /// Briefs whose related or suggested stories changed.
    pages: Vec<BriefId>,
    /// Entities and tags whose lists of briefs changed, with their old
    /// lengths.
    lists: Vec<(Listed, usize)>,
}

/// The links of `models` (the site's briefs, some of them put in place)
/// derived again, with the suggestions they change; `None` if a full build
/// would make more of them than links: a tag left without briefs (it would
/// be gone), or one whose name no brief spells so any more (it would be
/// named otherwise; `touched` are the slugs of the tags the edited briefs
/// name or named, `spelled` says whether a brief spells a tag's name so).
fn relinked(
    site: &Site,
    models: &[&Brief],
    (old, suggested): (&Links, &Suggestions),
    touched: &[Slug],
    spelled: impl Fn(&Brief, &str) -> bool,
) -> Option<Relinked> {
    let links = links::derive_over(&site.catalog, models, &site.bodies.mentions);
    let mut lists = Vec::new();
    let mut rerank: Vec<BriefId> = Vec::new();
    let mut compare = |listed: Listed, old: &[BriefId], new: &[BriefId]| {
        if old != new {
            lists.push((listed, old.len()));
            rerank.extend(old.iter().chain(new));
        }
    };
    let tags = &site.catalog.tags;
    for slug in touched {
        let at = tags.binary_search_by(|t| t.slug.cmp(slug)).ok()?;
        let name = &tags[at].name;
        if !links.tag_briefs[at].iter().any(|b| spelled(models[b.index()], name)) {
            return None;
        }
    }
    if links.tag_briefs.iter().any(Vec::is_empty) {
        return None;
    }
    each_list(old, &links, &mut compare);
    let mut pages = Vec::new();
    for (i, (old, new)) in old.related.iter().zip(&links.related).enumerate() {
        if old != new {
            pages.push(BriefId::new(i));
        }
    }
    rerank.extend(&pages);
    rerank.sort_unstable();
    rerank.dedup();
    let again = related::suggest_again(
        suggested,
        &site.catalog,
        old,
        &links,
        site.config.related_limit,
        &rerank,
    );
    pages.extend(rerank.iter().filter(|b| again.of(**b) != suggested.of(**b)));
    pages.sort_unstable();
    pages.dedup();
    Some(Relinked {
        links,
        suggested: again,
        pages,
        lists,
    })
}

/// Calls `f` with every tag's, company's, contract's and author's list of
/// briefs in `old` and in `new` (links of the same entities).
fn each_list(old: &Links, new: &Links, mut f: impl FnMut(Listed, &[BriefId], &[BriefId])) {
    for (i, (o, n)) in old.tag_briefs.iter().zip(&new.tag_briefs).enumerate() {
        f(Listed::Tag(TagId::new(i)), o, n);
    }
    for (i, (o, n)) in old.company_briefs.iter().zip(&new.company_briefs).enumerate() {
        f(Listed::Entity(EntityKey::Company(CompanyId::new(i))), o, n);
    }
    for (i, (o, n)) in old.contract_briefs.iter().zip(&new.contract_briefs).enumerate() {
        f(Listed::Entity(EntityKey::Contract(ContractId::new(i))), o, n);
    }
    for (i, (o, n)) in old.author_briefs.iter().zip(&new.author_briefs).enumerate() {
        f(Listed::Entity(EntityKey::Author(AuthorId::new(i))), o, n);
    }
}

/// The bodies a quick build renders again ([`Session::edited_bodies`]).
struct EditedBodies {
    /// The last good build's overlay, with them laid over it.
    overlay: BodyOverlay,
    /// Whose they are.
    owners: Vec<Owner>,
    /// The briefs among them, parsed, by path as the content walk has it,
    /// for the session's parsed files.
    reparsed: Vec<(PathBuf, content::cache::Stamp, content::Loaded<RawBrief>)>,
}

/// Whether two builds are of the same site with the same options.
fn same_site(a: &BuildOptions, b: &BuildOptions) -> bool {
    a.root == b.root
        && a.base_url == b.base_url
        && a.drafts == b.drafts
        && a.future == b.future
        && a.now == b.now
        && a.strict == b.strict
}

/// The fingerprint of a file's front matter: equal fingerprints mean an
/// equal parse.
fn front_fingerprint(file: &SourceFile) -> Fingerprint {
    let line = file.body_line().to_le_bytes();
    Fingerprint::of_parts([file.yaml().as_bytes(), line.as_slice()])
}
