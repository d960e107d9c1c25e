//! A writer's slips in the body of a brief (issue 20): a footnote reference
//! with no note, an alert kind that does not exist. Each is a warning at its
//! `path:line:col` with a suggestion; the build still succeeds (exit 0), and
//! nothing of the Markdown source reaches the page's description.

use crate::common::{Outcome, Site};

/// A brief the tests add, dated after every fixture brief.
const NEW_BRIEF: &str = "content/briefs/2021-01-01-new.md";

/// The fixture site with `body` as the body of a new brief without a
/// `summary:`, whose body starts on line 5.
fn site_with_body(body: &str) -> Site {
    let site = Site::fixture("site");
    site.write(
        NEW_BRIEF,
        &format!("---\ntitle: A New Brief\ndate: 2021-01-01\n---\n{body}"),
    );
    site
}

/// The first line of every warning printed.
fn warnings(out: &Outcome) -> Vec<&str> {
    out.stderr.lines().filter(|l| l.starts_with("warning: ")).collect()
}

/// The warning printed for `location` (`path:line:col`): its header line,
/// quoted source and help. It must quote the line it names.
#[track_caller]
fn warning<'a>(out: &'a Outcome, location: &str) -> &'a str {
    let header = format!("warning: {location}: ");
    let Some(block) = out.stderr.split("\n\n").find(|b| b.starts_with(&header)) else {
        panic!("no warning at {location}; stderr:\n{}", out.stderr)
    };
    let line = location.rsplit(':').nth(1).expect("a path:line:col location");
    assert!(
        block.contains(&format!("\n{line} | ")),
        "the warning should quote line {line}:\n{block}"
    );
    block
}

#[test]
fn an_undefined_footnote_is_a_warning_at_its_reference() {
    let site = site_with_body("The agency signed a claim[^9] on Friday.\n\nMore text.\n");
    let out = site.build(&[]);
    out.assert_success();
    assert_eq!(warnings(&out).len(), 1, "{}", out.stderr);
    let w = warning(&out, &format!("{NEW_BRIEF}:5:26"));
    assert!(w.contains(": footnote [^9] has no definition\n"), "{w}");
    assert!(w.contains("^^^^"), "underlines the reference: {w}");
    assert!(
        w.contains("= help: add the note on a line of its own, `[^9]: …`, or remove the reference"),
        "{w}"
    );
    // `check` reports it the same way, and does not fail either.
    let checked = site.check();
    checked.assert_success();
    warning(&checked, &format!("{NEW_BRIEF}:5:26"));
}

#[test]
fn an_undefined_footnote_stays_out_of_the_description() {
    let site = site_with_body("The agency signed a **claim**[^9] on Friday.\n\nMore text.\n");
    let out = site.build(&[]);
    out.assert_success();
    let page = out.page("briefs/new/");
    for meta in ["meta[name=description]", "meta[property='og:description']"] {
        assert_eq!(
            page.attrs(meta, "content"),
            ["The agency signed a claim on Friday."],
            "{meta}"
        );
    }
    // The body still shows the reference, marked like an unresolved wikilink.
    assert_eq!(page.texts("main span.unresolved"), ["[^9]"]);
    // The home page's card shows the same summary.
    let home = out.text("index.html");
    assert!(home.contains("The agency signed a claim on Friday."), "{home}");
    assert!(!home.contains("[^9]"), "{home}");
}

#[test]
fn a_misspelled_alert_kind_is_a_warning_with_a_suggestion() {
    let out = site_with_body("Intro.\n\n> [!NOTES]\n> Check the filing.\n").build(&[]);
    out.assert_success();
    assert_eq!(warnings(&out).len(), 1, "{}", out.stderr);
    let w = warning(&out, &format!("{NEW_BRIEF}:7:3"));
    assert!(
        w.contains(
            ": unknown alert kind [!NOTES], shown as a plain quote: expected [!NOTE], [!TIP], [!IMPORTANT], [!WARNING] or [!CAUTION]\n"
        ),
        "{w}"
    );
    assert!(w.contains("^^^^^^^^"), "underlines the marker: {w}");
    assert!(w.contains("= help: did you mean [!NOTE]?"), "{w}");
}

#[test]
fn alert_kinds_in_lower_case_are_alerts_without_a_warning() {
    let site = site_with_body("Intro.\n\n> [!note]\n> Check the filing.\n");
    let out = site.build(&[]);
    out.assert_success();
    assert_eq!(warnings(&out), Vec::<&str>::new(), "{}", out.stderr);
    let page = out.page("briefs/new/");
    assert_eq!(page.texts("aside.callout-note .callout-title"), ["Note"]);
}

#[test]
fn every_slip_in_a_body_is_reported_in_one_run_in_line_order() {
    let out = site_with_body(
        "A claim[^9].\n\n> [!WARN]\n> Careful.\n\n> [!TIP] Text on the marker's line.\n\nAnother[^x].\n",
    )
    .build(&[]);
    out.assert_success();
    let at: Vec<&str> = warnings(&out)
        .iter()
        .map(|l| l.split(": ").nth(1).unwrap_or(l))
        .collect();
    let expected = ["5:8", "7:3", "10:3", "12:8"].map(|p| format!("{NEW_BRIEF}:{p}"));
    assert_eq!(at, expected, "{}", out.stderr);
    assert!(
        warning(&out, &format!("{NEW_BRIEF}:7:3")).contains("= help: did you mean [!WARNING]?"),
        "{}",
        out.stderr
    );
    assert!(
        warning(&out, &format!("{NEW_BRIEF}:10:3")).contains("must be alone on its line"),
        "{}",
        out.stderr
    );
}
