//! The content stage: find the site's files, read them, split and parse
//! their front matter.
//!
//! Walks are sorted, so nothing downstream depends on directory order; files
//! are read and parsed in parallel. This stage knows nothing of links between
//! files: that is `model`'s job. Symlinked files are read; symlinked folders
//! are not followed (a link to `/` must not pull the disk into a site).

pub mod cache;
pub mod frontmatter;
pub mod raw;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rayon::prelude::*;
use serde::de::DeserializeOwned;

use crate::diag::{Diagnostic, Diagnostics, EnvError, Position};
use crate::yaml;
pub use cache::FileCache;
// Moved to `crate::control`; still re-exported here for `render`, which
// imports it from this path until its rewrite lands.
use crate::control::find_control;
use cache::{Parsed, Stamp};
use frontmatter::SplitError;
use raw::{RawAuthor, RawBrief, RawCompany, RawContract, RawPage};

/// A content file, read and cut into front matter and body.
///
/// The text is shared, so keeping a parsed file for the next build of a
/// `serve` session costs no copy.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path relative to the site root, as shown in messages.
    pub path: PathBuf,
    /// The text as read: an `Arc<String>`, not an `Arc<str>`, which would
    /// copy every file once more (at 100,000 briefs, half a gigabyte).
    text: Arc<String>,
    yaml_offset: usize,
    yaml_len: usize,
    yaml_line: usize,
    body_offset: usize,
    body_line: usize,
}

impl SourceFile {
    /// The whole file text (BOM removed).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The YAML front matter.
    pub fn yaml(&self) -> &str {
        &self.text[self.yaml_offset..self.yaml_offset + self.yaml_len]
    }

    /// The Markdown body.
    pub fn body(&self) -> &str {
        &self.text[self.body_offset..]
    }

    /// The file line the body starts on.
    pub fn body_line(&self) -> usize {
        self.body_line
    }

    /// An error pointing at byte `offset` of the front matter, underlining `width` characters.
    pub fn yaml_error(&self, offset: usize, width: usize, message: impl Into<String>) -> Diagnostic {
        let position = Position::of_offset(self.yaml(), offset, self.yaml_line);
        Diagnostic::error(&self.path, message).at(&self.text, position, width)
    }

    /// An error pointing at the line of a top-level front matter `key`.
    pub fn key_error(&self, key: &str, message: impl Into<String>) -> Diagnostic {
        match frontmatter::key_offset(self.yaml(), key) {
            Some(offset) => self.yaml_error(offset, key.len(), message),
            None => Diagnostic::error(&self.path, message),
        }
    }

    /// An error at the value of a top-level front matter `key`, or at the
    /// key when nothing follows it.
    pub fn value_error(&self, key: &str, message: impl Into<String>) -> Diagnostic {
        match frontmatter::value_span(self.yaml(), key) {
            Some((offset, width)) => self.yaml_error(offset, width, message),
            None => Diagnostic::error(&self.path, message),
        }
    }

    /// An error at the value of `key` in entry `index` (from 0) of the
    /// front matter list `list`, or at the list when it cannot be found.
    pub fn item_error(&self, list: &str, index: usize, key: &str, message: impl Into<String>) -> Diagnostic {
        match frontmatter::item_value_spans(self.yaml(), list, key).get(index) {
            Some(&(offset, width)) => self.yaml_error(offset, width, message),
            None => self.key_error(list, message),
        }
    }

    /// Errors at each of `values` under a front matter `key`, in order.
    pub fn value_offsets(&self, key: &str, values: &[&str]) -> Vec<usize> {
        frontmatter::locate_values(self.yaml(), key, values)
    }

    /// Keeps only what the Markdown stage needs: the path and the body.
    pub fn into_body(self) -> Body {
        Body {
            path: self.path,
            text: self.text,
            offset: self.body_offset,
            first_line: self.body_line,
        }
    }
}

/// The Markdown body of a content file, with the line it starts on.
#[derive(Debug, Clone)]
pub struct Body {
    /// The file, relative to the site root.
    pub path: PathBuf,
    text: Arc<String>,
    offset: usize,
    /// The file line the body starts on.
    pub first_line: usize,
}

impl Body {
    /// The Markdown.
    pub fn markdown(&self) -> &str {
        &self.text[self.offset..]
    }

    /// Whether `other` is the same Markdown at the same line of the same
    /// file; cheap when both come from one kept read of the file.
    pub fn same_as(&self, other: &Body) -> bool {
        self.path == other.path
            && self.first_line == other.first_line
            && ((Arc::ptr_eq(&self.text, &other.text) && self.offset == other.offset)
                || self.markdown() == other.markdown())
    }
}

/// A parsed content file: where it came from and its typed front matter.
#[derive(Debug, Clone)]
pub struct Loaded<T> {
    /// The file.
    pub file: SourceFile,
    /// Its front matter.
    pub front: T,
}

/// Everything under `content/`, parsed.
#[derive(Debug, Default)]
pub struct Content {
    /// `content/briefs/**.md`, in path order.
    pub briefs: Vec<Loaded<RawBrief>>,
    /// `content/companies/*.md`.
    pub companies: Vec<Loaded<RawCompany>>,
    /// `content/contracts/*.md`.
    pub contracts: Vec<Loaded<RawContract>>,
    /// `content/authors/*.md`; when there are any, bylines must name them.
    pub authors: Vec<Loaded<RawAuthor>>,
    /// `content/pages/*.md`.
    pub pages: Vec<Loaded<RawPage>>,
    /// The `.pdf` files under those kinds' folders, at any depth (where a
    /// body's `![…](file.pdf)` can lead), found by the same walk: for
    /// `media::document`, which reads them.
    pub documents: Vec<PathBuf>,
    /// Files with an error of their own (most could not be parsed), so that
    /// later stages do not report names they hold as unknown.
    pub failed: Vec<Failed>,
}

