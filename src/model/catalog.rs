//! Building the catalog: slugs, ids, names, and every front matter reference
//! resolved to an id.
//!
//! Runs in two steps, each reporting all of its errors: first the entities
//! themselves (slugs, duplicate URLs, names two entities claim), then the
//! references between them, so a bad slug does not also produce a cascade of
//! "unknown company" errors.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use crate::config::UnknownReferences;
use crate::content::raw::{RawBrief, RawCorrection, RawPage, RawSource};
use crate::content::{Body, Content, Failed, Loaded, SourceFile, frontmatter};
use jiff::Timestamp;
use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::date::DateTime;
use crate::diag::{Diagnostic, Diagnostics};
use crate::media::image::Role;
use crate::media::source::Image;
use crate::routes::{BaseUrl, UrlPath};
use crate::slug::{Slug, SlugError};

use super::author::{Author, Authors};
use super::company::{Companies, Company};
use super::contract::{Contract, Contracts};
use super::display::{self, Shown};
use super::kind::{EntityKind, Kind, RawEntity};
use super::lookup::{Lookup, Miss, normalize};
use super::redirects::{self, Collector, Redirect, Target};
use super::{Brief, BriefId, Byline, Correction, Entity, EntityKey, Origin, Owner, Page, PageId, Source, Tag, TagId};

/// Errors reported for one front matter list before the rest are counted
/// in a single line, so a pasted 10,000-entry list stays readable.
const MAX_ERRORS_PER_LIST: usize = 20;

/// Top-level folders of the output that free pages may not take.
pub const RESERVED_PAGE_SLUGS: [&str; 6] = ["briefs", "companies", "contracts", "authors", "tags", "page"];

/// Every entity of the site, with references resolved to ids.
#[derive(Debug, Default)]
pub struct Catalog {
    /// Briefs, newest first (date, then slug).
    pub briefs: Vec<Brief>,
    /// Companies, in file order, stubs last.
    pub companies: Vec<Company>,
    /// Contracts, in file order, stubs last.
    pub contracts: Vec<Contract>,
    /// Authors, in file order, stubs last.
    pub authors: Vec<Author>,
    /// Tags, by slug.
    pub tags: Vec<Tag>,
    /// Free pages, in file order.
    pub pages: Vec<Page>,
    /// Names, aliases and slugs.
    pub lookup: Lookup,
    /// Briefs held back until their date (an embargo), by file, oldest
    /// first; empty with `future`, which publishes them.
    pub scheduled: Vec<(PathBuf, DateTime)>,
    /// The slugs of the briefs left out as drafts or scheduled, so a link
    /// to one can say why.
    pub held_back: HashMap<String, HeldBack>,
    /// Files left out for errors of their own, by kind and slug.
    pub failed: HashMap<(Kind, String), PathBuf>,
    /// The old addresses (`aliases:` paths) of briefs, entities and pages,
    /// each written as a redirect to the page that moved.
    pub redirects: Vec<Redirect>,
}

impl Catalog {
    /// The slug of the entity or brief `key`.
    pub fn slug(&self, key: EntityKey) -> &Slug {
        match key {
            EntityKey::Brief(id) => &self.briefs[id.index()].slug,
            EntityKey::Company(id) => &self.companies[id.index()].slug,
            EntityKey::Contract(id) => &self.contracts[id.index()].slug,
            EntityKey::Author(id) => &self.authors[id.index()].slug,
        }
    }

    /// Every picture front matter names, with what it is for: briefs'
    /// lead images, authors' portraits, companies' logos.
    pub fn pictures(&self) -> Vec<(&Image, Role)> {
        let briefs = (self.briefs.iter())
            .filter_map(|b| b.image.as_ref())
            .map(|i| (i, Role::Lead));
        let authors = (self.authors.iter())
            .filter_map(|a| a.fields.image.as_ref())
            .map(|i| (i, Role::Portrait));
        let companies = (self.companies.iter())
            .filter_map(|c| c.fields.image.as_ref())
            .map(|i| (i, Role::Logo));
        briefs.chain(authors).chain(companies).collect()
    }

    /// The brief left out of this build (a draft, or scheduled) that a
    /// wikilink names by slug (`[[slug]]`, `[[brief:slug]]`), if it names one.
    pub fn held_back(&self, name: &str) -> Option<&HeldBack> {
        let name = name.trim();
        let name = name.strip_prefix("brief:").unwrap_or(name);
        let slug = Slug::from_text(name).ok()?;
        self.held_back.get(slug.as_str())
    }

    /// The file with errors of its own that a wikilink to `name` would have
    /// reached (by slug; `kind:` prefixes allowed), if there is one.
    pub fn failed_file(&self, name: &str) -> Option<&PathBuf> {
        let all = || [Kind::Brief].into_iter().chain(Kind::ENTITIES);
        let name = name.trim();
        let (kinds, name): (Vec<Kind>, &str) = match super::lookup::split_kind(name) {
            Some((kind, rest)) => (vec![kind], rest),
            None => (all().collect(), name),
        };
        failed_lookup(&self.failed, &kinds, name)
    }

    /// The file `key` came from (for a stub, the file that first named it).
    pub fn path(&self, key: EntityKey) -> &std::path::Path {
        match key {
            EntityKey::Brief(id) => &self.briefs[id.index()].path,
            EntityKey::Company(id) => self.companies[id.index()].origin.path(),
            EntityKey::Contract(id) => self.contracts[id.index()].origin.path(),
            EntityKey::Author(id) => self.authors[id.index()].origin.path(),
        }
    }

    /// The URL path of `key`'s page.
    pub fn url_path(&self, key: EntityKey) -> UrlPath {
        match key {
            EntityKey::Brief(_) => UrlPath::brief(self.slug(key)),
            _ => UrlPath::entity(Kind::of(key).plural(), self.slug(key)),
        }
    }
}

