//! The one place dossier calls the YAML library.
//!
//! Keeping every YAML call here means the parser can be swapped (serde-saphyr
//! is the likely successor of serde_yaml_ng) by editing one file. This module
//! turns the library's errors into a message plus a position relative to the
//! YAML text it was given; callers add their own line offset.
//!
//! It also covers two gaps in serde_yaml_ng: deep flow nesting is refused by
//! a linear scan before libyaml sees it (libyaml spends O(depth²) on it), and
//! a repeated key is an error at the repeated key, in free-form mappings too
//! ([`unique_keys`]); serde only refuses repeated struct fields, and points
//! at their mapping.
//!
//! Most front matter is a flat block mapping of plain and quoted scalars,
//! which [`simple`] reads much faster than libyaml (BENCHMARKS.md); whatever
//! it does not read, it leaves to serde_yaml_ng, which also gives every
//! error.

mod explain;
mod simple;

use std::fmt;

use serde::Deserialize;
use serde::de::{DeserializeOwned, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::diag::{Position, lines_with_endings, trim_line_ending};
pub use explain::{Field, describe};

/// How deep collections may nest: serde_yaml_ng's own recursion limit.
pub const MAX_DEPTH: usize = 128;

/// A YAML error: what went wrong, and where in the text given to [`parse`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    /// The library's message, without its own "at line … column …" suffix.
    pub message: String,
    /// Position within the YAML text, when the library knows it.
    pub position: Option<Position>,
}

impl From<serde_yaml::Error> for YamlError {
    fn from(error: serde_yaml::Error) -> YamlError {
        let full = error.to_string();
        let message = match full.find(" at line ") {
            Some(cut) => full[..cut].to_owned(),
            None => full,
        };
        YamlError {
            message: message.replace('`', "'"),
            position: error.location().map(|l| Position {
                line: l.line(),
                column: l.column(),
            }),
        }
    }
}

/// After `first` (the error [`parse`] gave for `text`), what of `text` is
/// still good, and the errors of the other fields serde refuses on the way.
///
/// Each refused top-level field is blanked out of the text (its lines
/// emptied, so every later error keeps its line and column), or for those
/// in `required` replaced by their stand-in value, and the rest parsed
/// again, at most 16 times. `None` when nothing can be saved (broken YAML,
/// an error no field can be blamed for). The stand-ins never reach a page:
/// the file's errors fail the build; they let the later stages check the
/// rest of the file in the same run.
pub fn recover<T: DeserializeOwned>(
    text: &str,
    first: &YamlError,
    required: &[(&str, &str)],
) -> (Option<T>, Vec<YamlError>) {
    let mut text = text.to_owned();
    let mut more = Vec::new();
    let mut key = failing_key(&text, first);
    for _ in 0..16 {
        let Some(field) = key else { break };
        let stand_in = required.iter().find(|(k, _)| *k == field).map(|(_, v)| *v);
        if !replace_field(&mut text, &field, stand_in) {
            break;
        }
        match parse::<T>(&text) {
            Ok(recovered) => return (Some(recovered), more),
            Err(e) => {
                let next = failing_key(&text, &e);
                if next.as_ref() == Some(&field) {
                    break;
                }
                more.push(e);
                key = next;
            }
        }
    }
    (None, more)
}

/// Empties the lines of top-level `field` in `text` (the key's line and the
/// indented, listed or comment lines under it), or puts `stand_in` in their
/// place; adds `field: stand_in` when the field is missing. Whether anything
/// changed.
fn replace_field(text: &mut String, field: &str, stand_in: Option<&str>) -> bool {
    let quoted = |value: &str| format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""));
    let is_key_line = |line: &str| {
        let name = line.split(':').next().unwrap_or("").trim_end();
        line.contains(':') && name.trim_matches(['"', '\'']) == field && !line.starts_with([' ', '\t', '-', '#'])
    };
    let mut out = String::with_capacity(text.len());
    let (mut found, mut inside) = (false, false);
    for line in lines_with_endings(text) {
        let continues = line.starts_with([' ', '\t', '-', '#']) || trim_line_ending(line).is_empty();
        if !found && is_key_line(line) {
            found = true;
            inside = true;
            if let Some(value) = stand_in {
                out.push_str(&format!("{field}: {}", quoted(value)));
            }
        } else if inside && continues {
            // Emptied, keeping its line.
        } else {
            inside = false;
            out.push_str(trim_line_ending(line));
        }
        out.push_str(&line[trim_line_ending(line).len()..]);
    }
    match (found, stand_in) {
        (true, _) => {
            *text = out;
            true
        }
        (false, Some(value)) => {
            if !text.is_empty() && !text.ends_with('\n') {
                text.push('\n');
            }
            text.push_str(&format!("{field}: {}\n", quoted(value)));
            true
        }
        (false, None) => false,
    }
}

