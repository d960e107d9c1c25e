//! Old URLs: the `aliases:` entries that are paths
//! (`/2020/08/18/microsoft-foreign-cloud/`), each a redirect page written at
//! that old address and leading to the page that moved. GitHub Pages has no
//! server redirects, so a page with a meta refresh is how old links keep
//! working.
//!
//! Briefs and free pages have no other names, so every alias of theirs is an
//! old URL; an entity's `aliases:` are other names (`MSFT`) except the
//! entries that are addresses ([`is_address`]), so every entity kind gets
//! redirects through the shared entity code.
//!
//! Two checks, both reported at the alias's line in its file: the model
//! stage checks each alias and the aliases against each other
//! ([`Collector`]); once every output file is known, after rendering,
//! [`collisions`] checks them against everything else written (pages,
//! feeds, static and hosting files). This module never decides where a
//! file goes: `routes` does ([`UrlPath::alias`]), so no alias can leave the
//! output folder.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::content::SourceFile;
use crate::diag::{Diagnostic, Diagnostics, Position, Severity, Snippet};
use crate::routes::{AliasError, BaseUrl, OutputPath, UrlPath, split_address};

use super::catalog::{Catalog, RESERVED_PAGE_SLUGS};
use super::kind::Kind;

/// An old address that leads to a page of the site.
#[derive(Debug, Clone)]
pub struct Redirect {
    /// The old address, relative to the base path: where the redirect page
    /// is written.
    pub from: UrlPath,
    /// The alias as the writer wrote it, for messages.
    pub written: String,
    /// The page it leads to.
    pub target: UrlPath,
    /// That page's headline or name, for the redirect page's title and link.
    pub title: String,
    /// Where the alias is written, for the checks made after rendering,
    /// when the file's text is gone.
    pub at: Place,
}

impl Redirect {
    /// What the output stage calls the redirect's file in messages; also
    /// how [`collisions`] tells redirect files from the others.
    pub fn origin(&self) -> String {
        format!("the alias '{}' in {}", self.written, self.at.path.display())
    }
}

/// A place in a content file, kept for a check that runs when the file's
/// text is no longer at hand.
#[derive(Debug, Clone)]
pub struct Place {
    path: PathBuf,
    position: Option<Position>,
    snippet: Option<Snippet>,
}

impl Place {
    /// The place of `width` characters at byte `offset` of `file`'s front matter.
    fn of(file: &SourceFile, offset: usize, width: usize) -> Place {
        let Diagnostic {
            path,
            position,
            snippet,
            ..
        } = file.yaml_error(offset, width, String::new());
        Place {
            path,
            position,
            snippet,
        }
    }

    /// An error at this place.
    fn error(&self, message: String) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            path: self.path.clone(),
            position: self.position,
            message,
            snippet: self.snippet.clone(),
            help: None,
        }
    }

    /// `file:line`, to name the place in another diagnostic's message.
    fn describe(&self) -> String {
        match self.position {
            Some(p) => format!("{}:{}", self.path.display(), p.line),
            None => self.path.display().to_string(),
        }
    }
}

/// Whether an entity's `aliases:` entry is an old address rather than
/// another name: it starts with `/`, or with a scheme and `://`
/// (`https://…`, refused later with a message saying why).
pub fn is_address(alias: &str) -> bool {
    let alias = alias.trim();
    let scheme = alias.split_once("://").map(|(scheme, _)| scheme);
    alias.starts_with('/')
        || scheme.is_some_and(|s| {
            s.starts_with(|c: char| c.is_ascii_alphabetic())
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        })
}

/// The page an alias leads to.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    /// Its address.
    pub path: &'a UrlPath,
    /// Its headline or name.
    pub title: &'a str,
}

/// The redirects of a site, collected file by file in the model stage:
/// each alias checked on its own and against those before it.
#[derive(Debug)]
pub struct Collector<'b> {
    base: &'b BaseUrl,
    redirects: Vec<Redirect>,
    /// The index of the redirect on each output file, by the file's path
    /// in lower case (two paths that differ only in case are one file on
    /// most laptops).
    by_file: HashMap<String, usize>,
}