/// Options that change what the catalog holds.
#[derive(Debug, Clone, Copy)]
pub struct CatalogOptions<'a> {
    /// Include briefs marked `draft: true`.
    pub drafts: bool,
    /// Include briefs dated after `now` (scheduled), marked as such.
    pub future: bool,
    /// The moment after which a brief is scheduled.
    pub now: Timestamp,
    /// Unknown references: error, or warning plus stub.
    pub unknown_references: UnknownReferences,
    /// Where the site is served: old addresses (`aliases:`) are paths under
    /// it, and a full address on it says which path was meant.
    pub base: &'a BaseUrl,
}

/// A brief that exists but is not in this build, and why.
#[derive(Debug, Clone)]
pub enum HeldBack {
    /// Marked `draft: true`, built without `--drafts`.
    Draft(PathBuf),
    /// Dated after the build's "now", built without `--future`.
    Scheduled(PathBuf, DateTime),
}

impl HeldBack {
    /// What it is, for messages: "a draft (content/briefs/x.md)".
    pub fn describe(&self) -> String {
        match self {
            HeldBack::Draft(path) => format!("a draft ({})", path.display()),
            HeldBack::Scheduled(path, date) => format!("scheduled for {} ({})", date.iso(), path.display()),
        }
    }

    /// How to get it into the build.
    pub fn help(&self) -> &'static str {
        match self {
            HeldBack::Draft(_) => {
                "publish it by removing `draft: true` from its front matter, or build with --drafts to include drafts"
            }
            HeldBack::Scheduled(..) => {
                "it is published on its date (build again then); build with --future to include it now"
            }
        }
    }
}

/// A body waiting for the Markdown stage.
pub type PendingBody = (Owner, Body);

/// Builds the catalog from parsed content.
///
/// Returns the catalog, the bodies to render, and the diagnostics; the
/// catalog is only meaningful when the diagnostics hold no error.
pub fn build(content: Content, options: CatalogOptions) -> (Catalog, Vec<PendingBody>, Diagnostics) {
    let mut d = Diagnostics::default();
    let named = name(content, options, &mut d);
    if d.has_errors() {
        return (Catalog::default(), Vec::new(), d);
    }
    resolve(named, options, d)
}

/// What the first step makes: every file with its slug, and every name.
struct Named {
    /// The published briefs, newest first, then by slug.
    briefs: Vec<Loaded<RawBrief>>,
    /// Their slugs, by position.
    brief_slugs: Vec<Slug>,
    /// The briefs left out, by slug, for "is a draft" warnings.
    held_back: HashMap<String, HeldBack>,
    /// The scheduled briefs left out.
    scheduled: Vec<(PathBuf, DateTime)>,
    /// Files with errors of their own, by kind and slug.
    failed: HashMap<(Kind, String), PathBuf>,
    companies: Vec<(Slug, Loaded<<Companies as EntityKind>::Raw>)>,
    contracts: Vec<(Slug, Loaded<<Contracts as EntityKind>::Raw>)>,
    authors: Vec<(Slug, Loaded<<Authors as EntityKind>::Raw>)>,
    pages: Vec<(Slug, Loaded<RawPage>)>,
    lookup: Lookup,
}

/// The first step: slugs, URLs no two files may share, and the names,
/// aliases and slugs references resolve through.
fn name(content: Content, options: CatalogOptions, d: &mut Diagnostics) -> Named {
    let Content {
        briefs,
        companies,
        contracts,
        authors,
        pages,
        // Read by the pipeline's `documents` step, before this one.
        documents: _,
        failed,
    } = content;
    // In place: a brief's parsed front matter is large, and most briefs
    // are published.
    let mut published = briefs;
    let drafts: Vec<_> = (published.extract_if(.., |b| !options.drafts && b.front.draft)).collect();
    let scheduled: Vec<_> =
        (published.extract_if(.., |b| !options.future && b.front.date.instant() > options.now)).collect();
    let slug_of = |b: &Loaded<RawBrief>| {
        entity_slug(&b.file, b.front.slug.as_deref(), &mut Diagnostics::default()).map(|s| s.to_string())
    };
    let held_back: HashMap<String, HeldBack> = (drafts.iter())
        .filter_map(|b| Some((slug_of(b)?, HeldBack::Draft(b.file.path.clone()))))
        .chain(scheduled.iter().filter_map(|b| {
            let held = HeldBack::Scheduled(b.file.path.clone(), b.front.date.clone());
            Some((slug_of(b)?, held))
        }))
        .collect();
    let mut scheduled: Vec<(PathBuf, DateTime)> =
        (scheduled.into_iter()).map(|b| (b.file.path, b.front.date)).collect();
    scheduled.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
    let slugs: Vec<Option<Slug>> = (published.iter())
        .map(|b| entity_slug(&b.file, b.front.slug.as_deref(), d))
        .collect();
    let brief_slugs = newest_first(&mut published, slugs);
    let briefs = published;
    let companies = slugged(companies, d);
    let contracts = slugged(contracts, d);
    let authors = slugged(authors, d);
    let pages: Vec<_> = pages
        .into_iter()
        .filter_map(|p| Some((entity_slug(&p.file, p.front.slug.as_deref(), d)?, p)))
        .collect();

    check_unique_slugs("briefs", brief_slugs.iter().zip(briefs.iter().map(|b| &b.file)), d);
    check_unique_slugs("companies", companies.iter().map(|(s, c)| (s, &c.file)), d);
    check_unique_slugs("contracts", contracts.iter().map(|(s, c)| (s, &c.file)), d);
    check_unique_slugs("authors", authors.iter().map(|(s, a)| (s, &a.file)), d);
    check_unique_slugs("pages", pages.iter().map(|(s, p)| (s, &p.file)), d);
    check_page_slugs(&pages, d);

    let mut lookup = Lookup::default();
    for (i, slug) in brief_slugs.iter().enumerate() {
        lookup.insert(slug.as_str(), EntityKey::Brief(BriefId::new(i)));
    }
    register_names::<Companies>(&mut lookup, &companies, d);
    register_names::<Contracts>(&mut lookup, &contracts, d);
    register_names::<Authors>(&mut lookup, &authors, d);
    Named {
        briefs,
        brief_slugs,
        held_back,
        scheduled,
        failed: failed_by_name(failed),
        companies,
        contracts,
        authors,
        pages,
        lookup,
    }
}

