//! The output stage, the only code that writes: render results into a
//! temporary folder beside the output, then swap it in.
//!
//! A failed build never touches the previous output. dossier only replaces
//! a folder it wrote itself: its marker file lists every file of the last
//! build, and an output folder holding anything else is refused unless
//! `--force`, in which case the old folder is kept as a backup, never
//! deleted. The site root and its ancestors are always refused.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use walkdir::WalkDir;

use crate::diag::{Diagnostic, Diagnostics, EnvError};
use crate::render::theme::Asset;
use crate::render::{Contents, OutputFile};

/// The marker file dossier leaves in its output, listing what it wrote.
pub const MARKER: &str = ".dossier-output";

/// Name prefix of staging folders (followed by the builder's process id) and
/// of previous outputs moved aside (`.{name}.old-{pid}-{n}`).
const STAGING_PREFIX: &str = ".dossier-staging-";

const MARKER_HEADER: &str =
    "# Written by dossier. It lists the files of the last build; dossier only replaces folders it wrote.";

/// Why the output folder cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    /// The output would replace the site itself or one of its folders.
    #[error(
        "refusing to write the site into {0}: it is the site root, one of its ancestors or one of its source folders"
    )]
    ProtectedFolder(PathBuf),
    /// The output is a symbolic link: replacing it would act on whatever it points to.
    #[error("refusing to write the site to {0}: it is a symbolic link; point --output at a real folder")]
    Symlink(PathBuf),
    /// The folder holds files dossier did not write.
    #[error(
        "refusing to replace {folder}: it holds files dossier did not write (e.g. {example}); use --force to move it aside to a backup"
    )]
    ForeignFiles {
        /// The output folder.
        folder: PathBuf,
        /// One of the foreign files.
        example: String,
    },
    /// The machine failed.
    #[error(transparent)]
    Env(#[from] EnvError),
}

/// What the write did, for the summary line.
#[derive(Debug, Default)]
pub struct WriteReport {
    /// Files written.
    pub files: usize,
    /// Bytes written.
    pub bytes: u64,
    /// Where a foreign output folder was moved (only with `--force`).
    pub backup: Option<PathBuf>,
}

/// What is at the output path before writing.
#[derive(Debug, PartialEq, Eq)]
enum Existing {
    Nothing,
    Dossier,
    Foreign(String),
}

/// Checks that the output folder may be replaced; call before any other work.
pub fn check_target(root: &Path, output: &Path, force: bool) -> Result<(), Refusal> {
    check_protected(root, output)?;
    match existing(output)? {
        Existing::Foreign(example) if !force => Err(Refusal::ForeignFiles {
            folder: output.to_owned(),
            example,
        }),
        _ => Ok(()),
    }
}

/// Refuses the site root, its ancestors and its source folders as output, even with `--force`.
fn check_protected(root: &Path, output: &Path) -> Result<(), Refusal> {
    let root_abs = absolute(root)?;
    let out_abs = absolute(output)?;
    let protected = ["content", "static", "templates", "themes"].map(|f| root_abs.join(f));
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let is_home = home.is_some_and(|h| absolute(&h).is_ok_and(|h| h == out_abs));
    if is_home
        || out_abs.parent().is_none()
        || root_abs.starts_with(&out_abs)
        || protected.iter().any(|p| out_abs.starts_with(p))
    {
        return Err(Refusal::ProtectedFolder(output.to_owned()));
    }
    if std::fs::symlink_metadata(output).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(Refusal::Symlink(output.to_owned()));
    }
    Ok(())
}

fn absolute(path: &Path) -> Result<PathBuf, EnvError> {
    let abs = std::path::absolute(path).map_err(|e| EnvError::io("cannot resolve", path, e))?;
    // Resolve symlinks in the longest part that exists (so `public -> ..` is
    // caught), then apply the rest lexically, `..` included.
    let components: Vec<_> = abs.components().collect();
    let mut split = components.len();
    while split > 0 && !components[..split].iter().collect::<PathBuf>().exists() {
        split -= 1;
    }
    let existing: PathBuf = components[..split].iter().collect();
    let mut resolved = existing.canonicalize().unwrap_or(existing);
    for part in &components[split..] {
        match part {
            std::path::Component::ParentDir => {
                resolved.pop();
            }
            std::path::Component::CurDir => {}
            other => resolved.push(other),
        }
    }
    Ok(resolved)
}