/// The top-level field an error is about: named by serde's message
/// (`unknown field `x``, `missing field `x``, `x: …`, `x[0].y: …`), or the
/// field whose block holds the error's line.
fn failing_key(text: &str, error: &YamlError) -> Option<String> {
    let message = error.message.as_str();
    for marker in ["unknown field `", "missing field `"] {
        if let Some(rest) = message.split(marker).nth(1) {
            return rest.split('`').next().map(str::to_owned);
        }
    }
    let head = message.split(": ").next().unwrap_or("");
    let key = head.split(['[', '.']).next().unwrap_or("");
    if !key.is_empty() && head.len() < message.len() && key.chars().all(|c| c.is_alphanumeric() || c == '_') {
        return Some(key.to_owned());
    }
    let line = error.position?.line;
    lines_with_endings(text)
        .take(line)
        .filter(|l| !l.starts_with([' ', '\t', '-', '#']) && l.contains(':'))
        .last()
        .and_then(|l| l.split(':').next())
        .map(|k| k.trim().trim_matches(['"', '\'']).to_owned())
}

/// Deserializes `text` into `T`; empty text counts as an empty mapping.
pub fn parse<T: DeserializeOwned>(text: &str) -> Result<T, YamlError> {
    let text = if text.trim().is_empty() { "{}" } else { text };
    if let Some(value) = simple::parse(text) {
        return Ok(value);
    }
    check_nesting(text)?;
    let parsed = serde_yaml::from_str(text).map_err(|error| {
        let error = YamlError::from(error);
        if error.message.contains(DUPLICATE) {
            find_duplicate_key(text).unwrap_or(error)
        } else {
            error
        }
    })?;
    refuse_control_escapes(text)?;
    Ok(parsed)
}

/// The start of the message for a control character made by an escape.
const CONTROL_ESCAPE: &str = "a double-quoted escape makes a control character";

/// Refuses a double-quoted escape that makes a control character (`"\0"`,
/// `"\x1b"`, `"\f"`, …): no page or feed can hold one, so a value may not,
/// as no file may hold one raw. Every string dossier reads is then free of
/// them, and escaping a value for a page need not look for them again.
///
/// Only text holding a backslash can have such an escape (the fast path in
/// [`simple`] leaves all of it here), and only the parsed values tell an
/// escape from a backslash in a plain or single-quoted scalar (`C:\files`).
fn refuse_control_escapes(text: &str) -> Result<(), YamlError> {
    if memchr::memchr(b'\\', text.as_bytes()).is_none() {
        return Ok(());
    }
    let Ok(value) = serde_yaml::from_str::<serde_yaml::Value>(text) else {
        return Ok(());
    };
    let Some(found) = first_control(&value) else {
        return Ok(());
    };
    let code = format!("U+{:04X}", u32::from(found));
    let (position, with) = match control_escape(text) {
        Some((position, escape)) => (Some(position), format!(" with '{escape}'")),
        None => (None, String::new()),
    };
    Err(YamlError {
        message: format!("{CONTROL_ESCAPE} ({code}){with}, which cannot appear in a page or feed"),
        position,
    })
}

/// The first control character in any string or key of `value`.
fn first_control(value: &serde_yaml::Value) -> Option<char> {
    use serde_yaml::Value;
    let in_text = |s: &str| crate::control::find_control(s).and_then(|at| s[at..].chars().next());
    match value {
        Value::String(s) => in_text(s),
        Value::Sequence(items) => items.iter().find_map(first_control),
        Value::Mapping(map) => map
            .iter()
            .find_map(|(k, v)| first_control(k).or_else(|| first_control(v))),
        Value::Tagged(tagged) => first_control(&tagged.value),
        Value::Null | Value::Bool(_) | Value::Number(_) => None,
    }
}

