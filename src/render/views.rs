//! What templates see: typed, borrowed views of the site.
//!
//! Cards (a brief's headline, dek, date and chips) are built once per entity
//! and borrowed by every page that lists it, so a brief listed on twenty
//! pages is described once. Field names here are the theme interface
//! documented in `docs/themes.md`; rename nothing without updating it.

use std::borrow::Cow;
use std::marker::PhantomData;

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

use crate::content::raw::{ContractStatus, Extra};
use crate::date::DateTime;
use crate::model::{EntityKey, Money};

use super::fingerprint::Fingerprint;

/// A view serialized once per build, with its fingerprint.
///
/// The fingerprint is only worked out when pages will be fingerprinted (in a
/// `serve` session); a plain build does not pay for it.
#[derive(Debug)]
pub struct Cached {
    value: tera::Value,
    fingerprint: Option<Fingerprint>,
    /// Whose card it is, if it is an entity's: a page that shows it notes
    /// it ([`super::shown`]).
    owner: Option<EntityKey>,
}

impl Cached {
    /// Serializes a view once, for sharing, with its fingerprint if asked.
    pub fn new(view: &impl Serialize, fingerprint: bool) -> Cached {
        Cached::of_value(tera::Value::from_serializable(view), fingerprint)
    }

    /// A value made some other way, with its fingerprint if asked.
    pub fn of_value(value: tera::Value, fingerprint: bool) -> Cached {
        let fingerprint = fingerprint.then(|| Fingerprint::of(&value).unwrap_or_default());
        Cached {
            value,
            fingerprint,
            owner: None,
        }
    }

    /// The same value, known as the card of `owner`.
    pub fn of(self, owner: EntityKey) -> Cached {
        Cached {
            owner: Some(owner),
            ..self
        }
    }

    /// The value Tera sees.
    pub fn value(&self) -> &tera::Value {
        &self.value
    }

    /// The hash of the value.
    pub fn fingerprint(&self) -> Fingerprint {
        self.fingerprint
            .unwrap_or_else(|| Fingerprint::of(&self.value).unwrap_or_default())
    }
}

/// A card serialized once per build and shared by every page that lists it.
///
/// Tera clones a pre-built `Value` by reference count instead of walking the
/// card again, which is what keeps listings linear in cost: a brief appears on
/// its tag, company, contract, home and feed pages. While a page's view is
/// fingerprinted the card stands in by its own fingerprint. `T` records which
/// view the value holds, for readers and for the theme documentation.
#[derive(Debug)]
pub struct Shared<'a, T> {
    card: &'a Cached,
    view: PhantomData<&'a T>,
}

impl<'a, T: Serialize> Shared<'a, T> {
    /// Wraps the cached value of a `T`.
    pub fn new(card: &'a Cached) -> Self {
        Shared {
            card,
            view: PhantomData,
        }
    }

    /// Serializes a view once, for sharing, with its fingerprint if asked.
    pub fn cache(view: &T, fingerprint: bool) -> Cached {
        Cached::new(view, fingerprint)
    }
}

impl<T> Clone for Shared<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Shared<'_, T> {}

impl<T> Serialize for Shared<'_, T> {
    /// The card's value for Tera; its fingerprint for a page's fingerprint,
    /// which is the only serialization that is not human-readable (see
    /// [`super::fingerprint`]).
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if let Some(owner) = self.card.owner {
            super::shown::note(owner);
        }
        match self.card.fingerprint {
            Some(fingerprint) if !serializer.is_human_readable() => fingerprint.serialize(serializer),
            _ => self.card.value.serialize(serializer),
        }
    }
}

/// A shared card whose fields are spliced into the view that holds it
/// (`#[serde(flatten)]`): a brief's page is its card plus the body and the
/// rest. The cached value's fields are copied by reference count instead
/// of serializing the card again for its page. A page's fingerprint hashes
/// them all (serde's flattening hides which format is asking), which costs
/// one card per page.
#[derive(Debug)]
pub struct Fields<'a, T>(pub Shared<'a, T>);

impl<T> Serialize for Fields<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if let Some(owner) = self.0.card.owner {
            super::shown::note(owner);
        }
        let Some(map) = self.0.card.value.as_map() else {
            return Err(serde::ser::Error::custom("a card is not a mapping"));
        };
        let mut fields = serializer.serialize_map(Some(map.len()))?;
        for (name, value) in map {
            fields.serialize_entry(name, value)?;
        }
        fields.end()
    }
}

/// One name on a byline: linked to the author's page when there is one.
#[derive(Debug, Clone, Serialize)]
pub struct BylineView<'a> {
    /// The name.
    pub name: &'a str,
    /// The author's page, on sites with author profiles.
    pub url: Option<String>,
}

