//! JSON Schemas of `dossier.yaml` and of each kind's front matter, for
//! editors that complete and check YAML as a writer types
//! (yaml-language-server: VS Code's YAML extension, Neovim, Helix, Zed).
//!
//! They are derived (schemars) from the very structs that parse the files
//! (`config::RawConfig`, `content::raw`), so they cannot drift from what a
//! build accepts; the tables of fields in a writer's words that explain
//! shape errors (`FIELDS`) give every property its description. A schema
//! is looser than the build where JSON Schema cannot say a rule (an unknown
//! company, 30 February): `dossier check` stays the authority.
//!
//! `dossier schema` writes them into `schemas/` at the site root; `init`
//! and `new` write them too, and point each file at its schema with a
//! `# yaml-language-server: $schema=…` line.

use std::fmt;
use std::fs;
use std::path::{Component, Path, PathBuf};

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema};
use serde_json::Value;

use crate::config::{self, RawConfig};
use crate::content::raw::{self, RawAuthor, RawBrief, RawCompany, RawContract, RawPage};
use crate::diag::EnvError;
use crate::yaml::Field;

/// The folder, under the site root, that holds the schemas.
pub const FOLDER: &str = "schemas";

/// What a schema file starts with (its `$comment`), by which dossier knows
/// the files it wrote and never replaces one it did not.
const MARK: &str = "Written by `dossier schema`";

/// The files a schema describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Subject {
    /// `dossier.yaml`.
    Config,
    /// A brief's front matter.
    Brief,
    /// A company's front matter.
    Company,
    /// A contract's front matter.
    Contract,
    /// An author's front matter.
    Author,
    /// A free page's front matter.
    Page,
}

impl Subject {
    /// Every subject, in the order `dossier schema` lists them.
    pub const ALL: [Subject; 6] = [
        Subject::Config,
        Subject::Brief,
        Subject::Company,
        Subject::Contract,
        Subject::Author,
        Subject::Page,
    ];

    /// Its file's name in [`FOLDER`].
    pub fn file_name(self) -> &'static str {
        match self {
            Subject::Config => "dossier.schema.json",
            Subject::Brief => "brief.schema.json",
            Subject::Company => "company.schema.json",
            Subject::Contract => "contract.schema.json",
            Subject::Author => "author.schema.json",
            Subject::Page => "page.schema.json",
        }
    }

    /// What an editor says the file is.
    fn description(self) -> &'static str {
        match self {
            Subject::Config => "The settings of a dossier site, at its root.",
            Subject::Brief => "A brief: the YAML between the --- lines at the top of a file under content/briefs/.",
            Subject::Company => {
                "A company: the YAML between the --- lines at the top of a file under content/companies/."
            }
            Subject::Contract => {
                "A contract: the YAML between the --- lines at the top of a file under content/contracts/."
            }
            Subject::Author => "An author: the YAML between the --- lines at the top of a file under content/authors/.",
            Subject::Page => "A free page: the YAML between the --- lines at the top of a file under content/pages/.",
        }
    }

    /// What an editor shows as the schema's title.
    fn title(self) -> &'static str {
        match self {
            Subject::Config => "dossier.yaml",
            Subject::Brief => "dossier brief front matter",
            Subject::Company => "dossier company front matter",
            Subject::Contract => "dossier contract front matter",
            Subject::Author => "dossier author front matter",
            Subject::Page => "dossier page front matter",
        }
    }

    /// The schema, as JSON.
    pub fn schema(self) -> Value {
        let (schema, fields) = match self {
            Subject::Config => (derive::<RawConfig>(), config::FIELDS),
            Subject::Brief => (derive::<RawBrief>(), raw::FIELDS),
            Subject::Company => (derive::<RawCompany>(), raw::FIELDS),
            Subject::Contract => (derive::<RawContract>(), raw::FIELDS),
            Subject::Author => (derive::<RawAuthor>(), raw::FIELDS),
            Subject::Page => (derive::<RawPage>(), raw::FIELDS),
        };
        let mut schema = schema.to_value();
        describe(&mut schema, "", fields, true);
        loosen(&mut schema);
        if let Value::Object(root) = &mut schema {
            root.insert("title".to_owned(), self.title().into());
            root.insert("description".to_owned(), self.description().into());
            // No version: a file changes only when its schema does.
            root.insert(
                "$comment".to_owned(),
                format!("{MARK}; regenerate it rather than edit it.").into(),
            );
        }
        schema
    }

    /// The schema file's text: pretty JSON and a final newline.
    pub fn text(self) -> String {
        let mut text = serde_json::to_string_pretty(&self.schema()).expect("a JSON value always serializes");
        text.push('\n');
        text
    }

    /// The line that points the YAML of `file` (relative to the site root)
    /// at this schema, by a path relative to the file, as
    /// yaml-language-server resolves it.
    pub fn modeline(self, file: &Path) -> String {
        let depth = file.parent().map_or(0, |dir| {
            dir.components().filter(|c| matches!(c, Component::Normal(_))).count()
        });
        format!(
            "# yaml-language-server: $schema={}{FOLDER}/{}",
            "../".repeat(depth),
            self.file_name()
        )
    }
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Subject::Config => "config",
            Subject::Brief => "brief",
            Subject::Company => "company",
            Subject::Contract => "contract",
            Subject::Author => "author",
            Subject::Page => "page",
        })
    }
}

