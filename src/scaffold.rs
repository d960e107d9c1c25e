//! `dossier new` and `dossier init`: the files a writer starts from.
//!
//! `new` writes one content file with complete front matter (every key a
//! writer may fill, optional ones commented), named the way the build names
//! it, and checks what it can against the site first: a file or slug that
//! exists is refused, and companies are looked up with the build's own
//! [`Lookup`] rules, so an unknown one is reported exactly as the build
//! would. `init` writes a small site that builds with no errors, and with
//! `--github-pages` a deploy workflow. Nothing here overwrites a file.

use std::fmt;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use jiff::civil::Date;

use crate::config::{Config, UnknownReferences};
use crate::content::{self, Loaded, SourceFile};
use crate::diag::EnvError;
use std::collections::HashMap;

use crate::model::kind::RawEntity;
use crate::model::lookup::{Lookup, Miss};
use crate::model::{Companies, Contracts, EntityKey, EntityKind, Kind};
use crate::slug::{Slug, SlugError};

/// What `dossier new brief` was asked for.
#[derive(Debug, Clone)]
pub struct BriefSpec {
    /// The headline.
    pub title: String,
    /// The publication day.
    pub date: Date,
    /// Companies the brief is about, as the writer named them.
    pub companies: Vec<String>,
    /// Tags.
    pub tags: Vec<String>,
}

/// What `dossier init` was asked for.
#[derive(Debug, Clone, Copy, Default)]
pub struct InitOptions {
    /// Also write `.github/workflows/pages.yml`.
    pub github_pages: bool,
    /// The day the sample brief is dated.
    pub today: Option<Date>,
}

/// A name that matches no entity of its kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownName {
    /// What kind of entity was expected.
    pub kind: Kind,
    /// The name as given.
    pub name: String,
    /// The closest known name.
    pub suggestion: Option<String>,
}

impl fmt::Display for UnknownName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown {} '{}'", self.kind.noun(), self.name)?;
        if let Some(s) = &self.suggestion {
            write!(f, " (did you mean '{s}'?)")?;
        }
        Ok(())
    }
}

/// A file `new` wrote.
#[derive(Debug)]
pub struct Created {
    /// The file, relative to the site root.
    pub path: PathBuf,
    /// Unknown names the site's `unknown_references: warn` lets through.
    pub unknown: Vec<UnknownName>,
}

/// Why nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum ScaffoldError {
    /// The file is there already.
    #[error("{} already exists; dossier never overwrites a file", .0.display())]
    Exists(PathBuf),
    /// `init` was pointed at a folder that holds something.
    #[error("{} is not an empty folder; dossier init only creates a site in an empty or new one", .0.display())]
    NotEmpty(PathBuf),
    /// The title or name has nothing to make a URL from.
    #[error("cannot make a file name from '{text}': {reason}")]
    BadName {
        /// The title or name.
        text: String,
        /// Why.
        reason: SlugError,
    },
    /// Another entity of the kind already lives at the slug.
    #[error("{} already uses the slug '{slug}'; two {noun}s cannot share a URL", existing.display())]
    SlugTaken {
        /// The slug.
        slug: Slug,
        /// The file that has it.
        existing: PathBuf,
        /// The kind of entity.
        noun: &'static str,
    },
    /// The name already names an entity of the kind.
    #[error("'{name}' already names {}", existing.display())]
    NameTaken {
        /// The name.
        name: String,
        /// The file it names.
        existing: PathBuf,
    },
    /// Names the build would refuse.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Unknown(Vec<UnknownName>),
    /// The disk failed.
    #[error(transparent)]
    Env(#[from] EnvError),
}

/// The site's entities as `new` needs them: their files, slugs and names.
struct Known {
    briefs: Vec<(Slug, PathBuf)>,
    /// Each entity kind's, in id order.
    entities: HashMap<Kind, Vec<(Slug, PathBuf)>>,
    lookup: Lookup,
}

impl Known {
    /// Loads the site's content. Files that do not parse are skipped: the
    /// build reports them, and they must not block a new file.
    fn load(root: &Path) -> Result<Known, EnvError> {
        let (content, _) = content::load(root)?;
        let mut lookup = Lookup::default();
        let briefs = content
            .briefs
            .iter()
            .filter_map(|b| Some((slug_of(&b.file, b.front.slug.as_deref())?, b.file.path.clone())))
            .collect();
        let entities = HashMap::from([
            (Kind::Company, register::<Companies>(&content.companies, &mut lookup)),
            (Kind::Contract, register::<Contracts>(&content.contracts, &mut lookup)),
        ]);
        Ok(Known {
            briefs,
            entities,
            lookup,
        })
    }

