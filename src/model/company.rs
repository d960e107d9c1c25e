//! Companies: the entity kind of `content/companies/*.md`. What a company
//! adds to every entity's name, aliases and profile: ticker, headquarters
//! and website.

use crate::content::SourceFile;
use crate::content::raw::RawCompany;

use super::catalog::{Catalog, References, check_url};
use super::kind::{EntityKind, Kind, RawEntity, Shared};
use super::{BriefId, CompanyId, Entity, EntityKey, Links};

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

    fn resolve(own: CompanyFields, file: &SourceFile, refs: &mut References) -> CompanyFields {
        if let Some(url) = &own.website
            && let Err(why) = check_url(url)
        {
            refs.url_error(file, "website", url, &why);
        }
        own
    }
}

impl RawEntity for RawCompany {
    type Own = CompanyFields;

    fn name(&self) -> &str {
        &self.name
    }

    fn aliases(&self) -> &[String] {
        &self.aliases
    }

    fn slug(&self) -> Option<&str> {
        self.slug.as_deref()
    }

    fn split(self) -> (Shared, CompanyFields) {
        let RawCompany {
            name,
            aliases,
            slug: _,
            ticker,
            headquarters,
            website,
            extra,
        } = self;
        let own = CompanyFields {
            ticker,
            headquarters,
            website,
        };
        (Shared { name, aliases, extra }, own)
    }
}