/// A picture as `<img>` shows it: a lead image, a card's crop, a
/// portrait or a logo. Pictures of the site come with `srcset`, `width`
/// and `height` (so the page does not shift as they load); a portrait
/// hosted elsewhere has only `src`.
#[derive(Debug, Clone, Serialize)]
pub struct ImageView<'a> {
    /// URL of the default rendition (base path included).
    pub src: String,
    /// What it shows; empty for a picture marked `decorative: true`.
    pub alt: &'a str,
    /// Every rendition with its width (`url 480w, url 800w`), for `srcset`.
    pub srcset: Option<String>,
    /// Width of `src` in pixels.
    pub width: Option<u32>,
    /// Height of `src` in pixels.
    pub height: Option<u32>,
    /// Caption, plain text (lead images).
    pub caption: Option<&'a str>,
    /// Credit ("Photo by Jane Doe").
    pub credit: Option<&'a str>,
}

/// A link to an entity: its name and URL (root-relative, base path included).
#[derive(Debug, Clone, Serialize)]
pub struct LinkView<'a> {
    /// Display name.
    pub name: &'a str,
    /// URL.
    pub url: String,
}

/// A date in the forms templates need.
#[derive(Debug, Clone, Serialize)]
pub struct DateView {
    /// For `<time datetime>`: `2020-08-18` or the full date-time.
    pub iso: String,
    /// RFC 3339 in UTC, for feeds and metadata.
    pub rfc3339: String,
    /// For readers: "August 18, 2020".
    pub display: String,
}

impl DateView {
    /// The view of a date.
    pub fn new(date: &DateTime) -> DateView {
        DateView {
            iso: date.iso().to_owned(),
            rfc3339: date.rfc3339(),
            display: date.display(),
        }
    }
}

/// An amount of money.
#[derive(Debug, Clone, Serialize)]
pub struct MoneyView<'a> {
    /// Whole units.
    pub amount: u64,
    /// ISO currency code.
    pub currency: &'a str,
    /// "$10 billion".
    pub display: String,
}

impl<'a> MoneyView<'a> {
    /// The view of an amount.
    pub fn new(money: &'a Money) -> MoneyView<'a> {
        MoneyView {
            amount: money.amount,
            currency: &money.currency,
            display: money.display(),
        }
    }
}

/// The site-wide values every template sees as `site`.
#[derive(Debug, Clone, Serialize)]
pub struct SiteView<'a> {
    /// Site title.
    pub title: &'a str,
    /// Description.
    pub description: &'a str,
    /// Language tag.
    pub language: &'a str,
    /// Default author.
    pub author: Option<&'a str>,
    /// Absolute URL of the home page.
    pub base_url: String,
    /// The base path (`/` or `/repo/`).
    pub base_path: &'a str,
    /// Home page URL.
    pub home_url: String,
    /// Site feed URL.
    pub feed_url: String,
    /// Companies index URL.
    pub companies_url: String,
    /// Contracts index URL.
    pub contracts_url: String,
    /// Tags index URL.
    pub tags_url: String,
    /// Authors index URL, when the site has author profiles.
    pub authors_url: Option<String>,
    /// The search page's URL, when the site has search (`search: true`).
    pub search_url: Option<String>,
    /// Free pages, for navigation.
    pub pages: Vec<LinkView<'a>>,
    /// Counts, for footers and indexes.
    pub counts: Counts,
}

/// How many of each entity the site has.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Counts {
    /// Briefs.
    pub briefs: usize,
    /// Companies.
    pub companies: usize,
    /// Contracts.
    pub contracts: usize,
    /// Authors with profiles.
    pub authors: usize,
    /// Tags.
    pub tags: usize,
}

/// What every page knows about itself.
#[derive(Debug, Clone, Serialize)]
pub struct PageMeta {
    /// The `<title>` text (without the site title).
    pub title: String,
    /// Meta description.
    pub description: String,
    /// Root-relative URL of this page.
    pub url: String,
    /// Absolute URL, for `<link rel=canonical>` and `og:url`.
    pub permalink: String,
    /// Page kind: `index`, `brief`, `company`, …
    pub kind: &'static str,
    /// Atom feed specific to this page, if any.
    pub feed_url: Option<String>,
    /// OpenGraph type: `article` for briefs, `website` otherwise.
    pub og_type: &'static str,
    /// Article metadata (briefs only).
    pub article: Option<ArticleMeta>,
    /// schema.org JSON-LD, already escaped for a `<script>` block: output it with `| safe`.
    pub json_ld: Option<String>,
    /// The picture link previews show (`og:image`): a brief's lead image or
    /// generated card, else the site's `image:`.
    pub image: Option<ShareImage>,
    /// Whether the page's body holds a click-to-load embed (a video or
    /// DocumentCloud placeholder), so the theme links `embed.js` only then.
    pub has_embeds: bool,
}

