//! The media stage: every picture a site's front matter names (briefs'
//! lead images, authors' portraits, companies' logos) read, checked and
//! made into its renditions, on all cores, each file once however many
//! pages show it. Errors go to the line that names the picture.
//!
//! It reads files and the cache; it writes nothing but the cache (the
//! renditions go to the output through the render stage's sink).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use std::sync::Arc;

use rayon::prelude::*;

use super::cache::MediaCache;
use super::image::{self, Made, Picture, Role};
use super::source::{Image, ImageSrc};
use crate::content::{LinkTarget, check_symlink};
use crate::diag::Diagnostics;
use crate::routes::UrlPath;

/// Every picture of a site, made, and the files to publish.
#[derive(Debug, Default)]
pub struct Pictures {
    /// Each picture by where front matter said it is and what it is for.
    by_src: HashMap<(ImageSrc, Role), Arc<Picture>>,
    /// Every rendition's bytes, by path (one file however many pages use it).
    files: BTreeMap<UrlPath, Arc<[u8]>>,
    /// The source files, relative to the site root: one under `static/`
    /// is published only as its renditions, never copied as it is (the
    /// copy would carry its EXIF, a phone's GPS position among it).
    sources: BTreeSet<PathBuf>,
    /// Files encoded by this build (not taken from the cache).
    pub encoded: usize,
}

impl Pictures {
    /// The renditions of `image` used as `role`; `None` for a picture on
    /// another site.
    pub fn of(&self, image: &Image, role: Role) -> Option<&Picture> {
        self.by_src.get(&(image.src.clone(), role)).map(|p| &**p)
    }

    /// Every file to publish under `/media/`, in path order.
    pub fn files(&self) -> impl Iterator<Item = (&UrlPath, &Arc<[u8]>)> {
        self.files.iter()
    }

    /// Whether `path` (relative to the site root) is the source of a
    /// picture, published only as its renditions.
    pub fn is_source(&self, path: &Path) -> bool {
        self.sources.contains(path)
    }
}

/// Makes every picture of `wanted` (files relative to `root`), through
/// `cache`; a picture that cannot be made is an error at its `src`.
pub fn make_all(root: &Path, wanted: &[(&Image, Role)], cache: &MediaCache) -> (Pictures, Diagnostics) {
    let mut jobs: Vec<(&ImageSrc, Role)> = (wanted.iter())
        .filter(|(i, _)| matches!(i.src, ImageSrc::File(_)))
        .map(|(i, role)| (&i.src, *role))
        .collect();
    jobs.sort_unstable();
    jobs.dedup();
    let results: Vec<Result<(PathBuf, Made), Failure>> = (jobs.par_iter())
        .map(|(src, role)| match src {
            ImageSrc::File(candidates) => make_one(root, candidates, *role, cache),
            ImageSrc::Remote(_) => unreachable!("remote pictures were left out above"),
        })
        .collect();
    let mut pictures = Pictures::default();
    let mut failures = HashMap::new();
    for ((src, role), result) in jobs.into_iter().zip(results) {
        match result {
            Ok((source, made)) => {
                pictures.sources.insert(source);
                pictures.encoded += made.encoded;
                for (path, bytes) in made.files {
                    pictures.files.entry(path).or_insert_with(|| bytes.into());
                }
                pictures.by_src.insert((src.clone(), role), Arc::new(made.picture));
            }
            Err(failure) => {
                failures.insert((src, role), failure);
            }
        }
    }
    let mut d = Diagnostics::default();
    for (image, role) in wanted {
        if let Some(failure) = failures.get(&(&image.src, *role)) {
            d.push(image.place.error(failure.message.clone(), failure.help));
        }
    }
    (pictures, d)
}

/// Why one picture could not be made.
#[derive(Debug)]
struct Failure {
    message: String,
    help: &'static str,
}

/// Makes the picture at the first of `candidates` that exists.
fn make_one(root: &Path, candidates: &[PathBuf], role: Role, cache: &MediaCache) -> Result<(PathBuf, Made), Failure> {
    let Some(relative) = candidates.iter().find(|c| root.join(c).symlink_metadata().is_ok()) else {
        let looked: Vec<String> = candidates.iter().map(|c| c.display().to_string()).collect();
        return Err(Failure {
            message: format!("the picture was not found (looked for {})", looked.join(" and ")),
            help: "check the file name (it is case-sensitive), and put the picture beside the content file or under static/",
        });
    };
    let path = root.join(relative);
    let outside = |message: String| Failure {
        message,
        help: "copy the picture into the site instead of linking to it",
    };
    match check_symlink(root, &path) {
        LinkTarget::InsideFile => {}
        LinkTarget::NotAFile => {
            return Err(Failure {
                message: format!("{} is not a file", relative.display()),
                help: "point src at a picture file",
            });
        }
        other => return Err(outside(format!("{}: {}", relative.display(), other.describe()))),
    }
    let bytes = std::fs::read(&path).map_err(|e| Failure {
        message: format!("{} cannot be read: {e}", relative.display()),
        help: "check the file's permissions",
    })?;
    let ext = relative.extension().and_then(|e| e.to_str()).unwrap_or("");
    match image::make(&bytes, ext, role, cache) {
        Ok(made) => Ok((relative.clone(), made)),
        Err(e) => Err(Failure {
            message: format!("{}: {e}", relative.display()),
            help: e.help(),
        }),
    }
}
