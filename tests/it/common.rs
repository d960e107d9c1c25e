//! The integration tests' toolkit: a fixture site copied into a temporary
//! folder, the real `dossier` binary run against it, and checks on what it
//! wrote (pages parsed with scraper, every internal link followed, whole
//! output folders compared byte for byte).
//!
//! It only reads and writes inside its temporary folders and never looks at
//! dossier's internals: the tests see what a user sees.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use scraper::{Html, Selector};
use tempfile::TempDir;

/// A site in a temporary folder, deleted when dropped.
pub struct Site {
    _dir: TempDir,
    root: PathBuf,
}

impl Site {
    /// A copy of `tests/fixtures/<name>`.
    pub fn fixture(name: &str) -> Site {
        let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name);
        let dir = tempfile::tempdir().expect("a temporary folder");
        let root = dir.path().join(name);
        copy_tree(&source, &root);
        Site { _dir: dir, root }
    }

    /// The site folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// A path inside the site folder.
    pub fn path(&self, relative: &str) -> PathBuf {
        self.root.join(relative)
    }

    /// The default output folder, `public/`.
    pub fn public(&self) -> PathBuf {
        self.path("public")
    }

    /// Writes (or overwrites) a file, creating its folders.
    pub fn write(&self, relative: &str, text: &str) -> &Site {
        let path = self.path(relative);
        std::fs::create_dir_all(path.parent().expect("a file inside the site")).expect("create folders");
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        self
    }

    /// The text of a file of the site.
    pub fn read(&self, relative: &str) -> String {
        let path = self.path(relative);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
    }

    /// Replaces the one occurrence of `from` in a file with `to`.
    pub fn edit(&self, relative: &str, from: &str, to: &str) -> &Site {
        let text = self.read(relative);
        assert_eq!(
            text.matches(from).count(),
            1,
            "'{from}' should occur once in {relative}"
        );
        self.write(relative, &text.replacen(from, to, 1))
    }

    /// Deletes a file of the site.
    pub fn remove(&self, relative: &str) -> &Site {
        let path = self.path(relative);
        std::fs::remove_file(&path).unwrap_or_else(|e| panic!("cannot remove {}: {e}", path.display()));
        self
    }

    /// Runs `dossier build --root <site> <args>`.
    pub fn build(&self, args: &[&str]) -> Outcome {
        let output = match args.iter().position(|a| *a == "--output") {
            Some(i) => PathBuf::from(args[i + 1]),
            None => self.public(),
        };
        run(&self.root, "build", args, output)
    }

    /// Runs `dossier check --root <site>`.
    pub fn check(&self) -> Outcome {
        run(&self.root, "check", &[], self.public())
    }
}

/// Runs the real binary on a site folder.
pub fn run(root: &Path, command: &str, args: &[&str], output: PathBuf) -> Outcome {
    let result = Command::cargo_bin("dossier")
        .expect("the dossier binary")
        .arg(command)
        .arg("--root")
        .arg(root)
        .args(args)
        .output()
        .expect("dossier runs");
    let stderr = String::from_utf8(result.stderr).expect("stderr is UTF-8");
    assert_in_writers_words(&stderr);
    assert_in_writers_words(&String::from_utf8_lossy(&result.stdout));
    Outcome {
        status: result.status.code().expect("dossier exits with a status"),
        stderr,
        output,
    }
}

/// Panics if anything dossier said in `printed` uses Rust's or serde's words
/// for a type (`RawSource`, `struct`, `enum`, `u64`, `invalid type:`): every
/// message is for writers. The quoted lines of their files are not checked.
///
/// [`run`] calls it on every run, so every test that runs dossier through
/// this toolkit checks its messages.
#[track_caller]
pub fn assert_in_writers_words(printed: &str) {
    for line in printed.lines() {
        let quoted = line
            .trim_start()
            .trim_start_matches(|c: char| c.is_ascii_digit())
            .starts_with(" |")
            || line.trim_start().starts_with('|');
        if quoted {
            continue;
        }
        let internal = line.contains("invalid type:")
            || line.contains("unknown variant")
            || line
                .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .any(is_internal_word);
        assert!(
            !internal,
            "a message uses Rust's or serde's words:\n{line}\n\nin:\n{printed}"
        );
    }
}

/// Whether `word` is a Rust keyword or type name that only a program would say.
fn is_internal_word(word: &str) -> bool {
    let raw_type = word
        .strip_prefix("Raw")
        .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_uppercase()));
    raw_type
        || matches!(
            word,
            "struct" | "enum" | "u8" | "u16" | "u32" | "u64" | "usize" | "i32" | "i64" | "isize" | "f64"
        )
}

