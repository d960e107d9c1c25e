//! Finding a theme's templates and assets.
//!
//! The `default` theme is compiled into the binary, so a site needs no
//! `themes/` folder; a site's own `themes/<name>/` wins when present, and the
//! site's `templates/` override the theme's file by file. Built-in Atom and
//! sitemap templates, and the redirect page's, sit underneath everything
//! and can be overridden too.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use include_dir::{Dir, include_dir};
use walkdir::WalkDir;

use crate::content::{LinkTarget, check_symlink, is_hidden};
use crate::diag::{Diagnostic, EnvError};

use super::reach::CountsReaders;

static DEFAULT_THEME: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/themes/default");

/// Templates dossier provides whatever the theme: feeds, the sitemap, the
/// redirect page at an old address (`aliases:`) and the social card, so
/// that themes written before redirects and cards existed keep working.
const BUILTIN_TEMPLATES: [(&str, &str); 4] = [
    ("atom.xml", include_str!("builtin/atom.xml")),
    ("sitemap.xml", include_str!("builtin/sitemap.xml")),
    ("redirect.html", include_str!("builtin/redirect.html")),
    ("card.svg", include_str!("builtin/card.svg")),
];

/// One template: its name (file name, as templates refer to it), its text,
/// and where it came from for messages.
#[derive(Debug, Clone)]
pub struct TemplateSource {
    /// The name, e.g. `brief.html`.
    pub name: String,
    /// Template text.
    pub text: String,
    /// Where it came from, for error messages.
    pub origin: PathBuf,
    /// Whether it is one of dossier's built-in templates: `atom.xml` and
    /// `sitemap.xml`, which the render stage then writes without Tera
    /// (`render/builtin.rs`), or `redirect.html`.
    pub builtin: bool,
}

/// The contents of a static asset.
#[derive(Debug, Clone)]
pub enum Asset {
    /// Compiled into the binary (the default theme).
    Embedded(&'static [u8]),
    /// A file on disk, copied at write time.
    File(PathBuf),
}

/// A static file to copy to the output: its path there and its contents.
#[derive(Debug, Clone)]
pub struct StaticFile {
    /// `/`-separated path relative to the output root.
    pub relative: String,
    /// Where the bytes come from.
    pub asset: Asset,
    /// Where it came from, for messages.
    pub origin: PathBuf,
}

/// A theme, resolved: templates by name (later ones override) and assets.
#[derive(Debug, Default)]
pub struct Theme {
    /// Templates, overrides applied: one per name.
    pub templates: Vec<TemplateSource>,
    /// Theme assets, then the site's `static/` (which wins on the same path).
    pub static_files: Vec<StaticFile>,
    /// Which templates can read `site.counts`, found when first asked.
    counts_readers: OnceLock<CountsReaders>,
}

impl Theme {
    /// Whether any template may call a lookup of entity cards
    /// (`get_company`, …): Tera calls a function only by its name written
    /// in a template, so one that names none cannot.
    pub fn uses_lookups(&self) -> bool {
        self.templates
            .iter()
            .any(|t| t.text.contains(super::functions::LOOKUP_PREFIX))
    }

    /// Whether the template `name` is dossier's built-in one: no theme or
    /// site overrides it.
    pub fn is_builtin(&self, name: &str) -> bool {
        self.templates.iter().any(|t| t.name == name && t.builtin)
    }

