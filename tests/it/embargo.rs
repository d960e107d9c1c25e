//! Embargoes and strict builds (issue "A writer's mistakes…", item 6 and
//! `--strict`): a brief dated after "now" is scheduled — absent from every
//! page, feed, listing and the sitemap until its date, unless `--future` —
//! and "now" is `SOURCE_DATE_EPOCH` when set, so the output is the same for
//! the same input and moment.

use std::path::Path;

use assert_cmd::Command;

use crate::common::{Site, Snapshot};

/// 2029-12-31T00:00:00Z: before the scheduled brief's date.
const BEFORE: &str = "1893369600";
/// 2030-02-01T00:00:00Z: after it.
const AFTER: &str = "1896134400";

const SCHEDULED: &str = "content/briefs/2030-01-15-future-deal.md";

/// The fixture site with a brief dated 2030-01-15 that names a tag, a
/// company and a contract, so it would appear on their pages and feeds.
fn site_with_a_scheduled_brief() -> Site {
    let site = Site::fixture("site");
    site.write(
        SCHEDULED,
        "---\ntitle: A Deal Under Embargo\ndate: 2030-01-15\ntags: [defense]\ncompanies: [AWS]\ncontracts: [JEDI]\n---\nEmbargoed until the announcement.\n",
    );
    site
}

/// Runs `dossier <command>` on `site` with `SOURCE_DATE_EPOCH` set; returns
/// the exit status and stderr.
fn run_at(site: &Site, epoch: &str, command: &str, args: &[&str]) -> (i32, String) {
    let out = Command::cargo_bin("dossier")
        .expect("the dossier binary")
        .env("SOURCE_DATE_EPOCH", epoch)
        .arg(command)
        .arg("--root")
        .arg(site.root())
        .args(args)
        .output()
        .expect("dossier runs");
    let stderr = String::from_utf8(out.stderr).expect("UTF-8");
    crate::common::assert_in_writers_words(&stderr);
    (out.status.code().expect("an exit status"), stderr)
}

/// Whether any output file mentions `needle`.
fn mentioned_anywhere(output: &Path, needle: &str) -> Vec<String> {
    Snapshot::of(output)
        .files()
        .filter(|(_, bytes)| String::from_utf8_lossy(bytes).contains(needle))
        .map(|(path, _)| path.to_owned())
        .collect()
}

#[test]
fn a_brief_dated_after_now_is_absent_everywhere_until_its_date() {
    let site = site_with_a_scheduled_brief();
    let (status, stderr) = run_at(&site, BEFORE, "build", &[]);
    assert_eq!(status, 0, "{stderr}");
    assert!(!site.public().join("briefs/future-deal/index.html").exists());
    assert_eq!(mentioned_anywhere(&site.public(), "future-deal"), Vec::<String>::new());
    assert_eq!(
        mentioned_anywhere(&site.public(), "Under Embargo"),
        Vec::<String>::new()
    );
    assert!(
        stderr
            .contains("1 scheduled brief held back (the next: content/briefs/2030-01-15-future-deal.md on 2030-01-15)"),
        "{stderr}"
    );
    let before = Snapshot::of(&site.public());
    run_at(&site, BEFORE, "build", &[]);
    Snapshot::of(&site.public()).assert_same_as(&before, "a second build at the same moment");

    let (status, stderr) = run_at(&site, AFTER, "build", &[]);
    assert_eq!(status, 0, "{stderr}");
    assert!(!stderr.contains("scheduled"), "{stderr}");
    let page = site.read("public/briefs/future-deal/index.html");
    assert!(
        page.contains("A Deal Under Embargo") && !page.contains("Scheduled"),
        "{page}"
    );
    for listed_in in [
        "index.html",
        "atom.xml",
        "sitemap.xml",
        "tags/defense/index.html",
        "companies/amazon-web-services/index.html",
        "contracts/jedi/index.html",
    ] {
        assert!(
            site.read(&format!("public/{listed_in}")).contains("future-deal"),
            "{listed_in} does not list the brief after its date"
        );
    }
    let after = Snapshot::of(&site.public());
    run_at(&site, AFTER, "build", &[]);
    Snapshot::of(&site.public()).assert_same_as(&after, "a second build after the date");
}

#[test]
fn check_lists_scheduled_briefs_and_future_publishes_them_marked() {
    let site = site_with_a_scheduled_brief();
    let (status, stderr) = run_at(&site, BEFORE, "check", &[]);
    assert_eq!(status, 0, "{stderr}");
    assert!(
        stderr.contains("1 scheduled brief held back until their date (--future includes them):")
            && stderr.contains("  2030-01-15  content/briefs/2030-01-15-future-deal.md"),
        "{stderr}"
    );
    let (status, stderr) = run_at(&site, BEFORE, "build", &["--future"]);
    assert_eq!(status, 0, "{stderr}");
    let page = site.read("public/briefs/future-deal/index.html");
    assert!(page.contains("status-scheduled"), "the page is not marked scheduled");
    assert!(site.read("public/index.html").contains("status-scheduled"));
}

#[test]
fn a_link_to_a_scheduled_brief_is_left_out_with_a_warning() {
    let site = site_with_a_scheduled_brief();
    site.write(
        "content/briefs/2020-06-01-preview.md",
        "---\ntitle: A Preview\ndate: 2020-06-01\nrelated: [future-deal]\n---\nMore to come.\n",
    );
    let (status, stderr) = run_at(&site, BEFORE, "build", &[]);
    assert_eq!(status, 0, "{stderr}");
    assert!(
        stderr.contains(
            "warning: content/briefs/2020-06-01-preview.md:4:11: related brief 'future-deal' is scheduled for 2030-01-15 (content/briefs/2030-01-15-future-deal.md); the link is left out"
        ),
        "{stderr}"
    );
    assert!(!site.read("public/briefs/preview/index.html").contains("future-deal"));
}

#[test]
fn an_unreadable_source_date_epoch_is_a_usage_error() {
    let site = Site::fixture("site");
    let (status, stderr) = run_at(&site, "next tuesday", "build", &[]);
    assert_eq!(status, 2, "{stderr}");
    assert!(
        stderr.contains("SOURCE_DATE_EPOCH='next tuesday' is not a number of seconds"),
        "{stderr}"
    );
    assert!(!site.public().exists());
}

#[test]
fn strict_makes_warnings_errors_from_the_flag_or_the_config() {
    let site = Site::fixture("site");
    site.write(
        "content/briefs/2020-06-01-self.md",
        "---\ntitle: Self-Referential\ndate: 2020-06-01\nrelated: [self]\n---\nBody.\n",
    );
    let (status, stderr) = run_at(&site, AFTER, "build", &[]);
    assert_eq!(status, 0, "{stderr}");
    let warning = "content/briefs/2020-06-01-self.md:4:11: the brief lists itself as related";
    assert!(stderr.contains(&format!("warning: {warning}")), "{stderr}");
    let built = Snapshot::of(&site.public());

    let (status, stderr) = run_at(&site, AFTER, "build", &["--strict"]);
    assert_eq!(status, 1, "{stderr}");
    assert!(stderr.contains(&format!("error: {warning}")), "{stderr}");
    built.assert_unchanged(&site.public());

    let config = site.read("dossier.yaml");
    site.write("dossier.yaml", &format!("{config}\nstrict: true\n"));
    let (status, stderr) = run_at(&site, AFTER, "build", &[]);
    assert_eq!(status, 1, "{stderr}");
    assert!(stderr.contains(&format!("error: {warning}")), "{stderr}");
    built.assert_unchanged(&site.public());
}
