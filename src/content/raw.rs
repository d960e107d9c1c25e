//! Front matter exactly as writers type it (SPEC §2).
//!
//! These structs refuse unknown fields, so a typo such as `tagz:` is an error
//! rather than silently ignored. They are converted into the model's types,
//! which hold only validated values, in the `model` stage.

// Fields mirror SPEC §2 one to one; the spec documents them.
#![allow(missing_docs)]

use std::collections::HashSet;

use schemars::JsonSchema;
use serde::Deserialize;

use crate::date::DateTime;
use crate::slug::Slug;
use crate::yaml::{Field, unique_keys};

/// The most distinct tags one brief may carry. Every tag page lists the
/// brief with all of its tags, so the output grows with the square of the
/// count: 10,000 tags would be 10,000 pages of 10,000 links each
/// (BENCHMARKS.md).
pub const MAX_TAGS: usize = 100;

/// Free-form data handed to templates as `extra`; a key repeated in any of
/// its mappings is an error ([`unique_keys`]).
pub type Extra = serde_json::Map<String, serde_json::Value>;

// Patterns for the JSON Schemas of `dossier schema` (`crate::schema`),
// each with what an editor says when a value breaks it: each says what the
// model checks, never more strictly (tests in `model` hold them to it).
/// Text with something in it besides blanks: a title, a name.
pub const NOT_BLANK: &str = r"\S";
/// What an editor says of blank text.
pub const NOT_BLANK_SAYS: &str = "must not be empty";
/// A tag with a letter, digit or non-ASCII character to make its URL from
/// (`---` has none).
pub const TAG: &str = r"[^\x00-/:-@\[-`{-\x7F]";
/// What an editor says of a tag without one.
pub const TAG_SAYS: &str = "a tag needs a letter or digit to make its URL from";
/// A link a reader may follow: http(s), mailto or site-relative, as
/// `model::catalog::check_url` allows.
pub const LINK: &str = r"^\s*([hH][tT][tT][pP][sS]?://|[mM][aA][iI][lL][tT][oO]:|/)";
/// What an editor says of another link.
pub const LINK_SAYS: &str = "expected an http:// or https:// URL";