/// A picture for `og:image` and `twitter:image`: absolute URL, alt text
/// and size, as link previews need them.
#[derive(Debug, Clone, Serialize)]
pub struct ShareImage {
    /// Absolute URL.
    pub url: String,
    /// What it shows.
    pub alt: String,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

/// OpenGraph `article:*` values of a brief.
#[derive(Debug, Clone, Serialize)]
pub struct ArticleMeta {
    /// `article:published_time`, RFC 3339.
    pub published_time: String,
    /// `article:modified_time`, RFC 3339.
    pub modified_time: String,
    /// `article:tag` values.
    pub tags: Vec<String>,
    /// Byline.
    pub author: Option<String>,
}

/// A brief as listings show it.
#[derive(Debug, Clone, Serialize)]
pub struct BriefCard<'a> {
    /// Headline.
    pub title: &'a str,
    /// Slug.
    pub slug: &'a str,
    /// URL.
    pub url: String,
    /// Absolute URL.
    pub permalink: String,
    /// Published.
    pub date: DateView,
    /// Updated, if ever.
    pub updated: Option<DateView>,
    /// Dated after the build's "now", published by `--future` or `serve`.
    pub scheduled: bool,
    /// The dek: the writer's summary or the first paragraph.
    pub summary: &'a str,
    /// The byline as one text ("Jane Doe and John Roe"), or the site author.
    pub author: Option<Cow<'a, str>>,
    /// The byline's names, each linked to the author's page when the site
    /// has author profiles.
    pub authors: Vec<BylineView<'a>>,
    /// Companies.
    pub companies: Vec<LinkView<'a>>,
    /// Contracts.
    pub contracts: Vec<LinkView<'a>>,
    /// Tags.
    pub tags: Vec<LinkView<'a>>,
    /// A small crop of the lead image (3:2), for listings.
    pub thumb: Option<ImageView<'a>>,
}

/// An entity (company, contract) as listings, fact boxes and lookups show
/// it: what every kind has, and the kind's own fields `X`, spliced in.
#[derive(Debug, Clone, Serialize)]
pub struct EntityCard<'a, X> {
    /// Name.
    pub name: &'a str,
    /// Slug.
    pub slug: &'a str,
    /// URL.
    pub url: String,
    /// The kind's own fields.
    #[serde(flatten)]
    pub own: X,
    /// Number of briefs naming it.
    pub brief_count: usize,
    /// Date of the newest brief naming it.
    pub latest: Option<DateView>,
    /// Whether it is a stub made for an unknown reference.
    pub stub: bool,
}

/// A company as listings show it.
pub type CompanyCard<'a> = EntityCard<'a, CompanyFacts<'a>>;

/// What a company's card adds.
#[derive(Debug, Clone, Serialize)]
pub struct CompanyFacts<'a> {
    /// Ticker.
    pub ticker: Option<&'a str>,
    /// Headquarters.
    pub headquarters: Option<&'a str>,
    /// Number of contracts awarded to it.
    pub contract_count: usize,
    /// Its logo.
    pub image: Option<ImageView<'a>>,
}

/// A contract as listings and fact boxes show it.
pub type ContractCard<'a> = EntityCard<'a, ContractFacts<'a>>;

/// What a contract's card adds.
#[derive(Debug, Clone, Serialize)]
pub struct ContractFacts<'a> {
    /// Other names.
    pub aliases: &'a [String],
    /// Awarding agency.
    pub agency: Option<&'a str>,
    /// Value.
    pub value: Option<MoneyView<'a>>,
    /// Status; absent for stubs.
    pub status: Option<ContractStatus>,
    /// Awardees.
    pub awardees: Vec<LinkView<'a>>,
}

/// An author as listings and rails show them.
pub type AuthorCard<'a> = EntityCard<'a, AuthorFacts<'a>>;

/// What an author's card adds.
#[derive(Debug, Clone, Serialize)]
pub struct AuthorFacts<'a> {
    /// What they do at the desk.
    pub role: Option<&'a str>,
    /// Their portrait.
    pub image: Option<ImageView<'a>>,
}

/// A tag as listings show it.
#[derive(Debug, Clone, Serialize)]
pub struct TagCard<'a> {
    /// Display name.
    pub name: &'a str,
    /// Slug.
    pub slug: &'a str,
    /// URL.
    pub url: String,
    /// Feed URL.
    pub feed_url: String,
    /// Number of briefs.
    pub count: usize,
}

