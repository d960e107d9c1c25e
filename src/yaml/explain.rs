//! serde's shape errors in a writer's words.
//!
//! serde words a value of the wrong shape in Rust's terms: `sources[0]:
//! invalid type: string "https://…", expected struct RawSource`. A writer
//! needs the field, what it holds and how to write it. Callers describe
//! their fields in a table of [`Field`]s (front matter in `content::raw`,
//! dossier.yaml in `config`); [`describe`] rewrites a shape error with the
//! row of its field, and strips the Rust wording (`struct`, `enum`, `u64`,
//! `invalid type:`) from one whose field has no row. Other messages keep
//! their words; every message gets its path counted the way writers count
//! (`corrections (entry 1), date:` for serde's `corrections[0].date:`).

use super::{YamlError, hint};

/// One field as a writer sees it, for shape errors.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// Where the field sits, as serde_yaml_ng names it with list indexes
    /// written `[]`: `tags`, `sources[]`, `value.amount`; `""` for the
    /// whole document.
    pub path: &'static str,
    /// What it holds: "a list of tags".
    pub holds: &'static str,
    /// How to write it: "write a list, e.g. tags: [cloud, defense]".
    pub help: &'static str,
}

impl Field {
    /// A row of a field table.
    pub const fn new(path: &'static str, holds: &'static str, help: &'static str) -> Field {
        Field { path, holds, help }
    }
}

/// The message and help for `error`, in the words of `fields`; `line` is
/// the line of text it points at, for the hints of [`hint`].
pub fn describe(error: &YamlError, fields: &[Field], line: &str) -> (String, Option<String>) {
    let (path, rest) = split_path(&error.message);
    let pattern = pattern(path);
    let field = fields.iter().find(|f| f.path == pattern);
    if let Some((word, choices)) = unknown_word(rest) {
        let expected = field.map_or_else(|| choices.replace('\'', ""), |f| f.holds.to_owned());
        let message = format!("{}expected {expected}, found {}", where_(path), found(&word));
        return (message, field.map(|f| f.help.to_owned()));
    }
    let Some(shape) = Shape::parse(rest) else {
        return (format!("{}{rest}", where_(path)), hint(&error.message, line));
    };
    let expected = field.map_or_else(|| plain_expected(shape.expected), |f| f.holds.to_owned());
    let message = format!("{}expected {expected}, found {}", where_(path), found(shape.found));
    let help = field.map(|f| f.help.to_owned()).or_else(|| hint(&error.message, line));
    (message, help)
}

/// The serde path before a message (`sources[0]`, `value.amount`), if the
/// message has one, and the rest. A path is made of field names and list
/// indexes; free-form keys under `extra:` are never shape errors.
fn split_path(message: &str) -> (&str, &str) {
    let Some((path, rest)) = message.split_once(": ") else {
        return ("", message);
    };
    let is_path = !path.is_empty()
        && path
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '[' | ']' | '?'));
    if is_path && !path.starts_with(['[', '.']) {
        (path, rest)
    } else {
        ("", message)
    }
}

/// A path with its list indexes written `[]`: `corrections[1].date` → `corrections[].date`.
fn pattern(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut in_index = false;
    for c in path.chars() {
        match c {
            '[' => {
                in_index = true;
                out.push('[');
            }
            ']' => {
                in_index = false;
                out.push(']');
            }
            _ if in_index => {}
            _ => out.push(c),
        }
    }
    out
}

/// The path for a message, counting entries from 1: `corrections[1].date`
/// → `corrections (entry 2), date: `; nothing for the whole document.
fn where_(path: &str) -> String {
    if path.is_empty() {
        return String::new();
    }
    let mut out = String::new();
    for (i, part) in path.split('.').enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        let (key, indexes) = part.split_once('[').unwrap_or((part, ""));
        out.push_str(key);
        for index in indexes.split('[') {
            if let Ok(n) = index.trim_end_matches(']').parse::<usize>() {
                out.push_str(&format!(" (entry {})", n + 1));
            }
        }
    }
    out.push_str(": ");
    out
}

