//! Building the catalog: slugs, ids, names, and every front matter reference
//! resolved to an id.
//!
//! Runs in two steps, each reporting all of its errors: first the entities
//! themselves (slugs, duplicate URLs, names two entities claim), then the
//! references between them, so a bad slug does not also produce a cascade of
//! "unknown company" errors.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use crate::config::UnknownReferences;
use crate::content::raw::{RawBrief, RawCompany, RawContract, RawPage};
use crate::content::{Body, Content, Loaded, SourceFile, frontmatter};
use crate::diag::{Diagnostic, Diagnostics};
use crate::slug::{Slug, SlugError};

use super::lookup::{Kind, Lookup, Miss};
use super::{
    Brief, BriefId, Company, CompanyId, Contract, ContractId, Correction, EntityKey, Event, Money, Origin, Owner, Page,
    PageId, Source, Tag, TagId,
};

/// Errors reported for one front matter list before the rest are counted
/// in a single line, so a pasted 10,000-entry list stays readable.
const MAX_ERRORS_PER_LIST: usize = 20;

/// Top-level folders of the output that free pages may not take.
pub const RESERVED_PAGE_SLUGS: [&str; 5] = ["briefs", "companies", "contracts", "tags", "page"];

/// Every entity of the site, with references resolved to ids.
#[derive(Debug, Default)]
pub struct Catalog {
    /// Briefs, newest first (date, then slug).
    pub briefs: Vec<Brief>,
    /// Companies, in file order, stubs last.
    pub companies: Vec<Company>,
    /// Contracts, in file order, stubs last.
    pub contracts: Vec<Contract>,
    /// Tags, by slug.
    pub tags: Vec<Tag>,
    /// Free pages, in file order.
    pub pages: Vec<Page>,
    /// Names, aliases and slugs.
    pub lookup: Lookup,
}

/// Options that change what the catalog holds.
#[derive(Debug, Clone, Copy)]
pub struct CatalogOptions {
    /// Include briefs marked `draft: true`.
    pub drafts: bool,
    /// Unknown references: error, or warning plus stub.
    pub unknown_references: UnknownReferences,
}

/// A body waiting for the Markdown stage.
pub type PendingBody = (Owner, Body);