/// What a run of dossier did.
#[derive(Debug)]
pub struct Outcome {
    /// Exit status.
    pub status: i32,
    /// Everything printed on stderr.
    pub stderr: String,
    /// The output folder the run wrote (or would have written) to.
    pub output: PathBuf,
}

impl Outcome {
    /// Panics, showing stderr, unless the run exited with `status`.
    #[track_caller]
    pub fn assert_status(&self, status: i32) -> &Outcome {
        assert_eq!(
            self.status, status,
            "dossier exited with {} instead of {status}; stderr:\n{}",
            self.status, self.stderr
        );
        self
    }

    /// Panics, showing stderr, unless the run succeeded.
    #[track_caller]
    pub fn assert_success(&self) -> &Outcome {
        self.assert_status(0)
    }

    /// The path of an output file, relative to the output folder.
    pub fn file(&self, relative: &str) -> PathBuf {
        self.output.join(relative)
    }

    /// Whether the output holds this file.
    pub fn has(&self, relative: &str) -> bool {
        self.file(relative).is_file()
    }

    /// The text of an output file.
    #[track_caller]
    pub fn text(&self, relative: &str) -> String {
        let path = self.file(relative);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
    }

    /// The page at a site path (`""`, `briefs/x/`, `404.html`), parsed.
    #[track_caller]
    pub fn page(&self, site_path: &str) -> Page {
        let file = if site_path.is_empty() || site_path.ends_with('/') {
            format!("{site_path}index.html")
        } else {
            site_path.to_owned()
        };
        Page {
            html: Html::parse_document(&self.text(&file)),
        }
    }

    /// The diagnostic printed for `location` (`path:line:col`, or just `path`
    /// for a whole-file error): its header line, quoted source and help.
    #[track_caller]
    pub fn diagnostic(&self, location: &str) -> &str {
        let header = format!("error: {location}: ");
        match self.stderr.split("\n\n").find(|block| block.starts_with(&header)) {
            Some(block) => block,
            None => panic!("no error at {location}; stderr:\n{}", self.stderr),
        }
    }

    /// The warning printed for `location`, as [`Outcome::diagnostic`] finds errors.
    #[track_caller]
    pub fn warning(&self, location: &str) -> &str {
        let header = format!("warning: {location}: ");
        match self.stderr.split("\n\n").find(|block| block.starts_with(&header)) {
            Some(block) => block,
            None => panic!("no warning at {location}; stderr:\n{}", self.stderr),
        }
    }

    /// The first line of every error printed.
    pub fn errors(&self) -> Vec<&str> {
        self.stderr.lines().filter(|l| l.starts_with("error: ")).collect()
    }
}

/// A parsed HTML page.
pub struct Page {
    html: Html,
}

