//! What `serve` serves: the last good build, held in memory, and the problems
//! of the latest build when it failed.
//!
//! A build's output becomes a [`SiteFiles`] map (output path → bytes) behind an
//! `Arc`; [`Live`] swaps a whole new [`Snapshot`] in after each build, so a
//! request always sees one consistent site and a rebuild never blocks readers
//! for longer than a pointer swap. This module never touches the disk: an
//! [`Stored::File`] names a file the build itself chose to copy.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use axum::body::Bytes;
use tokio::sync::broadcast;

use crate::pipeline::{Kept, Update};
use crate::render::theme::Asset;
use crate::render::{Contents, OutputFile};

/// The bytes of one served file.
#[derive(Debug, Clone)]
pub enum Stored {
    /// Rendered in memory, or compiled into the binary.
    Bytes(Bytes),
    /// A static file the build copies from the site or its theme; read when
    /// requested, and only because the build listed this exact path.
    File(PathBuf),
}

/// A built site in memory: every output file by its `/`-separated output path
/// (`index.html`, `briefs/x/index.html`, `style.css`).
#[derive(Debug, Default)]
pub struct SiteFiles {
    files: HashMap<String, Stored>,
}

impl SiteFiles {
    /// Takes over a build's output files.
    pub fn from_output(files: Vec<OutputFile>) -> SiteFiles {
        SiteFiles::default().updated(Update {
            files,
            kept: Kept::Only(Vec::new()),
            index_behind: false,
        })
    }

    /// The site after an incremental build: its new files, plus this site's
    /// files that the build kept. Files the build no longer produces are gone.
    pub fn updated(&self, update: Update) -> SiteFiles {
        let files = match update.kept {
            Kept::AllOthers => self.files.clone(),
            Kept::AllBut(gone) => {
                let mut files = self.files.clone();
                for path in gone {
                    files.remove(path.as_str());
                }
                files
            }
            Kept::Only(kept) => {
                let mut files = HashMap::with_capacity(update.files.len() + kept.len());
                for path in kept {
                    if let Some(stored) = self.files.get(path.as_str()) {
                        files.insert(path.as_str().to_owned(), stored.clone());
                    }
                }
                files
            }
        };
        let mut site = SiteFiles { files };
        site.insert(update.files);
        site
    }

    /// `site` after an incremental build ([`SiteFiles::updated`]), changed
    /// in place when nothing else holds it: the usual case between saves,
    /// where copying every path of a 10,000-brief site took 3–7 ms of each
    /// rebuild (BENCHMARKS.md).
    pub fn update(site: &mut Arc<SiteFiles>, update: Update) {
        let Some(files) = Arc::get_mut(site).filter(|_| !matches!(update.kept, Kept::Only(_))) else {
            *site = Arc::new(site.updated(update));
            return;
        };
        if let Kept::AllBut(gone) = update.kept {
            for path in gone {
                files.files.remove(path.as_str());
            }
        }
        files.insert(update.files);
    }

    fn insert(&mut self, files: Vec<OutputFile>) {
        for f in files {
            let stored = match f.contents {
                Contents::Bytes(bytes) => Stored::Bytes(Bytes::from(bytes)),
                Contents::Asset(Asset::Embedded(bytes)) => Stored::Bytes(Bytes::from_static(bytes)),
                Contents::Asset(Asset::File(path)) => Stored::File(path),
            };
            self.files.insert(f.path.as_str().to_owned(), stored);
        }
    }

    /// The file at an output path.
    pub fn get(&self, path: &str) -> Option<&Stored> {
        self.files.get(path)
    }

    /// Whether the site has a file at `path`.
    pub fn contains(&self, path: &str) -> bool {
        self.files.contains_key(path)
    }

    /// The number of files.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether no build has succeeded yet.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

/// One consistent state of the server: the site, the path it is served
/// under, and the error overlay of a failed build.
#[derive(Debug)]
pub struct Snapshot {
    /// The last good site.
    pub site: Arc<SiteFiles>,
    /// The base_url's path the site is served under, `/` or `/repo/`.
    pub base: String,
    /// The overlay HTML listing the latest build's errors, if it failed.
    pub overlay: Option<Arc<str>>,
    /// Counts builds; pages carry it so a browser can tell it is stale.
    pub generation: u64,
    /// Whether the search index is being brought up to date with the
    /// latest edit: the search page says so, and asks again.
    pub index_behind: bool,
}

/// The site of `current`, taken out of it when no request holds it (so
/// that an update can change it in place), else shared.
fn take_site(current: &mut Arc<Snapshot>) -> Arc<SiteFiles> {
    match Arc::get_mut(current) {
        Some(snapshot) => std::mem::take(&mut snapshot.site),
        None => current.site.clone(),
    }
}

/// The shared, swappable server state and the channel that tells browsers to reload.
#[derive(Debug)]
pub struct Live {
    current: RwLock<Arc<Snapshot>>,
    reload: broadcast::Sender<u64>,
}

impl Live {
    /// Starts with `site` served under `base`.
    pub fn new(site: SiteFiles, base: String, overlay: Option<Arc<str>>) -> Live {
        let (reload, _) = broadcast::channel(16);
        Live {
            current: RwLock::new(Arc::new(Snapshot {
                site: Arc::new(site),
                base,
                overlay,
                generation: 0,
                index_behind: false,
            })),
            reload,
        }
    }

