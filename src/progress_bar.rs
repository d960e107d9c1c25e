//! The progress bar of a long `build` or `check` on a terminal: the stage
//! and, where the stage counts, how far it is. It appears only once the build
//! has run for [`SHOW_AFTER`], so a quick build prints nothing but its
//! summary, and never when stderr is not a terminal or with `--quiet`.

use std::io::IsTerminal;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use dossier::pipeline::Progress;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How long a build runs before its progress shows.
const SHOW_AFTER: Duration = Duration::from_secs(1);

/// Overrides [`SHOW_AFTER`] in milliseconds, for tests that run a small site.
const SHOW_AFTER_VAR: &str = "DOSSIER_PROGRESS_AFTER_MS";

/// A progress bar on stderr, hidden until the build has run for a while.
pub struct Bar {
    bar: ProgressBar,
    /// Whether the build ended; shared with the thread that shows the bar,
    /// so it never shows one that was already cleared.
    ended: Arc<Mutex<bool>>,
}

impl Bar {
    /// A bar for a build starting now, if one may ever show: stderr is a
    /// terminal and the user did not ask for quiet.
    pub fn start(quiet: bool) -> Option<Bar> {
        if quiet || !std::io::stderr().is_terminal() {
            return None;
        }
        let after = std::env::var(SHOW_AFTER_VAR)
            .ok()
            .and_then(|ms| ms.parse().ok())
            .map_or(SHOW_AFTER, Duration::from_millis);
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        bar.set_style(spinner());
        let ended = Arc::new(Mutex::new(false));
        if after.is_zero() {
            show(&bar);
            return Some(Bar { bar, ended });
        }
        let (shown, ended_too) = (bar.clone(), Arc::clone(&ended));
        std::thread::spawn(move || {
            std::thread::sleep(after);
            let ended = ended_too.lock().unwrap_or_else(|e| e.into_inner());
            if !*ended {
                show(&shown);
            }
        });
        Some(Bar { bar, ended })
    }

    /// Clears the bar for good, before the build's messages are printed.
    pub fn end(&self) {
        let mut ended = self.ended.lock().unwrap_or_else(|e| e.into_inner());
        *ended = true;
        self.bar.finish_and_clear();
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        self.end();
    }
}

impl Progress for Bar {
    fn stage(&self, name: &'static str, total: Option<usize>) {
        match total {
            Some(total) => {
                self.bar.set_style(counted());
                self.bar.set_length(total as u64);
            }
            None => {
                self.bar.set_style(spinner());
                self.bar.unset_length();
            }
        }
        self.bar.set_position(0);
        self.bar.set_message(name);
    }

    fn advance(&self, done: usize) {
        self.bar.inc(done as u64);
        // Pages are counted as files: a few more (assets, feeds' neighbours)
        // than the pages the stage announced.
        if let Some(length) = self.bar.length()
            && self.bar.position() > length
        {
            self.bar.set_length(self.bar.position());
        }
    }
}

fn show(bar: &ProgressBar) {
    bar.set_draw_target(ProgressDrawTarget::stderr());
    bar.enable_steady_tick(Duration::from_millis(100));
}

fn spinner() -> ProgressStyle {
    ProgressStyle::with_template("{spinner} {msg}… {elapsed}").unwrap_or_else(|_| ProgressStyle::default_spinner())
}

fn counted() -> ProgressStyle {
    ProgressStyle::with_template("{spinner} {msg} [{bar:30}] {human_pos}/{human_len} {elapsed}")
        .map(|s| s.progress_chars("=> "))
        .unwrap_or_else(|_| ProgressStyle::default_bar())
}