/// Builds the catalog from parsed content.
///
/// Returns the catalog, the bodies to render, and the diagnostics; the
/// catalog is only meaningful when the diagnostics hold no error.
pub fn build(content: Content, options: CatalogOptions) -> (Catalog, Vec<PendingBody>, Diagnostics) {
    let mut d = Diagnostics::default();
    let Content {
        briefs,
        companies,
        contracts,
        pages,
    } = content;

    let (published, drafts): (Vec<_>, Vec<_>) = briefs.into_iter().partition(|b| options.drafts || !b.front.draft);
    let draft_slugs: HashMap<String, PathBuf> = drafts
        .iter()
        .filter_map(|b| {
            Some((
                entity_slug(&b.file, b.front.slug.as_deref(), &mut Diagnostics::default())?.to_string(),
                b.file.path.clone(),
            ))
        })
        .collect();

    let mut briefs: Vec<(Slug, Loaded<RawBrief>)> = published
        .into_iter()
        .filter_map(|b| Some((entity_slug(&b.file, b.front.slug.as_deref(), &mut d)?, b)))
        .collect();
    briefs.sort_by(|(sa, a), (sb, b)| b.front.date.cmp(&a.front.date).then_with(|| sa.cmp(sb)));
    let companies: Vec<_> = companies
        .into_iter()
        .filter_map(|c| Some((entity_slug(&c.file, c.front.slug.as_deref(), &mut d)?, c)))
        .collect();
    let contracts: Vec<_> = contracts
        .into_iter()
        .filter_map(|c| Some((entity_slug(&c.file, c.front.slug.as_deref(), &mut d)?, c)))
        .collect();
    let pages: Vec<_> = pages
        .into_iter()
        .filter_map(|p| Some((entity_slug(&p.file, p.front.slug.as_deref(), &mut d)?, p)))
        .collect();

    check_unique_slugs("briefs", briefs.iter().map(|(s, b)| (s, &b.file)), &mut d);
    check_unique_slugs("companies", companies.iter().map(|(s, c)| (s, &c.file)), &mut d);
    check_unique_slugs("contracts", contracts.iter().map(|(s, c)| (s, &c.file)), &mut d);
    check_unique_slugs("pages", pages.iter().map(|(s, p)| (s, &p.file)), &mut d);
    for (slug, page) in &pages {
        if RESERVED_PAGE_SLUGS.contains(&slug.as_str()) {
            d.push(
                Diagnostic::error(
                    &page.file.path,
                    format!("the page slug '{slug}' would collide with the /{slug}/ section"),
                )
                .with_help("set another `slug:` in the front matter"),
            );
        }
    }

    let mut lookup = Lookup::default();
    for (i, (slug, _)) in briefs.iter().enumerate() {
        lookup.insert(slug.as_str(), EntityKey::Brief(BriefId::new(i)));
    }
    register_names(
        &mut lookup,
        companies
            .iter()
            .map(|(s, c)| (s, &c.front.name, &c.front.aliases, &c.file)),
        |i| EntityKey::Company(CompanyId::new(i)),
        &mut d,
    );
    register_names(
        &mut lookup,
        contracts
            .iter()
            .map(|(s, c)| (s, &c.front.name, &c.front.aliases, &c.file)),
        |i| EntityKey::Contract(ContractId::new(i)),
        &mut d,
    );

    if d.has_errors() {
        return (Catalog::default(), Vec::new(), d);
    }

    let mut resolver = Resolver {
        lookup,
        options,
        stub_companies: Vec::new(),
        stub_contracts: Vec::new(),
        stub_names: HashMap::new(),
        company_count: companies.len(),
        contract_count: contracts.len(),
        diagnostics: d,
    };
    let mut bodies = Vec::new();

    let mut catalog_contracts = Vec::with_capacity(contracts.len());
    for (i, (slug, loaded)) in contracts.into_iter().enumerate() {
        let Loaded { file, front } = loaded;
        catalog_contracts.push(resolver.contract(slug, front, &file));
        bodies.push((Owner::Contract(ContractId::new(i)), file.into_body()));
    }
    let mut catalog_companies = Vec::with_capacity(companies.len());
    for (i, (slug, loaded)) in companies.into_iter().enumerate() {
        let Loaded { file, front } = loaded;
        catalog_companies.push(resolver.company(slug, front, &file));
        bodies.push((Owner::Company(CompanyId::new(i)), file.into_body()));
    }
    let mut tags = TagSet::default();
    let mut catalog_briefs = Vec::with_capacity(briefs.len());
    for (i, (slug, loaded)) in briefs.into_iter().enumerate() {
        let Loaded { file, front } = loaded;
        catalog_briefs.push(resolver.brief(BriefId::new(i), slug, front, &file, &mut tags, &draft_slugs));
        bodies.push((Owner::Brief(BriefId::new(i)), file.into_body()));
    }
    let mut catalog_pages = Vec::with_capacity(pages.len());
    for (i, (slug, loaded)) in pages.into_iter().enumerate() {
        let Loaded { file, front } = loaded;
        let RawPage {
            title,
            slug: _,
            summary,
            extra,
        } = front;
        catalog_pages.push(Page {
            path: file.path.clone(),
            slug,
            title,
            summary,
            extra,
        });
        bodies.push((Owner::Page(PageId::new(i)), file.into_body()));
    }

    let (tags, tag_ids) = tags.finish(&mut resolver.diagnostics);
    for brief in &mut catalog_briefs {
        for tag in &mut brief.tags {
            *tag = tag_ids[tag.index()];
        }
        let mut seen = Vec::with_capacity(brief.tags.len());
        brief.tags.retain(|t| {
            if seen.contains(t) {
                false
            } else {
                seen.push(*t);
                true
            }
        });
    }
    catalog_companies.append(&mut resolver.stub_companies);
    catalog_contracts.append(&mut resolver.stub_contracts);

    let catalog = Catalog {
        briefs: catalog_briefs,
        companies: catalog_companies,
        contracts: catalog_contracts,
        tags,
        pages: catalog_pages,
        lookup: resolver.lookup,
    };
    (catalog, bodies, resolver.diagnostics)
}

