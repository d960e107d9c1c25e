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
    /// The distinct words, one after the other, in order of first
    /// occurrence.
    words: Box<str>,
    /// Where each word ends in `words`, and how often it occurs.
    ends: Box<[(u32, u32)]>,
    /// How many words the text has in all.
    total: u32,
}

impl WordCounts {
    /// Counts the words of `text` (not yet folded).
    pub fn of(text: &str) -> WordCounts {
        Tally::with(|tally| {
            tally.count(text, 1);
            tally.counts()
        })
    }

    /// Each distinct word with its count, in order of first occurrence.
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

    /// How many distinct words the text has.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether the text has no words.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }
}

/// Words counted as they come, the scratch space behind [`WordCounts`]:
/// one per thread, cleared and reused, so counting a text allocates only
/// its result. Most words are short, and a word of up to 16 bytes is
/// looked up as one integer (its bytes; a word holds no zero byte), which
/// is what makes counting a body cheap next to parsing it.
#[derive(Default)]
pub struct Tally {
    /// The words' bytes, one after the other: only ever whole words, so
    /// UTF-8, checked once in [`Tally::counts`].
    words: Vec<u8>,
    ends: Vec<(u32, u32)>,
    short: ShortWords,
    long: FxHashMap<Box<str>, u32>,
    total: u32,
}

thread_local! {
    static TALLY: std::cell::RefCell<Tally> = std::cell::RefCell::default();
}

impl Tally {
    /// Runs `f` with this thread's tally, empty.
    pub fn with<R>(f: impl FnOnce(&mut Tally) -> R) -> R {
        TALLY.with(|cell| match cell.try_borrow_mut() {
            Ok(mut tally) => {
                tally.clear();
                f(&mut tally)
            }
            // Only a tally used inside `f` itself gets here.
            Err(_) => f(&mut Tally::default()),
        })
    }

    fn clear(&mut self) {
        self.words.clear();
        self.ends.clear();
        self.short.clear();
        self.long.clear();
        self.total = 0;
    }

    /// Counts every word of `text` (not yet folded) `weight` times;
    /// returns how many words it has.
    pub fn count(&mut self, text: &str, weight: u32) -> u32 {
        let mut seen = 0u32;
        if !text.is_ascii() && !only_separators_beyond_ascii(text) {
            let folded = fold(text);
            for word in split(&folded) {
                self.add(word, weight);
                seen = seen.saturating_add(1);
            }
            return seen;
        }
        // ASCII (and separators, whose bytes all read as separators here):
        // folding is lowercasing, done byte by byte on the way.
        let bytes = text.as_bytes();
        ascii_words(bytes, |start, end| {
            seen = seen.saturating_add(1);
            let len = end - start;
            if len <= 16 {
                // The word's bytes as one integer: read sixteen at once
                // where the text has them, and cut to the word.
                let packed = match bytes.get(start..start + 16) {
                    Some(block) => {
                        let block = u128::from_le_bytes(block.try_into().unwrap_or([0; 16]));
                        match len {
                            16 => block,
                            _ => block & ((1u128 << (8 * len)) - 1),
                        }
                    }
                    None => {
                        let mut packed = [0u8; 16];
                        packed[..len].copy_from_slice(&bytes[start..end]);
                        u128::from_le_bytes(packed)
                    }
                };
                self.add_short(ascii_lowercase(packed), len, weight);
            } else {
                self.add(&text[start..end].to_ascii_lowercase(), weight);
            }
        });
        seen
    }

    /// Counts one folded word `weight` times.
    pub fn add(&mut self, word: &str, weight: u32) {
        if let Some(key) = pack(word) {
            self.add_short(key, word.len(), weight);
        } else {
            self.total = self.total.saturating_add(weight);
            match self.long.get(word) {
                Some(&at) => self.bump(at, weight),
                None => {
                    let at = self.push(word.as_bytes(), weight);
                    self.long.insert(word.into(), at);
                }
            }
        }
    }

    /// Counts a word of up to 16 bytes, given as `key`, its bytes.
    fn add_short(&mut self, key: u128, len: usize, weight: u32) {
        self.total = self.total.saturating_add(weight);
        let next = self.ends.len() as u32;
        let at = self.short.find_or_insert(key, next);
        if at == next {
            let packed = key.to_le_bytes();
            // The bytes of a word, so UTF-8.
            self.push(&packed[..len], weight);
        } else {
            self.bump(at, weight);
        }
    }

