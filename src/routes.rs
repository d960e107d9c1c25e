//! Where everything lives: site paths, output files and the base URL.
//!
//! Every URL in the output is built here, from a [`UrlPath`] and the
//! [`BaseUrl`], so a site under a GitHub Pages project sub-path
//! (`https://user.github.io/repo/`) gets the prefix on every link, 404.html
//! included. Templates reach the same function through `url()`/`abs_url()`.
//!
//! Imports only [`crate::slug`], so `config`, which parses the base URL, and
//! every stage after it can use these types without importing `model`.

use std::borrow::Cow;
use std::fmt;
use std::fmt::Write as _;

use crate::slug::Slug;

/// The public address of the site: an optional origin and a path prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl {
    /// `https://host` (no trailing slash), or empty for a path-only base URL.
    origin: String,
    /// The path prefix, always starting and ending with `/`.
    path: String,
}

impl BaseUrl {
    /// The domain root, `/`.
    pub fn root() -> BaseUrl {
        BaseUrl {
            origin: String::new(),
            path: "/".to_owned(),
        }
    }

    /// Parses `https://host/sub/`, `http://localhost:1111`, `/sub/` or `/`.
    pub fn parse(text: &str) -> Result<BaseUrl, String> {
        let text = text.trim();
        if text
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "\"'<>`\\?#".contains(c))
        {
            return Err(format!("'{text}' contains characters that cannot appear in a base URL"));
        }
        let (origin, path) = if let Some(rest) = text.strip_prefix("https://").or_else(|| text.strip_prefix("http://"))
        {
            let scheme_len = text.len() - rest.len();
            let host_end = rest.find('/').unwrap_or(rest.len());
            if host_end == 0 {
                return Err(format!("'{text}' has no host"));
            }
            (text[..scheme_len + host_end].to_owned(), &rest[host_end..])
        } else if text.starts_with('/') {
            (String::new(), text)
        } else {
            return Err(format!(
                "'{text}' is neither an http(s) URL nor a path starting with '/'"
            ));
        };
        if path.split('/').any(|s| s == ".." || s == ".") {
            return Err(format!("'{text}' has '.' or '..' in its path"));
        }
        let mut path = path.trim_end_matches('/').to_owned();
        path.push('/');
        if !path.starts_with('/') {
            path.insert(0, '/');
        }
        Ok(BaseUrl { origin, path })
    }

    /// The path prefix, `/` or `/repo/`.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The root-relative URL of a site path, prefix included: `/repo/briefs/x/`.
    ///
    /// Root-relative links work from any page depth and from 404.html, which
    /// GitHub Pages serves at whatever URL was missing.
    pub fn url(&self, path: &UrlPath) -> String {
        let mut url = String::with_capacity(self.path.len() + path.0.len());
        url.push_str(&self.path);
        url.push_str(&path.0);
        url
    }

    /// The absolute URL of a site path (for feeds, canonical links, sitemaps).
    pub fn abs_url(&self, path: &UrlPath) -> String {
        let mut url = self.origin.clone();
        url.push_str(&self.url(path));
        url
    }

    /// The origin (`https://host`), empty for a path-only base URL.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// Where a full address (`https://host/repo/2020/x/`) is on this site:
    /// its path relative to the base path (`/2020/x/`), without a query or
    /// fragment. `None` if it is on another host or outside the base path,
    /// or if the base URL has no host to compare with. Tells a writer who
    /// pasted a whole address which alias they meant.
    pub fn relative_path_of(&self, url: &str) -> Option<String> {
        if self.origin.is_empty() {
            return None;
        }
        let (origin, path) = split_address(url)?;
        if !origin.eq_ignore_ascii_case(&self.origin) {
            return None;
        }
        let rest = match path.strip_prefix(self.path.as_str()) {
            Some(rest) => rest,
            None if format!("{path}/") == self.path => "",
            None => return None,
        };
        Some(format!("/{rest}"))
    }
}

/// A full address cut into its origin (`https://host`, `//host`) and its
/// path (`/x/`, `/` when it has none), without a query or fragment.
pub fn split_address(url: &str) -> Option<(&str, &str)> {
    let url = url.trim();
    let url = url.split(['?', '#']).next().unwrap_or(url);
    let after = url.find("//")? + 2;
    let host_end = url[after..].find('/').map_or(url.len(), |i| after + i);
    let path = &url[host_end..];
    Some((&url[..host_end], if path.is_empty() { "/" } else { path }))
}