impl<'b> Collector<'b> {
    /// No redirects yet, for a site at `base`.
    pub fn new(base: &'b BaseUrl) -> Collector<'b> {
        Collector {
            base,
            redirects: Vec::new(),
            by_file: HashMap::new(),
        }
    }

    /// The redirects of a brief or free page to `target`: every entry of
    /// its `aliases:` is an old address.
    pub fn add_page(&mut self, file: &SourceFile, aliases: &[String], target: Target<'_>, d: &mut Diagnostics) {
        self.add(file, aliases, |_| true, target, d);
    }

    /// The redirects of an entity to `target`: the entries of its
    /// `aliases:` that are addresses ([`is_address`]); the others are names.
    pub fn add_entity(&mut self, file: &SourceFile, aliases: &[String], target: Target<'_>, d: &mut Diagnostics) {
        self.add(file, aliases, is_address, target, d);
    }

    fn add(
        &mut self,
        file: &SourceFile,
        aliases: &[String],
        is_old_url: impl Fn(&str) -> bool,
        target: Target<'_>,
        d: &mut Diagnostics,
    ) {
        if !aliases.iter().any(|a| is_old_url(a)) {
            return;
        }
        let offsets = file.value_offsets("aliases", &aliases.iter().map(String::as_str).collect::<Vec<_>>());
        for (alias, offset) in aliases.iter().zip(offsets) {
            if !is_old_url(alias) {
                continue;
            }
            let at = Place::of(file, offset, alias.chars().count().max(1));
            let written = alias.trim().to_owned();
            let from = match UrlPath::alias(&written) {
                Ok(from) => from,
                Err(e) => {
                    d.push(self.refusal(&at, &written, &e, target));
                    continue;
                }
            };
            if let Some(warning) = self.repeated_base_path(&at, &written, &from) {
                d.push(warning);
            }
            let redirect = Redirect {
                from,
                written,
                target: target.path.clone(),
                title: target.title.to_owned(),
                at,
            };
            let key = redirect.from.output_file().as_str().to_lowercase();
            if let Some(&first) = self.by_file.get(&key) {
                d.push(duplicate(&self.redirects[first], &redirect));
                continue;
            }
            self.by_file.insert(key, self.redirects.len());
            self.redirects.push(redirect);
        }
    }

    /// Every redirect collected, in the order of their files.
    pub fn finish(self) -> Vec<Redirect> {
        self.redirects
    }

    /// The error for an alias [`UrlPath::alias`] refuses, with what to
    /// write instead where that can be told.
    fn refusal(&self, at: &Place, written: &str, why: &AliasError, target: Target<'_>) -> Diagnostic {
        let base = self.base;
        let error = |message: String| at.error(message);
        let invalid = || error(format!("invalid alias '{written}': {why}"));
        let home = base.abs_url(&UrlPath::home());
        match why {
            AliasError::Absolute => match (base.relative_path_of(written), split_address(written)) {
                (Some(path), _) => invalid().with_help(format!("write it as a path from the site's base URL: {path}")),
                (None, Some((origin, _))) if origin.eq_ignore_ascii_case(base.origin()) => error(format!(
                    "invalid alias '{written}': it is outside this site, whose base URL is {home}; the other paths of that host belong to other sites, and a redirect is only written under the base URL"
                ))
                .with_help("remove it; a site cannot keep the links of another"),
                (None, Some((origin, path))) if !base.origin().is_empty() && origin.starts_with("http") => error(
                    format!(
                        "invalid alias '{written}': it is an address on another host; a redirect is only written on this site, under {home}"
                    ),
                )
                .with_help(format!(
                    "remove it; if the page once lived at {path} of this site, write that path from the site's base URL"
                )),
                (None, Some((_, path))) => invalid().with_help(format!(
                    "write the part of the address after the site's base URL, starting with / (perhaps {path})"
                )),
                (None, None) => {
                    invalid().with_help("write the old address as a path from the site's base URL, starting with /")
                }
            },
            AliasError::Relative => {
                let parent = target.path.as_str().trim_end_matches('/');
                let parent = parent.rsplit_once('/').map_or("", |(p, _)| p);
                let guess = format!("/{parent}{}{}/", if parent.is_empty() { "" } else { "/" }, written);
                let help = match UrlPath::alias(&guess) {
                    Ok(_) if !written.is_empty() => format!(
                        "write the old address from the site's base URL, starting with /; if '{written}' is an old slug, that is {guess}"
                    ),
                    _ => "write the old address from the site's base URL, starting with /".to_owned(),
                };
                invalid().with_help(help)
            }
            AliasError::Blank(c) if c.is_whitespace() => invalid().with_help("write a space in an address as %20"),
            AliasError::Query | AliasError::Fragment => {
                let path = written.split(['?', '#']).next().unwrap_or(written);
                invalid().with_help(format!(
                    "remove the {} part; the redirect at {path} serves every address that differs only there",
                    if matches!(why, AliasError::Query) {
                        "?…"
                    } else {
                        "#…"
                    }
                ))
            }
            AliasError::Climbs => invalid().with_help("write the old address from the site's base URL, without '..'"),
            AliasError::EmptySegment | AliasError::Separator => {
                invalid().with_help("write the folders of the old address with single slashes: /2020/08/old-story/")
            }
            AliasError::BadEscape => {
                invalid().with_help("write the characters themselves (/café/), or %25 for a % sign")
            }
            AliasError::Device(_) => invalid().with_help("give the folder or file another name"),
            AliasError::Hidden(_) | AliasError::Blank(_) | AliasError::TooLong => invalid(),
        }
    }

    /// A warning for an alias that starts with the site's base path
    /// (`/repo/2020/x/` on a site at `/repo/`): aliases are relative to the
    /// base path, so its redirect is served at `/repo/repo/2020/x/`, which
    /// is seldom what the writer copied. Not when the folder after the base
    /// path is a section of the site (`/briefs/…` on a site at `/briefs/`):
    /// that is a real old address of a brief.
    fn repeated_base_path(&self, at: &Place, written: &str, from: &UrlPath) -> Option<Diagnostic> {
        let base = self.base.path();
        let inside = base.strip_prefix('/').filter(|b| !b.is_empty())?;
        let rest = from.as_str().strip_prefix(inside)?;
        let first = base.trim_matches('/').split('/').next().unwrap_or("");
        let sections = [Kind::Brief].into_iter().chain(Kind::ENTITIES).map(Kind::plural);
        if sections.chain(RESERVED_PAGE_SLUGS).any(|s| s == first) {
            return None;
        }
        let served = self.base.url(from);
        Some(
            at.error(format!(
                "the alias '{written}' starts with the base path {base}: aliases are paths from the base path, so this redirect is served at {served}"
            ))
            .with_help(format!("if the old address was {}{rest}, write /{rest}", base))
            .into_warning(),
        )
    }
}

/// Two aliases on one output file: an error at the second, naming the first.
fn duplicate(first: &Redirect, second: &Redirect) -> Diagnostic {
    let same_case = first.from == second.from;
    let message = match (first.at.path == second.at.path, same_case) {
        (true, true) => format!(
            "the alias '{}' is the same old URL as '{}' above",
            second.written, first.written
        ),
        (true, false) => format!(
            "the alias '{}' differs only in letter case from '{}' above; most laptops cannot hold both redirects",
            second.written, first.written
        ),
        (false, true) => format!(
            "the alias '{}' is also an alias of {} ('{}'): an old URL can lead to one page only",
            second.written,
            first.at.describe(),
            first.written
        ),
        (false, false) => format!(
            "the alias '{}' differs only in letter case from '{}' of {}; most laptops cannot hold both redirects",
            second.written,
            first.written,
            first.at.describe()
        ),
    };
    second.at.error(message).with_help("remove one of them")
}

/// One output file, by its path, with what made it (`page /x/`,
/// `static/x.png`, [`Redirect::origin`]).
pub type Written = (OutputPath, String);

/// The redirects of `catalog` against every other file of the output:
/// an error at the alias for each that lands on another file, differs
/// from one only in letter case, needs a folder where a file is, or would
/// be a file where a folder is. Returns those errors and the files that
/// are not redirects, for the output stage's own check.
pub fn collisions<'f>(catalog: &Catalog, files: &'f [Written]) -> (Diagnostics, Vec<&'f Written>) {
    let mut d = Diagnostics::default();
    let redirects = &catalog.redirects;
    if redirects.is_empty() {
        return (d, files.iter().collect());
    }
    let by_origin: HashMap<String, &Redirect> = redirects.iter().map(|r| (r.origin(), r)).collect();
    let redirect_of = |(path, origin): &Written| by_origin.get(origin).filter(|r| r.from.output_file() == *path);
    let (mine, others): (Vec<&Written>, Vec<&Written>) = files.iter().partition(|f| redirect_of(f).is_some());
    let mut exact: HashMap<&str, &str> = HashMap::new();
    let mut folded: HashMap<String, (&str, &str)> = HashMap::new();
    let mut folders: HashMap<&str, &str> = HashMap::new();
    for (path, origin) in &others {
        exact.entry(path.as_str()).or_insert(origin);
        folded
            .entry(path.as_str().to_lowercase())
            .or_insert((path.as_str(), origin));
        for (i, _) in path.as_str().match_indices('/') {
            folders.entry(&path.as_str()[..i]).or_insert(path.as_str());
        }
    }
    let every_file: HashMap<&str, &str> = (mine.iter().chain(&others))
        .map(|(p, o)| (p.as_str(), o.as_str()))
        .collect();
    for written in mine {
        let Some(redirect) = redirect_of(written) else { continue };
        let path = written.0.as_str();
        let lands = |what: String, other: &Other| {
            (redirect.at)
                .error(format!("the alias '{}' {what}", redirect.written))
                .with_help(other.help.clone())
        };
        let other = |origin: &str, path: &str| Other::of(catalog, origin, path);
        if let Some(origin) = exact.get(path) {
            let other = other(origin, path);
            d.push(lands(
                format!("lands on /{path}, where {} is written", other.name),
                &other,
            ));
        } else if let Some((folded, origin)) = folded.get(&path.to_lowercase()) {
            let other = other(origin, folded);
            let what = format!(
                "lands on /{path}, which differs only in letter case from /{folded} ({}); most laptops cannot hold both",
                other.name
            );
            d.push(lands(what, &other));
        } else if let Some(inside) = folders.get(path) {
            let other = other(every_file[inside], inside);
            let what = format!("would be the file /{path}, but that is a folder holding {}", other.name);
            d.push(lands(what, &other));
        } else if let Some((folder, origin)) = (path.match_indices('/'))
            .map(|(i, _)| &path[..i])
            .find_map(|folder| every_file.get(folder).map(|o| (folder, *o)))
        {
            let other = other(origin, folder);
            d.push(lands(
                format!("needs a folder /{folder}/, but {} is a file there", other.name),
                &other,
            ));
        }
    }
    (d, others)
}