    fn bump(&mut self, at: u32, weight: u32) {
        if let Some((_, count)) = self.ends.get_mut(at as usize) {
            *count = count.saturating_add(weight);
        }
    }

    fn push(&mut self, word: &[u8], weight: u32) -> u32 {
        self.words.extend_from_slice(word);
        self.ends
            .push((u32::try_from(self.words.len()).unwrap_or(u32::MAX), weight));
        u32::try_from(self.ends.len() - 1).unwrap_or(u32::MAX)
    }

    /// What was counted, as a [`WordCounts`].
    pub fn counts(&self) -> WordCounts {
        WordCounts {
            words: std::str::from_utf8(&self.words).unwrap_or_default().into(),
            ends: self.ends.as_slice().into(),
            total: self.total,
        }
    }
}

/// The short words of a [`Tally`], each with its number: an open-addressing
/// table (linear probing, at most half full) of packed words, because
/// counting a body is mostly looking up words it has already seen, and a
/// general hash map spends more on that than on the rest of counting.
#[derive(Default)]
struct ShortWords {
    /// Each slot: an index in `keys` plus one, or 0 when empty.
    slots: Vec<u32>,
    /// The packed words, each with its number in the tally.
    keys: Vec<(u128, u32)>,
}

impl ShortWords {
    fn clear(&mut self) {
        // A table grown for one long text is not cleared for every short
        // one after it.
        if self.slots.len() > 1 << 14 {
            self.slots = Vec::new();
        } else {
            self.slots.fill(0);
        }
        self.keys.clear();
    }

    /// The number of `key`, given `next` if it is new.
    fn find_or_insert(&mut self, key: u128, next: u32) -> u32 {
        if (self.keys.len() + 1) * 2 > self.slots.len() {
            self.grow();
        }
        let mask = self.slots.len() - 1;
        let mut at = Self::hash(key) & mask;
        loop {
            match self.slots[at] {
                0 => {
                    self.keys.push((key, next));
                    self.slots[at] = self.keys.len() as u32;
                    return next;
                }
                slot => match self.keys.get(slot as usize - 1) {
                    Some(&(k, number)) if k == key => return number,
                    _ => at = (at + 1) & mask,
                },
            }
        }
    }

    fn grow(&mut self) {
        let size = (self.slots.len() * 2).max(256);
        self.slots = vec![0; size];
        let mask = size - 1;
        for (i, &(key, _)) in self.keys.iter().enumerate() {
            let mut at = Self::hash(key) & mask;
            while self.slots[at] != 0 {
                at = (at + 1) & mask;
            }
            self.slots[at] = i as u32 + 1;
        }
    }

    fn hash(key: u128) -> usize {
        let folded = (key as u64) ^ ((key >> 64) as u64).rotate_left(29);
        (folded.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32) as usize
    }
}

/// A word of up to 16 bytes as one integer, its bytes (zero after them;
/// a word holds no zero byte, so no two words pack alike): what maps of
/// words hash and compare instead of the text.
pub fn pack(word: &str) -> Option<u128> {
    // Two loads that overlap in the middle instead of a copy of any
    // length: the overlapping bytes are the same either way.
    let bytes = word.as_bytes();
    let n = bytes.len();
    let u32_at = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap_or([0; 4]));
    let u64_at = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap_or([0; 8]));
    Some(match n {
        0..=3 => (bytes.iter().enumerate()).fold(0, |key, (i, &b)| key | u128::from(b) << (8 * i)),
        4..=7 => u128::from(u32_at(0)) | u128::from(u32_at(n - 4)) << (8 * (n - 4)),
        8..=16 => u128::from(u64_at(0)) | u128::from(u64_at(n - 8)) << (8 * (n - 8)),
        _ => return None,
    })
}

