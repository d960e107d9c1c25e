//! Incremental rebuilds (`serve`'s [`Session`]) against clean builds: after
//! any sequence of edits, the site a session holds must be byte-identical to
//! a full build of the same sources, and a failed build must change nothing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use dossier::pipeline::{self, BuildOptions, Kept, Session, Update};
use dossier::render::theme::Asset;
use dossier::render::{Contents, OutputFile};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use walkdir::WalkDir;

/// A built site in memory: output path → bytes.
type Files = BTreeMap<String, Vec<u8>>;

fn bytes(file: OutputFile) -> (String, Vec<u8>) {
    let data = match file.contents {
        Contents::Bytes(b) => b,
        Contents::Asset(Asset::Embedded(b)) => b.to_vec(),
        Contents::Asset(Asset::File(p)) => std::fs::read(p).expect("an asset"),
    };
    (file.path.as_str().to_owned(), data)
}

/// Applies a session's update to the files of its previous good build.
fn apply(previous: &Files, update: Update) -> Files {
    let mut files: Files = match &update.kept {
        Kept::AllOthers => previous.clone(),
        Kept::AllBut(gone) => {
            let mut files = previous.clone();
            for path in gone {
                files.remove(path.as_str());
            }
            files
        }
        Kept::Only(kept) => kept
            .iter()
            .map(|p| {
                let old = previous
                    .get(p.as_str())
                    .unwrap_or_else(|| panic!("kept {p} was never built"));
                (p.as_str().to_owned(), old.clone())
            })
            .collect(),
    };
    files.extend(update.files.into_iter().map(bytes));
    files
}

