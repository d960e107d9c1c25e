//! Building the index files of docs/search.md from documents: words
//! gathered on all cores, stemmed once per distinct word, scored with BM25,
//! then cut into shards small enough that a query fetches little.

use std::borrow::Cow;
use std::fmt::Write as _;

use rayon::prelude::*;
use xxhash_rust::xxh3::xxh3_128;

use super::invert::{Counts, Fields, Lengths, Postings, invert};
use super::words::fold;
use super::{Document, FilterKind, FilterValue, IndexFile};

/// The format's version, in the manifest.
const VERSION: u32 = 1;
/// Documents per metadata chunk: a page of 20 results reads up to 20
/// chunks, so a small one keeps a query's download small (at 64 a typical
/// two-word query read 430 KB of chunks for 20 results, at 16 about 110).
const CHUNK: usize = 16;
/// What the heading field (title and names) weighs against the text
/// field (summary and body) (docs/search.md, "Score").
const HEAD_WEIGHT: f64 = 3.0;
/// BM25's parameters, the same for both fields.
const K1: f64 = 1.2;
const B: f64 = 0.75;
/// Scores are stored as integers: BM25 times this, rounded.
const SCALE: f64 = 100.0;
/// The size a shard aims at, before compression.
const LEXICON_SHARD_BYTES: usize = 32 * 1024;
const POSTING_SHARD_BYTES: usize = 64 * 1024;
/// The most characters of a summary a result shows.
const SUMMARY_CHARS: usize = 200;

