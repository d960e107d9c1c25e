//! Splitting a content file into its YAML front matter and Markdown body.
//!
//! Done by hand so both parts keep their line offset in the file: every
//! error in front matter or body is reported at its line in the whole file.
//! Lines end at `\n`, `\r\n` or a lone `\r` ([`lines_with_endings`]), as the
//! YAML library and pulldown-cmark count them.

use crate::diag::{lines_with_endings, trim_line_ending};

/// A content file cut in two, with the line each part starts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split<'a> {
    /// The YAML between the `---` lines.
    pub yaml: &'a str,
    /// The file line (1-based) of the YAML's first line.
    pub yaml_line: usize,
    /// Byte offset of the YAML in the text.
    pub yaml_offset: usize,
    /// The Markdown after the closing `---`.
    pub body: &'a str,
    /// The file line (1-based) of the body's first line.
    pub body_line: usize,
    /// Byte offset of the body in the text.
    pub body_offset: usize,
}

/// Why a file has no usable front matter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SplitError {
    /// The file does not start with `---`.
    Missing,
    /// The opening `---` has no closing `---`.
    Unclosed,
}

/// Removes a UTF-8 byte order mark.
pub fn strip_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

/// Splits `text` (BOM already removed) at its `---` lines; accepts CRLF and lone CR.
pub fn split(text: &str) -> Result<Split<'_>, SplitError> {
    let mut lines = lines_with_endings(text);
    let first = lines.next().ok_or(SplitError::Missing)?;
    if first.trim_end() != "---" {
        return Err(SplitError::Missing);
    }
    let yaml_offset = first.len();
    let mut offset = yaml_offset;
    for (line, l) in (2..).zip(lines) {
        if l.trim_end() == "---" {
            let body_offset = offset + l.len();
            return Ok(Split {
                yaml: &text[yaml_offset..offset],
                yaml_line: 2,
                yaml_offset,
                body: &text[body_offset..],
                body_line: line + 1,
                body_offset,
            });
        }
        offset += l.len();
    }
    Err(SplitError::Unclosed)
}

/// Finds where the values of a top-level `key:` sit in YAML text, in order,
/// so an unknown reference can be pointed at exactly.
///
/// Returns byte offsets into `yaml`, one per value in `values` found after
/// the key (searching forward from the previous match); missing ones fall
/// back to the key itself.
pub fn locate_values(yaml: &str, key: &str, values: &[&str]) -> Vec<usize> {
    let Some(key_at) = key_offset(yaml, key) else {
        return vec![0; values.len()];
    };
    let end = next_key_offset(yaml, key_at).unwrap_or(yaml.len());
    let mut from = key_at + key.len() + 1;
    values
        .iter()
        .map(|v| match yaml[from..end].find(v) {
            Some(i) if !v.is_empty() => {
                from += i + v.len();
                from - v.len()
            }
            _ => key_at,
        })
        .collect()
}

/// Byte offset of a top-level `key:` line in YAML text.
pub fn key_offset(yaml: &str, key: &str) -> Option<usize> {
    let mut offset = 0;
    for line in lines_with_endings(yaml) {
        if let Some(rest) = line.strip_prefix(key)
            && rest.trim_start().starts_with(':')
        {
            return Some(offset);
        }
        offset += line.len();
    }
    None
}

/// What to point at for the value of a top-level `key:`, as a byte offset
/// and a width in characters: the value on the key's line (a quoted value
/// with its quotes, a plain one up to a comment), or the key itself when
/// nothing follows it. `None` when the key is not there.
pub fn value_span(yaml: &str, key: &str) -> Option<(usize, usize)> {
    let at = key_offset(yaml, key)?;
    Some(span_after_key(yaml, at, key, false))
}

/// What to point at for the value of `key:` in each entry of the top-level
/// list `list:` (the `name` of each `sources:` entry), in order: spans as
/// in [`value_span`]. Entries may be block mappings (`- name: x`) or flow
/// ones (`- { name: x }`); a `key:` counts where a key can start (after
/// the indentation, `- `, `{` or `,`).
pub fn item_value_spans(yaml: &str, list: &str, key: &str) -> Vec<(usize, usize)> {
    let Some(list_at) = key_offset(yaml, list) else {
        return Vec::new();
    };
    let end = next_key_offset(yaml, list_at).unwrap_or(yaml.len());
    let mut spans = Vec::new();
    let mut offset = list_at;
    for line in lines_with_endings(&yaml[list_at..end]) {
        let content = trim_line_ending(line);
        let start = if offset == list_at { list.len() + 1 } else { 0 };
        for (i, _) in content.match_indices(key).filter(|&(i, _)| i >= start) {
            let before = content[..i].trim_end();
            let key_starts = before.is_empty() || before.ends_with(['-', '{', ',']);
            if key_starts && content[i + key.len()..].trim_start().starts_with(':') {
                let flow = before.contains('{');
                spans.push(span_after_key(yaml, offset + i, key, flow));
            }
        }
        offset += line.len();
    }
    spans
}

