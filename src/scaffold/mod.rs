//! `dossier new`, `dossier init` and `dossier theme eject`: the files a
//! writer starts from.
//!
//! `new` writes one content file with complete front matter (every key a
//! writer may fill, optional ones commented), named the way the build names
//! it, and checks what it can against the site first: a file or slug that
//! exists is refused, and the companies, contracts and related briefs a new
//! brief names are looked up with the build's own [`Lookup`] rules, so an
//! unknown one is reported exactly as the build would. [`init`] writes a
//! small site that builds with no errors, and with `--github-pages` a deploy
//! workflow ([`init`] module). [`eject`] copies the built-in theme into the
//! site. Nothing here overwrites a file, and nothing here prints: the CLI
//! words what these functions return.

pub mod eject;
pub mod init;

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use jiff::civil::Date;

use crate::config::{Config, UnknownReferences};
use crate::content::{self, Loaded, SourceFile};
use crate::diag::EnvError;
use crate::model::catalog::RESERVED_PAGE_SLUGS;
use crate::model::kind::RawEntity;
use crate::model::lookup::{Lookup, Miss, normalize};
use crate::model::{Authors, BriefId, Companies, Contracts, EntityKey, EntityKind, Kind};
use crate::schema::{self, SchemaError, Subject};
use crate::slug::{Slug, SlugError};

pub use eject::{Ejected, ThemeUse, eject_theme};
pub use init::{InitOptions, Initialized, init};

/// What `dossier new brief` was asked for.
#[derive(Debug, Clone)]
pub struct BriefSpec {
    /// The headline.
    pub title: String,
    /// The publication day.
    pub date: Date,
    /// Companies the brief is about, as the writer named them.
    pub companies: Vec<String>,
    /// Contracts the brief is about, as the writer named them.
    pub contracts: Vec<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// Slugs of related briefs.
    pub related: Vec<String>,
}

/// A name that matches nothing of its kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownName {
    /// What kind of thing was expected.
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

/// A file `new` wrote, and what the build will say about the names in it.
#[derive(Debug)]
pub struct Created {
    /// The file, relative to the site root.
    pub path: PathBuf,
    /// Unknown names the site's `unknown_references: warn` lets through.
    pub unknown: Vec<UnknownName>,
    /// Related briefs that are drafts: the build leaves those links out
    /// until the draft is published (or with `--drafts`).
    pub draft_related: Vec<String>,
    /// When the site keeps editors' schemas (`schemas/`, written by `init`
    /// or `dossier schema`), the new file's first line points at its own
    /// and `schemas/` is brought up to date ([`schema::write_all`]); an
    /// error there leaves the new file as written. `None` for a site
    /// without them.
    pub schemas: Option<Result<Vec<schema::Written>, SchemaError>>,
}