/// Every front matter field in a writer's words, for shape errors
/// (`tags: cloud, defense`): what it holds and how to write it. Fields of
/// the same name mean the same in every kind. A test holds it to the
/// structs below.
pub const FIELDS: &[Field] = &[
    Field::new(
        "",
        "fields written one per line as key: value",
        "write the fields between the two --- lines one per line, e.g. title: Acme Wins the Contract",
    ),
    Field::new("title", "text", "e.g. title: Acme Wins the Contract"),
    Field::new(
        "date",
        "a date",
        "e.g. date: 2020-08-18, or a date-time such as 2020-08-18T09:30:00Z",
    ),
    Field::new(
        "updated",
        "a date",
        "e.g. updated: 2020-08-19, or a date-time such as 2020-08-19T09:30:00Z",
    ),
    Field::new("slug", "text", "e.g. slug: acme-wins-the-contract"),
    Field::new("summary", "text", "e.g. summary: One sentence on what happened."),
    Field::new("author", "a name", "e.g. author: Jane Doe"),
    Field::new(
        "authors",
        "a list of names",
        "write a list, e.g. authors: [Jane Doe, John Roe]",
    ),
    Field::new(
        "authors[]",
        "a name",
        "write each author as their name, e.g. authors: [Jane Doe, John Roe]",
    ),
    Field::new("tags", "a list of tags", "write a list, e.g. tags: [cloud, defense]"),
    Field::new(
        "tags[]",
        "a tag (text)",
        "write each tag as text, e.g. tags: [cloud, defense]",
    ),
    Field::new(
        "companies",
        "a list of company names",
        "write a list, e.g. companies: [Microsoft, AWS]",
    ),
    Field::new(
        "companies[]",
        "a company name",
        "write each company as its name, e.g. companies: [Microsoft, AWS]",
    ),
    Field::new(
        "contracts",
        "a list of contract names",
        "write a list, e.g. contracts: [JEDI]",
    ),
    Field::new(
        "contracts[]",
        "a contract name",
        "write each contract as its name, e.g. contracts: [JEDI]",
    ),
    Field::new(
        "related",
        "a list of brief slugs",
        "write a list, e.g. related: [jedi-contract-delayed]",
    ),
    Field::new(
        "related[]",
        "a brief's slug",
        "write each brief as its slug, e.g. related: [jedi-contract-delayed]",
    ),
    Field::new(
        "sources",
        "a list of sources, each with a name and a url",
        "write one source per line under sources:, each as - { name: CNBC, url: \"https://…\" }",
    ),
    Field::new(
        "sources[]",
        "a source with a name and a url",
        "write each source as - { name: CNBC, url: \"https://…\" }",
    ),
    Field::new("sources[].name", "text", "e.g. - { name: CNBC, url: \"https://…\" }"),
    Field::new("sources[].url", "a URL", "e.g. - { name: CNBC, url: \"https://…\" }"),
    Field::new(
        "corrections",
        "a list of corrections, each with a date and a note",
        "write one correction per line under corrections:, each as - { date: 2020-08-20, note: \"An earlier version misstated …\" }",
    ),
    Field::new(
        "corrections[]",
        "a correction with a date and a note",
        "write each correction as - { date: 2020-08-20, note: \"An earlier version misstated …\" }",
    ),
    Field::new(
        "corrections[].date",
        "a date",
        "e.g. - { date: 2020-08-20, note: \"An earlier version misstated …\" }",
    ),
    Field::new(
        "corrections[].note",
        "text",
        "e.g. - { date: 2020-08-20, note: \"An earlier version misstated …\" }",
    ),
    Field::new("draft", "true or false", "write draft: true, or leave the field out"),
    Field::new("extra", "a mapping of your own fields", "e.g. extra: { desk: cloud }"),
    Field::new("name", "text", "e.g. name: Microsoft"),
    // A brief's or page's aliases are its old URLs; a company's or
    // contract's are other names, and old URLs when they start with /.
    Field::new(
        "aliases",
        "a list of other names, or of old URLs starting with /",
        "write a list, e.g. aliases: [MSFT, Microsoft Corporation] (other names), or aliases: [/2020/08/18/microsoft-foreign-cloud/] (old URLs that redirect here)",
    ),
    Field::new(
        "aliases[]",
        "a name or an old URL (text)",
        "write each alias as text, e.g. aliases: [MSFT, Microsoft Corporation] (other names), or aliases: [/2020/08/18/microsoft-foreign-cloud/] (old URLs)",
    ),
    Field::new("role", "text", "e.g. role: Defense technology reporter"),
    Field::new(
        "links",
        "a list of links, each with a name and a url",
        "write one link per line under links:, each as - { name: Mastodon, url: \"https://…\" }",
    ),
    Field::new(
        "links[]",
        "a link with a name and a url",
        "write each link as - { name: Mastodon, url: \"https://…\" }",
    ),
    Field::new("links[].name", "text", "e.g. - { name: Mastodon, url: \"https://…\" }"),
    Field::new("links[].url", "a URL", "e.g. - { name: Mastodon, url: \"https://…\" }"),
    Field::new(
        "image",
        "an image with a src and an alt text",
        "e.g. image: { src: jane.jpg, alt: Jane Doe }",
    ),
    Field::new(
        "image.src",
        "a picture file beside the content file or under static/",
        "e.g. image: { src: jane.jpg, alt: Jane Doe }",
    ),
    Field::new(
        "image.caption",
        "text",
        "e.g. image: { src: hearing.jpg, alt: …, caption: The committee in session }",
    ),
    Field::new(
        "image.credit",
        "text",
        "e.g. image: { src: hearing.jpg, alt: …, credit: Photo by Jane Doe }",
    ),
    Field::new(
        "image.decorative",
        "true or false",
        "e.g. image: { src: pattern.png, decorative: true } (a picture that adds nothing a reader needs)",
    ),
    Field::new(
        "image.alt",
        "text describing the picture",
        "e.g. image: { src: jane.jpg, alt: Jane Doe }",
    ),
    Field::new("ticker", "text", "e.g. ticker: MSFT"),
    Field::new("headquarters", "text", "e.g. headquarters: Redmond, Washington"),
    Field::new("website", "a URL", "e.g. website: https://www.microsoft.com"),
    Field::new("agency", "text", "e.g. agency: US Department of Defense"),
    Field::new(
        "value",
        "an amount and a currency",
        "e.g. value: { amount: 10000000000, currency: USD }",
    ),
    Field::new(
        "value.amount",
        "a whole number, without commas or a currency sign",
        "e.g. value: { amount: 10000000000, currency: USD }",
    ),
    Field::new(
        "value.currency",
        "a currency code",
        "e.g. value: { amount: 10000000000, currency: USD }",
    ),
    Field::new(
        "awarded_to",
        "a list of company names",
        "write a list, e.g. awarded_to: [Microsoft]",
    ),
    Field::new(
        "awarded_to[]",
        "a company name",
        "write each company as its name, e.g. awarded_to: [Microsoft]",
    ),
    Field::new(
        "status",
        "one of open, awarded, protested, cancelled, completed",
        "e.g. status: awarded",
    ),
    Field::new(
        "timeline",
        "a list of events, each with a date and an event",
        "write one event per line under timeline:, each as - { date: 2019-10-25, event: Awarded to Microsoft }",
    ),
    Field::new(
        "timeline[]",
        "an event with a date and what happened",
        "write each event as - { date: 2019-10-25, event: Awarded to Microsoft }",
    ),
    Field::new(
        "timeline[].date",
        "a date",
        "e.g. - { date: 2019-10-25, event: Awarded to Microsoft }",
    ),
    Field::new(
        "timeline[].event",
        "text",
        "e.g. - { date: 2019-10-25, event: Awarded to Microsoft }",
    ),
    Field::new(
        "timeline[].status",
        "one of open, awarded, protested, cancelled, completed",
        "e.g. - { date: 2019-11-22, event: AWS files a protest, status: protested }",
    ),
];

