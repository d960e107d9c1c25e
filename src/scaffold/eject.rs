//! `dossier theme eject`: the built-in `default` theme's templates and
//! static files, with dossier's built-in templates (feeds, sitemap, the
//! redirect page, the social card), written into a site to customise.
//!
//! By default they go to the site's `themes/default/`, which a build then
//! uses instead of the copy compiled into dossier (see
//! [`crate::render::theme::load`]). Every file is checked before any is
//! written: if one exists, nothing is written and all of them are named.

use std::path::{Path, PathBuf};

use super::{ScaffoldError, write_new};
use crate::config::Config;
use crate::diag::EnvError;
use crate::render::theme::default_theme_files;

/// Whether a build will use the ejected files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ThemeUse {
    /// They are in the site's `themes/<theme>/` for its `theme:`: the next
    /// build uses them.
    Used,
    /// They are in the site's `themes/<name>/`, but the site's `theme:` is
    /// another one.
    OtherTheme {
        /// The folder name under `themes/`.
        name: String,
        /// The site's `theme:`.
        current: String,
    },
    /// They are outside the site's `themes/`, where a build does not look.
    Elsewhere,
}

/// What `theme eject` wrote.
#[derive(Debug)]
pub struct Ejected {
    /// The folder the theme went to, as given (or `ROOT/themes/default`).
    pub into: PathBuf,
    /// The files written, as `into` joined with their path in the theme.
    pub files: Vec<PathBuf>,
    /// Whether a build will use them.
    pub used: ThemeUse,
}

/// Writes the built-in theme into `into`, by default the site's
/// `themes/default/`; refuses if any of its files exists.
pub fn eject_theme(root: &Path, into: Option<&Path>) -> Result<Ejected, ScaffoldError> {
    let into = match into {
        Some(into) => into.to_owned(),
        None => {
            if !root.join("content").is_dir() && !root.join(crate::config::FILE_NAME).is_file() {
                return Err(EnvError::usage(format!(
                    "{} is not a dossier site: it has no content/ folder or {} \
                     (use --root, or --into DIR to write the theme somewhere else)",
                    root.display(),
                    crate::config::FILE_NAME
                ))
                .into());
            }
            root.join("themes").join("default")
        }
    };
    let files = default_theme_files();
    let existing: Vec<PathBuf> = files
        .iter()
        .map(|(path, _)| into.join(path))
        .filter(|path| path.symlink_metadata().is_ok())
        .collect();
    if !existing.is_empty() {
        return Err(ScaffoldError::WouldOverwrite(existing));
    }
    for (path, bytes) in &files {
        write_new(&into, path, bytes)?;
    }
    Ok(Ejected {
        files: files.iter().map(|(path, _)| into.join(path)).collect(),
        used: theme_use(root, &into),
        into,
    })
}

/// Whether `into` is where a build of the site at `root` looks for its theme.
fn theme_use(root: &Path, into: &Path) -> ThemeUse {
    let (Ok(root), Ok(into)) = (root.canonicalize(), into.canonicalize()) else {
        return ThemeUse::Elsewhere;
    };
    let Some(name) = into.file_name().map(|n| n.to_string_lossy().into_owned()) else {
        return ThemeUse::Elsewhere;
    };
    if into.parent() != Some(root.join("themes").as_path()) {
        return ThemeUse::Elsewhere;
    }
    // A broken dossier.yaml: the build will say why; assume the default.
    let current = match Config::load(&root) {
        Ok(Ok(config)) => config.theme,
        _ => "default".to_owned(),
    };
    if current == name {
        ThemeUse::Used
    } else {
        ThemeUse::OtherTheme { name, current }
    }
}
