//! `dossier schema`: JSON Schemas that let editors check dossier.yaml and
//! front matter as a writer types. The schemas are checked with an
//! independent validator (boon) against the bundled example, which must
//! pass whole, and against the mistakes of `errors.rs` a schema can
//! express, which it must catch.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

use crate::common;

fn dossier(args: &[&str]) -> Output {
    let output = Command::new(env!("CARGO_BIN_EXE_dossier"))
        .args(args)
        .output()
        .expect("dossier runs");
    common::assert_in_writers_words(&String::from_utf8_lossy(&output.stderr));
    output
}

/// The schema `dossier schema --print WHICH` prints.
fn printed(which: &str) -> String {
    let output = dossier(&["schema", "--print", which]);
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout).expect("UTF-8")
}

/// Every schema, compiled by boon, by the name `--print` takes.
struct Validators {
    schemas: boon::Schemas,
    index: Vec<(&'static str, boon::SchemaIndex)>,
}

const SUBJECTS: [&str; 6] = ["config", "brief", "company", "contract", "author", "page"];

impl Validators {
    fn new() -> Validators {
        let mut schemas = boon::Schemas::new();
        let mut compiler = boon::Compiler::new();
        let mut index = Vec::new();
        for which in SUBJECTS {
            let url = format!("https://dossier.invalid/{which}.schema.json");
            let schema: Value = serde_json::from_str(&printed(which)).expect("a schema is JSON");
            compiler.add_resource(&url, schema).expect("a resource");
            index.push((
                which,
                compiler.compile(&url, &mut schemas).expect("the schema compiles"),
            ));
        }
        Validators { schemas, index }
    }

