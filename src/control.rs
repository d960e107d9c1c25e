//! The control characters no page or feed may hold, and a fast search for
//! them: one rule for every stage that takes text in. A content file may not
//! hold one raw, a YAML escape may not make one, and the Markdown stage drops
//! those that character references make.
//!
//! Imports nothing from the crate, so any stage can use it.

/// Whether `c` is a character no page or feed may hold: a control
/// character other than a tab or a line break (C0, DEL and C1).
pub fn is_refused_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// The byte offset of the first character in `text` that
/// [`is_refused_control`]: C0 (below U+0020), DEL and C1 (U+0080–U+009F).
///
/// Scans bytes, not characters: C0 and DEL are single bytes, and every C1
/// character is 0xC2 then 0x80–0x9F in UTF-8, so almost every text is
/// cleared without decoding a character.
pub fn find_control(text: &str) -> Option<usize> {
    const CHUNK: usize = 32;
    let candidate = |b: &u8| (*b < 0x20 && !matches!(*b, b'\t' | b'\n' | b'\r')) || *b == 0x7f || *b == 0xc2;
    // A whole chunk is tested without an early exit, which the compiler turns
    // into vector instructions; only a chunk that may hold one is searched
    // byte by byte. This runs on every content file, and on the HTML of
    // every body that has a character reference.
    let any = |chunk: &[u8; CHUNK]| chunk.iter().fold(false, |any, b| any | candidate(b));
    let bytes = text.as_bytes();
    let chunks = bytes.chunks_exact(CHUNK);
    let tail = chunks.remainder();
    let mut from = match chunks
        .map(|c| <&[u8; CHUNK]>::try_from(c).is_ok_and(any))
        .position(|dirty| dirty)
    {
        Some(chunk) => chunk * CHUNK,
        None => {
            // The rest (all of a short text) is tested as a chunk too,
            // padded with spaces.
            let mut padded = [b' '; CHUNK];
            padded[..tail.len()].copy_from_slice(tail);
            if !any(&padded) {
                return None;
            }
            bytes.len() - tail.len()
        }
    };
    while let Some(found) = bytes[from..].iter().position(candidate) {
        let at = from + found;
        if bytes[at] != 0xc2 || bytes.get(at + 1).is_some_and(|b| (0x80..=0x9f).contains(b)) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_found_by_their_bytes() {
        for text in ["plain", "tab\tand\r\nlines", "é © — ÿ \u{a0}", "\u{c2}\u{a9}"] {
            assert_eq!(find_control(text), None, "{text:?}");
        }
        for (text, at) in [
            ("a\0b", 1),
            ("é\u{1b}", 2),
            ("x\u{7f}", 1),
            ("©\u{85}", 2),
            ("\u{9f}", 0),
        ] {
            assert_eq!(find_control(text), Some(at), "{text:?}");
            let by_char = text.find(|c: char| c.is_control() && !matches!(c, '\t' | '\n' | '\r'));
            assert_eq!(by_char, Some(at), "{text:?}");
        }
        // Long texts are scanned in chunks: a control character must be
        // found wherever it falls, and a C1 lead byte at a chunk's end too.
        for len in 0..100 {
            let pad = "é".repeat(len / 2) + &"a".repeat(len % 2);
            assert_eq!(find_control(&format!("{pad}{}", "z".repeat(70))), None);
            for control in ["\0", "\u{7f}", "\u{85}"] {
                let text = format!("{pad}{control}{}", "z".repeat(70));
                assert_eq!(find_control(&text), Some(pad.len()), "{text:?}");
                // Short texts and the tail after the last whole chunk.
                let text = format!("{pad}{control}");
                assert_eq!(find_control(&text), Some(pad.len()), "{text:?}");
            }
            assert_eq!(find_control(&format!("{pad}©")), None);
        }
    }
}