/// serde's "unknown variant" message (a word a field of set words does
/// not accept, `status: pending`), cut into the word as serde words a
/// string (`string "pending"`, for [`found`]) and the choices
/// (`one of 'open', 'awarded'`, or `'error' or 'warn'`).
fn unknown_word(message: &str) -> Option<(String, &str)> {
    let rest = message.strip_prefix("unknown variant '")?;
    let (word, choices) = rest.split_once("', expected ")?;
    Some((format!("string \"{word}\""), choices))
}

/// serde's "invalid type/value/length" message, cut into what it found and
/// what it expected.
struct Shape<'a> {
    found: &'a str,
    expected: &'a str,
}

impl<'a> Shape<'a> {
    fn parse(message: &'a str) -> Option<Shape<'a>> {
        let rest = message
            .strip_prefix("invalid type: ")
            .or_else(|| message.strip_prefix("invalid value: "))
            .or_else(|| message.strip_prefix("invalid length "))?;
        let (found, expected) = rest.rsplit_once(", expected ")?;
        Some(Shape { found, expected })
    }
}

/// What serde found, in words: `string "x"` → `the text "x"`.
fn found(unexpected: &str) -> String {
    /// Longer quoted values are cut, so a pasted paragraph stays one line.
    const MAX_CHARS: usize = 60;
    if let Some(text) = unexpected.strip_prefix("string ") {
        let shown: String = text.chars().take(MAX_CHARS).collect();
        let cut = if text.chars().count() > MAX_CHARS { "…\"" } else { "" };
        return format!("the text {shown}{cut}");
    }
    let quoted = |prefix: &str| {
        unexpected
            .strip_prefix(prefix)
            .map(|v| v.trim_matches(['\'', '`']).to_owned())
    };
    if let Some(n) = quoted("integer ").or_else(|| quoted("floating point ")) {
        return format!("the number {n}");
    }
    if let Some(b) = quoted("boolean ") {
        return format!("the value {b}");
    }
    if let Some(c) = quoted("character ") {
        return format!("the character '{c}'");
    }
    match unexpected {
        "sequence" => "a list".to_owned(),
        "map" => "a mapping".to_owned(),
        "unit value" | "Option value" => "an empty value".to_owned(),
        "enum" | "unit variant" | "newtype variant" | "tuple variant" | "struct variant" => {
            "a value with a YAML tag (!…)".to_owned()
        }
        "byte array" => "binary data".to_owned(),
        n if n.chars().all(|c| c.is_ascii_digit()) => format!("{n} entries"),
        other => plain_expected(other),
    }
}

/// What serde expected, for a field without a row: Rust's words replaced.
fn plain_expected(expected: &str) -> String {
    let number = |t: &str| matches!(t, "u8" | "u16" | "u32" | "u64" | "u128" | "usize");
    let signed = |t: &str| matches!(t, "i8" | "i16" | "i32" | "i64" | "i128" | "isize");
    if expected.starts_with("struct ") {
        return "a mapping of fields (key: value)".to_owned();
    }
    if expected.starts_with("enum ") {
        return "one of the words this field accepts".to_owned();
    }
    if let Some(t) = expected.strip_prefix("a nonzero ")
        && (number(t) || signed(t))
    {
        return "a whole number of 1 or more".to_owned();
    }
    if number(expected) {
        return "a whole number of 0 or more".to_owned();
    }
    if signed(expected) {
        return "a whole number".to_owned();
    }
    match expected {
        "a sequence" => "a list".to_owned(),
        "a map" => "a mapping (key: value)".to_owned(),
        "a string" | "a borrowed string" => "text".to_owned(),
        "a boolean" => "true or false".to_owned(),
        "f32" | "f64" => "a number".to_owned(),
        other => other
            .split(' ')
            .filter(|w| !(w.starts_with("Raw") || matches!(*w, "struct" | "enum")))
            .collect::<Vec<_>>()
            .join(" "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIELDS: &[Field] = &[
        Field::new("tags", "a list of tags", "write a list, e.g. tags: [cloud, defense]"),
        Field::new(
            "sources[]",
            "a source with a name and a url",
            "write each source as - { name: CNBC, url: \"https://…\" }",
        ),
    ];

    fn describe_message(message: &str) -> (String, Option<String>) {
        let error = YamlError {
            message: message.to_owned(),
            position: None,
        };
        describe(&error, FIELDS, "")
    }

    #[test]
    fn a_field_with_a_row_is_described_by_it() {
        let (message, help) = describe_message("tags: invalid type: string \"cloud, defense\", expected a sequence");
        assert_eq!(
            message,
            "tags: expected a list of tags, found the text \"cloud, defense\""
        );
        assert_eq!(help.as_deref(), Some("write a list, e.g. tags: [cloud, defense]"));
        let (message, help) =
            describe_message("sources[2]: invalid type: string \"https://x/\", expected struct RawSource");
        assert_eq!(
            message,
            "sources (entry 3): expected a source with a name and a url, found the text \"https://x/\""
        );
        assert!(help.unwrap().contains("- { name: CNBC"));
    }

    #[test]
    fn a_field_without_a_row_loses_the_rust_words() {
        for (message, expected) in [
            (
                "value: invalid type: sequence, expected struct RawMoney",
                "value: expected a mapping of fields (key: value), found a list",
            ),
            (
                "status: invalid type: map, expected enum ContractStatus",
                "status: expected one of the words this field accepts, found a mapping",
            ),
            (
                "value.amount: invalid value: integer '-5', expected u64",
                "value, amount: expected a whole number of 0 or more, found the number -5",
            ),
            (
                "feed_limit: invalid value: integer '0', expected a nonzero usize",
                "feed_limit: expected a whole number of 1 or more, found the number 0",
            ),
            (
                "corrections[0].date: invalid type: map, expected a date such as 2020-08-18",
                "corrections (entry 1), date: expected a date such as 2020-08-18, found a mapping",
            ),
            (
                "invalid type: sequence, expected struct RawBrief",
                "expected a mapping of fields (key: value), found a list",
            ),
            (
                "draft: invalid type: string \"yes\", expected a boolean",
                "draft: expected true or false, found the text \"yes\"",
            ),
            (
                "title: invalid type: unit value, expected a string",
                "title: expected text, found an empty value",
            ),
        ] {
            assert_eq!(describe_message(message).0, expected);
        }
    }

    #[test]
    fn a_word_the_field_does_not_accept_is_shown_with_the_choices() {
        let fields = [Field::new(
            "timeline[].status",
            "one of open, awarded, protested, cancelled, completed",
            "e.g. - { date: 2019-11-22, event: AWS files a protest, status: protested }",
        )];
        let error = YamlError {
            message: "timeline[1].status: unknown variant 'won', expected one of 'open', 'awarded', 'protested', \
                      'cancelled', 'completed'"
                .to_owned(),
            position: None,
        };
        let (message, help) = describe(&error, &fields, "");
        assert_eq!(
            message,
            "timeline (entry 2), status: expected one of open, awarded, protested, cancelled, completed, \
             found the text \"won\""
        );
        assert!(help.unwrap().contains("status: protested"));
        // Without a row, the choices lose their quotes.
        assert_eq!(
            describe_message("unknown_references: unknown variant 'wran', expected 'error' or 'warn'").0,
            "unknown_references: expected error or warn, found the text \"wran\""
        );
    }

    #[test]
    fn other_messages_pass_through() {
        for message in [
            "unknown field 'tagz', expected one of 'title', 'date'",
            "extra: duplicate field 'desk'",
            "mapping values are not allowed in this context",
            "date: invalid date '2024-13-01': month 13 is out of range (01–12)",
        ] {
            assert_eq!(describe_message(message).0, message);
        }
        assert_eq!(
            describe_message("corrections[0].date: invalid date ''").0,
            "corrections (entry 1), date: invalid date ''"
        );
    }

    #[test]
    fn long_values_are_cut() {
        let long = "x".repeat(500);
        let (message, _) = describe_message(&format!("tags: invalid type: string \"{long}\", expected a sequence"));
        assert!(message.len() < 150, "{message}");
        assert!(message.ends_with("…\""), "{message}");
    }
}