/// A path inside the site, relative to its root and without a leading slash:
/// `""` (home), `briefs/x/`, `atom.xml`. Built only by the constructors below,
/// from validated slugs, so it cannot leave the output folder.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UrlPath(String);

impl UrlPath {
    /// The home page.
    pub fn home() -> UrlPath {
        UrlPath(String::new())
    }

    /// Page `n` (1-based) of a paginated listing under `base` (a folder path).
    pub fn paginated(base: &UrlPath, n: usize) -> UrlPath {
        if n <= 1 {
            base.clone()
        } else {
            UrlPath(format!("{}page/{n}/", base.0))
        }
    }

    /// A brief's page.
    pub fn brief(slug: &Slug) -> UrlPath {
        let mut path = String::new();
        UrlPath::brief_into(slug, &mut path);
        UrlPath(path)
    }

    /// [`UrlPath::brief`] written into `path` (cleared first), for a
    /// writer of every brief's URL that needs no allocation each.
    pub fn brief_into(slug: &Slug, path: &mut String) {
        path.clear();
        path.push_str("briefs/");
        path.push_str(slug.as_str());
        path.push('/');
    }

    /// A section's own page: `companies/`.
    pub fn section(section: &'static str) -> UrlPath {
        UrlPath(format!("{section}/"))
    }

    /// An entity's page in its kind's section: `companies/acme/`.
    pub fn entity(section: &'static str, slug: &Slug) -> UrlPath {
        UrlPath(format!("{section}/{slug}/"))
    }

    /// A tag's page.
    pub fn tag(slug: &Slug) -> UrlPath {
        UrlPath(format!("tags/{slug}/"))
    }

    /// A free page, at the root.
    pub fn page(slug: &Slug) -> UrlPath {
        UrlPath(format!("{slug}/"))
    }

    /// A fixed section or file of the site: `companies/`, `atom.xml`, `404.html`.
    pub fn fixed(path: &'static str) -> UrlPath {
        UrlPath(path.to_owned())
    }

    /// The Atom feed in a folder path (`tags/x/` → `tags/x/atom.xml`).
    pub fn feed_in(folder: &UrlPath) -> UrlPath {
        UrlPath(format!("{}atom.xml", folder.0))
    }

    /// A path from a static file's relative path (validated by the caller's walk).
    pub fn from_static(relative: &str) -> UrlPath {
        UrlPath(relative.to_owned())
    }

    /// A path from a template's `url(path=…)` call: leading slashes dropped;
    /// `None` if it tries to climb out with `..`.
    pub fn from_template(path: &str) -> Option<UrlPath> {
        let path = path.trim_start_matches('/');
        (!path.split('/').any(|s| s == "..")).then(|| UrlPath(path.to_owned()))
    }

    /// An old address of a page, from an `aliases:` entry
    /// (`/2020/08/18/microsoft-foreign-cloud/`, `/old-story.html`): the
    /// path of the redirect written there, relative to the base path like
    /// every other path of the site.
    ///
    /// `%`-escapes are decoded, since the file must carry the name the host
    /// looks up for the address (`/caf%C3%A9/` is the folder `café/`), and
    /// every check runs on the decoded text, so no spelling of `..`, `/` or
    /// `\` gets through. A path ending in `.html` or `.htm` is that file;
    /// any other gets a folder (`/old` and `/old/` are both `old/`, written
    /// as `old/index.html`), which hosts serve at either spelling.
    pub fn alias(text: &str) -> Result<UrlPath, AliasError> {
        let text = text.trim();
        if has_scheme(text) || text.starts_with("//") {
            return Err(AliasError::Absolute);
        }
        let Some(rest) = text.strip_prefix('/') else {
            return Err(AliasError::Relative);
        };
        if let Some(c) = text.chars().find(|c| c.is_whitespace() || c.is_control()) {
            return Err(AliasError::Blank(c));
        }
        if text.contains('?') {
            return Err(AliasError::Query);
        }
        if text.contains('#') {
            return Err(AliasError::Fragment);
        }
        if text.contains('\\') {
            return Err(AliasError::Separator);
        }
        if text.len() > MAX_ALIAS_LEN {
            return Err(AliasError::TooLong);
        }
        let mut path = String::with_capacity(rest.len() + 1);
        let segments: Vec<&str> = rest.split('/').collect();
        for (i, segment) in segments.iter().enumerate() {
            let last = i + 1 == segments.len();
            if segment.is_empty() && !last {
                return Err(AliasError::EmptySegment);
            }
            let decoded = percent_decode(segment)?;
            check_segment(&decoded)?;
            path.push_str(&decoded);
            if !last {
                path.push('/');
            }
        }
        let lower = path.to_ascii_lowercase();
        if !path.is_empty() && !path.ends_with('/') && !lower.ends_with(".html") && !lower.ends_with(".htm") {
            path.push('/');
        }
        Ok(UrlPath(path))
    }

