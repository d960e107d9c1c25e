//! Splitting a content file into its YAML front matter and Markdown body.
//!
//! Done by hand so both parts keep their line offset in the file: every
//! error in front matter or body is reported at its line in the whole file.
//! Lines end at `\n`, `\r\n` or a lone `\r` ([`lines_with_endings`]), as the
//! YAML library and pulldown-cmark count them.

use crate::diag::lines_with_endings;

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
    fn locates_list_values_in_order() {
        let yaml = "title: AWS\ncompanies: [AWS, Microsoft, AWS]\ntags: [AWS]\n";
        let at = locate_values(yaml, "companies", &["AWS", "Microsoft", "AWS", "Nope"]);
        assert_eq!(at, vec![23, 28, 39, 11]);
    }
}