/// The schema of `T`: JSON Schema draft-07, which every YAML editor reads,
/// with nothing behind a `$ref` (each property holds its whole schema, so
/// an editor's hover and the descriptions below need no lookups).
fn derive<T: JsonSchema>() -> Schema {
    let mut settings = SchemaSettings::draft07();
    settings.inline_subschemas = true;
    settings.into_generator().into_root_schema_for::<T>()
}

/// Gives each property at `path` (`tags`, `sources[].url`) the words of its
/// row in `fields` as its description (in place of a doc comment, which
/// speaks to programmers);
/// `own` is false for the choices of an `anyOf` (an `Option<Struct>` is
/// the struct or null), whose field already has its description.
fn describe(schema: &mut Value, path: &str, fields: &[Field], own: bool) {
    let Value::Object(node) = schema else {
        return;
    };
    // schemars names Rust's integer widths (`uint64`), which are no JSON
    // Schema formats; `minimum` already says what matters.
    node.remove("format");
    if own
        && !path.is_empty()
        && let Some(field) = fields.iter().find(|f| f.path == path)
    {
        node.insert(
            "description".to_owned(),
            format!("{}; {}", field.holds, field.help).into(),
        );
        // yaml-language-server's own keyword: said instead of the pattern
        // itself when a value does not match, in the build's words.
        if let Some(says) = node.get("pattern").and_then(Value::as_str).and_then(rule_of) {
            node.insert(
                "patternErrorMessage".to_owned(),
                format!("{says}; {}", field.help).into(),
            );
        }
        // Editors name an object by its title ("Expected a source with a
        // name and a url"), else by the whole schema's.
        let object = |t: &Value| t == "object" || t.as_array().is_some_and(|a| a.iter().any(|t| t == "object"));
        if node.get("type").is_some_and(object) {
            node.insert("title".to_owned(), field.holds.into());
        }
    }
    if let Some(Value::Object(properties)) = node.get_mut("properties") {
        for (name, property) in properties {
            let inner = if path.is_empty() {
                name.clone()
            } else {
                format!("{path}.{name}")
            };
            describe(property, &inner, fields, true);
        }
    }
    if let Some(items) = node.get_mut("items") {
        describe(items, &format!("{path}[]"), fields, true);
    }
    for key in ["anyOf", "oneOf", "allOf"] {
        if let Some(Value::Array(choices)) = node.get_mut(key) {
            for choice in choices {
                describe(choice, path, fields, false);
            }
        }
    }
}

/// What the build says of a value that breaks `pattern`.
fn rule_of(pattern: &str) -> Option<&'static str> {
    [
        (crate::date::PATTERN, crate::date::DATE_FORMS),
        (crate::slug::PATTERN, crate::slug::RULE),
        (raw::NOT_BLANK, raw::NOT_BLANK_SAYS),
        (raw::TAG, raw::TAG_SAYS),
        (raw::LINK, raw::LINK_SAYS),
    ]
    .into_iter()
    .find(|(p, _)| *p == pattern)
    .map(|(_, says)| says)
}

/// Lets through what the YAML reader lets through, so an editor never
/// marks what the build takes: a number or true/false where text is asked
/// (`ticker: 7203`, `title: 1984`: the build reads any scalar as text, YAML
/// editors read them as numbers), and nothing at all for a list or mapping
/// that may be left out (`tags:` is no tags). Dates and links stay text.
fn loosen(schema: &mut Value) {
    let Value::Object(node) = schema else {
        return;
    };
    // A number or true/false never is a date or a link; listed values (a
    // contract's status) are text only.
    let text_only = node
        .get("pattern")
        .is_some_and(|p| p == crate::date::PATTERN || p == raw::LINK)
        || node.contains_key("enum");
    if !text_only && let Some(kind) = node.get_mut("type") {
        widen(kind, &["string"], &["number", "boolean"]);
    }
    let required: Vec<Value> = node
        .get("required")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if let Some(Value::Object(properties)) = node.get_mut("properties") {
        for (name, property) in properties.iter_mut() {
            if !required.iter().any(|r| r == name.as_str())
                && let Some(kind) = property.get_mut("type")
            {
                widen(kind, &["array", "object"], &["null"]);
            }
        }
    }
    for (_, child) in node.iter_mut() {
        match child {
            Value::Object(_) => loosen(child),
            Value::Array(items) => items.iter_mut().for_each(loosen),
            _ => {}
        }
    }
}