fn existing(output: &Path) -> Result<Existing, EnvError> {
    if !output.exists() {
        return Ok(Existing::Nothing);
    }
    if !output.is_dir() {
        return Ok(Existing::Foreign(output.display().to_string()));
    }
    let text = match std::fs::read_to_string(output.join(MARKER)) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(EnvError::io("cannot read", &output.join(MARKER), e)),
    };
    let manifest: Option<HashSet<&str>> = text
        .as_deref()
        .map(|t| t.lines().filter(|l| !l.starts_with('#')).collect());
    for entry in WalkDir::new(output).min_depth(1) {
        let entry = entry.map_err(|e| EnvError::io("cannot read", output, e.into()))?;
        if entry.file_type().is_dir() {
            if manifest.is_none() {
                let relative = entry.path().strip_prefix(output).unwrap_or(entry.path());
                return Ok(Existing::Foreign(format!("{}/", relative.display())));
            }
            continue;
        }
        let relative = entry
            .path()
            .strip_prefix(output)
            .unwrap_or(entry.path())
            .to_string_lossy()
            .replace('\\', "/");
        if relative == MARKER {
            continue;
        }
        let known = manifest.as_ref().is_some_and(|m| m.contains(relative.as_str()));
        if !known {
            return Ok(Existing::Foreign(relative));
        }
    }
    Ok(if manifest.is_some() {
        Existing::Dossier
    } else {
        Existing::Nothing
    })
}

/// Two files on one output path, or paths differing only in case
/// (GitHub Pages is case-sensitive, most laptops are not): errors naming both.
pub fn check_collisions<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> Diagnostics {
    let mut exact: BTreeMap<&str, &str> = BTreeMap::new();
    let mut folded: HashMap<String, &str> = HashMap::new();
    let mut d = Diagnostics::default();
    for (path, origin) in files {
        if let Some(first) = exact.insert(path, origin) {
            d.push(
                Diagnostic::error(
                    origin,
                    format!("two things would be written to /{path}: {first} and {origin}"),
                )
                .with_help("rename one of them or change its slug"),
            );
        } else if let Some(first) = folded.insert(path.to_lowercase(), path) {
            d.push(Diagnostic::error(origin, format!("/{path} and /{first} differ only in letter case; GitHub Pages would serve them as two files but most laptops cannot hold both"))
                .with_help("rename one of them"));
        }
    }
    d
}

/// A build being written: a private folder next to the output that becomes
/// the output in [`Staging::finish`]. Dropped unfinished, it deletes itself,
/// so a failed build leaves the previous output untouched.
#[derive(Debug)]
pub struct Staging {
    dir: tempfile::TempDir,
    output: PathBuf,
    parent: PathBuf,
    /// The folders created so far, as output paths (`briefs/x`).
    folders: HashSet<String>,
    paths: Vec<String>,
    bytes: u64,
}