/// The first escape that makes a control character, and where it is, best
/// effort: a backslash pair (`\\`) is skipped, quoting is not tracked.
fn control_escape(text: &str) -> Option<(Position, &str)> {
    let bytes = text.as_bytes();
    let mut at = 0;
    while let Some(found) = memchr::memchr(b'\\', &bytes[at..]) {
        let start = at + found;
        let rest = &text[start + 1..];
        let hex = |digits: usize| rest.get(1..1 + digits).and_then(|h| u32::from_str_radix(h, 16).ok());
        let (code, len) = match rest.as_bytes().first() {
            Some(b'\\') => {
                at = start + 2;
                continue;
            }
            Some(b'0') => (Some(0), 1),
            Some(b'a') => (Some(7), 1),
            Some(b'b') => (Some(8), 1),
            Some(b'e') => (Some(0x1b), 1),
            Some(b'f') => (Some(0x0c), 1),
            Some(b'v') => (Some(0x0b), 1),
            Some(b'N') => (Some(0x85), 1),
            Some(b'x') => (hex(2), 3),
            Some(b'u') => (hex(4), 5),
            Some(b'U') => (hex(8), 9),
            _ => (None, 0),
        };
        if code
            .and_then(char::from_u32)
            .is_some_and(crate::control::is_refused_control)
        {
            return Some((Position::of_offset(text, start, 1), &text[start..start + 1 + len]));
        }
        at = start + 1;
    }
    None
}

/// Refuses flow collections (`[…]`, `{…}`) nested more than [`MAX_DEPTH`]
/// deep, at the bracket that goes one level too far, in one linear pass.
///
/// serde_yaml_ng refuses them too, but only after libyaml has scanned them,
/// which costs O(depth²), enough for one hostile file to stall a build
/// (BENCHMARKS.md). Block collections need no scan: libyaml handles their
/// depth in linear time. The scan knows just enough YAML (quotes, comments,
/// block scalars, plain scalars) to count only real brackets. The one thing
/// it cannot tell apart, a multi-line plain scalar whose continuation line
/// starts with `[` or `{`, is counted as nesting; that takes 129 brackets
/// left open to matter.
fn check_nesting(text: &str) -> Result<(), YamlError> {
    if text.bytes().filter(|b| matches!(b, b'[' | b'{')).count() <= MAX_DEPTH {
        return Ok(());
    }
    let mut scan = NestingScan::default();
    for (index, line) in lines_with_endings(text).enumerate() {
        let line = trim_line_ending(line);
        if let Some(at) = scan.line(line) {
            return Err(YamlError {
                message: format!("recursion limit exceeded: more than {MAX_DEPTH} nested lists and mappings"),
                position: Some(Position {
                    line: index + 1,
                    column: line[..at].chars().count() + 1,
                }),
            });
        }
    }
    Ok(())
}

/// Where [`check_nesting`] is within the YAML between lines.
#[derive(Debug, Default)]
struct NestingScan {
    /// Open flow collections.
    depth: usize,
    /// Inside a quoted scalar that goes on past the line: its quote.
    quote: Option<u8>,
    /// Inside a block scalar (`|`, `>`) whose parent line has this indentation.
    block_scalar: Option<usize>,
}

impl NestingScan {
    /// Scans one line (without its ending); the byte offset of the bracket
    /// that opens one level too many, if there is one. Every character YAML
    /// gives a meaning here is ASCII, so bytes will do.
    fn line(&mut self, line: &str) -> Option<usize> {
        let bytes = line.as_bytes();
        let indent = bytes.iter().take_while(|&&b| b == b' ').count();
        if let Some(parent) = self.block_scalar {
            if line.trim().is_empty() || indent > parent {
                return None;
            }
            self.block_scalar = None;
        }
        let mut token_start = true;
        let mut i = 0;
        while i < bytes.len() {
            let c = bytes[i];
            let next = bytes.get(i + 1).copied();
            let followed_by_space = matches!(next, None | Some(b' ' | b'\t'));
            if let Some(quote) = self.quote {
                match c {
                    b'\\' if quote == b'"' => i += 1,
                    b'\'' if quote == b'\'' && next == Some(b'\'') => i += 1,
                    _ if c == quote => {
                        self.quote = None;
                        token_start = false;
                    }
                    _ => {}
                }
                i += 1;
                continue;
            }
            match c {
                b'#' if i == 0 || matches!(bytes[i - 1], b' ' | b'\t') => return None,
                b' ' | b'\t' => {}
                b'[' | b'{' if token_start || self.depth > 0 => {
                    self.depth += 1;
                    if self.depth > MAX_DEPTH {
                        return Some(i);
                    }
                    token_start = true;
                }
                b']' | b'}' if self.depth > 0 => {
                    self.depth -= 1;
                    token_start = false;
                }
                b',' if self.depth > 0 => token_start = true,
                b'\'' | b'"' if token_start => self.quote = Some(c),
                b'|' | b'>' if token_start && self.depth == 0 => {
                    self.block_scalar = Some(indent);
                    return None;
                }
                b'&' | b'!' if token_start => {
                    // An anchor or a tag: the node itself follows.
                    while i + 1 < bytes.len() && !matches!(bytes[i + 1], b' ' | b'\t') {
                        i += 1;
                    }
                }
                b'-' | b'?' if token_start && followed_by_space => {}
                b':' if followed_by_space || self.depth > 0 => token_start = true,
                _ => token_start = false,
            }
            i += 1;
        }
        None
    }
}

