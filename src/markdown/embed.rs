//! Which image URLs are embeds (SPEC §3): a YouTube, Vimeo or DocumentCloud
//! page written as an image, `![Hearing video](https://youtu.be/…)`, is a
//! player the reader loads with a click. This module only reads URLs: it
//! turns one into an [`Embed`] whose ids are checked against their
//! providers' alphabets, so nothing a writer typed reaches an attribute
//! except through those checks, and it writes the placeholder's markup. It
//! must not read files or know the model; the theme's `embed.js` is what
//! turns a placeholder into an `<iframe>`, and it checks the player URL
//! against the same shapes ([`is_player_url`]).

use std::fmt::Write as _;

use super::escape_attr;

/// A video or document a provider can play in an `<iframe>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Embed {
    /// A YouTube video: its 11-character id, and where to start, in seconds.
    YouTube {
        /// `[A-Za-z0-9_-]{11}`.
        id: String,
        /// From `t=` or `start=`.
        start: Option<u32>,
    },
    /// A Vimeo video: its numeric id, and the hash of an unlisted one.
    Vimeo {
        /// Digits only.
        id: String,
        /// Lowercase hex, from `vimeo.com/123/abc` or `?h=abc`.
        hash: Option<String>,
    },
    /// A DocumentCloud document: `123-slug`.
    DocumentCloud {
        /// Digits only.
        id: String,
        /// `[a-z0-9-]`, as DocumentCloud writes it.
        slug: String,
    },
}

/// A URL of a provider dossier embeds, on a path it does not know: the
/// writer meant an embed, and a silent image would be a broken picture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownPath {
    /// The provider's name.
    pub provider: &'static str,
    /// The URL shapes that provider's embeds take.
    pub expected: &'static str,
}

/// Longest id or slug accepted: real ones are far shorter, and a bound keeps
/// a hostile URL from becoming a huge attribute.
const MAX_PART: usize = 200;

impl Embed {
    /// The embed `url` names: `Ok(None)` if it is no provider's URL (it stays
    /// an image), an error if it is a provider's URL of no known shape.
    pub fn parse(url: &str) -> Result<Option<Embed>, UnknownPath> {
        let Some(url) = Url::split(url) else {
            return Ok(None);
        };
        let host = url.host.to_ascii_lowercase();
        let host = host.strip_prefix("www.").unwrap_or(&host);
        match host {
            "youtube.com" | "m.youtube.com" | "youtube-nocookie.com" | "youtu.be" => youtube(host, &url)
                .map(Some)
                .ok_or(UnknownPath {
                    provider: "YouTube",
                    expected: "youtube.com/watch?v=ID, youtu.be/ID, youtube.com/embed/ID or youtube.com/shorts/ID, with an 11-character ID",
                }),
            "vimeo.com" | "player.vimeo.com" => vimeo(host, &url).map(Some).ok_or(UnknownPath {
                provider: "Vimeo",
                expected: "vimeo.com/123456789 or player.vimeo.com/video/123456789",
            }),
            "documentcloud.org" | "embed.documentcloud.org" | "beta.documentcloud.org" => documentcloud(&url)
                .map(Some)
                .ok_or(UnknownPath {
                    provider: "DocumentCloud",
                    expected: "documentcloud.org/documents/123456-the-slug",
                }),
            _ => Ok(None),
        }
    }

