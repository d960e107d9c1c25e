//! `dossier init`: a small site that builds with no errors, and with
//! `--github-pages` a workflow that deploys it.
//!
//! The folder may be new, empty, or a fresh clone of a repository: dotfiles
//! and dot-folders (`.git`, `.gitignore`, `.github/`) and README, LICENSE
//! and COPYING files are left exactly as they are. Anything else is
//! refused, and so is a folder where one of the files to write exists
//! (checked before anything is written), except `.gitignore`, which is kept.

use std::fs;
use std::path::{Path, PathBuf};

use jiff::civil::Date;

use super::{ScaffoldError, quoted, with_modeline, write_new};
use crate::diag::EnvError;
use crate::schema::{self, Subject};

/// What `dossier init` was asked for.
#[derive(Debug, Clone, Default)]
pub struct InitOptions {
    /// Also write `.github/workflows/pages.yml`.
    pub github_pages: bool,
    /// The dossier repository on GitHub (`OWNER/NAME`) whose Action the
    /// workflow uses; else the package's `repository`, else none (the
    /// workflow builds dossier from a repository the writer names).
    pub dossier_repo: Option<String>,
    /// The day the sample brief is dated.
    pub today: Option<Date>,
}

/// What `dossier init` did, and what the folder already was.
#[derive(Debug)]
pub struct Initialized {
    /// The files written, relative to the folder.
    pub files: Vec<PathBuf>,
    /// Whether a `.gitignore` was already there (and left as it was)
    /// without a line for `public/`.
    pub gitignore_lacks_public: bool,
    /// The git branch the folder is on, when it is a git repository.
    pub git_branch: Option<String>,
    /// Whether the workflow still names the placeholder dossier repository
    /// in `DOSSIER_GIT`, to be replaced before the first push.
    pub workflow_needs_repository: bool,
}

/// Names a fresh clone may hold besides dotfiles: files starting so (any case).
const CLONE_FILES: [&str; 4] = ["README", "LICENSE", "LICENCE", "COPYING"];

/// At most this many names are listed when a folder is refused.
const LISTED: usize = 5;

/// Creates a new site in `dir`: a new folder, an empty one, or one holding
/// only what a fresh clone holds.
pub fn init(dir: &Path, options: InitOptions) -> Result<Initialized, ScaffoldError> {
    let repo = match options.dossier_repo.as_deref() {
        Some(repo) => Some(github_repo(repo).ok_or_else(|| ScaffoldError::BadRepository(repo.to_owned()))?),
        None => github_repo(workflow_repository()),
    };
    if dir.exists() {
        refuse_unexpected(dir)?;
    } else {
        fs::create_dir_all(dir).map_err(|e| EnvError::io("cannot create", dir, e))?;
    }
    let title = dir
        .canonicalize()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "Briefs".to_owned());
    let today = options.today.unwrap_or_else(|| jiff::ZonedDateTime::now().date());
    let workflow = options.github_pages.then(|| pages_workflow(repo.as_deref()));
    let mut files = site_files(&title, today, workflow);

    // A clone's own .gitignore is kept; every other file must be new.
    let gitignore = dir.join(".gitignore");
    let mut gitignore_lacks_public = false;
    if gitignore.symlink_metadata().is_ok() {
        files.retain(|(path, _)| path != Path::new(".gitignore"));
        gitignore_lacks_public = !ignores_public(&fs::read_to_string(&gitignore).unwrap_or_default());
    }
    if let Some((path, _)) = files.iter().find(|(path, _)| dir.join(path).symlink_metadata().is_ok()) {
        let shown = if dir == Path::new(".") {
            path.clone()
        } else {
            dir.join(path)
        };
        return Err(ScaffoldError::Exists(shown));
    }
    for (path, text) in &files {
        write_new(dir, path, text)?;
    }
    Ok(Initialized {
        files: files.into_iter().map(|(path, _)| path).collect(),
        gitignore_lacks_public,
        git_branch: git_branch(dir),
        workflow_needs_repository: options.github_pages && repo.is_none(),
    })
}

