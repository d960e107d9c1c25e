//! The search index (issue 17, docs/search.md): every brief, company,
//! contract and author, made into static files a reader's browser fetches
//! only as a query needs them.
//!
//! This module knows documents, words and files, not the site: the render
//! stage hands it [`Document`]s made from what the build already holds
//! (titles, summaries, names, each body's [`WordCounts`] from the Markdown
//! stage) and writes the [`IndexFile`]s it returns. `words` is the one
//! definition of a word, shared with the theme's script through the format.

mod index;
mod invert;
pub mod words;

pub use index::{build, build_into};
pub use words::WordCounts;

/// What a filter narrows results to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FilterKind {
    /// Documents naming a company (and the company itself).
    Company,
    /// Documents naming a contract (and the contract itself).
    Contract,
    /// An author's briefs (and the author's page).
    Author,
    /// Briefs with a tag.
    Tag,
    /// Briefs of a year.
    Year,
}

impl FilterKind {
    /// Every kind, in the manifest's order.
    pub const ALL: [FilterKind; 5] = [
        FilterKind::Company,
        FilterKind::Contract,
        FilterKind::Author,
        FilterKind::Tag,
        FilterKind::Year,
    ];

    /// Its name in the manifest, in file paths and in the page's URL.
    pub fn name(self) -> &'static str {
        match self {
            FilterKind::Company => "company",
            FilterKind::Contract => "contract",
            FilterKind::Author => "author",
            FilterKind::Tag => "tag",
            FilterKind::Year => "year",
        }
    }
}

/// One value a filter can take: a company, a tag, a year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterValue {
    /// Which filter.
    pub kind: FilterKind,
    /// Its slug, in file names and URLs (a year is its number).
    pub slug: String,
    /// What readers see.
    pub name: String,
}

/// One searchable page, as the index needs it.
#[derive(Debug)]
pub struct Document<'a> {
    /// The page's title (a headline, an entity's name).
    pub title: &'a str,
    /// Its address under the base path.
    pub url: &'a str,
    /// A brief's first tag, or the entity's kind.
    pub kicker: &'a str,
    /// A brief's date as readers see it; empty for entities.
    pub date: &'a str,
    /// The summary, or the start of the body.
    pub summary: &'a str,
    /// Names that weigh like the title: companies, contracts, authors and
    /// tags of a brief; an entity's aliases.
    pub names: Vec<&'a str>,
    /// Text that counts like the body's: a lead image's caption and alt
    /// text, which readers (and screen readers) get with the page.
    pub captions: Vec<&'a str>,
    /// The body's words.
    pub body: &'a WordCounts,
    /// The filter values that keep it, as indexes into the filter list
    /// passed to [`build`].
    pub filters: Vec<usize>,
}

/// One file of the index: its path under `/search/` and its bytes.
#[derive(Debug)]
pub struct IndexFile {
    /// Relative to the search folder: `index.json`, `ID/p/3.json`.
    pub path: String,
    /// JSON.
    pub bytes: Vec<u8>,
}

/// The Snowball stemmer for a site's `language` (its primary subtag), or
/// `None` for a language without one (its words are indexed as they are).
pub fn stemmer(language: &str) -> Option<rust_stemmers::Stemmer> {
    use rust_stemmers::Algorithm as A;
    let primary = language.split(['-', '_']).next().unwrap_or("").to_ascii_lowercase();
    let algorithm = match primary.as_str() {
        "ar" => A::Arabic,
        "da" => A::Danish,
        "nl" => A::Dutch,
        "en" => A::English,
        "fi" => A::Finnish,
        "fr" => A::French,
        "de" => A::German,
        "el" => A::Greek,
        "hu" => A::Hungarian,
        "it" => A::Italian,
        "no" | "nb" | "nn" => A::Norwegian,
        "pt" => A::Portuguese,
        "ro" => A::Romanian,
        "ru" => A::Russian,
        "es" => A::Spanish,
        "sv" => A::Swedish,
        "ta" => A::Tamil,
        "tr" => A::Turkish,
        _ => return None,
    };
    Some(rust_stemmers::Stemmer::create(algorithm))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_language_tag_picks_its_stemmer() {
        let en = stemmer("en-GB").expect("English has a stemmer");
        assert_eq!(en.stem("protests"), "protest");
        assert_eq!(stemmer("fr").expect("French").stem("contrats"), "contrat");
        assert!(stemmer("zh").is_none());
        assert!(stemmer("").is_none());
    }
}
