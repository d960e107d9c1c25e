//! Pictures and documents the site publishes under `/media/` (SPEC §4):
//! lead images resized for `srcset`, generated social cards, documents a
//! brief embeds. Every file is named by a hash of its source bytes and of
//! the transform made of them, so one picture used on several pages is
//! written once, and a name never points at other bytes.

pub mod cache;
pub mod card;
pub mod document;
pub mod image;
pub mod pictures;
pub mod raster;
pub mod source;

use xxhash_rust::xxh3::xxh3_128;

use crate::routes::UrlPath;

/// The folder of the output every media file is written to.
pub const FOLDER: &str = "media";

/// The path of the file made of `source` by `transform` (e.g. `w800.webp`,
/// `card`; empty for a copy), with extension `ext`: `media/<hash>.<ext>`,
/// the hash covering both, so a change to either is a new name.
pub fn path_of(source: &[u8], transform: &str, ext: &str) -> UrlPath {
    let mut keyed = Vec::with_capacity(transform.len() + 17);
    keyed.extend_from_slice(transform.as_bytes());
    keyed.push(0);
    keyed.extend_from_slice(&xxh3_128(source).to_le_bytes());
    let hash = xxh3_128(&keyed);
    UrlPath::from_static(&format!("{FOLDER}/{:032x}.{ext}", hash))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_bytes_and_the_transform() {
        let a = path_of(b"picture", "w800", "webp");
        assert_eq!(a, path_of(b"picture", "w800", "webp"), "stable");
        assert_ne!(a, path_of(b"picture!", "w800", "webp"));
        assert_ne!(a, path_of(b"picture", "w400", "webp"));
        assert!(a.as_str().starts_with("media/") && a.as_str().ends_with(".webp"), "{a}");
        assert_eq!(a.as_str().len(), "media/".len() + 32 + ".webp".len());
    }
}