/// A content file with an error of its own, and the names it would have
/// answered to: its `slug:`, `name:` and `aliases:` when its YAML reads as
/// far as those (the file stem stands for its slug otherwise).
#[derive(Debug, Clone)]
pub struct Failed {
    /// The file, relative to the site root.
    pub path: PathBuf,
    /// Its explicit slug, name and aliases, as far as they could be read.
    pub names: Vec<String>,
}

/// The fields of a front matter that name it, read leniently: other
/// fields, right or wrong, are ignored.
#[derive(Debug, Default, serde::Deserialize)]
struct Names {
    slug: Option<String>,
    name: Option<String>,
    #[serde(default)]
    aliases: OneOrMany,
}

/// A list, or the one text a writer gave where a list belongs.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    #[default]
    None,
    One(String),
    Many(Vec<String>),
}

impl IntoIterator for OneOrMany {
    type Item = String;
    type IntoIter = std::vec::IntoIter<String>;

    fn into_iter(self) -> Self::IntoIter {
        match self {
            OneOrMany::None => Vec::new(),
            OneOrMany::One(one) => vec![one],
            OneOrMany::Many(many) => many,
        }
        .into_iter()
    }
}

/// The files `d` reports errors in, each once, with the names each would
/// have answered to.
fn failed_files(root: &Path, d: &Diagnostics) -> Vec<Failed> {
    let mut paths: Vec<&PathBuf> = d.iter().filter(|d| d.is_error()).map(|d| &d.path).collect();
    paths.sort();
    paths.dedup();
    paths
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(root.join(path)).unwrap_or_default();
            let names = frontmatter::split(frontmatter::strip_bom(&text))
                .ok()
                .and_then(|split| yaml::parse::<Names>(split.yaml).ok())
                .map(|n| n.slug.into_iter().chain(n.name).chain(n.aliases).collect())
                .unwrap_or_default();
            Failed {
                path: path.clone(),
                names,
            }
        })
        .collect()
}

impl Content {
    /// Every file: briefs, companies, contracts, authors, then pages.
    pub fn files(&self) -> impl Iterator<Item = &SourceFile> {
        (self.briefs.iter().map(|l| &l.file))
            .chain(self.companies.iter().map(|l| &l.file))
            .chain(self.contracts.iter().map(|l| &l.file))
            .chain(self.authors.iter().map(|l| &l.file))
            .chain(self.pages.iter().map(|l| &l.file))
    }

    /// Every file's text, shared (for work that can run beside the stages
    /// that consume the content).
    pub fn texts(&self) -> Vec<Arc<String>> {
        self.files().map(|f| Arc::clone(&f.text)).collect()
    }
}

/// Reads and parses all content under `root`.
///
/// Returns the content that parsed and a diagnostic for each file that did
/// not; an unreadable file or folder is an environment error.
pub fn load(root: &Path) -> Result<(Content, Diagnostics), EnvError> {
    load_with(root, None)
}

/// [`load`], reusing the files of `cache` whose stamp has not changed and
/// keeping this load's files in it for the next one.
pub fn load_with(root: &Path, cache: Option<&mut FileCache>) -> Result<(Content, Diagnostics), EnvError> {
    let (walked, d) = walk(root)?;
    load_walked(root, &walked, cache, d)
}

/// Reads and parses the files of a [`walk`] through `cache` if there is
/// one, as [`load_with`] does; `d` holds the walk's diagnostics.
pub fn load_walked(
    root: &Path,
    walked: &Walked,
    cache: Option<&mut FileCache>,
    d: Diagnostics,
) -> Result<(Content, Diagnostics), EnvError> {
    load_through(root, walked, cache, None, d)
}

/// Loads the files of an earlier [`walk`] through `cache`, reading again
/// only those in `changed` (paths joined to the root, as the walk has
/// them): what a `serve` session does when its file watcher reports that
/// only known files changed, none came or went. The caller vouches for
/// that; every other file is taken from the cache without a look at it.
pub fn load_known(
    root: &Path,
    walked: &Walked,
    cache: &mut FileCache,
    changed: &HashSet<PathBuf>,
) -> Result<(Content, Diagnostics), EnvError> {
    load_through(root, walked, Some(cache), Some(changed), Diagnostics::default())
}

/// What the content walk found: each kind's Markdown files, sorted, and the
/// PDFs under the kinds' folders. A walk that reported a problem is never
/// kept ([`walk`] says so).
#[derive(Debug, Clone, Default)]
pub struct Walked {
    briefs: Vec<PathBuf>,
    companies: Vec<PathBuf>,
    contracts: Vec<PathBuf>,
    authors: Vec<PathBuf>,
    pages: Vec<PathBuf>,
    documents: Vec<PathBuf>,
}