    /// What is wrong with `yaml` against `which`'s schema; `None` when it is valid.
    fn errors(&self, which: &str, yaml: &str) -> Option<String> {
        let value: Value = serde_yaml::from_str(yaml).unwrap_or_else(|e| panic!("not YAML ({e}):\n{yaml}"));
        let (_, index) = self.index.iter().find(|(w, _)| *w == which).expect("a subject");
        self.schemas.validate(&value, *index).err().map(|e| format!("{e:#}"))
    }
}

/// The YAML between a content file's `---` lines.
fn front_matter(text: &str) -> &str {
    let rest = text.strip_prefix("---\n").expect("front matter first");
    &rest[..rest.find("\n---\n").map_or(rest.len(), |end| end + 1)]
}

fn example(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// The subject of a content file, by its folder; `None` for files that
/// are not content (the pictures' licence notes).
fn subject_of(relative: &Path) -> Option<&'static str> {
    let kind = relative.components().nth(1)?.as_os_str().to_str()?;
    Some(match kind {
        "briefs" => "brief",
        "companies" => "company",
        "contracts" => "contract",
        "authors" => "author",
        "pages" => "page",
        _ => return None,
    })
}

#[test]
fn the_committed_schemas_are_what_dossier_schema_writes() {
    for which in SUBJECTS {
        let name = if which == "config" { "dossier" } else { which };
        let committed = std::fs::read_to_string(example(&format!("schemas/{name}.schema.json")))
            .unwrap_or_else(|e| panic!("schemas/{name}.schema.json: {e}"));
        assert!(
            committed == printed(which),
            "schemas/{name}.schema.json is stale: run `cargo run -- schema`"
        );
    }
}

#[test]
fn every_file_of_the_example_passes_its_schema_and_points_at_it() {
    let validators = Validators::new();
    let config = std::fs::read_to_string(example("dossier.yaml")).unwrap();
    assert!(config.starts_with("# yaml-language-server: $schema=schemas/dossier.schema.json\n"));
    assert_eq!(validators.errors("config", &config), None);

    let mut checked = 0;
    for entry in walkdir::WalkDir::new(example("content")) {
        let entry = entry.unwrap();
        let relative = entry.path().strip_prefix(example("")).unwrap().to_owned();
        if entry.path().extension().is_none_or(|e| e != "md") {
            continue;
        }
        let Some(which) = subject_of(&relative) else {
            continue;
        };
        let text = std::fs::read_to_string(entry.path()).unwrap();
        let yaml = front_matter(&text);
        assert_eq!(validators.errors(which, yaml), None, "{}", relative.display());
        // The first line names the schema by a path that leads to it.
        let modeline = yaml.lines().next().unwrap();
        let target = modeline
            .strip_prefix("# yaml-language-server: $schema=")
            .unwrap_or_else(|| panic!("{}: no schema line: {modeline}", relative.display()));
        let schema = entry.path().parent().unwrap().join(target);
        assert!(schema.is_file(), "{}: {target} does not exist", relative.display());
        assert!(
            target.ends_with(&format!("/{which}.schema.json")),
            "{}",
            relative.display()
        );
        checked += 1;
    }
    assert!(
        checked >= 25,
        "the example has its briefs, companies, contracts, authors and pages: {checked}"
    );
}

/// A brief of the fixture sites with `line` added (or `field` replaced).
fn brief(extra: &str) -> String {
    format!("title: A Brief\ndate: 2021-01-01\n{extra}")
}

fn contract(extra: &str) -> String {
    format!("name: JEDI\nstatus: awarded\n{extra}")
}

/// Each mistake of tests/it/errors.rs that a schema can express, as the
/// test there makes it: the build refuses it (errors.rs says so), and so
/// must the schema. Not here, because JSON Schema cannot say them: malformed
/// YAML (the editor's YAML parser reports it), unknown names, duplicate
/// slugs, wikilinks, links in bodies, dates that do not exist (30
/// February), image paths outside the site, aliases' addresses, and the
/// highlighting theme (themes may bring their own).
#[test]
fn the_schemas_catch_the_mistakes_the_build_refuses() {
    let validators = Validators::new();
    let cases: Vec<(&str, &str, String)> = vec![
        (
            "an_unknown_front_matter_field_is_named",
            "brief",
            brief("tagz: [cloud]\n"),
        ),
        (
            "a_missing_title_is_an_error",
            "brief",
            "date: 2021-01-01\ntags: [cloud]\n".into(),
        ),
        (
            "a_missing_date_is_an_error",
            "brief",
            "title: A Quiet Week\ntags: [cloud]\n".into(),
        ),
        (
            "a_bad_date_points_at_the_value",
            "brief",
            "title: Bad\ndate: 2021-13-45\n".into(),
        ),
        (
            "bad_dates_name_the_part_that_is_wrong",
            "brief",
            "title: D\ndate: 2024-01-32\n".into(),
        ),
        (
            "bad_dates_name_the_part_that_is_wrong",
            "brief",
            "title: D\ndate: 2024-01-01T25:00:00Z\n".into(),
        ),
        (
            "an_empty_date_is_reported_at_its_own_line",
            "brief",
            "title: D\ndate:\n".into(),
        ),
        (
            "an_empty_title_is_an_error_at_its_key",
            "brief",
            "title:\ndate: 2021-01-01\n".into(),
        ),
        (
            "a_title_of_empty_quotes_or_blanks_is_an_error_at_its_value",
            "brief",
            "title: \"  \"\ndate: 2021-01-01\n".into(),
        ),
        (
            "empty_company_and_contract_names_are_errors",
            "brief",
            brief("companies: [Microsoft, \"\"]\n"),
        ),
        (
            "empty_company_and_contract_names_are_errors",
            "brief",
            brief("contracts: [\" \"]\n"),
        ),
        ("an_empty_slug_is_an_error_at_its_value", "brief", brief("slug: \"\"\n")),
        (
            "a_slug_that_climbs_out_of_the_output_is_refused",
            "brief",
            brief("slug: ../../escape\n"),
        ),
        (
            "empty_source_names_are_errors_at_their_entry",
            "brief",
            brief("sources:\n  - { name: \"\", url: \"https://x.example/\" }\n"),
        ),
        (
            "a_plain_url_source_asks_for_a_name_and_a_url",
            "brief",
            brief("sources:\n  - https://www.cnbc.com/\n"),
        ),
        (
            "a_javascript_source_url_is_refused",
            "brief",
            brief("sources:\n  - { name: X, url: \"javascript:alert(1)\" }\n"),
        ),
        (
            "tags_written_without_brackets_ask_for_a_list",
            "brief",
            brief("tags: cloud, defense\n"),
        ),
        (
            "shape_errors_in_entities_and_lists_show_an_example",
            "brief",
            brief("corrections: An earlier version was wrong.\n"),
        ),
        (
            "a_bad_correction_date_names_its_entry",
            "brief",
            brief("corrections:\n  - { date: 2021-13-01, note: Fixed. }\n"),
        ),
        (
            "two_refused_fields_of_one_file_are_both_reported_at_their_lines",
            "brief",
            brief("summry: x\n"),
        ),
        (
            "a_bad_contract_status_lists_the_valid_ones",
            "contract",
            "name: JEDI\nstatus: pending\n".into(),
        ),
        (
            "a_bad_timeline_status_lists_the_five_in_plain_words",
            "contract",
            contract("timeline:\n  - { date: 2019-10-25, event: Awarded, status: won }\n"),
        ),
        (
            "shape_errors_in_entities_and_lists_show_an_example",
            "contract",
            contract("value: 10 billion dollars\n"),
        ),
        (
            "shape_errors_in_entities_and_lists_show_an_example",
            "company",
            "name: Microsoft\naliases: MSFT\n".into(),
        ),
        (
            "empty_company_and_contract_names_are_errors",
            "company",
            "name: \"\"\n".into(),
        ),
        (
            "an_author_link_must_be_named_and_safe",
            "author",
            "name: Jane Doe\nlinks:\n  - { name: Mastodon, url: \"javascript:alert(1)\" }\n".into(),
        ),
        (
            "an_author_link_must_be_named_and_safe",
            "author",
            "name: Jane Doe\nlinks:\n  - { name: \"\", url: \"https://x.example/\" }\n".into(),
        ),
        (
            "an_unknown_dossier_yaml_key_is_named",
            "config",
            "title: T\nfeed_limt: 10\n".into(),
        ),
        (
            "a_dossier_yaml_shape_error_is_in_the_writers_words",
            "config",
            "briefs_per_page: 0\n".into(),
        ),
        (
            "a_negative_or_non_number_related_limit_is_an_error_at_its_value",
            "config",
            "related_limit: -1\n".into(),
        ),
        (
            "a_negative_or_non_number_related_limit_is_an_error_at_its_value",
            "config",
            "related_limit: four\n".into(),
        ),
    ];
    let mut missed = Vec::new();
    for (test, which, yaml) in &cases {
        if validators.errors(which, yaml).is_none() {
            missed.push(format!("{test} ({which}):\n{yaml}"));
        }
    }
    assert!(missed.is_empty(), "the schema lets through:\n{}", missed.join("\n"));

    // And what the build accepts, the schemas accept: every optional field
    // filled, or left empty as `dossier new` leaves it.
    for (which, yaml) in [
        (
            "brief",
            brief(
                "updated: 2021-01-02T09:30:00+01:00\nslug: a-brief\nsummary:\nauthor: Jane Doe\nauthors: [Jane Doe]\n\
                 aliases: [/old/path/]\ntags: [cloud, Défense]\ncompanies: [AWS]\ncontracts: [JEDI]\nrelated: [jedi-awarded]\n\
                 sources:\n  - { name: CNBC, url: \"https://www.cnbc.com/\" }\ncorrections:\n  - { date: 2021-01-03, note: Fixed. }\n\
                 draft: false\nimage: { src: a.jpg, alt: A, caption: C, credit: D }\nextra: { desk: cloud, n: 3 }\n",
            ),
        ),
        ("company", "name: Acme\naliases: []\nticker:\nheadquarters:\nwebsite:\n".into()),
        // What YAML editors read as numbers and true/false, the build as text;
        // lists and mappings left empty; tags of any script; jiff's shorter times.
        ("company", "name: 3M\nticker: 7203\naliases:\nextra:\n".into()),
        ("brief", "title: 1984\ndate: 2020-08-18T09Z\ntags: [🦄, 2020, yes]\ncompanies:\nsources:\nextra:\n".into()),
        ("brief", brief("updated: 2020-08-18T0930+0200\nslug: 2020\n")),
        ("config", "title: 1843\ndescription: true\n".into()),
        ("company", "name: Acme\nwebsite: https://acme.example/\nimage: { src: logo.png, decorative: true }\n".into()),
        ("contract", contract("agency:\nvalue:\nawarded_to: []\ntimeline: []\n")),
        ("contract", contract("value: { amount: 10000000000, currency: USD }\ntimeline:\n  - { date: 2019-10-25, event: Awarded, status: awarded }\n")),
        ("author", "name: Jane Doe\naliases: []\nrole:\nlinks: []\n".into()),
        ("page", "title: About\nsummary:\naliases: [/about-us/]\n".into()),
        ("config", "title: T\nbase_url: /\nbriefs_per_page: 20\nraw_html: sanitize\nunknown_references: warn\nrelated_limit: 0\n".into()),
    ] {
        assert_eq!(validators.errors(which, &yaml), None, "{which}:\n{yaml}");
    }
}

#[test]
fn dossier_schema_writes_the_files_and_never_replaces_a_writers_own() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_str().unwrap();
    let not_a_site = dossier(&["schema", "--root", root]);
    assert_eq!(not_a_site.status.code(), Some(2), "{not_a_site:?}");
    assert!(String::from_utf8_lossy(&not_a_site.stderr).contains("is not a dossier site"));
    std::fs::write(dir.path().join("dossier.yaml"), "title: T\n").unwrap();
    let first = dossier(&["schema", "--root", root]);
    assert!(first.status.success(), "{first:?}");
    for which in SUBJECTS {
        let name = if which == "config" { "dossier" } else { which };
        let written = std::fs::read_to_string(dir.path().join(format!("schemas/{name}.schema.json"))).unwrap();
        assert_eq!(written, printed(which));
    }
    let again = String::from_utf8(dossier(&["schema", "--root", root]).stderr).unwrap();
    assert_eq!(again.matches("up to date").count(), SUBJECTS.len(), "{again}");

