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
                status: e.status,
            })
            .collect();
        // Stable: events of one day keep the order they were written in,
        // so the last of them sets the status of that day.
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
    /// The status the event left the contract in, if it changed it.
    pub status: Option<ContractStatus>,
}

/// A contract's status as a brief dated on a given day saw it (SPEC §4).
///
/// A brief is read long after it is written: a 2020 brief about a
/// contract cancelled in 2021 must not call it cancelled. The status on
/// the brief's day comes from the timeline's `status:` entries; without
/// one on or before that day only the status now is known, and `known`
/// says so, so that a theme can word it truthfully ("Status now") instead
/// of dating a status the timeline does not date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusAsOf {
    /// The status on the day: that of the latest timeline event with a
    /// `status:` on or before it, else the contract's `status:` (SPEC
    /// §4); `None` only for stubs.
    pub then: Option<ContractStatus>,
    /// Whether `then` comes from the timeline. When false, `then` is only
    /// the status now: no event on or before the day set one.
    pub known: bool,
    /// The status now: the contract's `status:`.
    pub now: Option<ContractStatus>,
}

impl StatusAsOf {
    /// Whether the status on the day is known and differs from the status
    /// now: then both are worth showing.
    pub fn changed(&self) -> bool {
        self.known && self.then != self.now
    }
}

impl ContractFields {
    /// The contract's status as of `date` (a brief's): the last `status:`
    /// of the timeline on or before its calendar day, so that a brief
    /// written on the day of the event it reports (a protest filed that
    /// morning) already sees it; of several events on one day, the last
    /// written counts.
    pub fn status_as_of(&self, date: &DateTime) -> StatusAsOf {
        let day = date.day();
        let set = (self.timeline.iter().rev())
            .filter(|e| e.date.day() <= day)
            .find_map(|e| e.status);
        StatusAsOf {
            then: set.or(self.status),
            known: set.is_some(),
            now: self.status,
        }
    }
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
    use ContractStatus::*;

    fn date(text: &str) -> DateTime {
        DateTime::parse(text).unwrap()
    }

    /// A contract whose status now is `now`, with these events, sorted as
    /// `resolve` sorts them.
    fn contract(now: ContractStatus, events: &[(&str, Option<ContractStatus>)]) -> ContractFields {
        let mut timeline: Vec<Event> = (events.iter())
            .map(|(day, status)| Event {
                date: date(day),
                event: format!("event of {day}"),
                status: *status,
            })
            .collect();
        timeline.sort_by(|a, b| a.date.cmp(&b.date));
        ContractFields {
            status: Some(now),
            timeline,
            ..ContractFields::default()
        }
    }

    fn as_of(fields: &ContractFields, day: &str) -> (Option<ContractStatus>, bool, bool) {
        let s = fields.status_as_of(&date(day));
        assert_eq!(s.now, fields.status);
        (s.then, s.known, s.changed())
    }

    /// JEDI, as the bundled example's timeline has it.
    fn jedi() -> ContractFields {
        contract(
            Cancelled,
            &[
                ("2018-07-26", Some(Open)),
                ("2018-10-08", None),
                ("2019-10-25", Some(Awarded)),
                ("2019-11-22", Some(Protested)),
                ("2020-09-04", None),
                ("2021-07-06", Some(Cancelled)),
            ],
        )
    }

    #[test]
    fn the_status_as_of_a_day_is_the_last_one_set_on_or_before_it() {
        let jedi = jedi();
        // After an event, and between two: the earlier one holds.
        assert_eq!(as_of(&jedi, "2020-08-18"), (Some(Protested), true, true));
        assert_eq!(as_of(&jedi, "2019-11-21"), (Some(Awarded), true, true));
        // An event without a status changes nothing.
        assert_eq!(as_of(&jedi, "2018-10-09"), (Some(Open), true, true));
        // On the event's own day it already counts.
        assert_eq!(as_of(&jedi, "2019-11-22"), (Some(Protested), true, true));
        assert_eq!(as_of(&jedi, "2021-07-06"), (Some(Cancelled), true, false));
        // After the last one: the status now, known from the timeline.
        assert_eq!(as_of(&jedi, "2024-01-01"), (Some(Cancelled), true, false));
    }

    #[test]
    fn a_brief_before_every_status_sees_only_the_status_now() {
        // SPEC: "else the contract's status" — but not as the status on that day.
        assert_eq!(as_of(&jedi(), "2018-01-01"), (Some(Cancelled), false, false));
        let no_events = contract(Awarded, &[]);
        assert_eq!(as_of(&no_events, "2020-01-01"), (Some(Awarded), false, false));
        let no_statuses = contract(Awarded, &[("2019-01-01", None)]);
        assert_eq!(as_of(&no_statuses, "2020-01-01"), (Some(Awarded), false, false));
        let stub = ContractFields::default();
        assert_eq!(stub.status_as_of(&date("2020-01-01")).then, None);
        assert!(!stub.status_as_of(&date("2020-01-01")).changed());
    }

    #[test]
    fn of_several_events_on_one_day_the_last_written_counts() {
        let fields = contract(
            Awarded,
            &[
                ("2020-03-02", Some(Protested)),
                ("2020-03-01", Some(Awarded)),
                ("2020-03-02", Some(Awarded)),
            ],
        );
        assert_eq!(as_of(&fields, "2020-03-01"), (Some(Awarded), true, false));
        assert_eq!(as_of(&fields, "2020-03-02"), (Some(Awarded), true, false));
        let reversed = contract(
            Awarded,
            &[("2020-03-02", Some(Awarded)), ("2020-03-02", Some(Protested))],
        );
        assert_eq!(as_of(&reversed, "2020-03-02"), (Some(Protested), true, true));
    }

    #[test]
    fn a_brief_with_a_time_of_day_counts_by_its_calendar_day() {
        let fields = contract(
            Cancelled,
            &[("2020-08-18", Some(Protested)), ("2020-08-19", Some(Cancelled))],
        );
        // Late on the 18th in New York is the 19th in UTC; the writer meant the 18th.
        assert_eq!(
            as_of(&fields, "2020-08-18T23:30:00-04:00"),
            (Some(Protested), true, true)
        );
    }

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
