//! Related stories on a brief's page (issue 15): the ones writers declared
//! ("Read more"), then up to `related_limit` suggested by what they share
//! ("More on this"): contracts before companies before tags, ties to the
//! closer date.

use assert_cmd::Command;

use crate::common::{Outcome, Site, Snapshot};

/// The default theme's "Read more" section: declared related briefs.
const READ_MORE: &str = ".related:not(.mentioned):not(.suggested)";
/// The default theme's "More on this" section: suggested related briefs.
const MORE_ON_THIS: &str = ".related.suggested";

/// The fixture site plus three briefs that each share one thing with
/// `jedi-awarded` (a tag, a company, a contract), the tag's the closest in
/// time, the contract's the furthest.
fn site() -> Site {
    let site = Site::fixture("site");
    site.write(
        "content/briefs/rel/2019-10-29-rel-tag.md",
        "---\ntitle: A Defense Story\ndate: 2019-10-29\ntags: [defense]\n---\nShares a tag.\n",
    );
    site.write(
        "content/briefs/rel/2019-09-01-rel-company.md",
        "---\ntitle: A Microsoft Story\ndate: 2019-09-01\ncompanies: [Microsoft]\n---\nShares a company.\n",
    );
    site.write(
        "content/briefs/rel/2018-01-01-rel-contract.md",
        "---\ntitle: A JEDI Story\ndate: 2018-01-01\ncontracts: [JEDI]\n---\nShares a contract.\n",
    );
    site
}

fn suggested(out: &Outcome, brief: &str) -> Vec<String> {
    out.page(&format!("briefs/{brief}/"))
        .links(MORE_ON_THIS, "/briefs/")
        .into_iter()
        .map(|href| href.trim_start_matches("/briefs/").trim_end_matches('/').to_owned())
        .collect()
}

#[test]
fn suggestions_rank_shared_contracts_then_companies_then_tags() {
    let site = site();
    let out = site.build(&[]);
    out.assert_success();
    // court-halts-jedi mentions [[JEDI]] and [[Microsoft|…]] in its body,
    // which counts as sharing both; aws-protests is declared related, so it
    // is not suggested; of the two briefs tagged "defense", rel-tag is the
    // closer in time.
    assert_eq!(
        suggested(&out, "jedi-awarded"),
        ["court-halts-jedi", "rel-contract", "rel-company", "rel-tag"]
    );
    let page = out.page("briefs/jedi-awarded/");
    assert_eq!(page.links(READ_MORE, "/briefs/"), ["/briefs/aws-protests/"]);
    assert_eq!(page.texts(&format!("{MORE_ON_THIS} h2")), ["More on this"]);
    assert_eq!(page.texts(&format!("{READ_MORE} h2")), ["Read more"]);
    // Suggestions are shown on the briefs they were suggested for, both
    // ways when the sharing is mutual.
    assert!(suggested(&out, "rel-contract").contains(&"jedi-awarded".to_owned()));
    // A brief sharing nothing has no "More on this" section.
    site.write(
        "content/briefs/rel/2017-01-01-alone.md",
        "---\ntitle: Alone\ndate: 2017-01-01\ntags: [nothing-else]\n---\nNo neighbours.\n",
    );
    let out = site.build(&[]);
    assert!(out.page("briefs/alone/").texts(MORE_ON_THIS).is_empty());
}

#[test]
fn related_limit_caps_the_suggestions_and_zero_leaves_only_declared_ones() {
    let site = site();
    site.edit("dossier.yaml", "theme: default\n", "theme: default\nrelated_limit: 1\n");
    let out = site.build(&[]);
    out.assert_success();
    assert_eq!(suggested(&out, "jedi-awarded"), ["court-halts-jedi"]);

    site.edit("dossier.yaml", "related_limit: 1\n", "related_limit: 0\n");
    let out = site.build(&[]);
    out.assert_success();
    let page = out.page("briefs/jedi-awarded/");
    assert!(page.texts(MORE_ON_THIS).is_empty(), "related_limit: 0 suggests nothing");
    assert_eq!(page.links(READ_MORE, "/briefs/"), ["/briefs/aws-protests/"]);
}

#[test]
fn a_tag_edit_on_one_brief_moves_the_suggestions_on_another() {
    let site = site();
    // Room for every brief court-halts-jedi shares something with.
    site.edit("dossier.yaml", "theme: default\n", "theme: default\nrelated_limit: 6\n");
    let out = site.build(&[]);
    assert_eq!(suggested(&out, "jedi-awarded")[3..], ["rel-tag", "jedi-explained"]);
    assert!(!suggested(&out, "court-halts-jedi").contains(&"rel-tag".to_owned()));
    // rel-tag now shares "courts" with court-halts-jedi instead of
    // "defense" with jedi-awarded: both pages change, rel-tag's own too.
    site.edit(
        "content/briefs/rel/2019-10-29-rel-tag.md",
        "tags: [defense]",
        "tags: [courts]",
    );
    let out = site.build(&[]);
    assert_eq!(suggested(&out, "jedi-awarded")[3..], ["jedi-explained"]);
    assert!(suggested(&out, "court-halts-jedi").contains(&"rel-tag".to_owned()));
    assert_eq!(suggested(&out, "rel-tag"), ["court-halts-jedi"]);
}

#[test]
fn suggestions_are_the_same_on_every_build_and_number_of_threads() {
    let site = site();
    site.build(&[]).assert_success();
    let first = Snapshot::of(&site.public());
    let one_thread = site.path("one-thread");
    let status = Command::cargo_bin("dossier")
        .expect("the dossier binary")
        .env("RAYON_NUM_THREADS", "1")
        .arg("build")
        .arg("--root")
        .arg(site.root())
        .arg("--output")
        .arg(&one_thread)
        .output()
        .expect("dossier runs")
        .status;
    assert!(status.success());
    first.assert_same_as(&Snapshot::of(&one_thread), "a build on one thread");
}
