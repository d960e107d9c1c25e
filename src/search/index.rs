//! Building the index files of docs/search.md from documents: words
//! gathered on all cores, stemmed once per distinct word, scored with BM25,
//! then cut into shards small enough that a query fetches little.

use std::borrow::Cow;
use std::fmt::Write as _;

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use xxhash_rust::xxh3::xxh3_128;

use super::words::{fold, split};
use super::{Document, FilterKind, FilterValue, IndexFile, stemmer};

/// The format's version, in the manifest.
const VERSION: u32 = 1;
/// Documents per metadata chunk.
const CHUNK: usize = 64;
/// What the heading field (title and names) weighs against the text
/// field (summary and body), and a summary word against a body word
/// (docs/search.md, "Score").
const HEAD_WEIGHT: f64 = 3.0;
const SUMMARY_WEIGHT: u32 = 2;
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

/// A word's count in one document: in the heading field (title, names)
/// and in the text field (summary counted twice, then body).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
struct Counts {
    head: u32,
    text: u32,
}

/// (document number, counts), documents ascending.
type Postings = Vec<(u32, Counts)>;

/// A word and its postings.
type WordPostings = (Box<str>, Postings);

/// A document's field lengths, in words.
#[derive(Debug, Clone, Copy)]
struct Lengths {
    head: u32,
    text: u32,
}

