//! The inverted index: every stem with the documents that hold it and how
//! often, built on all cores from the word counts each document already
//! has, and kept small, since it is the peak of a build's memory.
//!
//! Documents are cut into a few runs, one task each. A task sorts its
//! documents' counts by stem (a counting sort, so each stem's documents
//! stay in order); a stem's postings are then its slice of every run, run
//! after run, which is document order, without ever being copied into one
//! list.

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::Document;
use super::stemmer;
use super::words::{Tally, WordCounts, pack};

/// What a summary word counts against a body word (docs/search.md,
/// "Score").
const SUMMARY_WEIGHT: u32 = 2;

/// A stem's count in one document: in the heading field (title, names)
/// and in the text field (summary counted twice, captions, body). A count
/// beyond 65,535 counts as 65,535, which BM25 saturates long before.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    pub head: u16,
    pub text: u16,
}

impl Counts {
    fn add(&mut self, other: Counts) {
        self.head = self.head.saturating_add(other.head);
        self.text = self.text.saturating_add(other.text);
    }
}

/// A document's field lengths, in words.
#[derive(Debug, Clone, Copy)]
pub struct Lengths {
    pub head: u32,
    pub text: u32,
}

/// A document's words besides its body's: the heading field's (title and
/// names) and the rest of the text field's (the summary, counted twice,
/// and captions), with both fields' lengths (the summary's once).
pub struct Fields {
    head: WordCounts,
    extra: WordCounts,
    pub lengths: Lengths,
}

impl Fields {
    pub fn of(document: &Document<'_>) -> Fields {
        let (head, head_length) = Tally::with(|tally| {
            let mut length = tally.count(document.title, 1);
            for name in &document.names {
                length = length.saturating_add(tally.count(name, 1));
            }
            (tally.counts(), length)
        });
        let (extra, extra_length) = Tally::with(|tally| {
            let mut length = tally.count(document.summary, SUMMARY_WEIGHT);
            for caption in &document.captions {
                length = length.saturating_add(tally.count(caption, 1));
            }
            (tally.counts(), length)
        });
        Fields {
            head,
            extra,
            lengths: Lengths {
                head: head_length,
                text: document.body.total().saturating_add(extra_length),
            },
        }
    }

    /// The document's word counts, each with the field it counts in.
    fn runs<'a>(&'a self, document: &'a Document<'_>) -> [(&'a WordCounts, bool); 3] {
        [(document.body, false), (&self.head, true), (&self.extra, false)]
    }
}

/// (document number, counts).
pub type Posting = (u32, Counts);

/// One task's documents' postings, sorted by stem.
struct Run {
    /// Each stem the run has, ascending, with where its postings end.
    stems: Vec<(u32, u32)>,
    postings: Vec<Posting>,
}

impl Run {
    /// The postings of `stem`, documents ascending.
    fn of(&self, stem: u32) -> &[Posting] {
        match self.stems.binary_search_by_key(&stem, |&(s, _)| s) {
            Ok(i) => {
                let start = if i == 0 { 0 } else { self.stems[i - 1].1 as usize };
                &self.postings[start..self.stems[i].1 as usize]
            }
            Err(_) => &[],
        }
    }
}

/// The inverted index: every word with its stem, and every stem (in the
/// stems' string order) with its postings.
pub struct Postings<'a> {
    /// Each distinct word, sorted, and the number of its stem.
    pub words: Vec<(&'a str, u32)>,
    /// The stems, sorted.
    pub stems: Vec<String>,
    /// How many documents hold each stem.
    pub df: Vec<u32>,
    runs: Vec<Run>,
}

impl Postings<'_> {
    /// The postings of a stem, documents ascending.
    pub fn of(&self, stem: usize) -> impl Iterator<Item = &Posting> {
        let stem = stem as u32;
        self.runs.iter().flat_map(move |run| run.of(stem))
    }
}

