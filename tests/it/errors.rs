//! Invalid input: every mistake a writer can make in content or dossier.yaml
//! fails the build with exit status 1, an `error: path:line:col: message`
//! that quotes the line, and the previous output left byte for byte as it was.

use crate::common::{self, Outcome, Site, Snapshot};

/// A brief the tests add, dated after every fixture brief.
const NEW_BRIEF: &str = "content/briefs/2021-01-01-new.md";

/// Builds the fixture, lets `break_it` damage it and builds again. The second
/// build must exit 1 and leave the first build's output untouched.
fn build_broken(break_it: impl FnOnce(&Site)) -> (Site, Outcome) {
    let site = Site::fixture("site");
    site.build(&[]).assert_success();
    let before = Snapshot::of(&site.public());
    break_it(&site);
    let out = site.build(&[]);
    out.assert_status(1);
    before.assert_unchanged(&site.public());
    (site, out)
}

/// Adds `text` as a new brief and builds; see [`build_broken`].
fn build_with_new_brief(text: &str) -> Outcome {
    build_broken(|site| {
        site.write(NEW_BRIEF, text);
    })
    .1
}

/// The one error of a run, which must sit at `location` (`path:line:col`)
/// and quote that line of the file; returns the whole diagnostic.
#[track_caller]
fn only_error<'a>(out: &'a Outcome, location: &str) -> &'a str {
    assert_eq!(out.errors().len(), 1, "expected exactly one error:\n{}", out.stderr);
    let diagnostic = out.diagnostic(location);
    let line = location.rsplit(':').nth(1).expect("a path:line:col location");
    assert!(
        diagnostic.contains(&format!("\n{line} | ")),
        "the diagnostic should quote line {line}:\n{diagnostic}"
    );
    diagnostic
}

#[test]
fn malformed_yaml_points_at_the_offending_colon() {
    let out = build_with_new_brief("---\ntitle: JEDI: what happened\ndate: 2021-01-01\n---\nBody.\n");
    let d = only_error(&out, "content/briefs/2021-01-01-new.md:2:12");
    assert!(d.contains("mapping values are not allowed"), "{d}");
    assert!(d.contains("= help: a value containing ': ' must be quoted"), "{d}");
}

#[test]
fn an_unknown_front_matter_field_is_named() {
    let out = build_with_new_brief("---\ntitle: Typo\ndate: 2021-01-01\ntagz: [cloud]\n---\nBody.\n");
    let d = only_error(&out, "content/briefs/2021-01-01-new.md:4:1");
    assert!(d.contains("unknown field 'tagz'"), "{d}");
    assert!(d.contains("'tags'"), "the expected fields are listed:\n{d}");
}

#[test]
fn a_missing_title_is_an_error() {
    let out = build_with_new_brief("---\ndate: 2021-01-01\ntags: [cloud]\n---\nBody.\n");
    let d = only_error(&out, "content/briefs/2021-01-01-new.md:2:1");
    assert!(d.contains("missing field 'title'"), "{d}");
}

#[test]
fn a_missing_date_is_an_error() {
    let out = build_with_new_brief("---\ntitle: A Quiet Week\ntags: [cloud]\n---\nBody.\n");
    let d = only_error(&out, "content/briefs/2021-01-01-new.md:2:1");
    assert!(d.contains("missing field 'date'"), "{d}");
}

#[test]
fn a_missing_date_is_not_placed_inside_a_title_that_says_date() {
    let out = build_with_new_brief("---\ntitle: Pentagon sets a new date for JEDI\n---\nBody.\n");
    let d = only_error(&out, "content/briefs/2021-01-01-new.md:2:1");
    assert!(d.contains("missing field 'date'"), "{d}");
}

#[test]
fn a_bad_date_points_at_the_value() {
    let out = build_with_new_brief("---\ntitle: Bad date\ndate: 2021-13-45\n---\nBody.\n");
    let d = only_error(&out, "content/briefs/2021-01-01-new.md:3:7");
    assert!(d.contains("invalid date '2021-13-45'"), "{d}");
}

#[test]
fn an_unknown_company_suggests_the_closest_name() {
    let out = build_with_new_brief("---\ntitle: Typo\ndate: 2021-01-01\ncompanies: [Microsoft, AWSS]\n---\nBody.\n");
    let d = only_error(&out, "content/briefs/2021-01-01-new.md:4:24");
    assert!(d.contains("unknown company 'AWSS'"), "{d}");
    assert!(d.contains("= help: did you mean 'aws'?"), "{d}");
}