/// The files of a new site, relative to its folder.
fn site_files(title: &str, today: Date, workflow: Option<String>) -> Vec<(PathBuf, String)> {
    let content = |path: String, text: &str, subject: Subject| {
        let path = PathBuf::from(path);
        let text = with_modeline(text, subject, &path);
        (path, text)
    };
    let mut files = vec![
        (PathBuf::from("dossier.yaml"), config_text(title)),
        (PathBuf::from(".gitignore"), "/public/\n/.dossier-cache/\n".to_owned()),
        content(
            format!("content/briefs/{today}-example-agency-picks-acme-cloud.md"),
            &sample_brief(today),
            Subject::Brief,
        ),
        content(
            "content/companies/acme-cloud.md".to_owned(),
            SAMPLE_COMPANY,
            Subject::Company,
        ),
        content(
            "content/contracts/example-cloud-modernization.md".to_owned(),
            SAMPLE_CONTRACT,
            Subject::Contract,
        ),
    ];
    // The schemas those first lines point at, for editors.
    files.extend(
        Subject::ALL
            .into_iter()
            .map(|subject| (Path::new(schema::FOLDER).join(subject.file_name()), subject.text())),
    );
    if let Some(workflow) = workflow {
        files.push((PathBuf::from(".github/workflows/pages.yml"), workflow));
    }
    files
}

