//! The fast path: the block YAML most front matter is written in, read
//! without libyaml.
//!
//! It reads a top-level mapping of simple keys whose values are scalars
//! (plain, `"double"` without escapes, `'single'`), one-line flow lists of
//! scalars, `[]`, `{}`, and block lists of scalars or of flat mappings
//! (`sources:`). Its scalars mean what serde_yaml_ng makes of them: any
//! scalar reads as text, a plain `null`, `~` or nothing as a missing
//! option, plain `true`/`false` as booleans, plain decimal digits as
//! integers. Anything else — other syntax, other types, free-form `extra:`
//! data, any error — is `None`, and the caller hands the text to
//! serde_yaml_ng, which reads all of YAML and words every error; so this
//! path can change how fast a file is read, never what it means. The
//! property test below holds it to that.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeOwned, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor};

/// Reads `text` into `T`, or `None` if it is outside the subset or does not
/// fit `T` (the full parser then decides).
pub(super) fn parse<T: DeserializeOwned>(text: &str) -> Option<T> {
    // One character at a time, each search is vectorized; a search for the
    // set of three decodes every character.
    if text.contains('\t') || text.contains('\u{2028}') || text.contains('\u{2029}') {
        return None;
    }
    let entries = Lines::new(text)?.document()?;
    T::deserialize(Node::Map(entries)).ok()
}

/// A value of the subset.
#[derive(Debug)]
enum Node<'a> {
    Scalar(Scalar<'a>),
    Seq(Vec<Node<'a>>),
    Map(Vec<(&'a str, Node<'a>)>),
}

/// A scalar's text and whether it was plain (unquoted): only plain
/// scalars can mean null, a boolean or a number.
#[derive(Debug)]
struct Scalar<'a> {
    text: Cow<'a, str>,
    plain: bool,
}

/// The lines of the text, line endings removed.
struct Lines<'a> {
    lines: Vec<&'a str>,
    at: usize,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Option<Lines<'a>> {
        // Split with memchr, and look for a '\r' once, not on every line:
        // most front matter has none.
        let bytes = text.as_bytes();
        let crlf = memchr::memchr(b'\r', bytes).is_some();
        let mut lines = Vec::with_capacity(32);
        let mut start = 0;
        for end in memchr::memchr_iter(b'\n', bytes).chain([bytes.len()]) {
            let mut line = &text[start..end];
            if crlf {
                line = line.strip_suffix('\r').unwrap_or(line);
                if line.contains('\r') {
                    return None;
                }
            }
            lines.push(line);
            start = end + 1;
        }
        Some(Lines { lines, at: 0 })
    }

    /// The next line that is neither blank nor a comment, with its indentation.
    fn peek(&mut self) -> Option<(usize, &'a str)> {
        while let Some(line) = self.lines.get(self.at) {
            let content = line.trim_start_matches(' ');
            if content.is_empty() || content.starts_with('#') {
                self.at += 1;
                continue;
            }
            return Some((line.len() - content.len(), content));
        }
        None
    }

    /// The top-level mapping.
    fn document(mut self) -> Option<Vec<(&'a str, Node<'a>)>> {
        let mut entries = Vec::new();
        while let Some((indent, content)) = self.peek() {
            if indent != 0 {
                return None;
            }
            self.at += 1;
            let (key, rest) = key_value(content)?;
            let value = if rest.is_empty() {
                self.block_value()?
            } else {
                inline_value(rest)?
            };
            entries.push((key, value));
        }
        Some(entries)
    }

    /// What follows a key with nothing after its colon: a block list, or
    /// an empty plain scalar if the next line is another top-level key.
    fn block_value(&mut self) -> Option<Node<'a>> {
        match self.peek() {
            Some((indent, content)) if is_item(content) => self.block_list(indent),
            None | Some((0, _)) => Some(Node::Scalar(Scalar {
                text: Cow::Borrowed(""),
                plain: true,
            })),
            Some(_) => None,
        }
    }

    /// A block list whose dashes are at column `indent`.
    fn block_list(&mut self, indent: usize) -> Option<Node<'a>> {
        let mut items = Vec::new();
        while let Some((at, content)) = self.peek() {
            if at < indent || (at == indent && indent == 0 && !is_item(content)) {
                break;
            }
            if at != indent || !is_item(content) {
                return None;
            }
            self.at += 1;
            let item = content[1..].trim_start_matches(' ');
            if item.is_empty() {
                return None;
            }
            items.push(match key_value(item) {
                Some((key, rest)) => self.mapping_item(indent + content.len() - item.len(), key, rest)?,
                None => inline_value(item)?,
            });
        }
        Some(Node::Seq(items))
    }

    /// A list item that is a flat mapping: its first entry is on the dash's
    /// line, the others on lines indented to `column`.
    fn mapping_item(&mut self, column: usize, key: &'a str, rest: &'a str) -> Option<Node<'a>> {
        let mut entries = vec![(key, inline_value(rest)?)];
        while let Some((at, content)) = self.peek() {
            if at < column {
                break;
            }
            if at > column || is_item(content) {
                return None;
            }
            self.at += 1;
            let (key, rest) = key_value(content)?;
            entries.push((key, inline_value(rest)?));
        }
        Some(Node::Map(entries))
    }
}

