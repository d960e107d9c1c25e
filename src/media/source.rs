//! Pictures named in front matter (`image:` on briefs, authors and
//! companies, SPEC §2), checked where they are written (the model calls
//! [`resolve`] for each kind): alt text present
//! (or the picture marked `decorative: true`), a source that stays inside
//! the site. Whether the file exists and is a picture is the media stage's
//! question (it reads the file); this module only says where to look and
//! where to point when the answer is no.

use std::path::{Path, PathBuf};

use crate::content::SourceFile;
use crate::content::raw::RawImage;
use crate::diag::{Diagnostic, Diagnostics};

/// A picture with the text that stands for it.
#[derive(Debug, Clone)]
pub struct Image {
    /// Where the picture is.
    pub src: ImageSrc,
    /// What it shows, for readers who cannot see it; empty only for a
    /// picture marked `decorative: true`.
    pub alt: String,
    /// A caption, plain text.
    pub caption: Option<String>,
    /// Who made it ("Photo by Jane Doe").
    pub credit: Option<String>,
    /// Where `src` is written, so that a file that turns out missing or
    /// broken is reported at the writer's line.
    pub place: Place,
}

/// Where a picture's file is.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ImageSrc {
    /// A file of the site: the first of these paths (relative to the site
    /// root) that exists, beside the content file first, then under
    /// `static/`.
    File(Vec<PathBuf>),
    /// An http(s) URL, shown as is (a portrait hosted elsewhere).
    Remote(String),
}

/// A position in a content file, for errors found after the model stage.
#[derive(Debug, Clone)]
pub struct Place(Diagnostic);

impl Place {
    /// An error at this place.
    pub fn error(&self, message: impl Into<String>, help: impl Into<String>) -> Diagnostic {
        let mut d = self.0.clone();
        d.message = message.into();
        d.help = Some(help.into());
        d
    }
}

/// Whether a picture may live on another site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Remote {
    /// Portraits and logos may be http(s) URLs, shown as they are.
    Allowed,
    /// A lead image must be a file of the site: it is resized and cropped.
    Refused,
}

const ALT_HELP: &str = "describe the picture for readers who cannot see it, e.g. alt: \"Pentagon officials at a 2019 hearing\", or mark a purely decorative picture with decorative: true";

/// The model of `raw`, the `image:` of `file`, or `None` with the reasons
/// in `d`.
pub fn resolve(file: &SourceFile, raw: RawImage, remote: Remote, d: &mut Diagnostics) -> Option<Image> {
    let RawImage {
        src,
        alt,
        caption,
        credit,
        decorative,
    } = raw;
    let trimmed = src.trim();
    let place = Place(match file.value_offsets("image", &[trimmed]).first() {
        Some(&at) if !trimmed.is_empty() => file.yaml_error(at, trimmed.chars().count(), ""),
        _ => file.key_error("image", ""),
    });
    let alt = alt.map(|a| a.trim().to_owned()).unwrap_or_default();
    let alt = match (decorative, alt.is_empty()) {
        (false, false) => Some(alt),
        (true, true) => Some(String::new()),
        (false, true) => {
            d.push(file.key_error("image", "the image has no alt text").with_help(ALT_HELP));
            None
        }
        (true, false) => {
            d.push(
                file.key_error("image", "the image has alt text and is marked decorative: true")
                    .with_help(
                        "keep the alt text and remove decorative: true, unless the picture adds nothing a reader needs",
                    ),
            );
            None
        }
    };
    let src = match source(file, trimmed, remote) {
        Ok(src) => Some(src),
        Err(message) => {
            d.push(place.error(message, "put the picture beside the content file or under static/ and give its path, e.g. image: { src: hearing.jpg, alt: … }"));
            None
        }
    };
    Some(Image {
        src: src?,
        alt: alt?,
        caption: caption.map(|c| c.trim().to_owned()).filter(|c| !c.is_empty()),
        credit: credit.map(|c| c.trim().to_owned()).filter(|c| !c.is_empty()),
        place,
    })
}

/// Where to look for `src`, written in `file`.
fn source(file: &SourceFile, src: &str, remote: Remote) -> Result<ImageSrc, String> {
    let web = src.starts_with("https://") || src.starts_with("http://");
    if web && remote == Remote::Allowed {
        return Ok(ImageSrc::Remote(src.to_owned()));
    }
    if web {
        return Err(format!(
            "the lead image '{src}' is on another site; dossier publishes lead images from the site's own files"
        ));
    }
    let climbs = src.split(['/', '\\']).any(|part| part == "..");
    if src.is_empty()
        || climbs
        || src.contains(':')
        || src.contains('\\')
        || crate::control::find_control(src).is_some()
    {
        return Err(format!(
            "the image source '{src}' is not a path inside the site (no '..', no drive or scheme)"
        ));
    }
    let relative = src.trim_start_matches('/');
    let beside = file.path.parent().unwrap_or(Path::new("")).join(relative);
    let under_static = Path::new("static").join(relative);
    Ok(ImageSrc::File(if src.starts_with('/') {
        vec![under_static]
    } else {
        vec![beside, under_static]
    }))
}
