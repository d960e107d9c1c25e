//! Parsed content files kept between the builds of a `serve` session, so a
//! saved edit re-reads and re-parses only the files that changed.
//!
//! A file is reused when its [`Stamp`] (size, modification and change times,
//! inode) equals the one it had when it was read. File times are coarse (a
//! kernel clock tick), so two saves of the same length within one tick would
//! look alike: like Git's "racy" index entries, a file read while its times
//! were still recent is never reused; it is simply read again next time,
//! which costs nothing for the one file a writer is editing.

use std::collections::HashMap;
use std::ffi::OsString;
use std::fs::Metadata;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use super::Loaded;
use super::raw::{RawAuthor, RawBrief, RawCompany, RawContract, RawPage};

/// How recent a file's times may be for its stamp to be trusted.
const RACY: Duration = Duration::from_secs(2);

/// What identifies one version of a file without reading it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    len: u64,
    modified: Option<SystemTime>,
    changed: Option<(i64, i64)>,
    inode: u64,
    /// Whether the file's times were too recent, when it was read, to tell
    /// a later save of the same length from this one.
    racy: bool,
}

impl Stamp {
    /// The stamp of the file at `path` (symbolic links followed).
    pub fn of(path: &Path) -> std::io::Result<Stamp> {
        let metadata = std::fs::metadata(path)?;
        let modified = metadata.modified().ok();
        let (changed, inode) = unix_times(&metadata);
        // Measured from the later of the two times: a tool that sets mtime
        // back (`cp -p`, `tar x`) still leaves a fresh change time.
        let changed_at = changed.and_then(|(secs, nanos)| {
            let secs = u64::try_from(secs).ok()?;
            SystemTime::UNIX_EPOCH.checked_add(Duration::new(secs, u32::try_from(nanos).ok()?))
        });
        let latest = modified.max(changed_at);
        let racy = latest.is_none_or(|t| SystemTime::now().duration_since(t).map_or(true, |age| age < RACY));
        Ok(Stamp {
            len: metadata.len(),
            modified,
            changed,
            inode,
            racy,
        })
    }

    fn same_file_version(&self, other: &Stamp) -> bool {
        !self.racy
            && self.len == other.len
            && self.modified == other.modified
            && self.changed == other.changed
            && self.inode == other.inode
    }
}

#[cfg(unix)]
fn unix_times(metadata: &Metadata) -> (Option<(i64, i64)>, u64) {
    use std::os::unix::fs::MetadataExt;
    (Some((metadata.ctime(), metadata.ctime_nsec())), metadata.ino())
}

#[cfg(not(unix))]
fn unix_times(_: &Metadata) -> (Option<(i64, i64)>, u64) {
    (None, 0)
}

/// Parsed files of one kind, by path (as bytes: hashing a `Path` parses
/// its components, which showed in profiles).
#[derive(Debug)]
pub struct Parsed<T> {
    entries: HashMap<OsString, (Stamp, Loaded<T>)>,
}

impl<T> Default for Parsed<T> {
    fn default() -> Self {
        Parsed {
            entries: HashMap::new(),
        }
    }
}

impl<T> Parsed<T> {
    /// Empties the cache, returning what it held: a load keeps only the
    /// files it saw.
    pub fn take(&mut self) -> Parsed<T> {
        std::mem::take(self)
    }

    /// Takes out the file parsed last time, if it has not changed since.
    pub fn remove(&mut self, path: &Path, now: &Stamp) -> Option<Loaded<T>> {
        let (then, _) = self.entries.get(path.as_os_str())?;
        if then.same_file_version(now) {
            self.entries.remove(path.as_os_str()).map(|(_, loaded)| loaded)
        } else {
            None
        }
    }

    /// The file parsed last time, whatever its stamp now: for a caller
    /// that knows it has not changed.
    pub fn get(&self, path: &Path) -> Option<&Loaded<T>> {
        self.entries.get(path.as_os_str()).map(|(_, loaded)| loaded)
    }

    /// Drops the file parsed last time, if any.
    pub fn forget(&mut self, path: &Path) {
        self.entries.remove(path.as_os_str());
    }

    /// Keeps a parsed file for the next load.
    pub fn insert(&mut self, path: PathBuf, stamp: Stamp, loaded: Loaded<T>) {
        self.entries.insert(path.into_os_string(), (stamp, loaded));
    }
}

/// Every parsed content file of the last load.
#[derive(Debug, Default)]
pub struct FileCache {
    /// Briefs.
    pub briefs: Parsed<RawBrief>,
    /// Companies.
    pub companies: Parsed<RawCompany>,
    /// Contracts.
    pub contracts: Parsed<RawContract>,
    /// Authors.
    pub authors: Parsed<RawAuthor>,
    /// Free pages.
    pub pages: Parsed<RawPage>,
}

impl FileCache {
    /// Forgets the files at `paths`, whatever their kind: they were deleted.
    pub fn forget_all<'p>(&mut self, paths: impl Iterator<Item = &'p PathBuf>) {
        for path in paths {
            self.briefs.forget(path);
            self.companies.forget(path);
            self.contracts.forget(path);
            self.authors.forget(path);
            self.pages.forget(path);
        }
    }
}