/// The inverted index of `documents`, whose other fields are `fields`, with
/// the stems of `language`.
pub fn invert<'a>(documents: &'a [Document<'_>], fields: &'a [Fields], language: &str) -> Postings<'a> {
    // A few runs per core: enough to share the work, few enough that a
    // stem's postings are in few pieces. The output does not depend on it.
    let per_run = documents.len().div_ceil(4 * rayon::current_num_threads()).max(64);
    let runs = || documents.par_chunks(per_run).zip(fields.par_chunks(per_run));

    // Every distinct word, and its stem.
    let mut vocabulary: Vec<&'a str> = runs()
        .flat_map_iter(|(documents, fields)| {
            let mut seen: WordMap<'a, &'a str> = WordMap::default();
            for (document, f) in documents.iter().zip(fields) {
                for (counts, _) in f.runs(document) {
                    for (word, _) in counts.iter() {
                        seen.insert(word, word);
                    }
                }
            }
            seen.into_values()
        })
        .collect();
    vocabulary.par_sort_unstable();
    vocabulary.dedup();
    let stemmer = stemmer(language);
    let stemmed: Vec<String> = (vocabulary.par_iter())
        .map(|word| match &stemmer {
            Some(s) => s.stem(word).into_owned(),
            None => (*word).to_owned(),
        })
        .collect();
    let mut order: Vec<u32> = (0..stemmed.len() as u32).collect();
    order.par_sort_unstable_by(|&a, &b| stemmed[a as usize].cmp(&stemmed[b as usize]));
    let mut stem_of = vec![0u32; vocabulary.len()];
    let mut stems: Vec<String> = Vec::new();
    for &w in &order {
        let stem = &stemmed[w as usize];
        if stems.last() != Some(stem) {
            stems.push(stem.clone());
        }
        stem_of[w as usize] = stems.len() as u32 - 1;
    }
    drop((stemmed, order));
    let mut stem_by_word: WordMap<'_, u32> = WordMap::default();
    for (&word, &stem) in vocabulary.iter().zip(&stem_of) {
        stem_by_word.insert(word, stem);
    }

    // Each run's postings, sorted by stem.
    let runs: Vec<Run> = (runs().enumerate())
        .map(|(n, (documents, fields))| run(n * per_run, documents, fields, &stem_by_word, stems.len()))
        .collect();
    let mut df = vec![0u32; stems.len()];
    for run in &runs {
        let mut start = 0;
        for &(stem, end) in &run.stems {
            df[stem as usize] += end - start;
            start = end;
        }
    }
    Postings {
        words: vocabulary.into_iter().zip(stem_of).collect(),
        stems,
        df,
        runs,
    }
}

/// The postings of the documents numbered from `first`, sorted by stem
/// with a counting sort; a stem's counts from one document's several words
/// and fields are added into one posting.
fn run(
    first: usize,
    documents: &[Document<'_>],
    fields: &[Fields],
    stem_by_word: &WordMap<'_, u32>,
    stem_count: usize,
) -> Run {
    let size = (documents.iter().zip(fields))
        .map(|(d, f)| f.runs(d).iter().map(|(c, _)| c.len()).sum::<usize>())
        .sum();
    // In document order: (stem, posting).
    let mut found: Vec<(u32, Posting)> = Vec::with_capacity(size);
    let mut sizes = vec![0u32; stem_count];
    for (k, (document, f)) in documents.iter().zip(fields).enumerate() {
        let doc = u32::try_from(first + k).unwrap_or(u32::MAX);
        for (counts, head) in f.runs(document) {
            for (word, count) in counts.iter() {
                let Some(&stem) = stem_by_word.get(word) else {
                    continue;
                };
                let count = u16::try_from(count).unwrap_or(u16::MAX);
                let counts = match head {
                    true => Counts { head: count, text: 0 },
                    false => Counts { head: 0, text: count },
                };
                found.push((stem, (doc, counts)));
                sizes[stem as usize] += 1;
            }
        }
    }
    // Where each stem's postings start; `ends` is where its next one goes.
    let mut starts = sizes;
    let mut at = 0u32;
    for slot in &mut starts {
        let size = *slot;
        *slot = at;
        at += size;
    }
    let mut ends = starts.clone();
    let mut postings: Vec<Posting> = vec![(0, Counts::default()); found.len()];
    for (stem, (doc, counts)) in found {
        let (start, end) = (starts[stem as usize] as usize, ends[stem as usize] as usize);
        match postings.get_mut(end.wrapping_sub(1)) {
            // The same document again: another of the stem's words, or
            // the same word in another field.
            Some((last, sum)) if end > start && *last == doc => sum.add(counts),
            _ => {
                postings[end] = (doc, counts);
                ends[stem as usize] += 1;
            }
        }
    }
    // Counts added together leave gaps: close them.
    let mut stems = Vec::new();
    let mut kept = 0usize;
    for (stem, (&start, &end)) in starts.iter().zip(&ends).enumerate() {
        if end > start {
            postings.copy_within(start as usize..end as usize, kept);
            kept += (end - start) as usize;
            stems.push((stem as u32, kept as u32));
        }
    }
    postings.truncate(kept);
    postings.shrink_to_fit();
    Run { stems, postings }
}

/// Words to values, a word of up to 16 bytes hashed and compared as one
/// integer ([`pack`]): the two passes over every posting look words up
/// here.
struct WordMap<'a, V> {
    short: FxHashMap<u128, V>,
    long: FxHashMap<&'a str, V>,
}

