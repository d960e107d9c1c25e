//! Complexity, not speed: the output a site produces must grow linearly with
//! its briefs. A listing that repeats every page number on every page, or a
//! backlink list that grows with the site on every brief, shows up here as
//! output bytes per brief that rise with N. Issue: "Time per brief must not
//! grow with N". The same holds for work that shows in no output: the
//! suggested related stories are ranked from entities' lists of briefs, and
//! the entries walked per brief (which `--timings` reports) must not grow
//! with the site either, even when every brief shares everything.

use crate::common::{Site, Snapshot};

/// A site of `n` briefs that all share one company, one contract and one tag
/// (the worst case for listings), each related to the brief before it.
fn site_of(n: usize) -> Site {
    let site = Site::fixture("site");
    // A card is one picture per brief, whatever the site's size; drawing
    // hundreds in a debug build would only slow the test.
    let yaml = site.read("dossier.yaml");
    site.write("dossier.yaml", &format!("{yaml}social_cards: false\n"));
    for i in 0..n {
        let related = if i > 0 {
            format!("related: [bulk-{}]\n", i - 1)
        } else {
            String::new()
        };
        site.write(
            &format!("content/briefs/bulk/2022-01-01-bulk-{i}.md"),
            &format!(
                "---\ntitle: Bulk brief {i}\ndate: 2022-{:02}-{:02}\ntags: [bulk]\ncompanies: [AWS]\ncontracts: [JEDI]\n{related}---\n\
                 A paragraph about [[AWS]] number {i}.\n",
                1 + i % 12,
                1 + i % 28
            ),
        );
    }
    site
}

fn bytes_per_brief(n: usize) -> f64 {
    let site = site_of(n);
    let out = site.build(&[]);
    out.assert_success();
    let total: usize = Snapshot::of(&site.public()).files().map(|(_, bytes)| bytes.len()).sum();
    total as f64 / n as f64
}

#[test]
fn output_per_brief_does_not_grow_with_the_site() {
    let small = bytes_per_brief(40);
    let large = bytes_per_brief(320);
    // Everything that is per-site (CSS, indexes, the fixture's own pages) is
    // spread over more briefs in the large site, so the ratio should fall;
    // a quadratic listing would make it rise roughly eightfold.
    assert!(
        large < small * 1.25,
        "bytes per brief grew from {small:.0} at 40 briefs to {large:.0} at 320"
    );
}

/// The entries of entities' lists of briefs that ranking suggested related
/// stories walked, per brief: the `related` line of `--timings`.
fn related_work_per_brief(n: usize) -> f64 {
    let site = site_of(n);
    let out = site.build(&["--timings"]);
    out.assert_success();
    let line = (out.stderr.lines())
        .find(|l| l.trim_start().starts_with("related "))
        .unwrap_or_else(|| panic!("no related line in --timings:\n{}", out.stderr));
    let items: String = (line.rsplit_once('(').expect("a count in parentheses").1)
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    items.parse::<f64>().expect("a count") / n as f64
}

#[test]
fn suggested_related_stories_cost_the_same_per_brief_at_any_size() {
    // Every brief shares one tag, company and contract with every other:
    // ranking them all pairwise would walk four times as much per brief
    // at four times the briefs.
    let small = related_work_per_brief(160);
    let large = related_work_per_brief(640);
    assert!(
        large < small * 1.1,
        "list entries walked per brief grew from {small:.0} at 160 briefs to {large:.0} at 640"
    );
}