#[test]
fn an_unknown_wikilink_points_at_its_line_in_the_file() {
    let out = build_with_new_brief(
        "---\ntitle: Wikilink\ndate: 2021-01-01\n---\nFirst paragraph.\n\nSee [[Nowhere Inc]] for more.\n",
    );
    let d = only_error(&out, "content/briefs/2021-01-01-new.md:7:5");
    assert!(d.contains("unknown wikilink target 'Nowhere Inc'"), "{d}");
}

#[test]
fn an_unknown_related_slug_is_an_error() {
    let out =
        build_with_new_brief("---\ntitle: Related\ndate: 2021-01-01\nrelated: [jedi-awarded, no-such-brief]\n---\n");
    let d = only_error(&out, "content/briefs/2021-01-01-new.md:4:25");
    assert!(d.contains("unknown brief 'no-such-brief'"), "{d}");
}

#[test]
fn a_duplicate_slug_names_both_files() {
    let out = build_with_new_brief("---\ntitle: Copy\ndate: 2021-01-01\nslug: jedi-awarded\n---\n");
    let errors = out.errors();
    assert_eq!(errors.len(), 1, "{}", out.stderr);
    assert!(
        errors[0].contains("content/briefs/2021-01-01-new.md")
            && errors[0].contains("content/briefs/2019-10-28-jedi-awarded.md"),
        "{}",
        errors[0]
    );
}

#[test]
fn a_duplicate_slug_points_at_the_slug_line_that_causes_it() {
    let out = build_with_new_brief("---\ntitle: Copy\ndate: 2021-01-01\nslug: jedi-awarded\n---\n");
    let d = only_error(&out, "content/briefs/2021-01-01-new.md:4:1");
    assert!(d.contains("content/briefs/2019-10-28-jedi-awarded.md"), "{d}");
}

#[test]
fn briefs_in_different_folders_cannot_share_a_file_name() {
    let (_site, out) = build_broken(|site| {
        site.write(
            "content/briefs/2021/2019-10-28-jedi-awarded.md",
            "---\ntitle: Same stem\ndate: 2021-01-01\n---\n",
        );
    });
    let errors = out.errors();
    assert_eq!(errors.len(), 1, "{}", out.stderr);
    assert!(
        errors[0].contains("content/briefs/2021/2019-10-28-jedi-awarded.md")
            && errors[0].contains("content/briefs/2019-10-28-jedi-awarded.md"),
        "{}",
        errors[0]
    );
}

#[test]
fn a_slug_that_climbs_out_of_the_output_is_refused() {
    let (site, out) = build_broken(|site| {
        site.write(
            NEW_BRIEF,
            "---\ntitle: Traversal\ndate: 2021-01-01\nslug: ../evil\n---\n",
        );
    });
    let d = only_error(&out, "content/briefs/2021-01-01-new.md:4:1");
    assert!(d.contains("invalid slug '../evil'"), "{d}");
    assert!(!site.path("evil").exists() && !site.path("briefs/evil").exists());
}

#[test]
fn a_bad_contract_status_lists_the_valid_ones() {
    let (_site, out) = build_broken(|site| {
        site.edit("content/contracts/jedi.md", "status: protested", "status: pending");
    });
    let d = only_error(&out, "content/contracts/jedi.md:7:9");
    assert!(d.contains("unknown variant 'pending'"), "{d}");
    assert!(d.contains("'protested'"), "{d}");
}

#[test]
fn unclosed_front_matter_is_an_error() {
    let out = build_with_new_brief("---\ntitle: Unclosed\ndate: 2021-01-01\n\nBody.\n");
    let d = only_error(&out, "content/briefs/2021-01-01-new.md:1:1");
    assert!(d.contains("front matter is never closed"), "{d}");
}

#[test]
fn an_unknown_dossier_yaml_key_is_named() {
    let (_site, out) = build_broken(|site| {
        // `theme:` is line 7 of the fixture's dossier.yaml.
        site.edit("dossier.yaml", "theme: default\n", "theme: default\nfeed_limt: 10\n");
    });
    let d = only_error(&out, "dossier.yaml:8:1");
    assert!(d.contains("unknown field 'feed_limt'"), "{d}");
}

#[test]
fn a_javascript_link_in_a_body_is_refused() {
    let out = build_with_new_brief(
        "---\ntitle: Scripted\ndate: 2021-01-01\n---\nFirst paragraph.\n\nA [harmless link](javascript:alert(1)) here.\n",
    );
    let d = only_error(&out, "content/briefs/2021-01-01-new.md:7:3");
    assert!(d.contains("refused 'javascript:' scheme"), "{d}");
}

