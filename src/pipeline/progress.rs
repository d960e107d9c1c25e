//! What a build reports while it runs, for a progress display: the stage it
//! is in and, for the stages that count their work, how far along it is.
//! The pipeline only calls [`Progress`]; `main.rs` draws it (or not).

/// Someone watching a build: told when each stage starts and as items of a
/// counted stage are done. Called from the pipeline's thread only.
pub trait Progress {
    /// A stage starts; `total` is how many items it will hand on when the
    /// stage counts them (pages rendered and written, bodies rendered).
    fn stage(&self, name: &'static str, total: Option<usize>);
    /// `done` more items of the current stage are finished.
    fn advance(&self, done: usize);
}

/// Nobody watching: `serve`, tests, and every build without a terminal.
#[derive(Debug, Default, Clone, Copy)]
pub struct Silent;

impl Progress for Silent {
    fn stage(&self, _: &'static str, _: Option<usize>) {}
    fn advance(&self, _: usize) {}
}
