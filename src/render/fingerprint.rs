//! Page fingerprints: a hash of exactly what a template sees, so a rebuild
//! re-renders only the pages whose inputs changed.
//!
//! A page's output is a pure function of its template set, Tera's global
//! context (the `site` view and the lookup tables) and its own view. The
//! global part is hashed once per build ([`Fingerprint::of_parts`]); each view
//! is hashed by serializing it into the hasher. No dependency is declared by
//! hand anywhere: whatever a view holds is what its page depends on, so a
//! view that grows a field can never be left stale.
//!
//! Views are hashed in CBOR, a format serde calls not human-readable
//! ([`serde::Serializer::is_human_readable`]), while Tera's values are
//! human-readable: that is how a shared card knows to stand in by its own
//! fingerprint when hashed (`views::Shared`), which keeps hashing a listing
//! of a thousand briefs as cheap as hashing a thousand numbers. No state is
//! involved: the serializer says what it is.

use std::io::Write;

use serde::Serialize;
use xxhash_rust::xxh3::Xxh3;

/// A 128-bit hash of a page's inputs; equal fingerprints mean equal pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
pub struct Fingerprint(u128);

impl Fingerprint {
    /// The fingerprint of a serializable value. `None` if it cannot be
    /// serialized (rendering it will report why).
    pub fn of(value: &impl Serialize) -> Option<Fingerprint> {
        let mut hasher = Xxh3::new();
        ciborium::into_writer(value, HashWriter(&mut hasher)).ok()?;
        Some(Fingerprint(hasher.digest128()))
    }

    /// The fingerprint of a template's page: the template name and its view.
    pub fn of_page(template: &str, view: &impl Serialize) -> Option<Fingerprint> {
        Fingerprint::of(&(template, view))
    }

    /// Combines fingerprints and raw bytes (template sources, configuration)
    /// into one.
    pub fn of_parts<'a>(parts: impl IntoIterator<Item = &'a [u8]>) -> Fingerprint {
        let mut hasher = Xxh3::new();
        for part in parts {
            hasher.update(&(part.len() as u64).to_le_bytes());
            hasher.update(part);
        }
        Fingerprint(hasher.digest128())
    }

    /// The bytes, for [`Fingerprint::of_parts`].
    pub fn to_bytes(self) -> [u8; 16] {
        self.0.to_le_bytes()
    }
}

/// Feeds serialized bytes into the hasher.
struct HashWriter<'a>(&'a mut Xxh3);

impl Write for HashWriter<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.update(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_views_have_equal_fingerprints_and_any_change_shows() {
        let a = Fingerprint::of_page("brief.html", &("title", 1)).unwrap();
        assert_eq!(a, Fingerprint::of_page("brief.html", &("title", 1)).unwrap());
        assert_ne!(a, Fingerprint::of_page("brief.html", &("title", 2)).unwrap());
        assert_ne!(a, Fingerprint::of_page("other.html", &("title", 1)).unwrap());
    }

    #[test]
    fn parts_are_length_prefixed() {
        let ab_c = Fingerprint::of_parts([b"ab".as_slice(), b"c"]);
        let a_bc = Fingerprint::of_parts([b"a".as_slice(), b"bc"]);
        assert_ne!(ab_c, a_bc);
    }

    #[test]
    fn views_are_hashed_in_a_format_that_is_not_human_readable() {
        struct Probe;
        impl Serialize for Probe {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.is_human_readable().serialize(s)
            }
        }
        // Hashing says "not human-readable"…
        assert_eq!(Fingerprint::of(&Probe), Fingerprint::of(&false));
        // …and handing a view to Tera says "human-readable".
        assert_eq!(tera::Value::from_serializable(&Probe).as_bool(), Some(true));
    }
}