/// A cited source.
#[derive(Debug, Clone, Serialize)]
pub struct SourceView<'a> {
    /// Publisher.
    pub name: &'a str,
    /// URL (http or https, checked).
    pub url: &'a str,
}

/// A correction.
#[derive(Debug, Clone, Serialize)]
pub struct CorrectionView<'a> {
    /// When.
    pub date: DateView,
    /// What.
    pub note: &'a str,
}

/// The full brief, for `brief.html`.
#[derive(Debug, Serialize)]
pub struct BriefView<'a> {
    /// The card fields (title, url, date, summary, chips…).
    #[serde(flatten)]
    pub card: Fields<'a, BriefCard<'a>>,
    /// The body HTML; mark it `| safe` in templates (it is sanitized per `raw_html`).
    pub content: &'a str,
    /// The lead image, with caption and credit.
    pub image: Option<ImageView<'a>>,
    /// Contracts with their key facts, the status as of the brief's date.
    pub contract_facts: Vec<BriefContractFacts<'a>>,
    /// Sources.
    pub sources: Vec<SourceView<'a>>,
    /// Corrections, newest first.
    pub corrections: Vec<CorrectionView<'a>>,
    /// Related briefs the writers declared (`related:` on either brief),
    /// newest first.
    pub related: Vec<Shared<'a, BriefCard<'a>>>,
    /// Related briefs suggested by what they share with this one (never a
    /// declared one), best first: at most `related_limit`.
    pub suggested: Vec<Shared<'a, BriefCard<'a>>>,
    /// Briefs linking to this one in their body.
    pub mentioned_in: Vec<Shared<'a, BriefCard<'a>>>,
    /// The brief's source file, relative to the site root.
    pub source_path: String,
    /// Free-form data.
    pub extra: &'a Extra,
}

/// A contract in a brief's key-facts box: its card, and its status as of
/// the brief's date beside the status now (SPEC §4), so that a 2020 brief
/// does not call a contract cancelled in 2021 cancelled.
#[derive(Debug, Serialize)]
pub struct BriefContractFacts<'a> {
    /// The contract card's fields (`status` among them is the status now).
    #[serde(flatten)]
    pub card: Fields<'a, ContractCard<'a>>,
    /// The brief's date, which `status_then` is as of.
    pub as_of: DateView,
    /// The status on that date: the latest timeline event's `status:` on or
    /// before it, else the contract's `status:`; absent for stubs.
    pub status_then: Option<ContractStatus>,
    /// Whether the timeline dates `status_then`. When false no event on or
    /// before the brief's date set a status, and `status_then` is only the
    /// status now: say "now", not "on <date>".
    pub status_then_known: bool,
    /// The status now: the contract's `status:`; absent for stubs.
    pub status_now: Option<ContractStatus>,
    /// Whether the status then is known and differs from the status now.
    pub status_changed: bool,
}

/// An entity's own page (`company.html`, `contract.html`): its card's
/// fields, its body, the kind's own fields `X`, and its briefs.
#[derive(Debug, Serialize)]
pub struct EntityView<'a, C, X> {
    /// Card fields.
    #[serde(flatten)]
    pub card: Fields<'a, C>,
    /// Profile or background HTML (`| safe`).
    pub content: &'a str,
    /// The kind's own fields.
    #[serde(flatten)]
    pub own: X,
    /// Every brief naming it, newest first (for authors: this page's).
    pub briefs: Vec<Shared<'a, BriefCard<'a>>>,
    /// Its Atom feed, for kinds with feeds.
    pub feed_url: Option<String>,
    /// The pager, for kinds whose pages are paginated (authors).
    pub pagination: Option<Pagination>,
    /// Free-form data.
    pub extra: &'a Extra,
}

/// What an author's page adds.
#[derive(Debug, Serialize)]
pub struct AuthorPageFacts<'a> {
    /// Other names.
    pub aliases: &'a [String],
    /// Their profiles elsewhere.
    pub links: Vec<LinkView<'a>>,
}

/// What a company's page adds.
#[derive(Debug, Serialize)]
pub struct CompanyPageFacts<'a> {
    /// Other names.
    pub aliases: &'a [String],
    /// Website.
    pub website: Option<&'a str>,
    /// Contracts awarded to it.
    pub contracts: Vec<Shared<'a, ContractCard<'a>>>,
}

