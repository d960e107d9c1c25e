//! Contracts: the entity kind of `content/contracts/*.md`. What a contract
//! adds to every entity's name, aliases and background: agency, value,
//! awardees (companies), status and its own dated events.

use crate::content::SourceFile;
use crate::content::raw::{ContractStatus, RawContract, RawEvent, RawMoney};
use crate::date::DateTime;

use super::catalog::{Catalog, References};
use super::kind::{EntityKind, Kind, RawEntity, Shared};
use super::{BriefId, CompanyId, ContractId, Entity, EntityKey, Links};

/// A government contract.
pub type Contract = Entity<ContractFields>;

/// What a contract has beyond its name and aliases.
#[derive(Debug, Default)]
pub struct ContractFields {
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
}

/// A contract's own fields as written: awardees still names.
#[derive(Debug)]
pub struct RawContractFields {
    agency: Option<String>,
    value: Option<RawMoney>,
    awarded_to: Vec<String>,
    status: ContractStatus,
    timeline: Vec<RawEvent>,
}

/// The contract kind.
#[derive(Debug)]
pub struct Contracts;

impl EntityKind for Contracts {
    const KIND: Kind = Kind::Contract;
    type Raw = RawContract;
    type Fields = ContractFields;

    fn key(index: usize) -> EntityKey {
        EntityKey::Contract(ContractId::new(index))
    }

    fn all(catalog: &Catalog) -> &[Contract] {
        &catalog.contracts
    }

    fn all_mut(catalog: &mut Catalog) -> &mut Vec<Contract> {
        &mut catalog.contracts
    }

    fn briefs(links: &Links, index: usize) -> &[BriefId] {
        &links.contract_briefs[index]
    }

    fn resolve(own: RawContractFields, file: &SourceFile, refs: &mut References) -> ContractFields {
        let RawContractFields {
            agency,
            value,
            awarded_to,
            status,
            timeline,
        } = own;
        let awarded_to = refs.references(file, "awarded_to", &awarded_to, Kind::Company, |k| match k {
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
        ContractFields {
            agency,
            value,
            awarded_to,
            status: Some(status),
            timeline,
        }
    }
}

impl RawEntity for RawContract {
    type Own = RawContractFields;

    fn name(&self) -> &str {
        &self.name
    }

    fn aliases(&self) -> &[String] {
        &self.aliases
    }

    fn slug(&self) -> Option<&str> {
        self.slug.as_deref()
    }

    fn split(self) -> (Shared, RawContractFields) {
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
        } = self;
        let own = RawContractFields {
            agency,
            value,
            awarded_to,
            status,
            timeline,
        };
        (Shared { name, aliases, extra }, own)
    }
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