impl Walked {
    /// This walk brought up to date with `changed` (absolute paths a file
    /// watcher reported, under `root`): what walking `content/` again
    /// would find, without the walk, when each change is a Markdown file
    /// edited, deleted or added where a walk takes it (a plain file in its
    /// kind's folder, or under `briefs/` at any depth). `None` for
    /// anything else (a folder, a link, a PDF, a hidden name): walk again.
    pub fn follow(&self, root: &Path, changed: &HashSet<PathBuf>) -> Option<Walked> {
        let content = root.join("content");
        let mut next = self.clone();
        for path in changed {
            let Ok(relative) = path.strip_prefix(&content) else {
                continue;
            };
            let mut parts = relative.components();
            let kind = parts.next()?.as_os_str();
            let list = match kind.to_str()? {
                "briefs" => &mut next.briefs,
                "companies" => &mut next.companies,
                "contracts" => &mut next.contracts,
                "authors" => &mut next.authors,
                "pages" => &mut next.pages,
                _ => return None,
            };
            let rest: Vec<_> = parts.collect();
            let in_place = !rest.is_empty() && (kind == "briefs" || rest.len() == 1);
            let named = rest.iter().all(|p| !is_hidden(p.as_os_str())) && path.extension().is_some_and(|x| x == "md");
            let known = list.binary_search(path);
            match std::fs::symlink_metadata(path) {
                Ok(meta) if meta.is_file() && in_place && named => {
                    if let Err(at) = known {
                        list.insert(at, path.clone());
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => match known {
                    Ok(at) => {
                        list.remove(at);
                    }
                    // Gone before it was seen (an editor's temporary file),
                    // unless it was a folder of known files.
                    Err(_) if self.files().any(|f| f.starts_with(path)) => return None,
                    Err(_) => {}
                },
                _ => return None,
            }
        }
        Some(next)
    }

    /// Every file the walk found, Markdown and PDF.
    pub fn files(&self) -> impl Iterator<Item = &PathBuf> {
        (self.briefs.iter())
            .chain(&self.companies)
            .chain(&self.contracts)
            .chain(&self.authors)
            .chain(&self.pages)
            .chain(&self.documents)
    }
}

/// Walks `root/content`: every kind's Markdown files and the PDFs beside
/// them, with a diagnostic for each symbolic link that may not be read.
pub fn walk(root: &Path) -> Result<(Walked, Diagnostics), EnvError> {
    let content = root.join("content");
    if !content.is_dir() {
        return Err(EnvError::usage(format!(
            "{} is not a dossier site: it has no content/ folder (use --root, or create a site with `dossier init`)",
            root.display()
        )));
    }
    let mut walk = Walk {
        root,
        documents: Vec::new(),
        diagnostics: Diagnostics::default(),
    };
    let briefs = walk.markdown_files(&content.join("briefs"), None)?;
    let companies = walk.markdown_files(&content.join("companies"), Some(1))?;
    let contracts = walk.markdown_files(&content.join("contracts"), Some(1))?;
    let authors = walk.markdown_files(&content.join("authors"), Some(1))?;
    let pages = walk.markdown_files(&content.join("pages"), Some(1))?;
    let Walk {
        documents, diagnostics, ..
    } = walk;
    let walked = Walked {
        briefs,
        companies,
        contracts,
        authors,
        pages,
        documents,
    };
    Ok((walked, diagnostics))
}

/// Reads and parses the files of `walked`, through a cache if there is
/// one (and, with `changed` paths, trusting it for every other file); `d`
/// holds the walk's diagnostics.
fn load_through(
    root: &Path,
    walked: &Walked,
    mut cache: Option<&mut FileCache>,
    changed: Option<&HashSet<PathBuf>>,
    mut d: Diagnostics,
) -> Result<(Content, Diagnostics), EnvError> {
    // One kind's files, through its part of the cache.
    macro_rules! kind {
        ($kind:ident) => {
            load_kind(
                root,
                &walked.$kind,
                cache.as_deref_mut().map(|c| &mut c.$kind),
                changed,
                &mut d,
            )?
        };
    }
    let briefs = kind!(briefs);
    check_tag_counts(&briefs, &mut d);
    let companies = kind!(companies);
    let contracts = kind!(contracts);
    let authors = kind!(authors);
    let pages = kind!(pages);
    let failed = failed_files(root, &d);
    Ok((
        Content {
            briefs,
            companies,
            contracts,
            authors,
            pages,
            documents: walked.documents.clone(),
            failed,
        },
        d,
    ))
}

/// Refuses a brief with more than [`raw::MAX_TAGS`] distinct tags, at its `tags:` line.
fn check_tag_counts(briefs: &[Loaded<RawBrief>], diagnostics: &mut Diagnostics) {
    diagnostics.extend(briefs.iter().filter_map(too_many_tags));
}

/// The error of a brief with more than [`raw::MAX_TAGS`] distinct tags, at
/// its `tags:` line: what the content stage says of it.
pub fn too_many_tags(brief: &Loaded<RawBrief>) -> Option<Diagnostic> {
    if brief.front.tags.len() <= raw::MAX_TAGS {
        return None;
    }
    let count = brief.front.distinct_tags();
    (count > raw::MAX_TAGS).then(|| {
        let message = format!(
            "too many tags: {count} distinct tags, at most {} per brief",
            raw::MAX_TAGS
        );
        brief.file.key_error("tags", message).with_help(
            "keep the tags readers browse by (each tag page lists its briefs with all their tags); other keywords can go under `extra:`",
        )
    })
}

/// Reads and parses one kind's `files`, through `cache` if there is one:
/// a file is taken from it when `changed` (the watcher's word) leaves it
/// out, else when its stamp is unchanged.
fn load_kind<T: DeserializeOwned + Clone + Send + Sync>(
    root: &Path,
    files: &[PathBuf],
    cache: Option<&mut Parsed<T>>,
    changed: Option<&HashSet<PathBuf>>,
    diagnostics: &mut Diagnostics,
) -> Result<Vec<Loaded<T>>, EnvError> {
    let Some(cache) = cache else {
        return load_all(root, files, diagnostics);
    };
    if let Some(changed) = changed {
        return load_vouched(root, files, cache, changed, diagnostics);
    }
    let mut previous = cache.take();
    let stamps: Vec<Stamp> = (files.par_iter())
        .map(|path| Stamp::of(path).map_err(|e| EnvError::io("cannot read", path, e)))
        .collect::<Result<_, EnvError>>()?;
    let reused: Vec<(Stamp, Option<Loaded<T>>)> = (files.iter().zip(stamps))
        .map(|(path, stamp)| {
            let loaded = previous.remove(path, &stamp);
            (stamp, loaded)
        })
        .collect();
    let results: Vec<(Stamp, Result<FileOutcome<T>, EnvError>)> = (files.par_iter().zip(reused))
        .map(|(path, (stamp, reused))| match reused {
            Some(loaded) => (stamp, Ok(FileOutcome::Parsed(loaded))),
            None => (stamp, load_file(root, path)),
        })
        .collect();
    let mut loaded = Vec::with_capacity(results.len());
    for (path, (stamp, result)) in files.iter().zip(results) {
        keep(path, stamp, result?, cache, &mut loaded, diagnostics);
    }
    Ok(loaded)
}

/// Reads and parses `files` on all cores, in their order; a file that did
/// not parse gives its errors to `diagnostics`, in the files' order, and
/// what it still gives ([`Recovery::Salvage`]) to the result.
///
/// Each file's front matter is written once, into the vector returned: a
/// vector of [`FileOutcome`]s first, copied into another, touched 60 MB
/// of fresh memory at 100,000 briefs only to drop it (BENCHMARKS.md,
/// "Fresh memory").
fn load_all<T: DeserializeOwned + Send>(
    root: &Path,
    files: &[PathBuf],
    diagnostics: &mut Diagnostics,
) -> Result<Vec<Loaded<T>>, EnvError> {
    /// A file's errors, or why it could not be read.
    type Failure = Result<Vec<Diagnostic>, EnvError>;
    // What failed, by the file's index: rare, so behind one lock.
    let failed: Mutex<Vec<(usize, Failure)>> = Mutex::new(Vec::new());
    let fail = |i: usize, what: Failure| {
        failed.lock().unwrap_or_else(|e| e.into_inner()).push((i, what));
    };
    let slots: Vec<Option<Loaded<T>>> = (files.par_iter().enumerate())
        .map(|(i, path)| match load_file(root, path) {
            Ok(FileOutcome::Parsed(file)) => Some(file),
            Ok(FileOutcome::Failed(errors, recovered)) => {
                fail(i, Ok(errors));
                recovered
            }
            Err(e) => {
                fail(i, Err(e));
                None
            }
        })
        .collect();
    let mut failed = failed.into_inner().unwrap_or_else(|e| e.into_inner());
    failed.sort_unstable_by_key(|(i, _)| *i);
    for (_, what) in failed {
        diagnostics.extend(what?);
    }
    // `filter_map` collects in place (`Option<Loaded<T>>` is the size of
    // `Loaded<T>`); `flatten` would copy into a new vector.
    #[allow(clippy::filter_map_identity)]
    Ok(slots.into_iter().filter_map(|slot| slot).collect())
}

/// Adds a file just read (or reused by its stamp) to `loaded`, and to
/// `cache` when it parsed; a failed one is never cached (a reused file
/// would lose its error), and its errors go to `diagnostics`.
fn keep<T: Clone>(
    path: &Path,
    stamp: Stamp,
    outcome: FileOutcome<T>,
    cache: &mut Parsed<T>,
    loaded: &mut Vec<Loaded<T>>,
    diagnostics: &mut Diagnostics,
) {
    match outcome {
        FileOutcome::Parsed(file) => {
            loaded.push(file.clone());
            cache.insert(path.to_owned(), stamp, file);
        }
        FileOutcome::Failed(errors, recovered) => {
            cache.forget(path);
            diagnostics.extend(errors);
            loaded.extend(recovered);
        }
    }
}

/// [`load_kind`] for a caller that vouches that only the `changed` files
/// differ from those in `cache`: every other file is taken from it as it
/// is (not even its stamp looked at), and the cache keeps its entries.
fn load_vouched<T: DeserializeOwned + Clone + Send + Sync>(
    root: &Path,
    files: &[PathBuf],
    cache: &mut Parsed<T>,
    changed: &HashSet<PathBuf>,
    diagnostics: &mut Diagnostics,
) -> Result<Vec<Loaded<T>>, EnvError> {
    /// A file taken from the cache, or read again with its stamp.
    enum Vouched<T> {
        Kept(Loaded<T>),
        Read(Stamp, FileOutcome<T>),
    }
    let cached = &*cache;
    let results: Vec<Result<Vouched<T>, EnvError>> = (files.par_iter())
        .map(|path| match cached.get(path).filter(|_| !changed.contains(path)) {
            Some(loaded) => Ok(Vouched::Kept(loaded.clone())),
            None => {
                let stamp = Stamp::of(path).map_err(|e| EnvError::io("cannot read", path, e))?;
                Ok(Vouched::Read(stamp, load_file(root, path)?))
            }
        })
        .collect();
    let mut loaded = Vec::with_capacity(results.len());
    for (path, result) in files.iter().zip(results) {
        match result? {
            Vouched::Kept(file) => loaded.push(file),
            Vouched::Read(stamp, outcome) => keep(path, stamp, outcome, cache, &mut loaded, diagnostics),
        }
    }
    Ok(loaded)
}

/// The content walk: the `.md` files of each kind's folder and, on the way,
/// every `.pdf` under those folders (what bodies may embed), so that no
/// second walk of `content/` looks for them.
struct Walk<'r> {
    root: &'r Path,
    /// The PDFs seen so far.
    documents: Vec<PathBuf>,
    /// Symbolic links that may not be read.
    diagnostics: Diagnostics,
}

impl Walk<'_> {
    /// The `.md` files under `dir`, sorted, skipping hidden files and
    /// folders, at most `max_depth` levels down (`None`: at any depth). A
    /// symlinked file is read only if it points inside the site; one
    /// pointing outside (or nowhere) is an error, so a link to a secret is
    /// never published.
    ///
    /// Depth first, each folder's entries sorted by name: the order of
    /// `walkdir`'s `sort_by_file_name`. By hand, because this runs before
    /// the load can start on the other core, and `walkdir` was much slower
    /// at it (BENCHMARKS.md).
    fn markdown_files(&mut self, dir: &Path, max_depth: Option<usize>) -> Result<Vec<PathBuf>, EnvError> {
        let mut files = Vec::new();
        if dir.exists() {
            self.folder(dir, max_depth, &mut files)?;
        }
        Ok(files)
    }