/// Every file of the site folder by path relative to it, with its bytes.
fn snapshot(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    WalkDir::new(root)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path().strip_prefix(root).unwrap().to_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

/// The paths that differ between two snapshots: what a file watcher reports.
fn changes(before: &BTreeMap<PathBuf, Vec<u8>>, after: &BTreeMap<PathBuf, Vec<u8>>) -> Vec<PathBuf> {
    let paths: std::collections::BTreeSet<&PathBuf> = before.keys().chain(after.keys()).collect();
    paths
        .into_iter()
        .filter(|p| before.get(*p) != after.get(*p))
        .cloned()
        .collect()
}

/// The paths whose bytes differ between a clean build and a served site.
fn differing<'a>(clean: &'a Files, served: &'a Files) -> Vec<&'a String> {
    (clean.keys().chain(served.keys()))
        .filter(|p| clean.get(*p) != served.get(*p))
        .collect()
}

fn clean_build(options: &BuildOptions) -> Option<Files> {
    let (files, _) = pipeline::render_site(options).ok()?;
    Some(files.into_iter().map(bytes).collect())
}

/// Copies the files under `from` to `to`, folders included.
fn copy_tree(from: &Path, to: &Path) {
    for entry in WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// The bundled example site, copied into a temporary folder, with a warm
/// media cache: the example's pictures are encoded once for the whole test
/// binary (seconds in a debug build), not once per copy. The cache holds
/// exactly the bytes a cold build makes (`tests/it/images.rs` tests that).
fn example() -> (tempfile::TempDir, PathBuf) {
    static WARM: std::sync::OnceLock<(tempfile::TempDir, PathBuf)> = std::sync::OnceLock::new();
    let (_, warm) = WARM.get_or_init(|| {
        let (dir, root) = cold_example();
        clean_build(&in_memory(&root)).expect("the example builds");
        (dir, root)
    });
    let (dir, root) = cold_example();
    copy_tree(&warm.join(".dossier-cache"), &root.join(".dossier-cache"));
    (dir, root)
}

/// The bundled example site, copied into a temporary folder.
fn cold_example() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    copy_tree(&repo.join("content"), &root.join("content"));
    std::fs::copy(repo.join("dossier.yaml"), root.join("dossier.yaml")).unwrap();
    (dir, root)
}

/// Options for building the site at `root`, as `serve` does.
fn in_memory(root: &Path) -> BuildOptions {
    BuildOptions {
        root: root.to_owned(),
        output: None,
        base_url: None,
        drafts: false,
        future: false,
        now: dossier::date::Now::Clock,
        strict: false,
        force: false,
    }
}

/// Gives the site at `root` its own copy of the default theme's `name`
/// template, with `from` replaced by `to`.
fn override_template(root: &Path, name: &str, from: &str, to: &str) {
    let builtin = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("themes/default/templates")
        .join(name);
    let text = std::fs::read_to_string(builtin).unwrap();
    assert!(text.contains(from), "{name} has no {from:?}");
    std::fs::create_dir_all(root.join("templates")).unwrap();
    std::fs::write(root.join("templates").join(name), text.replace(from, to)).unwrap();
}

fn briefs(root: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = WalkDir::new(root.join("content/briefs"))
        .into_iter()
        .map(|e| e.unwrap().into_path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    files.sort();
    files
}

/// One edit a writer might make.
#[derive(Debug, Clone)]
enum Edit {
    /// Adds a paragraph to a brief.
    Body(usize, u8),
    /// Puts a new first paragraph in a brief (its summary if it has none).
    Lead(usize, u8),
    /// Adds a wikilink to a brief (changes backlinks elsewhere).
    Mention(usize, u8),
    /// Removes a brief's summary (its first paragraph stands in).
    DropSummary(usize),
    /// Retitles a brief (keeps its length, to catch coarse timestamps).
    Title(usize, u8),
    /// Moves a brief in time (reorders every listing).
    Date(usize, u8),
    /// Replaces a brief's tags.
    Tags(usize, u8),
    /// Replaces a brief's companies.
    Companies(usize),
    /// Gives a brief old addresses (redirects); some land on a page and
    /// fail the build, some on another brief's alias.
    Aliases(usize, u8),
    /// Replaces a brief's declared related stories (suggestions skip them).
    Related(usize, u8),
    /// Sets `related_limit` in `dossier.yaml`.
    RelatedLimit(u8),
    /// Breaks a brief's front matter (the next `Title` of it repairs it).
    Break(usize),
    /// Deletes a brief.
    Delete(usize),
    /// Copies a brief under a new name.
    Copy(usize, u8),
    /// Adds a paragraph to a company profile.
    Company(usize, u8),
    /// Adds a paragraph to a contract's background.
    Contract(usize, u8),
    /// Adds a paragraph to a free page.
    Page(usize, u8),
    /// Adds a paragraph to an author's bio.
    Author(usize, u8),
    /// Changes the bytes of the example's embedded PDF (its size and name
    /// under /media/ change).
    Document(u8),
    /// Gives a brief another byline (moves it between author pages).
    Byline(usize, u8),
    /// Overrides the theme's 404 template with a different heading.
    Template(u8),
    /// Changes the site title in `dossier.yaml`.
    Config(u8),
    /// Writes a site stylesheet.
    Static(u8),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (0..64usize, 0..10u8).prop_map(|(i, w)| Edit::Body(i, w)),
        (0..64usize, 0..10u8).prop_map(|(i, w)| Edit::Lead(i, w)),
        (0..64usize, 0..4u8).prop_map(|(i, m)| Edit::Mention(i, m)),
        (0..64usize).prop_map(Edit::DropSummary),
        (0..64usize, 0..10u8).prop_map(|(i, w)| Edit::Title(i, w)),
        (0..64usize, 1..28u8).prop_map(|(i, d)| Edit::Date(i, d)),
        (0..64usize, 0..6u8).prop_map(|(i, t)| Edit::Tags(i, t)),
        (0..64usize).prop_map(Edit::Companies),
        (0..64usize, 0..5u8).prop_map(|(i, a)| Edit::Aliases(i, a)),
        (0..64usize, 0..3u8).prop_map(|(i, r)| Edit::Related(i, r)),
        (0..6u8).prop_map(Edit::RelatedLimit),
        (0..64usize).prop_map(Edit::Break),
        (0..64usize).prop_map(Edit::Delete),
        (0..64usize, 0..10u8).prop_map(|(i, n)| Edit::Copy(i, n)),
        (0..64usize, 0..10u8).prop_map(|(i, w)| Edit::Company(i, w)),
        (0..64usize, 0..10u8).prop_map(|(i, w)| Edit::Contract(i, w)),
        (0..64usize, 0..10u8).prop_map(|(i, w)| Edit::Page(i, w)),
        (0..64usize, 0..10u8).prop_map(|(i, w)| Edit::Author(i, w)),
        (0..10u8).prop_map(Edit::Document),
        (0..64usize, 0..4u8).prop_map(|(i, a)| Edit::Byline(i, a)),
        (0..10u8).prop_map(Edit::Template),
        (0..10u8).prop_map(Edit::Config),
        (0..10u8).prop_map(Edit::Static),
    ]
}

/// Replaces the front matter line starting with `key:`.
/// Whether a brief gives old addresses (a non-empty `aliases:` list).
fn has_aliases(path: &Path) -> bool {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .any(|l| l.starts_with("aliases:") && l.trim_end() != "aliases: []")
}

fn set_line(path: &Path, key: &str, line: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    let prefix = format!("{key}:");
    let mut done = false;
    let mut out: Vec<String> = Vec::new();
    for l in text.lines() {
        if !done && l.starts_with(&prefix) {
            out.push(line.to_owned());
            done = true;
        } else {
            out.push(l.to_owned());
        }
    }
    if !done {
        out.insert(1, line.to_owned());
    }
    std::fs::write(path, out.join("\n") + "\n").unwrap();
}

/// The `i`-th file (modulo their number) of a folder of the site, by name.
fn nth_file(root: &Path, folder: &str, i: usize) -> PathBuf {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root.join(folder))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    files.sort();
    files[i % files.len()].clone()
}

fn append(path: &Path, text: &str) {
    let mut old = std::fs::read_to_string(path).unwrap();
    old.push_str(text);
    std::fs::write(path, old).unwrap();
}

const WORDS: [&str; 10] = [
    "alpha", "bravo", "delta", "gamma", "kappa", "omega", "sigma", "theta", "lemma", "nabla",
];
const MENTIONS: [&str; 4] = ["Microsoft", "JEDI", "jedi-contract-delayed", "AWS|Amazon's cloud"];
const ALIASES: [&str; 5] = [
    "aliases: [/2020/08/18/old-story/]",
    "aliases: [/old.html, /news/2019/story]",
    "aliases: []",
    "aliases: [/tags/defense/]",
    "aliases: [/old-story/, /another/]",
];
const BYLINES: [&str; 4] = [
    "author: Maya Okafor",
    "author: dossier desk",
    "authors: [Daniel Reyes, M. Okafor]",
    "author: Dan Reyes",
];
const RELATED: [&str; 3] = ["jedi-contract-delayed", "jwcc-awarded", "cia-c2e-awards"];
const TAGS: [&str; 6] = [
    "defense",
    "cloud computing",
    "antitrust",
    "new tag",
    "procurement",
    "other",
];