impl<V> Default for WordMap<'_, V> {
    fn default() -> Self {
        WordMap {
            short: FxHashMap::default(),
            long: FxHashMap::default(),
        }
    }
}

impl<'a, V> WordMap<'a, V> {
    fn insert(&mut self, word: &'a str, value: V) {
        match pack(word) {
            Some(key) => self.short.insert(key, value),
            None => self.long.insert(word, value),
        };
    }

    fn get(&self, word: &str) -> Option<&V> {
        match pack(word) {
            Some(key) => self.short.get(&key),
            None => self.long.get(word),
        }
    }

    fn into_values(self) -> impl Iterator<Item = V> {
        self.short.into_values().chain(self.long.into_values())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document<'a>(body: &'a WordCounts) -> Document<'a> {
        Document {
            title: "",
            url: "",
            kicker: "",
            date: "",
            summary: "",
            names: Vec::new(),
            captions: Vec::new(),
            body,
            filters: Vec::new(),
        }
    }

    /// Several runs, a stem of two words, and one word in two fields: each
    /// document once in the stem's postings, ascending, its counts added.
    #[test]
    fn a_stems_postings_are_in_document_order_across_runs() {
        let bodies: Vec<WordCounts> = (0..500)
            .map(|i| {
                let mut text = String::from("filler ");
                if i % 3 == 0 {
                    text.push_str("protest ");
                }
                if i % 5 == 0 {
                    text.push_str("protests protests ");
                }
                WordCounts::of(&text)
            })
            .collect();
        let mut documents: Vec<Document<'_>> = bodies.iter().map(document).collect();
        documents[7].title = "Protest";
        let fields: Vec<Fields> = documents.iter().map(Fields::of).collect();
        let postings = invert(&documents, &fields, "en");
        let stem = postings.stems.iter().position(|s| s == "protest").expect("the stem");
        let list: Vec<Posting> = postings.of(stem).copied().collect();
        let expected: Vec<u32> = (0..500).filter(|i| i % 3 == 0 || i % 5 == 0 || *i == 7).collect();
        assert_eq!(list.iter().map(|p| p.0).collect::<Vec<_>>(), expected);
        assert_eq!(postings.df[stem] as usize, expected.len());
        let counts = |doc: u32| list.iter().find(|p| p.0 == doc).unwrap().1;
        assert_eq!(counts(15), Counts { head: 0, text: 3 });
        assert_eq!(counts(7), Counts { head: 1, text: 0 });
        assert_eq!(counts(3), Counts { head: 0, text: 1 });
        let words: Vec<&str> = postings.words.iter().map(|(w, _)| *w).collect();
        assert_eq!(words, ["filler", "protest", "protests"]);
    }
}