    /// Adds the `.md` files under `dir` to `files` while `depth_left`
    /// (`None`: all) allows, and the `.pdf` files at any depth to
    /// `self.documents`: below `depth_left`, only those are looked for.
    fn folder(&mut self, dir: &Path, depth_left: Option<usize>, files: &mut Vec<PathBuf>) -> Result<(), EnvError> {
        let cannot_read = |e| EnvError::io("cannot read", dir, e);
        let mut entries = std::fs::read_dir(dir)
            .and_then(|list| {
                list.map(|entry| entry.and_then(|e| Ok((e.file_name(), e.file_type()?))))
                    .collect::<std::io::Result<Vec<_>>>()
            })
            .map_err(cannot_read)?;
        entries.sort_unstable_by(|(a, _), (b, _)| a.cmp(b));
        let markdown_here = depth_left != Some(0);
        let below = depth_left.map(|d| d.saturating_sub(1));
        for (name, kind) in entries {
            if is_hidden(&name) {
                continue;
            }
            let path = dir.join(&name);
            let extension = Path::new(&name).extension();
            if kind.is_dir() {
                self.folder(&path, below, files)?;
            } else if extension.is_some_and(|x| x.eq_ignore_ascii_case("pdf")) {
                // A link is checked where a body embeds it (`media::document`).
                if kind.is_file() || kind.is_symlink() {
                    self.documents.push(path);
                }
            } else if markdown_here && extension.is_some_and(|x| x == "md") {
                if kind.is_symlink() {
                    match check_symlink(self.root, &path) {
                        LinkTarget::InsideFile => files.push(path),
                        LinkTarget::NotAFile => {}
                        problem => {
                            let shown = path.strip_prefix(self.root).unwrap_or(&path);
                            self.diagnostics.push(
                                Diagnostic::error(shown, problem.describe())
                                    .with_help("replace the link with the file itself"),
                            );
                        }
                    }
                } else if kind.is_file() {
                    files.push(path);
                }
            }
        }
        Ok(())
    }
}

