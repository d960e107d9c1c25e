//! Front matter exactly as writers type it (SPEC §2).
//!
//! These structs refuse unknown fields, so a typo such as `tagz:` is an error
//! rather than silently ignored. They are converted into the model's types,
//! which hold only validated values, in the `model` stage.

// Fields mirror SPEC §2 one to one; the spec documents them.
#![allow(missing_docs)]

use std::collections::HashSet;

use serde::Deserialize;

use crate::date::DateTime;
use crate::slug::Slug;
use crate::yaml::unique_keys;

/// The most distinct tags one brief may carry. Every tag page lists the
/// brief with all of its tags, so the output grows with the square of the
/// count: 10,000 tags would be 10,000 pages of 10,000 links each
/// (BENCHMARKS.md).
pub const MAX_TAGS: usize = 100;

/// Free-form data handed to templates as `extra`; a key repeated in any of
/// its mappings is an error ([`unique_keys`]).
pub type Extra = serde_json::Map<String, serde_json::Value>;

/// A brief's front matter.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBrief {
    pub title: String,
    pub date: DateTime,
    pub updated: Option<DateTime>,
    pub slug: Option<String>,
    pub summary: Option<String>,
    pub author: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub companies: Vec<String>,
    #[serde(default)]
    pub contracts: Vec<String>,
    #[serde(default)]
    pub related: Vec<String>,
    #[serde(default)]
    pub sources: Vec<RawSource>,
    #[serde(default)]
    pub corrections: Vec<RawCorrection>,
    #[serde(default)]
    pub draft: bool,
    #[serde(default, deserialize_with = "unique_keys")]
    pub extra: Extra,
}

impl RawBrief {
    /// How many distinct tags the brief has, counted as their URLs are
    /// ("Cloud" and "cloud " are one tag); tags that cannot be URLs are not
    /// counted (the model reports them).
    pub fn distinct_tags(&self) -> usize {
        let slugs: HashSet<Slug> = self.tags.iter().filter_map(|t| Slug::from_text(t).ok()).collect();
        slugs.len()
    }
}

/// A source a brief cites.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSource {
    pub name: String,
    pub url: String,
}

/// A correction note on a brief.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCorrection {
    pub date: DateTime,
    pub note: String,
}

/// A company profile's front matter.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCompany {
    pub name: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    pub slug: Option<String>,
    pub ticker: Option<String>,
    pub headquarters: Option<String>,
    pub website: Option<String>,
    #[serde(default, deserialize_with = "unique_keys")]
    pub extra: Extra,
}

/// A contract's front matter.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawContract {
    pub name: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    pub slug: Option<String>,
    pub agency: Option<String>,
    pub value: Option<RawMoney>,
    #[serde(default)]
    pub awarded_to: Vec<String>,
    pub status: ContractStatus,
    #[serde(default)]
    pub timeline: Vec<RawEvent>,
    #[serde(default, deserialize_with = "unique_keys")]
    pub extra: Extra,
}

/// An amount of money.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMoney {
    pub amount: u64,
    pub currency: String,
}

/// A dated event in a contract's life.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEvent {
    pub date: DateTime,
    pub event: String,
}

/// Where a contract stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ContractStatus {
    Open,
    Awarded,
    Protested,
    Cancelled,
    Completed,
}

/// A free page's front matter.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPage {
    pub title: String,
    pub slug: Option<String>,
    pub summary: Option<String>,
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
