//! Words as search sees them, the same in the build and in the reader's
//! browser (docs/search.md, "Words"): diacritics folded, lowercased, and
//! split into runs of letters and digits. The theme's script does the same
//! in JavaScript, so any change here is a change of the index format.

use std::borrow::Cow;

use rustc_hash::FxHashMap;
use unicode_normalization::char::{decompose_canonical, is_combining_mark};

/// `text` folded: Unicode NFD without combining marks, lowercased.
/// ASCII text skips the normalisation; in other text only the characters
/// outside ASCII are decomposed, and each is lowercased on its own, which
/// is the same as lowercasing the whole text except for a final sigma.
pub fn fold(text: &str) -> Cow<'_, str> {
    if text.is_ascii() {
        return if text.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(text.to_ascii_lowercase())
        } else {
            Cow::Borrowed(text)
        };
    }
    let mut folded = String::with_capacity(text.len());
    let mut sigma = false;
    let mut rest = text;
    while !rest.is_empty() {
        // ASCII runs are copied whole and lowercased with the rest below.
        let ascii = rest.bytes().position(|b| !b.is_ascii()).unwrap_or(rest.len());
        folded.push_str(&rest[..ascii]);
        rest = &rest[ascii..];
        let mut chars = rest.chars();
        if let Some(c) = chars.next() {
            decompose_canonical(c, |d| {
                if !is_combining_mark(d) {
                    sigma |= d == 'Σ';
                    folded.extend(d.to_lowercase());
                }
            });
            rest = chars.as_str();
        }
    }
    folded.make_ascii_lowercase();
    if sigma {
        // Lowercasing the whole text, as JavaScript does, gives a final
        // sigma its own form.
        let mut stripped = String::with_capacity(text.len());
        for c in text.chars() {
            decompose_canonical(c, |d| {
                if !is_combining_mark(d) {
                    stripped.push(d);
                }
            });
        }
        folded = stripped.to_lowercase();
    }
    Cow::Owned(folded)
}

/// The words of folded text: maximal runs of alphabetic or numeric
/// characters (JavaScript's `[\p{Alphabetic}\p{N}]+`).
pub fn split(folded: &str) -> Words<'_> {
    Words { text: folded, at: 0 }
}

/// The words of a folded text, in order ([`split`]).
pub struct Words<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Iterator for Words<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let (text, bytes) = (self.text, self.text.as_bytes());
        // Whether the character at `i` is part of a word, and its length.
        let at = |i: usize| match CLASS[usize::from(bytes[i])] {
            SEPARATOR => (false, 1),
            WORD => (true, 1),
            _ => {
                let c = text[i..].chars().next().unwrap_or(' ');
                (c.is_alphanumeric(), c.len_utf8())
            }
        };
        let mut i = self.at;
        // Skip to a word's start.
        loop {
            while i < bytes.len() && CLASS[usize::from(bytes[i])] == SEPARATOR {
                i += 1;
            }
            if i >= bytes.len() {
                self.at = i;
                return None;
            }
            match at(i) {
                (true, _) => break,
                (false, len) => i += len,
            }
        }
        let start = i;
        loop {
            while i < bytes.len() && CLASS[usize::from(bytes[i])] == WORD {
                i += 1;
            }
            match (i < bytes.len()).then(|| at(i)) {
                Some((true, len)) => i += len,
                _ => break,
            }
        }
        self.at = i;
        Some(&text[start..i])
    }
}

/// What a byte of folded text is: part of a word, a separator, or the
/// start of a character outside ASCII, which decides for itself.
const SEPARATOR: u8 = 0;
const WORD: u8 = 1;
const OTHER: u8 = 2;
static CLASS: [u8; 256] = {
    let mut class = [OTHER; 256];
    let mut b = 0;
    while b < 128 {
        class[b] = if (b as u8).is_ascii_alphanumeric() {
            WORD
        } else {
            SEPARATOR
        };
        b += 1;
    }
    class
};

/// How often each word occurs in one text: what the Markdown stage keeps of
/// a body for the index, far smaller than the text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WordCounts {
    /// The distinct words, one after the other.
    words: Box<str>,
    /// Where each word ends in `words`, and how often it occurs.
    ends: Box<[(u32, u32)]>,
    /// How many words the text has in all.
    total: u32,
}

impl WordCounts {
    /// Counts the words of `text` (not yet folded).
    pub fn of(text: &str) -> WordCounts {
        let folded = fold(text);
        let mut counts: FxHashMap<&str, u32> = FxHashMap::default();
        let mut total = 0u32;
        for word in split(&folded) {
            *counts.entry(word).or_default() += 1;
            total = total.saturating_add(1);
        }
        // In the map's order: the index sorts what it gathers, so the order
        // here changes no output.
        let mut words = String::with_capacity(counts.keys().map(|w| w.len()).sum());
        let mut ends = Vec::with_capacity(counts.len());
        for (word, n) in counts {
            words.push_str(word);
            ends.push((u32::try_from(words.len()).unwrap_or(u32::MAX), n));
        }
        WordCounts {
            words: words.into_boxed_str(),
            ends: ends.into_boxed_slice(),
            total,
        }
    }

    /// Each distinct word with its count, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, u32)> {
        let mut start = 0;
        self.ends.iter().map(move |&(end, count)| {
            let word = self.words.get(start..end as usize).unwrap_or("");
            start = end as usize;
            (word, count)
        })
    }

    /// How many words the text has in all.
    pub fn total(&self) -> u32 {
        self.total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        split(&fold(text)).map(str::to_owned).collect()
    }

    #[test]
    fn diacritics_fold_and_case_lowers() {
        assert_eq!(words("Société Générale, ÉCOLE"), ["societe", "generale", "ecole"]);
        assert_eq!(words("Ångström Müller"), ["angstrom", "muller"]);
        // Precomposed and combining forms fold alike; Hangul decomposes.
        assert_eq!(fold("e\u{301}té É"), fold("été é"));
        assert_eq!(fold("ΟΔΟΣ"), "οδος");
        assert_eq!(fold("한"), "\u{1112}\u{1161}\u{11ab}");
    }

    #[test]
    fn words_are_runs_of_letters_and_digits() {
        assert_eq!(
            words("The $10B JEDI contract—AWS's protest."),
            ["the", "10b", "jedi", "contract", "aws", "s", "protest"]
        );
        assert_eq!(words("  "), Vec::<String>::new());
    }

    #[test]
    fn cjk_runs_are_whole_words() {
        assert_eq!(words("字节跳动 (ByteDance) 的"), ["字节跳动", "bytedance", "的"]);
    }

    #[test]
    fn counts_keep_each_word_once_with_its_count() {
        let counts = WordCounts::of("Cloud cloud CLOUD bid");
        let mut pairs: Vec<_> = counts.iter().collect();
        pairs.sort_unstable();
        assert_eq!(pairs, [("bid", 1), ("cloud", 3)]);
        assert_eq!(counts.total(), 4);
        assert_eq!(WordCounts::of("").iter().count(), 0);
    }
}