#[test]
fn disguised_script_links_in_a_body_are_refused_too() {
    let out = build_with_new_brief(
        "---\ntitle: Disguised\ndate: 2021-01-01\n---\nA [a](&#106;avascript:alert(1)) b <JAVASCRIPT:alert(2)> c [d][ref]\n\n[ref]: vbscript:x\n",
    );
    assert_eq!(out.errors().len(), 3, "{}", out.stderr);
    let file = "content/briefs/2021-01-01-new.md";
    assert!(out.diagnostic(&format!("{file}:5:3")).contains("'javascript:'"));
    assert!(out.diagnostic(&format!("{file}:5:35")).contains("'javascript:'"));
    assert!(out.diagnostic(&format!("{file}:5:59")).contains("'vbscript:'"));
}

#[test]
fn a_javascript_source_url_is_refused() {
    let out = build_with_new_brief(
        "---\ntitle: Scripted\ndate: 2021-01-01\nsources:\n  - name: Trap\n    url: javascript:alert(1)\n---\n",
    );
    let d = only_error(&out, "content/briefs/2021-01-01-new.md:6:10");
    assert!(d.contains("invalid URL 'javascript:alert(1)'"), "{d}");
}

#[test]
fn errors_in_three_files_are_all_reported_in_one_run() {
    let (_site, out) = build_broken(|site| {
        site.write(NEW_BRIEF, "---\ntitle: Bad date\ndate: 2021-13-45\n---\n");
        site.edit("content/companies/microsoft.md", "ticker: MSFT", "tickr: MSFT");
        site.edit("content/contracts/jedi.md", "status: protested", "status: pending");
    });
    assert_eq!(out.errors().len(), 3, "{}", out.stderr);
    assert!(
        out.diagnostic("content/briefs/2021-01-01-new.md:3:7")
            .contains("invalid date")
    );
    assert!(
        out.diagnostic("content/companies/microsoft.md:4:1")
            .contains("unknown field 'tickr'")
    );
    assert!(
        out.diagnostic("content/contracts/jedi.md:7:9")
            .contains("unknown variant 'pending'")
    );
    assert!(out.stderr.contains("build failed: 3 errors"), "{}", out.stderr);
}

#[test]
fn positions_hold_in_crlf_files_with_a_byte_order_mark() {
    let out =
        build_with_new_brief("\u{feff}---\r\ntitle: CRLF\r\ndate: 2021-01-01\r\ncompanies: [AWSS]\r\n---\r\nBody.\r\n");
    let d = only_error(&out, "content/briefs/2021-01-01-new.md:4:13");
    assert!(d.contains("unknown company 'AWSS'"), "{d}");
}

#[test]
fn check_reports_the_errors_build_would_and_writes_nothing() {
    let site = Site::fixture("site");
    site.write(
        NEW_BRIEF,
        "---\ntitle: Typo\ndate: 2021-01-01\ncompanies: [AWSS]\n---\n",
    );
    let before = Snapshot::of(site.root());
    let out = site.check();
    out.assert_status(1);
    only_error(&out, "content/briefs/2021-01-01-new.md:4:13");
    before.assert_unchanged(site.root());
}

#[test]
fn a_folder_without_content_is_not_a_site() {
    let dir = tempfile::tempdir().unwrap();
    let out = common::run(dir.path(), "build", &[], dir.path().join("public"));
    out.assert_status(2);
    assert!(out.stderr.contains("no content/ folder"), "{}", out.stderr);
    assert!(!out.output.exists());
}

#[test]
fn an_invalid_base_url_flag_is_a_usage_error() {
    let site = Site::fixture("site");
    let out = site.build(&["--base-url", "ftp://example.com/"]);
    out.assert_status(2);
    assert!(out.stderr.contains("--base-url"), "{}", out.stderr);
    assert!(!site.public().exists());
}

#[test]
fn environment_errors_print_their_cause_once() {
    let site = Site::fixture("site");
    let out = site.build(&["--base-url", "ftp://example.com/"]);
    out.assert_status(2);
    assert_eq!(
        out.stderr.matches("is neither an http(s) URL").count(),
        1,
        "{}",
        out.stderr
    );
}

#[test]
fn an_unknown_highlight_theme_names_the_known_ones_and_keeps_the_output() {
    let (_, out) = build_broken(|site| {
        site.edit(
            "dossier.yaml",
            "theme: default\n",
            "theme: default\nhighlight_theme: nope\n",
        );
    });
    assert!(
        out.stderr
            .contains("error: dossier.yaml: unknown highlight_theme 'nope'"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("help: use one of: InspiredGitHub,"),
        "{}",
        out.stderr
    );
}
