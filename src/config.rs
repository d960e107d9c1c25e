//! `dossier.yaml`: the site's settings, read once at the start of a build.
//!
//! [`RawConfig`] mirrors the file (unknown keys are an error); [`Config`] is
//! the validated form the rest of the pipeline sees, with defaults filled in.

use std::num::NonZeroUsize;
use std::path::Path;

use serde::Deserialize;

use crate::diag::{Diagnostic, EnvError, Position};
use crate::routes::BaseUrl;
use crate::yaml::{self, Field};

/// The configuration file's name, at the site root.
pub const FILE_NAME: &str = "dossier.yaml";

/// What to do with raw HTML inside Markdown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum RawHtml {
    /// Keep harmless tags, drop scripts, event handlers and dangerous URLs.
    #[default]
    Sanitize,
    /// Show the HTML as text.
    Escape,
    /// Pass it through untouched (only for trusted writers).
    Allow,
}

/// What an unknown company, contract or related brief means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum UnknownReferences {
    /// Fail the build.
    #[default]
    Error,
    /// Warn, and give unknown companies and contracts a stub page.
    Warn,
}

/// Every dossier.yaml key in a writer's words, for shape errors
/// (`briefs_per_page: twenty`) and the descriptions of its JSON Schema. A
/// test holds it to [`RawConfig`].
pub const FIELDS: &[Field] = &[
    Field::new(
        "",
        "settings written one per line as key: value",
        "write one setting per line, e.g. title: Defense Cloud Briefs",
    ),
    Field::new("title", "text", "e.g. title: Defense Cloud Briefs"),
    Field::new(
        "base_url",
        "a URL or a path",
        "e.g. base_url: https://user.github.io/repo/",
    ),
    Field::new(
        "description",
        "text",
        "e.g. description: Annotated news on government cloud contracts.",
    ),
    Field::new("language", "a language tag", "e.g. language: en"),
    Field::new("theme", "a theme's folder name", "e.g. theme: default"),
    Field::new(
        "briefs_per_page",
        "a whole number of 1 or more",
        "e.g. briefs_per_page: 20",
    ),
    Field::new("author", "a name", "e.g. author: Jane Doe"),
    Field::new("cname", "a domain name", "e.g. cname: briefs.example.com"),
    Field::new("feed_limit", "a whole number of 1 or more", "e.g. feed_limit: 50"),
    Field::new("raw_html", "one of sanitize, escape, allow", "e.g. raw_html: sanitize"),
    Field::new(
        "unknown_references",
        "one of error, warn",
        "e.g. unknown_references: warn",
    ),
    Field::new(
        "highlight_theme",
        "the name of a highlighting theme",
        "e.g. highlight_theme: InspiredGitHub",
    ),
    Field::new("strict", "true or false", "e.g. strict: true"),
    Field::new(
        "related_limit",
        "a whole number of 0 or more",
        "e.g. related_limit: 4 (0 shows declared related stories only)",
    ),
    Field::new(
        "social_cards",
        "true or false",
        "write social_cards: false to send no generated card (the site's image: is then the fallback)",
    ),
    Field::new(
        "search",
        "true or false",
        "write search: false to build no search page or index",
    ),
    Field::new(
        "image",
        "a file under static/",
        "e.g. image: share.png (a picture under static/ that link previews show when a page has none)",
    ),
];

/// dossier.yaml as written; its JSON Schema (`dossier schema`) is derived
/// from it.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    title: Option<String>,
    base_url: Option<String>,
    description: Option<String>,
    language: Option<String>,
    theme: Option<String>,
    briefs_per_page: Option<NonZeroUsize>,
    author: Option<String>,
    cname: Option<String>,
    feed_limit: Option<NonZeroUsize>,
    raw_html: Option<RawHtml>,
    unknown_references: Option<UnknownReferences>,
    highlight_theme: Option<String>,
    strict: Option<bool>,
    related_limit: Option<usize>,
    social_cards: Option<bool>,
    search: Option<bool>,
    image: Option<String>,
}

