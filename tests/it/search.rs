//! Search (issue 17, docs/search.md): the index a build writes answers
//! queries the way the theme's script does. A small reader of the format
//! here ([`Index`]) stands in for the browser; `tests/browser/` drives the
//! real page in Chromium from `.ci/run`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::{Outcome, Site, run};

/// A built site's index, read from its files.
struct Index {
    folder: PathBuf,
    manifest: Value,
}

fn fnv1a(text: &str) -> u32 {
    text.bytes()
        .fold(2_166_136_261u32, |h, b| (h ^ u32::from(b)).wrapping_mul(16_777_619))
}

/// docs/search.md "Words", as the script does it.
fn words(query: &str) -> Vec<String> {
    dossier::search::words::split(&dossier::search::words::fold(query))
        .map(str::to_owned)
        .collect()
}

impl Index {
    fn open(public: &Path) -> Index {
        let folder = public.join("search");
        let manifest: Value =
            serde_json::from_str(&std::fs::read_to_string(folder.join("index.json")).unwrap()).unwrap();
        Index { folder, manifest }
    }

    fn json(&self, relative: &str) -> Value {
        let path = self.folder.join(relative);
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
            .unwrap()
    }

    fn shards(&self, name: &str) -> u32 {
        self.manifest[name].as_u64().unwrap() as u32
    }

    /// Document numbers from a delta-coded list of `stride`-long entries,
    /// with the entry's second value if any.
    fn decode(list: &Value, stride: usize) -> Vec<(u64, u64)> {
        let values: Vec<u64> = list.as_array().unwrap().iter().map(|v| v.as_u64().unwrap()).collect();
        let mut doc = 0;
        values
            .chunks(stride)
            .map(|entry| {
                doc += entry[0];
                (doc, entry.get(1).copied().unwrap_or(0))
            })
            .collect()
    }

    /// The URLs of the results of `query` (the last word a prefix unless
    /// the query ends in a space), best first, kept by `filters`.
    fn query(&self, query: &str, filters: &[(&str, &str)]) -> Vec<String> {
        let words = words(query);
        let prefix = !query.ends_with(' ');
        let mut totals: Option<BTreeMap<u64, u64>> = None;
        for (n, word) in words.iter().enumerate() {
            let key: String = word.chars().take(2).collect();
            let lexicon = self.json(&format!("l/{}.json", fnv1a(&key) % self.shards("lexicon_shards")));
            let lexicon = lexicon.as_object().unwrap();
            let mut stems: BTreeMap<String, u64> = BTreeMap::new();
            if let Some(entry) = lexicon.get(word) {
                stems.insert(entry[0].as_str().unwrap().to_owned(), entry[1].as_u64().unwrap());
            }
            if prefix && n + 1 == words.len() && word.chars().count() >= 2 {
                let mut found: Vec<(u64, String)> = (lexicon.iter())
                    .filter(|(w, _)| w.starts_with(word.as_str()))
                    .map(|(_, e)| (e[1].as_u64().unwrap(), e[0].as_str().unwrap().to_owned()))
                    .collect();
                found.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
                found.dedup();
                stems.extend(found.into_iter().take(8).map(|(df, s)| (s, df)));
            }
            let mut best: BTreeMap<u64, u64> = BTreeMap::new();
            for stem in stems.keys() {
                let postings = self.json(&format!("p/{}.json", fnv1a(stem) % self.shards("posting_shards")));
                for (doc, score) in Self::decode(&postings[stem], 2) {
                    let entry = best.entry(doc).or_default();
                    *entry = (*entry).max(score);
                }
            }
            totals = Some(match totals {
                None => best,
                Some(t) => t
                    .into_iter()
                    .filter_map(|(d, s)| best.get(&d).map(|b| (d, s + b)))
                    .collect(),
            });
        }
        let mut totals = totals.unwrap_or_default();
        for (kind, slug) in filters {
            let keep: Vec<u64> = Self::decode(&self.json(&format!("f/{kind}/{slug}.json")), 1)
                .into_iter()
                .map(|(d, _)| d)
                .collect();
            totals = if words.is_empty() {
                keep.into_iter().map(|d| (d, 0)).collect()
            } else {
                totals.into_iter().filter(|(d, _)| keep.contains(d)).collect()
            };
        }
        let mut ranked: Vec<(u64, u64)> = totals.into_iter().collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let chunk = self.manifest["chunk"].as_u64().unwrap();
        ranked
            .into_iter()
            .map(|(doc, _)| {
                let rows = self.json(&format!("d/{}.json", doc / chunk));
                rows[(doc % chunk) as usize][1].as_str().unwrap().to_owned()
            })
            .collect()
    }
}