    let mine = dir.path().join("schemas/page.schema.json");
    std::fs::write(&mine, "{\"title\": \"the desk's own\"}\n").unwrap();
    let refused = dossier(&["schema", "--root", root]);
    assert_eq!(refused.status.code(), Some(1));
    let said = String::from_utf8(refused.stderr).unwrap();
    assert!(
        said.contains("page.schema.json exists and was not written by dossier"),
        "{said}"
    );
    assert_eq!(
        std::fs::read_to_string(&mine).unwrap(),
        "{\"title\": \"the desk's own\"}\n"
    );
}

#[test]
fn new_leaves_a_site_without_schemas_as_it_was() {
    let site = common::Site::fixture("site");
    let root = site.root().to_str().unwrap();
    assert!(dossier(&["new", "company", "Globex", "--root", root]).status.success());
    assert!(site.read("content/companies/globex.md").starts_with("---\nname: "));
    assert!(
        !site.path("schemas").exists(),
        "a site opts in with init or dossier schema"
    );
}

#[test]
fn new_files_point_at_their_schema_which_new_writes() {
    let site = common::Site::fixture("site");
    let root = site.root().to_str().unwrap();
    assert!(dossier(&["schema", "--root", root]).status.success());
    // An older dossier's schema is brought up to date.
    site.write(
        "schemas/contract.schema.json",
        "{\"$comment\": \"Written by `dossier schema`; older\"}\n",
    );
    let made = dossier(&["new", "contract", "Cloud Deal", "--root", root]);
    assert!(made.status.success(), "{made:?}");
    let text = site.read("content/contracts/cloud-deal.md");
    assert!(
        text.starts_with("---\n# yaml-language-server: $schema=../../schemas/contract.schema.json\nname: "),
        "{text}"
    );
    assert_eq!(site.read("schemas/contract.schema.json"), printed("contract"));
    let validators = Validators::new();
    assert_eq!(validators.errors("contract", front_matter(&text)), None, "{text}");
    site.build(&[]).assert_success();
}