/// The validated site configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Site title.
    pub title: String,
    /// Where the site is served, possibly under a sub-path.
    pub base_url: BaseUrl,
    /// One-line description for feeds and meta tags.
    pub description: String,
    /// BCP 47 language tag for `<html lang>`.
    pub language: String,
    /// Theme folder name under `themes/` (or the built-in `default`).
    pub theme: String,
    /// Briefs per listing page.
    pub briefs_per_page: NonZeroUsize,
    /// Default author of briefs.
    pub author: Option<String>,
    /// Custom domain written to `CNAME`.
    pub cname: Option<String>,
    /// Entries per Atom feed.
    pub feed_limit: NonZeroUsize,
    /// Raw HTML policy.
    pub raw_html: RawHtml,
    /// Unknown reference policy.
    pub unknown_references: UnknownReferences,
    /// syntect theme for code, light mode.
    pub highlight_theme: String,
    /// Warnings fail the build, as `--strict` does (for CI).
    pub strict: bool,
    /// The warning a build that writes the site gives because `base_url`
    /// has no host ([`relative_urls_warning`]), pointing at where it was
    /// set; `None` when it has one.
    pub relative_urls: Option<Diagnostic>,
    /// How many suggested related stories a brief shows after its declared
    /// ones (0: declared only); see [`crate::model::related`].
    pub related_limit: usize,
    /// Whether a brief without a lead image gets a generated social card
    /// as its `og:image` (SPEC §1; default true).
    pub social_cards: bool,
    /// Whether the build writes `/search/` and its index (SPEC §4,
    /// docs/search.md; default true).
    pub search: bool,
    /// The site-wide fallback `og:image`: a path under `static/`, as
    /// written (checked when the static files are known).
    pub image: Option<SiteImage>,
}

/// The site-wide `image:`: its path under `static/` as written, and where
/// it was written, for the render stage, which knows the static files and
/// reports a missing or unreadable picture there.
#[derive(Debug, Clone)]
pub struct SiteImage {
    /// The path under `static/`, as written.
    pub path: String,
    /// An error placed at the `image:` key, for the message to be filled in.
    pub at: Diagnostic,
}

/// Suggested related stories per brief when `related_limit` is not set:
/// a short list beside the declared ones, as the issue asked.
pub const DEFAULT_RELATED_LIMIT: usize = 4;

/// Default syntect theme when `highlight_theme` is not set.
pub const DEFAULT_HIGHLIGHT_THEME: &str = "InspiredGitHub";

impl Config {
    /// Reads `dossier.yaml` under `root`; a missing file means defaults.
    ///
    /// Content errors come back as diagnostics; an unreadable file is an
    /// environment error.
    pub fn load(root: &Path) -> Result<Result<Config, Vec<Diagnostic>>, EnvError> {
        let path = root.join(FILE_NAME);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(EnvError::io("cannot read", &path, e)),
        };
        let folder_name = root
            .canonicalize()
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| "dossier".to_owned());
        Ok(Config::parse(&text, &folder_name))
    }

    /// Parses the text of `dossier.yaml`; `folder_name` is the default title.
    pub fn parse(text: &str, folder_name: &str) -> Result<Config, Vec<Diagnostic>> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let raw: RawConfig = yaml::parse(text).map_err(|e| {
            let mut d = Diagnostic::error(FILE_NAME, String::new());
            if let Some(p) = e.position {
                d = d.at(text, p, 1);
            }
            let line = d.snippet.as_ref().map_or("", |s| s.line.as_str());
            let (message, help) = yaml::describe(&e, FIELDS, line);
            d.message = message;
            d.help = help;
            if e.message.contains("unknown field") {
                d = d.with_help("see the dossier.yaml keys in the README; remove or rename this key");
            }
            vec![d]
        })?;
        Config::validate(raw, text, folder_name)
    }

    fn validate(raw: RawConfig, text: &str, folder_name: &str) -> Result<Config, Vec<Diagnostic>> {
        let RawConfig {
            title,
            base_url,
            description,
            language,
            theme,
            briefs_per_page,
            author,
            cname,
            feed_limit,
            raw_html,
            unknown_references,
            highlight_theme,
            strict,
            related_limit,
            social_cards,
            search,
            image,
        } = raw;
        let mut errors = Vec::new();
        let mut relative_urls = None;
        let key_error = |key: &str, message: String| {
            let d = Diagnostic::error(FILE_NAME, message);
            match key_position(text, key) {
                Some(p) => d.at(text, p, key.len()),
                None => d,
            }
        };
        let base_url = match BaseUrl::parse(base_url.as_deref().unwrap_or("/")) {
            Ok(b) => {
                let at = match &base_url {
                    Some(written) => BaseUrlFrom::Key(key_error("base_url", String::new()), written),
                    None => BaseUrlFrom::Default,
                };
                relative_urls = relative_urls_warning(&b, at);
                b
            }
            Err(why) => {
                errors.push(
                    key_error("base_url", format!("invalid base_url: {why}"))
                        .with_help("use an absolute URL such as https://user.github.io/repo/ or a path such as /"),
                );
                BaseUrl::root()
            }
        };
        let theme = theme.unwrap_or_else(|| "default".to_owned());
        if crate::slug::Slug::parse(&theme).is_err()
            && !theme.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            errors.push(
                key_error("theme", format!("invalid theme name '{theme}'"))
                    .with_help("a theme is a folder name under themes/"),
            );
        }
        if let Some(c) = &cname
            && (c.is_empty() || c.contains(['/', ':', ' ']))
        {
            errors.push(key_error(
                "cname",
                format!("invalid cname '{c}': expected a bare domain such as briefs.example.com"),
            ));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Config {
            title: title.unwrap_or_else(|| folder_name.to_owned()),
            base_url,
            description: description.unwrap_or_default(),
            language: language.unwrap_or_else(|| "en".to_owned()),
            theme,
            briefs_per_page: briefs_per_page.unwrap_or(NonZeroUsize::new(20).expect("20 is not zero")),
            author,
            cname,
            feed_limit: feed_limit.unwrap_or(NonZeroUsize::new(50).expect("50 is not zero")),
            raw_html: raw_html.unwrap_or_default(),
            unknown_references: unknown_references.unwrap_or_default(),
            highlight_theme: highlight_theme.unwrap_or_else(|| DEFAULT_HIGHLIGHT_THEME.to_owned()),
            strict: strict.unwrap_or(false),
            relative_urls,
            related_limit: related_limit.unwrap_or(DEFAULT_RELATED_LIMIT),
            social_cards: social_cards.unwrap_or(true),
            search: search.unwrap_or(true),
            image: image.map(|path| SiteImage {
                at: key_error("image", String::new()),
                path,
            }),
        })
    }
}