/// Leaves in `briefs` those that have a slug, newest first, then by slug,
/// and returns their slugs in that order. A brief's parsed front matter is
/// large (about 600 bytes) and a sort moves its items many times, so this
/// sorts their positions (on all cores) and then puts each brief in its
/// place by swaps, in memory it already has: moved into a new vector, at
/// 100,000 briefs, the page faults of its fresh memory were most of a
/// stage that has one core.
fn newest_first(briefs: &mut Vec<Loaded<RawBrief>>, slugs: Vec<Option<Slug>>) -> Vec<Slug> {
    let mut named = slugs.iter().map(Option::is_some);
    briefs.retain(|_| named.next().unwrap_or(false));
    let mut slugs: Vec<Option<Slug>> = slugs.into_iter().filter(Option::is_some).collect();
    let mut order: Vec<usize> = (0..briefs.len()).collect();
    order.par_sort_by(|&a, &b| (briefs[b].front.date.cmp(&briefs[a].front.date)).then_with(|| slugs[a].cmp(&slugs[b])));
    let sorted_slugs = order.iter().filter_map(|&i| slugs[i].take()).collect();
    permute(briefs, order);
    sorted_slugs
}

/// Puts `items[order[k]]` at `k` for every `k`, in place: each cycle of
/// the permutation is followed once, one swap per item.
fn permute<T>(items: &mut [T], mut order: Vec<usize>) {
    const DONE: usize = usize::MAX;
    for start in 0..items.len() {
        let mut at = start;
        while order[at] != DONE {
            let from = std::mem::replace(&mut order[at], DONE);
            if from == start {
                break;
            }
            items.swap(at, from);
            at = from;
        }
    }
}

/// The second step: every entity with its references resolved to ids, and
/// the bodies to render.
fn resolve(named: Named, options: CatalogOptions, d: Diagnostics) -> (Catalog, Vec<PendingBody>, Diagnostics) {
    let Named {
        briefs,
        brief_slugs,
        held_back,
        scheduled,
        failed,
        companies,
        contracts,
        authors,
        pages,
        lookup,
    } = named;
    let mut refs = References {
        lookup: std::borrow::Cow::Owned(lookup),
        options,
        stubs: Catalog::default(),
        stub_names: HashMap::new(),
        files: HashMap::from([
            (Kind::Company, companies.len()),
            (Kind::Contract, contracts.len()),
            (Kind::Author, authors.len()),
        ]),
        has_authors: !authors.is_empty() || failed.keys().any(|(kind, _)| *kind == Kind::Author),
        failed,
        diagnostics: d,
        redirects: Collector::new(options.base),
    };
    // Sized up front, one body per file.
    let files = companies.len() + contracts.len() + authors.len();
    let mut bodies = Vec::with_capacity(files + briefs.len() + pages.len());
    let mut catalog = Catalog::default();
    resolve_entities::<Contracts>(&mut catalog, &mut refs, contracts, &mut bodies);
    resolve_entities::<Companies>(&mut catalog, &mut refs, companies, &mut bodies);
    resolve_entities::<Authors>(&mut catalog, &mut refs, authors, &mut bodies);
    let mut tags = TagSet::default();
    let (mut briefs, unnumbered) = resolve_briefs(&mut refs, briefs, brief_slugs, &held_back);
    for (i, (brief, unnumbered)) in briefs.iter_mut().zip(unnumbered).enumerate() {
        let file = unnumbered.number(brief, &mut refs, &mut tags);
        bodies.push((Owner::Brief(BriefId::new(i)), file.into_body()));
    }
    catalog.briefs = briefs;
    for (i, (slug, loaded)) in pages.into_iter().enumerate() {
        let Loaded { file, front } = loaded;
        let RawPage {
            title,
            slug: _,
            summary,
            aliases,
            extra,
        } = front;
        let target = Target {
            path: &UrlPath::page(&slug),
            title: &title,
        };
        refs.redirects.add_page(&file, &aliases, target, &mut refs.diagnostics);
        refs.diagnostics
            .extend(display::check(&title, Shown::title("page"), |m| {
                file.value_error("title", m)
            }));
        catalog.pages.push(Page {
            path: file.path.clone(),
            slug,
            title,
            summary,
            extra,
        });
        bodies.push((Owner::Page(PageId::new(i)), file.into_body()));
    }
    let (tags, tag_ids) = tags.finish(&mut refs.diagnostics);
    remap_tags(&mut catalog.briefs, &tag_ids);
    catalog.tags = tags;
    catalog.companies.append(&mut refs.stubs.companies);
    catalog.contracts.append(&mut refs.stubs.contracts);
    catalog.authors.append(&mut refs.stubs.authors);
    catalog.lookup = refs.lookup.into_owned();
    catalog.scheduled = scheduled;
    catalog.held_back = held_back;
    catalog.failed = refs.failed;
    catalog.redirects = refs.redirects.finish();
    (catalog, bodies, refs.diagnostics)
}

/// What a brief resolved on its own still waits for, since it depends on
/// the briefs before it: its tags' ids (numbered in order of first use) and
/// its old addresses (a clash is reported at the later file). Kept beside
/// the brief, not with it, so that each brief is written once, into the
/// catalog's vector: at 100,000 briefs a vector of both, copied out, was
/// 60 MB of fresh memory (BENCHMARKS.md, "Fresh memory").
struct Unnumbered {
    /// Its tags' slugs and spellings, in the order written.
    tags: Vec<(Slug, String)>,
    diagnostics: Diagnostics,
    file: SourceFile,
    aliases: Vec<String>,
}