/// What is in an alias's way, in a message's words.
struct Other {
    /// What made it: `static/x.png`, `the page /tags/x/`, and for the page
    /// of a brief, entity or free page, the file it comes from.
    name: String,
    /// What the writer can do about it.
    help: String,
}

impl Other {
    fn of(catalog: &Catalog, origin: &str, path: &str) -> Other {
        let page = origin.strip_prefix("page ");
        match (page, page_source(catalog, path)) {
            (Some(url), Some(file)) => Other {
                name: format!("the page of {} ({url})", file.display()),
                help: format!(
                    "remove the alias: the page of {} lives at that address now",
                    file.display()
                ),
            },
            (Some(url), None) => Other {
                name: format!("the page {url}"),
                help: "remove the alias: a page of the site lives at that address".to_owned(),
            },
            (None, _) if origin.starts_with("static/") => Other {
                name: origin.to_owned(),
                help: format!("remove the alias, or move {origin}"),
            },
            (None, _) => Other {
                name: origin.to_owned(),
                help: "remove the alias: the site writes that file".to_owned(),
            },
        }
    }
}

/// The content file whose page is written at `path`, if it is the page of
/// a brief, an entity or a free page.
fn page_source<'c>(catalog: &'c Catalog, path: &str) -> Option<&'c Path> {
    let folder = path.strip_suffix("/index.html")?;
    match folder.split_once('/') {
        None => catalog
            .pages
            .iter()
            .find(|p| p.slug.as_str() == folder)
            .map(|p| p.path.as_path()),
        Some((section, slug)) => {
            let kind = [Kind::Brief]
                .into_iter()
                .chain(Kind::ENTITIES)
                .find(|k| k.plural() == section)?;
            let key = catalog.lookup.find(slug, kind).ok()?;
            (catalog.slug(key).as_str() == slug).then(|| catalog.path(key))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_told_from_names() {
        for address in [
            "/old/",
            " /2020/x.html",
            "https://example.com/x/",
            "//example.com/x",
            "HTTP://x",
        ] {
            assert!(is_address(address), "{address}");
        }
        for name in [
            "MSFT",
            "Microsoft Corporation",
            "the Redmond giant",
            "AT&T",
            "Project: JEDI",
            "a // b",
            "X//Y",
        ] {
            assert!(!is_address(name), "{name}");
        }
    }
}