    /// The current state.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.current.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Serves a freshly built site (clearing any overlay) and tells browsers.
    pub fn publish_site(&self, site: SiteFiles, base: String) {
        self.swap(|_| (Arc::new(site), base, None, false));
    }

    /// Serves the current site changed by an incremental build (clearing any
    /// overlay) and tells browsers.
    pub fn publish_update(&self, update: Update, base: String) {
        let behind = update.index_behind;
        self.swap(|old| {
            let mut site = take_site(old);
            SiteFiles::update(&mut site, update);
            (site, base, None, behind)
        });
    }

    /// Keeps the last good site, shows `overlay` on its pages, and tells browsers.
    pub fn publish_failure(&self, overlay: Arc<str>) {
        self.swap(|old| (old.site.clone(), old.base.clone(), Some(overlay), old.index_behind));
    }

    /// Serves the search index brought up to date, without telling
    /// browsers: no page changed, and the search page asks by itself.
    pub fn publish_index(&self, update: Update) {
        let mut current = self.current.write().unwrap_or_else(|e| e.into_inner());
        let (base, overlay, generation) = (current.base.clone(), current.overlay.clone(), current.generation);
        let mut site = take_site(&mut current);
        SiteFiles::update(&mut site, update);
        *current = Arc::new(Snapshot {
            site,
            base,
            overlay,
            generation,
            index_behind: false,
        });
    }

    fn swap(&self, next: impl FnOnce(&mut Arc<Snapshot>) -> (Arc<SiteFiles>, String, Option<Arc<str>>, bool)) {
        let generation = {
            let mut current = self.current.write().unwrap_or_else(|e| e.into_inner());
            let generation = current.generation + 1;
            let (site, base, overlay, index_behind) = next(&mut current);
            *current = Arc::new(Snapshot {
                site,
                base,
                overlay,
                generation,
                index_behind,
            });
            generation
        };
        // No receiver just means no browser is connected.
        let _ = self.reload.send(generation);
    }

    /// A receiver of build generations, one message per finished build.
    pub fn subscribe(&self) -> broadcast::Receiver<u64> {
        self.reload.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_keeps_the_site_and_a_success_clears_the_overlay() {
        let live = Live::new(SiteFiles::default(), "/".to_owned(), None);
        let mut rx = live.subscribe();
        live.publish_site(
            SiteFiles {
                files: HashMap::from([("index.html".to_owned(), Stored::Bytes(Bytes::from_static(b"x")))]),
            },
            "/repo/".to_owned(),
        );
        assert_eq!(rx.try_recv().unwrap(), 1);
        live.publish_failure(Arc::from("<div>bad</div>"));
        let s = live.snapshot();
        assert!(s.site.contains("index.html"));
        assert_eq!(s.base, "/repo/");
        assert!(s.overlay.is_some());
        assert_eq!(rx.try_recv().unwrap(), 2);
        live.publish_site(SiteFiles::default(), "/".to_owned());
        assert!(live.snapshot().overlay.is_none());
        assert_eq!(live.snapshot().generation, 3);
    }

    fn page(name: &'static str, text: &str) -> OutputFile {
        OutputFile {
            path: crate::routes::UrlPath::fixed(name).output_file(),
            contents: Contents::Bytes(text.as_bytes().to_vec()),
            origin: String::new(),
        }
    }

    fn text(site: &SiteFiles, path: &str) -> Option<Vec<u8>> {
        match site.get(path)? {
            Stored::Bytes(bytes) => Some(bytes.to_vec()),
            Stored::File(_) => None,
        }
    }

    #[test]
    fn an_update_changes_the_site_in_place_only_when_no_request_holds_it() {
        let live = Live::new(
            SiteFiles::from_output(vec![page("a.html", "a"), page("b.html", "b")]),
            "/".to_owned(),
            None,
        );
        // A request in flight keeps the site it started with.
        let held = live.snapshot();
        let gone = vec![crate::routes::UrlPath::fixed("b.html").output_file()];
        live.publish_update(
            Update {
                files: vec![page("a.html", "a2")],
                kept: Kept::AllBut(gone.clone()),
                index_behind: false,
            },
            "/".to_owned(),
        );
        assert_eq!(text(&held.site, "a.html").as_deref(), Some(&b"a"[..]));
        assert!(held.site.contains("b.html"));
        let now = live.snapshot();
        assert_eq!(text(&now.site, "a.html").as_deref(), Some(&b"a2"[..]));
        assert!(!now.site.contains("b.html"));
        drop((held, now));
        // Nothing holds it: changed in place, to the same files.
        let before = Arc::as_ptr(&live.snapshot().site);
        live.publish_update(
            Update {
                files: vec![page("c.html", "c")],
                kept: Kept::AllOthers,
                index_behind: true,
            },
            "/".to_owned(),
        );
        let now = live.snapshot();
        assert_eq!(Arc::as_ptr(&now.site), before);
        assert_eq!(now.site.len(), 2);
        assert_eq!(text(&now.site, "c.html").as_deref(), Some(&b"c"[..]));
        assert!(now.index_behind);
        assert_eq!(now.generation, 2);
    }
}