impl Staging {
    /// Checks the target and creates the staging folder beside it.
    pub fn create(root: &Path, output: &Path, force: bool) -> Result<Staging, Refusal> {
        check_protected(root, output)?;
        let parent = match output.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&parent).map_err(|e| EnvError::io("cannot create", &parent, e))?;
        clean_leftovers(&parent, output);
        check_target(root, output, force)?;
        let dir = tempfile::Builder::new()
            .prefix(&format!("{STAGING_PREFIX}{}-", std::process::id()))
            .tempdir_in(&parent)
            .map_err(|e| EnvError::io("cannot create a staging folder in", &parent, e))?;
        Ok(Staging {
            dir,
            output: output.to_owned(),
            parent,
            folders: HashSet::new(),
            paths: Vec::new(),
            bytes: 0,
        })
    }

    /// Writes a batch of files, in parallel.
    pub fn write(&mut self, files: &[OutputFile]) -> Result<(), EnvError> {
        let root = self.dir.path();
        let mut new_folders = Vec::new();
        for file in files {
            let Some((folder, _)) = file.path.as_str().rsplit_once('/') else {
                continue;
            };
            if !self.folders.contains(folder) {
                self.folders.insert(folder.to_owned());
                new_folders.push(root.join(folder));
            }
        }
        // Every page is a folder of its own: creating them is a large share
        // of the write (BENCHMARKS.md), so it runs in parallel too
        // (create_dir_all tolerates two threads creating the same parent).
        new_folders.par_iter().try_for_each(|folder| {
            std::fs::create_dir_all(folder).map_err(|e| EnvError::io("cannot create", folder, e))
        })?;
        self.bytes += write_all(root, files)?;
        self.paths.extend(files.iter().map(|f| f.path.as_str().to_owned()));
        Ok(())
    }

    /// Writes the marker and swaps the staging folder in for the output.
    pub fn finish(self, root: &Path, force: bool) -> Result<WriteReport, Refusal> {
        let Staging {
            dir,
            output,
            parent,
            mut paths,
            bytes,
            ..
        } = self;
        check_protected(root, &output)?;
        write_marker(dir.path(), &mut paths)?;
        set_readable(dir.path())?;
        let mut report = WriteReport {
            files: paths.len(),
            bytes,
            backup: None,
        };
        let old = existing(&output)?;
        let staged = dir.keep();
        if matches!(old, Existing::Dossier | Existing::Nothing) && output.exists() {
            // The usual case: swap in one step where the OS can, so no
            // moment ever sees the output missing.
            if exchange(&staged, &output).map_err(|e| EnvError::io("cannot swap in the new site at", &output, e))? {
                remove_tree(&staged).map_err(|e| EnvError::io("cannot remove the previous output", &staged, e))?;
                return Ok(report);
            }
        }
        let aside = match old {
            Existing::Nothing if output.exists() => Some(move_aside(&output, &parent, "old")?),
            Existing::Nothing => None,
            Existing::Dossier => Some(move_aside(&output, &parent, "old")?),
            Existing::Foreign(example) if !force => {
                let _ = std::fs::remove_dir_all(&staged);
                return Err(Refusal::ForeignFiles {
                    folder: output,
                    example,
                });
            }
            Existing::Foreign(_) => {
                report.backup = Some(move_aside(&output, &parent, "backup")?);
                None
            }
        };
        if let Err(e) = std::fs::rename(&staged, &output) {
            if let Some(previous) = aside.as_ref().or(report.backup.as_ref()) {
                let _ = std::fs::rename(previous, &output);
            }
            let _ = std::fs::remove_dir_all(&staged);
            return Err(EnvError::io("cannot move the new site into", &output, e).into());
        }
        if let Some(previous) = aside {
            remove_tree(&previous).map_err(|e| EnvError::io("cannot remove the previous output", &previous, e))?;
        }
        Ok(report)
    }
}

/// Writes `files` into a fresh folder next to `output` and swaps it in.
pub fn write(root: &Path, output: &Path, files: &[OutputFile], force: bool) -> Result<WriteReport, Refusal> {
    let mut staging = Staging::create(root, output, force)?;
    staging.write(files)?;
    staging.finish(root, force)
}

