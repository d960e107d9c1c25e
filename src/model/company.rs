//! Companies: the entity kind of `content/companies/*.md`. What a company
//! adds to every entity's name, aliases and profile: ticker, headquarters
//! website and logo.

use crate::content::SourceFile;
use crate::content::raw::{RawCompany, RawImage};

use super::catalog::{Catalog, References, check_url};
use super::kind::{EntityKind, Kind, RawEntity, Shared};
use super::{BriefId, CompanyId, Entity, EntityKey, Links};
use crate::media::source::{self as image, Image, Remote};

/// A company profile.
pub type Company = Entity<CompanyFields>;

/// What a company has beyond its name and aliases.
#[derive(Debug, Default)]
pub struct CompanyFields {
    /// Stock ticker.
    pub ticker: Option<String>,
    /// Headquarters.
    pub headquarters: Option<String>,
    /// Website, http(s).
    pub website: Option<String>,
    /// Its logo.
    pub image: Option<Image>,
}

/// A company's own fields as written.
#[derive(Debug)]
pub struct RawCompanyFields {
    ticker: Option<String>,
    headquarters: Option<String>,
    website: Option<String>,
    image: Option<RawImage>,
}

/// The company kind.
#[derive(Debug)]
pub struct Companies;

impl EntityKind for Companies {
    const KIND: Kind = Kind::Company;
    type Raw = RawCompany;
    type Fields = CompanyFields;

    fn key(index: usize) -> EntityKey {
        EntityKey::Company(CompanyId::new(index))
    }

    fn all(catalog: &Catalog) -> &[Company] {
        &catalog.companies
    }

    fn all_mut(catalog: &mut Catalog) -> &mut Vec<Company> {
        &mut catalog.companies
    }

    fn briefs(links: &Links, index: usize) -> &[BriefId] {
        &links.company_briefs[index]
    }

    fn resolve(own: RawCompanyFields, file: &SourceFile, refs: &mut References) -> CompanyFields {
        let RawCompanyFields {
            ticker,
            headquarters,
            website,
            image,
        } = own;
        if let Some(url) = &website
            && let Err(why) = check_url(url)
        {
            refs.url_error(file, "website", url, &why);
        }
        let image = image.and_then(|raw| image::resolve(file, raw, Remote::Allowed, refs.diagnostics()));
        CompanyFields {
            ticker,
            headquarters,
            website,
            image,
        }
    }
}

impl RawEntity for RawCompany {
    type Own = RawCompanyFields;

    fn name(&self) -> &str {
        &self.name
    }

    fn aliases(&self) -> &[String] {
        &self.aliases
    }

    fn slug(&self) -> Option<&str> {
        self.slug.as_deref()
    }

    fn split(self) -> (Shared, RawCompanyFields) {
        let RawCompany {
            name,
            aliases,
            slug: _,
            ticker,
            headquarters,
            website,
            image,
            extra,
        } = self;
        let own = RawCompanyFields {
            ticker,
            headquarters,
            website,
            image,
        };
        (Shared { name, aliases, extra }, own)
    }
}
