//! Incremental rebuild latency, stage by stage: what `serve` does between a
//! saved edit and the reload message (issue 6).
//!
//!     cargo bench --bench incremental -- SITE [EDITS] [--full] [--title]
//!
//! SITE is a dossier site, e.g. one made by
//! `../shared/bench/gen_corpus.py --briefs 10000 --seed 1 --format dossier DIR`.
//! Builds it once in a [`Session`], then EDITS times (default 9) appends a
//! paragraph to one brief (rename-over, like an editor) and rebuilds as
//! `serve` does, naming the changed file (`--full`: without naming it, so
//! every stage runs; `--title`: change the brief's title instead, a front
//! matter edit; `--tags`: add a tag another brief has, then take it away,
//! in turn; `--new`: add a new brief, then delete it, in turn; `--date`:
//! move its date back 97 days a save, as `scripts/serve_latency.py` does), printing
//! each rebuild's stages and the median. The brief is restored at the end
//! (the new one deleted). `BENCH_BRIEF` names another brief than the first
//! by file name. Run it on a quiet machine: these are wall times.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use dossier::pipeline::{BuildOptions, Session};

// The allocator `dossier` itself uses.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let full = std::env::args().any(|a| a == "--full");
    let title = std::env::args().any(|a| a == "--title");
    let new = std::env::args().any(|a| a == "--new");
    let tags = std::env::args().any(|a| a == "--tags");
    let date = std::env::args().any(|a| a == "--date");
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| {
            !matches!(
                a.as_str(),
                "--bench" | "--full" | "--title" | "--new" | "--tags" | "--date"
            )
        })
        .collect();
    let Some(site) = args.first().map(PathBuf::from) else {
        eprintln!(
            "usage: cargo bench --bench incremental -- SITE [EDITS] [--full | --title | --tags | --new | --date]"
        );
        std::process::exit(2);
    };
    let edits: usize = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(9);
    let options = BuildOptions {
        root: site.clone(),
        output: None,
        base_url: None,
        drafts: false,
        future: false,
        now: dossier::date::Now::Clock,
        strict: false,
        force: false,
    };
    let mut session = Session::default();
    let started = Instant::now();
    let (_, report) = session.build(&options).expect("the site builds");
    println!(
        "first build: {} pages in {} ms",
        report.pages,
        started.elapsed().as_millis()
    );

    // `BENCH_BRIEF` names the brief to edit (or copy, with `--new`).
    let brief = std::env::var("BENCH_BRIEF").map_or_else(|_| first_brief(&site.join("content/briefs")), PathBuf::from);
    let original = std::fs::read_to_string(&brief).expect("the brief");
    // `BENCH_TAG` names the tag to add (quoted as the corpus quotes it).
    let tag = || std::env::var("BENCH_TAG").unwrap_or_else(|_| another_tag(&site.join("content/briefs"), &original));
    let tagged = tags.then(|| with_tag(&original, &tag()));
    let added = site.join("content/briefs/zz-benchmark-new-brief.md");
    let edited = if new { &added } else { &brief };
    let changed = vec![edited.strip_prefix(&site).expect("under the site").to_owned()];
    let mut totals = Vec::new();
    for n in 1..=edits {
        // `--new`: written on odd edits, deleted on even ones.
        let text = if new && n % 2 == 0 {
            None
        } else if let Some(tagged) = &tagged {
            Some(if n % 2 == 1 { tagged.clone() } else { original.clone() })
        } else if date {
            Some(redated(&original, n))
        } else if title || new {
            Some(retitled(&original, n))
        } else {
            Some(format!("{original}\n\nEdit number {n} of the benchmark.\n"))
        };
        match text {
            Some(text) => {
                let temporary = edited.with_extension("md.tmp");
                std::fs::write(&temporary, text).expect("write");
                std::fs::rename(&temporary, edited).expect("rename");
            }
            None => std::fs::remove_file(edited).expect("delete the new brief"),
        }
        let started = Instant::now();
        let built = if full {
            session.build(&options)
        } else {
            session.rebuild(&options, &changed)
        };
        let (update, report) = built.expect("the edited site builds");
        let total = started.elapsed();
        totals.push(total);
        let stages: Vec<String> = report
            .timings
            .iter()
            .map(|t| format!("{} {:.1}", t.stage, ms(t.elapsed)))
            .collect();
        println!(
            "edit {n}: {:.1} ms{}, {} files rendered, {} kept | {}",
            ms(total),
            if report.quick { " (quick)" } else { "" },
            update.files.len(),
            report.kept,
            stages.join(", ")
        );
    }
    std::fs::write(&brief, original).expect("restore the brief");
    if added.exists() {
        std::fs::remove_file(&added).expect("delete the new brief");
    }
    totals.sort();
    if let Some(median) = totals.get(totals.len() / 2) {
        println!("median rebuild: {:.1} ms over {} edits", ms(*median), totals.len());
    }
}

/// `text` with `(revised N)` added to its `title:` line.
fn retitled(text: &str, n: usize) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut done = false;
    for line in text.split_inclusive('\n') {
        match line.strip_prefix("title: ").filter(|_| !done) {
            Some(value) => {
                done = true;
                let value = value.trim_end().trim_matches('"');
                out.push_str(&format!("title: \"{value} (revised {n})\"\n"));
            }
            None => out.push_str(line),
        }
    }
    assert!(done, "the brief has a title: line");
    out
}

/// `text` with its `date:` moved back 97 × `n` days, as
/// `scripts/serve_latency.py` moves it (the brief changes place in every
/// list that holds it).
fn redated(text: &str, n: usize) -> String {
    let line = text
        .lines()
        .find(|l| l.starts_with("date: "))
        .expect("the brief has a date: line");
    let value = line["date: ".len()..].trim().trim_matches('"');
    let day: jiff::civil::Date = value[..10].parse().expect("a date");
    let moved = day.checked_sub(jiff::Span::new().days(97 * n as i64)).expect("a date");
    text.replacen(line, &format!("date: {moved}{}", &value[10..]), 1)
}

/// A tag of another brief that `text` (a brief) does not have, written as
/// the corpus writes tags (`  - "tag"` under `tags:`).
fn another_tag(dir: &Path, text: &str) -> String {
    let tags = |text: &str| -> Vec<String> {
        let mut lines = text.lines().skip_while(|l| *l != "tags:").skip(1);
        std::iter::from_fn(|| lines.next().and_then(|l| l.strip_prefix("  - ")).map(str::to_owned)).collect()
    };
    let mine = tags(text);
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        .flat_map(|t| tags(&t))
        .find(|t| !mine.contains(t))
        .expect("another brief has a tag this one has not")
}

/// `text` with `tag` added first under `tags:`.
fn with_tag(text: &str, tag: &str) -> String {
    text.replacen("tags:\n", &format!("tags:\n  - {tag}\n"), 1)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn first_brief(dir: &Path) -> PathBuf {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .map(|e| e.into_path())
        .find(|p| p.extension().is_some_and(|x| x == "md"))
        .expect("a brief")
}