/// Where a base URL was set, for pointing a warning at it.
#[derive(Debug)]
pub enum BaseUrlFrom<'a> {
    /// Nowhere: the default, `/`.
    Default,
    /// dossier.yaml's `base_url:`, as written, and a diagnostic placed at the key.
    Key(Diagnostic, &'a str),
    /// The command line's `--base-url`, as given.
    Flag(&'a str),
}

/// The warning for a base URL without a host (SPEC §4), or `None` when it
/// has one. Feeds and the sitemap must give absolute URLs (Atom ids and
/// links, sitemap `<loc>`s), which need a host; without one they carry
/// root-relative paths that feed readers and search engines cannot follow.
/// Pages themselves link root-relatively and work anywhere.
pub fn relative_urls_warning(base: &BaseUrl, from: BaseUrlFrom<'_>) -> Option<Diagnostic> {
    if !base.origin().is_empty() {
        return None;
    }
    const CONSEQUENCE: &str = "has no host, so the Atom feeds and sitemap.xml carry relative URLs, \
                               which feed readers and search engines cannot follow";
    let diagnostic = match from {
        BaseUrlFrom::Default => Diagnostic::error(
            FILE_NAME,
            format!("base_url is not set, and the default, '/', {CONSEQUENCE}"),
        )
        .with_help(
            "add base_url: with the address the site is published at, e.g. base_url: https://user.github.io/repo/",
        ),
        BaseUrlFrom::Key(at, written) => Diagnostic {
            message: format!("base_url '{}' {CONSEQUENCE}", written.trim()),
            ..at
        }
        .with_help(
            "set base_url to the address the site is published at, e.g. base_url: https://user.github.io/repo/, \
             or give it with --base-url when building",
        ),
        BaseUrlFrom::Flag(given) => Diagnostic::error("--base-url", format!("'{}' {CONSEQUENCE}", given.trim()))
            .with_help("give the address the site is published at, e.g. --base-url https://user.github.io/repo/"),
    };
    Some(diagnostic.into_warning())
}

/// The position of a top-level `key:` in YAML text, for pointing at it.
pub fn key_position(text: &str, key: &str) -> Option<Position> {
    let lines = crate::diag::lines_with_endings(text).map(crate::diag::trim_line_ending);
    lines.enumerate().find_map(|(i, line)| {
        let rest = line.strip_prefix(key)?;
        rest.trim_start()
            .starts_with(':')
            .then_some(Position { line: i + 1, column: 1 })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_file_means_defaults() {
        let c = Config::parse("", "mysite").unwrap();
        assert_eq!(c.title, "mysite");
        assert_eq!(c.base_url.path(), "/");
        assert_eq!(c.briefs_per_page.get(), 20);
    }

    #[test]
    fn a_base_url_without_a_host_is_warned_about_where_it_was_set() {
        let set = Config::parse("title: x\nbase_url: /repo/\n", "s").unwrap();
        let warning = set.relative_urls.expect("a warning").to_string();
        assert!(warning.starts_with("warning: dossier.yaml:2:1: base_url '/repo/' has no host, so the Atom feeds and sitemap.xml carry relative URLs"), "{warning}");
        assert!(
            warning.contains("= help: set base_url to the address the site is published at"),
            "{warning}"
        );
        let default = Config::parse("title: x\n", "s").unwrap();
        let warning = default.relative_urls.expect("a warning").to_string();
        assert!(
            warning.starts_with("warning: dossier.yaml: base_url is not set, and the default, '/', has no host"),
            "{warning}"
        );
        let flag = relative_urls_warning(&BaseUrl::root(), BaseUrlFrom::Flag("/"))
            .unwrap()
            .to_string();
        assert!(flag.starts_with("warning: --base-url: '/' has no host"), "{flag}");
        for full in ["https://user.github.io/repo/", "http://localhost:1111"] {
            let c = Config::parse(&format!("base_url: {full}\n"), "s").unwrap();
            assert!(c.relative_urls.is_none(), "{full}");
        }
    }

    #[test]
    fn unknown_keys_are_errors_with_a_position() {
        let errs = Config::parse("title: x\nbase_ulr: /\n", "s").unwrap_err();
        let text = errs[0].to_string();
        assert!(text.contains("dossier.yaml:2:"), "{text}");
        assert!(text.contains("base_ulr"), "{text}");
    }

    #[test]
    fn every_key_has_a_row_in_the_table_of_fields() {
        let errs = Config::parse("zzz: 1\n", "s").unwrap_err();
        let (_, expected) = errs[0].message.split_once("expected one of ").unwrap();
        let keys: Vec<&str> = expected.split('\'').skip(1).step_by(2).collect();
        assert_eq!(keys.len(), FIELDS.len() - 1, "{keys:?}");
        for key in keys {
            assert!(FIELDS.iter().any(|f| f.path == key), "no row for '{key}'");
        }
    }

    #[test]
    fn shape_errors_are_in_the_writers_words() {
        for row in FIELDS {
            let text = if row.path.is_empty() {
                "[1]\n".to_owned()
            } else {
                format!("{}: [1]\n", row.path)
            };
            let errs = Config::parse(&text, "s").unwrap_err();
            let d = &errs[0];
            for internal in ["Raw", "struct", "enum", "invalid type", "usize"] {
                assert!(!d.message.contains(internal), "{d}");
            }
            assert!(
                d.message.contains(&format!("expected {}, found a list", row.holds)),
                "{d}"
            );
            assert_eq!(d.help.as_deref(), Some(row.help), "{d}");
        }
        let errs = Config::parse("title: x\nbriefs_per_page: 0\n", "s").unwrap_err();
        assert_eq!(
            errs[0].message,
            "briefs_per_page: expected a whole number of 1 or more, found the number 0"
        );
        assert_eq!(errs[0].position, Some(Position { line: 2, column: 18 }));
    }

    #[test]
    fn related_limit_is_a_whole_number_of_zero_or_more() {
        assert_eq!(Config::parse("", "s").unwrap().related_limit, 4);
        assert_eq!(Config::parse("related_limit: 0\n", "s").unwrap().related_limit, 0);
        assert_eq!(Config::parse("related_limit: 12\n", "s").unwrap().related_limit, 12);
        for (value, found) in [
            ("-1", "found the number -1"),
            ("four", "found the text \"four\""),
            ("2.5", "found the number 2.5"),
        ] {
            let errs = Config::parse(&format!("title: x\nrelated_limit: {value}\n"), "s").unwrap_err();
            let d = &errs[0];
            assert_eq!(
                d.message,
                format!("related_limit: expected a whole number of 0 or more, {found}"),
                "{d}"
            );
            assert_eq!(d.position, Some(Position { line: 2, column: 16 }), "{d}");
        }
    }

    #[test]
    fn bad_base_urls_are_errors() {
        let errs = Config::parse("base_url: ftp://x\n", "s").unwrap_err();
        assert!(errs[0].to_string().contains("dossier.yaml:1:1"), "{}", errs[0]);
    }
}