/// One line of a contract's timeline.
#[derive(Debug, Serialize)]
pub struct TimelineItem<'a> {
    /// When.
    pub date: DateView,
    /// The contract's own event text, if this is one.
    pub event: Option<&'a str>,
    /// The status the event left the contract in, if it changed it.
    pub status: Option<ContractStatus>,
    /// The brief, if this line is a brief.
    pub brief: Option<Shared<'a, BriefCard<'a>>>,
}

/// What a contract's page adds.
#[derive(Debug, Serialize)]
pub struct ContractPageFacts<'a> {
    /// Own events and briefs, oldest first.
    pub timeline: Vec<TimelineItem<'a>>,
}

/// A free page, for `page.html`.
#[derive(Debug, Serialize)]
pub struct FreePageView<'a> {
    /// Title.
    pub title: &'a str,
    /// Summary.
    pub summary: Option<&'a str>,
    /// Body HTML (`| safe`).
    pub content: &'a str,
    /// Free-form data.
    pub extra: &'a Extra,
}

/// A redirect from an old address (`aliases:`), for `redirect.html`.
#[derive(Debug, Serialize)]
pub struct RedirectView<'a> {
    /// The headline or name of the page it leads to.
    pub title: &'a str,
    /// That page's URL, root-relative with the base path: where the refresh
    /// and the link for readers lead.
    pub url: String,
    /// That page's absolute URL, for `<link rel="canonical">`.
    pub permalink: String,
}

/// Links between pages of a paginated listing.
#[derive(Debug, Serialize)]
pub struct Pagination {
    /// This page's number, from 1.
    pub current: usize,
    /// Number of pages.
    pub total: usize,
    /// Previous page URL.
    pub previous: Option<String>,
    /// Next page URL.
    pub next: Option<String>,
    /// A window of pages: the first, the last and two on each side of the
    /// current one (so a 500-page listing does not list 500 links per page).
    pub pages: Vec<PageLink>,
}

/// One page of a listing.
#[derive(Debug, Serialize)]
pub struct PageLink {
    /// Page number.
    pub number: usize,
    /// URL.
    pub url: String,
    /// Whether pages were skipped between the previous link and this one (show "…").
    pub gap_before: bool,
}

/// An Atom feed.
#[derive(Debug, Serialize)]
pub struct FeedView<'a> {
    /// Feed title.
    pub title: String,
    /// Absolute URL of the feed itself.
    pub self_url: String,
    /// Absolute URL of the page the feed follows.
    pub alternate_url: String,
    /// Newest `updated` among entries (RFC 3339), or the epoch for an empty feed.
    pub updated: String,
    /// Entries, newest first.
    pub entries: Vec<FeedEntry<'a>>,
}

/// One Atom entry.
#[derive(Debug, Serialize)]
pub struct FeedEntry<'a> {
    /// The brief.
    pub brief: Shared<'a, BriefCard<'a>>,
    /// The same card, typed, for the built-in feed writer.
    #[serde(skip)]
    pub card: Cow<'a, BriefCard<'a>>,
    /// RFC 3339 of the latest of date, updated and corrections.
    pub updated: String,
    /// Body HTML, escaped by the XML template.
    pub content: &'a str,
}

/// One sitemap URL.
#[derive(Debug, Serialize)]
pub struct SitemapEntry {
    /// Absolute URL.
    pub loc: String,
    /// Last modification, `YYYY-MM-DD`.
    pub lastmod: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Card {
        title: &'static str,
        tags: Vec<&'static str>,
    }

    #[derive(Serialize)]
    struct Page<'a, C: Serialize> {
        #[serde(flatten)]
        card: C,
        content: &'a str,
    }

    #[test]
    fn a_shared_card_flattens_like_the_card_itself() {
        let card = Card {
            title: "T & U",
            tags: vec!["a", "b"],
        };
        let cached = Cached::new(&card, true);
        let shared = Page {
            card: Fields(Shared::<Card>::new(&cached)),
            content: "<p>x</p>",
        };
        let direct = Page {
            card: &card,
            content: "<p>x</p>",
        };
        let (shared_value, direct_value) = (
            tera::Value::from_serializable(&shared),
            tera::Value::from_serializable(&direct),
        );
        assert_eq!(format!("{shared_value:?}"), format!("{direct_value:?}"));
        // Fingerprinted, the page changes exactly when the card does.
        let other = Cached::new(
            &Card {
                title: "T",
                tags: vec!["a", "b"],
            },
            true,
        );
        let print = |c: &Cached| {
            Fingerprint::of(&Page {
                card: Fields(Shared::<Card>::new(c)),
                content: "",
            })
        };
        assert_eq!(print(&cached), print(&Cached::new(&card, true)));
        assert_ne!(print(&cached), print(&other));
    }
}
