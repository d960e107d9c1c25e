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
    assert!(d.contains("= help: did you mean 'AWS'?"), "{d}");
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
    assert!(
        d.contains(
            "status: expected one of open, awarded, protested, cancelled, completed, found the text \"pending\""
        ),
        "{d}"
    );
    assert!(d.contains("= help: e.g. status: awarded"), "{d}");
}

#[test]
fn a_bad_timeline_status_lists_the_five_in_plain_words() {
    let (_site, out) = build_broken(|site| {
        site.edit(
            "content/contracts/jedi.md",
            "event: Awarded to Microsoft }",
            "event: Awarded to Microsoft, status: won }",
        );
    });
    let d = only_error(&out, "content/contracts/jedi.md:10:62");
    assert!(
        d.contains(
            "timeline (entry 2), status: expected one of open, awarded, protested, cancelled, completed, \
             found the text \"won\""
        ),
        "{d}"
    );
    assert!(
        d.contains("= help: e.g. - { date: 2019-11-22, event: AWS files a protest, status: protested }"),
        "{d}"
    );
    assert!(!d.contains("variant"), "serde's word: {d}");
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
            .contains("found the text \"pending\"")
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

// Issue 20: nothing empty reaches a page, and every message is in the
// writer's words.

/// The one warning of a successful build of the fixture with `file` written
/// as `text`, which must sit at `location` and quote that line.
#[track_caller]
fn only_warning(file: &str, text: &str, location: &str) -> String {
    let site = Site::fixture("site");
    site.write(file, text);
    let out = site.build(&[]);
    out.assert_success();
    assert_eq!(out.errors().len(), 0, "{}", out.stderr);
    assert_eq!(
        out.stderr.matches("warning: ").count(),
        1,
        "expected exactly one warning:\n{}",
        out.stderr
    );
    let warning = out.warning(location);
    let line = location.rsplit(':').nth(1).expect("a path:line:col location");
    assert!(warning.contains(&format!("\n{line} | ")), "{warning}");
    warning.to_owned()
}

#[test]
fn an_empty_title_is_an_error_at_its_key() {
    let out = build_with_new_brief("---\ntitle:\ndate: 2021-01-01\n---\nBody.\n");
    let d = only_error(&out, "content/briefs/2021-01-01-new.md:2:1");
    assert!(d.contains(": the title is empty"), "{d}");
    assert!(d.contains("= help: give the brief a title"), "{d}");
}

#[test]
fn a_title_of_empty_quotes_or_blanks_is_an_error_at_its_value() {
    for title in ["\"\"", "\"   \"", "''"] {
        let out = build_with_new_brief(&format!("---\ntitle: {title}\ndate: 2021-01-01\n---\nBody.\n"));
        let d = only_error(&out, "content/briefs/2021-01-01-new.md:2:8");
        assert!(d.contains(": the title is empty"), "{d}");
    }
}

#[test]
fn empty_company_and_contract_names_are_errors() {
    let (_site, out) = build_broken(|site| {
        site.write("content/companies/acme.md", "---\nname: \"\"\nticker: ACME\n---\n");
        site.write(
            "content/contracts/jwcc.md",
            "---\nname:\naliases: [JWCC]\nstatus: open\n---\n",
        );
    });
    assert_eq!(out.errors().len(), 2, "{}", out.stderr);
    let company = out.diagnostic("content/companies/acme.md:2:7");
    assert!(company.contains(": the name is empty"), "{company}");
    assert!(company.contains("= help: give the company a name"), "{company}");
    let contract = out.diagnostic("content/contracts/jwcc.md:2:1");
    assert!(contract.contains(": the name is empty"), "{contract}");
    assert!(contract.contains("= help: give the contract a name"), "{contract}");
}

#[test]
fn an_empty_slug_is_an_error_at_its_value() {
    let out = build_with_new_brief("---\ntitle: No slug\ndate: 2021-01-01\nslug: \"\"\n---\nBody.\n");
    let d = only_error(&out, "content/briefs/2021-01-01-new.md:4:7");
    assert!(d.contains(": the slug is empty"), "{d}");
    assert!(d.contains("remove `slug:` to use the file name"), "{d}");
}

#[test]
fn empty_source_names_are_errors_at_their_entry() {
    let out = build_with_new_brief(
        "---\ntitle: Sources\ndate: 2021-01-01\nsources:\n  - { name: CNBC, url: \"https://www.cnbc.com/\" }\n  - { name: \" \", url: \"https://x.example/\" }\n  - name:\n    url: https://y.example/\n---\nBody.\n",
    );
    assert_eq!(out.errors().len(), 2, "{}", out.stderr);
    let file = "content/briefs/2021-01-01-new.md";
    for location in [format!("{file}:6:13"), format!("{file}:7:5")] {
        let d = out.diagnostic(&location);
        assert!(d.contains(": the source's name is empty"), "{d}");
        assert!(d.contains("- { name: CNBC, url: \"https://…\" }"), "{d}");
    }
}

#[test]
fn a_title_in_typographic_quotes_is_a_warning() {
    for (title, inner) in [
        ("“Acme Joins the Fray”", "Acme Joins the Fray"),
        ("‘Acme Joins the Fray’", "Acme Joins the Fray"),
        ("«Acme Joins the Fray»", "Acme Joins the Fray"),
    ] {
        let w = only_warning(
            NEW_BRIEF,
            &format!("---\ntitle: {title}\ndate: 2021-01-01\n---\nBody.\n"),
            "content/briefs/2021-01-01-new.md:2:8",
        );
        assert!(
            w.contains(&format!(
                ": the title {title} is wrapped in typographic quotes, which become part of the headline"
            )),
            "{w}"
        );
        assert!(
            w.contains(&format!(
                "= help: remove the quotes, or use straight quotes if you meant YAML quoting: title: \"{inner}\""
            )),
            "{w}"
        );
    }
}

#[test]
fn a_company_name_in_typographic_quotes_is_a_warning() {
    let w = only_warning(
        "content/companies/acme.md",
        "---\nname: “Acme”\n---\n",
        "content/companies/acme.md:2:7",
    );
    assert!(w.contains(": the name “Acme” is wrapped in typographic quotes"), "{w}");
}

#[test]
fn a_plain_url_source_asks_for_a_name_and_a_url() {
    let out = build_with_new_brief(
        "---\ntitle: Sources\ndate: 2021-01-01\nsources:\n  - https://www.cnbc.com/\n---\nBody.\n",
    );
    let d = only_error(&out, "content/briefs/2021-01-01-new.md:5:5");
    assert!(
        d.contains(
            ": invalid front matter: sources (entry 1): expected a source with a name and a url, found the text \"https://www.cnbc.com/\""
        ),
        "{d}"
    );
    assert!(
        d.contains("= help: write each source as - { name: CNBC, url: \"https://…\" }"),
        "{d}"
    );
}

#[test]
fn tags_written_without_brackets_ask_for_a_list() {
    let out = build_with_new_brief("---\ntitle: Tags\ndate: 2021-01-01\ntags: cloud, defense\n---\nBody.\n");
    let d = only_error(&out, "content/briefs/2021-01-01-new.md:4:7");
    assert!(
        d.contains(": invalid front matter: tags: expected a list of tags, found the text \"cloud, defense\""),
        "{d}"
    );
    assert!(d.contains("= help: write a list, e.g. tags: [cloud, defense]"), "{d}");
}

#[test]
fn shape_errors_in_entities_and_lists_show_an_example() {
    let (_site, out) = build_broken(|site| {
        site.edit(
            "content/contracts/jedi.md",
            "value: { amount: 10000000000, currency: USD }",
            "value: 10 billion dollars",
        );
        site.edit("content/companies/microsoft.md", "aliases: [MSFT]", "aliases: MSFT");
        site.write(
            NEW_BRIEF,
            "---\ntitle: Lists\ndate: 2021-01-01\ncorrections: An earlier version was wrong.\n---\n",
        );
    });
    assert_eq!(out.errors().len(), 3, "{}", out.stderr);
    let value = out.diagnostic("content/contracts/jedi.md:5:8");
    assert!(
        value.contains(": value: expected an amount and a currency, found the text \"10 billion dollars\""),
        "{value}"
    );
    assert!(
        value.contains("= help: e.g. value: { amount: 10000000000, currency: USD }"),
        "{value}"
    );
    let aliases = out.diagnostic("content/companies/microsoft.md:3:10");
    assert!(
        aliases.contains(": aliases: expected a list of other names"),
        "{aliases}"
    );
    assert!(
        aliases.contains("e.g. aliases: [MSFT, Microsoft Corporation]"),
        "{aliases}"
    );
    let corrections = out.diagnostic("content/briefs/2021-01-01-new.md:4:14");
    assert!(
        corrections.contains(": corrections: expected a list of corrections, each with a date and a note"),
        "{corrections}"
    );
}

#[test]
fn a_dossier_yaml_shape_error_is_in_the_writers_words() {
    let (_site, out) = build_broken(|site| {
        site.edit(
            "dossier.yaml",
            "theme: default\n",
            "theme: default\nbriefs_per_page: 0\n",
        );
    });
    let d = only_error(&out, "dossier.yaml:8:18");
    assert!(
        d.contains(": briefs_per_page: expected a whole number of 1 or more, found the number 0"),
        "{d}"
    );
    assert!(d.contains("= help: e.g. briefs_per_page: 20"), "{d}");
}

#[test]
fn a_negative_or_non_number_related_limit_is_an_error_at_its_value() {
    for (value, found) in [("-1", "the number -1"), ("four", "the text \"four\"")] {
        let (_site, out) = build_broken(|site| {
            site.edit(
                "dossier.yaml",
                "theme: default\n",
                &format!("theme: default\nrelated_limit: {value}\n"),
            );
        });
        let d = only_error(&out, "dossier.yaml:8:16");
        assert!(
            d.contains(&format!(
                ": related_limit: expected a whole number of 0 or more, found {found}"
            )),
            "{d}"
        );
        assert!(
            d.contains("= help: e.g. related_limit: 4 (0 shows declared related stories only)"),
            "{d}"
        );
    }
}

#[test]
fn bad_dates_name_the_part_that_is_wrong() {
    for (date, why) in [
        ("2024-13-01", "month 13 is out of range (01–12)"),
        ("2024-01-32", "day 32 is out of range (01–31)"),
        ("2023-02-30", "day 30 is out of range: February 2023 has 28 days"),
        ("2024-01-01T25:00:00Z", "hour 25 is out of range (00–23)"),
    ] {
        let out = build_with_new_brief(&format!("---\ntitle: Dates\ndate: {date}\n---\nBody.\n"));
        let d = only_error(&out, "content/briefs/2021-01-01-new.md:3:7");
        assert!(d.contains(&format!("invalid date '{date}': {why}")), "{d}");
    }
}

#[test]
fn an_empty_date_is_reported_at_its_own_line() {
    let out = build_with_new_brief("---\ntitle: Pentagon sets a date\ndate:\ntags: [cloud]\n---\nBody.\n");
    let d = only_error(&out, "content/briefs/2021-01-01-new.md:3:6");
    assert!(d.contains("\n3 | date:"), "{d}");
    assert!(
        d.contains(": date: the date is empty: expected a date such as 2020-08-18"),
        "{d}"
    );
}

#[test]
fn a_bad_correction_date_names_its_entry() {
    let out = build_with_new_brief(
        "---\ntitle: Corrected\ndate: 2021-01-01\ncorrections:\n  - { date: 2021-02-30, note: Fixed. }\n---\nBody.\n",
    );
    let d = only_error(&out, "content/briefs/2021-01-01-new.md:5:13");
    assert!(
        d.contains(": corrections (entry 1), date: invalid date '2021-02-30': day 30 is out of range: February 2021 has 28 days"),
        "{d}"
    );
}

#[test]
fn a_colon_inside_typographic_quotes_asks_for_straight_quotes() {
    let out = build_with_new_brief("---\ntitle: “Acme: the Fray”\ndate: 2021-01-01\n---\nBody.\n");
    let d = only_error(&out, "content/briefs/2021-01-01-new.md:2:13");
    assert!(!d.contains("must be quoted"), "{d}");
    assert!(
        d.contains(
            "= help: typographic quotes (“…”) do not quote a YAML value; use straight quotes \"…\", e.g. title: \"Acme: the Fray\""
        ),
        "{d}"
    );
}

#[test]
fn a_wikilink_to_a_draft_says_it_is_a_draft() {
    let out = build_with_new_brief(
        "---\ntitle: Links\ndate: 2021-01-01\n---\nFirst paragraph.\n\nSee [[unfinished]] and [[brief:Unfinished]].\n",
    );
    assert_eq!(out.errors().len(), 2, "{}", out.stderr);
    for location in [
        "content/briefs/2021-01-01-new.md:7:5",
        "content/briefs/2021-01-01-new.md:7:24",
    ] {
        let d = out.diagnostic(location);
        assert!(
            d.contains("is a draft (content/briefs/2020-05-01-unfinished.md), left out of this build"),
            "{d}"
        );
        assert!(
            d.contains("= help: publish it by removing `draft: true` from its front matter, or build with --drafts"),
            "{d}"
        );
        assert!(!d.contains("unknown wikilink target"), "{d}");
    }
}

#[test]
fn a_wikilink_to_a_draft_resolves_with_drafts() {
    let site = Site::fixture("site");
    site.write(
        NEW_BRIEF,
        "---\ntitle: Links\ndate: 2021-01-01\n---\nSee [[unfinished]].\n",
    );
    site.build(&["--drafts"]).assert_success();
}

#[test]
#[should_panic(expected = "a message uses Rust's or serde's words")]
fn the_scan_for_internal_words_catches_a_type_name() {
    common::assert_in_writers_words(
        "error: a.md:5:5: invalid front matter: sources[0]: expected struct RawSource\n  |\n5 |   - x\n",
    );
}

#[test]
fn the_scan_for_internal_words_skips_quoted_lines() {
    common::assert_in_writers_words(
        "error: a.md:12:1: unknown field 'x'\n   |\n12 | title: enum struct RawSource\n   | ^\n  = help: check the spelling\n",
    );
}

/// Issue "A writer's mistakes…", item 3: the content and model stages hand
/// on what was good, so one run reports every mistake of a brief (front
/// matter references, a source, a tag and a body wikilink) together with a
/// broken file elsewhere, and a file that fails on its own causes no
/// "unknown" errors in the files that name it (here by its alias).
#[test]
fn mistakes_across_stages_and_files_are_reported_in_one_run_without_cascades() {
    let (_site, out) = build_broken(|site| {
        site.edit("content/companies/microsoft.md", "ticker:", "tickr:");
        site.write(
            NEW_BRIEF,
            "---\ntitle: Five Mistakes\ndate: 2021-01-01\ncompanies: [Amazn Web Services]\nrelated: [no-such-brief]\ntags: [\"---\"]\nsources:\n  - { name: Wire, url: \"javascript:alert(1)\" }\n---\nA body naming [[Nobody At All]] and [[MSFT]].\n",
        );
    });
    let errors = out.errors();
    for (at, what) in [
        (
            "content/briefs/2021-01-01-new.md:4:",
            "unknown company 'Amazn Web Services'",
        ),
        ("content/briefs/2021-01-01-new.md:5:", "unknown brief 'no-such-brief'"),
        ("content/briefs/2021-01-01-new.md:6:", "the tag '---' cannot be a URL"),
        (
            "content/briefs/2021-01-01-new.md:8:",
            "invalid URL 'javascript:alert(1)'",
        ),
        (
            "content/briefs/2021-01-01-new.md:10:",
            "unknown wikilink target 'Nobody At All'",
        ),
        ("content/companies/microsoft.md:", "unknown field 'tickr'"),
    ] {
        assert!(
            errors.iter().any(|e| e.contains(at) && e.contains(what)),
            "no error at {at} saying {what}:\n{}",
            out.stderr
        );
    }
    // Microsoft's own error explains the rest: no "unknown company 'MSFT'"
    // in the briefs that name it, no unknown [[MSFT]] wikilink.
    assert_eq!(errors.len(), 6, "{}", out.stderr);
    // By file, then line.
    let mut sorted = errors.clone();
    sorted.sort_by_key(|e| {
        let location = e.trim_start_matches("error: ").split(": ").next().unwrap_or("");
        let mut parts = location.split(':');
        let file = parts.next().unwrap_or("").to_owned();
        let line: usize = parts.next().and_then(|l| l.parse().ok()).unwrap_or(0);
        (file, line)
    });
    assert_eq!(errors, sorted, "{}", out.stderr);
}

/// Issue "A writer's mistakes…", done when: a brief with five independent
/// mistakes — one of them a date serde refuses, which used to drop the whole
/// file — reports all five in one run, by line.
#[test]
fn a_brief_with_five_independent_mistakes_reports_all_five_in_one_run() {
    let out = build_with_new_brief(
        "---\ntitle: Five Mistakes\ndate: 2024-13-01\ncompanies: [Amazn Web Services]\nrelated: [no-such-brief]\nsources:\n  - { name: Wire, url: \"javascript:alert(1)\" }\n---\nA body naming [[Nobody At All]].\n",
    );
    let expected = [
        ("content/briefs/2021-01-01-new.md:3:7:", "month 13 is out of range"),
        (
            "content/briefs/2021-01-01-new.md:4:",
            "unknown company 'Amazn Web Services'",
        ),
        ("content/briefs/2021-01-01-new.md:5:", "unknown brief 'no-such-brief'"),
        (
            "content/briefs/2021-01-01-new.md:7:",
            "invalid URL 'javascript:alert(1)'",
        ),
        (
            "content/briefs/2021-01-01-new.md:9:",
            "unknown wikilink target 'Nobody At All'",
        ),
    ];
    let errors = out.errors();
    assert_eq!(errors.len(), expected.len(), "{}", out.stderr);
    for ((at, what), error) in expected.iter().zip(&errors) {
        assert!(
            error.contains(at) && error.contains(what),
            "expected {at} {what}, got {error}\n{}",
            out.stderr
        );
    }
}

/// Two fields serde refuses in one file are both reported, each at its own
/// line, with the rest of the file checked in the same run.
#[test]
fn two_refused_fields_of_one_file_are_both_reported_at_their_lines() {
    let out = build_with_new_brief(
        "---\ntitle: Two Shapes\ndate: 2024-13-01\ntags: cloud, defense\ncompanies: [Oracel]\n---\nBody.\n",
    );
    let errors = out.errors();
    assert_eq!(errors.len(), 3, "{}", out.stderr);
    assert!(
        errors[0].contains("2021-01-01-new.md:3:7:") && errors[0].contains("month 13 is out of range"),
        "{}",
        out.stderr
    );
    assert!(
        errors[1].contains("2021-01-01-new.md:4:7:") && errors[1].contains("tags: expected a list of tags"),
        "{}",
        out.stderr
    );
    assert!(
        errors[2].contains("2021-01-01-new.md:5:") && errors[2].contains("unknown company 'Oracel'"),
        "{}",
        out.stderr
    );
}

#[test]
fn an_unknown_byline_is_an_error_with_the_closest_author() {
    let site = crate::authors::desk();
    site.edit(
        "content/briefs/2020-03-01-explainer.md",
        "author: jane doe\n",
        "author: Jane Dough\n",
    );
    site.edit(
        "content/briefs/2019-10-28-jedi-awarded.md",
        "author: J. Doe\n",
        "author: J. Doe\nauthors: [John Roe]\n",
    );
    let before = site.build(&[]);
    let out = site.build(&[]);
    out.assert_status(1);
    let d = out.diagnostic("content/briefs/2020-03-01-explainer.md:4:9");
    assert!(d.contains("unknown author 'Jane Dough'"), "{d}");
    assert!(d.contains("did you mean 'Jane Doe'?"), "{d}");
    let d = out.diagnostic("content/briefs/2019-10-28-jedi-awarded.md:5:1");
    assert!(d.contains("both `author:` and `authors:` are given"), "{d}");
    assert_eq!(before.status, 1, "nothing was built before either");
}

/// A brief with `aliases: [<aliases>]` on line 4, from column 11.
fn brief_with_aliases(aliases: &str) -> String {
    format!("---\ntitle: Moved\ndate: 2021-01-01\naliases: [{aliases}]\n---\nBody.\n")
}

#[test]
fn an_alias_that_climbs_with_dots_is_refused_and_nothing_leaves_the_output() {
    let (site, out) = build_broken(|site| {
        site.write(NEW_BRIEF, &brief_with_aliases("/../../escape/, '/a/%2e%2e/%2E%2E/b/'"));
    });
    let d = out.diagnostic("content/briefs/2021-01-01-new.md:4:11");
    assert!(
        d.contains("invalid alias '/../../escape/': '..' would climb out of the site"),
        "{d}"
    );
    assert!(
        d.contains("= help: write the old address from the site's base URL, without '..'"),
        "{d}"
    );
    let d = out.diagnostic("content/briefs/2021-01-01-new.md:4:28");
    assert!(d.contains("'..' would climb out of the site"), "{d}");
    assert_eq!(out.errors().len(), 2, "{}", out.stderr);
    assert!(!site.path("escape").exists() && !site.root().parent().unwrap().join("escape").exists());
}

#[test]
fn an_alias_that_is_a_full_address_says_which_path_was_meant() {
    let out = build_with_new_brief(&brief_with_aliases("https://fixture.example/2019/10/old-story/"));
    let d = only_error(&out, "content/briefs/2021-01-01-new.md:4:11");
    assert!(
        d.contains("it is a full address; an alias is a path on this site"),
        "{d}"
    );
    assert!(
        d.contains("= help: write it as a path from the site's base URL: /2019/10/old-story/"),
        "{d}"
    );
}

#[test]
fn an_alias_with_a_query_or_fragment_is_refused() {
    let out = build_with_new_brief(&brief_with_aliases("/index.php?p=12, /old/#top"));
    let d = out.diagnostic("content/briefs/2021-01-01-new.md:4:11");
    assert!(d.contains("invalid alias '/index.php?p=12': the ?… part"), "{d}");
    assert!(d.contains("= help: remove the ?… part"), "{d}");
    let d = out.diagnostic("content/briefs/2021-01-01-new.md:4:28");
    assert!(d.contains("the #… part of an address never reaches the host"), "{d}");
    assert_eq!(out.errors().len(), 2, "{}", out.stderr);
}

#[test]
fn an_alias_on_a_page_names_the_pages_file() {
    let out = build_with_new_brief(&brief_with_aliases("/briefs/jedi-awarded/"));
    let d = only_error(&out, "content/briefs/2021-01-01-new.md:4:11");
    assert!(
        d.contains("the alias '/briefs/jedi-awarded/' lands on /briefs/jedi-awarded/index.html, where the page of content/briefs/2019-10-28-jedi-awarded.md"),
        "{d}"
    );
}

#[test]
fn an_alias_on_a_generated_page_or_feed_is_refused() {
    let out = build_with_new_brief(&brief_with_aliases("/tags/defense/, /atom.xml/, /Companies/"));
    let d = out.diagnostic("content/briefs/2021-01-01-new.md:4:11");
    assert!(d.contains("where the page /tags/defense/ is written"), "{d}");
    let d = out.diagnostic("content/briefs/2021-01-01-new.md:4:27");
    assert!(
        d.contains("needs a folder /atom.xml/, but the page /atom.xml is a file there"),
        "{d}"
    );
    let d = out.diagnostic("content/briefs/2021-01-01-new.md:4:39");
    assert!(
        d.contains("differs only in letter case from /companies/index.html"),
        "{d}"
    );
    assert_eq!(out.errors().len(), 3, "{}", out.stderr);
}

#[test]
fn an_alias_on_a_static_file_names_it() {
    let (_site, out) = build_broken(|site| {
        site.write("static/old/index.html", "<!DOCTYPE html><title>old</title>\n");
        site.write(NEW_BRIEF, &brief_with_aliases("/old/, /images/diagram.svg"));
    });
    let d = out.diagnostic("content/briefs/2021-01-01-new.md:4:11");
    assert!(
        d.contains("lands on /old/index.html, where static/old/index.html is written"),
        "{d}"
    );
    assert!(
        d.contains("= help: remove the alias, or move static/old/index.html"),
        "{d}"
    );
    let d = out.diagnostic("content/briefs/2021-01-01-new.md:4:18");
    assert!(
        d.contains("needs a folder /images/diagram.svg/, but static/images/diagram.svg is a file there"),
        "{d}"
    );
    assert_eq!(out.errors().len(), 2, "{}", out.stderr);
}

#[test]
fn two_aliases_on_one_address_name_both_files() {
    let (_site, out) = build_broken(|site| {
        site.edit("content/pages/about.md", "summary:", "aliases: [/old-story]\nsummary:");
        site.write(NEW_BRIEF, &brief_with_aliases("/old-story/"));
    });
    let d = only_error(&out, "content/pages/about.md:3:11");
    assert!(
        d.contains("the alias '/old-story' is also an alias of content/briefs/2021-01-01-new.md:4 ('/old-story/')"),
        "{d}"
    );
}

#[test]
fn an_alias_outside_the_base_path_belongs_to_another_site() {
    let site = Site::fixture("site");
    let base = ["--base-url", "https://user.github.io/repo/"];
    site.build(&base).assert_success();
    let before = Snapshot::of(&site.public());
    site.write(
        NEW_BRIEF,
        &brief_with_aliases("https://user.github.io/other-repo/story/"),
    );
    let out = site.build(&base);
    out.assert_status(1);
    before.assert_unchanged(&site.public());
    let d = only_error(&out, "content/briefs/2021-01-01-new.md:4:11");
    assert!(
        d.contains("it is outside this site, whose base URL is https://user.github.io/repo/; the other paths of that host belong to other sites"),
        "{d}"
    );
}

#[test]
fn an_author_link_must_be_named_and_safe() {
    let site = crate::authors::desk();
    site.write(
        "content/authors/jane-doe.md",
        "---\nname: Jane Doe\nlinks:\n  - { name: Mastodon, url: \"javascript:alert(1)\" }\n  - { name: \"\", url: \"https://x.example/\" }\nimage: { src: ../../etc/passwd, alt: Jane }\n---\nBio.\n",
    );
    let out = site.build(&[]);
    out.assert_status(1);
    let d = out.diagnostic("content/authors/jane-doe.md:4:29");
    assert!(d.contains("invalid URL 'javascript:alert(1)'"), "{d}");
    let d = out.diagnostic("content/authors/jane-doe.md:5:13");
    assert!(d.contains("the link's name is empty"), "{d}");
    let d = out.diagnostic("content/authors/jane-doe.md:6:15");
    assert!(d.contains("not a path inside the site"), "{d}");
}