/// The slug of a content file: its `slug:` or its file stem.
fn entity_slug(file: &SourceFile, explicit: Option<&str>, d: &mut Diagnostics) -> Option<Slug> {
    match explicit {
        Some(text) => match Slug::parse(text) {
            Ok(slug) => Some(slug),
            Err(e) => {
                let mut diag = file.key_error("slug", format!("invalid slug '{text}': {e}"));
                if let SlugError::NotCanonical { suggestion: Some(s) } = e {
                    diag = diag.with_help(format!("did you mean '{s}'?"));
                }
                d.push(diag);
                None
            }
        },
        None => {
            let stem = file.path.file_stem().map(|s| s.to_string_lossy()).unwrap_or_default();
            match Slug::from_file_stem(&stem) {
                Ok(slug) => Some(slug),
                Err(e) => {
                    d.push(
                        Diagnostic::error(
                            &file.path,
                            format!("cannot make a URL from the file name '{stem}': {e}"),
                        )
                        .with_help("rename the file, or set `slug:` in the front matter"),
                    );
                    None
                }
            }
        }
    }
}

/// Two entities of a kind on one slug: an error naming both files, placed
/// on the `slug:` line that causes it when one of them sets it explicitly.
fn check_unique_slugs<'a>(plural: &str, items: impl Iterator<Item = (&'a Slug, &'a SourceFile)>, d: &mut Diagnostics) {
    let mut seen: HashMap<&Slug, &SourceFile> = HashMap::new();
    for (slug, file) in items {
        let Some(first) = seen.get(slug).copied() else {
            seen.insert(slug, file);
            continue;
        };
        let sets_slug = |f: &SourceFile| frontmatter::key_offset(f.yaml(), "slug").is_some();
        let culprit = if sets_slug(first) && !sets_slug(file) {
            first
        } else {
            file
        };
        let message = format!(
            "two {plural} would be written to the same URL (slug '{slug}'): {} and {}",
            first.path.display(),
            file.path.display()
        );
        let diag = if sets_slug(culprit) {
            culprit.key_error("slug", message)
        } else {
            Diagnostic::error(&culprit.path, message)
        };
        d.push(diag.with_help("give one of them a different file name or `slug:`"));
    }
}

fn register_names<'a>(
    lookup: &mut Lookup,
    items: impl Iterator<Item = (&'a Slug, &'a String, &'a Vec<String>, &'a SourceFile)>,
    key: impl Fn(usize) -> EntityKey,
    d: &mut Diagnostics,
) {
    let mut owners: Vec<&Path> = Vec::new();
    for (i, (slug, name, aliases, file)) in items.enumerate() {
        owners.push(&file.path);
        for (field, text) in [("slug", slug.as_str()), ("name", name.as_str())]
            .into_iter()
            .chain(aliases.iter().map(|a| ("aliases", a.as_str())))
        {
            if let Some(other) = lookup.insert(text, key(i)) {
                let other_index = match other {
                    EntityKey::Company(id) => id.index(),
                    EntityKey::Contract(id) => id.index(),
                    EntityKey::Brief(id) => id.index(),
                };
                let at = file.value_offsets(field, &[text])[0];
                d.push(
                    file.yaml_error(
                        at,
                        text.chars().count(),
                        format!("'{text}' already names {}", owners[other_index].display()),
                    )
                    .with_help("names and aliases must be unique; remove or change one of them"),
                );
            }
        }
    }
}

