//! Slugs: the one URL segment a brief, company, contract, tag or page lives at.
//!
//! A [`Slug`] can only hold lowercase ASCII letters, digits and single inner
//! dashes, so it can never name a parent folder, an absolute path or a URL that
//! differs from another only by case (GitHub Pages is case-sensitive, writers'
//! laptops often are not).

use std::fmt;

/// A validated URL segment: `[a-z0-9]+(-[a-z0-9]+)*`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct Slug(String);

/// Why a text cannot be a slug.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SlugError {
    /// Transliteration left nothing ("---", "!!!").
    Empty,
    /// A name Windows reserves for devices (`con`, `nul`, `com1`…): such a
    /// file cannot be checked out or written there.
    Reserved(String),
    /// An explicit `slug:` that is not already in slug form; carries the form it could take.
    NotCanonical {
        /// The slugified suggestion, if any.
        suggestion: Option<Slug>,
    },
}

impl fmt::Display for SlugError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SlugError::Empty => f.write_str("it has no letters or digits to make a URL from"),
            SlugError::Reserved(name) => {
                write!(
                    f,
                    "'{name}' is a device name on Windows, where the output could not be checked out"
                )
            }
            SlugError::NotCanonical { .. } => f.write_str(RULE),
        }
    }
}

/// What [`Slug::parse`] accepts, as a JSON Schema pattern for editors
/// (the Windows device names it also refuses are left to the build).
pub const PATTERN: &str = "^[a-z0-9]+(-[a-z0-9]+)*$";

/// What a written slug must be, in the words of its error (and of the
/// editors' schema).
pub const RULE: &str =
    "a slug may only hold lowercase ASCII letters, digits and single dashes (no '/', '..' or spaces)";

impl Slug {
    /// Makes a slug from any text, transliterating ("Société Générale" → `societe-generale`).
    pub fn from_text(text: &str) -> Result<Slug, SlugError> {
        // Most file names and tags are slugs already, and slugify (which
        // transliterates) would give them back unchanged.
        let slug = if is_canonical(text) {
            text.to_owned()
        } else {
            slug::slugify(text)
        };
        if slug.is_empty() {
            Err(SlugError::Empty)
        } else if is_reserved(&slug) {
            Err(SlugError::Reserved(slug))
        } else {
            Ok(Slug(slug))
        }
    }

    /// Accepts a slug a writer typed (`slug:`), which must already be canonical.
    pub fn parse(text: &str) -> Result<Slug, SlugError> {
        if is_reserved(text) {
            Err(SlugError::Reserved(text.to_owned()))
        } else if is_canonical(text) {
            Ok(Slug(text.to_owned()))
        } else {
            Err(SlugError::NotCanonical {
                suggestion: Slug::from_text(text).ok(),
            })
        }
    }

    /// The slug for a content file: its stem minus a leading `YYYY-MM-DD-`.
    pub fn from_file_stem(stem: &str) -> Result<Slug, SlugError> {
        Slug::from_text(strip_date_prefix(stem))
    }

    /// The slug as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Windows device names, which no file or folder may be called (a lower
/// case name, without extension).
pub(crate) fn is_reserved(slug: &str) -> bool {
    matches!(slug, "con" | "prn" | "aux" | "nul")
        || ((slug.starts_with("com") || slug.starts_with("lpt"))
            && slug.len() == 4
            && slug.as_bytes()[3].is_ascii_digit()
            && slug.as_bytes()[3] != b'0')
}

fn is_canonical(text: &str) -> bool {
    !text.is_empty()
        && text
            .split('-')
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
}

/// Removes a leading `YYYY-MM-DD-` from a file stem, as Jekyll and Zola do.
pub fn strip_date_prefix(stem: &str) -> &str {
    let bytes = stem.as_bytes();
    let is_date = bytes.len() > 11
        && bytes[..10].iter().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                *b == b'-'
            } else {
                b.is_ascii_digit()
            }
        })
        && bytes[10] == b'-';
    if is_date { &stem[11..] } else { stem }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The editors' pattern and [`Slug::parse`] agree, but for the
        /// Windows device names, which only the build refuses.
        #[test]
        fn the_schema_pattern_is_the_parsers_rule(text in "[a-z0-9-]{0,12}|.{0,12}") {
            let matches = regex::Regex::new(PATTERN).unwrap().is_match(&text);
            prop_assert_eq!(matches, is_canonical(&text), "{}", text);
        }

        /// [`Slug::from_text`] skips slugify for a canonical text: slugify
        /// must give every such text back unchanged.
        #[test]
        fn slugify_keeps_a_canonical_text(text in "[a-z0-9]{1,6}(-[a-z0-9]{1,6}){0,4}|[a-z0-9-]{0,12}") {
            prop_assume!(is_canonical(&text));
            prop_assert_eq!(slug::slugify(&text), text);
        }
    }

    #[test]
    fn transliterates_and_lowercases() {
        assert_eq!(
            Slug::from_text("Société Générale").unwrap().as_str(),
            "societe-generale"
        );
        assert_eq!(Slug::from_text("Cloud Computing").unwrap().as_str(), "cloud-computing");
        assert_eq!(Slug::from_text("日本語").unwrap().as_str(), "ri-ben-yu");
    }

    #[test]
    fn empty_results_are_errors() {
        assert_eq!(Slug::from_text("---"), Err(SlugError::Empty));
        assert_eq!(Slug::from_text(""), Err(SlugError::Empty));
    }

    #[test]
    fn explicit_slugs_must_be_canonical() {
        assert!(Slug::parse("jedi-contract-delayed").is_ok());
        for bad in [
            "../etc", "a/b", "..", "A", "a--b", "-a", "a-", "a b", "", "/abs", "a.html",
        ] {
            assert!(Slug::parse(bad).is_err(), "{bad} should be refused");
        }
        let Err(SlugError::NotCanonical { suggestion }) = Slug::parse("My Story") else {
            panic!("expected NotCanonical")
        };
        assert_eq!(suggestion.unwrap().as_str(), "my-story");
    }

    #[test]
    fn windows_device_names_are_refused() {
        for name in ["con", "NUL", "com1", "lpt9"] {
            assert!(matches!(Slug::from_text(name), Err(SlugError::Reserved(_))), "{name}");
        }
        assert!(Slug::from_text("console").is_ok() && Slug::from_text("com10").is_ok());
    }

    #[test]
    fn file_stems_lose_their_date() {
        assert_eq!(
            Slug::from_file_stem("2020-08-18-microsoft-cloud").unwrap().as_str(),
            "microsoft-cloud"
        );
        assert_eq!(Slug::from_file_stem("2020-08-18").unwrap().as_str(), "2020-08-18");
        assert_eq!(Slug::from_file_stem("plain").unwrap().as_str(), "plain");
    }
}