/// A brief's front matter.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawBrief {
    #[schemars(pattern(NOT_BLANK))]
    pub title: String,
    pub date: DateTime,
    pub updated: Option<DateTime>,
    #[schemars(pattern(crate::slug::PATTERN))]
    pub slug: Option<String>,
    pub summary: Option<String>,
    #[schemars(pattern(NOT_BLANK))]
    pub author: Option<String>,
    #[schemars(inner(pattern(NOT_BLANK)))]
    pub authors: Option<Vec<String>>,
    /// Old URLs (site-relative paths) that redirect to the brief.
    #[serde(default)]
    #[schemars(inner(pattern(NOT_BLANK)))]
    pub aliases: Vec<String>,
    #[serde(default)]
    #[schemars(inner(pattern(TAG)))]
    pub tags: Vec<String>,
    #[serde(default)]
    #[schemars(inner(pattern(NOT_BLANK)))]
    pub companies: Vec<String>,
    #[serde(default)]
    #[schemars(inner(pattern(NOT_BLANK)))]
    pub contracts: Vec<String>,
    #[serde(default)]
    #[schemars(inner(pattern(NOT_BLANK)))]
    pub related: Vec<String>,
    #[serde(default)]
    pub sources: Vec<RawSource>,
    #[serde(default)]
    pub corrections: Vec<RawCorrection>,
    #[serde(default)]
    pub draft: bool,
    /// The lead image.
    pub image: Option<RawImage>,
    #[serde(default, deserialize_with = "unique_keys")]
    pub extra: Extra,
}

impl RawBrief {
    /// Whether `other` puts the brief in the same place as this: the same
    /// date and slug (its place in every list, its address), the same
    /// picture, no old addresses (their redirect pages show its title),
    /// and both published or both drafts. A `serve` session may then keep
    /// the brief's place and resolve the rest again
    /// ([`crate::model::catalog::with_references`]).
    pub fn same_place(&self, other: &RawBrief) -> bool {
        self.aliases.is_empty()
            && other.aliases.is_empty()
            && self.date == other.date
            && self.slug == other.slug
            && self.draft == other.draft
            && self.image == other.image
    }

    /// Whether `other` says the same as this but for the texts a brief's
    /// pages show and nothing else is made from: its title, summary, date
    /// of update, sources, corrections and extra data. Everything else
    /// (its date and slug, which place it; what it names; its picture; its
    /// old addresses, whose redirect pages show its title) is equal, so a
    /// `serve` session may keep the brief's place and references and take
    /// only the texts ([`crate::model::catalog::with_texts`]).
    pub fn same_but_texts(&self, other: &RawBrief) -> bool {
        let RawBrief {
            title: _,
            date,
            updated: _,
            slug,
            summary: _,
            author,
            authors,
            aliases,
            tags,
            companies,
            contracts,
            related,
            sources: _,
            corrections: _,
            draft,
            image,
            extra: _,
        } = self;
        aliases.is_empty()
            && other.aliases.is_empty()
            && *date == other.date
            && *slug == other.slug
            && *author == other.author
            && *authors == other.authors
            && *tags == other.tags
            && *companies == other.companies
            && *contracts == other.contracts
            && *related == other.related
            && *draft == other.draft
            && *image == other.image
    }

    /// How many distinct tags the brief has, counted as their URLs are
    /// ("Cloud" and "cloud " are one tag); tags that cannot be URLs are not
    /// counted (the model reports them).
    pub fn distinct_tags(&self) -> usize {
        let slugs: HashSet<Slug> = self.tags.iter().filter_map(|t| Slug::from_text(t).ok()).collect();
        slugs.len()
    }
}