    /// The provider's name, as readers know it.
    pub fn provider(&self) -> &'static str {
        match self {
            Embed::YouTube { .. } => "YouTube",
            Embed::Vimeo { .. } => "Vimeo",
            Embed::DocumentCloud { .. } => "DocumentCloud",
        }
    }

    /// The provider in a class name: `embed-youtube`.
    pub fn class(&self) -> &'static str {
        match self {
            Embed::YouTube { .. } => "youtube",
            Embed::Vimeo { .. } => "vimeo",
            Embed::DocumentCloud { .. } => "documentcloud",
        }
    }

    /// The provider's own page, where the link leads with JavaScript off.
    pub fn page_url(&self) -> String {
        match self {
            Embed::YouTube { id, start: None } => format!("https://www.youtube.com/watch?v={id}"),
            Embed::YouTube { id, start: Some(s) } => format!("https://www.youtube.com/watch?v={id}&t={s}s"),
            Embed::Vimeo { id, hash: None } => format!("https://vimeo.com/{id}"),
            Embed::Vimeo { id, hash: Some(h) } => format!("https://vimeo.com/{id}/{h}"),
            Embed::DocumentCloud { id, slug } => format!("https://www.documentcloud.org/documents/{id}-{slug}"),
        }
    }

    /// The player the script loads on a click: YouTube's cookie-less host.
    pub fn player_url(&self) -> String {
        match self {
            Embed::YouTube { id, start: None } => format!("https://www.youtube-nocookie.com/embed/{id}"),
            Embed::YouTube { id, start: Some(s) } => {
                format!("https://www.youtube-nocookie.com/embed/{id}?start={s}")
            }
            Embed::Vimeo { id, hash: None } => format!("https://player.vimeo.com/video/{id}"),
            Embed::Vimeo { id, hash: Some(h) } => format!("https://player.vimeo.com/video/{id}?h={h}"),
            Embed::DocumentCloud { id, slug } => {
                format!("https://embed.documentcloud.org/documents/{id}-{slug}/?embed=1")
            }
        }
    }

    /// What the reader is offered: "Play" a video, "Open" a document.
    fn verb(&self) -> &'static str {
        match self {
            Embed::YouTube { .. } | Embed::Vimeo { .. } => "Play",
            Embed::DocumentCloud { .. } => "Open",
        }
    }

    /// The placeholder: a figure holding a link to the provider's page that
    /// `embed.js` replaces with the player, captioned with `title`. No
    /// picture, so nothing is fetched from the provider until the click.
    pub fn placeholder(&self, title: &str) -> String {
        let title = escape_attr(title);
        let provider = self.provider();
        let mut html = String::with_capacity(400 + 2 * title.len());
        let _ = write!(
            html,
            "<figure class=\"embed embed-{class}\">\n<a class=\"embed-link\" href=\"{page}\" data-embed=\"{player}\" data-title=\"{title}\">\
             <span class=\"embed-play\" aria-hidden=\"true\">▶</span> \
             <span class=\"embed-label\">{verb} “{title}” <span class=\"embed-provider\">({provider})</span></span></a>\n\
             <figcaption>{title} <span class=\"embed-note\">{provider}, loaded only when you press play</span></figcaption>\n</figure>\n",
            class = self.class(),
            page = escape_attr(&self.page_url()),
            player = escape_attr(&self.player_url()),
            verb = self.verb(),
        );
        html
    }
}

/// Whether a rendered body holds a placeholder as [`Embed::placeholder`]
/// writes it, a link of class `embed-link` whose next attribute after its
/// `href` is the `data-embed` player, for `embed.js` to load. Text cannot
/// look like one (its `<` is escaped), and under `raw_html: sanitize` a
/// writer's HTML keeps `data-embed` only on a player URL.
pub fn has_placeholder(html: &str) -> bool {
    const LINK: &[u8] = b"<a class=\"embed-link\" href=\"";
    let html = html.as_bytes();
    memchr::memmem::find_iter(html, LINK).any(|at| {
        let href = &html[at + LINK.len()..];
        memchr::memchr(b'"', href).is_some_and(|end| href[end + 1..].starts_with(b" data-embed=\""))
    })
}

/// Whether `url` is exactly a player URL dossier writes: what the sanitizer
/// lets through in `data-embed`, so a writer's raw HTML cannot point the
/// script at any other page.
pub fn is_player_url(url: &str) -> bool {
    matches!(Embed::parse(url), Ok(Some(embed)) if embed.player_url() == url)
}

/// The parts of an absolute http(s) URL that matter here.
struct Url<'a> {
    host: &'a str,
    /// Path segments, without empty ones.
    segments: Vec<&'a str>,
    query: &'a str,
}

impl<'a> Url<'a> {
    /// Splits an `http://` or `https://` URL; `None` for anything else,
    /// including one with a user name or port (no provider link has them).
    fn split(url: &'a str) -> Option<Url<'a>> {
        let scheme_end = url.find("://")?;
        if !["http", "https"]
            .iter()
            .any(|s| s.eq_ignore_ascii_case(&url[..scheme_end]))
        {
            return None;
        }
        let rest = &url[scheme_end + 3..];
        let rest = rest.split('#').next().unwrap_or("");
        let host_end = rest.find(['/', '?']).unwrap_or(rest.len());
        let host = &rest[..host_end];
        if host.is_empty() || host.contains(['@', ':', '\\']) {
            return None;
        }
        let rest = &rest[host_end..];
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        Some(Url {
            host,
            segments: path.split('/').filter(|s| !s.is_empty()).collect(),
            query,
        })
    }

    /// The value of query parameter `name`, if given.
    fn param(&self, name: &str) -> Option<&'a str> {
        self.query
            .split('&')
            .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
    }
}

