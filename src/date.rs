//! Dates as writers give them: a day (`2020-08-18`) or an RFC 3339 date-time.
//!
//! Both sort on one timeline (a bare day counts as midnight UTC) and keep the
//! calendar day the writer meant, so a brief dated `2020-08-18T23:30:00-04:00`
//! still shows August 18.

use std::fmt;

use jiff::Timestamp;
use jiff::civil::Date;
use serde::de::Visitor;
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
    ///
    /// The error names the part that is wrong ("month 13 is out of range
    /// (01–12)") when the text has the shape of a date.
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
        let instant: Timestamp = text.parse().map_err(|_| why_invalid(text))?;
        let day = text
            .get(..10)
            .and_then(|d| d.parse::<Date>().ok())
            .ok_or_else(|| why_invalid(text))?;
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

/// The forms a date may take, for messages.
/// What a date may be, in the words of every date error (and of the
/// editors' schema, `crate::schema`).
pub const DATE_FORMS: &str = "expected a date such as 2020-08-18 or an RFC 3339 date-time such as 2020-08-18T09:30:00Z";

/// Why `text` (trimmed) is not a date: the part out of range when it has
/// the shape of one, else the forms a date may take.
fn why_invalid(text: &str) -> String {
    if text.is_empty() {
        return format!("the date is empty: {DATE_FORMS}");
    }
    let problem = part_out_of_range(text).unwrap_or_else(|| {
        if text.len() > 10 && text.is_char_boundary(10) && text[..10].parse::<Date>().is_ok() {
            time_problem(&text[10..])
        } else {
            DATE_FORMS.to_owned()
        }
    });
    format!("invalid date '{text}': {problem}")
}

/// The two or four digits at `range` of `text`, as written and as a number.
fn digits(text: &str, range: std::ops::Range<usize>) -> Option<(&str, u32)> {
    let part = text.get(range)?;
    if !part.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((part, part.parse().ok()?))
}

/// The month, day, hour, minute or second of `text` that is out of range,
/// if `text` is laid out as `YYYY-MM-DD[THH:MM[:SS]…]`.
fn part_out_of_range(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    if bytes.get(4) != Some(&b'-') || bytes.get(7) != Some(&b'-') {
        return None;
    }
    let (_, year) = digits(text, 0..4)?;
    let (month_text, month) = digits(text, 5..7)?;
    let (day_text, day) = digits(text, 8..10)?;
    if !(1..=12).contains(&month) {
        return Some(format!("month {month_text} is out of range (01–12)"));
    }
    let days = days_in_month(year, month);
    if day == 0 || day > 31 {
        return Some(format!("day {day_text} is out of range (01–31)"));
    }
    if day > days {
        let name = MONTHS[month as usize - 1];
        return Some(format!(
            "day {day_text} is out of range: {name} {year:04} has {days} days"
        ));
    }
    if !matches!(bytes.get(10), Some(b'T' | b't' | b' ')) {
        return None;
    }
    for (name, range, max) in [("hour", 11..13, 23), ("minute", 14..16, 59), ("second", 17..19, 60)] {
        let separator = range.start - 1;
        if range.start > 11 && bytes.get(separator) != Some(&b':') {
            break;
        }
        let Some((part, value)) = digits(text, range) else {
            break;
        };
        if value > max {
            let limit = if name == "second" { 59 } else { max };
            return Some(format!("{name} {part} is out of range (00–{limit})"));
        }
    }
    None
}

/// What is wrong after a valid `YYYY-MM-DD`.
fn time_problem(rest: &str) -> String {
    if rest.starts_with(' ') {
        return "put a 'T' between the day and the time, e.g. 2020-08-18T09:30:00Z".to_owned();
    }
    let has_offset = rest.ends_with(['Z', 'z']) || rest.get(1..).is_some_and(|r| r.contains(['+', '-']));
    if rest.starts_with(['T', 't']) && !has_offset {
        return "the time needs a time zone: Z for UTC, or an offset, e.g. 2020-08-18T09:30:00Z or 2020-08-18T09:30:00-04:00".to_owned();
    }
    DATE_FORMS.to_owned()
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Days in `month` (1–12) of `year`, by the Gregorian calendar.
fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
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

/// What [`DateTime::parse`] accepts, as a JSON Schema pattern (ECMA-262
/// and Rust regex alike) for editors: a day with its month and day in
/// range, then optionally a time with an offset. It is looser than the
/// parser (30 February passes; the build catches it) and never stricter.
pub const PATTERN: &str = r"^\s*[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])([Tt ]([01][0-9]|2[0-3])(:?[0-5][0-9](:?([0-5][0-9]|60)([.,][0-9]+)?)?)?([Zz]|[+-][0-9]{2}(:?[0-9]{2}(:?[0-9]{2})?)?)(\[[^\]]*\])*)?\s*$";

impl schemars::JsonSchema for DateTime {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "DateTime".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "string", "pattern": PATTERN })
    }
}