/// Where a symbolic link in the site leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkTarget {
    /// A file inside the site: fine.
    InsideFile,
    /// A folder or something else that is not a file: not content.
    NotAFile,
    /// A file outside the site.
    Outside(PathBuf),
    /// Nowhere: dangling, or a loop.
    Broken,
}

impl LinkTarget {
    /// The problem, for messages.
    pub fn describe(&self) -> String {
        match self {
            LinkTarget::Outside(target) => format!(
                "this is a symbolic link to {}, outside the site; dossier only reads files inside the site",
                target.display()
            ),
            LinkTarget::Broken => "this is a broken or looping symbolic link".to_owned(),
            _ => String::new(),
        }
    }
}

/// Follows a symbolic link and says whether its target may be read.
pub fn check_symlink(root: &Path, path: &Path) -> LinkTarget {
    let (Ok(target), Ok(root)) = (path.canonicalize(), root.canonicalize()) else {
        return LinkTarget::Broken;
    };
    if !target.is_file() {
        LinkTarget::NotAFile
    } else if target.starts_with(&root) {
        LinkTarget::InsideFile
    } else {
        LinkTarget::Outside(target)
    }
}

/// Reads one content file again, for `serve`'s quick rebuild of an edited
/// body: `None` unless `relative` (under `root`) is still a plain file in a
/// plain folder, valid UTF-8, and split into front matter that is valid YAML
/// and a body. Whatever else happened is for a full build to report.
pub fn reread(root: &Path, relative: &Path) -> Option<SourceFile> {
    reparse::<serde::de::IgnoredAny>(root, relative).map(|(_, loaded)| loaded.file)
}

/// [`reread`], with the front matter parsed as `T` (without error) and the
/// file's stamp as it was before it was read, for the session's cache of
/// parsed files.
pub fn reparse<T: DeserializeOwned>(root: &Path, relative: &Path) -> Option<(Stamp, Loaded<T>)> {
    let path = root.join(relative);
    if path.canonicalize().ok()? != root.canonicalize().ok()?.join(relative) || !path.is_file() {
        return None;
    }
    let stamp = Stamp::of(&path).ok()?;
    match load_file::<T>(root, &path).ok()? {
        FileOutcome::Parsed(loaded) => Some((stamp, loaded)),
        FileOutcome::Failed(..) => None,
    }
}

/// Whether a file name is hidden (`.git`, `.DS_Store`, editor swap files).
pub fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_str().is_some_and(|n| n.starts_with('.') || n.ends_with('~'))
}

/// What reading one content file gave.
enum FileOutcome<T> {
    /// Its front matter parsed.
    Parsed(Loaded<T>),
    /// It did not: the error, and what its other fields still give, for the
    /// later stages to check in the same run ([`Recovery::Salvage`]).
    Failed(Vec<Diagnostic>, Option<Loaded<T>>),
}

fn load_file<T: DeserializeOwned>(root: &Path, path: &Path) -> Result<FileOutcome<T>, EnvError> {
    let bytes = std::fs::read(path).map_err(|e| EnvError::io("cannot read", path, e))?;
    let shown = path.strip_prefix(root).unwrap_or(path).to_owned();
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let at = Position::of_offset(&String::from_utf8_lossy(e.as_bytes()), e.utf8_error().valid_up_to(), 1);
            return Ok(FileOutcome::Failed(
                vec![
                    Diagnostic::error(&shown, "the file is not valid UTF-8")
                        .at("", at, 1)
                        .with_help("save the file as UTF-8"),
                ],
                None,
            ));
        }
    };
    Ok(read_front(shown, text, Recovery::Salvage))
}

/// Whether [`read_front`] salvages what it can of a front matter that did
/// not parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Recovery {
    /// All or nothing.
    None,
    /// Drop the fields serde refuses ([`yaml::recover`]), with stand-ins for
    /// the required ones: the file's own name for a title or name,
    /// 1970-01-01 for a date, `open` for a status. None reaches a page (the
    /// file's error fails the build); they let references, tags, sources and
    /// the body be checked in the same run.
    Salvage,
}

/// Splits and parses one file's text; public for tests.
pub fn parse_file<T: DeserializeOwned>(path: PathBuf, text: String) -> Result<Loaded<T>, Diagnostic> {
    match read_front(path, text, Recovery::None) {
        FileOutcome::Parsed(loaded) => Ok(loaded),
        FileOutcome::Failed(mut errors, _) => Err(errors.swap_remove(0)),
    }
}