/// The index of `documents` (numbered in the order given) with `filters`,
/// for a site in `language`: the manifest `index.json` and the files under
/// its id, every one the same for the same input.
pub fn build(documents: &[Document<'_>], filters: &[FilterValue], language: &str) -> Vec<IndexFile> {
    let (by_word, lengths) = gather(documents);
    let stems = stem_all(by_word, language);
    let scored = score(stems, &lengths);

    let mut files = Vec::new();
    let lexicon_shards = shard_count(scored.lexicon_bytes, LEXICON_SHARD_BYTES);
    let posting_shards = shard_count(scored.posting_bytes, POSTING_SHARD_BYTES);
    files.extend(lexicon_files(&scored, lexicon_shards));
    files.extend(posting_files(&scored, posting_shards));
    files.extend(document_files(documents));
    let counts = filter_files(documents, filters, &mut files);

    // The id names this exact index: the script asks for every file with
    // `?v=ID`, so a reader's cache never mixes two builds' files.
    let mut hashed = Vec::new();
    for file in &files {
        hashed.extend_from_slice(file.path.as_bytes());
        hashed.push(0);
        hashed.extend_from_slice(&xxh3_128(&file.bytes).to_le_bytes());
    }
    let id = format!("{:016x}", xxh3_128(&hashed) as u64);
    let manifest = manifest(
        &id,
        language,
        documents.len(),
        (lexicon_shards, posting_shards),
        filters,
        &counts,
    );
    files.push(IndexFile {
        path: "index.json".to_owned(),
        bytes: manifest.into_bytes(),
    });
    files
}

/// Words by document, as each thread gathers them: every word's postings,
/// and the field lengths of the documents it saw.
type Gathered = (FxHashMap<Box<str>, Postings>, Vec<(usize, Lengths)>);

/// Every word of every document with its postings, gathered on all cores,
/// and each document's field lengths for BM25F.
fn gather(documents: &[Document<'_>]) -> (Vec<(Box<str>, Postings)>, Vec<Lengths>) {
    let (map, mut seen) = (documents.par_iter().enumerate())
        .fold(Gathered::default, |(mut map, mut seen), (i, document)| {
            let number = u32::try_from(i).unwrap_or(u32::MAX);
            let lengths = counted(document, |word, counts| match map.get_mut(word) {
                Some(postings) => postings.push((number, counts)),
                None => {
                    map.insert(word.into(), vec![(number, counts)]);
                }
            });
            seen.push((i, lengths));
            (map, seen)
        })
        .reduce(Gathered::default, |(a, mut a_seen), (b, b_seen)| {
            a_seen.extend(b_seen);
            let map = if a.len() < b.len() { merge(b, a) } else { merge(a, b) };
            (map, a_seen)
        });
    seen.sort_unstable_by_key(|(i, _)| *i);
    let lengths = seen.into_iter().map(|(_, l)| l).collect();
    let mut words: Vec<(Box<str>, Postings)> = map.into_iter().collect();
    // Each thread's postings ascend: a few sorted runs, which a stable
    // sort merges in one pass.
    words.par_iter_mut().for_each(|(_, postings)| postings.sort());
    words.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
    (words, lengths)
}

fn merge(
    mut into: FxHashMap<Box<str>, Postings>,
    from: FxHashMap<Box<str>, Postings>,
) -> FxHashMap<Box<str>, Postings> {
    for (word, postings) in from {
        into.entry(word).or_default().extend(postings);
    }
    into
}

/// Calls `each` with every distinct word of `document` and its counts:
/// in the title and names, and in the summary (twice) and body; returns
/// the fields' lengths in words (the summary's once).
fn counted(document: &Document<'_>, mut each: impl FnMut(&str, Counts)) -> Lengths {
    let title = fold(document.title);
    let summary = fold(document.summary);
    let names: Vec<Cow<'_, str>> = document.names.iter().map(|n| fold(n)).collect();
    let mut extra: FxHashMap<&str, Counts> = FxHashMap::default();
    let mut lengths = Lengths {
        head: 0,
        text: document.body.total(),
    };
    for text in std::iter::once(&title).chain(&names) {
        for word in split(text) {
            extra.entry(word).or_default().head += 1;
            lengths.head = lengths.head.saturating_add(1);
        }
    }
    for word in split(&summary) {
        extra.entry(word).or_default().text += SUMMARY_WEIGHT;
        lengths.text = lengths.text.saturating_add(1);
    }
    let captions: Vec<Cow<'_, str>> = document.captions.iter().map(|c| fold(c)).collect();
    for word in captions.iter().flat_map(|c| split(c)) {
        extra.entry(word).or_default().text += 1;
        lengths.text = lengths.text.saturating_add(1);
    }
    for (word, count) in document.body.iter() {
        let mut counts = extra.remove(word).unwrap_or_default();
        counts.text = counts.text.saturating_add(count);
        each(word, counts);
    }
    let mut rest: Vec<(&str, Counts)> = extra.into_iter().collect();
    rest.sort_unstable();
    for (word, counts) in rest {
        each(word, counts);
    }
    lengths
}

/// Words grouped by stem: each stem's postings (frequencies of its words
/// summed per document) and the words that stand for it.
struct Stem {
    stem: String,
    words: Vec<Box<str>>,
    postings: Postings,
}

fn stem_all(words: Vec<(Box<str>, Postings)>, language: &str) -> Vec<Stem> {
    let stemmer = stemmer(language);
    let stemmed: Vec<String> = (words.par_iter())
        .map(|(word, _)| match &stemmer {
            Some(s) => s.stem(word).into_owned(),
            None => word.to_string(),
        })
        .collect();
    let mut groups: FxHashMap<&str, Vec<usize>> = FxHashMap::default();
    for (i, stem) in stemmed.iter().enumerate() {
        groups.entry(stem).or_default().push(i);
    }
    let mut order: Vec<(&str, Vec<usize>)> = groups.into_iter().collect();
    order.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let mut slots: Vec<Option<(Box<str>, Postings)>> = words.into_iter().map(Some).collect();
    let gathered: Vec<(String, Vec<WordPostings>)> = (order.into_iter())
        .map(|(stem, members)| {
            let taken = members.iter().filter_map(|&i| slots[i].take()).collect();
            (stem.to_owned(), taken)
        })
        .collect();
    (gathered.into_par_iter())
        .map(|(stem, members)| {
            let mut words = Vec::with_capacity(members.len());
            let mut postings: Postings = Vec::new();
            let several = members.len() > 1;
            for (word, p) in members {
                words.push(word);
                postings.extend(p);
            }
            if several {
                postings.sort_unstable();
                postings.dedup_by(|later, earlier| {
                    let same = later.0 == earlier.0;
                    if same {
                        earlier.1.head = earlier.1.head.saturating_add(later.1.head);
                        earlier.1.text = earlier.1.text.saturating_add(later.1.text);
                    }
                    same
                });
            }
            Stem { stem, words, postings }
        })
        .collect()
}

/// Stems with their postings scored, and what the files will weigh.
struct Scored {
    stems: Vec<Stem>,
    /// Each stem's scores, in the order of its postings.
    scores: Vec<Vec<u32>>,
    lexicon_bytes: usize,
    posting_bytes: usize,
}

/// BM25F: each field's count normalised by the field's length against its
/// average, the heading weighted up, then saturated once.
fn score(stems: Vec<Stem>, lengths: &[Lengths]) -> Scored {
    let n = lengths.len() as f64;
    let average =
        |field: fn(&Lengths) -> u32| (lengths.iter().map(|l| f64::from(field(l))).sum::<f64>() / n.max(1.0)).max(1.0);
    let (head_average, text_average) = (average(|l| l.head), average(|l| l.text));
    let scores: Vec<Vec<u32>> = (stems.par_iter())
        .map(|stem| {
            let df = stem.postings.len() as f64;
            let idf = (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
            (stem.postings.iter())
                .map(|&(doc, counts)| {
                    let length = lengths[doc as usize];
                    let head = f64::from(counts.head) / (1.0 - B + B * f64::from(length.head) / head_average);
                    let text = f64::from(counts.text) / (1.0 - B + B * f64::from(length.text) / text_average);
                    let tf = HEAD_WEIGHT * head + text;
                    let bm25 = idf * tf * (K1 + 1.0) / (tf + K1);
                    ((bm25 * SCALE).round() as u32).max(1)
                })
                .collect()
        })
        .collect();
    let lexicon_bytes = (stems.iter())
        .map(|s| s.words.iter().map(|w| w.len() + s.stem.len() + 16).sum::<usize>())
        .sum();
    let posting_bytes = stems.iter().map(|s| s.stem.len() + 6 + s.postings.len() * 9).sum();
    Scored {
        stems,
        scores,
        lexicon_bytes,
        posting_bytes,
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
    let json = serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_owned());
    if json.contains(['<', '>', '&']) {
        for c in json.chars() {
            match c {
                '<' => out.push_str("\\u003c"),
                '>' => out.push_str("\\u003e"),
                '&' => out.push_str("\\u0026"),
                c => out.push(c),
            }
        }
    } else {
        out.push_str(&json);
    }
}

fn lexicon_files(scored: &Scored, shards: u32) -> Vec<IndexFile> {
    let mut buckets: Vec<Vec<(&str, &str, usize)>> = vec![Vec::new(); shards as usize];
    for stem in &scored.stems {
        for word in &stem.words {
            let shard = fnv1a(key(word)) % shards;
            buckets[shard as usize].push((word, &stem.stem, stem.postings.len()));
        }
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

fn posting_files(scored: &Scored, shards: u32) -> Vec<IndexFile> {
    let mut buckets: Vec<Vec<usize>> = vec![Vec::new(); shards as usize];
    for (i, stem) in scored.stems.iter().enumerate() {
        buckets[(fnv1a(&stem.stem) % shards) as usize].push(i);
    }
    (buckets.into_par_iter().enumerate())
        .map(|(n, members)| {
            let mut out = String::from("{");
            let mut numbers = itoa::Buffer::new();
            // Stems are sorted, so each bucket is too.
            for (k, &i) in members.iter().enumerate() {
                let stem = &scored.stems[i];
                if k > 0 {
                    out.push(',');
                }
                json_string(&mut out, &stem.stem);
                out.push_str(":[");
                let mut previous = 0;
                for (j, (&(doc, _), score)) in stem.postings.iter().zip(&scored.scores[i]).enumerate() {
                    if j > 0 {
                        out.push(',');
                    }
                    out.push_str(numbers.format(doc - previous));
                    out.push(',');
                    out.push_str(numbers.format(*score));
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