impl Page {
    /// The text of every element matching `css`, whitespace collapsed.
    pub fn texts(&self, css: &str) -> Vec<String> {
        self.html
            .select(&selector(css))
            .map(|e| {
                e.text()
                    .collect::<String>()
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    }

    /// The `attr` attribute of every element matching `css` that has it.
    pub fn attrs(&self, css: &str, attr: &str) -> Vec<String> {
        self.html
            .select(&selector(css))
            .filter_map(|e| e.value().attr(attr).map(str::to_owned))
            .collect()
    }

    /// The `href` of every element matching `css`.
    pub fn hrefs(&self, css: &str) -> Vec<String> {
        self.attrs(css, "href")
    }

    /// The distinct `href`s starting with `prefix` of the links inside `css`,
    /// in page order: what a section links to, whatever markup the theme uses.
    pub fn links(&self, css: &str, prefix: &str) -> Vec<String> {
        let mut links: Vec<String> = Vec::new();
        for href in self.attrs(&format!("{css} a[href]"), "href") {
            if href.starts_with(prefix) && !links.contains(&href) {
                links.push(href);
            }
        }
        links
    }

    /// Every attribute name used in the page, for hunting event handlers.
    pub fn attribute_names(&self) -> BTreeSet<String> {
        self.html
            .select(&selector("*"))
            .flat_map(|e| e.value().attrs().map(|(name, _)| name.to_owned()).collect::<Vec<_>>())
            .collect()
    }
}

fn selector(css: &str) -> Selector {
    Selector::parse(css).unwrap_or_else(|e| panic!("bad selector {css}: {e}"))
}

/// Every file of a folder and its bytes, by `/`-separated relative path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot(BTreeMap<String, Vec<u8>>);

impl Snapshot {
    /// Reads a whole folder; a missing folder is an empty snapshot.
    pub fn of(dir: &Path) -> Snapshot {
        let mut files = BTreeMap::new();
        if dir.exists() {
            for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
                let entry = entry.expect("a readable folder");
                if entry.file_type().is_file() {
                    let relative = entry.path().strip_prefix(dir).expect("inside the folder");
                    let relative = relative.to_string_lossy().replace('\\', "/");
                    files.insert(relative, std::fs::read(entry.path()).expect("a readable file"));
                }
            }
        }
        Snapshot(files)
    }

    /// The relative paths of the files.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }

    /// The files, path and bytes.
    pub fn files(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.0.iter().map(|(p, b)| (p.as_str(), b.as_slice()))
    }

    /// Panics, naming every added, removed or changed file, unless both are identical.
    #[track_caller]
    pub fn assert_same_as(&self, other: &Snapshot, what: &str) {
        let mut differences = Vec::new();
        for (path, bytes) in &self.0 {
            match other.0.get(path) {
                None => differences.push(format!("only in the first: {path}")),
                Some(b) if b != bytes => differences.push(format!("differs: {path}")),
                Some(_) => {}
            }
        }
        differences.extend(
            other
                .0
                .keys()
                .filter(|p| !self.0.contains_key(*p))
                .map(|p| format!("only in the second: {p}")),
        );
        assert!(differences.is_empty(), "{what}:\n{}", differences.join("\n"));
    }

    /// Panics unless `dir` still holds exactly these files.
    #[track_caller]
    pub fn assert_unchanged(&self, dir: &Path) {
        self.assert_same_as(&Snapshot::of(dir), &format!("{} changed", dir.display()));
    }
}

/// Follows every internal link of a built site and panics listing each one
/// that leads nowhere.
///
/// Links are the `href`/`src` of `a`, `link`, `script` and `img` in HTML
/// files and the `href`s and `<loc>`s of XML files. `base_url` is the one the
/// site was built with: absolute URLs under it are internal, root-relative
/// URLs must start with its path (`/` or `/repo/`), relative URLs resolve
/// against the page (and are refused in `404.html`, which is served at any
/// missing URL). Folder URLs map to `index.html`; a `#fragment` must name an
/// element id of the target page.
#[track_caller]
pub fn assert_links_resolve(output: &Path, base_url: &str) {
    let base = Base::parse(base_url);
    let site = Snapshot::of(output);
    let mut ids: HashMap<&str, BTreeSet<String>> = HashMap::new();
    let mut links: Vec<(&str, String)> = Vec::new();
    for (path, bytes) in site.files() {
        if path.ends_with(".html") {
            let html = Html::parse_document(&String::from_utf8_lossy(bytes));
            ids.insert(path, element_ids(&html));
            links.extend(html_links(&html).into_iter().map(|l| (path, l)));
        } else if path.ends_with(".xml") {
            links.extend(
                xml_links(&String::from_utf8_lossy(bytes))
                    .into_iter()
                    .map(|l| (path, l)),
            );
        }
    }
    assert!(
        ids.contains_key("index.html"),
        "no index.html in {}: not a built site",
        output.display()
    );
    let broken: Vec<String> = links
        .iter()
        .filter_map(|(page, link)| {
            let why = match base.target(page, link) {
                Ok(None) => return None,
                Ok(Some((file, fragment))) => missing(&site, &ids, &file, &fragment)?,
                Err(why) => why,
            };
            Some(format!("{page}: {link}: {why}"))
        })
        .collect();
    assert!(
        broken.is_empty(),
        "{} broken links in {} (base_url {base_url}):\n{}",
        broken.len(),
        output.display(),
        broken.join("\n")
    );
}

/// Why a resolved link is broken, if it is.
fn missing(site: &Snapshot, ids: &HashMap<&str, BTreeSet<String>>, file: &str, fragment: &str) -> Option<String> {
    let file = if file.is_empty() || file.ends_with('/') {
        format!("{file}index.html")
    } else if !site.0.contains_key(file) && site.0.contains_key(&format!("{file}/index.html")) {
        format!("{file}/index.html")
    } else {
        file.to_owned()
    };
    if !site.0.contains_key(&file) {
        return Some(format!("no file {file}"));
    }
    if fragment.is_empty() {
        return None;
    }
    match ids.get(file.as_str()) {
        Some(page_ids) if page_ids.contains(fragment) => None,
        Some(_) => Some(format!("{file} has no element with id '{fragment}'")),
        None => Some(format!("#{fragment} points into {file}, which is not an HTML page")),
    }
}

fn html_links(html: &Html) -> Vec<String> {
    let mut links = Vec::new();
    for (tag, attr) in [("a", "href"), ("link", "href"), ("script", "src"), ("img", "src")] {
        let elements = selector(&format!("{tag}[{attr}]"));
        links.extend(
            html.select(&elements)
                .filter_map(|e| e.value().attr(attr).map(str::to_owned)),
        );
    }
    links
}

fn element_ids(html: &Html) -> BTreeSet<String> {
    let (ids, names) = (selector("[id]"), selector("a[name]"));
    let ids = html.select(&ids).filter_map(|e| e.value().attr("id"));
    let names = html.select(&names).filter_map(|e| e.value().attr("name"));
    ids.chain(names).map(str::to_owned).collect()
}

/// `href="…"` attributes and `<loc>…</loc>` elements of an XML file,
/// unescaped. Links inside escaped HTML content (`&lt;a href=…`) are not
/// attributes of the feed and are left out.
fn xml_links(xml: &str) -> Vec<String> {
    let mut links = Vec::new();
    for (open, close) in [("href=\"", "\""), ("<loc>", "</loc>")] {
        let mut rest = xml;
        while let Some(start) = rest.find(open) {
            rest = &rest[start + open.len()..];
            let end = rest.find(close).expect("a closed attribute or element");
            links.push(unescape_xml(&rest[..end]));
            rest = &rest[end..];
        }
    }
    links
}

fn unescape_xml(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// A base URL split into origin (`https://host`, or empty) and path (`/repo/`).
struct Base {
    origin: String,
    path: String,
}

impl Base {
    fn parse(base_url: &str) -> Base {
        let (origin, path) = match base_url.split_once("://") {
            Some((scheme, rest)) => {
                let host_end = rest.find('/').unwrap_or(rest.len());
                (format!("{scheme}://{}", &rest[..host_end]), &rest[host_end..])
            }
            None => (String::new(), base_url),
        };
        let path = format!("/{}/", path.trim_matches('/')).replace("//", "/");
        Base { origin, path }
    }

    /// The output file (relative, before mapping folders to `index.html`) and
    /// fragment a link on `page` leads to; `None` for a link leaving the site.
    fn target(&self, page: &str, link: &str) -> Result<Option<(String, String)>, String> {
        let (url, fragment) = link.split_once('#').unwrap_or((link, ""));
        let url = url.split_once('?').map_or(url, |(u, _)| u);
        let scheme = url.split_once(':').map(|(s, _)| s).filter(|s| !s.contains('/'));
        let site_path = match scheme {
            Some("http" | "https") => match self.own_path(url) {
                Some(path) if path.starts_with(&self.path) || format!("{path}/") == self.path => {
                    path.get(self.path.len()..).unwrap_or("").to_owned()
                }
                Some(_) => return Err(format!("on the site's host but outside the base path {}", self.path)),
                None => return Ok(None),
            },
            Some("mailto" | "tel") => return Ok(None),
            Some(other) => return Err(format!("unexpected '{other}:' scheme")),
            None if url.starts_with("//") => return Ok(None),
            None if url.is_empty() && !fragment.is_empty() => page.to_owned(),
            None if url.is_empty() => return Err("empty link".to_owned()),
            None if url.starts_with('/') => match url.strip_prefix(&self.path) {
                Some(rest) => rest.to_owned(),
                None if format!("{url}/") == self.path => String::new(),
                None => return Err(format!("root-relative but outside the base path {}", self.path)),
            },
            None if page == "404.html" => {
                return Err("relative link in 404.html, which is served at any missing URL".to_owned());
            }
            None => relative_to(page, url)?,
        };
        Ok(Some((site_path, fragment.to_owned())))
    }

    /// The path of an absolute URL on the site's own origin; `None` for other hosts.
    fn own_path<'u>(&self, url: &'u str) -> Option<&'u str> {
        if self.origin.is_empty() {
            return None;
        }
        url.strip_prefix(&self.origin)
            .filter(|path| path.is_empty() || path.starts_with('/'))
    }
}

/// Resolves a relative URL against the folder of the page that holds it.
fn relative_to(page: &str, url: &str) -> Result<String, String> {
    let mut segments: Vec<&str> = page.split('/').collect();
    segments.pop();
    let ends_in_folder = url.ends_with('/') || url.ends_with("/.") || url.ends_with("/..") || url == "..";
    for segment in url.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop().ok_or("climbs above the site root")?;
            }
            s => segments.push(s),
        }
    }
    let mut path = segments.join("/");
    if ends_in_folder && !path.is_empty() {
        path.push('/');
    }
    Ok(path)
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from).sort_by_file_name() {
        let entry = entry.unwrap_or_else(|e| panic!("cannot read the fixture {}: {e}", from.display()));
        let target = to.join(entry.path().strip_prefix(from).expect("inside the fixture"));
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).expect("create a folder");
        } else {
            std::fs::copy(entry.path(), &target).expect("copy a fixture file");
        }
    }
}