/// Splits and parses one file's text; on an error, its errors and, under
/// [`Recovery::Salvage`], what the file's other fields still give.
fn read_front<T: DeserializeOwned>(path: PathBuf, mut text: String, recovery: Recovery) -> FileOutcome<T> {
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    if let Some(at) = find_control(&text) {
        let position = Position::of_offset(&text, at, 1);
        return FileOutcome::Failed(
            vec![
                Diagnostic::error(
                    &path,
                    "the file holds a control character (such as NUL), which cannot appear in a page or feed",
                )
                .at(&text, position, 1)
                .with_help("remove it; it usually comes from copying out of another program"),
            ],
            None,
        );
    }
    let split = match frontmatter::split(&text) {
        Ok(split) => split,
        Err(SplitError::Missing) => {
            return FileOutcome::Failed(
                vec![
                    Diagnostic::error_at(
                        &path,
                        &text,
                        Position { line: 1, column: 1 },
                        "expected front matter: the file must start with a line '---'",
                    )
                    .with_help("start the file with ---, the YAML fields, then --- on its own line"),
                ],
                None,
            );
        }
        Err(SplitError::Unclosed) => {
            return FileOutcome::Failed(
                vec![
                    Diagnostic::error_at(
                        &path,
                        &text,
                        Position { line: 1, column: 1 },
                        "front matter is never closed: no '---' line after the opening one",
                    )
                    .with_help("add a line '---' after the last front matter field"),
                ],
                None,
            );
        }
    };
    let (yaml_offset, yaml_len, yaml_line) = (split.yaml_offset, split.yaml.len(), split.yaml_line);
    let (body_offset, body_line) = (split.body_offset, split.body_line);
    let file = move |path, text: String| SourceFile {
        path,
        text: Arc::new(text),
        yaml_offset,
        yaml_len,
        yaml_line,
        body_offset,
        body_line,
    };
    let error = match yaml::parse::<T>(split.yaml) {
        Ok(front) => {
            return FileOutcome::Parsed(Loaded {
                file: file(path, text),
                front,
            });
        }
        Err(e) => e,
    };
    let mut errors = vec![front_matter_error(path.clone(), &text, split.yaml, yaml_line, &error)];
    let salvaged = match recovery {
        Recovery::None => None,
        Recovery::Salvage => {
            let (salvaged, more) = salvage(&path, split.yaml, &error);
            errors.extend(
                more.iter()
                    .map(|e| front_matter_error(path.clone(), &text, split.yaml, yaml_line, e)),
            );
            salvaged
        }
    };
    FileOutcome::Failed(
        errors,
        salvaged.map(|front| Loaded {
            file: file(path, text),
            front,
        }),
    )
}

/// [`Recovery::Salvage`]: the front matter without the fields serde refuses.
fn salvage<T: DeserializeOwned>(path: &Path, yaml: &str, error: &yaml::YamlError) -> (Option<T>, Vec<yaml::YamlError>) {
    let stem = path.file_stem().map(|s| s.to_string_lossy()).unwrap_or_default();
    let required = [
        ("title", stem.as_ref()),
        ("name", stem.as_ref()),
        ("date", "1970-01-01"),
        ("status", "open"),
    ];
    yaml::recover(yaml, error, &required)
}

/// A YAML error in the front matter as a diagnostic at its line of the
/// file, in the writer's words ([`yaml::describe`] with [`raw::FIELDS`]).
fn front_matter_error(path: PathBuf, text: &str, yaml: &str, yaml_line: usize, e: &yaml::YamlError) -> Diagnostic {
    let mut d = Diagnostic::error(path, String::new());
    if let Some(mut p) = e.position {
        if p.line == 1 && p.column == 1 && !e.message.starts_with("missing field") {
            p = quoted_value_position(yaml, &e.message).unwrap_or(p);
        }
        let at = Position {
            line: p.line + yaml_line - 1,
            column: p.column,
        };
        d = d.at(text, at, 1);
    }
    let line = d.snippet.as_ref().map_or("", |s| s.line.as_str());
    let (message, help) = yaml::describe(e, raw::FIELDS, line);
    d.message = format!("invalid front matter: {message}");
    d.help = help.or_else(|| {
        e.message
            .contains("unknown field")
            .then(|| "check the spelling; free-form data goes under `extra:`".to_owned())
    });
    d
}