    /// The slugs and files of the entities of `kind`.
    fn of_kind(&self, kind: Kind) -> &[(Slug, PathBuf)] {
        match kind {
            Kind::Brief => &self.briefs,
            _ => self.entities.get(&kind).map_or(&[], Vec::as_slice),
        }
    }

    fn path_of(&self, key: EntityKey) -> &Path {
        &self.of_kind(Kind::of(key))[key.index()].1
    }
}

/// Registers names, aliases and slugs of a kind's files as the catalog does.
fn register<K: EntityKind>(items: &[Loaded<K::Raw>], lookup: &mut Lookup) -> Vec<(Slug, PathBuf)> {
    let mut out = Vec::new();
    for item in items {
        let front = &item.front;
        let Some(slug) = slug_of(&item.file, front.slug()) else {
            continue;
        };
        let k = K::key(out.len());
        for text in [slug.as_str(), front.name()]
            .into_iter()
            .chain(front.aliases().iter().map(String::as_str))
        {
            lookup.insert(text, k);
        }
        out.push((slug, item.file.path.clone()));
    }
    out
}

/// An entity's slug as the catalog computes it: `slug:`, or the file stem.
fn slug_of(file: &SourceFile, explicit: Option<&str>) -> Option<Slug> {
    match explicit {
        Some(text) => Slug::parse(text).ok(),
        None => Slug::from_file_stem(&file.path.file_stem()?.to_string_lossy()).ok(),
    }
}

/// Writes `content/briefs/YYYY-MM-DD-slug.md`.
pub fn new_brief(root: &Path, spec: &BriefSpec) -> Result<Created, ScaffoldError> {
    let slug = slug_for(&spec.title)?;
    let path = PathBuf::from(format!("content/briefs/{}-{slug}.md", spec.date));
    refuse_existing(root, &path)?;
    let known = Known::load(root)?;
    if let Some((_, existing)) = known.briefs.iter().find(|(s, _)| *s == slug) {
        return Err(ScaffoldError::SlugTaken {
            slug,
            existing: existing.clone(),
            noun: "brief",
        });
    }
    let unknown: Vec<UnknownName> = spec
        .companies
        .iter()
        .filter_map(|name| match known.lookup.find(name, Kind::Company) {
            Ok(_) => None,
            Err(miss) => Some(UnknownName {
                kind: Kind::Company,
                name: name.clone(),
                suggestion: match miss {
                    Miss::Unknown { suggestion } => suggestion,
                    Miss::Ambiguous(_) => None,
                },
            }),
        })
        .collect();
    if !unknown.is_empty() && unknown_policy(root)? == UnknownReferences::Error {
        return Err(ScaffoldError::Unknown(unknown));
    }
    write_new(root, &path, &brief_text(spec))?;
    Ok(Created { path, unknown })
}

/// Writes `content/companies/slug.md`.
pub fn new_company(root: &Path, name: &str) -> Result<Created, ScaffoldError> {
    new_entity(root, name, Kind::Company)
}

/// Writes `content/contracts/slug.md`.
pub fn new_contract(root: &Path, name: &str) -> Result<Created, ScaffoldError> {
    new_entity(root, name, Kind::Contract)
}

fn new_entity(root: &Path, name: &str, kind: Kind) -> Result<Created, ScaffoldError> {
    let slug = slug_for(name)?;
    let path = PathBuf::from(format!("content/{}/{slug}.md", kind.plural()));
    refuse_existing(root, &path)?;
    let known = Known::load(root)?;
    if let Some((_, existing)) = known.of_kind(kind).iter().find(|(s, _)| *s == slug) {
        return Err(ScaffoldError::SlugTaken {
            slug,
            existing: existing.clone(),
            noun: kind.noun(),
        });
    }
    if let Ok(key) = known.lookup.find(name, kind) {
        return Err(ScaffoldError::NameTaken {
            name: name.to_owned(),
            existing: known.path_of(key).to_owned(),
        });
    }
    let text = match kind {
        Kind::Company => company_text(name),
        _ => contract_text(name),
    };
    write_new(root, &path, &text)?;
    Ok(Created {
        path,
        unknown: Vec::new(),
    })
}