fn apply_edit(root: &Path, edit: &Edit) {
    let briefs = briefs(root);
    let brief = |i: usize| &briefs[i % briefs.len()];
    match *edit {
        Edit::Body(i, w) => append(brief(i), &format!("\n\nA new paragraph about {}.\n", WORDS[w as usize])),
        Edit::Lead(i, w) => {
            let text = std::fs::read_to_string(brief(i)).unwrap();
            let end = text[3..].find("\n---\n").unwrap() + 3 + "\n---\n".len();
            let lead = format!("\nA lead about {}.\n", WORDS[w as usize]);
            std::fs::write(brief(i), format!("{}{lead}{}", &text[..end], &text[end..])).unwrap();
        }
        Edit::Mention(i, m) => append(brief(i), &format!("\n\nSee also [[{}]].\n", MENTIONS[m as usize])),
        Edit::DropSummary(i) => set_line(brief(i), "summary", ""),
        Edit::Title(i, w) => set_line(brief(i), "title", &format!("title: The {} story", WORDS[w as usize])),
        Edit::Date(i, d) => set_line(brief(i), "date", &format!("date: 2019-03-{d:02}")),
        Edit::Tags(i, t) => set_line(brief(i), "tags", &format!("tags: [{}]", TAGS[t as usize])),
        Edit::Companies(i) => set_line(brief(i), "companies", "companies: [Microsoft, AWS]"),
        Edit::Aliases(i, a) => set_line(brief(i), "aliases", ALIASES[a as usize]),
        Edit::Related(i, r) => set_line(brief(i), "related", &format!("related: [{}]", RELATED[r as usize])),
        Edit::RelatedLimit(n) => set_line(
            &root.join("dossier.yaml"),
            "related_limit",
            &format!("related_limit: {n}"),
        ),
        Edit::Break(i) => set_line(brief(i), "title", "title: \"unclosed"),
        Edit::Delete(i) if briefs.len() > 4 => std::fs::remove_file(brief(i)).unwrap(),
        Edit::Delete(_) => {}
        Edit::Copy(i, n) => {
            let to = root.join(format!("content/briefs/copy-{n}.md"));
            // A copy of itself would empty it.
            if *brief(i) == to {
                return;
            }
            std::fs::copy(brief(i), &to).unwrap();
            set_line(&to, "slug", &format!("slug: copy-{n}"));
        }
        Edit::Company(i, w) => append(
            &nth_file(root, "content/companies", i),
            &format!("\nProfile note: {}.\n", WORDS[w as usize]),
        ),
        Edit::Contract(i, w) => append(
            &nth_file(root, "content/contracts", i),
            &format!("\nBackground note: {}.\n", WORDS[w as usize]),
        ),
        Edit::Page(i, w) => append(
            &nth_file(root, "content/pages", i),
            &format!("\nPage note: {}.\n", WORDS[w as usize]),
        ),
        Edit::Author(i, w) => append(
            &nth_file(root, "content/authors", i),
            &format!("\nBio note: {}.\n", WORDS[w as usize]),
        ),
        Edit::Document(w) => append(
            &root.join("content/briefs/jedi-jwcc-timeline.pdf"),
            &format!("% {}\n", WORDS[w as usize]),
        ),
        Edit::Byline(i, a) => {
            set_line(brief(i), "author", "");
            set_line(brief(i), "authors", "");
            set_line(brief(i), "author", BYLINES[a as usize]);
        }
        Edit::Template(w) => {
            let builtin = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/templates/404.html");
            let text = std::fs::read_to_string(builtin).unwrap();
            let text = text.replace("We could not find that page", &format!("Lost: {}", WORDS[w as usize]));
            std::fs::create_dir_all(root.join("templates")).unwrap();
            std::fs::write(root.join("templates/404.html"), text).unwrap();
        }
        Edit::Config(w) => set_line(
            &root.join("dossier.yaml"),
            "title",
            &format!("title: {} Briefs", WORDS[w as usize]),
        ),
        Edit::Static(w) => {
            std::fs::create_dir_all(root.join("static")).unwrap();
            std::fs::write(root.join("static/extra.css"), format!("/* {} */\n", WORDS[w as usize])).unwrap();
        }
    }
}