/// Resolves references, collecting errors and (in warn mode) stubs.
struct Resolver {
    lookup: Lookup,
    options: CatalogOptions,
    stub_companies: Vec<Company>,
    stub_contracts: Vec<Contract>,
    stub_names: HashMap<(bool, String), EntityKey>,
    company_count: usize,
    contract_count: usize,
    diagnostics: Diagnostics,
}

impl Resolver {
    fn contract(&mut self, slug: Slug, front: RawContract, file: &SourceFile) -> Contract {
        let RawContract {
            name,
            aliases,
            slug: _,
            agency,
            value,
            awarded_to,
            status,
            timeline,
            extra,
        } = front;
        let awarded_to = self.references(file, "awarded_to", &awarded_to, Kind::Company, |k| match k {
            EntityKey::Company(id) => Some(id),
            _ => None,
        });
        let value = value.map(|v| Money {
            amount: v.amount,
            currency: v.currency.trim().to_uppercase(),
        });
        let mut timeline: Vec<Event> = timeline
            .into_iter()
            .map(|e| Event {
                date: e.date,
                event: e.event,
            })
            .collect();
        timeline.sort_by(|a, b| a.date.cmp(&b.date));
        Contract {
            origin: Origin::File(file.path.clone()),
            slug,
            name,
            aliases,
            agency,
            value,
            awarded_to,
            status: Some(status),
            timeline,
            extra,
        }
    }

    fn company(&mut self, slug: Slug, front: RawCompany, file: &SourceFile) -> Company {
        let RawCompany {
            name,
            aliases,
            slug: _,
            ticker,
            headquarters,
            website,
            extra,
        } = front;
        if let Some(url) = &website
            && let Err(why) = check_url(url)
        {
            self.diagnostics.push(url_error(file, "website", url, &why));
        }
        Company {
            origin: Origin::File(file.path.clone()),
            slug,
            name,
            aliases,
            ticker,
            headquarters,
            website,
            extra,
        }
    }

    fn brief(
        &mut self,
        id: BriefId,
        slug: Slug,
        front: RawBrief,
        file: &SourceFile,
        tags: &mut TagSet,
        drafts: &HashMap<String, PathBuf>,
    ) -> Brief {
        let RawBrief {
            title,
            date,
            updated,
            slug: _,
            summary,
            author,
            tags: tag_names,
            companies,
            contracts,
            related,
            sources,
            corrections,
            draft: _,
            extra,
        } = front;
        let companies = self.references(file, "companies", &companies, Kind::Company, |k| match k {
            EntityKey::Company(id) => Some(id),
            _ => None,
        });
        let contracts = self.references(file, "contracts", &contracts, Kind::Contract, |k| match k {
            EntityKey::Contract(id) => Some(id),
            _ => None,
        });
        let related = self.related(id, file, &related, drafts);
        let mut tag_ids = Vec::with_capacity(tag_names.len());
        let mut offsets: Option<Vec<usize>> = None;
        for (i, name) in tag_names.iter().enumerate() {
            match Slug::from_text(name) {
                Ok(slug) => tag_ids.push(tags.add(slug, name)),
                Err(e) => {
                    // Located once per brief, and only when a tag is wrong.
                    let offsets = offsets.get_or_insert_with(|| {
                        file.value_offsets("tags", &tag_names.iter().map(String::as_str).collect::<Vec<_>>())
                    });
                    let message = format!("the tag '{name}' cannot be a URL: {e}");
                    self.diagnostics
                        .push(file.yaml_error(offsets[i], name.chars().count().max(1), message));
                }
            }
        }
        let mut checked_sources = Vec::with_capacity(sources.len());
        for source in sources {
            match check_url(&source.url) {
                Ok(()) => checked_sources.push(Source {
                    name: source.name,
                    url: source.url,
                }),
                Err(why) => self.diagnostics.push(url_error(file, "sources", &source.url, &why)),
            }
        }
        let mut corrections: Vec<Correction> = corrections
            .into_iter()
            .map(|c| Correction {
                date: c.date,
                note: c.note,
            })
            .collect();
        corrections.sort_by(|a, b| b.date.cmp(&a.date));
        Brief {
            path: file.path.clone(),
            slug,
            title,
            date,
            updated,
            summary,
            author,
            tags: tag_ids,
            companies,
            contracts,
            related,
            sources: checked_sources,
            corrections,
            extra,
        }
    }