fn slug_for(text: &str) -> Result<Slug, ScaffoldError> {
    Slug::from_text(text).map_err(|reason| ScaffoldError::BadName {
        text: text.to_owned(),
        reason,
    })
}

fn refuse_existing(root: &Path, relative: &Path) -> Result<(), ScaffoldError> {
    match root.join(relative).symlink_metadata() {
        Ok(_) => Err(ScaffoldError::Exists(relative.to_owned())),
        Err(_) => Ok(()),
    }
}

fn unknown_policy(root: &Path) -> Result<UnknownReferences, EnvError> {
    Ok(match Config::load(root)? {
        Ok(config) => config.unknown_references,
        // A broken dossier.yaml: the build will say why; be strict meanwhile.
        Err(_) => UnknownReferences::Error,
    })
}

/// Creates `root/relative` (and its folders); never replaces a file.
fn write_new(root: &Path, relative: &Path, text: &str) -> Result<(), ScaffoldError> {
    let path = root.join(relative);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(|e| EnvError::io("cannot create", parent, e))?;
    }
    let mut file = match fs::OpenOptions::new().write(true).create_new(true).open(&path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(ScaffoldError::Exists(relative.to_owned()));
        }
        Err(e) => return Err(EnvError::io("cannot create", &path, e).into()),
    };
    file.write_all(text.as_bytes())
        .map_err(|e| EnvError::io("cannot write", &path, e))?;
    Ok(())
}

/// A YAML double-quoted scalar (JSON string syntax is valid YAML).
fn quoted(text: &str) -> String {
    serde_json::Value::from(text).to_string()
}

fn flow_list(items: &[String]) -> String {
    let items: Vec<String> = items.iter().map(|i| quoted(i)).collect();
    format!("[{}]", items.join(", "))
}

fn brief_text(spec: &BriefSpec) -> String {
    format!(
        r#"---
title: {title}
date: {date}
summary:               # one sentence; left empty, the first paragraph is used
tags: {tags}
companies: {companies}   # names, slugs or aliases of content/companies/ entries
contracts: []          # names, slugs or aliases of content/contracts/ entries
related: []            # slugs of other briefs (file name without date and .md)
sources: []
#  - name: CNBC
#    url: https://www.cnbc.com/
draft: false           # true keeps it out of the site unless --drafts
# Optional: updated, slug, author, corrections, extra (see the README).
# In the body, [[Name]] links a company, contract or brief, [^1] adds a side note.
---
The news in one paragraph: who did what, and why it matters.
"#,
        title = quoted(&spec.title),
        date = spec.date,
        tags = flow_list(&spec.tags),
        companies = flow_list(&spec.companies),
    )
}

fn company_text(name: &str) -> String {
    format!(
        r#"---
name: {name}
aliases: []            # other names briefs use: tickers, short names
ticker:
headquarters:
website:               # https://…
---
Who {plain} is, what it sells, and why it matters to these briefs.
"#,
        name = quoted(name),
        plain = name.replace(['[', ']', '<', '>', '*', '_', '`'], ""),
    )
}

fn contract_text(name: &str) -> String {
    format!(
        r#"---
name: {name}
aliases: []            # short names and acronyms briefs use
agency:
value:                 # {{ amount: 10000000000, currency: USD }}
awarded_to: []         # companies, resolved like a brief's
status: open           # open, awarded, protested, cancelled or completed
timeline: []
#  - {{ date: 2019-10-25, event: Awarded }}
---
What the contract buys, for whom, and where it stands.
"#,
        name = quoted(name),
    )
}