/// Runs `edits` through one session and checks each result against a clean build.
fn check_sequence(edits: &[Edit]) {
    let (_dir, root) = example();
    let options = in_memory(&root);
    let mut session = Session::default();
    let (update, _) = session.build(&options).expect("the example builds");
    let mut served = apply(&Files::new(), update);
    let mut last_ok = true;
    for (n, edit) in edits.iter().enumerate() {
        let before = snapshot(&root);
        apply_edit(&root, edit);
        let changed = changes(&before, &snapshot(&root));
        let clean = clean_build(&options);
        let result = session.rebuild(&options, &changed);
        let body_only = matches!(
            edit,
            Edit::Body(..) | Edit::Company(..) | Edit::Contract(..) | Edit::Page(..) | Edit::Author(..)
        );
        // A new title or new companies keep the brief in its place; only a
        // brief with old addresses (whose redirect pages show its title)
        // builds fully.
        let texts_only = match edit {
            Edit::Title(..) | Edit::Companies(..) => {
                !changed.is_empty() && !changed.iter().any(|p| has_aliases(&root.join(p)))
            }
            _ => false,
        };
        if (body_only || texts_only)
            && last_ok
            && let Ok((_, report)) = &result
        {
            assert!(report.quick, "edit {n} ({edit:?}) of {edits:?} took a full build");
        }
        // A file with a warning builds fully until it has none: the
        // next edit may take a quick build only after a clean one.
        last_ok = result.as_ref().is_ok_and(|(_, report)| report.warnings.is_empty());
        match (result, clean) {
            (Ok((update, _)), Some(clean)) => {
                let behind = update.index_behind;
                served = apply(&served, update);
                // As `serve` does once the pages are served.
                match session.refresh_index() {
                    Some((index, _)) => served = apply(&served, index),
                    None => assert!(!behind, "edit {n}: the index was left behind"),
                }
                let differ = differing(&clean, &served);
                assert!(
                    differ.is_empty(),
                    "after edit {n} ({edit:?}) of {edits:?}, these differ: {differ:?}"
                );
            }
            (Err(_), None) => {}
            (incremental, clean) => panic!(
                "after edit {n} ({edit:?}): the session {} but a clean build {}",
                if incremental.is_ok() { "succeeded" } else { "failed" },
                if clean.is_some() { "succeeded" } else { "failed" },
            ),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 12,
        // Failure cases are saved in, and replayed from, incremental.proptest-regressions
        // beside this file.
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("proptest-regressions"))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn any_edit_sequence_gives_a_clean_build(edits in prop::collection::vec(edit(), 1..8)) {
        check_sequence(&edits);
    }
}

/// `serve` answers a body edit with its page first; the search index,
/// which at 10,000 briefs takes longer than the page, follows.
#[test]
fn a_body_edit_serves_its_page_first_and_its_words_reach_the_index_after() {
    let (_dir, root) = example();
    let options = in_memory(&root);
    let mut session = Session::default();
    session.build(&options).unwrap();
    assert!(session.refresh_index().is_none(), "a full build writes the index");
    let brief = briefs(&root)
        .into_iter()
        .find(|p| p.ends_with("2021-07-06-jedi-cancelled-jwcc.md"))
        .unwrap();
    let before = snapshot(&root);
    append(&brief, "\n\nA paragraph about quetzalcoatlus.\n");
    let changed = changes(&before, &snapshot(&root));
    let (update, report) = session.rebuild(&options, &changed).unwrap();
    assert!(report.quick && update.index_behind);
    let paths: Vec<&str> = update.files.iter().map(|f| f.path.as_str()).collect();
    assert!(
        paths.iter().all(|p| !p.starts_with("search/") || p.ends_with(".html")),
        "{paths:?}"
    );

    let (index, _) = session.refresh_index().expect("the index is behind");
    assert!(!index.index_behind);
    let files: Vec<(String, Vec<u8>)> = index.files.into_iter().map(bytes).collect();
    assert!(
        files.iter().any(|(path, data)| path.starts_with("search/l/")
            && String::from_utf8_lossy(data).contains("\"quetzalcoatlus\"")),
        "the new word is in a lexicon shard: {:?}",
        files.iter().map(|(p, _)| p).collect::<Vec<_>>()
    );
    assert!(files.iter().all(|(path, _)| path.starts_with("search/")));
    assert!(session.refresh_index().is_none(), "up to date");
}

#[test]
fn an_edit_renders_only_the_pages_that_show_it() {
    let (_dir, root) = example();
    let options = in_memory(&root);
    let mut session = Session::default();
    let (first, report) = session.build(&options).unwrap();
    assert_eq!(report.kept, 0, "the first build renders everything");
    let rendered = |update: &Update| -> Vec<String> {
        update
            .files
            .iter()
            .map(|f| f.path.as_str().to_owned())
            .filter(|p| p.ends_with(".html") || p.ends_with(".xml"))
            .collect()
    };
    let templated = rendered(&first).len();
    assert!(templated > 40, "{templated}");

    // Nothing changed: every page and feed is kept.
    let (update, report) = session.build(&options).unwrap();
    assert_eq!(rendered(&update), Vec::<String>::new());
    assert_eq!(report.kept, templated);

    // A paragraph in one brief: its page, and listings with full content (the
    // site feed), but not the other briefs' pages.
    let brief = briefs(&root)
        .into_iter()
        .find(|p| p.ends_with("2021-07-06-jedi-cancelled-jwcc.md"))
        .unwrap();
    append(&brief, "\n\nA paragraph only this page shows.\n");
    let (update, report) = session.build(&options).unwrap();
    let pages = rendered(&update);
    assert_eq!(report.rendered, pages.len(), "{pages:?}");
    assert!(
        pages.contains(&"briefs/jedi-cancelled-jwcc/index.html".to_owned()),
        "{pages:?}"
    );
    assert!(pages.len() <= 3, "a body edit re-rendered {pages:?}");

    // The site title shows on every page: everything is rendered again.
    set_line(&root.join("dossier.yaml"), "title", "title: Another Title");
    let (_, report) = session.build(&options).unwrap();
    assert_eq!(report.kept, 0);
}

/// An edit to a brief's texts (title, summary, sources…) that keeps its
/// date, name and references puts the brief in its place in the last good
/// build: only the pages that show it are rendered again, and the site is
/// the one a clean build makes. A text a full build would say something
/// about, or any other change, builds fully.
#[test]
fn an_edit_to_a_briefs_texts_renders_only_the_pages_that_show_it() {
    let (_dir, root) = example();
    let options = in_memory(&root);
    let mut session = Session::default();
    let (first, _) = session.build(&options).unwrap();
    let mut served = apply(&Files::new(), first);
    let pages = |update: &Update| -> Vec<String> {
        (update.files.iter())
            .map(|f| f.path.as_str().to_owned())
            .filter(|p| p.ends_with(".html") || p.ends_with(".xml"))
            .collect()
    };
    let brief = root.join("content/briefs/2021-07-06-jedi-cancelled-jwcc.md");
    let save = |session: &mut Session, served: &mut Files, edit: &dyn Fn()| {
        let before = snapshot(&root);
        edit();
        let changed = changes(&before, &snapshot(&root));
        let result = session.rebuild(&options, &changed);
        if let Ok((update, report)) = result {
            let rendered = pages(&update);
            *served = apply(served, update);
            // The report's count once the index is up to date.
            let mut files = report.files;
            if let Some((index, indexed)) = session.refresh_index() {
                *served = apply(served, index);
                files = indexed.files;
            }
            let clean = clean_build(&options).expect("a clean build");
            let differ = differing(&clean, served);
            assert!(differ.is_empty(), "these differ from a clean build: {differ:?}");
            assert_eq!(files, clean.len(), "the files the report counts");
            Ok((report, rendered))
        } else {
            result.map(|_| unreachable!())
        }
    };

    // A new headline and dek in one save.
    let (report, rendered) = save(&mut session, &mut served, &|| {
        set_line(&brief, "title", "title: Pentagon Scraps JEDI for JWCC");
        set_line(&brief, "summary", "summary: The Defense Department starts over.");
    })
    .unwrap();
    assert!(report.quick, "a new title and summary took a full build");
    for page in [
        "briefs/jedi-cancelled-jwcc/index.html",
        "index.html",
        "tags/defense/index.html",
        "atom.xml",
    ] {
        assert!(rendered.iter().any(|p| p == page), "{page} not in {rendered:?}");
    }
    assert!(
        !rendered.iter().any(|p| p == "about/index.html"),
        "a page that does not show the brief: {rendered:?}"
    );
    assert!(rendered.len() < served.len() / 4, "{rendered:?}");

    // Sources and corrections are texts too.
    let (report, _) = save(&mut session, &mut served, &|| {
        append_front(
            &brief,
            "corrections:\n  - date: 2021-07-07\n    note: A date was wrong.",
        );
    })
    .unwrap();
    assert!(report.quick, "a correction took a full build");

    // A date of update is a text, which the sitemap shows.
    let (report, rendered) = save(&mut session, &mut served, &|| {
        set_line(&brief, "updated", "updated: 2021-07-09")
    })
    .unwrap();
    assert!(
        report.quick && rendered.iter().any(|p| p == "sitemap.xml"),
        "{rendered:?}"
    );

    // Quotes around a title are a warning: a full build gives it.
    let (report, _) = save(&mut session, &mut served, &|| {
        set_line(&brief, "title", "title: “Pentagon Scraps JEDI”");
    })
    .unwrap();
    assert!(!report.quick && !report.warnings.is_empty(), "{report:?}");

    // A blank title is an error at its line; the session keeps its site.
    let error = save(&mut session, &mut served, &|| set_line(&brief, "title", "title: \" \""));
    match error {
        Err(dossier::pipeline::BuildError::Site(d)) => {
            let d = d
                .iter()
                .find(|d| d.path.ends_with("2021-07-06-jedi-cancelled-jwcc.md"))
                .expect("{d:?}");
            let text = std::fs::read_to_string(&brief).unwrap();
            let title_line = text.lines().position(|l| l.starts_with("title:")).unwrap() + 1;
            assert_eq!(d.position.map(|p| p.line), Some(title_line), "{d:?}");
        }
        other => panic!("a blank title built: {:?}", other.map(|(r, _)| r)),
    }

    // Fixed, then retitled again: quick once the last build is good.
    save(&mut session, &mut served, &|| {
        set_line(&brief, "title", "title: Pentagon Scraps JEDI")
    })
    .unwrap();
    let (report, _) = save(&mut session, &mut served, &|| {
        set_line(&brief, "title", "title: Pentagon Drops JEDI")
    })
    .unwrap();
    assert!(report.quick);

    // Tags, companies, bylines and related stories move the brief between
    // listings, without moving it in time: the lists are derived again,
    // and the pages of what changed rendered again.
    let (report, rendered) = save(&mut session, &mut served, &|| {
        set_line(&brief, "tags", "tags: [defense]")
    })
    .unwrap();
    assert!(report.quick);
    assert!(
        rendered.iter().any(|p| p == "tags/procurement/index.html"),
        "{rendered:?}"
    );
    assert!(rendered.iter().any(|p| p == "tags/index.html"), "{rendered:?}");
    let (report, _) = save(&mut session, &mut served, &|| {
        set_line(&brief, "companies", "companies: [Microsoft]");
        set_line(&brief, "related", "related: [jwcc-awarded]");
        set_line(&brief, "author", "author: Maya Okafor");
    })
    .unwrap();
    assert!(report.quick);

    // A tag spelled so that it sorts first names the tag: a full build;
    // spelled back, no brief spells that name: a full build again.
    for tags in ["tags: [Defense]", "tags: [defense]"] {
        let (report, _) = save(&mut session, &mut served, &|| set_line(&brief, "tags", tags)).unwrap();
        assert!(!report.quick, "{tags}");
    }

    // A new tag is a new page of tags: a full build.
    let (report, _) = save(&mut session, &mut served, &|| {
        set_line(&brief, "tags", "tags: [defense, brand new]")
    })
    .unwrap();
    assert!(!report.quick);

    // A new date moves the brief in every listing: it is put in its new
    // place, and the pages that can show it are rendered again.
    let (report, rendered) = save(&mut session, &mut served, &|| {
        set_line(&brief, "date", "date: 2021-07-09")
    })
    .unwrap();
    assert!(report.quick, "a new date took a full build");
    for page in ["briefs/jedi-cancelled-jwcc/index.html", "index.html", "atom.xml"] {
        assert!(rendered.iter().any(|p| p == page), "{page} not in {rendered:?}");
    }
    assert!(!rendered.iter().any(|p| p == "about/index.html"), "{rendered:?}");

    // A new brief, and then the same deleted: each put in or taken out of
    // its place.
    let copy = root.join("content/briefs/2021-07-10-a-copy.md");
    let (report, rendered) = save(&mut session, &mut served, &|| {
        std::fs::copy(&brief, &copy).unwrap();
        set_line(&copy, "slug", "slug: a-copy");
        set_line(&copy, "title", "title: A Copy of the Story");
    })
    .unwrap();
    assert!(report.quick, "a new brief took a full build");
    assert!(rendered.iter().any(|p| p == "briefs/a-copy/index.html"), "{rendered:?}");
    let (report, _) = save(&mut session, &mut served, &|| std::fs::remove_file(&copy).unwrap()).unwrap();
    assert!(report.quick, "a deleted brief took a full build");
    assert!(!served.contains_key("briefs/a-copy/index.html"));

    // A brief another names among its related stories is still named:
    // a full build says so.
    let named = root.join("content/briefs/2020/2020-08-14-jedi-contract-delayed.md");
    let text = std::fs::read_to_string(&named).unwrap();
    let before = snapshot(&root);
    std::fs::remove_file(&named).unwrap();
    let changed = changes(&before, &snapshot(&root));
    assert!(
        session.rebuild(&options, &changed).is_err(),
        "a brief still named was deleted"
    );
    std::fs::write(&named, text).unwrap();
}

/// A brief with a picture, deleted: a full build, which takes the
/// picture's files away with it; a brief without one, in place.
#[test]
fn a_deleted_brief_takes_its_pictures_files_with_it() {
    let (_dir, root) = example();
    let options = in_memory(&root);
    let mut session = Session::default();
    let (update, _) = session.build(&options).unwrap();
    let mut served = apply(&Files::new(), update);
    for (brief, pictured) in [
        ("content/briefs/2022-12-08-jwcc-awarded.md", true),
        (
            "content/briefs/2020/2020-09-14-oracle-tiktok-trusted-technology-provider.md",
            false,
        ),
    ] {
        let before = snapshot(&root);
        std::fs::remove_file(root.join(brief)).unwrap();
        let changed = changes(&before, &snapshot(&root));
        let (update, report) = session.rebuild(&options, &changed).unwrap();
        served = apply(&served, update);
        if let Some((index, _)) = session.refresh_index() {
            served = apply(&served, index);
        }
        let clean = clean_build(&options).unwrap();
        assert_eq!(differing(&clean, &served), Vec::<&String>::new(), "{brief}");
        assert_eq!(report.quick, !pictured, "{brief}");
    }
}

/// Adds `lines` at the end of a file's front matter.
fn append_front(path: &Path, lines: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    let end = text[3..].find("\n---").unwrap() + 3;
    std::fs::write(path, format!("{}\n{lines}{}", &text[..end], &text[end..])).unwrap();
}

/// A brief's social card is laid out and drawn again only when what it
/// says changed: the session keeps every other card of the last build.
#[test]
fn a_title_edit_draws_only_its_own_social_card() {
    let (_dir, root) = example();
    let options = in_memory(&root);
    let mut session = Session::default();
    // The social cards an update drew: their origins, and their paths.
    let social = |update: &Update| -> (Vec<String>, Vec<String>) {
        (update.files.iter())
            .filter(|f| f.origin.starts_with("social card of "))
            .map(|f| (f.origin.clone(), f.path.as_str().to_owned()))
            .unzip()
    };
    let cards = |update: &Update| social(update).0;
    let png = |update: &Update| social(update).1;
    let (first, _) = session.build(&options).unwrap();
    assert!(cards(&first).len() > 5, "{:?}", cards(&first));

    let (update, _) = session.build(&options).unwrap();
    assert_eq!(cards(&update), Vec::<String>::new(), "nothing changed");

    let before = snapshot(&root);
    // The fourth brief by path has no lead image, so it shares a card.
    apply_edit(&root, &Edit::Title(3, 4));
    let changed = changes(&before, &snapshot(&root));
    let (update, _) = session.rebuild(&options, &changed).unwrap();
    let drawn = cards(&update);
    assert_eq!(drawn.len(), 1, "{drawn:?}");
    let brief = changed[0].display().to_string();
    assert!(drawn[0].ends_with(&brief), "{drawn:?} is not the card of {brief}");
    // The new title's words reach the search index after the pages.
    assert!(update.index_behind);
    assert!(update.files.iter().all(|f| !f.path.as_str().starts_with("search/l/")));
    let (index, _) = session.refresh_index().expect("the index is behind");
    assert!(
        index
            .files
            .into_iter()
            .map(bytes)
            .any(|(path, data)| path.starts_with("search/l/") && String::from_utf8_lossy(&data).contains("\"kappa\"")),
        "the new title's word is in a lexicon shard"
    );

    // Put back as it was: the card it had is drawn again, the same file.
    std::fs::write(root.join(&changed[0]), &before[&changed[0]]).unwrap();
    let (update, _) = session.rebuild(&options, &changed).unwrap();
    let again = png(&update);
    assert_eq!(again.len(), 1, "{again:?}");
    assert!(png(&first).contains(&again[0]), "{again:?}");
}

/// A session trusts the watcher's list of changed files (it reads only
/// those again) unless told the watcher may have lost events.
#[test]
fn after_lost_track_an_unreported_edit_is_seen() {
    let (_dir, root) = example();
    let options = in_memory(&root);
    let mut session = Session::default();
    let (update, _) = session.build(&options).unwrap();
    let mut served = apply(&Files::new(), update);
    apply_edit(&root, &Edit::Title(3, 6));
    set_line(&root.join("dossier.yaml"), "title", "title: Another Title");
    session.lost_track();
    let (update, _) = session.rebuild(&options, &[PathBuf::from("dossier.yaml")]).unwrap();
    served = apply(&served, update);
    if let Some((index, _)) = session.refresh_index() {
        served = apply(&served, index);
    }
    let clean = clean_build(&options).unwrap();
    let differ = differing(&clean, &served);
    assert!(differ.is_empty(), "these differ: {differ:?}");
}

/// A page that looks an entity up (`get_company`) shows its brief count,
/// which a brief's front matter changes without touching that page's own
/// view: the lookup must count in the page's fingerprint.
#[test]
fn a_page_that_looks_up_a_company_follows_its_brief_count() {
    let (_dir, root) = example();
    let options = in_memory(&root);
    override_template(
        &root,
        "404.html",
        "We could not find that page",
        "{% set m = get_company(slug=\"ibm\") %}IBM: {{ m.brief_count }} briefs",
    );
    let mut session = Session::default();
    let (update, _) = session.build(&options).unwrap();
    let mut served = apply(&Files::new(), update);
    let count = |files: &Files| {
        let page = String::from_utf8_lossy(&files["404.html"]).into_owned();
        let at = page.find("IBM: ").expect("the lookup's line");
        page[at..at + 20].to_owned()
    };
    let before = count(&served);
    // A brief that does not name IBM now does.
    let brief = (briefs(&root).into_iter())
        .find(|p| !std::fs::read_to_string(p).unwrap().contains("IBM"))
        .expect("a brief without IBM");
    let old = snapshot(&root);
    set_line(&brief, "companies", "companies: [Microsoft, IBM]");
    let changed = changes(&old, &snapshot(&root));
    let (update, _) = session.rebuild(&options, &changed).unwrap();
    served = apply(&served, update);
    assert_ne!(count(&served), before, "the 404 page's count moved");
    assert_eq!(served["404.html"], clean_build(&options).unwrap()["404.html"]);
}

/// A new brief changes `site.counts`. The default theme shows them on the
/// home and 404 pages only, so pages that neither show the new brief nor
/// the counts are kept; a theme whose footer shows them on every page has
/// every page rendered again. Both stay byte-identical to a clean build.
#[test]
fn a_new_brief_renders_again_only_the_pages_that_can_show_it_or_the_counts() {
    for footer_counts in [false, true] {
        let (_dir, root) = example();
        if footer_counts {
            override_template(
                &root,
                "_footer.html",
                "<nav class=\"footer-nav\"",
                "<p>{{ site.counts.briefs }} briefs</p><nav class=\"footer-nav\"",
            );
        }
        let options = in_memory(&root);
        let mut session = Session::default();
        let (update, _) = session.build(&options).unwrap();
        let mut served = apply(&Files::new(), update);
        let old = snapshot(&root);
        apply_edit(&root, &Edit::Copy(0, 1));
        let changed = changes(&old, &snapshot(&root));
        let (update, report) = session.rebuild(&options, &changed).unwrap();
        let rendered: Vec<String> = (update.files.iter())
            .map(|f| f.path.as_str().to_owned())
            .filter(|p| p.ends_with(".html"))
            .collect();
        served = apply(&served, update);
        if let Some((index, _)) = session.refresh_index() {
            served = apply(&served, index);
        }
        let clean = clean_build(&options).unwrap();
        assert_eq!(
            differing(&clean, &served),
            Vec::<&String>::new(),
            "footer counts: {footer_counts}"
        );
        // The default theme shows no count of briefs: the home pages
        // before the new brief's place stay as they are.
        assert!(
            rendered.contains(&"briefs/copy-1/index.html".to_owned()),
            "{rendered:?}"
        );
        let pages_shown = if footer_counts {
            &["index.html", "404.html"][..]
        } else {
            &[]
        };
        for page in pages_shown {
            assert!(rendered.contains(&page.to_string()), "{page} not in {rendered:?}");
        }
        assert_eq!(report.quick, !footer_counts, "{report:?}");
        let pages = clean.keys().filter(|p| p.ends_with(".html")).count();
        // The free pages show neither the briefs nor, in the default
        // theme, the counts.
        let about = rendered.contains(&"about/index.html".to_owned());
        assert!(clean.contains_key("about/index.html"));
        if footer_counts {
            assert!(about, "{rendered:?}");
            assert!(
                rendered.len() + 3 >= pages,
                "{} of {pages}: {rendered:?}",
                rendered.len()
            );
        } else {
            assert!(!about, "{rendered:?}");
            assert!(report.kept > 10, "kept {}: rendered {rendered:?}", report.kept);
        }
    }
}

#[test]
fn template_contract_and_page_edits_give_a_clean_build() {
    check_sequence(&[
        Edit::Template(1),
        Edit::Contract(0, 2),
        Edit::Page(1, 3),
        Edit::Template(4),
    ]);
}

#[test]
fn alias_edits_give_a_clean_build() {
    // A redirect added, moved to another brief (its old one renamed),
    // landing on a page (the build fails), then repaired.
    check_sequence(&[
        Edit::Aliases(0, 0),
        Edit::Title(0, 1),
        Edit::Aliases(1, 1),
        Edit::Aliases(2, 3),
        Edit::Aliases(2, 4),
        Edit::Aliases(0, 2),
        Edit::Body(0, 2),
    ]);
}

#[test]
fn a_failed_build_keeps_the_last_good_state() {
    check_sequence(&[Edit::Break(0), Edit::Body(1, 1), Edit::Title(0, 2), Edit::Body(0, 3)]);
}

#[test]
fn same_length_edits_in_quick_succession_are_seen() {
    check_sequence(&[
        Edit::Title(2, 1),
        Edit::Title(2, 2),
        Edit::Title(2, 3),
        Edit::Title(2, 4),
    ]);
}

#[test]
fn body_edits_that_change_links_or_summaries_give_a_clean_build() {
    // A new wikilink adds a backlink to another brief's page; a new first
    // paragraph is the summary every listing shows when there is none.
    check_sequence(&[Edit::Mention(0, 2), Edit::Mention(1, 2), Edit::Mention(3, 3)]);
    check_sequence(&[
        Edit::DropSummary(2),
        Edit::Lead(2, 1),
        Edit::Body(2, 4),
        Edit::Lead(2, 5),
    ]);
}

#[test]
fn author_bio_and_byline_edits_give_a_clean_build() {
    // A bio shows on the author's first page only; a byline moves a brief
    // between author pages and changes its card everywhere.
    check_sequence(&[
        Edit::Author(0, 1),
        Edit::Byline(3, 0),
        Edit::Author(2, 2),
        Edit::Byline(3, 2),
        Edit::Byline(5, 3),
    ]);
}

#[test]
fn a_tag_edit_moves_suggestions_on_other_pages_and_stays_clean() {
    // aws-files-jedi-protest (the second brief by path) is among the
    // suggestions of jedi-contract-delayed until its tags change.
    let (_dir, root) = example();
    let options = in_memory(&root);
    let mut session = Session::default();
    session.build(&options).unwrap();
    let before = snapshot(&root);
    apply_edit(&root, &Edit::Tags(1, 2));
    let changed = changes(&before, &snapshot(&root));
    assert_eq!(changed.len(), 1, "{changed:?}");
    assert!(
        changed[0].ends_with("2019-11-22-aws-files-jedi-protest.md"),
        "{changed:?}"
    );
    let (update, report) = session.rebuild(&options, &changed).unwrap();
    assert!(!report.quick, "a front matter edit takes a full build");
    let pages: Vec<&str> = update.files.iter().map(|f| f.path.as_str()).collect();
    assert!(
        pages.contains(&"briefs/jedi-contract-delayed/index.html"),
        "another brief's suggestions moved, so its page is rendered again: {pages:?}"
    );
    // And every page equals a clean build's, through more edits that move
    // suggestions: tags, companies, declared related stories, the limit.
    check_sequence(&[
        Edit::Tags(1, 2),
        Edit::Body(4, 1),
        Edit::Companies(3),
        Edit::Related(5, 0),
        Edit::RelatedLimit(1),
        Edit::Tags(6, 0),
        Edit::RelatedLimit(0),
        Edit::Tags(7, 3),
    ]);
}

#[test]
fn an_edited_pdf_updates_its_document_card_and_media_file() {
    check_sequence(&[Edit::Document(1), Edit::Body(2, 3), Edit::Document(4)]);
}

/// A brief's summary dropped after a quick build gave it a new first
/// paragraph: its card shows that paragraph, not the one the last full
/// build rendered (found by the property test above).
#[test]
fn a_summary_dropped_after_a_new_lead_shows_the_new_lead() {
    check_sequence(&[
        Edit::Lead(17, 3),
        Edit::Page(16, 0),
        Edit::Contract(36, 6),
        Edit::DropSummary(43),
    ]);
}

/// A listing shortened by a page, then lengthened again: the page comes
/// back (found by the property test above).
#[test]
fn a_page_a_listing_lost_comes_back_when_it_grows_again() {
    check_sequence(&[Edit::Byline(16, 0), Edit::Author(33, 4), Edit::Byline(22, 1)]);
}
