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
use crate::media::source::{self as image, Image, Remote};

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
        let checked = (super::catalog::named_links(refs.diagnostics(), file, "links", "link", help, named).into_iter())
            .map(|(name, url)| NamedLink { name, url })
            .collect();
        let image = image.and_then(|raw| image::resolve(file, raw, Remote::Allowed, refs.diagnostics()));
        AuthorFields {
            role,
            links: checked,
            image,
        }
    }
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
