//! The media files earlier builds made, kept beside the site in
//! `.dossier-cache/media/` (which `dossier init` puts in `.gitignore`, and
//! the GitHub Pages workflow saves between runs), so a rebuild with the same
//! pictures encodes nothing.
//!
//! A file's name is the hash of its source and its transform
//! ([`super::path_of`]), so a name found here holds exactly the bytes the
//! transform would make again: the output is the same with or without the
//! cache. The cache is only an optimisation: a file it cannot read or write
//! is made again, never an error.

use std::path::{Path, PathBuf};

use crate::routes::UrlPath;

/// The folder under the site root.
pub const DIR: &str = ".dossier-cache/media";

/// A folder of media files by name, or no cache at all.
#[derive(Debug, Clone)]
pub struct MediaCache {
    dir: Option<PathBuf>,
}

impl MediaCache {
    /// The cache of the site at `root`.
    pub fn at(root: &Path) -> MediaCache {
        MediaCache {
            dir: Some(root.join(DIR)),
        }
    }

    /// No cache: every file is made.
    pub fn none() -> MediaCache {
        MediaCache { dir: None }
    }

    fn file(&self, path: &UrlPath) -> Option<PathBuf> {
        let name = Path::new(path.as_str()).file_name()?;
        Some(self.dir.as_ref()?.join(name))
    }

    /// The bytes an earlier build made for `path`, if kept.
    pub fn get(&self, path: &UrlPath) -> Option<Vec<u8>> {
        std::fs::read(self.file(path)?).ok()
    }

    /// Keeps `bytes` for `path` (written to a temporary name, then renamed,
    /// so a reader never sees half a file); failures are ignored.
    pub fn put(&self, path: &UrlPath, bytes: &[u8]) {
        let (Some(file), Some(dir)) = (self.file(path), self.dir.as_ref()) else {
            return;
        };
        if std::fs::create_dir_all(dir).is_err() {
            return;
        }
        if let Ok(mut temp) = tempfile::NamedTempFile::new_in(dir) {
            use std::io::Write;
            if temp.write_all(bytes).is_ok() {
                let _ = temp.persist(file);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_files_come_back_and_no_cache_keeps_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let cache = MediaCache::at(dir.path());
        let path = super::super::path_of(b"src", "w800", "jpg");
        assert_eq!(cache.get(&path), None);
        cache.put(&path, b"bytes");
        assert_eq!(cache.get(&path).as_deref(), Some(&b"bytes"[..]));
        let none = MediaCache::none();
        none.put(&path, b"bytes");
        assert_eq!(none.get(&path), None);
    }
}