    fn related(
        &mut self,
        me: BriefId,
        file: &SourceFile,
        names: &[String],
        drafts: &HashMap<String, PathBuf>,
    ) -> Vec<BriefId> {
        let mut offsets: Option<Vec<usize>> = None;
        let mut offset = |i: usize| offsets.get_or_insert_with(|| value_offsets(file, "related", names))[i];
        let mut ids = Vec::new();
        for (i, name) in names.iter().enumerate() {
            match self.lookup.find(name, Kind::Brief) {
                Ok(EntityKey::Brief(id)) if id == me => self.diagnostics.push(
                    file.yaml_error(
                        offset(i),
                        name.chars().count(),
                        format!("the brief lists itself as related ('{name}')"),
                    )
                    .into_warning(),
                ),
                Ok(EntityKey::Brief(id)) => {
                    if !ids.contains(&id) {
                        ids.push(id);
                    }
                }
                Ok(_) => unreachable!("find(Kind::Brief) returns briefs"),
                Err(_) if drafts.contains_key(name.as_str()) => self.diagnostics.push(
                    file.yaml_error(
                        offset(i),
                        name.chars().count(),
                        format!("related brief '{name}' is a draft; the link is left out"),
                    )
                    .with_help("build with --drafts to include drafts")
                    .into_warning(),
                ),
                Err(miss) => {
                    let d = miss_error(file, offset(i), name, Kind::Brief, miss);
                    match self.options.unknown_references {
                        UnknownReferences::Error => self.diagnostics.push(d),
                        UnknownReferences::Warn => self.diagnostics.push(d.into_warning()),
                    }
                }
            }
        }
        ids
    }

    /// Resolves a front matter list of company or contract names.
    fn references<T: PartialEq>(
        &mut self,
        file: &SourceFile,
        key: &str,
        names: &[String],
        kind: Kind,
        select: impl Fn(EntityKey) -> Option<T>,
    ) -> Vec<T> {
        let mut out = Vec::new();
        let mut offsets: Option<Vec<usize>> = None;
        let mut misses = 0;
        for (i, name) in names.iter().enumerate() {
            let found = match self.lookup.find(name, kind) {
                Ok(key) => Some(key),
                Err(_)
                    if self.options.unknown_references == UnknownReferences::Error && misses >= MAX_ERRORS_PER_LIST =>
                {
                    misses += 1;
                    None
                }
                Err(miss) => {
                    misses += 1;
                    let at = offsets.get_or_insert_with(|| value_offsets(file, key, names))[i];
                    let d = miss_error(file, at, name, kind, miss);
                    match self.options.unknown_references {
                        UnknownReferences::Error => {
                            self.diagnostics.push(d);
                            None
                        }
                        UnknownReferences::Warn => {
                            let stub = self.stub(name, kind, file);
                            self.diagnostics
                                .push(d.with_help("a stub page was made for it").into_warning());
                            stub
                        }
                    }
                }
            };
            if let Some(item) = found.and_then(&select)
                && !out.contains(&item)
            {
                out.push(item);
            }
        }
        if misses > MAX_ERRORS_PER_LIST && self.options.unknown_references == UnknownReferences::Error {
            let more = misses - MAX_ERRORS_PER_LIST;
            self.diagnostics
                .push(file.key_error(key, format!("… and {more} more unknown {} in this list", kind.plural())));
        }
        out
    }