/// Whether a line's content is a block list item (`- …` or a lone `-`).
fn is_item(content: &str) -> bool {
    content == "-" || content.starts_with("- ")
}

/// Splits `key: value` into the key and the trimmed value (empty if none).
/// Keys are letters, digits, `_` and `-`, starting with a letter or `_`.
fn key_value(content: &str) -> Option<(&str, &str)> {
    let end = content.find(':')?;
    let key = &content[..end];
    let mut chars = key.chars();
    let first = chars.next()?;
    if !(first.is_ascii_alphabetic() || first == '_')
        || !chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return None;
    }
    let rest = &content[end + 1..];
    if !(rest.is_empty() || rest.starts_with(' ')) {
        return None;
    }
    Some((key, rest.trim_matches(' ')))
}

/// A value on the key's line: a quoted or plain scalar, a flow list of
/// scalars, or `{}`.
fn inline_value(text: &str) -> Option<Node<'_>> {
    if text.is_empty() {
        return None;
    }
    if let Some(inner) = text.strip_prefix('[') {
        let (items, rest) = flow_list(inner)?;
        return rest.trim_start_matches(' ').is_empty().then_some(Node::Seq(items));
    }
    if let Some(inner) = text.strip_prefix('{') {
        return (inner.trim_matches(' ') == "}").then(|| Node::Map(Vec::new()));
    }
    if text.starts_with(['"', '\'']) {
        let (scalar, rest) = quoted(text)?;
        return rest.trim_start_matches(' ').is_empty().then_some(Node::Scalar(scalar));
    }
    plain(text, false).map(Node::Scalar)
}

/// The items of a flow list after its `[`, and the text after its `]`.
fn flow_list(mut text: &str) -> Option<(Vec<Node<'_>>, &str)> {
    let mut items = Vec::new();
    text = text.trim_start_matches(' ');
    if let Some(rest) = text.strip_prefix(']') {
        return Some((items, rest));
    }
    loop {
        let (scalar, rest) = if text.starts_with(['"', '\'']) {
            quoted(text)?
        } else {
            let end = memchr::memchr2(b',', b']', text.as_bytes())?;
            (plain(text[..end].trim_end_matches(' '), true)?, &text[end..])
        };
        items.push(Node::Scalar(scalar));
        let rest = rest.trim_start_matches(' ');
        if let Some(rest) = rest.strip_prefix(']') {
            return Some((items, rest));
        }
        text = rest.strip_prefix(',')?.trim_start_matches(' ');
    }
}

/// A quoted scalar at the start of `text` (closed on the same line) and
/// the text after it. Double-quoted scalars with escapes are left to the
/// full parser.
fn quoted(text: &str) -> Option<(Scalar<'_>, &str)> {
    let quote = text.chars().next()?;
    let body = &text[1..];
    if quote == '"' {
        let end = memchr::memchr2(b'"', b'\\', body.as_bytes())?;
        if body[end..].starts_with('\\') {
            return None;
        }
        return Some((
            Scalar {
                text: Cow::Borrowed(&body[..end]),
                plain: false,
            },
            &body[end + 1..],
        ));
    }
    let mut end = 0;
    loop {
        end += body[end..].find('\'')?;
        if body[end + 1..].starts_with('\'') {
            end += 2;
        } else {
            break;
        }
    }
    let raw = &body[..end];
    let text = if raw.contains("''") {
        Cow::Owned(raw.replace("''", "'"))
    } else {
        Cow::Borrowed(raw)
    };
    Some((Scalar { text, plain: false }, &body[end + 1..]))
}

/// A plain scalar that means the same to every YAML reader: it starts with
/// a letter, digit or one of a few harmless characters, has no `: ` or
/// ` #`, does not end in `:`, and in a flow list holds no `,[]{}:#`.
fn plain(text: &str, in_flow: bool) -> Option<Scalar<'_>> {
    let first = text.chars().next()?;
    if !(first.is_alphanumeric() || matches!(first, '$' | '(' | '/' | '.' | '_' | '+' | '~')) {
        return None;
    }
    if text.contains(": ") || text.contains(" #") || text.ends_with(':') {
        return None;
    }
    if in_flow
        && text
            .bytes()
            .any(|b| matches!(b, b',' | b'[' | b']' | b'{' | b'}' | b':' | b'#'))
    {
        return None;
    }
    Some(Scalar {
        text: Cow::Borrowed(text),
        plain: true,
    })
}