/// Creates a new site in `dir`, which must be empty or not exist yet.
/// Returns the files written, relative to `dir`.
pub fn init(dir: &Path, options: InitOptions) -> Result<Vec<PathBuf>, ScaffoldError> {
    if dir.exists() {
        let empty = dir.is_dir()
            && fs::read_dir(dir)
                .map_err(|e| EnvError::io("cannot read", dir, e))?
                .next()
                .is_none();
        if !empty {
            return Err(ScaffoldError::NotEmpty(dir.to_owned()));
        }
    } else {
        fs::create_dir_all(dir).map_err(|e| EnvError::io("cannot create", dir, e))?;
    }
    let title = dir
        .canonicalize()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "Briefs".to_owned());
    let today = options.today.unwrap_or_else(|| jiff::ZonedDateTime::now().date());
    let mut files = vec![
        (PathBuf::from("dossier.yaml"), config_text(&title)),
        (PathBuf::from(".gitignore"), "/public/\n".to_owned()),
        (
            PathBuf::from(format!("content/briefs/{today}-example-agency-picks-acme-cloud.md")),
            sample_brief(today),
        ),
        (
            PathBuf::from("content/companies/acme-cloud.md"),
            SAMPLE_COMPANY.to_owned(),
        ),
        (
            PathBuf::from("content/contracts/example-cloud-modernization.md"),
            SAMPLE_CONTRACT.to_owned(),
        ),
    ];
    if options.github_pages {
        files.push((PathBuf::from(".github/workflows/pages.yml"), pages_workflow()));
    }
    for (path, text) in &files {
        write_new(dir, path, text)?;
    }
    Ok(files.into_iter().map(|(path, _)| path).collect())
}

fn config_text(title: &str) -> String {
    format!(
        r#"# dossier site configuration (see the dossier README).
title: {title}
base_url: /                # where the site is published, e.g. https://user.github.io/repo/
description: "Annotated news briefs"
language: en
theme: default
briefs_per_page: 20
# author: Jane Doe
# unknown_references: error   # or warn: an unknown company gets a stub page
"#,
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

fn pages_workflow() -> String {
    let repository = match env!("CARGO_PKG_REPOSITORY") {
        "" => REPOSITORY_PLACEHOLDER,
        url => url,
    };
    PAGES_WORKFLOW
        .replace("@REPOSITORY@", repository)
        .replace("@PLACEHOLDER@", REPOSITORY_PLACEHOLDER)
        .replace("@VERSION@", env!("CARGO_PKG_VERSION"))
}

const PAGES_WORKFLOW: &str = r#"# Publishes this dossier site to GitHub Pages on every push to main.
# Written by `dossier init --github-pages` (dossier @VERSION@).
#
# One-time setup: Settings → Pages → Source: "GitHub Actions".
#
# dossier is installed with `cargo install --locked --git "$DOSSIER_GIT"`,
# from the dossier repository named below, and cached between runs by
# Swatinem/rust-cache. If DOSSIER_GIT still reads @PLACEHOLDER@,
# set it to the dossier repository you use (or a fork) before pushing.
# To pin a release, add `--tag vX.Y.Z` (or `--rev SHA`) to the install step.
name: Deploy to GitHub Pages

on:
  push:
    branches: [main]
  workflow_dispatch:

permissions:
  contents: read
  pages: write
  id-token: write

concurrency:
  group: pages
  cancel-in-progress: false

env:
  DOSSIER_GIT: @REPOSITORY@

jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - id: pages
        uses: actions/configure-pages@v5
      - uses: Swatinem/rust-cache@v2
      - name: Install dossier
        run: |
          if [ "$DOSSIER_GIT" = "@PLACEHOLDER@" ]; then
            echo "::error::Set DOSSIER_GIT in .github/workflows/pages.yml to the dossier repository to install from."
            exit 1
          fi
          cargo install --locked --git "$DOSSIER_GIT" dossier
      - name: Check the site
        run: dossier check
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
    fn quoted_values_survive_yaml() {
        for text in [
            "Plain",
            "A: colon",
            "\"quotes\" and \\",
            "no",
            "# hash",
            "Société Générale",
        ] {
            let yaml = format!("title: {}\n", quoted(text));
            let value: serde_json::Value = crate::yaml::parse::<serde_json::Value>(&yaml).expect(&yaml);
            assert_eq!(value["title"], text, "{yaml}");
        }
    }

    #[test]
    fn the_workflow_fills_in_its_repository() {
        let text = pages_workflow();
        assert!(!text.contains("@REPOSITORY@") && !text.contains("@PLACEHOLDER@"));
        assert!(text.contains("cargo install --locked --git \"$DOSSIER_GIT\" dossier"));
        assert!(text.contains("--base-url \"${{ steps.pages.outputs.base_url }}/\""));
    }
}
