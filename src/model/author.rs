//! Authors: the entity kind of `content/authors/*.md`, the desk's
//! reporters and editors. What an author adds to every entity's name,
//! aliases and bio: a role, links to their profiles and a portrait. When
//! the folder holds any file, a brief's byline must name one of them
//! (SPEC §2); without it, bylines stay free text.

use crate::content::SourceFile;
use crate::content::raw::{RawAuthor, RawImage, RawLink};

use super::catalog::{Catalog, References};
use super::kind::{EntityKind, Kind, RawEntity, Shared};
use super::{AuthorId, BriefId, Entity, EntityKey, Links};

/// A reporter or editor.
pub type Author = Entity<AuthorFields>;

/// What an author has beyond a name and aliases.
#[derive(Debug, Default)]
pub struct AuthorFields {
    /// What they do at the desk ("Defense technology reporter").
    pub role: Option<String>,
    /// Their profiles elsewhere, with checked URLs.
    pub links: Vec<NamedLink>,
    /// Their portrait.
    pub image: Option<Image>,
}

/// A link with the name a reader sees.
#[derive(Debug, Clone)]
pub struct NamedLink {
    /// "Mastodon".
    pub name: String,
    /// An http(s) or site-relative URL.
    pub url: String,
}

/// A picture with the text that stands for it; no picture goes without.
#[derive(Debug, Clone)]
pub struct Image {
    /// A path under `static/` (shown under the base path), or an http(s) URL.
    pub src: String,
    /// What the picture shows, for readers who cannot see it.
    pub alt: String,
}

/// An author's own fields as written.
#[derive(Debug)]
pub struct RawAuthorFields {
    role: Option<String>,
    links: Vec<RawLink>,
    image: Option<RawImage>,
}

/// The author kind.
#[derive(Debug)]
pub struct Authors;

impl EntityKind for Authors {
    const KIND: Kind = Kind::Author;
    type Raw = RawAuthor;
    type Fields = AuthorFields;

    fn key(index: usize) -> EntityKey {
        EntityKey::Author(AuthorId::new(index))
    }

    fn all(catalog: &Catalog) -> &[Author] {
        &catalog.authors
    }

    fn all_mut(catalog: &mut Catalog) -> &mut Vec<Author> {
        &mut catalog.authors
    }

    fn briefs(links: &Links, index: usize) -> &[BriefId] {
        &links.author_briefs[index]
    }

    fn resolve(own: RawAuthorFields, file: &SourceFile, refs: &mut References) -> AuthorFields {
        let RawAuthorFields { role, links, image } = own;
        let named = links.into_iter().map(|l| (l.name, l.url)).collect();
        let help = "name the site the link leads to, e.g. - { name: Mastodon, url: \"https://…\" }";
        let checked = (refs.named_links(file, "links", "link", help, named).into_iter())
            .map(|(name, url)| NamedLink { name, url })
            .collect();
        let image = image.and_then(|image| match check_image(&image) {
            Ok(()) => Some(Image {
                src: image.src,
                alt: image.alt,
            }),
            Err((field, message, help)) => {
                let d = match field {
                    "src" if !image.src.is_empty() => {
                        let at = file.value_offsets("image", &[image.src.as_str()])[0];
                        file.yaml_error(at, image.src.chars().count(), message)
                    }
                    _ => file.key_error("image", message),
                };
                refs.push(d.with_help(help));
                None
            }
        });
        AuthorFields {
            role,
            links: checked,
            image,
        }
    }
}

/// A portrait needs a describing text and a source that stays on the site
/// (a path under `static/`) or is an http(s) URL.
fn check_image(image: &RawImage) -> Result<(), (&'static str, String, &'static str)> {
    if image.alt.trim().is_empty() {
        return Err((
            "alt",
            "the image has no alt text".to_owned(),
            "say what the picture shows, e.g. image: { src: jane.jpg, alt: Jane Doe }",
        ));
    }
    let src = image.src.trim();
    let web = src.starts_with("https://") || src.starts_with("http://");
    let climbs = src.split(['/', '\\']).any(|part| part == "..");
    if src.is_empty() || climbs || (!web && src.contains(':')) || crate::control::find_control(src).is_some() {
        return Err((
            "src",
            format!("the image source '{src}' is not a file under static/ or an http(s) URL"),
            "put the picture under static/ and give its path, e.g. image: { src: people/jane.jpg, alt: Jane Doe }",
        ));
    }
    Ok(())
}

impl RawEntity for RawAuthor {
    type Own = RawAuthorFields;

    fn name(&self) -> &str {
        &self.name
    }

    fn aliases(&self) -> &[String] {
        &self.aliases
    }

    fn slug(&self) -> Option<&str> {
        self.slug.as_deref()
    }

    fn split(self) -> (Shared, RawAuthorFields) {
        let RawAuthor {
            name,
            aliases,
            slug: _,
            role,
            links,
            image,
            extra,
        } = self;
        (Shared { name, aliases, extra }, RawAuthorFields { role, links, image })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(src: &str, alt: &str) -> RawImage {
        RawImage {
            src: src.to_owned(),
            alt: alt.to_owned(),
        }
    }

    #[test]
    fn a_portrait_needs_alt_text_and_a_safe_source() {
        assert!(check_image(&image("people/jane.jpg", "Jane Doe")).is_ok());
        assert!(check_image(&image("https://cdn.example/j.jpg", "Jane")).is_ok());
        assert_eq!(check_image(&image("jane.jpg", " ")).unwrap_err().0, "alt");
        for bad in [
            "",
            "../secret.jpg",
            "a/../../b.jpg",
            "javascript:alert(1)",
            "data:image/png,x",
        ] {
            assert_eq!(check_image(&image(bad, "Jane")).unwrap_err().0, "src", "{bad}");
        }
    }
}