/// Any reason to leave the text to the full parser.
#[derive(Debug)]
struct Bail;

impl fmt::Display for Bail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not in the simple subset")
    }
}

impl std::error::Error for Bail {}

impl de::Error for Bail {
    fn custom<T: fmt::Display>(_: T) -> Bail {
        Bail
    }
}

impl<'de> Node<'de> {
    fn scalar(self) -> Result<Scalar<'de>, Bail> {
        match self {
            Node::Scalar(scalar) => Ok(scalar),
            _ => Err(Bail),
        }
    }

    /// A plain scalar of decimal digits, as serde_yaml_ng reads integers.
    fn unsigned(self) -> Result<u64, Bail> {
        let scalar = self.scalar()?;
        let digits = scalar.text.as_ref();
        let decimal = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
        if !scalar.plain || !decimal || (digits.len() > 1 && digits.starts_with('0')) {
            return Err(Bail);
        }
        digits.parse().map_err(|_| Bail)
    }
}

macro_rules! integers {
    ($($method:ident)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Bail> {
            visitor.visit_u64(self.unsigned()?)
        }
    )*};
}

macro_rules! bail {
    ($($method:ident)*) => {$(
        fn $method<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Bail> {
            Err(Bail)
        }
    )*};
}

impl<'de> de::Deserializer<'de> for Node<'de> {
    type Error = Bail;

    integers!(deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64);
    bail!(deserialize_any deserialize_ignored_any deserialize_f32 deserialize_f64 deserialize_char
        deserialize_bytes deserialize_byte_buf deserialize_unit deserialize_u128 deserialize_i128);

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Bail> {
        let scalar = self.scalar()?;
        match (scalar.plain, scalar.text.as_ref()) {
            (true, "true" | "True" | "TRUE") => visitor.visit_bool(true),
            (true, "false" | "False" | "FALSE") => visitor.visit_bool(false),
            _ => Err(Bail),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Bail> {
        match self.scalar()?.text {
            Cow::Borrowed(text) => visitor.visit_borrowed_str(text),
            Cow::Owned(text) => visitor.visit_string(text),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Bail> {
        self.deserialize_str(visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Bail> {
        self.deserialize_str(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Bail> {
        match &self {
            Node::Scalar(Scalar { text, plain: true })
                if matches!(text.as_ref(), "" | "null" | "Null" | "NULL" | "~") =>
            {
                visitor.visit_none()
            }
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(self, _: &'static str, _: V) -> Result<V::Value, Bail> {
        Err(Bail)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _: &'static str, _: V) -> Result<V::Value, Bail> {
        Err(Bail)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Bail> {
        match self {
            Node::Seq(items) => {
                let mut access = Items(items.into_iter());
                let value = visitor.visit_seq(&mut access)?;
                // A visitor that stops early would leave items unread.
                access.0.next().map_or(Ok(value), |_| Err(Bail))
            }
            _ => Err(Bail),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _: usize, _: V) -> Result<V::Value, Bail> {
        Err(Bail)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(self, _: &'static str, _: usize, _: V) -> Result<V::Value, Bail> {
        Err(Bail)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Bail> {
        match self {
            Node::Map(entries) => {
                let mut access = Entries {
                    entries: entries.into_iter(),
                    value: None,
                };
                let value = visitor.visit_map(&mut access)?;
                access.entries.next().map_or(Ok(value), |_| Err(Bail))
            }
            _ => Err(Bail),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Bail> {
        self.deserialize_map(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Bail> {
        // Unit variants only, named by a scalar (`status: awarded`).
        let variant: String = self.scalar()?.text.into_owned();
        visitor.visit_enum(variant.into_deserializer())
    }
}

/// The items of a list, for serde.
struct Items<'de>(std::vec::IntoIter<Node<'de>>);

impl<'de> SeqAccess<'de> for Items<'de> {
    type Error = Bail;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, Bail> {
        self.0.next().map(|item| seed.deserialize(item)).transpose()
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

/// The entries of a mapping, for serde.
struct Entries<'de> {
    entries: std::vec::IntoIter<(&'de str, Node<'de>)>,
    value: Option<Node<'de>>,
}

impl<'de> MapAccess<'de> for Entries<'de> {
    type Error = Bail;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Bail> {
        let Some((key, value)) = self.entries.next() else {
            return Ok(None);
        };
        self.value = Some(value);
        let key = Node::Scalar(Scalar {
            text: Cow::Borrowed(key),
            plain: true,
        });
        seed.deserialize(key).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Bail> {
        seed.deserialize(self.value.take().ok_or(Bail)?)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::content::raw::{RawBrief, RawContract};

    /// The full parser's reading, for comparison.
    fn full<T: DeserializeOwned>(text: &str) -> Option<T> {
        serde_yaml::from_str(text).ok()
    }

    /// Asserts the fast path reads `text` and agrees with the full parser.
    fn agrees<T: DeserializeOwned + fmt::Debug>(text: &str) {
        let fast: T = parse(text).unwrap_or_else(|| panic!("the fast path left {text:?}"));
        assert_eq!(format!("{fast:?}"), format!("{:?}", full::<T>(text).unwrap()), "{text}");
    }

    #[test]
    fn the_front_matter_writers_use_is_read() {
        agrees::<RawBrief>(
            "title: \"Arclight agrees to buy Dunmore for $276M\"\ndate: 2022-04-08\nsummary: It's a deal.\n\
             tags:\n  - \"retail\"\n  - steel\ncompanies: [AWS, 'O''Brien Co', \"Google\"]\ncontracts: []\n\
             related:\n- a-story\n- another\n# a comment\n\nsources:\n  - name: \"Company filing\"\n    url: https://x.example/a\n\
             \x20 - name: Trade press\n    url: \"https://y.example/b\"\ndraft: false\nupdated:\nauthor: ~\r\n",
        );
        agrees::<RawBrief>(
            "title: t\ndate: 2020-08-18\naliases: [/2020/08/18/microsoft-foreign-cloud/, /old.html, '/caf%C3%A9/']\n",
        );
        agrees::<RawContract>("name: JEDI\naliases:\n  - JEDI Cloud\n  - /contracts/jedi-cloud/\nstatus: open\n");
        agrees::<RawContract>(
            "name: JEDI\naliases: [JEDI Cloud]\nstatus: cancelled\nawarded_to:\n  - Microsoft\nextra: {}\n",
        );
        agrees::<RawContract>(
            "name: JEDI\nstatus: cancelled\ntimeline:\n  - date: 2019-10-25\n    event: Awarded\n\
             \x20 - date: 2021-07-06\n    event: Cancelled\n    status: cancelled\n",
        );
    }

    #[test]
    fn everything_else_is_left_to_the_full_parser() {
        for text in [
            "title: a\ndate: 2020-01-01\nextra: {a: b}\n",
            "title: a\ndate: 2020-01-01\nextra:\n  a: b\n",
            "title: \"a\\tb\"\ndate: 2020-01-01\n",
            "title: a: b\ndate: 2020-01-01\n",
            "title: a # note\ndate: 2020-01-01\n",
            "title: &x a\ndate: 2020-01-01\n",
            "title: |\n  a\ndate: 2020-01-01\n",
            "title: a\n  b\ndate: 2020-01-01\n",
            "title: a\ndate: 2020-01-01\ndraft: yes\n",
            "title: a\ndate: 2020-01-01\ntags: x\n",
            "title: a\ndate: 2020-01-01\ntagz: [x]\n",
            "title: a\ntitle: b\ndate: 2020-01-01\n",
            "title: a\ndate: 2020-01-01\ntags:\n  - a\n - b\n",
            "title: a\ndate: 2020-01-01\nsources:\n  - name: n\n     url: u\n",
            "title: a\ndate: 2020-01-01\ntags: [a, [b]]\n",
            "title:\ta\ndate: 2020-01-01\n",
        ] {
            assert!(parse::<RawBrief>(text).is_none(), "{text:?}");
        }
    }

    /// Pieces of front matter lines, tricky ones included: the fast path
    /// must either leave a document alone or read it as serde_yaml_ng does.
    fn scalar() -> impl Strategy<Value = String> {
        prop::sample::select(vec![
            "plain words",
            "2022-04-08",
            "2020-08-18T23:30:00-04:00",
            "\"quoted: yes\"",
            "'it''s'",
            "''",
            "\"\"",
            "null",
            "~",
            "Null",
            "true",
            "False",
            "yes",
            "no",
            "0",
            "007",
            "42",
            "18446744073709551616",
            "-3",
            "1.5",
            ".nan",
            "0x1F",
            "+1",
            "a:b",
            "a: b",
            "C#",
            "a #b",
            "\"a\\\"b\"",
            "'a\"b'",
            "x'y",
            "[]",
            "{}",
            "[a, b]",
            "[ 'a,b' , \"c\" ]",
            "[a,]",
            "[a b, c:d]",
            "{a: b}",
            "&anchor x",
            "*alias",
            "!tag x",
            "%x",
            "@x",
            "`x`",
            "- x",
            "? x",
            "|",
            ">",
            "awarded",
            "Awarded",
            "\u{e9}t\u{e9}",
            "(note)",
            "$10B",
            "/path",
            "x:",
            "\"a\" b",
        ])
        .prop_map(str::to_owned)
    }

    fn line() -> impl Strategy<Value = String> {
        let key = prop::sample::select(vec![
            "title",
            "date",
            "updated",
            "slug",
            "summary",
            "author",
            "tags",
            "companies",
            "contracts",
            "related",
            "draft",
            "sources",
            "corrections",
            "name",
            "status",
            "aliases",
            "agency",
            "awarded_to",
            "extra",
            "x-y",
            "\"title\"",
            "Title",
        ]);
        let indent = prop::sample::select(vec!["", "", "", " ", "  ", "    "]);
        prop_oneof![
            (indent.clone(), key.clone(), scalar()).prop_map(|(i, k, v)| format!("{i}{k}: {v}")),
            (indent.clone(), key.clone()).prop_map(|(i, k)| format!("{i}{k}:")),
            (indent.clone(), scalar()).prop_map(|(i, v)| format!("{i}- {v}")),
            (indent.clone(), key, scalar()).prop_map(|(i, k, v)| format!("{i}- {k}: {v}")),
            Just("# comment".to_owned()),
            Just(String::new()),
            Just("-".to_owned()),
        ]
    }

    fn document() -> impl Strategy<Value = String> {
        let base = "title: t\ndate: 2021-01-01\n";
        prop::collection::vec(line(), 0..8).prop_map(move |lines| {
            let mut text = base.to_owned();
            for l in lines {
                text.push_str(&l);
                text.push('\n');
            }
            text
        })
    }

    /// Documents shaped like real front matter, with tricky scalars in
    /// every place a scalar can go, so most of them take the fast path.
    fn shaped() -> impl Strategy<Value = String> {
        let key = prop::sample::select(vec![
            "slug",
            "summary",
            "author",
            "updated",
            "tags",
            "companies",
            "related",
            "aliases",
            "draft",
            "sources",
            "corrections",
        ]);
        let value = prop_oneof![
            scalar().prop_map(|v| format!(" {v}\n")),
            prop::collection::vec(scalar(), 0..4).prop_map(|vs| format!(" [{}]\n", vs.join(", "))),
            (
                prop::sample::select(vec!["", "  ", "    "]),
                prop::collection::vec(scalar(), 1..4)
            )
                .prop_map(|(i, vs)| vs.iter().map(|v| format!("\n{i}- {v}")).collect::<String>() + "\n"),
            (
                prop::sample::select(vec!["", "  "]),
                prop::collection::vec((scalar(), scalar()), 1..3),
                prop::sample::select(vec![("name", "url"), ("date", "note"), ("name", "nmae")]),
            )
                .prop_map(|(i, items, (a, b))| {
                    let mut text = String::new();
                    for (x, y) in items {
                        text.push_str(&format!("\n{i}- {a}: {x}\n{i}  {b}: {y}"));
                    }
                    text + "\n"
                }),
        ];
        prop::collection::vec((key, value), 0..6).prop_map(|entries| {
            let mut text = "title: t\ndate: 2021-01-01\n".to_owned();
            for (k, v) in entries {
                text.push_str(k);
                text.push(':');
                text.push_str(&v);
            }
            text
        })
    }

    fn same<T: DeserializeOwned + fmt::Debug>(text: &str) -> Result<(), TestCaseError> {
        if let Some(fast) = parse::<T>(text) {
            let full = full::<T>(text);
            prop_assert!(full.is_some(), "fast read what the full parser refuses:\n{text}");
            prop_assert_eq!(format!("{fast:?}"), format!("{:?}", full.unwrap()), "{}", text);
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        #[test]
        fn the_fast_path_never_disagrees_with_serde_yaml(text in document()) {
            same::<RawBrief>(&text)?;
            same::<RawContract>(&text.replacen("title: t\ndate: 2021-01-01\n", "name: n\n", 1))?;
            same::<crate::content::raw::RawPage>(&text.replacen("date: 2021-01-01\n", "", 1))?;
        }

        #[test]
        fn front_matter_shapes_read_as_serde_yaml_reads_them(text in shaped()) {
            same::<RawBrief>(&text)?;
        }
    }
}
