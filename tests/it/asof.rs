//! A brief's key facts give each contract's status as of the brief's date
//! (issue #15, item 6; SPEC §4): the latest timeline event with a `status:`
//! on or before it, and the status now when it differs, so that a 2020
//! brief does not call a contract cancelled in 2021 cancelled. Without an
//! event on or before the brief's date, only the status now is known, and
//! the box says "Status now".

use crate::common::{Outcome, Site};

/// The fixture's JEDI with a history: awarded, protested, then cancelled.
const JEDI: &str = "---
name: Joint Enterprise Defense Infrastructure
aliases: [JEDI]
agency: US Department of Defense
awarded_to: [Microsoft]
status: cancelled
timeline:
  - { date: 2019-10-25, event: Awarded to Microsoft, status: awarded }
  - { date: 2019-11-22, event: AWS files a protest, status: protested }
  - { date: 2020-02-13, event: Court halts work }
  - { date: 2021-07-06, event: Contract cancelled, status: cancelled }
---
The Pentagon's single-vendor cloud contract.
";

/// The fixture site with JEDI's history and briefs about it on the days
/// that matter: before every status, on the protest's day, between two
/// statuses, on the cancellation's day. The site must outlive the outcome.
fn built_with_history() -> (Site, Outcome) {
    let site = Site::fixture("site");
    site.write("content/contracts/jedi.md", JEDI);
    for (day, slug) in [
        ("2018-01-01", "early"),
        ("2019-11-22", "protest-day"),
        ("2020-08-18", "while-protested"),
        ("2021-07-06", "cancellation-day"),
    ] {
        site.write(
            &format!("content/briefs/{day}-{slug}.md"),
            &format!("---\ntitle: JEDI on {day}\ndate: {day}\ncontracts: [JEDI]\n---\nBody.\n"),
        );
    }
    let out = site.build(&[]);
    out.assert_success();
    (site, out)
}

/// The status row of a brief's key facts for JEDI: its label and its value.
#[track_caller]
fn status_row(out: &Outcome, slug: &str) -> (String, String) {
    let page = out.page(&format!("briefs/{slug}/"));
    let (dt, dd) = (
        page.texts(".keyfacts .fact-status dt"),
        page.texts(".keyfacts .fact-status dd"),
    );
    assert_eq!((dt.len(), dd.len()), (1, 1), "one status row in {slug}: {dt:?} {dd:?}");
    (dt[0].clone(), dd[0].clone())
}

#[test]
fn a_brief_shows_the_status_on_its_date_and_the_status_now() {
    let (_site, out) = built_with_history();
    let row = |slug| status_row(&out, slug);
    assert_eq!(
        row("while-protested"),
        ("Status on August 18, 2020".into(), "Protested · now: Cancelled".into())
    );
    // An event on the brief's own day counts: a brief reports the day's news.
    assert_eq!(
        row("protest-day"),
        (
            "Status on November 22, 2019".into(),
            "Protested · now: Cancelled".into()
        )
    );
    // The status then is the status now: shown once.
    assert_eq!(
        row("cancellation-day"),
        ("Status on July 6, 2021".into(), "Cancelled".into())
    );
    // Between the award and the protest, by the fixture's own brief.
    assert_eq!(
        row("jedi-awarded"),
        ("Status on October 28, 2019".into(), "Awarded · now: Cancelled".into())
    );
    let page = out.page("briefs/while-protested/");
    assert_eq!(
        page.attrs(".fact-status time", "datetime"),
        ["2020-08-18"],
        "the date is machine-readable"
    );
}

#[test]
fn a_brief_before_every_status_says_only_what_the_status_is_now() {
    let (_site, out) = built_with_history();
    // SPEC: "else the contract's status", worded as what it is: the status now.
    assert_eq!(status_row(&out, "early"), ("Status now".into(), "Cancelled".into()));
    // So does every brief about a contract whose timeline gives no status.
    let site = Site::fixture("site");
    let plain = site.build(&[]);
    plain.assert_success();
    assert_eq!(
        status_row(&plain, "jedi-awarded"),
        ("Status now".into(), "Protested".into())
    );
}

#[test]
fn the_contract_page_shows_the_status_now_and_what_each_event_set() {
    let (_site, out) = built_with_history();
    let page = out.page("contracts/jedi/");
    assert!(
        page.texts(".fact-status").is_empty(),
        "no as-of status on the contract's own page"
    );
    assert_eq!(page.texts(".keyfacts .facts dd .status"), ["Cancelled"]);
    assert_eq!(
        page.texts(".timeline .tl-event p"),
        [
            "Awarded to Microsoft Awarded",
            "AWS files a protest Protested",
            "Court halts work",
            "Contract cancelled Cancelled",
        ]
    );
}