/// The span of the value after the `key:` at byte `key_at`; see [`value_span`].
fn span_after_key(yaml: &str, key_at: usize, key: &str, flow: bool) -> (usize, usize) {
    let line = lines_with_endings(&yaml[key_at..]).next().map_or("", trim_line_ending);
    let colon = line[key.len()..].find(':').map_or(line.len(), |c| key.len() + c + 1);
    let after = &line[colon..];
    let value = after.trim_start();
    let text = value_text(value, flow);
    if text.is_empty() {
        (key_at, key.chars().count())
    } else {
        (key_at + colon + (after.len() - value.len()), text.chars().count())
    }
}

/// The value at the start of `rest`: a quoted one with its quotes, a plain
/// one up to a comment (and in a flow collection up to `,`, `}` or `]`).
fn value_text(rest: &str, flow: bool) -> &str {
    match rest.as_bytes().first() {
        Some(&quote @ (b'"' | b'\'')) => {
            // `\x` escapes in double quotes, `''` in single quotes.
            let bytes = rest.as_bytes();
            let mut i = 1;
            while i < bytes.len() {
                match bytes[i] {
                    b'\\' if quote == b'"' => i += 1,
                    b if b == quote && quote == b'\'' && bytes.get(i + 1) == Some(&quote) => i += 1,
                    b if b == quote => return &rest[..=i],
                    _ => {}
                }
                i += 1;
            }
            rest
        }
        _ => {
            let mut end = rest.find(" #").unwrap_or(rest.len());
            if flow {
                end = rest[..end].find([',', '}', ']']).unwrap_or(end);
            }
            rest[..end].trim_end()
        }
    }
}

fn next_key_offset(yaml: &str, after: usize) -> Option<usize> {
    let mut offset = after;
    let mut lines = lines_with_endings(&yaml[after..]);
    offset += lines.next()?.len();
    for line in lines {
        let starts_key = line.starts_with(|c: char| c.is_alphanumeric() || c == '_');
        if starts_key {
            return Some(offset);
        }
        offset += line.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_with_line_offsets() {
        let s = split("---\ntitle: x\ndate: 2020-01-01\n---\n\nBody\n").unwrap();
        assert_eq!(s.yaml, "title: x\ndate: 2020-01-01\n");
        assert_eq!(s.yaml_line, 2);
        assert_eq!(s.body, "\nBody\n");
        assert_eq!(s.body_line, 5);
    }

    #[test]
    fn accepts_crlf_and_bom() {
        let s = split(strip_bom("\u{feff}---\r\ntitle: x\r\n---\r\nBody")).unwrap();
        assert_eq!(s.yaml, "title: x\r\n");
        assert_eq!(s.body, "Body");
        assert_eq!(s.body_line, 4);
    }

    #[test]
    fn lone_carriage_returns_end_lines_too() {
        let s = split("---\rtitle: x\r\r---\rBody").unwrap();
        assert_eq!(s.yaml, "title: x\r\r");
        assert_eq!(s.body, "Body");
        assert_eq!(s.body_line, 5);
        let yaml = "title: x\rtags: [a]\rdate: 2020-01-01\r";
        assert_eq!(key_offset(yaml, "tags"), Some(9));
        assert_eq!(locate_values(yaml, "tags", &["a", "date"]), vec![16, 9]);
    }

    #[test]
    fn reports_missing_and_unclosed_blocks() {
        assert_eq!(split("title: x\n"), Err(SplitError::Missing));
        assert_eq!(split(""), Err(SplitError::Missing));
        assert_eq!(split("---\ntitle: x\n"), Err(SplitError::Unclosed));
    }

    #[test]
    fn an_empty_block_is_fine() {
        let s = split("---\n---\nBody").unwrap();
        assert_eq!(s.yaml, "");
        assert_eq!(s.body_line, 3);
    }

    #[test]
    fn value_spans_cover_the_value_or_else_the_key() {
        let yaml = "title:\nslug: \"\"  # none\nsummary:   a dek # note\nname: 'it''s'\n";
        assert_eq!(value_span(yaml, "title"), Some((0, 5)));
        assert_eq!(value_span(yaml, "slug"), Some((13, 2)));
        assert_eq!(value_span(yaml, "summary"), Some((35, 5)));
        assert_eq!(&yaml[35..40], "a dek");
        assert_eq!(value_span(yaml, "name"), Some((54, 7)));
        assert_eq!(value_span(yaml, "date"), None);
    }

    #[test]
    fn item_value_spans_find_each_entry() {
        let yaml = "title: name: x\nsources:\n  - name: \"\"\n    url: https://a/ # name: no\n  - { url: x, name: CNBC }\n  - {name: , url: y}\n  - url: z\n    name:\nname: z\n";
        let spans = item_value_spans(yaml, "sources", "name");
        let texts: Vec<&str> = spans.iter().map(|&(at, width)| &yaml[at..at + width]).collect();
        assert_eq!(texts, ["\"\"", "CNBC", "name", "name"]);
        assert!(item_value_spans(yaml, "corrections", "name").is_empty());
    }

    #[test]
    fn locates_list_values_in_order() {
        let yaml = "title: AWS\ncompanies: [AWS, Microsoft, AWS]\ntags: [AWS]\n";
        let at = locate_values(yaml, "companies", &["AWS", "Microsoft", "AWS", "Nope"]);
        assert_eq!(at, vec![23, 28, 39, 11]);
    }
}