/// The start of every repeated-key message: serde's own for struct fields,
/// and ours for free-form mappings.
const DUPLICATE: &str = "duplicate field";

/// Where the first repeated key of `text` is, if it has one. serde places a
/// repeated struct field at the start of its mapping; this second look
/// (only after such an error) finds the repeated key itself.
fn find_duplicate_key(text: &str) -> Option<YamlError> {
    let error = FreeForm.deserialize(serde_yaml::Deserializer::from_str(text)).err()?;
    Some(YamlError::from(error)).filter(|e| e.message.contains(DUPLICATE))
}

/// Deserializes free-form data (`extra:`) as `serde_json::Map` does, but a
/// key repeated in any of its mappings is an error at the repeated key,
/// where serde_json would keep the last value silently.
///
/// For `#[serde(deserialize_with = "…")]`: checking while parsing costs
/// nothing extra, where a second pass over every file would.
pub fn unique_keys<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<serde_json::Map<String, serde_json::Value>, D::Error> {
    struct MapVisitor;

    impl<'de> Visitor<'de> for MapVisitor {
        type Value = serde_json::Map<String, serde_json::Value>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a map")
        }

        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            unique_entries(map)
        }
    }

    deserializer.deserialize_map(MapVisitor)
}

/// A mapping's entries, refusing a repeated key.
fn unique_entries<'de, A: MapAccess<'de>>(mut map: A) -> Result<serde_json::Map<String, serde_json::Value>, A::Error> {
    let mut entries = serde_json::Map::new();
    while let Some(key) = map.next_key_seed(NewKey { entries: &entries })? {
        let value = map.next_value_seed(FreeForm)?;
        entries.insert(key, value);
    }
    Ok(entries)
}

/// A key not among `entries` yet. The error is raised while the key is read,
/// so the YAML library places it at the key.
struct NewKey<'a> {
    entries: &'a serde_json::Map<String, serde_json::Value>,
}

impl<'de> DeserializeSeed<'de> for NewKey<'_> {
    type Value = String;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<String, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for NewKey<'_> {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string key")
    }

    fn visit_str<E: serde::de::Error>(self, key: &str) -> Result<String, E> {
        if self.entries.contains_key(key) {
            Err(E::custom(format_args!("{DUPLICATE} `{key}`")))
        } else {
            Ok(key.to_owned())
        }
    }
}

/// Any value, as `serde_json::Value` deserializes it, with [`unique_entries`] mappings.
#[derive(Clone, Copy)]
struct FreeForm;