    fn stub(&mut self, name: &str, kind: Kind, file: &SourceFile) -> Option<EntityKey> {
        let is_company = kind == Kind::Company;
        let norm = super::lookup::normalize(name);
        if let Some(key) = self.stub_names.get(&(is_company, norm.clone())) {
            return Some(*key);
        }
        let slug = Slug::from_text(name).ok()?;
        let origin = Origin::Stub(file.path.clone());
        let key = if is_company {
            let key = EntityKey::Company(CompanyId::new(self.company_count + self.stub_companies.len()));
            self.stub_companies.push(Company {
                origin,
                slug,
                name: name.to_owned(),
                aliases: Vec::new(),
                ticker: None,
                headquarters: None,
                website: None,
                extra: Default::default(),
            });
            key
        } else {
            let key = EntityKey::Contract(ContractId::new(self.contract_count + self.stub_contracts.len()));
            self.stub_contracts.push(Contract {
                origin,
                slug,
                name: name.to_owned(),
                aliases: Vec::new(),
                agency: None,
                value: None,
                awarded_to: Vec::new(),
                status: None,
                timeline: Vec::new(),
                extra: Default::default(),
            });
            key
        };
        self.stub_names.insert((is_company, norm), key);
        Some(key)
    }
}

/// Where each value of a front matter list sits; computed only for errors,
/// once per list, since it scans the YAML text.
fn value_offsets(file: &SourceFile, key: &str, names: &[String]) -> Vec<usize> {
    file.value_offsets(key, &names.iter().map(String::as_str).collect::<Vec<_>>())
}

fn miss_error(file: &SourceFile, at: usize, name: &str, kind: Kind, miss: Miss) -> Diagnostic {
    let d = file.yaml_error(at, name.chars().count(), format!("unknown {} '{name}'", kind.noun()));
    match miss {
        Miss::Unknown { suggestion: Some(s) } => d.with_help(format!("did you mean '{s}'?")),
        Miss::Unknown { suggestion: None } => d.with_help(match kind {
            Kind::Brief => "related: takes the slugs of other briefs (file name without date and .md)".to_owned(),
            Kind::Company => "add a profile in content/companies/, or fix the name".to_owned(),
            Kind::Contract => "add the contract in content/contracts/, or fix the name".to_owned(),
        }),
        Miss::Ambiguous(_) => d,
    }
}

/// Refuses URLs that would run code when clicked, and anything not http(s) or site-relative.
pub fn check_url(url: &str) -> Result<(), String> {
    // Only the start matters: at most 11 characters, once blanks and
    // control characters (which browsers skip) are removed, in lower case.
    let mut head = [0u8; 11];
    let mut len = 0;
    for c in url
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .take(head.len())
    {
        head[len] = if c.is_ascii() {
            c.to_ascii_lowercase() as u8
        } else {
            0xff
        };
        len += 1;
    }
    let cleaned = &head[..len];
    for scheme in ["javascript:", "vbscript:", "data:"] {
        if cleaned.starts_with(scheme.as_bytes()) {
            return Err(format!(
                "'{scheme}' links are refused: they run code or hide content in a reader's browser"
            ));
        }
    }
    if cleaned.starts_with(b"https://")
        || cleaned.starts_with(b"http://")
        || cleaned.starts_with(b"mailto:")
        || cleaned.starts_with(b"/")
    {
        Ok(())
    } else {
        Err("expected an http:// or https:// URL".to_owned())
    }
}

fn url_error(file: &SourceFile, key: &str, url: &str, why: &str) -> Diagnostic {
    let at = file.value_offsets(key, &[url])[0];
    file.yaml_error(at, url.chars().count(), format!("invalid URL '{url}': {why}"))
}