/// Serde's custom errors (a bad date) carry no position of their own; when
/// the message quotes the offending value, find it in the YAML.
fn quoted_value_position(yaml: &str, message: &str) -> Option<Position> {
    let start = message.find('\'')? + 1;
    let len = message[start..].find('\'')?;
    let value = &message[start..start + len];
    let offset = yaml.find(value).filter(|_| !value.is_empty())?;
    Some(Position::of_offset(yaml, offset, 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_load_in_their_order_with_errors_in_file_order_and_salvage_kept() {
        let site = tempfile::tempdir().unwrap();
        let root = site.path();
        let brief = |title: &str, date: &str| format!("---\ntitle: {title}\ndate: {date}\n---\nBody of {title}.\n");
        let files: Vec<PathBuf> = [
            ("a.md", brief("A", "2020-01-01")),
            ("b.md", brief("B", "2020-02-30")),
            ("c.md", brief("C", "2020-03-01")),
            ("d.md", "---\ntitle: [unclosed\n---\n".to_owned()),
            ("e.md", brief("E", "2020-13-01")),
        ]
        .into_iter()
        .map(|(name, text)| {
            let path = root.join(name);
            std::fs::write(&path, text).unwrap();
            path
        })
        .collect();
        let mut d = Diagnostics::default();
        let loaded: Vec<Loaded<RawBrief>> = load_all(root, &files, &mut d).unwrap();
        // b and e are salvaged (their bad date stands in), d is not.
        let titles: Vec<&str> = loaded.iter().map(|l| l.front.title.as_str()).collect();
        assert_eq!(titles, ["A", "B", "C", "E"]);
        let mut paths: Vec<String> = d.iter().map(|e| e.path.display().to_string()).collect();
        paths.dedup();
        assert_eq!(paths, ["b.md", "d.md", "e.md"]);
        std::fs::remove_file(&files[2]).unwrap();
        assert!(load_all::<RawBrief>(root, &files, &mut Diagnostics::default()).is_err());
    }

    #[test]
    fn following_reported_changes_finds_what_a_walk_would() {
        let site = tempfile::tempdir().unwrap();
        let root = site.path();
        let content = root.join("content");
        let write = |file: &str| {
            let path = content.join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, "---\n").unwrap();
            path
        };
        for file in ["briefs/b.md", "briefs/2020/c.md", "companies/x.md", "pages/about.md"] {
            write(file);
        }
        let (first, _) = walk(root).unwrap();
        let set = |paths: &[PathBuf]| paths.iter().cloned().collect::<HashSet<PathBuf>>();
        let added = [
            write("briefs/2020/a.md"),
            write("briefs/a-b.md"),
            write("companies/y.md"),
        ];
        std::fs::remove_file(content.join("briefs/b.md")).unwrap();
        let changed = [
            &added[..],
            &[
                content.join("briefs/b.md"),
                content.join("briefs/never-seen.md.tmp"),
                content.join("pages/about.md"),
                root.join("dossier.yaml"),
            ],
        ]
        .concat();
        let followed = first.follow(root, &set(&changed)).expect("plain Markdown changes");
        let (walked, _) = walk(root).unwrap();
        assert_eq!(followed.files().collect::<Vec<_>>(), walked.files().collect::<Vec<_>>());

        // What a walk would take differently, or only a walk can tell.
        let new_folder = write("briefs/2021/d.md");
        let cases = [
            vec![new_folder.clone(), new_folder.parent().unwrap().to_owned()],
            vec![write("briefs/filing.pdf")],
            vec![write("briefs/.draft.md")],
            vec![write("companies/sub/z.md")],
            vec![content.join("elsewhere/e.md")],
        ];
        for changed in cases {
            assert!(walked.follow(root, &set(&changed)).is_none(), "{changed:?}");
        }
        std::fs::remove_dir_all(content.join("briefs/2020")).unwrap();
        let folder = [content.join("briefs/2020")];
        assert!(
            walked.follow(root, &set(&folder)).is_none(),
            "a folder of known files gone"
        );
    }

    #[test]
    fn the_walk_lists_markdown_depth_first_in_name_order_and_pdfs_at_any_depth() {
        let site = tempfile::tempdir().unwrap();
        let root = site.path();
        let briefs = root.join("content/briefs");
        for file in [
            "b.md",
            "a.md",
            "a-b.md",
            "a/d.md",
            "2020/c.md",
            ".hidden.md",
            ".git/x.md",
            "notes.txt",
            "z.md/y.md",
            "companies/x.md",
            "companies/sub/y.md",
            "a/filing.PDF",
            "companies/sub/deep/order.pdf",
            ".git/hidden.pdf",
        ] {
            let path = briefs.join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "---\n").unwrap();
        }
        #[cfg(unix)]
        std::os::unix::fs::symlink(briefs.join("a.md"), briefs.join("l.md")).unwrap();
        let relative = |dir: &Path, files: &[PathBuf]| -> Vec<String> {
            (files.iter())
                .map(|f| f.strip_prefix(dir).unwrap().to_string_lossy().into_owned())
                .collect()
        };
        let walked = |dir: &Path, depth| {
            let mut walk = Walk {
                root,
                documents: Vec::new(),
                diagnostics: Diagnostics::default(),
            };
            let files = walk.markdown_files(dir, depth).unwrap();
            assert!(walk.diagnostics.is_empty(), "{:?}", walk.diagnostics);
            (relative(dir, &files), relative(dir, &walk.documents))
        };
        let listed = |dir: &Path, depth| walked(dir, depth).0;
        let mut expected = vec![
            "2020/c.md",
            "a/d.md",
            "a-b.md",
            "a.md",
            "b.md",
            "companies/sub/y.md",
            "companies/x.md",
            "l.md",
            "z.md/y.md",
        ];
        if cfg!(not(unix)) {
            expected.retain(|f| *f != "l.md");
        }
        assert_eq!(listed(&briefs, None), expected);
        assert_eq!(listed(&briefs.join("companies"), Some(1)), ["x.md"]);
        assert!(listed(&root.join("content/nothing"), None).is_empty());
        assert_eq!(
            walked(&briefs, None).1,
            ["a/filing.PDF", "companies/sub/deep/order.pdf"]
        );
        assert_eq!(
            walked(&briefs.join("companies"), Some(1)).1,
            ["sub/deep/order.pdf"],
            "PDFs below the depth where Markdown is read"
        );
    }

    fn parse(text: &str) -> Result<Loaded<RawBrief>, Diagnostic> {
        parse_file(PathBuf::from("content/briefs/a.md"), text.to_owned())
    }

    #[test]
    fn yaml_errors_point_at_the_file_line() {
        let d = parse("---\ntitle: x\ndate: 2020-01-01\ntagz: [a]\n---\n").unwrap_err();
        assert_eq!(d.position.unwrap().line, 4, "{d}");
        assert!(d.message.contains("unknown field 'tagz'"), "{d}");
    }

    #[test]
    fn bad_dates_point_at_their_line() {
        let d = parse("---\ntitle: x\ndate: 2020-13-45\n---\n").unwrap_err();
        assert_eq!(d.position.unwrap().line, 3, "{d}");
        assert!(d.message.contains("invalid date"), "{d}");
    }

    #[test]
    fn missing_fields_are_named() {
        let d = parse("---\ntitle: x\n---\n").unwrap_err();
        assert!(d.message.contains("missing field 'date'"), "{d}");
    }

    #[test]
    fn too_many_distinct_tags_are_an_error_at_the_tags_line() {
        let tags = |n: usize| (0..n).map(|i| format!("t{i}")).collect::<Vec<_>>().join(", ");
        let text = |n| format!("---\ntitle: x\ndate: 2020-01-01\ntags: [{}]\n---\n", tags(n));
        let loaded = |n| vec![parse(&text(n)).unwrap()];
        let mut diagnostics = Diagnostics::default();
        check_tag_counts(&loaded(raw::MAX_TAGS), &mut diagnostics);
        assert!(diagnostics.is_empty(), "{:?}", diagnostics);
        check_tag_counts(&loaded(raw::MAX_TAGS + 1), &mut diagnostics);
        let d = diagnostics.iter().next().expect("an error");
        assert_eq!(d.position, Some(Position { line: 4, column: 1 }), "{d}");
        assert!(d.message.contains("101 distinct tags"), "{d}");
        assert!(d.help.is_some(), "{d}");
    }

    #[test]
    fn lone_carriage_returns_count_as_line_breaks() {
        let d = parse("---\ntitle: a\r\r\r\r\r\rb: c\ndate: 2021-01-01\n---\nBody\n").unwrap_err();
        assert_eq!(d.position, Some(Position { line: 8, column: 1 }), "{d}");
        assert_eq!(d.snippet.as_ref().map(|s| s.line.as_str()), Some("b: c"), "{d}");
        let l = parse("---\rtitle: x\rdate: 2020-01-01\r---\rHello").unwrap();
        assert_eq!((l.file.body(), l.file.body_line()), ("Hello", 5));
    }

    /// The messages of parsing `yaml` as each kind of front matter.
    fn messages_of_every_kind(yaml: &str) -> Vec<String> {
        fn message<T: DeserializeOwned>(yaml: &str) -> Option<String> {
            let d = parse_file::<T>(PathBuf::from("a.md"), format!("---\n{yaml}\n---\n")).err()?;
            Some(format!("{}\n{}", d.message, d.help.unwrap_or_default()))
        }
        [
            message::<RawBrief>(yaml),
            message::<RawCompany>(yaml),
            message::<RawContract>(yaml),
            message::<RawAuthor>(yaml),
            message::<RawPage>(yaml),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    /// The fields serde lists for an unknown field at `path` (`""`, `sources[]`).
    fn fields_at(path: &str) -> Vec<String> {
        let unknown = nest(path, "{zzz: 1}");
        let mut fields = Vec::new();
        for message in messages_of_every_kind(&unknown) {
            let Some((_, expected)) = message
                .lines()
                .next()
                .unwrap()
                .split_once("unknown field 'zzz', expected ")
            else {
                continue;
            };
            for field in expected.split('\'').skip(1).step_by(2) {
                let full = if path.is_empty() {
                    field.to_owned()
                } else {
                    format!("{path}.{field}")
                };
                if !fields.contains(&full) {
                    fields.push(full);
                }
            }
        }
        fields
    }

    /// YAML with `value` at `path`: `sources[].name` → `sources: [{name: value}]`.
    fn nest(path: &str, value: &str) -> String {
        if path.is_empty() {
            return value.to_owned();
        }
        let (head, rest) = path.split_once('.').unwrap_or((path, ""));
        let inner = if rest.is_empty() {
            value.to_owned()
        } else {
            format!("{{{}}}", nest(rest, value))
        };
        match head.strip_suffix("[]") {
            Some(list) => format!("{list}: [{inner}]"),
            None => format!("{head}: {inner}"),
        }
    }

    #[test]
    fn every_front_matter_field_has_a_row_in_the_table_of_fields() {
        let mut fields = fields_at("");
        for list in ["sources[]", "corrections[]", "timeline[]", "value", "links[]", "image"] {
            fields.extend(fields_at(list));
        }
        assert!(fields.len() > 25, "{fields:?}");
        for field in &fields {
            assert!(raw::FIELDS.iter().any(|f| f.path == field), "no row for '{field}'");
        }
        for row in raw::FIELDS {
            let listed = row.path.is_empty()
                || fields.iter().any(|f| f == row.path)
                || fields.iter().any(|f| format!("{f}[]") == row.path);
            assert!(listed, "the row '{}' is no field", row.path);
        }
    }

    #[test]
    fn every_shape_error_is_in_the_writers_words() {
        for row in raw::FIELDS {
            let messages: Vec<String> = ["{zzz: 1}", "[1]"]
                .into_iter()
                .flat_map(|wrong| messages_of_every_kind(&nest(row.path, wrong)))
                .collect();
            for message in &messages {
                for internal in ["Raw", "struct", "enum", "invalid type", "u64", "usize"] {
                    assert!(!message.contains(internal), "{}: {message}", row.path);
                }
            }
            let described = messages
                .iter()
                .any(|m| m.contains(&format!("expected {}, found", row.holds)) && m.contains(row.help));
            assert!(described, "{}: {messages:#?}", row.path);
        }
    }

    #[test]
    fn a_plain_url_source_asks_for_a_name_and_a_url() {
        let d = parse("---\ntitle: x\ndate: 2020-01-01\nsources:\n  - https://www.cnbc.com/\n---\n").unwrap_err();
        assert_eq!(
            d.message,
            "invalid front matter: sources (entry 1): expected a source with a name and a url, found the text \"https://www.cnbc.com/\""
        );
        assert_eq!(d.position, Some(Position { line: 5, column: 5 }));
        assert!(d.help.unwrap().contains("- { name: CNBC, url: \"https://…\" }"));
    }

    #[test]
    fn bad_dates_point_at_the_value_and_name_the_bad_part() {
        let d = parse("---\ntitle: x\ndate: 2024-13-01\n---\n").unwrap_err();
        assert_eq!(d.position, Some(Position { line: 3, column: 7 }), "{d}");
        assert!(d.message.ends_with("month 13 is out of range (01–12)"), "{d}");
        let d = parse("---\ntitle: x\ndate:\ntags: [a]\n---\n").unwrap_err();
        assert_eq!(d.position.map(|p| p.line), Some(3), "{d}");
        assert!(d.message.contains("the date is empty"), "{d}");
        let d = parse("---\ntitle: x\ndate: 2020-01-01\ncorrections:\n  - { date: 2020-02-30, note: x }\n---\n")
            .unwrap_err();
        assert_eq!(d.position, Some(Position { line: 5, column: 13 }), "{d}");
        assert!(d.message.contains("February 2020 has 29 days"), "{d}");
    }

    #[test]
    fn bodies_keep_their_line() {
        let l = parse("\u{feff}---\r\ntitle: x\r\ndate: 2020-01-01\r\n---\r\nHello").unwrap();
        assert_eq!(l.file.body(), "Hello");
        assert_eq!(l.file.body_line(), 5);
        assert_eq!(l.front.title, "x");
    }
}