impl Unnumbered {
    /// Gives `brief` its tags and collects its old addresses, handing back
    /// its file; called in the order of the briefs, what `refs` and `tags`
    /// say afterwards is as if every brief had been resolved in that order.
    fn number(self, brief: &mut Brief, refs: &mut References<'_>, tags: &mut TagSet) -> SourceFile {
        let Unnumbered {
            tags: names,
            diagnostics,
            file,
            aliases,
        } = self;
        let target = Target {
            path: &UrlPath::brief(&brief.slug),
            title: &brief.title,
        };
        refs.redirects.add_page(&file, &aliases, target, &mut refs.diagnostics);
        refs.diagnostics.extend(diagnostics.into_vec());
        brief.tags = (names.into_iter()).map(|(slug, name)| tags.add(slug, &name)).collect();
        file
    }
}

/// Resolves each brief's references, on all cores when unknown names are
/// errors (at 100,000 briefs this stage had one core for about 0.3 s);
/// with stubs for unknown names, in order, since each stub takes the next
/// id of its kind.
fn resolve_briefs(
    refs: &mut References<'_>,
    briefs: Vec<Loaded<RawBrief>>,
    slugs: Vec<Slug>,
    held_back: &HashMap<String, HeldBack>,
) -> (Vec<Brief>, Vec<Unnumbered>) {
    let one = |refs: &mut References<'_>, (i, (loaded, slug)): (usize, (Loaded<RawBrief>, Slug))| {
        let Loaded { file, mut front } = loaded;
        let aliases = std::mem::take(&mut front.aliases);
        let (brief, tags) = refs.brief_but_tags(BriefId::new(i), slug, front, &file, held_back);
        let diagnostics = std::mem::take(&mut refs.diagnostics);
        let unnumbered = Unnumbered {
            tags,
            diagnostics,
            file,
            aliases,
        };
        (brief, unnumbered)
    };
    match refs.options.unknown_references {
        UnknownReferences::Error => {
            let refs = &*refs;
            (briefs.into_par_iter().zip(slugs).enumerate())
                .map_init(|| refs.reader(), one)
                .unzip()
        }
        UnknownReferences::Warn => {
            let earlier = std::mem::take(&mut refs.diagnostics);
            let resolved = (briefs.into_iter().zip(slugs).enumerate())
                .map(|item| one(refs, item))
                .unzip();
            refs.diagnostics = earlier;
            resolved
        }
    }
}

/// Every name a failed content file would have answered to (its slug from
/// the file name, and the slug, name and aliases it gives), by kind, in
/// normal form: a reference to it is not reported as unknown, since the
/// file's own error says what is wrong.
fn failed_by_name(failed: Vec<Failed>) -> HashMap<(Kind, String), PathBuf> {
    let mut by_name = HashMap::new();
    for Failed { path, names } in failed {
        let Some(folder) = path.strip_prefix("content").ok().and_then(|p| p.components().next()) else {
            continue;
        };
        let Some(kind) = [Kind::Brief]
            .into_iter()
            .chain(Kind::ENTITIES)
            .find(|k| folder.as_os_str() == k.plural())
        else {
            continue;
        };
        let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned());
        let stem_slug = stem.and_then(|s| Slug::from_file_stem(&s).ok()).map(|s| s.to_string());
        for name in stem_slug.into_iter().chain(names) {
            by_name.insert((kind, normalize(&name)), path.clone());
        }
    }
    by_name
}

/// The failed file of one of `kinds` that `name` names, by its normal form
/// or its slug form, as the name lookup matches names.
fn failed_lookup<'f>(failed: &'f HashMap<(Kind, String), PathBuf>, kinds: &[Kind], name: &str) -> Option<&'f PathBuf> {
    let forms = [Some(normalize(name)), Slug::from_text(name).ok().map(|s| s.to_string())];
    kinds
        .iter()
        .flat_map(|k| forms.iter().flatten().map(move |f| (*k, f.clone())))
        .find_map(|key| failed.get(&key))
}

