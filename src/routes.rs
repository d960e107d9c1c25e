//! Where everything lives: site paths, output files and the base URL.
//!
//! Every URL in the output is built here, from a [`UrlPath`] and the
//! [`BaseUrl`], so a site under a GitHub Pages project sub-path
//! (`https://user.github.io/repo/`) gets the prefix on every link, 404.html
//! included. Templates reach the same function through `url()`/`abs_url()`.
//!
//! Imports only [`crate::slug`], so `config`, which parses the base URL, and
//! every stage after it can use these types without importing `model`.

use std::fmt;

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
        UrlPath(format!("briefs/{slug}/"))
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

    /// The path as text, without leading slash.
    pub fn as_str(&self) -> &str {
        &self.0
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

    #[test]
    fn template_paths_cannot_climb_out() {
        assert!(UrlPath::from_template("../etc/passwd").is_none());
        assert_eq!(UrlPath::from_template("/style.css").unwrap().as_str(), "style.css");
    }
}