/// Calls `each` with the start and end of every run of ASCII letters and
/// digits in `bytes`, in order. Sixty-four bytes at a time become a mask
/// of which are word bytes; the words are where the mask changes, found
/// with a bit count rather than a branch at every byte.
fn ascii_words(bytes: &[u8], mut each: impl FnMut(usize, usize)) {
    let mut open: Option<usize> = None;
    let mut previous_last = 0u64;
    for (n, block) in bytes.chunks(64).enumerate() {
        let at = n * 64;
        let mask = match <&[u8; 64]>::try_from(block) {
            Ok(block) => word_mask(block),
            Err(_) => {
                let mut padded = [0u8; 64];
                padded[..block.len()].copy_from_slice(block);
                word_mask(&padded)
            }
        };
        let mut changes = mask ^ ((mask << 1) | previous_last);
        while changes != 0 {
            let k = changes.trailing_zeros() as usize;
            changes &= changes - 1;
            match open.take() {
                None => open = Some(at + k),
                Some(start) => each(start, at + k),
            }
        }
        previous_last = mask >> 63;
    }
    if let Some(start) = open {
        each(start, bytes.len());
    }
}

/// Which of 64 bytes are ASCII letters or digits, one bit each.
fn word_mask(block: &[u8; 64]) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = ONES * 0x80;
    let mut mask = 0u64;
    for (k, eight) in block.chunks_exact(8).enumerate() {
        let x = u64::from_le_bytes(eight.try_into().unwrap_or([0; 8]));
        let low = x & (ONES * 0x7f);
        // The high bit of each byte of `low` at least `c` (no byte carries:
        // at most 0x7f + 0x50).
        let at_least = |c: u8| low.wrapping_add(ONES * u64::from(0x80 - c)) & HIGH;
        let digit = at_least(b'0') & !at_least(b'9' + 1);
        let upper = at_least(b'A') & !at_least(b'Z' + 1);
        let lower = at_least(b'a') & !at_least(b'z' + 1);
        let word = (digit | upper | lower) & !x & HIGH;
        // The eight high bits gathered into one byte, byte 0 lowest.
        let bits = (word >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56;
        mask |= bits << (8 * k);
    }
    mask
}

/// Sixteen packed bytes of ASCII letters and digits (and zeros), each
/// letter lowercased, all at once: a byte from `A` to `Z` is one that
/// reaches the high bit when `0x80 - b'A'` is added, and not when
/// `0x80 - b'Z' - 1` is (no byte below 0x80 carries into the next).
fn ascii_lowercase(packed: u128) -> u128 {
    const fn lanes(byte: u8) -> u128 {
        u128::from_le_bytes([byte; 16])
    }
    let at_least_a = packed.wrapping_add(lanes(0x80 - b'A'));
    let beyond_z = packed.wrapping_add(lanes(0x80 - b'Z' - 1));
    let upper = at_least_a & !beyond_z & lanes(0x80);
    packed | (upper >> 2)
}

