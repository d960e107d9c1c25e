//! The progress bar of `build` and `check`: drawn on a terminal (a pseudo
//! terminal from `script`), never when stderr is a pipe or with `--quiet`,
//! and the summary line after it either way.

use std::cell::RefCell;
use std::process::Command;

use dossier::date::Now;
use dossier::pipeline::{self, BuildOptions, Progress};

use crate::common::Site;

const BIN: &str = env!("CARGO_BIN_EXE_dossier");

/// Shows the bar from the start instead of after a second, so that the
/// fixture's quick build draws it.
const AT_ONCE: (&str, &str) = ("DOSSIER_PROGRESS_AFTER_MS", "0");

/// Runs `dossier ARGS` with stdout and stderr on a pseudo terminal and
/// returns what the terminal showed.
fn on_a_terminal(site: &Site, args: &str) -> String {
    let command = format!("{BIN} {args} --root {}", site.root().display());
    let output = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env(AT_ONCE.0, AT_ONCE.1)
        .output()
        .expect("`script` (util-linux) runs");
    assert!(output.status.success(), "{output:?}");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn a_terminal_shows_the_stage_then_the_summary() {
    let site = Site::fixture("site");
    let shown = on_a_terminal(&site, "build");
    assert!(shown.contains("reading content"), "no stage shown: {shown:?}");
    let summary = shown.rfind("Built ").expect("the summary line");
    assert!(shown[summary..].contains("pages ("), "{shown:?}");
    let shown = on_a_terminal(&site, "check");
    assert!(
        shown.contains("reading content") && shown.contains("Checked "),
        "{shown:?}"
    );
}

#[test]
fn quiet_shows_nothing_on_success() {
    let site = Site::fixture("site");
    let shown = on_a_terminal(&site, "build --quiet");
    assert_eq!(shown.trim(), "", "a quiet build printed something");
    assert!(site.public().join("index.html").is_file());
}

#[test]
fn a_pipe_gets_the_summary_alone() {
    let site = Site::fixture("site");
    let output = Command::new(BIN)
        .args(["build", "--root"])
        .arg(site.root())
        .env(AT_ONCE.0, AT_ONCE.1)
        .output()
        .expect("dossier runs");
    assert!(output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{stderr:?}");
    assert!(lines[0].starts_with("Built "), "{stderr:?}");
    assert!(!stderr.contains('\u{1b}'), "escape codes in a pipe: {stderr:?}");
}

#[test]
fn quiet_still_reports_errors() {
    let site = Site::fixture("site");
    site.edit(
        "content/briefs/2019-10-28-jedi-awarded.md",
        "date: 2019-10-28",
        "date: 2019-13-28",
    );
    let output = Command::new(BIN)
        .args(["build", "--quiet", "--root"])
        .arg(site.root())
        .output()
        .expect("dossier runs");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("jedi-awarded.md:") && stderr.contains("build failed"),
        "{stderr}"
    );
}

/// Records what a build reports.
#[derive(Default)]
struct Recorder {
    stages: RefCell<Vec<(&'static str, Option<usize>, usize)>>,
}

impl Progress for Recorder {
    fn stage(&self, name: &'static str, total: Option<usize>) {
        self.stages.borrow_mut().push((name, total, 0));
    }
    fn advance(&self, done: usize) {
        let mut stages = self.stages.borrow_mut();
        let last = stages.last_mut().expect("advance after a stage started");
        last.2 += done;
    }
}

#[test]
fn every_stage_is_reported_in_order_and_counted_ones_reach_their_total() {
    let site = Site::fixture("site");
    let recorder = Recorder::default();
    let options = BuildOptions {
        root: site.root().to_owned(),
        output: None,
        base_url: None,
        drafts: false,
        future: false,
        now: Now::from_source_date_epoch(None).expect("the clock"),
        strict: false,
        force: false,
    };
    let report = pipeline::build_showing(&options, &recorder).expect("the fixture builds");
    let stages = recorder.stages.into_inner();
    let names: Vec<&str> = stages.iter().map(|s| s.0).collect();
    assert_eq!(
        names,
        [
            "reading content",
            "resolving references",
            "making pictures",
            "rendering Markdown",
            "linking related stories",
            "preparing cards and templates",
            "writing the search index",
            "rendering and writing pages",
            "drawing social cards",
            "swapping in the new site",
        ]
    );
    let (_, markdown_total, bodies) = stages[3];
    assert_eq!(markdown_total, Some(bodies));
    let (_, pages, files) = stages[7];
    let pages = pages.expect("pages are counted");
    assert!(
        pages > 20 && files >= pages,
        "{pages} pages announced, {files} files handed on"
    );
    assert!(files <= report.files, "{files} of {} files", report.files);
    let (_, cards, drawn) = stages[8];
    assert_eq!(cards, Some(drawn));
}