/// Cleans up after a build that was killed, once the process that made the
/// leftovers is gone: staging folders are removed; a previous output moved
/// aside just before the swap is put back if the output is missing (the kill
/// fell between the two renames), and removed otherwise. Best effort.
fn clean_leftovers(parent: &Path, output: &Path) {
    let Ok(entries) = std::fs::read_dir(parent) else { return };
    let aside_prefix = format!(
        ".{}.old-",
        output.file_name().map(|n| n.to_string_lossy()).unwrap_or_default()
    );
    let mut found: Vec<(PathBuf, bool)> = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let (rest, is_aside) = match (name.strip_prefix(STAGING_PREFIX), name.strip_prefix(&aside_prefix)) {
            (Some(rest), _) => (rest, false),
            (_, Some(rest)) => (rest, true),
            _ => continue,
        };
        let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        if pid != std::process::id() && !process_alive(pid) {
            found.push((entry.path(), is_aside));
        }
    }
    found.sort();
    for (path, is_aside) in found {
        if is_aside && !output.exists() && path.join(MARKER).exists() {
            let _ = std::fs::rename(&path, output);
        } else if !is_aside || path.join(MARKER).exists() {
            let _ = remove_tree(&path);
        }
    }
}

/// Whether a process is still running (Linux: `/proc/<pid>`; elsewhere assume so).
fn process_alive(pid: u32) -> bool {
    if cfg!(target_os = "linux") {
        Path::new(&format!("/proc/{pid}")).exists()
    } else {
        true
    }
}

/// Swaps two existing paths in one atomic step (Linux `renameat2` with
/// `RENAME_EXCHANGE`). `Ok(false)` where the OS or file system cannot, so
/// the caller falls back to two renames.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<bool> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let a = CString::new(a.as_os_str().as_bytes()).map_err(std::io::Error::other)?;
    let b = CString::new(b.as_os_str().as_bytes()).map_err(std::io::Error::other)?;
    // SAFETY: both pointers are valid NUL-terminated strings that outlive the call.
    let result = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if result == 0 {
        return Ok(true);
    }
    let error = std::io::Error::last_os_error();
    match error.raw_os_error() {
        Some(libc::EINVAL | libc::ENOSYS | libc::EOPNOTSUPP) => Ok(false),
        _ => Err(error),
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<bool> {
    Ok(false)
}

/// Removes a previous output, in parallel over its second-level entries
/// (most of a site sits under `briefs/`, so the top level alone would not spread).
fn remove_tree(dir: &Path) -> std::io::Result<()> {
    let mut entries = Vec::new();
    for top in std::fs::read_dir(dir)? {
        let top = top?;
        if top.file_type()?.is_dir() {
            for inner in std::fs::read_dir(top.path())? {
                entries.push(inner?.path());
            }
        }
    }
    entries
        .par_iter()
        .try_for_each(|path| match std::fs::symlink_metadata(path) {
            Ok(meta) if meta.is_dir() => std::fs::remove_dir_all(path),
            Ok(_) => std::fs::remove_file(path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e),
        })?;
    std::fs::remove_dir_all(dir)
}

fn move_aside(output: &Path, parent: &Path, kind: &str) -> Result<PathBuf, EnvError> {
    let name = output
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "public".to_owned());
    let target = (0..)
        .map(|n| {
            if kind == "backup" {
                parent.join(format!("{name}.backup-{n}"))
            } else {
                parent.join(format!(".{name}.old-{}-{n}", std::process::id()))
            }
        })
        .find(|p| !p.exists())
        .expect("some name is free");
    std::fs::rename(output, &target).map_err(|e| EnvError::io("cannot move aside", output, e))?;
    Ok(target)
}

/// Writes files whose folders exist, in parallel; returns the bytes written.
fn write_all(dir: &Path, files: &[OutputFile]) -> Result<u64, EnvError> {
    files
        .par_iter()
        .map(|f| {
            let target = dir.join(f.path.as_str());
            let written = match &f.contents {
                Contents::Bytes(bytes) => std::fs::write(&target, bytes).map(|()| bytes.len() as u64),
                Contents::Asset(Asset::Embedded(bytes)) => std::fs::write(&target, bytes).map(|()| bytes.len() as u64),
                Contents::Asset(Asset::File(source)) => std::fs::copy(source, &target),
            };
            written.map_err(|e| EnvError::io("cannot write", &target, e))
        })
        .try_reduce(|| 0, |a, b| Ok(a + b))
}