    /// The templates whose pages can show the site's counts: in `serve`,
    /// a brief added or deleted renders the others again only when their
    /// own inputs changed.
    pub fn counts_readers(&self) -> &CountsReaders {
        self.counts_readers.get_or_init(|| CountsReaders::of(&self.templates))
    }
}

/// Loads the theme `name` for the site at `root`.
pub fn load(root: &Path, name: &str) -> Result<Result<Theme, Vec<Diagnostic>>, EnvError> {
    let mut problems = Vec::new();
    let mut templates: Vec<TemplateSource> = BUILTIN_TEMPLATES
        .iter()
        .map(|(name, text)| TemplateSource {
            name: (*name).to_owned(),
            text: (*text).to_owned(),
            origin: PathBuf::from(format!("(built-in {name})")),
            builtin: true,
        })
        .collect();
    let mut static_files = Vec::new();
    let theme_dir = root.join("themes").join(name);
    if theme_dir.is_dir() {
        templates.extend(read_templates(root, &theme_dir.join("templates"), &mut problems)?);
        static_files.extend(read_static(root, &theme_dir.join("static"), &mut problems)?);
    } else if name == "default" {
        embedded(&mut templates, &mut static_files);
    } else {
        return Ok(Err(vec![
            Diagnostic::error(
                crate::config::FILE_NAME,
                format!("theme '{name}' not found: no folder themes/{name}/"),
            )
            .with_help("create the theme folder, or use `theme: default`"),
        ]));
    }
    templates.extend(read_templates(root, &root.join("templates"), &mut problems)?);
    static_files.extend(read_static(root, &root.join("static"), &mut problems)?);

    let mut by_name: Vec<TemplateSource> = Vec::new();
    for t in templates {
        match by_name.iter_mut().find(|e| e.name == t.name) {
            Some(existing) => *existing = t,
            None => by_name.push(t),
        }
    }
    let mut by_path: Vec<StaticFile> = Vec::new();
    for s in static_files {
        match by_path.iter_mut().find(|e| e.relative == s.relative) {
            Some(existing) => *existing = s,
            None => by_path.push(s),
        }
    }
    if !problems.is_empty() {
        return Ok(Err(problems));
    }
    Ok(Ok(Theme {
        templates: by_name,
        static_files: by_path,
        counts_readers: OnceLock::new(),
    }))
}

/// Every template and static file of the built-in `default` theme, by its
/// path inside the theme folder (`templates/base.html`, `static/style.css`),
/// with dossier's built-in templates among its templates
/// (`templates/atom.xml`), sorted: what `dossier theme eject` writes out for
/// a site to customise. A theme folder's templates override the built-in
/// ones, so a build of the site then uses every one of these files.
pub fn default_theme_files() -> Vec<(PathBuf, &'static [u8])> {
    let mut out: Vec<(PathBuf, &'static [u8])> = BUILTIN_TEMPLATES
        .iter()
        .map(|(name, text)| (Path::new("templates").join(name), text.as_bytes()))
        .filter(|(path, _)| DEFAULT_THEME.get_file(path).is_none())
        .collect();
    let mut stack: Vec<&'static Dir<'static>> = ["templates", "static"]
        .into_iter()
        .filter_map(|name| DEFAULT_THEME.get_dir(name))
        .collect();
    while let Some(dir) = stack.pop() {
        stack.extend(dir.dirs());
        out.extend(dir.files().map(|file| (file.path().to_owned(), file.contents())));
    }
    out.sort_by(|(a, _), (b, _)| a.cmp(b));
    out
}

fn embedded(templates: &mut Vec<TemplateSource>, static_files: &mut Vec<StaticFile>) {
    if let Some(dir) = DEFAULT_THEME.get_dir("templates") {
        for file in dir.files() {
            let name = file
                .path()
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if let Some(text) = file.contents_utf8() {
                templates.push(TemplateSource {
                    name,
                    text: text.to_owned(),
                    origin: PathBuf::from("themes/default").join(file.path()),
                    builtin: false,
                });
            }
        }
    }
    if let Some(dir) = DEFAULT_THEME.get_dir("static") {
        let mut stack = vec![dir];
        while let Some(dir) = stack.pop() {
            stack.extend(dir.dirs());
            for file in dir.files() {
                let relative = file.path().strip_prefix("static").unwrap_or(file.path());
                static_files.push(StaticFile {
                    relative: relative.to_string_lossy().replace('\\', "/"),
                    asset: Asset::Embedded(file.contents()),
                    origin: PathBuf::from("themes/default").join(file.path()),
                });
            }
        }
        static_files.sort_by(|a, b| a.relative.cmp(&b.relative));
    }
}

fn read_templates(root: &Path, dir: &Path, problems: &mut Vec<Diagnostic>) -> Result<Vec<TemplateSource>, EnvError> {
    let mut out = Vec::new();
    for path in files(root, dir, Some(1), problems)? {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if !(name.ends_with(".html") || name.ends_with(".xml") || name.ends_with(".txt") || name.ends_with(".svg")) {
            continue;
        }
        let text = std::fs::read_to_string(&path).map_err(|e| EnvError::io("cannot read", &path, e))?;
        out.push(TemplateSource {
            name,
            text,
            origin: path.strip_prefix(root).unwrap_or(&path).to_owned(),
            builtin: false,
        });
    }
    Ok(out)
}

fn read_static(root: &Path, dir: &Path, problems: &mut Vec<Diagnostic>) -> Result<Vec<StaticFile>, EnvError> {
    Ok(files(root, dir, None, problems)?
        .into_iter()
        .map(|path| {
            let relative = path
                .strip_prefix(dir)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            StaticFile {
                relative,
                origin: path.strip_prefix(root).unwrap_or(&path).to_owned(),
                asset: Asset::File(path),
            }
        })
        .collect())
}

/// Regular files under `dir`, sorted, hidden ones skipped.
fn files(
    root: &Path,
    dir: &Path,
    max_depth: Option<usize>,
    problems: &mut Vec<Diagnostic>,
) -> Result<Vec<PathBuf>, EnvError> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut walk = WalkDir::new(dir).sort_by_file_name();
    if let Some(d) = max_depth {
        walk = walk.max_depth(d);
    }
    let mut out = Vec::new();
    for entry in walk
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_hidden(e.file_name()))
    {
        let entry = entry.map_err(|e| {
            let path = e.path().unwrap_or(dir).to_owned();
            EnvError::io("cannot read", &path, e.into())
        })?;
        if entry.path_is_symlink() {
            match check_symlink(root, entry.path()) {
                LinkTarget::InsideFile => out.push(entry.into_path()),
                LinkTarget::NotAFile => {}
                problem => {
                    let shown = entry.path().strip_prefix(root).unwrap_or(entry.path());
                    problems.push(
                        Diagnostic::error(shown, problem.describe()).with_help("replace the link with the file itself"),
                    );
                }
            }
        } else if entry.file_type().is_file() {
            out.push(entry.into_path());
        }
    }
    Ok(out)
}
