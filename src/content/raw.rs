//! Front matter exactly as writers type it (SPEC §2).
//!
//! These structs refuse unknown fields, so a typo such as `tagz:` is an error
//! rather than silently ignored. They are converted into the model's types,
//! which hold only validated values, in the `model` stage.

// Fields mirror SPEC §2 one to one; the spec documents them.
#![allow(missing_docs)]

use serde::Deserialize;

use crate::date::DateTime;

/// Free-form data handed to templates as `extra`.
pub type Extra = serde_json::Map<String, serde_json::Value>;

/// A brief's front matter.
#[derive(Debug, Deserialize)]
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
    #[serde(default)]
    pub extra: Extra,
}

/// A source a brief cites.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSource {
    pub name: String,
    pub url: String,
}

/// A correction note on a brief.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCorrection {
    pub date: DateTime,
    pub note: String,
}

/// A company profile's front matter.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCompany {
    pub name: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    pub slug: Option<String>,
    pub ticker: Option<String>,
    pub headquarters: Option<String>,
    pub website: Option<String>,
    #[serde(default)]
    pub extra: Extra,
}

/// A contract's front matter.
#[derive(Debug, Deserialize)]
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
    #[serde(default)]
    pub extra: Extra,
}

/// An amount of money.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMoney {
    pub amount: u64,
    pub currency: String,
}

/// A dated event in a contract's life.
#[derive(Debug, Deserialize)]
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
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPage {
    pub title: String,
    pub slug: Option<String>,
    pub summary: Option<String>,
    #[serde(default)]
    pub extra: Extra,
}