    /// The path as text, without leading slash.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The path as a URL writes it: every byte but letters, digits and
    /// `-._~/!$&'()*+,;=:@` `%`-escaped. Paths made from slugs need none;
    /// a static file's name may have a space, a `%` or letters beyond ASCII.
    pub fn escaped(&self) -> Cow<'_, str> {
        let plain = |b: u8| b.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=:@".contains(&b);
        if self.0.bytes().all(plain) {
            return Cow::Borrowed(&self.0);
        }
        let mut escaped = String::with_capacity(self.0.len() + 16);
        for b in self.0.bytes() {
            if plain(b) {
                escaped.push(char::from(b));
            } else {
                let _ = write!(escaped, "%{b:02X}");
            }
        }
        Cow::Owned(escaped)
    }

    /// The file this path is written to: folders get `index.html`.
    pub fn output_file(&self) -> OutputPath {
        if self.0.is_empty() || self.0.ends_with('/') {
            OutputPath(format!("{}index.html", self.0))
        } else {
            OutputPath(self.0.clone())
        }
    }
}

impl fmt::Display for UrlPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "/{}", self.0)
    }
}

/// The longest alias accepted, in bytes: longer than any address browsers
/// and hosts handle well, short enough that its folders fit any file system.
const MAX_ALIAS_LEN: usize = 1024;

/// The longest file or folder name most file systems hold, in bytes.
const MAX_SEGMENT_LEN: usize = 255;

/// Why an `aliases:` entry cannot be an old address on this site.
/// [`fmt::Display`] says so in a writer's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AliasError {
    /// A full address (`https://…`, `//host/…`): a redirect can only be
    /// written on this site.
    Absolute,
    /// Not starting with `/`.
    Relative,
    /// A blank or control character, which no address holds unescaped.
    Blank(char),
    /// A query (`?…`): hosts serve one file whatever the query.
    Query,
    /// A fragment (`#…`), which browsers never send.
    Fragment,
    /// A `..` segment, in any spelling: it climbs out of its folder.
    Climbs,
    /// A segment starting with `.` (`.`, `.git`): a hidden file, which
    /// GitHub Pages uploads leave out.
    Hidden(String),
    /// Two slashes in a row.
    EmptySegment,
    /// A backslash, or a `/` or `\` written as a `%`-escape.
    Separator,
    /// A `%` not followed by two hex digits, or escapes that are not UTF-8.
    BadEscape,
    /// Longer than a file system or a browser takes.
    TooLong,
    /// A Windows device name (`con`, `nul`, `com1` …), which no file or
    /// folder may be called where the site is checked out or unpacked.
    Device(String),
}

impl fmt::Display for AliasError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AliasError::Absolute => f.write_str("it is a full address; an alias is a path on this site"),
            AliasError::Relative => f.write_str("an old URL is a path on this site, starting with /"),
            AliasError::Blank(c) if c.is_whitespace() => f.write_str("an address cannot hold a space"),
            AliasError::Blank(c) => write!(f, "it holds the control character U+{:04X}", u32::from(*c)),
            AliasError::Query => f.write_str(
                "the ?… part of an address cannot have a page of its own: the host serves the same file whatever it says",
            ),
            AliasError::Fragment => f.write_str("the #… part of an address never reaches the host"),
            AliasError::Climbs => f.write_str("'..' would climb out of the site"),
            AliasError::Hidden(segment) if segment == "." => f.write_str("a '.' between slashes names the folder it is in"),
            AliasError::Hidden(segment) => write!(
                f,
                "'{segment}' starts with a dot: hidden files and folders are left out of GitHub Pages uploads"
            ),
            AliasError::EmptySegment => f.write_str("it has two slashes in a row"),
            AliasError::Separator => f.write_str("a backslash, %2F or %5C cannot be part of a file name"),
            AliasError::BadEscape => {
                f.write_str("a % must start an escape of two hex digits for UTF-8 text, such as %C3%A9 for é")
            }
            AliasError::TooLong => write!(
                f,
                "it is too long for a file name (at most {MAX_SEGMENT_LEN} bytes between slashes and {MAX_ALIAS_LEN} in all)"
            ),
            AliasError::Device(segment) => {
                write!(f, "'{segment}' is a Windows device name, which no file or folder may have")
            }
        }
    }
}