/// Whether every character of `text` outside ASCII is one that folding
/// leaves a separator: the General Punctuation block (typographic quotes,
/// dashes, ellipsis, spaces, which smart punctuation puts in most bodies)
/// and the no-break space. None of them decomposes into a letter or digit
/// or is a combining mark.
fn only_separators_beyond_ascii(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        // Eight bytes at a time through ASCII.
        if let Some(block) = bytes.get(i..i + 8) {
            let high = u64::from_le_bytes(block.try_into().unwrap_or([0; 8])) & 0x8080_8080_8080_8080;
            if high == 0 {
                i += 8;
                continue;
            }
            i += (high.trailing_zeros() / 8) as usize;
        } else if bytes[i].is_ascii() {
            i += 1;
            continue;
        }
        // A character starts here: only whole ones were passed.
        match text.get(i..).and_then(|rest| rest.chars().next()) {
            Some(c @ ('\u{2000}'..='\u{206f}' | '\u{a0}')) => i += c.len_utf8(),
            _ => return false,
        }
    }
    true
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

    /// The characters the fast path reads as separators are separators
    /// once folded, every one.
    #[test]
    fn general_punctuation_folds_to_separators() {
        for c in ('\u{2000}'..='\u{206f}').chain(['\u{a0}']) {
            let text = format!("a{c}b");
            assert_eq!(words(&text), ["a", "b"], "U+{:04X}", c as u32);
            assert!(only_separators_beyond_ascii(&text));
            assert!(only_separators_beyond_ascii(&format!(
                "{text} and more{c}than eight bytes"
            )));
        }
        assert!(!only_separators_beyond_ascii("caf\u{e9}"));
        assert!(!only_separators_beyond_ascii("long enough \u{2019} then caf\u{e9}"));
    }

    #[test]
    fn a_packed_word_is_its_bytes() {
        let word = "abcdefghijklmnopq";
        for n in 0..=16 {
            let mut bytes = [0u8; 16];
            bytes[..n].copy_from_slice(&word.as_bytes()[..n]);
            assert_eq!(pack(&word[..n]), Some(u128::from_le_bytes(bytes)), "{n}");
        }
        assert_eq!(pack(word), None);
    }

    #[test]
    fn word_runs_are_found_across_blocks() {
        let mut all = Vec::new();
        for len in [0, 1, 5, 63, 64, 65, 127, 128, 129, 200] {
            for fill in [b"ab9_ \x80Z-".as_slice(), b"word ", b"x", b" "] {
                let text: Vec<u8> = fill.iter().copied().cycle().take(len).collect();
                let mut ours = Vec::new();
                ascii_words(&text, |s, e| ours.push((s, e)));
                let mut theirs = Vec::new();
                let mut i = 0;
                while i < text.len() {
                    if text[i].is_ascii_alphanumeric() {
                        let start = i;
                        while i < text.len() && text[i].is_ascii_alphanumeric() {
                            i += 1;
                        }
                        theirs.push((start, i));
                    } else {
                        i += 1;
                    }
                }
                assert_eq!(ours, theirs, "{:?}", String::from_utf8_lossy(&text));
                all.push(ours.len());
            }
        }
        assert!(all.iter().any(|&n| n > 10));
        for b in 0..=255u8 {
            let mut block = [b' '; 64];
            block[7] = b;
            assert_eq!(word_mask(&block) == 1 << 7, b.is_ascii_alphanumeric(), "{b}");
        }
    }

    #[test]
    fn packed_lowercasing_is_ascii_lowercasing() {
        let all: Vec<u8> = (b'0'..=b'9').chain(b'A'..=b'Z').chain(b'a'..=b'z').collect();
        for chunk in all.chunks(16).chain([&b"Zz0Aa9"[..], b""]) {
            let mut packed = [0u8; 16];
            packed[..chunk.len()].copy_from_slice(chunk);
            let mut expected = packed;
            expected.make_ascii_lowercase();
            assert_eq!(ascii_lowercase(u128::from_le_bytes(packed)).to_le_bytes(), expected);
        }
    }

    #[test]
    fn the_short_word_table_grows_and_clears() {
        let text: String = (0..5000).map(|i| format!("w{i} w{i} ")).collect();
        let counts = WordCounts::of(&text);
        assert_eq!((counts.len(), counts.total()), (5000, 10_000));
        assert!(counts.iter().all(|(_, n)| n == 2));
        assert_eq!(
            WordCounts::of("w1 w2 w1").iter().collect::<Vec<_>>(),
            [("w1", 2), ("w2", 1)]
        );
    }

    /// The fast ASCII path and the general one count the same words.
    #[test]
    fn ascii_and_folded_paths_agree() {
        let long = "Supercalifragilisticexpialidocious";
        for text in [
            "JEDI jedi Jedi: the $10B bid, 10b",
            "\u{201c}AWS\u{2019}s protest\u{201d}\u{2014}Microsoft\u{a0}Corp\u{2026}",
            &format!(
                "{long} {} sixteen-letters abcdefghijklmnop abcdefghijklmnopq",
                long.to_uppercase()
            ),
        ] {
            let fast = WordCounts::of(text);
            let mut slow: FxHashMap<String, u32> = FxHashMap::default();
            for word in split(&fold(text)) {
                *slow.entry(word.to_owned()).or_default() += 1;
            }
            let mut fast_pairs: Vec<(String, u32)> = fast.iter().map(|(w, n)| (w.to_owned(), n)).collect();
            let mut slow_pairs: Vec<(String, u32)> = slow.into_iter().collect();
            fast_pairs.sort();
            slow_pairs.sort();
            assert_eq!(fast_pairs, slow_pairs, "{text}");
        }
        // A word met on both paths is one entry.
        let mixed = Tally::with(|t| {
            t.count("Cafe", 1);
            t.count("café CAFE", 2);
            t.counts()
        });
        let pairs: Vec<_> = mixed.iter().collect();
        assert_eq!(pairs, [("cafe", 5)]);
        assert_eq!(mixed.total(), 5);
    }
}
