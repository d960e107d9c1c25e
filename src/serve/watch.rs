//! Watching a site's sources: `content/`, `templates/`, `themes/`, `static/`
//! and `dossier.yaml`, through notify and a debouncer.
//!
//! The debouncer folds an editor's atomic save (write a temporary file,
//! rename it over the original) into one change; the files editors leave
//! around while doing so (swap files, `~` backups, vim's `4913` probe) are
//! ignored, as are reads (our own build opens every file). This module only
//! reports which paths changed; deciding what to rebuild is the caller's.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use notify_debouncer_full::notify::{self, EventKind, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, Debouncer, RecommendedCache, new_debouncer};

use crate::config;

/// The folders under the site root whose changes trigger a rebuild.
pub const WATCHED_FOLDERS: [&str; 4] = ["content", "templates", "themes", "static"];

/// How long a path must stay quiet before its change is reported. Editors
/// finish an atomic save (a rename and a write, microseconds apart) well
/// within this; it is most of the time from a save to the reload, so it is
/// kept short (the debouncer looks every quarter of it).
pub const DEBOUNCE: Duration = Duration::from_millis(10);

/// A running watch over one site.
pub struct Watcher {
    root: PathBuf,
    debouncer: Debouncer<RecommendedWatcher, RecommendedCache>,
    events: mpsc::Receiver<DebounceEventResult>,
}

/// What happened since the last call to [`Watcher::wait`].
#[derive(Debug, Default)]
pub struct Changes {
    /// Changed paths, relative to the site root, sorted.
    pub paths: Vec<PathBuf>,
    /// Problems the watcher reported (a lost watch, too many events).
    pub errors: Vec<String>,
}

impl Watcher {
    /// Starts watching the site at `root` (an absolute path).
    pub fn start(root: &Path) -> Result<Watcher, notify::Error> {
        let (sender, events) = mpsc::channel();
        let debouncer = new_debouncer(DEBOUNCE, None, sender)?;
        let mut watcher = Watcher {
            root: root.to_owned(),
            debouncer,
            events,
        };
        // The root itself, not recursively: dossier.yaml, and watched folders
        // that appear later. Never public/ or anything else under the root.
        watcher.debouncer.watch(root, RecursiveMode::NonRecursive)?;
        for folder in WATCHED_FOLDERS {
            watcher.watch_folder(folder)?;
        }
        Ok(watcher)
    }

    fn watch_folder(&mut self, folder: &str) -> Result<(), notify::Error> {
        let path = self.root.join(folder);
        if path.is_dir() {
            self.debouncer.watch(&path, RecursiveMode::Recursive)?;
        }
        Ok(())
    }

    /// Blocks until a relevant change (or a watcher error) arrives, then
    /// returns it together with everything else already queued. `None` once
    /// the watcher has stopped.
    pub fn wait(&mut self) -> Option<Changes> {
        loop {
            let first = self.events.recv().ok()?;
            let mut changes = Changes::default();
            let mut paths = BTreeSet::new();
            let queued: Vec<_> = std::iter::once(first).chain(self.events.try_iter()).collect();
            for result in queued {
                match result {
                    Ok(events) => {
                        for event in events.iter().filter(|e| !matches!(e.kind, EventKind::Access(_))) {
                            for path in &event.paths {
                                self.note(path, &mut paths, &mut changes.errors);
                            }
                        }
                    }
                    Err(errors) => changes.errors.extend(errors.iter().map(ToString::to_string)),
                }
            }
            changes.paths = paths.into_iter().collect();
            if !changes.paths.is_empty() || !changes.errors.is_empty() {
                return Some(changes);
            }
        }
    }

    fn note(&mut self, path: &Path, paths: &mut BTreeSet<PathBuf>, errors: &mut Vec<String>) {
        let Ok(relative) = path.strip_prefix(&self.root) else {
            return;
        };
        if !is_relevant(relative) {
            return;
        }
        // A watched folder created (or re-created) after the start: watch it too.
        if let Some(folder) = WATCHED_FOLDERS.iter().find(|f| relative == Path::new(f))
            && let Err(e) = self.watch_folder(folder)
        {
            errors.push(format!("cannot watch {}: {e}", path.display()));
        }
        paths.insert(relative.to_owned());
    }
}

/// Whether a change at `relative` (a path under the site root) can change the site.
pub fn is_relevant(relative: &Path) -> bool {
    let mut components = relative.components();
    let Some(Component::Normal(first)) = components.next() else {
        return false;
    };
    let top_level_ok =
        (first == config::FILE_NAME && components.next().is_none()) || WATCHED_FOLDERS.iter().any(|f| first == *f);
    top_level_ok
        && relative.components().all(|c| match c {
            Component::Normal(name) => !name.to_str().is_none_or(|n| n.starts_with('.')),
            _ => false,
        })
        && relative
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|name| !is_editor_temp(name))
}

/// Files editors write next to the one being saved: swap files, backups,
/// lock files and probes.
pub fn is_editor_temp(name: &str) -> bool {
    name.starts_with('.')
        || name.starts_with('#')
        || name.ends_with('~')
        || name == "4913"
        || [".swp", ".swx", ".swo", ".tmp", "___jb_tmp___", "___jb_old___"]
            .iter()
            .any(|suffix| name.ends_with(suffix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_and_config_are_relevant() {
        for path in [
            "content/briefs/2020/a.md",
            "content",
            "templates/brief.html",
            "themes/default/static/style.css",
            "static/img/logo.png",
            "dossier.yaml",
        ] {
            assert!(is_relevant(Path::new(path)), "{path}");
        }
    }

    #[test]
    fn output_and_editor_droppings_are_not() {
        for path in [
            "public/index.html",
            "public",
            "README.md",
            "dossier.yaml~",
            "content/briefs/.a.md.swp",
            "content/briefs/a.md.swp",
            "content/briefs/a.md~",
            "content/briefs/#a.md#",
            "content/briefs/.#a.md",
            "content/briefs/4913",
            "content/briefs/a.md.tmp",
            "content/.git/index",
            "target/debug/x",
        ] {
            assert!(!is_relevant(Path::new(path)), "{path}");
        }
    }
}