/// Whether `text` starts with a URL scheme (`https:`, `mailto:`).
fn has_scheme(text: &str) -> bool {
    let Some((scheme, _)) = text.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// Decodes the `%XX` escapes of one segment of a path.
fn percent_decode(segment: &str) -> Result<String, AliasError> {
    if !segment.contains('%') {
        return Ok(segment.to_owned());
    }
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3).ok_or(AliasError::BadEscape)?;
            if !hex.iter().all(u8::is_ascii_hexdigit) {
                return Err(AliasError::BadEscape);
            }
            let hex = std::str::from_utf8(hex).map_err(|_| AliasError::BadEscape)?;
            out.push(u8::from_str_radix(hex, 16).map_err(|_| AliasError::BadEscape)?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| AliasError::BadEscape)
}

/// What a decoded segment of an alias may not be: a way out of its
/// folder, a hidden name, or a name no file can have.
fn check_segment(segment: &str) -> Result<(), AliasError> {
    if segment == ".." {
        return Err(AliasError::Climbs);
    }
    if segment.starts_with('.') {
        return Err(AliasError::Hidden(segment.to_owned()));
    }
    if segment.contains(['/', '\\']) {
        return Err(AliasError::Separator);
    }
    if let Some(c) = segment.chars().find(|c| c.is_control()) {
        return Err(AliasError::Blank(c));
    }
    if segment.len() > MAX_SEGMENT_LEN {
        return Err(AliasError::TooLong);
    }
    let stem = segment.split('.').next().unwrap_or(segment).to_ascii_lowercase();
    if crate::slug::is_reserved(&stem) {
        return Err(AliasError::Device(segment.to_owned()));
    }
    Ok(())
}

/// A file path inside the output folder, `/`-separated and relative.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OutputPath(String);

