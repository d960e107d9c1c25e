//! The validated entities a site is made of.
//!
//! Every field holds a checked value: slugs are [`Slug`]s, dates are
//! [`DateTime`]s, references are ids. Raw front matter never gets here.

use std::path::PathBuf;

use crate::content::raw::{ContractStatus, Extra};
use crate::date::DateTime;
use crate::slug::Slug;

use super::{BriefId, CompanyId, ContractId, TagId};

/// Where an entity came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A content file.
    File(PathBuf),
    /// A stub made for an unknown reference (`unknown_references: warn`),
    /// first named in this file.
    Stub(PathBuf),
}

impl Origin {
    /// The file to name in messages.
    pub fn path(&self) -> &std::path::Path {
        match self {
            Origin::File(p) | Origin::Stub(p) => p,
        }
    }
}

/// A news brief.
#[derive(Debug)]
pub struct Brief {
    /// Its file.
    pub path: PathBuf,
    /// URL segment.
    pub slug: Slug,
    /// Headline.
    pub title: String,
    /// Publication date.
    pub date: DateTime,
    /// Last update, if any.
    pub updated: Option<DateTime>,
    /// The dek the writer gave; the first paragraph stands in otherwise.
    pub summary: Option<String>,
    /// Byline, falling back to the site author.
    pub author: Option<String>,
    /// Tags, deduplicated, in the writer's order.
    pub tags: Vec<TagId>,
    /// Companies declared in front matter.
    pub companies: Vec<CompanyId>,
    /// Contracts declared in front matter.
    pub contracts: Vec<ContractId>,
    /// Related briefs declared in front matter.
    pub related: Vec<BriefId>,
    /// Cited sources.
    pub sources: Vec<Source>,
    /// Corrections, newest first.
    pub corrections: Vec<Correction>,
    /// Free-form template data.
    pub extra: Extra,
}

/// A source a brief cites; its URL is http(s).
#[derive(Debug, Clone)]
pub struct Source {
    /// Publisher.
    pub name: String,
    /// Link.
    pub url: String,
}

/// A correction note.
#[derive(Debug, Clone)]
pub struct Correction {
    /// When it was made.
    pub date: DateTime,
    /// What was corrected.
    pub note: String,
}

/// A company profile.
#[derive(Debug)]
pub struct Company {
    /// Its file, or the file that first named it.
    pub origin: Origin,
    /// URL segment.
    pub slug: Slug,
    /// Display name.
    pub name: String,
    /// Other names writers use.
    pub aliases: Vec<String>,
    /// Stock ticker.
    pub ticker: Option<String>,
    /// Headquarters.
    pub headquarters: Option<String>,
    /// Website, http(s).
    pub website: Option<String>,
    /// Free-form template data.
    pub extra: Extra,
}

/// A government contract.
#[derive(Debug)]
pub struct Contract {
    /// Its file, or the file that first named it.
    pub origin: Origin,
    /// URL segment.
    pub slug: Slug,
    /// Display name.
    pub name: String,
    /// Other names (JEDI).
    pub aliases: Vec<String>,
    /// Awarding agency.
    pub agency: Option<String>,
    /// Contract value.
    pub value: Option<Money>,
    /// Awardees.
    pub awarded_to: Vec<CompanyId>,
    /// Status; `None` only for stubs, whose status nobody wrote down.
    pub status: Option<ContractStatus>,
    /// The contract's own dated events, oldest first.
    pub timeline: Vec<Event>,
    /// Free-form template data.
    pub extra: Extra,
}

/// A dated event in a contract's life.
#[derive(Debug, Clone)]
pub struct Event {
    /// When.
    pub date: DateTime,
    /// What happened.
    pub event: String,
}

/// An amount of money in a currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Money {
    /// Whole units.
    pub amount: u64,
    /// ISO 4217 code, upper case.
    pub currency: String,
}

impl Money {
    /// Reader-friendly form: "$10 billion", "€2.5 million", "$950,000".
    pub fn display(&self) -> String {
        self.with_currency(scaled(self.amount))
    }

    /// Every digit: "$10,000,000,000".
    pub fn display_exact(&self) -> String {
        self.with_currency(group_thousands(self.amount))
    }

    fn with_currency(&self, number: String) -> String {
        let symbol = match self.currency.as_str() {
            "USD" => Some("$"),
            "EUR" => Some("€"),
            "GBP" => Some("£"),
            "JPY" => Some("¥"),
            _ => None,
        };
        match symbol {
            Some(s) => format!("{s}{number}"),
            None => format!("{number} {}", self.currency),
        }
    }
}

fn scaled(amount: u64) -> String {
    for (scale, word) in [
        (1_000_000_000_000u64, "trillion"),
        (1_000_000_000, "billion"),
        (1_000_000, "million"),
    ] {
        if amount >= scale {
            let tenths = (amount as u128 * 10 + scale as u128 / 2) / scale as u128;
            let (whole, frac) = (tenths / 10, tenths % 10);
            return if frac == 0 {
                format!("{whole} {word}")
            } else {
                format!("{whole}.{frac} {word}")
            };
        }
    }
    group_thousands(amount)
}

/// Digits in groups of three: 1204 → "1,204".
pub fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A tag, merged by slug ("Cloud Computing" = "cloud computing").
#[derive(Debug)]
pub struct Tag {
    /// URL segment.
    pub slug: Slug,
    /// Display name: the first spelling in sorted order.
    pub name: String,
}

/// A free page (about, methodology).
#[derive(Debug)]
pub struct Page {
    /// Its file.
    pub path: PathBuf,
    /// URL segment, at the site root.
    pub slug: Slug,
    /// Title.
    pub title: String,
    /// Description.
    pub summary: Option<String>,
    /// Free-form template data.
    pub extra: Extra,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd(amount: u64) -> String {
        Money {
            amount,
            currency: "USD".into(),
        }
        .display()
    }

    #[test]
    fn money_reads_like_a_newspaper() {
        assert_eq!(usd(10_000_000_000), "$10 billion");
        assert_eq!(usd(9_000_000_000), "$9 billion");
        assert_eq!(usd(424_983_000), "$425 million");
        assert_eq!(usd(2_500_000), "$2.5 million");
        assert_eq!(usd(950_000), "$950,000");
        assert_eq!(
            Money {
                amount: 5_000_000,
                currency: "CHF".into()
            }
            .display(),
            "5 million CHF"
        );
    }
}