impl<'de> Deserialize<'de> for DateTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // A visitor rather than `String::deserialize` then a check: an error
        // raised inside `deserialize_str` is placed by the YAML library at
        // the value itself, with its field's path.
        struct DateVisitor;

        impl Visitor<'_> for DateVisitor {
            type Value = DateTime;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a date such as 2020-08-18")
            }

            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<DateTime, E> {
                DateTime::parse(text).map_err(E::custom)
            }
        }

        deserializer.deserialize_str(DateVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Every text the parser accepts matches the editors' pattern, so a
    /// schema never marks a good date; these shapes it catches too.
    #[test]
    fn the_schema_pattern_accepts_every_date_the_parser_does() {
        let pattern = regex::Regex::new(PATTERN).unwrap();
        for good in [
            "2020-08-18",
            "2020-08-18T09:30:00Z",
            "2020-08-18t09:30:00z",
            "2020-08-18 09:30:00+02:00",
            "2020-08-18T09:30Z",
            "2020-08-18T09:30:00.123-05:00",
            "2020-08-18T09:30:00+0200",
            "2020-08-18T23:59:60Z",
            "2020-08-18T09:30:00Z[UTC]",
            "2020-08-18T09Z",
            "2020-08-18T0930+0200",
            " 2020-08-18 ",
        ] {
            assert!(DateTime::parse(good).is_ok(), "{good}");
            assert!(pattern.is_match(good), "{good}");
        }
        for bad in [
            "2024-13-01",
            "2024-01-32",
            "2024-01-01T25:00:00Z",
            "2020-08-18T09:30",
            "yesterday",
            "",
            "18/08/2020",
        ] {
            assert!(DateTime::parse(bad).is_err(), "{bad}");
            assert!(!pattern.is_match(bad), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn no_parsed_text_is_refused_by_the_pattern(
            text in "[0-9]{4}-[0-9]{2}-[0-9]{2}([Tt ][0-9]{2}(:?[0-9]{2}(:?[0-9]{2}([.,][0-9]{1,9})?)?)?([Zz]|[+-][0-9]{2}(:?[0-9]{2}(:?[0-9]{2})?)?)?(\\[[A-Za-z/_+-]{1,12}\\]){0,2})?"
        ) {
            if DateTime::parse(&text).is_ok() {
                prop_assert!(regex::Regex::new(PATTERN).unwrap().is_match(&text), "{}", text);
            }
        }
    }

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
    fn a_bad_date_names_the_part_that_is_wrong() {
        for (bad, why) in [
            ("2024-13-01", "month 13 is out of range (01–12)"),
            ("2024-00-01", "month 00 is out of range (01–12)"),
            ("2024-01-32", "day 32 is out of range (01–31)"),
            ("2023-02-29", "day 29 is out of range: February 2023 has 28 days"),
            ("2024-02-30", "day 30 is out of range: February 2024 has 29 days"),
            ("2024-04-31", "day 31 is out of range: April 2024 has 30 days"),
            ("2024-01-01T25:00:00Z", "hour 25 is out of range (00–23)"),
            ("2024-01-01T10:61:00Z", "minute 61 is out of range (00–59)"),
            ("2024-01-01T10:00:61Z", "second 61 is out of range (00–59)"),
            ("2024-01-01T10:00:00", "the time needs a time zone"),
            ("2020-08-18 09:30", "put a 'T' between the day and the time"),
            ("18/08/2020", "expected a date such as 2020-08-18"),
            ("2020-8-1", "expected a date such as 2020-08-18"),
        ] {
            let message = DateTime::parse(bad).unwrap_err();
            assert!(message.starts_with(&format!("invalid date '{bad}': ")), "{message}");
            assert!(message.contains(why), "{bad}: {message}");
        }
        assert!(DateTime::parse("2024-02-29").is_ok());
        assert!(DateTime::parse(" ").unwrap_err().starts_with("the date is empty"));
    }

    #[test]
    fn bad_dates_are_refused() {
        for bad in ["2020-13-01", "18/08/2020", "2020-08-18 09:30", "yesterday", "2020-8-1"] {
            assert!(DateTime::parse(bad).is_err(), "{bad}");
        }
    }
}