/// The index of `documents` (numbered in the order given) with `filters`,
/// for a site in `language`, all at once ([`build_into`]).
pub fn build(documents: &[Document<'_>], filters: &[FilterValue], language: &str) -> Vec<IndexFile> {
    let mut files = Vec::new();
    let _ = build_into(documents, filters, language, &mut |batch| {
        files.extend(batch);
        Ok::<(), std::convert::Infallible>(())
    });
    files
}

/// Posting shards made and handed on at a time: a large index's files are
/// never in memory all at once.
const POSTING_BATCH: usize = 64;

/// The index of `documents` (numbered in the order given) with `filters`,
/// for a site in `language`, handed to `emit` in batches as it is made,
/// the manifest `index.json` last; every file the same for the same input.
pub fn build_into<E>(
    documents: &[Document<'_>],
    filters: &[FilterValue],
    language: &str,
    emit: &mut dyn FnMut(Vec<IndexFile>) -> Result<(), E>,
) -> Result<(), E> {
    let fields: Vec<Fields> = documents.par_iter().map(Fields::of).collect();
    let postings = invert(documents, &fields, language);

    // The id names this exact index: the script asks for every file with
    // `?v=ID`, so a reader's cache never mixes two builds' files.
    let mut hashed = Vec::new();
    let mut send = |files: Vec<IndexFile>| {
        for file in &files {
            hashed.extend_from_slice(file.path.as_bytes());
            hashed.push(0);
            hashed.extend_from_slice(&xxh3_128(&file.bytes).to_le_bytes());
        }
        emit(files)
    };
    let lexicon_shards = shard_count(lexicon_bytes(&postings), LEXICON_SHARD_BYTES);
    let posting_shards = shard_count(posting_bytes(&postings), POSTING_SHARD_BYTES);
    send(lexicon_files(&postings, lexicon_shards))?;
    let bm25 = Bm25::new(&fields);
    let mut buckets: Vec<Vec<usize>> = vec![Vec::new(); posting_shards as usize];
    for (i, stem) in postings.stems.iter().enumerate() {
        buckets[(fnv1a(stem) % posting_shards) as usize].push(i);
    }
    for (n, batch) in buckets.chunks(POSTING_BATCH).enumerate() {
        send(posting_files(&postings, &bm25, batch, n * POSTING_BATCH))?;
    }
    drop(postings);
    send(document_files(documents))?;
    let mut files = Vec::new();
    let counts = filter_files(documents, filters, &mut files);
    send(files)?;

    let id = format!("{:016x}", xxh3_128(&hashed) as u64);
    let manifest = manifest(
        &id,
        language,
        documents.len(),
        (lexicon_shards, posting_shards),
        filters,
        &counts,
    );
    emit(vec![IndexFile {
        path: "index.json".to_owned(),
        bytes: manifest.into_bytes(),
    }])
}

/// What the lexicon files will weigh, about.
fn lexicon_bytes(postings: &Postings<'_>) -> usize {
    (postings.words.iter())
        .map(|&(word, stem)| word.len() + postings.stems[stem as usize].len() + 16)
        .sum()
}

/// What the posting files will weigh, about.
fn posting_bytes(postings: &Postings<'_>) -> usize {
    (postings.stems.iter().zip(&postings.df))
        .map(|(stem, &df)| stem.len() + 6 + df as usize * 9)
        .sum()
}

/// BM25F: each field's count normalised by the field's length against its
/// average, the heading weighted up, then saturated once.
struct Bm25 {
    documents: f64,
    /// Each document's `1 − b + b × length / average` of both fields.
    norms: Vec<(f64, f64)>,
}

impl Bm25 {
    fn new(fields: &[Fields]) -> Bm25 {
        let n = fields.len() as f64;
        let average = |field: fn(&Lengths) -> u32| {
            (fields.iter().map(|f| f64::from(field(&f.lengths))).sum::<f64>() / n.max(1.0)).max(1.0)
        };
        let (head_average, text_average) = (average(|l| l.head), average(|l| l.text));
        let norms = (fields.iter())
            .map(|f| {
                (
                    1.0 - B + B * f64::from(f.lengths.head) / head_average,
                    1.0 - B + B * f64::from(f.lengths.text) / text_average,
                )
            })
            .collect();
        Bm25 { documents: n, norms }
    }

    /// The inverse document frequency of a stem in `df` documents.
    fn idf(&self, df: usize) -> f64 {
        let df = df as f64;
        (1.0 + (self.documents - df + 0.5) / (df + 0.5)).ln()
    }

    /// The stored score of a posting in document `doc`, given its stem's
    /// `idf`.
    fn score(&self, idf: f64, counts: Counts, doc: usize) -> u32 {
        let (head_norm, text_norm) = self.norms[doc];
        let head = f64::from(counts.head) / head_norm;
        let text = f64::from(counts.text) / text_norm;
        let tf = HEAD_WEIGHT * head + text;
        let bm25 = idf * tf * (K1 + 1.0) / (tf + K1);
        ((bm25 * SCALE).round() as u32).max(1)
    }
}

/// Shards for `bytes` at about `target` each: a power of two, 1 to 4096.
fn shard_count(bytes: usize, target: usize) -> u32 {
    let wanted = bytes.div_ceil(target).clamp(1, 4096);
    wanted.next_power_of_two() as u32
}

/// 32-bit FNV-1a of the UTF-8 bytes (docs/search.md, "Shard numbers").
fn fnv1a(text: &str) -> u32 {
    text.bytes()
        .fold(2_166_136_261u32, |h, b| (h ^ u32::from(b)).wrapping_mul(16_777_619))
}

/// A word's lexicon key: its first two characters.
fn key(word: &str) -> &str {
    match word.char_indices().nth(2) {
        Some((end, _)) => &word[..end],
        None => word,
    }
}

/// `text` as a JSON string, with `<`, `>` and `&` escaped too: a file
/// read as HTML by mistake (or sniffed) holds no markup.
fn json_string(out: &mut String, text: &str) {
    out.reserve(text.len() + 2);
    out.push('"');
    let mut rest = text;
    while let Some(at) = rest
        .bytes()
        .position(|b| b < 0x20 || matches!(b, b'"' | b'\\' | b'<' | b'>' | b'&'))
    {
        out.push_str(&rest[..at]);
        let byte = rest.as_bytes()[at];
        match byte {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x08 => out.push_str("\\b"),
            0x0c => out.push_str("\\f"),
            _ => {
                let _ = write!(out, "\\u{byte:04x}");
            }
        }
        rest = &rest[at + 1..];
    }
    out.push_str(rest);
    out.push('"');
}

fn lexicon_files(postings: &Postings<'_>, shards: u32) -> Vec<IndexFile> {
    let mut buckets: Vec<Vec<(&str, &str, usize)>> = vec![Vec::new(); shards as usize];
    for &(word, stem) in &postings.words {
        let shard = fnv1a(key(word)) % shards;
        let df = postings.df[stem as usize] as usize;
        buckets[shard as usize].push((word, &postings.stems[stem as usize], df));
    }
    (buckets.into_par_iter().enumerate())
        .map(|(n, mut entries)| {
            entries.sort_unstable();
            let mut out = String::from("{");
            for (i, (word, stem, df)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json_string(&mut out, word);
                out.push_str(":[");
                json_string(&mut out, stem);
                let _ = write!(out, ",{df}]");
            }
            out.push('}');
            IndexFile {
                path: format!("l/{n}.json"),
                bytes: out.into_bytes(),
            }
        })
        .collect()
}

/// The posting shards `first`, `first + 1`, … holding the stems of
/// `buckets`.
fn posting_files(postings: &Postings<'_>, bm25: &Bm25, buckets: &[Vec<usize>], first: usize) -> Vec<IndexFile> {
    (buckets.par_iter().enumerate())
        .map(|(k, members)| {
            let n = first + k;
            let size: usize = members.iter().map(|&i| postings.df[i] as usize * 8 + 16).sum();
            let mut out = String::with_capacity(size);
            out.push('{');
            let mut numbers = itoa::Buffer::new();
            // Stems are sorted, so each bucket is too.
            for (k, &i) in members.iter().enumerate() {
                if k > 0 {
                    out.push(',');
                }
                json_string(&mut out, &postings.stems[i]);
                out.push_str(":[");
                let idf = bm25.idf(postings.df[i] as usize);
                let mut previous = 0;
                for (j, &(doc, counts)) in postings.of(i).enumerate() {
                    if j > 0 {
                        out.push(',');
                    }
                    out.push_str(numbers.format(doc - previous));
                    out.push(',');
                    out.push_str(numbers.format(bm25.score(idf, counts, doc as usize)));
                    previous = doc;
                }
                out.push(']');
            }
            out.push('}');
            IndexFile {
                path: format!("p/{n}.json"),
                bytes: out.into_bytes(),
            }
        })
        .collect()
}

/// At most [`SUMMARY_CHARS`] characters of `summary`, cut at a space with
/// "…" when longer.
fn shortened(summary: &str) -> Cow<'_, str> {
    let summary = summary.trim();
    match summary.char_indices().nth(SUMMARY_CHARS) {
        None => Cow::Borrowed(summary),
        Some((end, _)) => {
            let cut = &summary[..end];
            let cut = cut.rfind(' ').map_or(cut, |space| &cut[..space]);
            Cow::Owned(format!("{}…", cut.trim_end()))
        }
    }
}

fn document_files(documents: &[Document<'_>]) -> Vec<IndexFile> {
    (documents.par_chunks(CHUNK).enumerate())
        .map(|(n, chunk)| {
            let mut out = String::from("[");
            for (i, d) in chunk.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push('[');
                for (j, field) in [d.title, d.url, d.kicker, d.date, &shortened(d.summary)]
                    .iter()
                    .enumerate()
                {
                    if j > 0 {
                        out.push(',');
                    }
                    json_string(&mut out, field);
                }
                out.push(']');
            }
            out.push(']');
            IndexFile {
                path: format!("d/{n}.json"),
                bytes: out.into_bytes(),
            }
        })
        .collect()
}

/// Whether a slug can be a file name as it is (entity and tag slugs always
/// are; this keeps any other out of the path).
fn safe_slug(slug: &str) -> bool {
    !slug.is_empty()
        && !slug.starts_with('.')
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_' || b == b'.')
}

/// Writes each filter's documents; returns how many each keeps.
fn filter_files(documents: &[Document<'_>], filters: &[FilterValue], files: &mut Vec<IndexFile>) -> Vec<usize> {
    let mut kept: Vec<Vec<u32>> = vec![Vec::new(); filters.len()];
    for (i, document) in documents.iter().enumerate() {
        for &f in &document.filters {
            if let Some(list) = kept.get_mut(f)
                && list.last() != Some(&(i as u32))
            {
                list.push(i as u32);
            }
        }
    }
    for (filter, list) in filters.iter().zip(&kept) {
        if list.is_empty() || !safe_slug(&filter.slug) {
            continue;
        }
        let mut out = String::from("[");
        let mut previous = 0;
        for (j, &doc) in list.iter().enumerate() {
            if j > 0 {
                out.push(',');
            }
            let _ = write!(out, "{}", doc - previous);
            previous = doc;
        }
        out.push(']');
        files.push(IndexFile {
            path: format!("f/{}/{}.json", filter.kind.name(), filter.slug),
            bytes: out.into_bytes(),
        });
    }
    kept.iter()
        .zip(filters)
        .map(|(list, f)| if safe_slug(&f.slug) { list.len() } else { 0 })
        .collect()
}

fn manifest(
    id: &str,
    language: &str,
    documents: usize,
    (lexicon_shards, posting_shards): (u32, u32),
    filters: &[FilterValue],
    counts: &[usize],
) -> String {
    let mut out = format!("{{\"version\":{VERSION},\"id\":\"{id}\",\"language\":");
    json_string(&mut out, language);
    let _ = write!(
        out,
        ",\"documents\":{documents},\"chunk\":{CHUNK},\"lexicon_shards\":{lexicon_shards},\"posting_shards\":{posting_shards},\"filters\":{{"
    );
    for (k, kind) in FilterKind::ALL.into_iter().enumerate() {
        if k > 0 {
            out.push(',');
        }
        let _ = write!(out, "\"{}\":[", kind.name());
        let mut values: Vec<(&FilterValue, usize)> = (filters.iter().zip(counts.iter().copied()))
            .filter(|(f, count)| f.kind == kind && *count > 0)
            .collect();
        if kind == FilterKind::Year {
            values.sort_by(|a, b| b.0.slug.cmp(&a.0.slug));
        } else {
            values.sort_by_cached_key(|(value, _)| (fold(&value.name).into_owned(), value.slug.clone()));
        }
        for (i, (value, count)) in values.into_iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push('[');
            json_string(&mut out, &value.slug);
            out.push(',');
            json_string(&mut out, &value.name);
            let _ = write!(out, ",{count}]");
        }
        out.push(']');
    }
    out.push_str("}}");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::WordCounts;

    fn doc<'a>(title: &'a str, url: &'a str, body: &'a WordCounts, filters: Vec<usize>) -> Document<'a> {
        Document {
            title,
            url,
            kicker: "Cloud",
            date: "August 18, 2020",
            summary: "",
            names: Vec::new(),
            captions: Vec::new(),
            body,
            filters,
        }
    }

    fn file<'f>(files: &'f [IndexFile], suffix: &str) -> &'f str {
        let file = files.iter().find(|f| f.path.ends_with(suffix)).expect(suffix);
        std::str::from_utf8(&file.bytes).unwrap()
    }

    fn parse(text: &str) -> serde_json::Value {
        serde_json::from_str(text).expect("valid JSON")
    }

    #[test]
    fn fnv1a_matches_the_published_vectors() {
        assert_eq!(fnv1a(""), 0x811c_9dc5);
        assert_eq!(fnv1a("a"), 0xe40c_292c);
        assert_eq!(fnv1a("foobar"), 0xbf9c_f968);
    }

    #[test]
    fn json_strings_match_serde_json_with_markup_escaped() {
        for text in [
            "plain",
            "quote \" back \\ slash",
            "tab\tline\nnul\u{0}\u{1f}\u{8}\u{c}\r",
            "caf\u{e9} \u{2028}",
            "</script><img onerror=x>&amp;",
            "",
        ] {
            let mut ours = String::new();
            json_string(&mut ours, text);
            let theirs = serde_json::to_string(text)
                .unwrap()
                .replace('<', "\\u003c")
                .replace('>', "\\u003e")
                .replace('&', "\\u0026");
            assert_eq!(ours, theirs);
        }
    }

    #[test]
    fn a_key_is_the_first_two_characters() {
        assert_eq!(key("protest"), "pr");
        assert_eq!(key("a"), "a");
        assert_eq!(key("字节跳动"), "字节");
    }

    #[test]
    fn shards_are_a_power_of_two() {
        assert_eq!(shard_count(0, 100), 1);
        assert_eq!(shard_count(301, 100), 4);
        assert_eq!(shard_count(usize::MAX / 2, 1), 4096);
    }

    #[test]
    fn the_index_maps_words_to_stems_and_scores_title_words_higher() {
        let a = WordCounts::of("The company protested the award.");
        let b = WordCounts::of("Nothing about it here, only protests.");
        let c = WordCounts::of("Unrelated.");
        let docs = [
            doc("AWS protest", "/briefs/a/", &a, vec![0]),
            doc("Other", "/briefs/b/", &b, vec![]),
            doc("Third", "/briefs/c/", &c, vec![0]),
        ];
        let filters = [FilterValue {
            kind: FilterKind::Company,
            slug: "aws".to_owned(),
            name: "AWS".to_owned(),
        }];
        let files = build(&docs, &filters, "en");
        let manifest = parse(file(&files, "index.json"));
        assert_eq!(manifest["documents"], 3);
        assert_eq!(manifest["filters"]["company"], parse(r#"[["aws","AWS",2]]"#));
        let shards = manifest["lexicon_shards"].as_u64().unwrap() as u32;
        let lexicon = parse(file(&files, &format!("l/{}.json", fnv1a("pr") % shards)));
        assert_eq!(lexicon["protested"], parse(r#"["protest",2]"#));
        assert_eq!(lexicon["protests"], parse(r#"["protest",2]"#));
        let shards = manifest["posting_shards"].as_u64().unwrap() as u32;
        let postings = parse(file(&files, &format!("p/{}.json", fnv1a("protest") % shards)));
        let list: Vec<u64> = postings["protest"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap())
            .collect();
        assert_eq!(list.len(), 4, "two documents: {list:?}");
        assert_eq!((list[0], list[2]), (0, 1), "documents 0 and 1, delta-coded");
        assert!(list[1] > list[3], "a title word weighs more: {list:?}");
        assert_eq!(parse(file(&files, "f/company/aws.json")), parse("[0,2]"));
        let chunk = parse(file(&files, "d/0.json"));
        assert_eq!(
            chunk[0],
            parse(r#"["AWS protest","/briefs/a/","Cloud","August 18, 2020",""]"#)
        );
    }

    #[test]
    fn the_same_input_gives_the_same_files() {
        let bodies: Vec<WordCounts> = (0..300)
            .map(|i| WordCounts::of(&format!("word{} shared text {}", i % 17, i)))
            .collect();
        let titles: Vec<String> = (0..300).map(|i| format!("Title {i}")).collect();
        let docs: Vec<Document<'_>> = (bodies.iter().zip(&titles))
            .map(|(b, t)| doc(t, "/x/", b, vec![]))
            .collect();
        let one = build(&docs, &[], "en");
        let two = build(&docs, &[], "en");
        assert_eq!(one.len(), two.len());
        for (a, b) in one.iter().zip(&two) {
            assert_eq!((&a.path, &a.bytes), (&b.path, &b.bytes));
        }
    }

    #[test]
    fn summaries_are_cut_at_a_space() {
        let long = "word ".repeat(100);
        let cut = shortened(&long);
        assert!(cut.chars().count() <= SUMMARY_CHARS + 1);
        assert!(cut.ends_with("word…"));
        assert_eq!(shortened("short"), "short");
    }

    #[test]
    fn a_slug_that_is_not_a_plain_name_writes_no_file() {
        assert!(safe_slug("amazon-web-services"));
        assert!(safe_slug("2020"));
        assert!(!safe_slug("../x"));
        assert!(!safe_slug("a/b"));
        assert!(!safe_slug(""));
    }
}