/// Builds the repository's example into a temporary folder.
fn example(base_url: &str) -> (tempfile::TempDir, Outcome) {
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("public");
    let args = ["--output", output.to_str().unwrap(), "--base-url", base_url];
    let out = run(Path::new(env!("CARGO_MANIFEST_DIR")), "build", &args, output.clone());
    out.assert_success();
    (dir, out)
}

#[test]
fn the_examples_search_finds_the_aws_protest_first_under_a_sub_path() {
    let (_dir, out) = example("https://user.github.io/repo/");
    let index = Index::open(&out.output);
    let results = index.query("JEDI protest", &[]);
    assert_eq!(
        results.first().map(String::as_str),
        Some("/repo/briefs/aws-files-jedi-protest/"),
        "{results:?}"
    );
    // Every result is a page of the site, under the base path.
    for url in &results {
        let file = url.strip_prefix("/repo/").expect("under the base path");
        assert!(out.has(&format!("{file}index.html")), "{url} resolves");
    }
    // The company's own page comes first for its name, and for a prefix.
    assert_eq!(index.query("microsoft", &[])[0], "/repo/companies/microsoft/");
    assert_eq!(index.query("micros", &[])[0], "/repo/companies/microsoft/");
    // Stems: a form the text does not use finds the ones it does.
    assert!(index.query("protested ", &[]).is_empty() || !index.query("protests ", &[]).is_empty());
    assert!(!index.query("protests ", &[]).is_empty());
    // Diacritics and case fold; an alias written in Chinese is one word.
    assert_eq!(index.query("BYTEDANCE", &[])[0], "/repo/companies/bytedance/");
    // Every word must match.
    assert!(index.query("jedi zzzqqq ", &[]).is_empty());
}

#[test]
fn filters_keep_their_documents_and_list_them_newest_first_without_a_query() {
    let (_dir, out) = example("https://briefs.example.com/");
    let index = Index::open(&out.output);
    let companies = index.manifest["filters"]["company"].as_array().unwrap();
    assert!(
        companies.iter().any(|c| c[0] == "microsoft" && c[1] == "Microsoft"),
        "{companies:?}"
    );
    let all = index.query("cloud ", &[]);
    let microsoft = index.query("cloud ", &[("company", "microsoft")]);
    assert!(!microsoft.is_empty() && microsoft.len() < all.len());
    let listed = index.query("", &[("year", "2020")]);
    assert!(!listed.is_empty());
    // Newest first: document numbers ascend with age, and briefs come first.
    assert!(listed.iter().all(|u| u.starts_with("/briefs/")), "{listed:?}");
}

#[test]
fn the_index_is_the_same_for_the_same_input_and_absent_when_off() {
    let site = Site::fixture("site");
    let first = site.build(&[]);
    first.assert_success();
    let one = crate::common::Snapshot::of(&first.output.join("search"));
    let again = site.build(&[]);
    again.assert_success();
    crate::common::Snapshot::of(&again.output.join("search")).assert_same_as(&one, "a second build's index");
    assert!(first.has("search/index.html") && first.has("search/index.json"));

    let off = Site::fixture("site");
    let config = off.read("dossier.yaml");
    off.write("dossier.yaml", &format!("{config}\nsearch: false\n"));
    let out = off.build(&[]);
    out.assert_success();
    assert!(!out.has("search/index.json") && !out.has("search/index.html"));
}

#[test]
fn a_theme_without_a_search_page_is_told_how_to_go_on() {
    // The minimal theme was made before search; its site says `search: false`.
    let site = Site::fixture("theme-minimal");
    site.build(&[]).assert_success();
    site.edit("dossier.yaml", "search: false", "search: true");
    let out = site.build(&[]);
    out.assert_status(1);
    assert!(
        out.stderr.contains("no template 'search.html'") && out.stderr.contains("set search: false"),
        "{}",
        out.stderr
    );
}

#[test]
fn hostile_titles_stay_text_in_the_index() {
    let site = Site::fixture("site");
    site.write(
        "content/briefs/2021-01-01-hostile.md",
        "---\ntitle: \"</script><img src=x onerror=alert(1)>\"\ndate: 2021-01-01\nsummary: \"<b>bold</b> & </script>\"\n---\nBody.\n",
    );
    let out = site.build(&[]);
    out.assert_success();
    let index = Index::open(&out.output);
    let rows = index.json("d/0.json");
    let row = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r[1] == "/briefs/hostile/")
        .expect("the brief is indexed");
    assert_eq!(
        row[0], "</script><img src=x onerror=alert(1)>",
        "the title is kept as text, JSON-escaped"
    );
    let raw = std::fs::read_to_string(index.folder.join("d/0.json")).unwrap();
    assert!(
        !raw.contains('<') && raw.contains(r"\u003c/script\u003e"),
        "markup is escaped in JSON too"
    );
    assert_eq!(index.query("onerror", &[]), ["/briefs/hostile/"]);
}