impl OutputPath {
    /// The path as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for OutputPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_is_escaped_for_a_url_only_where_it_must_be() {
        assert!(matches!(
            UrlPath::from_static("docs/a-b_c.pdf").escaped(),
            Cow::Borrowed("docs/a-b_c.pdf")
        ));
        assert_eq!(
            UrlPath::from_static("docs/a b%#?\"é.pdf").escaped(),
            "docs/a%20b%25%23%3F%22%C3%A9.pdf"
        );
    }

    fn slug(s: &str) -> Slug {
        Slug::parse(s).unwrap()
    }

    #[test]
    fn sub_path_base_urls_prefix_every_link() {
        let base = BaseUrl::parse("https://user.github.io/repo").unwrap();
        assert_eq!(base.url(&UrlPath::brief(&slug("x"))), "/repo/briefs/x/");
        assert_eq!(base.abs_url(&UrlPath::home()), "https://user.github.io/repo/");
        assert_eq!(
            base.abs_url(&UrlPath::fixed("atom.xml")),
            "https://user.github.io/repo/atom.xml"
        );
    }

    #[test]
    fn root_and_path_only_base_urls() {
        assert_eq!(BaseUrl::parse("/").unwrap().url(&UrlPath::home()), "/");
        assert_eq!(BaseUrl::parse("https://example.com").unwrap().path(), "/");
        assert_eq!(
            BaseUrl::parse("/briefs").unwrap().url(&UrlPath::fixed("tags/")),
            "/briefs/tags/"
        );
    }

    #[test]
    fn bad_base_urls_are_refused() {
        for bad in [
            "ftp://x/",
            "example.com",
            "https:///x",
            "/a/../b",
            "/a b/",
            "https://x/\"><script>",
        ] {
            assert!(BaseUrl::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn folders_are_written_as_index_html() {
        assert_eq!(UrlPath::home().output_file().as_str(), "index.html");
        assert_eq!(
            UrlPath::paginated(&UrlPath::home(), 2).output_file().as_str(),
            "page/2/index.html"
        );
        assert_eq!(
            UrlPath::feed_in(&UrlPath::tag(&slug("a"))).output_file().as_str(),
            "tags/a/atom.xml"
        );
    }

    fn alias(text: &str) -> Result<String, AliasError> {
        UrlPath::alias(text).map(|p| p.output_file().as_str().to_owned())
    }

    #[test]
    fn aliases_are_written_where_hosts_look_them_up() {
        assert_eq!(
            alias("/2020/08/18/microsoft-foreign-cloud/"),
            Ok("2020/08/18/microsoft-foreign-cloud/index.html".to_owned())
        );
        assert_eq!(alias("/old-story"), Ok("old-story/index.html".to_owned()));
        assert_eq!(alias(" /old-story "), Ok("old-story/index.html".to_owned()));
        assert_eq!(alias("/news/old.html"), Ok("news/old.html".to_owned()));
        assert_eq!(alias("/news/OLD.HTM"), Ok("news/OLD.HTM".to_owned()));
        assert_eq!(alias("/story.php"), Ok("story.php/index.html".to_owned()));
        assert_eq!(alias("/Briefs/Old/"), Ok("Briefs/Old/index.html".to_owned()));
        assert_eq!(alias("/caf%C3%A9/"), Ok("café/index.html".to_owned()));
        assert_eq!(alias("/café/"), Ok("café/index.html".to_owned()));
        assert_eq!(alias("/a%20b/"), Ok("a b/index.html".to_owned()));
        assert_eq!(alias("/"), Ok("index.html".to_owned()));
        assert_eq!(alias("/wiki/Talk:JEDI"), Ok("wiki/Talk:JEDI/index.html".to_owned()));
    }

    #[test]
    fn aliases_that_leave_the_site_or_hide_are_refused() {
        use AliasError::*;
        let long = format!("/{}/", "a".repeat(256));
        let very_long = format!("/{}", "abc/".repeat(300));
        for (text, why) in [
            ("https://example.com/old/", Absolute),
            ("HTTP://example.com/old/", Absolute),
            ("//example.com/old/", Absolute),
            ("javascript:alert(1)", Absolute),
            ("old-story", Relative),
            ("briefs/old/", Relative),
            ("", Relative),
            ("/old story/", Blank(' ')),
            ("/old\u{7f}/", Blank('\u{7f}')),
            ("/old/?p=12", Query),
            ("/?p=12", Query),
            ("/old/#top", Fragment),
            ("/../etc/passwd", Climbs),
            ("/a/../../b/", Climbs),
            ("/a/%2e%2e/%2E%2E/b/", Climbs),
            ("/a/./b/", Hidden(".".to_owned())),
            ("/.git/config", Hidden(".git".to_owned())),
            ("/%2egit/", Hidden(".git".to_owned())),
            ("/.dossier-output", Hidden(".dossier-output".to_owned())),
            ("/a//b/", EmptySegment),
            ("/a\\b/", Separator),
            ("/a%2Fb/", Separator),
            ("/a%5c..%5cb/", Separator),
            ("/a%00b/", Blank('\0')),
            ("/a%0ab/", Blank('\n')),
            ("/a%zzb/", BadEscape),
            ("/a%2/", BadEscape),
            ("/a%+1/", BadEscape),
            ("/a%ff/", BadEscape),
            (long.as_str(), TooLong),
            (very_long.as_str(), TooLong),
            ("/con/", Device("con".to_owned())),
            ("/news/NUL.html", Device("NUL.html".to_owned())),
            ("/a/com1/", Device("com1".to_owned())),
        ] {
            assert_eq!(alias(text), Err(why.clone()), "{text:?}");
            assert!(!why.to_string().is_empty());
        }
    }

    #[test]
    fn full_addresses_on_the_site_give_their_alias() {
        let base = BaseUrl::parse("https://user.github.io/repo/").unwrap();
        let of = |url: &str| base.relative_path_of(url);
        assert_eq!(of("https://user.github.io/repo/2020/x/"), Some("/2020/x/".to_owned()));
        assert_eq!(
            of("https://USER.github.io/repo/x.html?p=1#top"),
            Some("/x.html".to_owned())
        );
        assert_eq!(of("https://user.github.io/repo"), Some("/".to_owned()));
        assert_eq!(of("https://user.github.io/other/x/"), None);
        assert_eq!(of("https://user.github.io/repository/x/"), None);
        assert_eq!(of("https://elsewhere.example/repo/x/"), None);
        assert_eq!(
            BaseUrl::parse("/repo/").unwrap().relative_path_of("https://h/repo/x/"),
            None
        );
        assert_eq!(split_address("//h.example"), Some(("//h.example", "/")));
        assert_eq!(split_address("old"), None);
    }

    #[test]
    fn template_paths_cannot_climb_out() {
        assert!(UrlPath::from_template("../etc/passwd").is_none());
        assert_eq!(UrlPath::from_template("/style.css").unwrap().as_str(), "style.css");
    }
}