/// Refuses a folder holding anything a fresh clone would not.
fn refuse_unexpected(dir: &Path) -> Result<(), ScaffoldError> {
    if !dir.is_dir() {
        return Err(ScaffoldError::NotEmpty {
            dir: dir.to_owned(),
            found: vec!["a file, not a folder".to_owned()],
        });
    }
    let mut found = Vec::new();
    for entry in fs::read_dir(dir).map_err(|e| EnvError::io("cannot read", dir, e))? {
        let entry = entry.map_err(|e| EnvError::io("cannot read", dir, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if !(name.starts_with('.') || (!is_dir && is_clone_file(&name))) {
            found.push(if is_dir { format!("{name}/") } else { name });
        }
    }
    if found.is_empty() {
        return Ok(());
    }
    found.sort();
    let more = found.len().saturating_sub(LISTED);
    found.truncate(LISTED);
    if more > 0 {
        found.push(format!("and {more} more"));
    }
    Err(ScaffoldError::NotEmpty {
        dir: dir.to_owned(),
        found,
    })
}

fn is_clone_file(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    CLONE_FILES.iter().any(|prefix| upper.starts_with(prefix))
}

/// Whether a `.gitignore` has a line that ignores the `public/` folder at the top.
fn ignores_public(gitignore: &str) -> bool {
    gitignore
        .lines()
        .any(|line| matches!(line.trim(), "public" | "public/" | "/public" | "/public/"))
}

/// The branch `.git/HEAD` points to, if the folder is a git repository.
fn git_branch(dir: &Path) -> Option<String> {
    let head = fs::read_to_string(dir.join(".git").join("HEAD")).ok()?;
    head.trim().strip_prefix("ref: refs/heads/").map(str::to_owned)
}

fn config_text(title: &str) -> String {
    format!(
        r#"{modeline}
# dossier site configuration (see the dossier README).
title: {title}
base_url: /                # where the site is published, e.g. https://user.github.io/repo/
description: "Annotated news briefs"
language: en
theme: default
briefs_per_page: 20
# author: Jane Doe
# unknown_references: error   # or warn: an unknown company gets a stub page
"#,
        modeline = Subject::Config.modeline(Path::new(crate::config::FILE_NAME)),
        title = quoted(title),
    )
}

fn sample_brief(today: Date) -> String {
    format!(
        r#"---
title: "Example Agency Picks Acme Cloud for Its Modernization Contract"
date: {today}
summary: A sample brief; edit it, or delete it once you have written your own.
tags: [cloud, government]
companies: [Acme Cloud]
contracts: [ECM]
related: []
sources:
  - name: Example Agency press office
    url: https://example.com/
---
The Example Agency has chosen [[Acme Cloud]] to move its records systems to
the cloud under the [[ECM]] contract.[^1] This is a sample brief written by
`dossier init`: the front matter above names the company and the contract, and
their pages list this brief in return.

> [!NOTE]
> Run `dossier serve`, edit this file and save: the browser reloads.

[^1]: Footnotes become side notes beside the paragraph on wide screens.
"#
    )
}

const SAMPLE_COMPANY: &str = r#"---
name: Acme Cloud
aliases: [Acme]
ticker:
headquarters: Springfield
website: https://example.com/
---
Acme Cloud is a fictional cloud provider that `dossier init` created so the new
site has something to link to. Replace it with a real profile.
"#;

const SAMPLE_CONTRACT: &str = r#"---
name: Example Cloud Modernization
aliases: [ECM]
agency: Example Agency
value: { amount: 250000000, currency: USD }
awarded_to: [Acme Cloud]
status: awarded
timeline:
  - { date: 2024-01-15, event: Request for proposals }
---
A fictional contract, created by `dossier init` to show how contracts, their
awardees and the briefs about them link to one another.
"#;

/// Where `cargo install --git` fetches dossier from: the package's
/// `repository` when Cargo.toml sets one, else a placeholder the writer
/// replaces (the workflow stops with a message until then).
const REPOSITORY_PLACEHOLDER: &str = "https://github.com/OWNER/dossier";

fn workflow_repository() -> &'static str {
    match env!("CARGO_PKG_REPOSITORY") {
        "" => REPOSITORY_PLACEHOLDER,
        url => url,
    }
}

/// `OWNER/NAME` of a GitHub repository, from itself or its URL.
fn github_repo(text: &str) -> Option<String> {
    let path = text
        .trim()
        .trim_start_matches("https://github.com/")
        .trim_end_matches('/')
        .trim_end_matches(".git");
    let (owner, name) = path.split_once('/')?;
    let part = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
    (part(owner) && part(name) && owner != "OWNER").then(|| format!("{owner}/{name}"))
}

/// The Pages workflow: with dossier's GitHub Action when its repository is
/// known (`repo`), else built with `cargo install` from a repository the
/// writer fills in.
fn pages_workflow(repo: Option<&str>) -> String {
    let (note, env, install) = match repo {
        Some(repo) => (
            ACTION_NOTE,
            String::new(),
            ACTION_INSTALL.replace("@ACTION@", &format!("{repo}@v{}", env!("CARGO_PKG_VERSION"))),
        ),
        None => (
            CARGO_NOTE,
            format!("env:\n  DOSSIER_GIT: {}\n\n", workflow_repository()),
            CARGO_INSTALL.to_owned(),
        ),
    };
    PAGES_WORKFLOW
        .replace("@NOTE@", note)
        .replace("@ENV@", &env)
        .replace("@INSTALL@", &install)
        .replace("@PLACEHOLDER@", REPOSITORY_PLACEHOLDER)
        .replace("@VERSION@", env!("CARGO_PKG_VERSION"))
}

const ACTION_NOTE: &str = "# dossier comes from its GitHub Action, pinned to the version that wrote
# this file: the release binary for the runner, checked against the
# release's SHA-256 sums (or, while that version has no release, built from
# source at its tag and cached). Change the tag to move to another version.";

const ACTION_INSTALL: &str = "      - name: Install dossier
        uses: @ACTION@";

const CARGO_NOTE: &str = "# dossier is installed with `cargo install --locked --git \"$DOSSIER_GIT\"`,
# from the dossier repository named below, and cached between runs by
# Swatinem/rust-cache. If DOSSIER_GIT still reads @PLACEHOLDER@,
# set it to the dossier repository you use (or a fork) before pushing, or
# run `dossier init --github-pages --dossier-repo OWNER/NAME` to use its
# GitHub Action instead. To pin a release, add `--tag vX.Y.Z` (or
# `--rev SHA`) to the install step.";

const CARGO_INSTALL: &str = r#"      - uses: Swatinem/rust-cache@v2
      - name: Install dossier
        run: |
          if [ "$DOSSIER_GIT" = "@PLACEHOLDER@" ]; then
            echo "::error::Set DOSSIER_GIT in .github/workflows/pages.yml to the dossier repository to install from."
            exit 1
          fi
          cargo install --locked --git "$DOSSIER_GIT" dossier-ssg"#;

const PAGES_WORKFLOW: &str = r#"# Publishes this dossier site to GitHub Pages on every push to main, and
# every hour. Written by `dossier init --github-pages` (dossier @VERSION@).
#
# One-time setup: Settings → Pages → Source: "GitHub Actions".
#
# The hourly run is for embargoes: a brief dated in the future is left out
# of the site until its date and time have passed, so without a push the
# site must be rebuilt for it to appear. The schedule rebuilds at 7 minutes
# past every hour (GitHub may start a scheduled run some minutes late), so
# an embargoed brief goes live within the hour after its time. Change the
# cron line to publish more or less often, or delete the schedule if you
# never date briefs ahead. GitHub pauses schedules in a public repository
# that has had no activity for 60 days; a push starts them again.
#
@NOTE@
name: Deploy to GitHub Pages

on:
  push:
    branches: [main]
  schedule:
    - cron: "7 * * * *"
  workflow_dispatch:

permissions:
  contents: read
  pages: write
  id-token: write

concurrency:
  group: pages
  cancel-in-progress: false

@ENV@jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - id: pages
        uses: actions/configure-pages@v5
@INSTALL@
      # Pictures resized by earlier runs (content-addressed: a kept file
      # is exactly what resizing would make again), so unchanged pictures
      # cost nothing. The key changes when a picture does; older entries
      # still serve the pictures they share.
      - uses: actions/cache@v4
        with:
          path: .dossier-cache
          key: dossier-media-${{ hashFiles('content/**/*.jpg', 'content/**/*.jpeg', 'content/**/*.png', 'static/**/*.jpg', 'static/**/*.jpeg', 'static/**/*.png') }}
          restore-keys: dossier-media-
      - name: Check the site
        run: dossier check
      # "Now", which decides which briefs are past their embargo, is the
      # runner's clock (SOURCE_DATE_EPOCH is not set here).
      - name: Build the site
        run: dossier build --base-url "${{ steps.pages.outputs.base_url }}/"
      - uses: actions/upload-pages-artifact@v5
        with:
          path: public
          include-hidden-files: true

  deploy:
    needs: build
    runs-on: ubuntu-latest
    environment:
      name: github-pages
      url: ${{ steps.deployment.outputs.page_url }}
    steps:
      - id: deployment
        uses: actions/deploy-pages@v5
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_a_repository_the_workflow_builds_from_one_to_fill_in() {
        let text = pages_workflow(None);
        assert_eq!(placeholders(&text), Vec::<String>::new());
        assert!(text.contains("cargo install --locked --git \"$DOSSIER_GIT\" dossier-ssg"));
        assert!(text.contains(&format!("DOSSIER_GIT: {REPOSITORY_PLACEHOLDER}")));
        assert!(text.contains("--base-url \"${{ steps.pages.outputs.base_url }}/\""));
    }

    #[test]
    fn with_a_repository_the_workflow_uses_its_action_at_this_version() {
        let text = pages_workflow(Some("example/dossier"));
        assert_eq!(placeholders(&text), Vec::<String>::new());
        let pinned = format!("uses: example/dossier@v{}", env!("CARGO_PKG_VERSION"));
        assert!(text.contains(&pinned), "{text}");
        assert!(!text.contains("DOSSIER_GIT") && !text.contains("OWNER"), "{text}");
        assert!(text.contains("path: .dossier-cache"));
        assert!(text.contains("--base-url \"${{ steps.pages.outputs.base_url }}/\""));
    }

    /// `@WORD@` tokens of the template left in `text`.
    fn placeholders(text: &str) -> Vec<String> {
        let parts: Vec<&str> = text.split('@').collect();
        (parts.iter().skip(1).take(parts.len().saturating_sub(2)))
            .filter(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_uppercase() || b == b'_'))
            .map(|p| (*p).to_owned())
            .collect()
    }

    #[test]
    fn repositories_are_owner_and_name() {
        assert_eq!(github_repo("example/dossier").as_deref(), Some("example/dossier"));
        assert_eq!(
            github_repo("https://github.com/example/dossier.git").as_deref(),
            Some("example/dossier")
        );
        for bad in [
            "example",
            "example/",
            "/dossier",
            "a/b/c",
            "OWNER/dossier",
            "ex ample/dossier",
            "e/d;rm",
        ] {
            assert_eq!(github_repo(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_fresh_clone_is_recognised() {
        for name in [
            "README.md",
            "readme",
            "LICENSE",
            "LICENSE-MIT",
            "Licence.txt",
            "COPYING",
        ] {
            assert!(is_clone_file(name), "{name}");
        }
        for name in ["notes.txt", "index.html", "READ.md", "src"] {
            assert!(!is_clone_file(name), "{name}");
        }
        assert!(ignores_public("target\n/public/\n"));
        assert!(ignores_public("public\n"));
        assert!(!ignores_public("/target\n# public\n"));
    }
}