impl<'de> DeserializeSeed<'de> for FreeForm {
    type Value = serde_json::Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<serde_json::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for FreeForm {
    type Value = serde_json::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any valid JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<serde_json::Value, E> {
        Ok(serde_json::Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<serde_json::Value, E> {
        Ok(serde_json::Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<serde_json::Value, E> {
        Ok(serde_json::Value::Number(v.into()))
    }

    fn visit_i128<E: serde::de::Error>(self, v: i128) -> Result<serde_json::Value, E> {
        serde_json::Number::deserialize(serde::de::value::I128Deserializer::new(v)).map(serde_json::Value::Number)
    }

    fn visit_u128<E: serde::de::Error>(self, v: u128) -> Result<serde_json::Value, E> {
        serde_json::Number::deserialize(serde::de::value::U128Deserializer::new(v)).map(serde_json::Value::Number)
    }

    fn visit_f64<E>(self, v: f64) -> Result<serde_json::Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(serde_json::Value::Null, serde_json::Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<serde_json::Value, E> {
        Ok(serde_json::Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<serde_json::Value, E> {
        Ok(serde_json::Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<serde_json::Value, E> {
        Ok(serde_json::Value::Null)
    }

    fn visit_none<E>(self) -> Result<serde_json::Value, E> {
        Ok(serde_json::Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<serde_json::Value, D::Error> {
        self.deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<serde_json::Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(self)? {
            items.push(item);
        }
        Ok(serde_json::Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<serde_json::Value, A::Error> {
        unique_entries(map).map(serde_json::Value::Object)
    }
}

/// A hint for YAML mistakes writers make often, if `message` looks like one;
/// `line` is the line of text the error points at.
pub fn hint(message: &str, line: &str) -> Option<String> {
    let hint = if message.contains("mapping values are not allowed") {
        return Some(colon_hint(line));
    } else if message.contains("found character that cannot start any token") && line.contains('\t') {
        "YAML does not allow tabs for indentation; use spaces"
    } else if message.contains("invalid type: boolean") {
        "YAML reads yes/no/on/off as booleans; quote the word if you meant text"
    } else if message.contains("did not find expected key") || message.contains("did not find expected '-'") {
        "check the indentation of this line against the lines above it"
    } else if message.contains("duplicate field") {
        "a key may appear only once in a mapping; remove or rename one of them"
    } else if message.starts_with(CONTROL_ESCAPE) {
        "remove the escape; in double quotes a backslash starts one, so write text with backslashes in single quotes"
    } else if message.contains("recursion limit exceeded") {
        "flatten the data: lists and mappings may nest at most 128 levels deep"
    } else {
        return None;
    };
    Some(hint.to_owned())
}

/// Typographic quotes, opening and closing, as word processors and phones
/// type them: YAML reads them as text, not as quoting.
const CURLY_QUOTES: [char; 8] = ['“', '”', '„', '‘', '’', '‚', '«', '»'];

/// The hint for a `: ` inside an unquoted value. A value the writer wrapped
/// in typographic quotes was meant to be quoted: say to use straight ones,
/// with the line rewritten when that is simple.
fn colon_hint(line: &str) -> String {
    let opens_value = |at: usize| {
        let before = line[..at].trim_end();
        before.is_empty() || before.ends_with([':', '-', '[', '{', ','])
    };
    let Some(open) = line.find(CURLY_QUOTES).filter(|&at| opens_value(at)) else {
        return "a value containing ': ' must be quoted, e.g. title: \"JEDI: what happened\"".to_owned();
    };
    let close = line.rfind(CURLY_QUOTES).filter(|&c| c > open);
    let fixed = close.and_then(|close| {
        let inner = &line[open + line[open..].chars().next()?.len_utf8()..close];
        let after = &line[close + line[close..].chars().next()?.len_utf8()..];
        (!inner.contains('"')).then(|| format!("{}\"{inner}\"{after}", &line[..open]))
    });
    let example = fixed.map_or_else(String::new, |f| format!(", e.g. {}", f.trim()));
    format!("typographic quotes (“…”) do not quote a YAML value; use straight quotes \"…\"{example}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_field_is_emptied_in_place_or_stood_in_for() {
        let mut text = "title: t\ntags:\n- a\n  # note\n- b\ndate: 2024-13-01\n".to_owned();
        assert!(replace_field(&mut text, "tags", None));
        assert_eq!(text, "title: t\n\n\n\n\ndate: 2024-13-01\n");
        assert!(replace_field(&mut text, "date", Some("1970-01-01")));
        assert_eq!(text, "title: t\n\n\n\n\ndate: \"1970-01-01\"\n");
        assert!(replace_field(&mut text, "name", Some("a \"b\"")));
        assert!(text.ends_with("name: \"a \\\"b\\\"\"\n"), "{text}");
        assert!(!replace_field(&mut text, "nothing", None));
    }

    #[test]
    fn recovery_reports_each_refused_field_at_its_line() {
        #[derive(Debug, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Front {
            title: String,
            #[serde(default)]
            count: u32,
            #[serde(default)]
            tags: Vec<String>,
        }
        let text = "title: [a]\ncount: many\ntags: a, b\n";
        let first = parse::<Front>(text).unwrap_err();
        let (front, more) = recover::<Front>(text, &first, &[("title", "stand-in")]);
        let front = front.expect("what is left parses");
        assert_eq!(
            (front.title.as_str(), front.count, front.tags.len()),
            ("stand-in", 0, 0)
        );
        let lines: Vec<Option<usize>> = more.iter().map(|e| e.position.map(|p| p.line)).collect();
        assert_eq!(lines, [Some(2), Some(3)], "{more:?}");
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Doc {
        #[allow(dead_code)]
        title: String,
    }

    #[test]
    fn escapes_that_make_control_characters_are_refused_where_they_are() {
        #[derive(Debug, serde::Deserialize)]
        struct Free {
            #[allow(dead_code)]
            a: serde_json::Value,
        }
        for (text, escape, line, column) in [
            ("a: \"nul\\0\"\n", "\\0", 1, 8),
            ("a:\n  - ok\n  - \"esc \\x1b\"\n", "\\x1b", 3, 10),
            ("a: {\"k\\u0007\": 1}\n", "\\u0007", 1, 7),
            ("a: \"\\\\ then \\N\"\n", "\\N", 1, 13),
        ] {
            let e = parse::<Free>(text).unwrap_err();
            assert!(e.message.starts_with(CONTROL_ESCAPE), "{text:?}: {e:?}");
            assert!(e.message.contains(&format!("with '{escape}'")), "{text:?}: {e:?}");
            assert_eq!(e.position, Some(Position { line, column }), "{text:?}");
        }
        for text in [
            "a: C:\\0files\\f\n",
            "a: 'C:\\0files\\x1b'\n",
            "a: \"C:\\\\0files, tab\\t, line\\n, nbsp\\_\"\n",
        ] {
            assert!(parse::<Free>(text).is_ok(), "{text:?}");
        }
    }

    #[test]
    fn errors_carry_a_position_without_the_suffix() {
        let err = parse::<Doc>("title: x\ntagz: [a]\n").unwrap_err();
        assert!(err.message.starts_with("unknown field 'tagz'"), "{}", err.message);
        assert!(!err.message.contains("at line"));
        assert_eq!(err.position.unwrap().line, 2);
    }

    #[test]
    fn an_unquoted_colon_gets_a_hint() {
        let err = parse::<Doc>("title: JEDI: what happened\n").unwrap_err();
        assert!(hint(&err.message, "").unwrap().contains("quoted"));
    }

    #[test]
    fn a_colon_inside_typographic_quotes_gets_told_to_use_straight_ones() {
        let line = "title: “Acme: the Fray”";
        let err = parse::<Doc>(line).unwrap_err();
        let hint = hint(&err.message, line).unwrap();
        assert!(!hint.contains("must be quoted"), "{hint}");
        assert!(hint.contains("use straight quotes"), "{hint}");
        assert!(hint.ends_with("e.g. title: \"Acme: the Fray\""), "{hint}");
        let hint = colon_hint("  - { name: ‘CNBC: live’, url: x }");
        assert!(hint.ends_with("e.g. - { name: \"CNBC: live\", url: x }"), "{hint}");
        let hint = colon_hint("title: «Le \"Monde\": x»");
        assert!(hint.ends_with("straight quotes \"…\""), "{hint}");
        let hint = colon_hint("title: Acme’s chief: a profile");
        assert!(hint.contains("must be quoted"), "an apostrophe is no quoting: {hint}");
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct WithExtra {
        #[allow(dead_code)]
        title: String,
        #[serde(default, deserialize_with = "unique_keys")]
        extra: serde_json::Map<String, serde_json::Value>,
    }

    fn error_at(text: &str) -> (String, (usize, usize)) {
        let err = parse::<WithExtra>(text).unwrap_err();
        let p = err.position.expect("a position");
        (err.message, (p.line, p.column))
    }

    #[test]
    fn a_repeated_field_is_an_error_at_the_repetition() {
        let (message, at) = error_at("title: a\nextra: {}\ntitle: b\n");
        assert_eq!((message.as_str(), at), ("duplicate field 'title'", (3, 1)));
    }

    #[test]
    fn repeated_keys_in_free_form_data_are_errors() {
        let (message, at) = error_at("title: a\nextra:\n  desk: cloud\n  desk: defense\n");
        assert_eq!((message.as_str(), at), ("extra: duplicate field 'desk'", (4, 3)));
        let (message, at) = error_at("title: a\nextra: {x: [{k: 1, j: 2, \"k\": 3}]}\n");
        assert!(message.ends_with("duplicate field 'k'"), "{message}");
        assert_eq!(at, (2, 26));
        assert!(parse::<WithExtra>("title: a\nextra: {a: {k: 1}, b: {k: 1}, c: [k, k]}\n").is_ok());
    }

    #[test]
    fn free_form_data_reads_as_serde_json_reads_it() {
        let yaml = "title: a\nextra:\n  n: ~\n  b: true\n  i: -3\n  u: 18446744073709551615\n  f: 1.5\n  nan: .nan\n  s: text\n  l: [1, {x: y}]\n  1: one\n  empty:\n";
        #[derive(serde::Deserialize)]
        struct Plain {
            extra: serde_json::Map<String, serde_json::Value>,
        }
        let ours = parse::<WithExtra>(yaml).unwrap().extra;
        let plain: Plain = serde_yaml::from_str(&yaml.replace("title: a\n", "")).unwrap();
        assert_eq!(ours, plain.extra);
        assert_eq!(ours.len(), 10);
        assert!(parse::<WithExtra>("title: a\nextra:\n").unwrap().extra.is_empty());
        let err = parse::<WithExtra>("title: a\nextra: text\n").unwrap_err();
        assert!(err.message.contains("expected a map"), "{}", err.message);
    }

    #[test]
    fn other_errors_are_left_to_the_parse() {
        let err = parse::<WithExtra>("title: a\ntitle: b\nnope: 1\n").unwrap_err();
        assert_eq!(err.message, "duplicate field 'title'");
        let err = parse::<WithExtra>("title: a\nnope: 1\nnope: 2\n").unwrap_err();
        assert!(err.message.starts_with("unknown field 'nope'"), "{}", err.message);
    }

    fn nesting_error(text: &str) -> Option<(usize, usize)> {
        check_nesting(text).err().map(|e| {
            assert!(e.message.starts_with("recursion limit exceeded"), "{}", e.message);
            let p = e.position.expect("a position");
            (p.line, p.column)
        })
    }

    #[test]
    fn deep_flow_nesting_is_refused_at_the_bracket_too_many() {
        let deep = format!(
            "title: x\nextra: {{a: {}{}}}\n",
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        assert_eq!(nesting_error(&deep), Some((2, 11 + MAX_DEPTH)));
        let mappings = format!("title: x\nextra:\r  {}1{}\n", "{a: ".repeat(200), "}".repeat(200));
        assert_eq!(
            nesting_error(&mappings),
            Some((3, 3 + 4 * MAX_DEPTH)),
            "a lone CR ends a line"
        );
        let wide = format!("extra: {{é: {}", "[".repeat(MAX_DEPTH));
        assert_eq!(
            nesting_error(&wide),
            Some((1, 11 + MAX_DEPTH)),
            "columns count characters"
        );
        let split = format!("extra: {}\n{}\n", "[".repeat(MAX_DEPTH), "[".repeat(5));
        assert_eq!(nesting_error(&split), Some((2, 1)));
        assert!(
            parse::<WithExtra>(&deep)
                .unwrap_err()
                .message
                .starts_with("recursion limit exceeded")
        );
    }

    #[test]
    fn brackets_that_do_not_nest_are_not_counted() {
        let many = "[".repeat(MAX_DEPTH + 1);
        for text in [
            format!("title: a {many}\n"),
            format!("title: '{many}'\n"),
            format!("title: \"{many}\\\"\"\n"),
            format!("title: 'it''s {many}'\n"),
            format!("title: x # {many}\n"),
            format!("title: |\n  {many}\n\n  {many}\nextra: {{}}\n"),
            format!("title: >-\n  {many}\n"),
            format!("title: x\nextra: {{a: \"{many}\", b: '{many}'}}\n"),
        ] {
            assert_eq!(nesting_error(&text), None, "{text}");
        }
        let nested = format!("extra: !tag &anchor {}", "[".repeat(MAX_DEPTH + 1));
        assert!(nesting_error(&nested).is_some());
        let after_block_scalar = format!("title: |\n  text\nextra: {}\n", "[".repeat(MAX_DEPTH + 1));
        assert!(nesting_error(&after_block_scalar).is_some());
    }

    #[test]
    fn the_depth_hint_names_the_limit() {
        let hint = hint("recursion limit exceeded", "").unwrap();
        assert!(hint.contains(&MAX_DEPTH.to_string()), "{hint}");
    }

    #[test]
    fn empty_text_is_an_empty_mapping() {
        assert!(parse::<Doc>("").unwrap_err().message.contains("missing field 'title'"));
    }
}