/// A YouTube video id: exactly 11 of `[A-Za-z0-9_-]`.
fn youtube_id(text: &str) -> Option<String> {
    (text.len() == 11
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
    .then(|| text.to_owned())
}

fn youtube(host: &str, url: &Url<'_>) -> Option<Embed> {
    let id = match (host, url.segments.as_slice()) {
        ("youtu.be", [id]) => youtube_id(id)?,
        (_, ["watch"]) => youtube_id(url.param("v")?)?,
        (_, ["embed" | "shorts" | "live" | "v", id]) => youtube_id(id)?,
        _ => return None,
    };
    let start = match url.param("t").or_else(|| url.param("start")) {
        Some(t) => Some(seconds(t)?),
        None => None,
    };
    Some(Embed::YouTube {
        id,
        start: start.filter(|&s| s > 0),
    })
}

/// A start time as YouTube writes it: `90`, `90s`, `1m30s`, `1h2m3s`.
fn seconds(text: &str) -> Option<u32> {
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return text.parse().ok().filter(|&s| s < 1_000_000);
    }
    let mut total: u32 = 0;
    let mut number = String::new();
    let mut last_unit = 0;
    for c in text.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let (rank, unit) = match c {
            'h' => (1, 3600),
            'm' => (2, 60),
            's' => (3, 1),
            _ => return None,
        };
        if number.is_empty() || number.len() > 6 || rank <= last_unit {
            return None;
        }
        last_unit = rank;
        total = total.checked_add(number.parse::<u32>().ok()?.checked_mul(unit)?)?;
        number.clear();
    }
    (number.is_empty() && last_unit > 0 && total < 1_000_000).then_some(total)
}

fn digits(text: &str) -> Option<String> {
    (!text.is_empty() && text.len() <= 20 && text.bytes().all(|b| b.is_ascii_digit())).then(|| text.to_owned())
}