fn write_marker(dir: &Path, paths: &mut [String]) -> Result<(), EnvError> {
    let path = dir.join(MARKER);
    paths.sort_unstable();
    let mut text = String::with_capacity(paths.len() * 40);
    text.push_str(MARKER_HEADER);
    text.push('\n');
    for p in paths.iter() {
        text.push_str(p);
        text.push('\n');
    }
    std::fs::write(&path, text).map_err(|e| EnvError::io("cannot write", &path, e))
}

/// Staging folders are created private (0700); a published site is world-readable.
fn set_readable(dir: &Path) -> Result<(), EnvError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755))
            .map_err(|e| EnvError::io("cannot set permissions on", dir, e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routes::UrlPath;

    fn file(path: &'static str, origin: &str) -> OutputFile {
        OutputFile {
            path: UrlPath::fixed(path).output_file(),
            contents: Contents::Bytes(Vec::new()),
            origin: origin.to_owned(),
        }
    }

    #[test]
    fn collisions_name_both_origins() {
        let files = [
            file("a/", "content/pages/a.md"),
            file("a/", "static/a/index.html"),
            file("A/", "static/A/index.html"),
        ];
        let d = check_collisions(files.iter().map(|f| (f.path.as_str(), f.origin.as_str())));
        let messages: Vec<String> = d.iter().map(|d| d.message.clone()).collect();
        assert!(
            messages[0].contains("content/pages/a.md") && messages[0].contains("static/a/index.html"),
            "{messages:?}"
        );
        assert!(messages[1].contains("letter case"), "{messages:?}");
    }

    #[test]
    fn the_site_root_and_its_ancestors_are_refused() {
        let site = tempfile::tempdir().unwrap();
        let root = site.path();
        for bad in [
            root.to_owned(),
            root.parent().unwrap().to_owned(),
            root.join("content"),
            root.join("static/x"),
        ] {
            assert!(
                matches!(check_target(root, &bad, true), Err(Refusal::ProtectedFolder(_))),
                "{}",
                bad.display()
            );
        }
        assert!(check_target(root, &root.join("public"), false).is_ok());
        let sneaky = root.join("missing").join("..");
        assert!(matches!(
            check_target(root, &sneaky, true),
            Err(Refusal::ProtectedFolder(_))
        ));
    }

    #[test]
    fn a_killed_build_is_cleaned_up_and_a_half_swapped_output_restored() {
        let site = tempfile::tempdir().unwrap();
        let out = site.path().join("public");
        write(site.path(), &out, &[file("index.html", "x")], false).unwrap();
        // A dead process (pid far above pid_max) left a staging folder, and moved the output aside.
        let staging = site.path().join(format!("{STAGING_PREFIX}4999999-abc"));
        std::fs::create_dir_all(staging.join("briefs")).unwrap();
        std::fs::rename(&out, site.path().join(".public.old-4999999-0")).unwrap();
        let _ = Staging::create(site.path(), &out, false).unwrap();
        assert!(!staging.exists(), "the staging folder is removed");
        assert!(out.join("index.html").exists(), "the previous output is back");
        assert!(!site.path().join(".public.old-4999999-0").exists());
    }

    #[test]
    fn foreign_folders_are_refused_and_kept_with_force() {
        let site = tempfile::tempdir().unwrap();
        let out = site.path().join("public");
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(out.join("notes.txt"), "mine").unwrap();
        assert!(matches!(
            check_target(site.path(), &out, false),
            Err(Refusal::ForeignFiles { .. })
        ));
        let report = write(site.path(), &out, &[file("index.html", "x")], true).unwrap();
        let backup = report.backup.unwrap();
        assert_eq!(std::fs::read_to_string(backup.join("notes.txt")).unwrap(), "mine");
        assert!(out.join("index.html").exists() && out.join(MARKER).exists());
        // Now dossier's own output is replaced without --force.
        write(site.path(), &out, &[file("other.html", "x")], false).unwrap();
        assert!(!out.join("index.html").exists() && out.join("other.html").exists());
    }
}
