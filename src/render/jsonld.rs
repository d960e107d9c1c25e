//! Structured data (schema.org JSON-LD) for briefs and companies, built in
//! Rust from typed structs and escaped so that nothing in a title, not even
//! `</script>`, can end the `<script type="application/ld+json">` block.

use serde::Serialize;

use super::views::{BriefCard, SourceView};

/// A schema.org `NewsArticle`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewsArticle<'a> {
    #[serde(rename = "@context")]
    context: &'static str,
    #[serde(rename = "@type")]
    kind: &'static str,
    headline: &'a str,
    description: &'a str,
    url: &'a str,
    date_published: &'a str,
    date_modified: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    author: Vec<Person<'a>>,
    publisher: Organization<'a>,
    /// The lead image's 16:9, 4:3 and 1:1 crops (Google's Article guidance).
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    image: &'a [String],
    main_entity_of_page: WebPage<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    about: Vec<Organization<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    mentions: Vec<Thing<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    keywords: Vec<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    citation: Vec<CreativeWork<'a>>,
}

/// A schema.org `Organization`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Organization<'a> {
    #[serde(rename = "@context", skip_serializing_if = "Option::is_none")]
    context: Option<&'static str>,
    #[serde(rename = "@type")]
    kind: &'static str,
    name: &'a str,
    url: String,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    alternate_name: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    same_as: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ticker_symbol: Option<&'a str>,
}

/// A schema.org `Person`: a byline, or an author's page.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Person<'a> {
    #[serde(rename = "@context", skip_serializing_if = "Option::is_none")]
    context: Option<&'static str>,
    #[serde(rename = "@type")]
    kind: &'static str,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    job_title: Option<&'a str>,
    #[serde(skip_serializing_if = "<[&str]>::is_empty")]
    same_as: &'a [&'a str],
}

impl<'a> Person<'a> {
    fn named(name: &'a str, url: Option<String>) -> Person<'a> {
        Person {
            context: None,
            kind: "Person",
            name,
            url,
            job_title: None,
            same_as: &[],
        }
    }
}

#[derive(Debug, Serialize)]
struct WebPage<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    #[serde(rename = "@id")]
    id: &'a str,
}

#[derive(Debug, Serialize)]
struct Thing<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    name: &'a str,
    url: String,
}

#[derive(Debug, Serialize)]
struct CreativeWork<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    name: &'a str,
    url: &'a str,
}

/// The site as publisher: its title and home URL.
#[derive(Debug, Clone, Copy)]
pub struct Publisher<'a> {
    /// Site title.
    pub name: &'a str,
    /// Absolute home URL.
    pub url: &'a str,
    /// Origin to make root-relative URLs absolute (`https://host`).
    pub origin: &'a str,
}

/// The JSON-LD of a brief, escaped for a `<script>` block.
pub fn brief(card: &BriefCard<'_>, sources: &[SourceView<'_>], images: &[String], publisher: Publisher<'_>) -> String {
    let absolute = |url: &str| format!("{}{url}", publisher.origin);
    let article = NewsArticle {
        context: "https://schema.org",
        kind: "NewsArticle",
        headline: card.title,
        description: card.summary,
        url: &card.permalink,
        date_published: &card.date.iso,
        date_modified: card.updated.as_ref().map_or(&card.date.iso, |u| &u.iso),
        author: card
            .authors
            .iter()
            .map(|a| Person::named(a.name, a.url.as_deref().map(absolute)))
            .collect(),
        publisher: organization(publisher.name, publisher.url.to_owned()),
        image: images,
        main_entity_of_page: WebPage {
            kind: "WebPage",
            id: &card.permalink,
        },
        about: card
            .companies
            .iter()
            .map(|c| organization(c.name, absolute(&c.url)))
            .collect(),
        mentions: card
            .contracts
            .iter()
            .map(|c| Thing {
                kind: "GovernmentService",
                name: c.name,
                url: absolute(&c.url),
            })
            .collect(),
        keywords: card.tags.iter().map(|t| t.name).collect(),
        citation: sources
            .iter()
            .map(|s| CreativeWork {
                kind: "CreativeWork",
                name: s.name,
                url: s.url,
            })
            .collect(),
    };
    escape(&article)
}

/// The JSON-LD of a company page, escaped for a `<script>` block.
pub fn company<'a>(
    name: &'a str,
    url: String,
    aliases: &'a [String],
    website: Option<&'a str>,
    ticker: Option<&'a str>,
) -> String {
    let org = Organization {
        context: Some("https://schema.org"),
        kind: "Organization",
        name,
        url,
        alternate_name: aliases,
        same_as: website,
        ticker_symbol: ticker,
    };
    escape(&org)
}

/// The JSON-LD of an author's page, escaped for a `<script>` block.
pub fn person(name: &str, url: &str, role: Option<&str>, links: &[&str]) -> String {
    escape(&Person {
        context: Some("https://schema.org"),
        job_title: role,
        same_as: links,
        ..Person::named(name, Some(url.to_owned()))
    })
}

fn organization(name: &str, url: String) -> Organization<'_> {
    Organization {
        context: None,
        kind: "Organization",
        name,
        url,
        alternate_name: &[],
        same_as: None,
        ticker_symbol: None,
    }
}

/// Serializes to JSON with `<`, `>`, `&`, U+2028 and U+2029 as `\u` escapes,
/// so the text can sit inside `<script>` without ending it.
pub fn escape(value: &impl Serialize) -> String {
    let json = serde_json::to_string(value).expect("JSON-LD views always serialize");
    // Bytes, not characters: a scan of bytes is vectorized, one of
    // characters cost as much as the serializing. The three are ASCII;
    // U+2028 and U+2029 start with 0xE2, as does every character from U+2000
    // to U+2FFF (dashes, curly quotes), which are decoded and kept.
    let special = |b: &u8| matches!(b, b'<' | b'>' | b'&' | 0xE2);
    if !json.as_bytes().iter().fold(false, |any, b| any | special(b)) {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 16);
    let mut rest = json.as_str();
    while let Some(at) = rest.bytes().position(|b| special(&b)) {
        out.push_str(&rest[..at]);
        let c = rest[at..].chars().next().unwrap_or_default();
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
        rest = &rest[at + c.len_utf8()..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_endings_cannot_break_out() {
        let out = escape(&Person::named("</script><script>alert(1)</script> & \u{2028}", None));
        assert!(!out.contains('<') && !out.contains('>') && !out.contains('&'), "{out}");
        let back: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(back["name"], "</script><script>alert(1)</script> & \u{2028}");
    }

    #[test]
    fn other_characters_are_kept_as_they_are() {
        let name = "“Quoted” — €5 <b> ✓ \u{2029}end";
        let out = escape(&Person::named(name, None));
        assert_eq!(
            out,
            r#"{"@type":"Person","name":"“Quoted” — €5 \u003cb\u003e ✓ \u2029end"}"#
        );
        let back: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(back["name"], name);
    }
}
