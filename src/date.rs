//! Dates as writers give them: a day (`2020-08-18`) or an RFC 3339 date-time.
//!
//! Both sort on one timeline (a bare day counts as midnight UTC) and keep the
//! calendar day the writer meant, so a brief dated `2020-08-18T23:30:00-04:00`
//! still shows August 18.

use std::fmt;

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Deserializer};

/// What "now" is for embargoes: a brief dated after it is scheduled.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Now {
    /// The clock, read when a build starts.
    #[default]
    Clock,
    /// A fixed moment (`SOURCE_DATE_EPOCH`), so a build's output is the same
    /// for the same input whenever it runs.
    At(Timestamp),
}

impl Now {
    /// `SOURCE_DATE_EPOCH` (seconds since 1970, the reproducible-builds
    /// convention) when set, else the clock. An unreadable value is an error
    /// naming it.
    pub fn from_source_date_epoch(value: Option<&str>) -> Result<Now, String> {
        let Some(text) = value else {
            return Ok(Now::Clock);
        };
        text.trim()
            .parse::<i64>()
            .ok()
            .and_then(|secs| Timestamp::from_second(secs).ok())
            .map(Now::At)
            .ok_or_else(|| format!("SOURCE_DATE_EPOCH='{text}' is not a number of seconds since 1970-01-01"))
    }

    /// The moment this stands for.
    pub fn resolve(self) -> Timestamp {
        match self {
            Now::Clock => Timestamp::now(),
            Now::At(at) => at,
        }
    }
}

/// A validated publication or event date.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DateTime {
    instant: Timestamp,
    day: Date,
    has_time: bool,
    text: String,
}

impl DateTime {
    /// Parses `YYYY-MM-DD` or an RFC 3339 date-time with an offset.
    pub fn parse(text: &str) -> Result<DateTime, String> {
        let text = text.trim();
        if let Ok(day) = text.parse::<Date>()
            && text.len() == 10
        {
            check_year(day)?;
            // The last hours of 9999-12-31 lie past jiff's last instant.
            let instant = day
                .to_zoned_datetime(jiff::tz::TimeZone::UTC)
                .map_or(Timestamp::MAX, |zoned| zoned.timestamp());
            return Ok(DateTime {
                instant,
                day,
                has_time: false,
                text: text.to_owned(),
            });
        }
        let instant: Timestamp = text.parse().map_err(|_| {
            format!("invalid date '{text}': expected a date such as 2020-08-18 or an RFC 3339 date-time such as 2020-08-18T09:30:00Z")
        })?;
        let day = text
            .get(..10)
            .and_then(|d| d.parse::<Date>().ok())
            .ok_or_else(|| format!("invalid date '{text}'"))?;
        check_year(day)?;
        Ok(DateTime {
            instant,
            day,
            has_time: true,
            text: text.to_owned(),
        })
    }

    /// The calendar day the writer meant.
    pub fn day(&self) -> Date {
        self.day
    }

    /// The moment, for ordering.
    pub fn instant(&self) -> Timestamp {
        self.instant
    }

    /// ISO 8601 for `<time datetime>` and JSON-LD: the day, or the full date-time as written.
    pub fn iso(&self) -> &str {
        &self.text
    }

    /// RFC 3339 in UTC, as Atom requires: `2020-08-18T04:30:00Z`.
    ///
    /// Written digit by digit: every feed entry and card needs one, and
    /// `strftime` showed in a build's profile (BENCHMARKS.md). Years are
    /// 0001–9999 (`check_year`), so four digits always suffice.
    pub fn rfc3339(&self) -> String {
        let t = jiff::tz::Offset::UTC.to_datetime(self.instant);
        let mut out = String::with_capacity(20);
        let mut push = |n: i32, width: usize, after: char| {
            let digits = [1000, 100, 10, 1];
            for d in &digits[digits.len() - width..] {
                out.push(char::from(b'0' + ((n / d) % 10) as u8));
            }
            out.push(after);
        };
        push(i32::from(t.year()), 4, '-');
        push(i32::from(t.month()), 2, '-');
        push(i32::from(t.day()), 2, 'T');
        push(i32::from(t.hour()), 2, ':');
        push(i32::from(t.minute()), 2, ':');
        push(i32::from(t.second()), 2, 'Z');
        out
    }

    /// A reader's date: "August 18, 2020".
    pub fn display(&self) -> String {
        self.day.strftime("%B %-d, %Y").to_string()
    }

    /// Whether the writer gave a time of day.
    pub fn has_time(&self) -> bool {
        self.has_time
    }
}

/// Years 0001 to 9999 only: what RFC 3339, Atom and sitemaps can express.
fn check_year(day: Date) -> Result<(), String> {
    if day.year() < 1 {
        Err(format!("invalid date '{day}': the year must be between 0001 and 9999"))
    } else {
        Ok(())
    }
}

impl Ord for DateTime {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.instant, &self.text).cmp(&(other.instant, &other.text))
    }
}

impl PartialOrd for DateTime {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for DateTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        DateTime::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_matches_strftime_across_the_years_allowed() {
        let first = Timestamp::from_second(-62_135_596_800).unwrap(); // 0001-01-01
        let last = Timestamp::from_second(253_402_207_200).unwrap(); // late in 9999, jiff's last second
        let span = last.as_second() - first.as_second();
        for i in 0..=10_000i64 {
            let second = first.as_second() + span / 10_000 * i + (i * 7919) % 86_400;
            let instant = Timestamp::from_second(second.min(last.as_second())).unwrap();
            let date = DateTime::parse(&instant.to_string()).unwrap();
            assert_eq!(date.rfc3339(), instant.strftime("%Y-%m-%dT%H:%M:%SZ").to_string());
        }
    }

    #[test]
    fn days_and_date_times_parse() {
        let d = DateTime::parse("2020-08-18").unwrap();
        assert_eq!(d.display(), "August 18, 2020");
        assert_eq!(d.rfc3339(), "2020-08-18T00:00:00Z");
        let t = DateTime::parse("2020-08-18T23:30:00-04:00").unwrap();
        assert_eq!(t.day().to_string(), "2020-08-18");
        assert_eq!(t.rfc3339(), "2020-08-19T03:30:00Z");
        assert!(t > d);
    }

    #[test]
    fn the_calendar_runs_from_year_1_to_9999() {
        assert!(DateTime::parse("0000-01-01").is_err());
        assert!(DateTime::parse("0001-01-01").is_ok());
        assert!(DateTime::parse("9999-12-31").is_ok());
    }

    #[test]
    fn bad_dates_are_refused() {
        for bad in ["2020-13-01", "18/08/2020", "2020-08-18 09:30", "yesterday", "2020-8-1"] {
            assert!(DateTime::parse(bad).is_err(), "{bad}");
        }
    }
}