fn vimeo(host: &str, url: &Url<'_>) -> Option<Embed> {
    let hex = |t: &str| {
        (!t.is_empty() && t.len() <= 40 && t.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
            .then(|| t.to_owned())
    };
    let (id, hash) = match (host, url.segments.as_slice()) {
        ("player.vimeo.com", ["video", id]) => (digits(id)?, None),
        ("vimeo.com", [id]) => (digits(id)?, None),
        ("vimeo.com", [id, hash]) => (digits(id)?, Some(hex(hash)?)),
        _ => return None,
    };
    let hash = match (hash, url.param("h")) {
        (Some(h), _) => Some(h),
        (None, Some(h)) => Some(hex(h)?),
        (None, None) => None,
    };
    Some(Embed::Vimeo { id, hash })
}

fn documentcloud(url: &Url<'_>) -> Option<Embed> {
    let ["documents", name, ..] = url.segments.as_slice() else {
        return None;
    };
    let name = name.strip_suffix(".html").unwrap_or(name);
    let (id, slug) = name.split_once('-')?;
    let slug_ok = !slug.is_empty()
        && slug.len() <= MAX_PART
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    slug_ok.then_some(())?;
    Some(Embed::DocumentCloud {
        id: digits(id)?,
        slug: slug.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yt(id: &str, start: Option<u32>) -> Option<Embed> {
        Some(Embed::YouTube {
            id: id.to_owned(),
            start,
        })
    }

    #[test]
    fn youtube_urls_of_every_shape() {
        let id = "dQw4w9WgXcQ";
        for (url, start) in [
            ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", None),
            ("https://youtube.com/watch?feature=share&v=dQw4w9WgXcQ", None),
            ("http://m.youtube.com/watch?v=dQw4w9WgXcQ&t=90", Some(90)),
            ("https://youtu.be/dQw4w9WgXcQ?t=1m30s", Some(90)),
            ("https://youtu.be/dQw4w9WgXcQ?si=abc&t=1h2m3s", Some(3723)),
            ("https://www.youtube.com/embed/dQw4w9WgXcQ?start=42", Some(42)),
            ("https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ", None),
            ("https://www.youtube.com/shorts/dQw4w9WgXcQ", None),
            ("https://www.youtube.com/live/dQw4w9WgXcQ?feature=shared", None),
            ("HTTPS://WWW.YOUTUBE.COM/watch?v=dQw4w9WgXcQ#comments", None),
            ("https://youtu.be/dQw4w9WgXcQ?t=0", None),
        ] {
            assert_eq!(Embed::parse(url), Ok(yt(id, start)), "{url}");
        }
    }

    #[test]
    fn unknown_provider_paths_are_errors() {
        for url in [
            "https://www.youtube.com/feed/trending",
            "https://www.youtube.com/watch?v=short",
            "https://www.youtube.com/watch?v=dQw4w9WgXc\"",
            "https://youtu.be/",
            "https://youtu.be/dQw4w9WgXcQ?t=1x",
            "https://youtu.be/dQw4w9WgXcQ?t=30s1m",
            "https://vimeo.com/channels/staffpicks",
            "https://vimeo.com/12a",
            "https://player.vimeo.com/video/",
            "https://www.documentcloud.org/app",
            "https://www.documentcloud.org/documents/slug-only",
            "https://www.documentcloud.org/documents/123-Bad<slug",
        ] {
            assert!(Embed::parse(url).is_err(), "{url}");
        }
    }

    #[test]
    fn vimeo_and_documentcloud_urls() {
        let vimeo = |id: &str, hash: Option<&str>| {
            Ok(Some(Embed::Vimeo {
                id: id.to_owned(),
                hash: hash.map(str::to_owned),
            }))
        };
        assert_eq!(Embed::parse("https://vimeo.com/76979871"), vimeo("76979871", None));
        assert_eq!(
            Embed::parse("https://player.vimeo.com/video/76979871?h=8272103f6e"),
            vimeo("76979871", Some("8272103f6e"))
        );
        assert_eq!(
            Embed::parse("https://vimeo.com/76979871/8272103f6e"),
            vimeo("76979871", Some("8272103f6e"))
        );
        let doc = Ok(Some(Embed::DocumentCloud {
            id: "20059464".to_owned(),
            slug: "jedi-protest-decision".to_owned(),
        }));
        for url in [
            "https://www.documentcloud.org/documents/20059464-jedi-protest-decision",
            "https://www.documentcloud.org/documents/20059464-jedi-protest-decision.html",
            "https://embed.documentcloud.org/documents/20059464-jedi-protest-decision/?embed=1",
        ] {
            assert_eq!(Embed::parse(url), doc, "{url}");
        }
    }

    #[test]
    fn other_urls_stay_images() {
        for url in [
            "/images/a.png",
            "photo.jpg",
            "https://example.org/watch?v=dQw4w9WgXcQ",
            "https://notyoutube.com/watch?v=dQw4w9WgXcQ",
            "https://user@youtube.com/watch?v=dQw4w9WgXcQ",
            "https://youtube.com:8080/watch?v=dQw4w9WgXcQ",
            "ftp://youtube.com/watch?v=dQw4w9WgXcQ",
            "",
        ] {
            assert_eq!(Embed::parse(url), Ok(None), "{url}");
        }
    }

    #[test]
    fn every_placeholder_is_found_in_a_page() {
        for url in [
            "https://youtu.be/dQw4w9WgXcQ?t=5",
            "https://vimeo.com/1/abc",
            "https://www.documentcloud.org/documents/1-a",
        ] {
            let placeholder = Embed::parse(url).unwrap().unwrap().placeholder("A \"title\" <b>");
            assert!(has_placeholder(&format!("<p>x</p>\n{placeholder}")), "{placeholder}");
        }
        assert!(!has_placeholder("<a class=\"embed-link\" href=\"/x\">no player</a>"));
    }

    #[test]
    fn player_urls_round_trip_and_nothing_else_passes() {
        for url in [
            "https://youtu.be/dQw4w9WgXcQ?t=5",
            "https://vimeo.com/1/abc",
            "https://www.documentcloud.org/documents/1-a",
        ] {
            let embed = Embed::parse(url).unwrap().unwrap();
            assert!(is_player_url(&embed.player_url()), "{url}");
            assert_eq!(Embed::parse(&embed.player_url()), Ok(Some(embed.clone())));
            assert_eq!(Embed::parse(&embed.page_url()), Ok(Some(embed)));
        }
        assert!(!is_player_url(
            "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?start=5&x=1"
        ));
        assert!(!is_player_url("https://evil.example/embed/dQw4w9WgXcQ"));
        assert!(!is_player_url("https://www.youtube.com/watch?v=dQw4w9WgXcQ"));
    }

    #[test]
    fn the_placeholder_escapes_the_title_and_loads_nothing() {
        let embed = Embed::parse("https://youtu.be/dQw4w9WgXcQ").unwrap().unwrap();
        let html = embed.placeholder("A \"hearing\" <b>");
        assert!(
            html.contains("data-title=\"A &quot;hearing&quot; &lt;b&gt;\""),
            "{html}"
        );
        assert!(
            html.contains("href=\"https://www.youtube.com/watch?v=dQw4w9WgXcQ\""),
            "{html}"
        );
        assert!(html.contains("data-embed=\"https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ\""));
        assert!(
            !html.contains("<iframe") && !html.contains("<img") && !html.contains("src="),
            "{html}"
        );
    }
}