/// Why nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum ScaffoldError {
    /// The file is there already.
    #[error("{} already exists; dossier never overwrites a file", .0.display())]
    Exists(PathBuf),
    /// `theme eject` would replace files that are there already.
    #[error(
        "{} of the theme's files already exist{}: {}; dossier never overwrites a file",
        .0.len(),
        if .0.len() == 1 { "s" } else { "" },
        .0.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
    )]
    WouldOverwrite(Vec<PathBuf>),
    /// `init` was pointed at a folder that holds something of its own.
    #[error(
        "{} already holds {}; dossier init creates a site only in a new folder, an empty one, \
         or a fresh clone (dotfiles such as .git, README, LICENSE)",
        if .dir == Path::new(".") { "the current folder".to_owned() } else { .dir.display().to_string() },
        .found.join(", ")
    )]
    NotEmpty {
        /// The folder.
        dir: PathBuf,
        /// A few of the names in it that a fresh clone would not have.
        found: Vec<String>,
    },
    /// `--dossier-repo` is not `OWNER/NAME`.
    #[error("--dossier-repo takes OWNER/NAME, the dossier repository on GitHub (e.g. example/dossier), not '{0}'")]
    BadRepository(String),
    /// The title or name has nothing to make a URL from.
    #[error("cannot make a file name from '{text}': {reason}")]
    BadName {
        /// The title or name.
        text: String,
        /// Why.
        reason: SlugError,
    },
    /// A free page's slug is a section of the site.
    #[error("a page titled '{title}' would be at /{slug}/, which is the {slug} section; choose another title")]
    ReservedPage {
        /// The title.
        title: String,
        /// The slug made from it.
        slug: Slug,
    },
    /// A tag that cannot be a URL.
    #[error("the tag '{tag}' cannot be a URL: {reason}")]
    BadTag {
        /// The tag as given.
        tag: String,
        /// Why.
        reason: SlugError,
    },
    /// Another file of the kind already lives at the slug.
    #[error("{} already uses the slug '{slug}'; two {noun}s cannot share a URL", existing.display())]
    SlugTaken {
        /// The slug.
        slug: Slug,
        /// The file that has it.
        existing: PathBuf,
        /// The kind of file.
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
    /// The disk failed, or the folder is not a site.
    #[error(transparent)]
    Env(#[from] EnvError),
}

/// The site's content as `new` needs it: files, slugs and names.
struct Known {
    /// Every brief, drafts included, in file order.
    briefs: Vec<(Slug, PathBuf)>,
    /// The slugs of draft briefs, which `related:` skips with a warning.
    draft_slugs: HashSet<String>,
    /// Each entity kind's, in id order.
    entities: HashMap<Kind, Vec<(Slug, PathBuf)>>,
    /// Free pages.
    pages: Vec<(Slug, PathBuf)>,
    /// Entity names, aliases and slugs, and the slugs of published briefs.
    lookup: Lookup,
}

impl Known {
    /// Loads the site's content. Files that do not parse are skipped: the
    /// build reports them, and they must not block a new file.
    fn load(root: &Path) -> Result<Known, EnvError> {
        let (content, _) = content::load(root)?;
        let mut lookup = Lookup::default();
        let mut briefs = Vec::new();
        let mut draft_slugs = HashSet::new();
        for brief in &content.briefs {
            let Some(slug) = slug_of(&brief.file, brief.front.slug.as_deref()) else {
                continue;
            };
            if brief.front.draft {
                draft_slugs.insert(slug.as_str().to_owned());
            } else {
                lookup.insert(slug.as_str(), EntityKey::Brief(BriefId::new(briefs.len())));
            }
            briefs.push((slug, brief.file.path.clone()));
        }
        let entities = HashMap::from([
            (Kind::Company, register::<Companies>(&content.companies, &mut lookup)),
            (Kind::Contract, register::<Contracts>(&content.contracts, &mut lookup)),
            (Kind::Author, register::<Authors>(&content.authors, &mut lookup)),
        ]);
        let pages = content
            .pages
            .iter()
            .filter_map(|p| Some((slug_of(&p.file, p.front.slug.as_deref())?, p.file.path.clone())))
            .collect();
        Ok(Known {
            briefs,
            draft_slugs,
            entities,
            pages,
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

    /// The names in `names` nothing of `kind` answers to.
    fn unknown(&self, names: &[String], kind: Kind) -> impl Iterator<Item = UnknownName> {
        names.iter().filter_map(move |name| match self.lookup.find(name, kind) {
            Ok(_) => None,
            Err(miss) => Some(UnknownName {
                kind,
                name: name.clone(),
                suggestion: match miss {
                    Miss::Unknown { suggestion } => suggestion,
                    Miss::Ambiguous(_) => None,
                },
            }),
        })
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

/// A file's slug as the catalog computes it: `slug:`, or the file stem.
fn slug_of(file: &SourceFile, explicit: Option<&str>) -> Option<Slug> {
    match explicit {
        Some(text) => Slug::parse(text).ok(),
        None => Slug::from_file_stem(&file.path.file_stem()?.to_string_lossy()).ok(),
    }
}

/// Writes `content/briefs/YYYY-MM-DD-slug.md`.
pub fn new_brief(root: &Path, spec: &BriefSpec) -> Result<Created, ScaffoldError> {
    let slug = slug_for(&spec.title)?;
    for tag in &spec.tags {
        Slug::from_text(tag).map_err(|reason| ScaffoldError::BadTag {
            tag: tag.clone(),
            reason,
        })?;
    }
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
    let (draft_related, related): (Vec<String>, Vec<String>) = spec
        .related
        .iter()
        .cloned()
        .partition(|name| known.draft_slugs.contains(&normalize(name)));
    let unknown: Vec<UnknownName> = known
        .unknown(&spec.companies, Kind::Company)
        .chain(known.unknown(&spec.contracts, Kind::Contract))
        .chain(known.unknown(&related, Kind::Brief))
        .collect();
    if !unknown.is_empty() && unknown_policy(root)? == UnknownReferences::Error {
        return Err(ScaffoldError::Unknown(unknown));
    }
    let schemas = write_content(root, &path, &brief_text(spec), Subject::Brief)?;
    Ok(Created {
        path,
        unknown,
        draft_related,
        schemas,
    })
}

/// Writes `content/companies/slug.md`.
pub fn new_company(root: &Path, name: &str) -> Result<Created, ScaffoldError> {
    new_entity(root, name, Kind::Company)
}

/// Writes `content/contracts/slug.md`.
pub fn new_contract(root: &Path, name: &str) -> Result<Created, ScaffoldError> {
    new_entity(root, name, Kind::Contract)
}

/// Writes `content/authors/slug.md`. From the first author on, every
/// byline must name one (SPEC §2).
pub fn new_author(root: &Path, name: &str) -> Result<Created, ScaffoldError> {
    new_entity(root, name, Kind::Author)
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
    let (text, subject) = match kind {
        Kind::Company => (company_text(name), Subject::Company),
        Kind::Author => (author_text(name), Subject::Author),
        _ => (contract_text(name), Subject::Contract),
    };
    let schemas = write_content(root, &path, &text, subject)?;
    Ok(Created::plain(path, schemas))
}

/// Writes `content/pages/slug.md`, a free page at `/<slug>/`.
pub fn new_page(root: &Path, title: &str) -> Result<Created, ScaffoldError> {
    let slug = slug_for(title)?;
    if RESERVED_PAGE_SLUGS.contains(&slug.as_str()) {
        return Err(ScaffoldError::ReservedPage {
            title: title.to_owned(),
            slug,
        });
    }
    let path = PathBuf::from(format!("content/pages/{slug}.md"));
    refuse_existing(root, &path)?;
    let known = Known::load(root)?;
    if let Some((_, existing)) = known.pages.iter().find(|(s, _)| *s == slug) {
        return Err(ScaffoldError::SlugTaken {
            slug,
            existing: existing.clone(),
            noun: "page",
        });
    }
    let schemas = write_content(root, &path, &page_text(title), Subject::Page)?;
    Ok(Created::plain(path, schemas))
}

impl Created {
    /// A file that names nothing.
    fn plain(path: PathBuf, schemas: Option<Result<Vec<schema::Written>, SchemaError>>) -> Created {
        Created {
            path,
            unknown: Vec::new(),
            draft_related: Vec::new(),
            schemas,
        }
    }
}

/// Writes a new content file; in a site that keeps editors' schemas,
/// with the line pointing at its own first, and the schemas brought up to
/// date after it (see [`Created::schemas`]).
fn write_content(
    root: &Path,
    path: &Path,
    text: &str,
    subject: Subject,
) -> Result<Option<Result<Vec<schema::Written>, SchemaError>>, ScaffoldError> {
    if !root.join(schema::FOLDER).is_dir() {
        write_new(root, path, text)?;
        return Ok(None);
    }
    write_new(root, path, with_modeline(text, subject, path))?;
    Ok(Some(schema::write_all(root)))
}

/// `text`, a content file starting with its front matter, with the line
/// that points editors at the kind's schema first in it; `path` is where
/// it goes, relative to the site root.
fn with_modeline(text: &str, subject: Subject, path: &Path) -> String {
    let front = text
        .strip_prefix("---\n")
        .expect("a new file starts with its front matter");
    format!("---\n{}\n{front}", subject.modeline(path))
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
fn write_new(root: &Path, relative: &Path, bytes: impl AsRef<[u8]>) -> Result<(), ScaffoldError> {
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
    file.write_all(bytes.as_ref())
        .map_err(|e| EnvError::io("cannot write", &path, e))?;
    Ok(())
}

/// A YAML double-quoted scalar (JSON string syntax is valid YAML).
fn quoted(text: &str) -> String {
    serde_json::Value::from(text).to_string()
}

/// A list item as a writer would type it: plain (`cloud`, `Acme Cloud`)
/// when YAML reads that back as the same text, double-quoted otherwise
/// (`"AT&T"`, `"2020"`, `"yes: no"`).
fn list_item(text: &str) -> String {
    let simple = text.chars().next().is_some_and(char::is_alphanumeric)
        && text
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '.' | '_'))
        && !text.ends_with(' ');
    let reads_back = || {
        crate::yaml::parse::<serde_json::Value>(&format!("k: [{text}]\n"))
            .is_ok_and(|v| v["k"] == serde_json::json!([text]))
    };
    if simple && reads_back() {
        text.to_owned()
    } else {
        quoted(text)
    }
}

fn flow_list(items: &[String]) -> String {
    let items: Vec<String> = items.iter().map(|i| list_item(i)).collect();
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
contracts: {contracts}   # names, slugs or aliases of content/contracts/ entries
related: {related}   # slugs of other briefs (file name without date and .md)
sources: []
#  - name: CNBC
#    url: https://www.cnbc.com/
draft: false           # true keeps it out of the site unless --drafts
# Optional: updated, slug, author, corrections, extra (see the README).
# In the body, [[Name]] links a company, contract, author or brief, [^1] adds a side note.
---
The news in one paragraph: who did what, and why it matters.
"#,
        title = quoted(&spec.title),
        date = spec.date,
        tags = flow_list(&spec.tags),
        companies = flow_list(&spec.companies),
        contracts = flow_list(&spec.contracts),
        related = flow_list(&spec.related),
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
        plain = plain_text(name),
    )
}

fn author_text(name: &str) -> String {
    format!(
        r#"---
name: {name}
aliases: []            # other names bylines use: initials, a short name
role:                  # e.g. Defense technology reporter
links: []
#  - {{ name: Mastodon, url: "https://…" }}
# image: {{ src: people/photo.jpg, alt: {name} }}   # a JPEG or PNG beside this file or under static/
---
Who {plain} is and what they cover, in Markdown.
"#,
        name = quoted(name),
        plain = plain_text(name),
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
#  - {{ date: 2019-10-25, event: Awarded, status: awarded }}   # status: optional, where the event left it
---
What the contract buys, for whom, and where it stands.
"#,
        name = quoted(name),
    )
}

fn page_text(title: &str) -> String {
    let slug = Slug::from_text(title).map(|s| s.to_string()).unwrap_or_default();
    format!(
        r#"---
title: {title}
summary:               # optional: one sentence for search engines and link previews
{slug_line:<22} # optional: the page is at /<slug>/; default: the file name
# extra: {{ key: value }}  # optional: free-form data for templates
# In the body, [[Name]] links a company, contract, author or brief, [^1] adds a side note.
---
What this site covers, who writes it and how to reach the desk, in Markdown.
"#,
        title = quoted(title),
        slug_line = format!("# slug: {slug}"),
    )
}

/// A name for the sample sentence of a body, without Markdown syntax.
fn plain_text(text: &str) -> String {
    text.replace(['[', ']', '<', '>', '*', '_', '`'], "")
}

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
    fn list_items_are_plain_only_when_yaml_reads_them_back() {
        let cases = [
            ("cloud", "cloud"),
            ("Acme Cloud", "Acme Cloud"),
            ("Société Générale", "Société Générale"),
            ("jedi-contract-delayed", "jedi-contract-delayed"),
            ("AT&T", "\"AT&T\""),
            ("2020", "\"2020\""),
            ("1.5", "\"1.5\""),
            ("null", "\"null\""),
            ("true", "\"true\""),
            ("a: b", "\"a: b\""),
            ("a, b", "\"a, b\""),
            ("[x]", "\"[x]\""),
            ("-x", "\"-x\""),
            ("#tag", "\"#tag\""),
            ("C++", "\"C++\""),
        ];
        for (text, expected) in cases {
            assert_eq!(list_item(text), expected, "{text}");
        }
        let items: Vec<String> = cases.iter().map(|(t, _)| (*t).to_owned()).collect();
        let yaml = format!("k: {}\n", flow_list(&items));
        let value: serde_json::Value = crate::yaml::parse(&yaml).expect(&yaml);
        assert_eq!(value["k"], serde_json::json!(items), "{yaml}");
    }
}