/// Free pages may not take a section's URL.
fn check_page_slugs(pages: &[(Slug, Loaded<RawPage>)], d: &mut Diagnostics) {
    for (slug, page) in pages {
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
}

/// Gives briefs the final tag ids ([`TagSet::finish`]), each tag once.
fn remap_tags(briefs: &mut [Brief], tag_ids: &[TagId]) {
    for brief in briefs {
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
}

/// Each loaded file of a kind with its slug; a file whose slug is wrong is
/// reported and left out.
fn slugged<R: RawEntity>(loaded: Vec<Loaded<R>>, d: &mut Diagnostics) -> Vec<(Slug, Loaded<R>)> {
    loaded
        .into_iter()
        .filter_map(|l| Some((entity_slug(&l.file, l.front.slug(), d)?, l)))
        .collect()
}

/// Turns the files of an entity kind into entities, in file order, and
/// queues their bodies for the Markdown stage.
fn resolve_entities<K: EntityKind>(
    catalog: &mut Catalog,
    refs: &mut References,
    slugged: Vec<(Slug, Loaded<K::Raw>)>,
    bodies: &mut Vec<PendingBody>,
) {
    K::all_mut(catalog).reserve(slugged.len());
    for (i, (slug, loaded)) in slugged.into_iter().enumerate() {
        let Loaded { file, front } = loaded;
        let (mut shared, own) = front.split();
        let name = Shown::name(K::KIND.noun());
        refs.diagnostics
            .extend(display::check(&shared.name, name, |m| file.value_error("name", m)));
        if shared.aliases.iter().any(|a| a.trim().is_empty()) {
            refs.diagnostics.push(
                file.key_error("aliases", "an alias is empty")
                    .with_help("remove the empty entry from the list"),
            );
        }
        let target = Target {
            path: &UrlPath::entity(K::KIND.plural(), &slug),
            title: &shared.name,
        };
        refs.redirects
            .add_entity(&file, &shared.aliases, target, &mut refs.diagnostics);
        shared.aliases.retain(|a| !redirects::is_address(a));
        let fields = K::resolve(own, &file, refs);
        K::all_mut(catalog).push(Entity {
            origin: Origin::File(file.path.clone()),
            slug,
            name: shared.name,
            aliases: shared.aliases,
            extra: shared.extra,
            fields,
        });
        bodies.push((Owner::from(K::key(i)), file.into_body()));
    }
}

/// The slug of a content file: its `slug:` or its file stem.
fn entity_slug(file: &SourceFile, explicit: Option<&str>, d: &mut Diagnostics) -> Option<Slug> {
    match explicit {
        Some(text) if text.trim().is_empty() => {
            d.push(
                file.value_error("slug", "the slug is empty")
                    .with_help("remove `slug:` to use the file name, or give a slug such as acme-wins-the-contract"),
            );
            None
        }
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
    let mut seen: FxHashMap<&Slug, &SourceFile> = FxHashMap::default();
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

/// Registers the names, aliases and slugs of a kind's entities; a name two
/// of them claim is an error at the second one's line.
fn register_names<K: EntityKind>(lookup: &mut Lookup, items: &[(Slug, Loaded<K::Raw>)], d: &mut Diagnostics) {
    for (i, (slug, loaded)) in items.iter().enumerate() {
        let (front, file) = (&loaded.front, &loaded.file);
        for (field, text) in [("slug", slug.as_str()), ("name", front.name())]
            .into_iter()
            .chain(front.aliases().iter().map(|a| ("aliases", a.as_str())))
            // An old address is no name; `resolve_entities` makes it a redirect.
            .filter(|(field, text)| *field != "aliases" || !redirects::is_address(text))
            // An empty name or alias answers to nothing; `resolve_entities` reports it.
            .filter(|(_, text)| !text.trim().is_empty())
        {
            if let Some(other) = lookup.insert(text, K::key(i)) {
                let at = file.value_offsets(field, &[text])[0];
                d.push(
                    file.yaml_error(
                        at,
                        text.chars().count(),
                        format!("'{text}' already names {}", items[other.index()].1.file.path.display()),
                    )
                    .with_help("names and aliases must be unique; remove or change one of them"),
                );
            }
        }
    }
}

/// Resolves front matter references by name, collecting errors and (in
/// warn mode) stubs for unknown names. Entity kinds resolve their own
/// references through it ([`EntityKind::resolve`]).
pub struct References<'a> {
    /// Borrowed when a `serve` session resolves one brief again
    /// ([`with_references`]); a stub would copy it.
    lookup: std::borrow::Cow<'a, Lookup>,
    options: CatalogOptions<'a>,
    /// Stubs made so far, by kind (only their entity vectors are used).
    stubs: Catalog,
    stub_names: HashMap<(Kind, String), EntityKey>,
    /// How many entities of each kind came from files: stubs are numbered after them.
    files: HashMap<Kind, usize>,
    /// Whether the site has author profiles, so bylines must name them.
    has_authors: bool,
    /// Files with errors of their own, by kind and slug: a name they would
    /// answer to is not reported again as unknown.
    failed: HashMap<(Kind, String), PathBuf>,
    diagnostics: Diagnostics,
    /// The old addresses of every file resolved so far.
    redirects: Collector<'a>,
}

impl References<'_> {
    /// Whether `name` would name a file of `kind` that failed on its own.
    fn names_failed_file(&self, kind: Kind, name: &str) -> bool {
        !self.failed.is_empty() && failed_lookup(&self.failed, &[kind], name).is_some()
    }

    /// Reports a problem an entity kind found in its own fields.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    /// Where checks of an entity's own fields report.
    pub fn diagnostics(&mut self) -> &mut Diagnostics {
        &mut self.diagnostics
    }

    /// Reports an invalid URL in `key`.
    pub fn url_error(&mut self, file: &SourceFile, key: &str, url: &str, why: &str) {
        self.diagnostics.push(url_error(file, key, url, why));
    }

    /// Resolves through `lookup`, borrowed; no stubs, failed files or
    /// messages yet.
    fn borrowing<'l>(lookup: &'l Lookup, options: CatalogOptions<'l>, has_authors: bool) -> References<'l> {
        References {
            lookup: std::borrow::Cow::Borrowed(lookup),
            options,
            stubs: Catalog::default(),
            stub_names: HashMap::new(),
            files: HashMap::new(),
            has_authors,
            failed: HashMap::new(),
            diagnostics: Diagnostics::default(),
            redirects: Collector::new(options.base),
        }
    }

    /// A reader of the same names for another core, where unknown names
    /// are errors (no stubs): its messages are its own.
    fn reader(&self) -> References<'_> {
        References {
            files: self.files.clone(),
            failed: self.failed.clone(),
            ..References::borrowing(&self.lookup, self.options, self.has_authors)
        }
    }

    fn brief(
        &mut self,
        id: BriefId,
        slug: Slug,
        front: RawBrief,
        file: &SourceFile,
        tags: &mut TagSet,
        held_back: &HashMap<String, HeldBack>,
    ) -> Brief {
        let (mut brief, named) = self.brief_but_tags(id, slug, front, file, held_back);
        brief.tags = (named.into_iter()).map(|(slug, name)| tags.add(slug, &name)).collect();
        brief
    }

    /// The brief, with its tags' slugs and spellings left for
    /// [`TagSet::add`] to number.
    fn brief_but_tags(
        &mut self,
        id: BriefId,
        slug: Slug,
        front: RawBrief,
        file: &SourceFile,
        held_back: &HashMap<String, HeldBack>,
    ) -> (Brief, Vec<(Slug, String)>) {
        let RawBrief {
            title,
            date,
            updated,
            slug: _,
            aliases: _,
            summary,
            author,
            authors,
            tags: tag_names,
            companies,
            contracts,
            related,
            sources,
            corrections,
            draft: _,
            image,
            extra,
        } = front;
        let image = image.and_then(|raw| {
            crate::media::source::resolve(file, raw, crate::media::source::Remote::Refused, &mut self.diagnostics)
        });
        self.diagnostics
            .extend(display::check(&title, Shown::title("brief"), |m| {
                file.value_error("title", m)
            }));
        let companies = self.references(file, "companies", &companies, Kind::Company, |k| match k {
            EntityKey::Company(id) => Some(id),
            _ => None,
        });
        let contracts = self.references(file, "contracts", &contracts, Kind::Contract, |k| match k {
            EntityKey::Contract(id) => Some(id),
            _ => None,
        });
        let related = self.related(id, file, &related, held_back);
        let authors = self.bylines(file, author, authors);
        let tag_slugs = self.tags(file, tag_names);
        let checked_sources = self.sources(file, sources);
        let corrections = sorted_corrections(corrections);
        let brief = Brief {
            path: file.path.clone(),
            slug,
            title,
            scheduled: date.instant() > self.options.now,
            date,
            updated,
            summary,
            authors,
            tags: Vec::new(),
            companies,
            contracts,
            related,
            sources: checked_sources,
            corrections,
            image,
            extra,
        };
        (brief, tag_slugs)
    }

    /// A brief's byline: `author:` or `authors:` (not both). On a site with
    /// author profiles each name must be one of them; otherwise the names
    /// stay as written.
    fn bylines(&mut self, file: &SourceFile, author: Option<String>, authors: Option<Vec<String>>) -> Vec<Byline> {
        let (key, names) = match (author, authors) {
            (Some(_), Some(list)) => {
                self.diagnostics.push(
                    file.key_error("authors", "both `author:` and `authors:` are given")
                        .with_help("keep one: author: Jane Doe, or authors: [Jane Doe, John Roe]"),
                );
                ("authors", list)
            }
            (Some(one), None) => ("author", vec![one]),
            (None, Some(list)) => ("authors", list),
            (None, None) => return Vec::new(),
        };
        if let Some(i) = names.iter().position(|n| n.trim().is_empty()) {
            let at = value_offsets(file, key, &names)[i];
            self.diagnostics.push(
                file.yaml_error(at, 1, "an author's name is empty")
                    .with_help("name the author, or remove the entry"),
            );
        }
        let names: Vec<String> = names.into_iter().filter(|n| !n.trim().is_empty()).collect();
        if !self.has_authors {
            return names.into_iter().map(|n| Byline::Name(n.trim().to_owned())).collect();
        }
        self.references(file, key, &names, Kind::Author, |k| match k {
            EntityKey::Author(id) => Some(Byline::Author(id)),
            _ => None,
        })
    }

    /// The slug and spelling of each of a brief's tags; a tag that cannot
    /// be a URL is an error at its place in the list.
    fn tags(&mut self, file: &SourceFile, tag_names: Vec<String>) -> Vec<(Slug, String)> {
        let slugs: Vec<Result<Slug, SlugError>> = tag_names.iter().map(|name| Slug::from_text(name)).collect();
        if slugs.iter().any(Result::is_err) {
            // Located only when a tag is wrong.
            let offsets = file.value_offsets("tags", &tag_names.iter().map(String::as_str).collect::<Vec<_>>());
            for (i, (name, slug)) in tag_names.iter().zip(&slugs).enumerate() {
                if let Err(e) = slug {
                    let message = format!("the tag '{name}' cannot be a URL: {e}");
                    self.diagnostics
                        .push(file.yaml_error(offsets[i], name.chars().count().max(1), message));
                }
            }
        }
        (slugs.into_iter().zip(tag_names))
            .filter_map(|(slug, name)| Some((slug.ok()?, name)))
            .collect()
    }

    /// A brief's sources with a name and a safe URL; the others are errors.
    fn sources(&mut self, file: &SourceFile, sources: Vec<RawSource>) -> Vec<Source> {
        checked_sources(&mut self.diagnostics, file, sources)
    }

    fn related(
        &mut self,
        me: BriefId,
        file: &SourceFile,
        names: &[String],
        held_back: &HashMap<String, HeldBack>,
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
                Err(_) if self.names_failed_file(Kind::Brief, name) => {}
                Err(_) if held_back.contains_key(name.as_str()) => {
                    let held = &held_back[name.as_str()];
                    self.diagnostics.push(
                        file.yaml_error(
                            offset(i),
                            name.chars().count(),
                            format!("related brief '{name}' is {}; the link is left out", held.describe()),
                        )
                        .with_help(held.help())
                        .into_warning(),
                    )
                }
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

    /// Resolves a front matter list of names of `kind`; `select` picks the
    /// id out of each key.
    pub fn references<T: PartialEq>(
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
                Err(_) if self.names_failed_file(kind, name) => None,
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

    /// The stub for an unknown name of `kind`, made on its first mention.
    fn stub(&mut self, name: &str, kind: Kind, file: &SourceFile) -> Option<EntityKey> {
        match kind {
            Kind::Company => self.stub_of::<Companies>(name, file),
            Kind::Contract => self.stub_of::<Contracts>(name, file),
            Kind::Author => self.stub_of::<Authors>(name, file),
            Kind::Brief => None,
        }
    }

    fn stub_of<K: EntityKind>(&mut self, name: &str, file: &SourceFile) -> Option<EntityKey> {
        let norm = (K::KIND, super::lookup::normalize(name));
        if let Some(key) = self.stub_names.get(&norm) {
            return Some(*key);
        }
        let slug = Slug::from_text(name).ok()?;
        let stubs = K::all_mut(&mut self.stubs);
        stubs.push(Entity::stub(name, slug, file.path.clone()));
        let key = K::key(self.files.get(&K::KIND).copied().unwrap_or(0) + stubs.len() - 1);
        self.stub_names.insert(norm, key);
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
        Miss::Unknown { suggestion: None } => d.with_help(kind.unknown_help()),
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
        Err(crate::content::raw::LINK_SAYS.to_owned())
    }
}

/// A brief's sources that have a name and a safe URL; each other one is an
/// error at its place.
fn checked_sources(diagnostics: &mut Diagnostics, file: &SourceFile, sources: Vec<RawSource>) -> Vec<Source> {
    let named = sources.into_iter().map(|s| (s.name, s.url)).collect();
    let help = "name the publication or document the link leads to, e.g. - { name: CNBC, url: \"https://…\" }";
    (named_links(diagnostics, file, "sources", "source", help, named).into_iter())
        .map(|(name, url)| Source { name, url })
        .collect()
}

/// The entries of a front matter list of `{ name, url }` (a brief's
/// sources, an author's links) that have a name and a safe URL; each other
/// one is an error at its place in `diagnostics`, `help` saying how to
/// name it.
pub fn named_links(
    diagnostics: &mut Diagnostics,
    file: &SourceFile,
    key: &str,
    what: &str,
    help: &str,
    items: Vec<(String, String)>,
) -> Vec<(String, String)> {
    let mut checked = Vec::with_capacity(items.len());
    for (i, (name, url)) in items.into_iter().enumerate() {
        if name.trim().is_empty() {
            diagnostics.push(
                file.item_error(key, i, "name", format!("the {what}'s name is empty"))
                    .with_help(help),
            );
            continue;
        }
        match check_url(&url) {
            Ok(()) => checked.push((name, url)),
            Err(why) => diagnostics.push(url_error(file, key, &url, &why)),
        }
    }
    checked
}

/// `brief` with the texts of `front` (its title, summary, date of update,
/// sources, corrections and extra data) checked as a full build checks
/// them, for a `serve` session's edit of those texts only: the caller has
/// made sure the rest of `front` is what `brief` was made from
/// ([`RawBrief::same_but_texts`]), so every reference stays as it was.
/// Errors if any check says anything: a full build reports it.
pub fn with_texts(brief: &Brief, front: RawBrief, file: &SourceFile) -> Result<Brief, Diagnostics> {
    let RawBrief {
        title,
        updated,
        summary,
        sources,
        corrections,
        extra,
        ..
    } = front;
    let mut diagnostics = Diagnostics::default();
    diagnostics.extend(display::check(&title, Shown::title("brief"), |m| {
        file.value_error("title", m)
    }));
    let sources = checked_sources(&mut diagnostics, file, sources);
    if !diagnostics.is_empty() {
        return Err(diagnostics);
    }
    Ok(Brief {
        path: brief.path.clone(),
        slug: brief.slug.clone(),
        title,
        date: brief.date.clone(),
        updated,
        scheduled: brief.scheduled,
        summary,
        authors: brief.authors.clone(),
        tags: brief.tags.clone(),
        companies: brief.companies.clone(),
        contracts: brief.contracts.clone(),
        related: brief.related.clone(),
        sources,
        corrections: sorted_corrections(corrections),
        image: brief.image.clone(),
        extra,
    })
}

/// `brief` made again from `front`, whose references may differ from those
/// `brief` was made from but whose date, slug, picture and old addresses
/// may not ([`RawBrief::same_place`]): its references resolved in
/// `catalog` as a full build resolves them, for a `serve` session's edit.
/// `None` where a full build could make more than this brief of it: any
/// message (an unknown name is an error or, with stubs, a warning), or a
/// tag the catalog does not have or would name otherwise (a spelling that
/// sorts before its name).
pub fn with_references(
    catalog: &Catalog,
    brief: &Brief,
    id: BriefId,
    front: RawBrief,
    file: &SourceFile,
    options: CatalogOptions<'_>,
) -> Option<Brief> {
    let mut again = resolved_alone(catalog, id, brief.slug.clone(), front, file, options)?;
    again.scheduled = brief.scheduled;
    Some(again)
}

/// A brief a `serve` session finds added, or given another date, made from
/// `front` as a full build makes it, its references resolved in `catalog`
/// (`was`: the id it had). `None` where a full build could make more than
/// this brief of it, as [`with_references`] says, or when it would not be
/// published as it is: a draft, dated after the build's "now", or with
/// old addresses.
pub fn placed(
    catalog: &Catalog,
    was: Option<BriefId>,
    front: RawBrief,
    file: &SourceFile,
    options: CatalogOptions<'_>,
) -> Option<Brief> {
    let mut d = Diagnostics::default();
    let slug = entity_slug(file, front.slug.as_deref(), &mut d)?;
    let published = !front.draft && front.aliases.is_empty() && front.date.instant() <= options.now;
    if !d.is_empty() || !published {
        return None;
    }
    // A new brief has no id yet: one past the others, which none names.
    let id = was.unwrap_or(BriefId::new(catalog.briefs.len()));
    resolved_alone(catalog, id, slug, front, file, options)
}

/// One brief resolved in `catalog` as a full build resolves it, with the
/// catalog's tag ids; `None` on any message or stub, or a tag the catalog
/// does not have or would name otherwise.
fn resolved_alone(
    catalog: &Catalog,
    id: BriefId,
    slug: Slug,
    front: RawBrief,
    file: &SourceFile,
    options: CatalogOptions<'_>,
) -> Option<Brief> {
    let mut refs = References::borrowing(&catalog.lookup, options, !catalog.authors.is_empty());
    let mut tags = TagSet::default();
    let mut again = refs.brief(id, slug, front, file, &mut tags, &catalog.held_back);
    let stubs = refs.stubs.companies.len() + refs.stubs.contracts.len() + refs.stubs.authors.len();
    if !refs.diagnostics.is_empty() || stubs > 0 {
        return None;
    }
    // The temporary tag ids, each to the catalog's tag of its slug.
    let mut remap = vec![TagId::new(0); tags.by_slug.len()];
    for (slug, (temp, names)) in tags.by_slug {
        let at = catalog.tags.binary_search_by(|t| t.slug.cmp(&slug)).ok()?;
        if names.iter().any(|n| *n < catalog.tags[at].name) {
            return None;
        }
        remap[temp] = TagId::new(at);
    }
    remap_tags(std::slice::from_mut(&mut again), &remap);
    Some(again)
}

/// A brief's corrections, newest first.
fn sorted_corrections(corrections: Vec<RawCorrection>) -> Vec<Correction> {
    let mut corrections: Vec<Correction> = corrections
        .into_iter()
        .map(|c| Correction {
            date: c.date,
            note: c.note,
        })
        .collect();
    corrections.sort_by(|a, b| b.date.cmp(&a.date));
    corrections
}

fn url_error(file: &SourceFile, key: &str, url: &str, why: &str) -> Diagnostic {
    let at = file.value_offsets(key, &[url])[0];
    file.yaml_error(at, url.chars().count(), format!("invalid URL '{url}': {why}"))
}

/// Tags collected across briefs, merged by slug.
#[derive(Default)]
struct TagSet {
    /// Temporary id (insertion order) per slug, and the spellings seen.
    by_slug: FxHashMap<Slug, (usize, Vec<String>)>,
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

    proptest::proptest! {
        /// Putting items in place by swaps gives what moving each into a
        /// new vector would.
        #[test]
        fn permuting_in_place_is_moving_each_item_once(keys in proptest::collection::vec(0u8..20, 0..60)) {
            let mut order: Vec<usize> = (0..keys.len()).collect();
            order.sort_by_key(|&i| std::cmp::Reverse(keys[i]));
            let moved: Vec<(usize, u8)> = order.iter().map(|&i| (i, keys[i])).collect();
            let mut items: Vec<(usize, u8)> = keys.iter().copied().enumerate().collect();
            permute(&mut items, order);
            proptest::prop_assert_eq!(items, moved);
        }
    }

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

    use crate::content::raw::{LINK, NOT_BLANK, TAG};
    use proptest::prelude::*;

    fn matches(pattern: &str, text: &str) -> bool {
        regex::Regex::new(pattern).unwrap().is_match(text)
    }

    // The editors' schema patterns (content/raw.rs) against the rules the
    // build applies: a text the build takes, the schema takes too.
    proptest! {
        #[test]
        fn a_link_the_build_takes_matches_the_schema(
            url in "[ \n]{0,2}(https?://|HTTPS?://|Http://|mailto:|MAILTO:|/|javascript:|data:|ftp://|x)[a-z./:]{0,8}"
        ) {
            if check_url(&url).is_ok() {
                prop_assert!(matches(LINK, &url), "{}", url);
            }
        }

        #[test]
        fn blank_is_blank_to_both(text in "[ \t\n\u{a0}\u{2003}\u{3000}a.]{0,4}") {
            prop_assert_eq!(matches(NOT_BLANK, &text), !text.trim().is_empty(), "{:?}", text);
        }

        #[test]
        fn a_tag_the_build_takes_matches_the_schema(tag in "[ a-zA-Z0-9_.,:;!?@#&/()\\-]{0,4}|\\PC{0,3}") {
            if crate::slug::Slug::from_text(&tag).is_ok() {
                prop_assert!(matches(TAG, &tag), "{:?}", tag);
            }
        }
    }

    #[test]
    fn tags_of_emoji_and_other_scripts_match_the_schema() {
        for tag in ["🦄", "Défense", "中文", "C++", "2020"] {
            assert!(crate::slug::Slug::from_text(tag).is_ok(), "{tag}");
            assert!(matches(TAG, tag), "{tag}");
        }
        assert!(!matches(TAG, "---") && crate::slug::Slug::from_text("---").is_err());
    }
}

/// "company, contract or brief": every kind a bare wikilink may name.
fn every_kind() -> String {
    let nouns: Vec<&str> = Kind::ENTITIES.iter().chain(&[Kind::Brief]).map(|k| k.noun()).collect();
    match nouns.split_last() {
        Some((last, [])) => (*last).to_owned(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// Resolves `[[wikilinks]]` against the catalog, for the Markdown stage.
#[derive(Debug, Clone, Copy)]
pub struct WikiResolver<'a> {
    /// The catalog.
    pub catalog: &'a Catalog,
    /// For building hrefs.
    pub base: &'a BaseUrl,
    /// The PDFs bodies may embed.
    pub documents: &'a crate::media::document::Library,
}

impl crate::markdown::LinkResolver for WikiResolver<'_> {
    type Target = EntityKey;

    fn resolve(&self, name: &str) -> crate::markdown::Resolution<EntityKey> {
        let c = self.catalog;
        match c.lookup.find_any(name.trim()) {
            Ok(key) => Ok((Some(key), self.base.url(&c.url_path(key)))),
            // The file's own error is the message; the build stops on it.
            Err(Miss::Unknown { .. }) if c.held_back(name).is_none() && c.failed_file(name).is_some() => {
                Ok((None, "#".to_owned()))
            }
            Err(Miss::Unknown { suggestion }) => Err(match c.held_back(name) {
                Some(held) => (
                    format!(
                        "wikilink target '{name}' is {}, left out of this build",
                        held.describe()
                    ),
                    Some(held.help().to_owned()),
                ),
                None => (
                    format!(
                        "unknown wikilink target '{name}': no {} has that name, alias or slug",
                        every_kind()
                    ),
                    suggestion.map(|s| format!("did you mean '{s}'?")),
                ),
            }),
            Err(Miss::Ambiguous(keys)) => {
                let options: Vec<String> = keys
                    .iter()
                    .map(|k| format!("[[{}:{}]]", Kind::of(*k).noun(), c.slug(*k)))
                    .collect();
                let files: Vec<String> = keys
                    .iter()
                    .map(|k| format!("the {} in {}", Kind::of(*k).noun(), c.path(*k).display()))
                    .collect();
                Err((
                    format!("wikilink '{name}' names more than one thing: {}", files.join(" and ")),
                    Some(format!("write one of {}", options.join(", "))),
                ))
            }
        }
    }

    fn label<'n>(&self, written: &'n str) -> &'n str {
        super::lookup::split_kind(written).map_or(written, |(_, name)| name)
    }

    fn document(&self, path: &str) -> crate::markdown::DocumentAnswer {
        self.documents.answer(path)
    }
}