/// Adds the types `more` to a `type` keyword that names one of `any`.
fn widen(kind: &mut Value, any: &[&str], more: &[&str]) {
    let mut kinds = match kind.take() {
        Value::Array(kinds) => kinds,
        one => vec![one],
    };
    if kinds.iter().any(|k| any.iter().any(|a| k == *a)) {
        for extra in more {
            if !kinds.iter().any(|k| k == *extra) {
                kinds.push((*extra).into());
            }
        }
    }
    *kind = match kinds.len() {
        1 => kinds.pop().expect("one"),
        _ => Value::Array(kinds),
    };
}

/// A schema file that `dossier schema` wrote or left as it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// Its path, relative to the site root.
    pub path: PathBuf,
    /// Whether it changed (false: it already held this text).
    pub changed: bool,
}

/// Why the schemas could not all be written.
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    /// A file of that name that dossier did not write: it is the writer's.
    #[error("{} exists and was not written by dossier; move it away or rename it, then run dossier schema again", .0.display())]
    Foreign(PathBuf),
    /// The disk refused.
    #[error(transparent)]
    Env(#[from] EnvError),
}

/// Writes every schema into `root/schemas/`, replacing only files dossier
/// wrote (by their `$comment`); a file already up to date is not touched.
pub fn write_all(root: &Path) -> Result<Vec<Written>, SchemaError> {
    if !root.join("content").is_dir() && !root.join(config::FILE_NAME).is_file() {
        return Err(EnvError::usage(format!(
            "{} is not a dossier site: it has no content/ folder or {} (use --root)",
            root.display(),
            config::FILE_NAME
        ))
        .into());
    }
    let dir = root.join(FOLDER);
    // Every file is checked before any is written, so a writer's file
    // stops the whole run with nothing changed.
    let mut plan = Vec::new();
    for subject in Subject::ALL {
        let path = dir.join(subject.file_name());
        let relative = Path::new(FOLDER).join(subject.file_name());
        let text = subject.text();
        let changed = match fs::read_to_string(&path) {
            Ok(old) if old == text => false,
            Ok(old) if written_by_dossier(&old) => true,
            Ok(_) => return Err(SchemaError::Foreign(relative)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => true,
            // Not even text: not ours.
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => return Err(SchemaError::Foreign(relative)),
            Err(e) => return Err(EnvError::io("cannot read", &path, e).into()),
        };
        plan.push((path, relative, text, changed));
    }
    fs::create_dir_all(&dir).map_err(|e| EnvError::io("cannot create", &dir, e))?;
    let mut written = Vec::new();
    for (path, relative, text, changed) in plan {
        if changed {
            fs::write(&path, text).map_err(|e| EnvError::io("cannot write", &path, e))?;
        }
        written.push(Written {
            path: relative,
            changed,
        });
    }
    Ok(written)
}

/// Whether a file's text is a schema dossier wrote: JSON whose `$comment`
/// starts with [`MARK`].
fn written_by_dossier(text: &str) -> bool {
    serde_json::from_str::<Value>(text)
        .ok()
        .and_then(|v| v.get("$comment").and_then(Value::as_str).map(|c| c.starts_with(MARK)))
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn property<'a>(schema: &'a Value, path: &[&str]) -> &'a Value {
        path.iter().fold(schema, |node, key| match *key {
            "[]" => &node["items"],
            key => &node["properties"][key],
        })
    }

    #[test]
    fn every_subject_is_a_closed_object_with_its_required_fields() {
        for subject in Subject::ALL {
            let schema = subject.schema();
            assert_eq!(
                schema["$schema"], "http://json-schema.org/draft-07/schema#",
                "{subject}"
            );
            assert_eq!(schema["type"], "object", "{subject}");
            assert_eq!(
                schema["additionalProperties"], false,
                "{subject}: unknown fields are errors"
            );
            assert!(schema["$comment"].as_str().unwrap().contains(MARK));
            assert!(!subject.text().contains("$ref"), "{subject}: everything inline");
        }
        let required = |s: Subject| Subject::schema(s)["required"].clone();
        assert_eq!(required(Subject::Brief), serde_json::json!(["title", "date"]));
        assert_eq!(required(Subject::Contract), serde_json::json!(["name", "status"]));
        assert_eq!(required(Subject::Config), serde_json::Value::Null);
    }

    #[test]
    fn properties_are_described_in_the_writers_words() {
        let brief = Subject::Brief.schema();
        let tags = property(&brief, &["tags"]);
        assert!(
            tags["description"]
                .as_str()
                .unwrap()
                .starts_with("a list of tags; write a list")
        );
        let url = property(&brief, &["sources", "[]", "url"]);
        assert!(url["description"].as_str().unwrap().starts_with("a URL;"), "{url}");
        assert!(
            url["patternErrorMessage"]
                .as_str()
                .unwrap()
                .starts_with("expected an http:// or https:// URL; e.g."),
            "{url}"
        );
        let source = property(&brief, &["sources", "[]"]);
        assert_eq!(source["title"], "a source with a name and a url");
        let contract = Subject::Contract.schema();
        let status = property(&contract, &["timeline", "[]", "status"]);
        assert!(status.to_string().contains("one of open, awarded"), "{status}");
        let config = Subject::Config.schema();
        assert!(
            property(&config, &["briefs_per_page"])
                .to_string()
                .contains("a whole number of 1 or more")
        );
        // Every property of every subject has a description.
        fn check(node: &Value, at: &str) {
            if let Some(properties) = node["properties"].as_object() {
                for (name, p) in properties {
                    assert!(p.get("description").is_some(), "{at}.{name} has no description: {p}");
                    check(p, &format!("{at}.{name}"));
                }
            }
            for key in ["anyOf", "oneOf"] {
                for choice in node[key].as_array().into_iter().flatten() {
                    check(choice, at);
                }
            }
            if node.get("items").is_some() {
                check(&node["items"], &format!("{at}[]"));
            }
        }
        for subject in Subject::ALL {
            check(&subject.schema(), &subject.to_string());
        }
    }

    #[test]
    fn a_modeline_climbs_to_the_site_root() {
        assert_eq!(
            Subject::Brief.modeline(Path::new("content/briefs/2020-08-18-a.md")),
            "# yaml-language-server: $schema=../../schemas/brief.schema.json"
        );
        assert_eq!(
            Subject::Config.modeline(Path::new("dossier.yaml")),
            "# yaml-language-server: $schema=schemas/dossier.schema.json"
        );
    }

    #[test]
    fn write_all_replaces_its_own_files_and_never_a_writers() {
        let root = tempfile::tempdir().unwrap();
        assert!(matches!(write_all(root.path()), Err(SchemaError::Env(_))), "not a site");
        assert!(!root.path().join(FOLDER).exists());
        fs::create_dir(root.path().join("content")).unwrap();
        let first = write_all(root.path()).unwrap();
        assert_eq!(first.len(), Subject::ALL.len());
        assert!(first.iter().all(|w| w.changed));
        let again = write_all(root.path()).unwrap();
        assert!(again.iter().all(|w| !w.changed), "up to date: untouched");

        let brief = root.path().join("schemas/brief.schema.json");
        fs::write(&brief, "{\"$comment\": \"Written by `dossier schema`; an older one\"}").unwrap();
        let updated = write_all(root.path()).unwrap();
        assert_eq!(updated.iter().filter(|w| w.changed).count(), 1);
        assert_eq!(fs::read_to_string(&brief).unwrap(), Subject::Brief.text());

        let mine = "{\"title\": \"my own\"}";
        fs::write(&brief, mine).unwrap();
        let page = root.path().join("schemas/page.schema.json");
        fs::remove_file(&page).unwrap();
        let err = write_all(root.path()).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("schemas/brief.schema.json exists and was not written by dossier")
        );
        assert_eq!(fs::read_to_string(&brief).unwrap(), mine, "the writer's file is kept");
        assert!(!page.exists(), "nothing is written when one file is refused");
        // The mark counts only as the `$comment` of a JSON file.
        for not_ours in [
            &b"{\"title\": \"Written by `dossier schema`\"}"[..],
            &[0xff, 0xfe, 0x00],
        ] {
            fs::write(&brief, not_ours).unwrap();
            assert!(matches!(write_all(root.path()), Err(SchemaError::Foreign(_))));
            assert_eq!(fs::read(&brief).unwrap(), not_ours);
        }
    }
}