/// A source a brief cites.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawSource {
    #[schemars(pattern(NOT_BLANK))]
    pub name: String,
    #[schemars(pattern(LINK))]
    pub url: String,
}

/// A correction note on a brief.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawCorrection {
    pub date: DateTime,
    #[schemars(pattern(NOT_BLANK))]
    pub note: String,
}

/// A company profile's front matter.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawCompany {
    #[schemars(pattern(NOT_BLANK))]
    pub name: String,
    #[serde(default)]
    #[schemars(inner(pattern(NOT_BLANK)))]
    pub aliases: Vec<String>,
    #[schemars(pattern(crate::slug::PATTERN))]
    pub slug: Option<String>,
    pub ticker: Option<String>,
    pub headquarters: Option<String>,
    #[schemars(pattern(LINK))]
    pub website: Option<String>,
    /// The company's logo.
    pub image: Option<RawImage>,
    #[serde(default, deserialize_with = "unique_keys")]
    pub extra: Extra,
}

/// An author's front matter.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawAuthor {
    #[schemars(pattern(NOT_BLANK))]
    pub name: String,
    #[serde(default)]
    #[schemars(inner(pattern(NOT_BLANK)))]
    pub aliases: Vec<String>,
    #[schemars(pattern(crate::slug::PATTERN))]
    pub slug: Option<String>,
    pub role: Option<String>,
    #[serde(default)]
    pub links: Vec<RawLink>,
    pub image: Option<RawImage>,
    #[serde(default, deserialize_with = "unique_keys")]
    pub extra: Extra,
}

/// A named link (an author's profiles).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawLink {
    #[schemars(pattern(NOT_BLANK))]
    pub name: String,
    #[schemars(pattern(LINK))]
    pub url: String,
}

/// A picture and the text that stands for it (`alt`, or `decorative:
/// true` for an explicit empty alt); a caption and credit for lead images.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawImage {
    #[schemars(pattern(NOT_BLANK))]
    pub src: String,
    pub alt: Option<String>,
    pub caption: Option<String>,
    pub credit: Option<String>,
    #[serde(default)]
    pub decorative: bool,
}

/// A contract's front matter.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawContract {
    #[schemars(pattern(NOT_BLANK))]
    pub name: String,
    #[serde(default)]
    #[schemars(inner(pattern(NOT_BLANK)))]
    pub aliases: Vec<String>,
    #[schemars(pattern(crate::slug::PATTERN))]
    pub slug: Option<String>,
    pub agency: Option<String>,
    pub value: Option<RawMoney>,
    #[serde(default)]
    #[schemars(inner(pattern(NOT_BLANK)))]
    pub awarded_to: Vec<String>,
    pub status: ContractStatus,
    #[serde(default)]
    pub timeline: Vec<RawEvent>,
    #[serde(default, deserialize_with = "unique_keys")]
    pub extra: Extra,
}

/// An amount of money.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawMoney {
    pub amount: u64,
    pub currency: String,
}

/// A dated event in a contract's life; `status` is where the event left
/// the contract, when it changed it (a brief's key facts give the status
/// as of its date from these).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawEvent {
    pub date: DateTime,
    #[schemars(pattern(NOT_BLANK))]
    pub event: String,
    pub status: Option<ContractStatus>,
}

/// Where a contract stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ContractStatus {
    Open,
    Awarded,
    Protested,
    Cancelled,
    Completed,
}

/// A free page's front matter.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawPage {
    #[schemars(pattern(NOT_BLANK))]
    pub title: String,
    #[schemars(pattern(crate::slug::PATTERN))]
    pub slug: Option<String>,
    pub summary: Option<String>,
    /// Old URLs (site-relative paths) that redirect to the page.
    #[serde(default)]
    #[schemars(inner(pattern(NOT_BLANK)))]
    pub aliases: Vec<String>,
    #[serde(default, deserialize_with = "unique_keys")]
    pub extra: Extra,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn brief(tags: Vec<String>) -> RawBrief {
        crate::yaml::parse::<RawBrief>(&format!("title: t\ndate: 2020-01-01\ntags: [{}]\n", tags.join(", "))).unwrap()
    }

    #[test]
    fn distinct_tags_are_counted_as_urls() {
        let spellings = (0..500).map(|i| format!("\"Cloud{}\"", " ".repeat(i % 3))).collect();
        assert_eq!(brief(spellings).distinct_tags(), 1);
        let many = (0..MAX_TAGS + 1).map(|i| format!("t{i}")).collect();
        assert_eq!(brief(many).distinct_tags(), MAX_TAGS + 1);
        assert_eq!(brief(vec!["a".into(), "A".into(), "---".into()]).distinct_tags(), 1);
    }
}