/// Tags collected across briefs, merged by slug.
#[derive(Default)]
struct TagSet {
    /// Temporary id (insertion order) per slug, and the spellings seen.
    by_slug: HashMap<Slug, (usize, Vec<String>)>,
}

impl TagSet {
    /// Adds a tag name; returns a temporary id, remapped by [`TagSet::finish`].
    fn add(&mut self, slug: Slug, name: &str) -> TagId {
        let next = self.by_slug.len();
        let entry = self.by_slug.entry(slug).or_insert_with(|| (next, Vec::new()));
        if !entry.1.iter().any(|n| n == name) {
            entry.1.push(name.trim().to_owned());
        }
        TagId::new(entry.0)
    }

    /// Sorts tags by slug; returns them and the map from temporary to final ids.
    fn finish(self, _d: &mut Diagnostics) -> (Vec<Tag>, Vec<TagId>) {
        let sorted: BTreeMap<Slug, (usize, Vec<String>)> = self.by_slug.into_iter().collect();
        let mut remap = vec![TagId::new(0); sorted.len()];
        let mut tags = Vec::with_capacity(sorted.len());
        for (final_index, (slug, (temp, mut names))) in sorted.into_iter().enumerate() {
            remap[temp] = TagId::new(final_index);
            names.sort();
            tags.push(Tag {
                slug,
                name: names.swap_remove(0),
            });
        }
        (tags, remap)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dangerous_url_schemes_are_refused() {
        for bad in [
            "javascript:alert(1)",
            " JavaScript:alert(1)",
            "java\tscript:x",
            "vbscript:x",
            "data:text/html,x",
            "ftp://x",
            "j\u{0}ava script\n:x",
            "\u{e9}https://x",
            "",
        ] {
            assert!(check_url(bad).is_err(), "{bad}");
        }
        for good in [
            "https://www.cnbc.com/",
            "http://x.org",
            "/about/",
            " \n HTTPS://X",
            "mailto:a@b.c",
        ] {
            assert!(check_url(good).is_ok(), "{good}");
        }
    }
}

/// Resolves `[[wikilinks]]` against the catalog, for the Markdown stage.
#[derive(Debug, Clone, Copy)]
pub struct WikiResolver<'a> {
    /// The catalog.
    pub catalog: &'a Catalog,
    /// For building hrefs.
    pub base: &'a crate::routes::BaseUrl,
}

impl crate::markdown::LinkResolver for WikiResolver<'_> {
    type Target = EntityKey;

    fn resolve(&self, name: &str) -> Result<(EntityKey, String), (String, Option<String>)> {
        use crate::routes::UrlPath;
        let c = self.catalog;
        match c.lookup.find_any(name.trim()) {
            Ok(key) => {
                let path = match key {
                    EntityKey::Brief(id) => UrlPath::brief(&c.briefs[id.index()].slug),
                    EntityKey::Company(id) => UrlPath::company(&c.companies[id.index()].slug),
                    EntityKey::Contract(id) => UrlPath::contract(&c.contracts[id.index()].slug),
                };
                Ok((key, self.base.url(&path)))
            }
            Err(Miss::Unknown { suggestion }) => Err((
                format!("unknown wikilink target '{name}': no company, contract or brief has that name, alias or slug"),
                suggestion.map(|s| format!("did you mean '{s}'?")),
            )),
            Err(Miss::Ambiguous(keys)) => {
                let options: Vec<String> = keys
                    .iter()
                    .map(|k| match k {
                        EntityKey::Brief(id) => format!("[[brief:{}]]", c.briefs[id.index()].slug),
                        EntityKey::Company(id) => format!("[[company:{}]]", c.companies[id.index()].slug),
                        EntityKey::Contract(id) => format!("[[contract:{}]]", c.contracts[id.index()].slug),
                    })
                    .collect();
                Err((
                    format!("wikilink '{name}' names more than one thing"),
                    Some(format!("write one of {}", options.join(", "))),
                ))
            }
        }
    }
}
