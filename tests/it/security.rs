//! Security (issue 5): raw HTML sanitising and URL-scheme filtering against
//! the OWASP XSS filter evasion cheat sheet, escaping of every front matter
//! and config value in HTML, Atom and JSON-LD, and an output writer that
//! never follows a symlink out of its folder, never deletes a folder without
//! dossier's marker and refuses the site root, its ancestors, `/` and the
//! home folder even with `--force`.
//!
//! Every output file is scanned twice: with a real HTML parser (elements,
//! attribute names and URL values) and as raw text (tags that can only exist
//! unescaped, and `javascript:` or `on…=` inside a tag), so a parser
//! differential cannot hide a vector. Feeds are scanned after unescaping
//! their `type="html"` content, which is what a feed reader renders.
//!
//! Tests marked `#[ignore = "bug: …"]` document behaviour that is wrong in
//! dossier today; RELIABILITY.md lists them.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::common::{Site, Snapshot};

const BRIEF: &str = "content/briefs/2021-06-01-vectors.md";
const TIMEOUT: Duration = Duration::from_secs(90);

/// Raw HTML vectors from the OWASP XSS filter evasion cheat sheet (and a few
/// mutation-XSS classics), one per paragraph. Unterminated ones come last,
/// since they swallow what follows into one HTML block.
const RAW_VECTORS: &[&str] = &[
    r#"<SCRIPT SRC=https://xss.rocks/xss.js></SCRIPT>"#,
    r#"<IMG SRC="javascript:alert('XSS');">"#,
    r#"<IMG SRC=javascript:alert('XSS')>"#,
    r#"<IMG SRC=JaVaScRiPt:alert('XSS')>"#,
    r#"<a onmouseover="alert(document.cookie)">xxs link</a>"#,
    r#"<a onmouseover=alert(document.cookie)>xxs link</a>"#,
    r#"<IMG """><SCRIPT>alert("XSS")</SCRIPT>"\>"#,
    r#"<IMG SRC=javascript:alert(String.fromCharCode(88,83,83))>"#,
    r#"<IMG SRC=# onmouseover="alert('xxs')">"#,
    r#"<IMG SRC= onmouseover="alert('xxs')">"#,
    r#"<IMG onmouseover="alert('xxs')">"#,
    r#"<IMG SRC=/ onerror="alert(String.fromCharCode(88,83,83))"></img>"#,
    r#"<img src=x onerror="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058&#0000097&#0000108&#0000101&#0000114&#0000116&#0000040&#0000039&#0000088&#0000083&#0000083&#0000039&#0000041">"#,
    r#"<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;&#101;&#114;&#116;&#40;&#39;&#88;&#83;&#83;&#39;&#41;>"#,
    r#"<IMG SRC=&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058&#0000097&#0000108&#0000101&#0000114&#0000116&#0000040&#0000039&#0000088&#0000083&#0000083&#0000039&#0000041>"#,
    r#"<IMG SRC=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A&#x61&#x6C&#x65&#x72&#x74&#x28&#x27&#x58&#x53&#x53&#x27&#x29>"#,
    "<IMG SRC=\"jav\tascript:alert('XSS');\">",
    r#"<IMG SRC="jav&#x09;ascript:alert('XSS');">"#,
    r#"<IMG SRC="jav&#x0A;ascript:alert('XSS');">"#,
    r#"<IMG SRC="jav&#x0D;ascript:alert('XSS');">"#,
    r#"<IMG SRC=" &#14;  javascript:alert('XSS');">"#,
    r#"<SCRIPT/XSS SRC="http://xss.rocks/xss.js"></SCRIPT>"#,
    r#"<BODY onload!#$%&()*~+-_.,:;?@[/|\]^`=alert("XSS")>"#,
    r#"<SCRIPT/SRC="http://xss.rocks/xss.js"></SCRIPT>"#,
    r#"<<SCRIPT>alert("XSS");//\<</SCRIPT>"#,
    r#"</TITLE><SCRIPT>alert("XSS");</SCRIPT>"#,
    r#"<INPUT TYPE="IMAGE" SRC="javascript:alert('XSS');">"#,
    r#"<BODY BACKGROUND="javascript:alert('XSS')">"#,
    r#"<IMG DYNSRC="javascript:alert('XSS')">"#,
    r#"<IMG LOWSRC="javascript:alert('XSS')">"#,
    r#"<svg/onload=alert('XSS')>"#,
    r#"<svg><script>alert(1)</script></svg>"#,
    r#"<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>"#,
    r#"<IFRAME SRC="javascript:alert('XSS');"></IFRAME>"#,
    r#"<BR SIZE="&{alert('XSS')}">"#,
    r#"<LINK REL="stylesheet" HREF="javascript:alert('XSS');">"#,
    r#"<META HTTP-EQUIV="refresh" CONTENT="0;url=javascript:alert('XSS');">"#,
    r#"<META HTTP-EQUIV="refresh" CONTENT="0;url=data:text/html base64,PHNjcmlwdD5hbGVydCgnWFNTJyk8L3NjcmlwdD4K">"#,
    r#"<TABLE BACKGROUND="javascript:alert('XSS')"><TR><TD>x</TD></TR></TABLE>"#,
    r#"<DIV STYLE="background-image: url(javascript:alert('XSS'))">x</DIV>"#,
    r#"<DIV STYLE="width: expression(alert('XSS'));">x</DIV>"#,
    r#"<OBJECT TYPE="text/x-scriptlet" DATA="http://xss.rocks/scriptlet.html"></OBJECT>"#,
    r#"<EMBED SRC="data:image/svg+xml;base64,PHN2ZyB4bWxuczpzdmc9Imh0dH A6Ly93d3cudzMub3JnLzIwMDAvc3ZnIiB4bWxucz0iaHR0cDovL3d3dy53My5vcmcv MjAwMC9zdmciIHhtbG5zOnhsaW5rPSJodHRwOi8vd3d3LnczLm9yZy8xOTk5L3hs aW5rIiB2ZXJzaW9uPSIxLjAiIHg9IjAiIHk9IjAiIHdpZHRoPSIxOTQiIGhlaWdodD0iMjAw IiBpZD0ieHNzIj48c2NyaXB0IHR5cGU9InRleHQvZWNtYXNjcmlwdCI+YWxlcnQoIlh TUyIpOzwvc2NyaXB0Pjwvc3ZnPg==" type="image/svg+xml" AllowScriptAccess="always"></EMBED>"#,
    r#"<a href="javascript:alert(1)">a</a> <a href="&#1;javascript:alert(1)">b</a> <a href=" javascript:alert(1)">c</a>"#,
    r#"<a href="vbscript:msgbox(1)">v</a> <a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">d</a>"#,
    r#"<details open ontoggle=alert(1)><summary>s</summary></details>"#,
    r#"<form><button formaction=javascript:alert(1)>X</button></form>"#,
    r#"<object data="javascript:alert(1)"></object>"#,
    r#"<base href="javascript:alert(1)//">"#,
    r#"<abbr title="x" onclick="alert(1)" style="x:expression(alert(1))">abbr</abbr>"#,
    r#"<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>"#,
    r#"<noscript><p title="</noscript><img src=x onerror=alert(1)>">"#,
    r#"<STYLE>li {list-style-image: url("javascript:alert('XSS')");}</STYLE><UL><LI>XSS</br>"#,
    r#"<iframe src=http://xss.rocks/scriptlet.html <"#,
    r#"<SCRIPT SRC=http://xss.rocks/xss.js?< B >"#,
];

/// URL targets that must be refused wherever a link can be written.
const URL_VECTORS: &[&str] = &[
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "java&#x09;script:alert(1)",
    "jav&#x0A;ascript:alert(1)",
    "&#106;avascript:alert(1)",
    "&#x6A;&#x61;vascript:alert(1)",
    "javascript&colon;alert(1)",
    "vbscript:msgbox(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "DATA:text/html,x",
];

// ------------------------------------------------------------------ runs

/// What one run of dossier did.
struct Run {
    code: Option<i32>,
    stderr: String,
}

impl Run {
    #[track_caller]
    fn assert_code(&self, code: i32) -> &Run {
        assert!(!self.stderr.contains("panicked"), "dossier panicked:\n{}", self.stderr);
        assert_eq!(
            self.code,
            Some(code),
            "dossier exited with {:?} instead of {code}; stderr:\n{}",
            self.code,
            self.stderr
        );
        self
    }

    /// The first line of every error.
    fn errors(&self) -> Vec<&str> {
        self.stderr.lines().filter(|l| l.starts_with("error: ")).collect()
    }
}

fn run(args: &[&std::ffi::OsStr], env: &[(&str, &Path)]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_dossier"));
    cmd.args(args).stdin(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = assert_cmd::Command::from_std(cmd)
        .timeout(TIMEOUT)
        .output()
        .expect("dossier runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    crate::common::assert_in_writers_words(&stderr);
    Run {
        code: out.status.code(),
        stderr,
    }
}

fn build(root: &Path, extra: &[&str]) -> Run {
    let mut args: Vec<&std::ffi::OsStr> = vec!["build".as_ref(), "--root".as_ref(), root.as_os_str()];
    args.extend(extra.iter().map(|a| std::ffi::OsStr::new(*a)));
    run(&args, &[])
}

fn build_to(root: &Path, output: &Path, force: bool) -> Run {
    let mut args: Vec<&std::ffi::OsStr> = vec![
        "build".as_ref(),
        "--root".as_ref(),
        root.as_os_str(),
        "--output".as_ref(),
        output.as_os_str(),
    ];
    if force {
        args.push("--force".as_ref());
    }
    run(&args, &[])
}

// --------------------------------------------------------------- scanning

fn lower(text: &str) -> String {
    text.to_ascii_lowercase()
}

/// A URL value with browser-ignored characters removed, lowercased.
fn cleaned(value: &str) -> String {
    value
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect::<String>()
        .to_ascii_lowercase()
}

const DANGEROUS_ELEMENTS: &[&str] = &[
    "script", "iframe", "frame", "object", "embed", "svg", "math", "base", "form", "style", "link", "meta",
];

/// A root-relative URL of the site itself (never another host) in plain
/// characters, ending in `end`.
fn is_site_url(url: &str, end: &str) -> bool {
    url.starts_with('/')
        && !url.starts_with("//")
        && url.ends_with(end)
        && url.chars().all(|c| c.is_ascii_alphanumeric() || "/-_.".contains(c))
}

/// The external scripts the default theme links, from the site itself:
/// its click-to-load players (`embed.js`, every page) and the search page's
/// script (`search.js`).
fn is_theme_script(src: &str) -> bool {
    is_site_url(src, "/embed.js") || is_site_url(src, "/search.js")
}

/// The default theme's search forms (the masthead's and the search page's):
/// a GET to the site's own search page, with no other attribute than these.
fn is_search_form<'a>(attrs: impl Iterator<Item = (&'a str, &'a str)>) -> bool {
    let mut required = 0;
    for (name, value) in attrs {
        let allowed = match name {
            "class" => value == "masthead-search" || value == "search-form",
            "role" => value == "search",
            "action" => is_site_url(value, "/search/"),
            "method" => value == "get",
            "hidden" => value.is_empty(),
            _ => false,
        };
        if !allowed {
            return false;
        }
        required += usize::from(["role", "action", "method"].contains(&name));
    }
    required == 3
}

/// Problems in an HTML document or fragment, found with a real parser.
/// Allowed: the `<script>`, `<link>` and `<meta>` the theme itself writes,
/// and the refresh of dossier's redirect pages, which leads at once to a
/// root-relative page of the site (a refresh elsewhere is a danger).
fn parsed_dangers(html: &scraper::Html) -> Vec<String> {
    let mut found = Vec::new();
    for element in html.select(&scraper::Selector::parse("*").unwrap()) {
        let el = element.value();
        let name = el.name();
        let theme_owned = match name {
            "script" => {
                (el.attr("type") == Some("application/ld+json") && el.attrs().count() == 1)
                    || (el.attr("src").is_some_and(is_theme_script)
                        && el.attr("defer").is_some()
                        && el.attrs().count() == 2)
            }
            "form" => is_search_form(el.attrs()),
            "link" => el
                .attr("href")
                .is_some_and(|h| h.starts_with("/") || h.starts_with("https://fixture.example/")),
            "meta" => match el.attr("http-equiv") {
                None => true,
                Some(equiv) => {
                    let content = el.attr("content").unwrap_or("");
                    let target = content.strip_prefix("0; url=").unwrap_or("");
                    equiv == "refresh" && target.starts_with('/') && !target.starts_with("//")
                }
            },
            _ => false,
        };
        if DANGEROUS_ELEMENTS.contains(&name) && !theme_owned {
            found.push(format!("a <{name}> element"));
        }
        for (attr, value) in el.attrs() {
            let attr = lower(attr);
            if attr.starts_with("on") || attr == "srcdoc" || attr == "formaction" {
                found.push(format!("{attr}= on <{name}>"));
            }
            let url = cleaned(value);
            if ["javascript:", "vbscript:", "data:"].iter().any(|s| url.starts_with(s)) {
                found.push(format!("{attr}={value:?} on <{name}>"));
            }
            if attr == "style" && (url.contains("expression(") || url.contains("javascript:") || url.contains("url(")) {
                found.push(format!("style={value:?} on <{name}>"));
            }
        }
    }
    found
}

/// Every tag in raw markup (with its attributes), skipping quoted values' `>`.
fn raw_tags(text: &str) -> Vec<&str> {
    let bytes = text.as_bytes();
    let mut tags = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'<' && bytes.get(i + 1).is_some_and(|b| b.is_ascii_alphabetic() || *b == b'/') {
            let start = i;
            let mut quote = None;
            i += 1;
            while i < bytes.len() {
                match (quote, bytes[i]) {
                    (None, b'"' | b'\'') => quote = Some(bytes[i]),
                    (Some(q), b) if b == q => quote = None,
                    (None, b'>') => break,
                    _ => {}
                }
                i += 1;
            }
            tags.push(&text[start..i.min(text.len())]);
        }
        i += 1;
    }
    tags
}

/// A tag with its quoted attribute values blanked out, and those values.
fn split_quoted(tag: &str) -> (String, Vec<&str>) {
    let mut bare = String::with_capacity(tag.len());
    let mut values = Vec::new();
    let mut rest = tag;
    while let Some(at) = rest.find(['"', '\'']) {
        let quote = rest[at..].chars().next().unwrap_or('"');
        bare.push_str(&rest[..at]);
        let inner = &rest[at + 1..];
        let end = inner.find(quote).unwrap_or(inner.len());
        values.push(&inner[..end]);
        bare.push_str("\"\"");
        rest = inner.get(end + 1..).unwrap_or("");
    }
    bare.push_str(rest);
    (bare, values)
}

/// The attributes of a raw tag split by [`split_quoted`]: each name with its
/// quoted value, or with "" when it has none (`hidden`).
fn raw_attrs<'a>(bare: &'a str, values: &'a [&'a str]) -> impl Iterator<Item = (&'a str, &'a str)> {
    let mut values = values.iter();
    bare.split_whitespace()
        .skip(1)
        .map(move |attr| match attr.strip_suffix("=\"\"") {
            Some(name) => (name, values.next().copied().unwrap_or("")),
            None => (attr, ""),
        })
}

/// Problems visible in raw markup: tags that can only be there unescaped,
/// event handlers and unquoted script URLs inside a tag, and quoted
/// attribute values that are script URLs or CSS expressions.
fn raw_dangers(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for tag in raw_tags(text) {
        let t = lower(tag);
        let name: String = t[1..].chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
        let theme_script = t
            .strip_prefix("<script src=\"")
            .and_then(|rest| rest.strip_suffix("\" defer"))
            .is_some_and(is_theme_script);
        if name == "script" && t != "<script type=\"application/ld+json\"" && !theme_script {
            found.push(format!("raw {tag:?}"));
        }
        let (bare, values) = split_quoted(&t);
        let search_form = name == "form" && is_search_form(raw_attrs(&bare, &values));
        if ["iframe", "svg", "object", "embed", "math", "base", "form", "frame"].contains(&name.as_str())
            && !search_form
        {
            found.push(format!("raw {tag:?}"));
        }
        if bare.contains("javascript:") || bare.contains("vbscript:") || bare.contains("srcdoc") {
            found.push(format!("raw {tag:?}"));
        }
        for value in values {
            let url = cleaned(
                &value
                    .replace("&#x9;", "")
                    .replace("&#9;", "")
                    .replace("&#10;", "")
                    .replace("&#13;", ""),
            );
            if ["javascript:", "vbscript:", "data:"].iter().any(|s| url.starts_with(s)) || url.contains("expression(") {
                found.push(format!("raw script value in {tag:?}"));
            }
        }
        let mut rest = bare.as_str();
        while let Some(at) = rest.find("on") {
            let before = rest[..at].chars().last();
            let word: String = rest[at + 2..].chars().take_while(|c| c.is_ascii_alphabetic()).collect();
            let after = rest[at + 2 + word.len()..].trim_start();
            if before.is_some_and(|c| c.is_whitespace() || c == '/' || c == '"' || c == '\'')
                && !word.is_empty()
                && after.starts_with('=')
            {
                found.push(format!("raw event handler in {tag:?}"));
            }
            rest = &rest[at + 2..];
        }
    }
    found
}

/// The text of every `<script type="application/ld+json">` block, cut where a
/// browser would end it (at the first `</script`).
fn json_ld_blocks(html: &str) -> Vec<&str> {
    const OPEN: &str = "<script type=\"application/ld+json\">";
    let mut blocks = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find(OPEN) {
        rest = &rest[start + OPEN.len()..];
        let end = lower(rest).find("</script").unwrap_or(rest.len());
        blocks.push(&rest[..end]);
        rest = &rest[end..];
    }
    blocks
}

fn unescape_xml(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&amp;", "&")
}

/// The HTML a feed reader renders: every element with `type="html"`, unescaped.
fn feed_html(xml: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (open, close) in [
        ("<content type=\"html\">", "</content>"),
        ("<summary type=\"html\">", "</summary>"),
    ] {
        let mut rest = xml;
        while let Some(start) = rest.find(open) {
            rest = &rest[start + open.len()..];
            let end = rest.find(close).expect("a closed element");
            out.push(unescape_xml(&rest[..end]));
            rest = &rest[end..];
        }
    }
    out
}

/// Scans every file of a built site; returns `path: problem` lines.
fn scan_output(output: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    for (path, bytes) in Snapshot::of(output).files() {
        let text = String::from_utf8_lossy(bytes);
        let mut found = Vec::new();
        if path.ends_with(".html") {
            found.extend(parsed_dangers(&scraper::Html::parse_document(&text)));
            found.extend(raw_dangers(&text));
            for block in json_ld_blocks(&text) {
                if let Err(e) = serde_json::from_str::<serde_json::Value>(block) {
                    found.push(format!("JSON-LD that does not parse ({e}): {block:.200}"));
                }
            }
        } else if path.ends_with(".xml") {
            found.extend(raw_dangers(&text));
            for html in feed_html(&text) {
                found.extend(parsed_dangers(&scraper::Html::parse_fragment(&html)));
                found.extend(raw_dangers(&html));
            }
        } else if path.ends_with(".json") || path.ends_with(".txt") {
            found.extend(raw_dangers(&text));
        }
        problems.extend(found.into_iter().map(|f| format!("{path}: {f}")));
    }
    problems
}

#[track_caller]
fn assert_clean(output: &Path) {
    let problems = scan_output(output);
    assert!(
        problems.is_empty(),
        "{} dangers in the output:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

// ------------------------------------------------------------- raw HTML

#[test]
fn the_scanner_allows_only_the_themes_scripts_and_search_forms() {
    let dir = tempfile::tempdir().unwrap();
    let page = |head: &str, body: &str| format!("<html><head>{head}</head><body>{body}<p>x</p></body></html>");
    std::fs::write(
        dir.path().join("index.html"),
        page(
            "<script src=\"/repo/embed.js\" defer></script><script src=\"/repo/search.js\" defer></script>",
            "<form class=\"masthead-search\" role=\"search\" action=\"/repo/search/\" method=\"get\"><input name=\"q\"></form>\
             <form class=\"search-form\" role=\"search\" action=\"/repo/search/\" method=\"get\" hidden></form>",
        ),
    )
    .unwrap();
    assert!(scan_output(dir.path()).is_empty(), "{:?}", scan_output(dir.path()));
    for bad in [
        "<script src=\"https://evil.example/embed.js\" defer></script>",
        "<script src=\"//evil.example/embed.js\" defer></script>",
        "<script src=\"/other.js\" defer></script>",
        "<script src=\"/embed.js\" defer>alert(1)</script><script>alert(2)</script>",
        "<script src=\"/embed.js\" defer onload=\"x()\"></script>",
        "<script src=\"//evil.example/search.js\" defer></script>",
        "<iframe src=\"https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ\"></iframe>",
    ] {
        std::fs::write(dir.path().join("index.html"), page(bad, "")).unwrap();
        assert!(!scan_output(dir.path()).is_empty(), "missed {bad}");
    }
    for bad in [
        "<form action=\"https://evil.example/search/\" role=\"search\" method=\"get\"></form>",
        "<form class=\"search-form\" role=\"search\" action=\"/search/\" method=\"post\"></form>",
        "<form class=\"search-form\" role=\"search\" action=\"/login/\" method=\"get\"></form>",
        "<form class=\"search-form\" role=\"search\" action=\"/search/\" method=\"get\" target=\"x\"></form>",
        "<form class=\"search-form\" role=\"search\" action=\"/search/\" method=\"get\" onsubmit=alert(1)></form>",
        "<form></form>",
    ] {
        std::fs::write(dir.path().join("index.html"), page("", bad)).unwrap();
        assert!(!scan_output(dir.path()).is_empty(), "missed {bad}");
    }
}

#[test]
fn the_scanner_finds_what_it_looks_for() {
    let dir = tempfile::tempdir().unwrap();
    let page = "<html><head><script type=\"application/ld+json\">{\"a\":\"</script><script>alert(1)</script>\"}</script></head>\
                <meta http-equiv=\"refresh\" content=\"0; url=//evil.example/\"><meta http-equiv=\"set-cookie\" content=\"a=b\">\
                <body><p title=x onclick=alert(1)>a</p><a href=\" java\tscript:x\">b</a><svg></svg><td style=\"x:expression(1)\"></td></body></html>";
    std::fs::write(dir.path().join("index.html"), page).unwrap();
    std::fs::write(
        dir.path().join("atom.xml"),
        "<feed><entry><content type=\"html\">&lt;img src=x onerror=alert(1)&gt;</content></entry></feed>",
    )
    .unwrap();
    let problems = scan_output(dir.path()).join("\n");
    for expected in [
        "index.html: a <script> element",
        "index.html: onclick= on <p>",
        "index.html: href=\" java\\tscript:x\" on <a>",
        "index.html: a <svg> element",
        "index.html: a <meta> element",
        "index.html: JSON-LD that does not parse",
        "index.html: raw event handler",
        "atom.xml: onerror= on <img>",
    ] {
        assert!(
            problems.contains(expected),
            "the scanner missed {expected:?}:\n{problems}"
        );
    }
    assert_eq!(
        problems.matches("index.html: a <meta> element").count(),
        2,
        "a refresh elsewhere and any other http-equiv are dangers:\n{problems}"
    );
    let _ = std::fs::remove_file(dir.path().join("atom.xml"));
    std::fs::write(
        dir.path().join("index.html"),
        "<p>Click on=the button; javascript: is text.</p>",
    )
    .unwrap();
    assert!(scan_output(dir.path()).is_empty(), "text is not a danger");
}

fn sanitizing_site() -> Site {
    let site = Site::fixture("site");
    let config = std::fs::read_to_string(site.path("dossier.yaml")).unwrap();
    site.write("dossier.yaml", &format!("{config}raw_html: sanitize\n"));
    site
}

#[test]
fn owasp_vectors_in_raw_html_never_reach_any_output_file() {
    assert!(RAW_VECTORS.len() >= 30);
    let body: String = RAW_VECTORS
        .iter()
        .enumerate()
        .map(|(i, v)| format!("Vector {i}:\n\n{v}\n\n"))
        .collect();
    let site = sanitizing_site();
    let text = format!("---\ntitle: Vectors\ndate: 2021-06-01\ncompanies: [AWS]\n---\n{body}");
    site.write(BRIEF, &text);
    site.write(
        "content/pages/vectors.md",
        &format!("---\ntitle: Vector page\n---\n{body}"),
    );
    let company = std::fs::read_to_string(site.path("content/companies/amazon-web-services.md")).unwrap();
    site.write(
        "content/companies/amazon-web-services.md",
        &format!("{company}\n{body}"),
    );
    build(site.root(), &[]).assert_code(0);
    let page = std::fs::read_to_string(site.public().join("briefs/vectors/index.html")).unwrap();
    assert!(
        page.contains("Vector 0:") && page.contains("xxs link"),
        "the body was rendered"
    );
    assert_clean(&site.public());
}

/// pulldown-cmark's heading attributes (`{onclick=…}`, enabled by
/// ENABLE_HEADING_ATTRIBUTES) write any attribute; with no raw HTML event in
/// the body the sanitizer never runs (markdown.rs: `if has_raw_html`).
#[test]
fn heading_attributes_cannot_add_event_handlers() {
    let site = sanitizing_site();
    site.write(
        BRIEF,
        "---\ntitle: Headings\ndate: 2021-06-01\n---\n# Click {onclick=alert(1)}\n\n\
         ## Hover {#h .c onmouseover=\"alert(2)\" style=\"background:url(javascript:alert(3))\"}\n",
    );
    build(site.root(), &[]).assert_code(0);
    assert_clean(&site.public());
}

#[test]
fn heading_attributes_cannot_add_event_handlers_in_escape_mode() {
    let site = Site::fixture("site");
    let config = std::fs::read_to_string(site.path("dossier.yaml")).unwrap();
    site.write("dossier.yaml", &format!("{config}raw_html: escape\n"));
    site.write(
        BRIEF,
        "---\ntitle: Headings\ndate: 2021-06-01\n---\n# Click {onclick=alert(1)}\n",
    );
    build(site.root(), &[]).assert_code(0);
    assert_clean(&site.public());
}

/// The sanitizer allows `style` on `td`/`th` (for table alignment) without
/// filtering properties: `expression()`, `url(javascript:)` and full-page
/// `position: fixed` overlays pass.
#[test]
fn table_cell_styles_are_filtered() {
    let site = sanitizing_site();
    site.write(
        BRIEF,
        "---\ntitle: Cells\ndate: 2021-06-01\n---\n\
         <table><tr><td style=\"width: expression(alert(1)); background: url(javascript:alert(2))\">x</td>\
         <th style=\"position: fixed; top: 0; left: 0; width: 100%; height: 100%\">y</th></tr></table>\n",
    );
    build(site.root(), &[]).assert_code(0);
    assert_clean(&site.public());
    let page = std::fs::read_to_string(site.public().join("briefs/vectors/index.html")).unwrap();
    assert!(!page.contains("position: fixed"), "a page-covering overlay");
}

#[test]
fn markdown_tables_keep_their_alignment_under_sanitize() {
    let site = sanitizing_site();
    site.write(
        BRIEF,
        "---\ntitle: Table\ndate: 2021-06-01\n---\n| a | b |\n|:-|-:|\n| 1 | 2 |\n\n<abbr title=\"x\">X</abbr>\n",
    );
    build(site.root(), &[]).assert_code(0);
    let page = std::fs::read_to_string(site.public().join("briefs/vectors/index.html")).unwrap();
    assert!(page.contains("<abbr title=\"x\">X</abbr>"), "harmless tags stay");
    assert!(
        page.contains("text-align: right") || page.contains("text-align:right"),
        "alignment stays"
    );
    assert_clean(&site.public());
}

// ----------------------------------------------------------- link targets

/// Each vector as an inline link, an image, a reference definition, an
/// autolink and a link in angle brackets: one error at each line, nothing
/// written.
#[test]
fn dangerous_link_targets_are_refused_at_their_line() {
    let mut lines = Vec::new();
    for (i, v) in URL_VECTORS.iter().enumerate() {
        lines.push(format!("[inline {i}]({v})"));
        lines.push(format!("![image {i}]({v})"));
        lines.push(format!("[ref {i}][r{i}]\n\n[r{i}]: {v}"));
        lines.push(format!("[angle {i}](<{v}>)"));
        if !v.contains('&') {
            lines.push(format!("<{v}>"));
        }
    }
    let site = Site::fixture("site");
    build(site.root(), &[]).assert_code(0);
    let before = Snapshot::of(&site.public());
    let header = "---\ntitle: Links\ndate: 2021-06-01\n---\n";
    let mut text = header.to_owned();
    let mut expected_lines = Vec::new();
    let mut line = header.lines().count() + 1;
    for l in &lines {
        expected_lines.push(line);
        text.push_str(l);
        text.push_str("\n\n");
        line += l.lines().count() + 1;
    }
    site.write(BRIEF, &text);
    let out = build(site.root(), &[]);
    out.assert_code(1);
    let errors = out.errors();
    for (l, at) in lines.iter().zip(&expected_lines) {
        let location = format!("error: {BRIEF}:{at}:");
        assert!(
            errors.iter().any(|e| e.starts_with(&location) && e.contains("refused")),
            "no refusal for {l:?} at line {at}:\n{}",
            out.stderr
        );
    }
    before.assert_unchanged(&site.public());
}

#[test]
fn dangerous_source_and_website_urls_are_refused_at_their_line() {
    let site = Site::fixture("site");
    build(site.root(), &[]).assert_code(0);
    let before = Snapshot::of(&site.public());
    let sources: String = URL_VECTORS
        .iter()
        .enumerate()
        .map(|(i, v)| format!("  - name: S{i}\n    url: \"{v}\"\n"))
        .collect();
    site.write(
        BRIEF,
        &format!("---\ntitle: Sources\ndate: 2021-06-01\nsources:\n{sources}---\nBody.\n"),
    );
    site.write(
        "content/companies/evil.md",
        "---\nname: Evil Corp\nwebsite: \" javascript:alert(1)\"\n---\n",
    );
    let out = build(site.root(), &[]);
    out.assert_code(1);
    for (i, vector) in URL_VECTORS.iter().enumerate() {
        let location = format!("error: {BRIEF}:{}:", 6 + 2 * i);
        assert!(
            out.errors().iter().any(|e| e.starts_with(&location)),
            "no error for {vector:?} at {location}:\n{}",
            out.stderr
        );
    }
    assert!(
        out.errors()
            .iter()
            .any(|e| e.starts_with("error: content/companies/evil.md:3:")),
        "{}",
        out.stderr
    );
    before.assert_unchanged(&site.public());
}

// --------------------------------------------------------- escaped values

/// A value that breaks out of HTML text, attributes, comments, CDATA, XML and
/// JSON-LD if any of them is left unescaped; `tag` keeps names unique.
fn hostile(tag: &str) -> String {
    format!("</script><script>alert('{tag}')</script><img src=x onerror=alert(1)>\"'&amp;<!--]]>{tag}\u{2028}")
}

fn yaml(value: &str) -> String {
    serde_json::to_string(value).expect("a JSON string is a YAML string")
}

#[test]
fn every_front_matter_and_config_value_is_escaped_in_html_xml_and_json_ld() {
    let site = Site::fixture("site");
    site.write(
        "dossier.yaml",
        &format!(
            "title: {}\ndescription: {}\nauthor: {}\nlanguage: {}\nbase_url: https://fixture.example/\n",
            yaml(&hostile("site")),
            yaml(&hostile("desc")),
            yaml(&hostile("author")),
            yaml("en\"><script>alert('lang')</script>"),
        ),
    );
    let title = hostile("title");
    site.write(
        BRIEF,
        &format!(
            "---\ntitle: {}\ndate: 2021-06-01\nsummary: {}\nauthor: {}\naliases: [/old/vectors/]\ntags: [{}, {}]\ncompanies: [{}]\n\
             contracts: [{}]\nsources:\n  - name: {}\n    url: {}\ncorrections:\n  - date: 2021-06-02\n    note: {}\n---\nBody.\n",
            yaml(&title),
            yaml(&hostile("summary")),
            yaml(&hostile("brief-author")),
            yaml(&hostile("tag")),
            yaml("</script>"),
            yaml(&hostile("company")),
            yaml(&hostile("contract")),
            yaml(&hostile("source")),
            yaml("https://example.com/?q=\"><script>alert('url')</script>"),
            yaml(&hostile("correction")),
        ),
    );
    site.write(
        "content/companies/hostile-co.md",
        &format!(
            "---\nname: {}\naliases: [{}, /old/hostile-co.html]\nticker: {}\nheadquarters: {}\nwebsite: {}\n---\nProfile.\n",
            yaml(&hostile("company")),
            yaml(&hostile("alias")),
            yaml(&hostile("ticker")),
            yaml(&hostile("hq")),
            yaml("https://example.com/\"><script>alert('web')</script>"),
        ),
    );
    site.write(
        "content/contracts/hostile-deal.md",
        &format!(
            "---\nname: {}\naliases: [{}]\nagency: {}\nvalue: {{ amount: 1, currency: {} }}\nawarded_to: [{}]\n\
             status: open\ntimeline:\n  - {{ date: 2021-01-01, event: {} }}\n---\nBackground.\n",
            yaml(&hostile("contract")),
            yaml(&hostile("contract-alias")),
            yaml(&hostile("agency")),
            yaml(&hostile("currency")),
            yaml(&hostile("company")),
            yaml(&hostile("event")),
        ),
    );
    site.write(
        "content/pages/hostile-page.md",
        &format!(
            "---\ntitle: {}\nsummary: {}\naliases: [/old/hostile-page/]\n---\nPage.\n",
            yaml(&hostile("page")),
            yaml(&hostile("page-summary"))
        ),
    );
    build(site.root(), &[]).assert_code(0);
    assert_clean(&site.public());
    for redirect in [
        "old/vectors/index.html",
        "old/hostile-co.html",
        "old/hostile-page/index.html",
    ] {
        assert!(site.public().join(redirect).is_file(), "no redirect at {redirect}");
    }

    let snapshot = Snapshot::of(&site.public());
    for (path, bytes) in snapshot.files() {
        let text = String::from_utf8_lossy(bytes);
        for raw in ["<script>alert(", "<img src=x", "<!--]]>", "\"><script>"] {
            assert!(!text.contains(raw), "{path} holds an unescaped {raw:?}");
        }
    }
    let brief = std::fs::read_to_string(site.public().join("briefs/vectors/index.html")).unwrap();
    let blocks = json_ld_blocks(&brief);
    assert_eq!(blocks.len(), 1, "one JSON-LD block on a brief page");
    let json: serde_json::Value = serde_json::from_str(blocks[0]).expect("the JSON-LD block is whole");
    assert_eq!(json["headline"], title.as_str(), "the title survives the round trip");
    assert_eq!(json["publisher"]["name"], hostile("site").as_str());
    let doc = scraper::Html::parse_document(&brief);
    let h1: String = doc
        .select(&scraper::Selector::parse("h1").unwrap())
        .map(|e| e.text().collect::<String>())
        .find(|t| t.contains("alert('title')"))
        .expect("the headline");
    assert_eq!(h1, title, "the headline shows the title as text");
    let company = std::fs::read_to_string(site.public().join("companies/hostile-co/index.html")).unwrap();
    for block in json_ld_blocks(&company) {
        serde_json::from_str::<serde_json::Value>(block).expect("the company JSON-LD is whole");
    }
    let feed = std::fs::read_to_string(site.public().join("atom.xml")).unwrap();
    assert!(
        feed.contains("<title>&lt;/script&gt;&lt;script&gt;alert(&#39;title&#39;)")
            || feed.contains("<title>&lt;/script&gt;&lt;script&gt;alert(&#x27;title&#x27;)")
            || feed.contains("<title>&lt;/script&gt;&lt;script&gt;alert('title')"),
        "the feed entry's title is escaped text"
    );
}

// ----------------------------------------------------------------- writer

/// A folder with a file in a sub-folder, standing for someone's data.
fn victim() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(data.join("nested")).unwrap();
    std::fs::write(data.join("keep.txt"), "precious").unwrap();
    std::fs::write(data.join("nested/keep.txt"), "precious too").unwrap();
    (dir, data)
}

#[cfg(unix)]
#[test]
fn a_symlink_inside_the_previous_output_is_never_followed() {
    let (_v, data) = victim();
    let site = Site::fixture("site");
    build(site.root(), &[]).assert_code(0);
    let before = Snapshot::of(&data);
    // The link is listed in the marker, as if dossier had written it.
    std::os::unix::fs::symlink(&data, site.public().join("briefs/linked")).unwrap();
    let marker = site.public().join(".dossier-output");
    let text = std::fs::read_to_string(&marker).unwrap();
    std::fs::write(&marker, format!("{text}briefs/linked\n")).unwrap();
    build(site.root(), &[]).assert_code(0);
    before.assert_unchanged(&data);
    // Not listed: the output is foreign, refused, and kept with --force.
    std::os::unix::fs::symlink(&data, site.public().join("linked")).unwrap();
    build(site.root(), &[]).assert_code(2);
    build(site.root(), &["--force"]).assert_code(0);
    before.assert_unchanged(&data);
}

/// An output path that is a symlink to another dossier output: replacing it
/// must not delete anything through the link (output.rs `remove_tree` reads
/// the moved-aside symlink with `read_dir`, which follows it, and deletes the
/// target's sub-folders).
#[cfg(unix)]
#[test]
fn an_output_symlink_is_never_followed_when_replacing_it() {
    let site = Site::fixture("site");
    let elsewhere = tempfile::tempdir().unwrap();
    let served = elsewhere.path().join("www");
    build_to(site.root(), &served, false).assert_code(0);
    let before = Snapshot::of(&served);
    std::os::unix::fs::symlink(&served, site.public()).unwrap();
    let out = build(site.root(), &[]);
    assert!(matches!(out.code, Some(0 | 2)), "{:?}: {}", out.code, out.stderr);
    before.assert_unchanged(&served);
}

#[test]
fn a_folder_with_a_git_checkout_is_never_replaced_without_force() {
    let site = Site::fixture("site");
    build(site.root(), &[]).assert_code(0);
    // The branch-deploy workflow: `git init` inside public/.
    std::fs::create_dir_all(site.public().join(".git/refs")).unwrap();
    std::fs::write(site.public().join(".git/HEAD"), "ref: refs/heads/gh-pages\n").unwrap();
    let before = Snapshot::of(&site.public());
    let out = build(site.root(), &[]);
    out.assert_code(2);
    assert!(
        out.stderr.contains("refusing to replace") && out.stderr.contains(".git"),
        "{}",
        out.stderr
    );
    before.assert_unchanged(&site.public());
    let out = build(site.root(), &["--force"]);
    out.assert_code(0);
    let backup = site.path("public.backup-0");
    assert_eq!(
        std::fs::read_to_string(backup.join(".git/HEAD")).unwrap(),
        "ref: refs/heads/gh-pages\n"
    );
}

#[test]
fn a_folder_without_the_marker_is_never_deleted() {
    let site = Site::fixture("site");
    std::fs::create_dir_all(site.public().join("drafts/2021/june")).unwrap();
    let out = build(site.root(), &[]);
    match out.code {
        Some(2) => assert!(site.public().join("drafts/2021/june").is_dir()),
        _ => {
            out.assert_code(0);
            let kept = site.public().join("drafts/2021/june").is_dir()
                || site.path("public.backup-0/drafts/2021/june").is_dir();
            assert!(kept, "the writer's folders were deleted");
        }
    }
}

/// Everything in `dir`, for proving nothing moved.
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .collect();
    names.sort();
    names
}

#[test]
fn the_site_root_its_ancestors_root_and_home_are_refused_even_with_force() {
    let base = tempfile::tempdir().unwrap();
    let home = base.path().join("home");
    std::fs::create_dir_all(home.join("notes")).unwrap();
    std::fs::write(home.join("notes/todo.txt"), "mine").unwrap();
    let site_parent = base.path().join("work");
    std::fs::create_dir_all(&site_parent).unwrap();
    let fixture = Site::fixture("site");
    let root = site_parent.join("site");
    std::fs::rename(fixture.root(), &root).unwrap();
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(&root, base.path().join("to-root")).unwrap();
        std::os::unix::fs::symlink(&home, base.path().join("to-home")).unwrap();
        std::os::unix::fs::symlink("/", base.path().join("to-slash")).unwrap();
    }
    let before_root = listing(&root);
    let before_base = listing(base.path());
    let home_snapshot = Snapshot::of(&home);
    let mut targets: Vec<PathBuf> = vec![
        root.clone(),
        root.join("."),
        site_parent.clone(),
        base.path().to_owned(),
        PathBuf::from("/"),
        home.clone(),
        root.join("content"),
        root.join("content/briefs"),
    ];
    #[cfg(unix)]
    targets.extend([
        base.path().join("to-root"),
        base.path().join("to-home"),
        base.path().join("to-slash"),
    ]);
    for target in &targets {
        let mut args: Vec<&std::ffi::OsStr> = vec!["build".as_ref(), "--root".as_ref(), root.as_os_str()];
        args.extend(["--output".as_ref(), target.as_os_str(), "--force".as_ref()]);
        let out = run(&args, &[("HOME", &home)]);
        out.assert_code(2);
        assert!(
            out.stderr.contains("refusing to write the site into"),
            "{}: not refused as protected:\n{}",
            target.display(),
            out.stderr
        );
        assert_eq!(listing(&root), before_root, "{} changed the site", target.display());
        assert_eq!(
            listing(base.path()),
            before_base,
            "{} changed the base",
            target.display()
        );
        home_snapshot.assert_unchanged(&home);
    }
}

#[cfg(unix)]
#[test]
fn a_static_symlink_pointing_outside_the_site_is_not_published() {
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("id_rsa");
    std::fs::write(&secret, "STATIC-SECRET-9931").unwrap();
    let site = Site::fixture("site");
    build(site.root(), &[]).assert_code(0);
    let before = Snapshot::of(&site.public());
    std::os::unix::fs::symlink(&secret, site.path("static/key.txt")).unwrap();
    std::fs::create_dir_all(site.path("templates")).unwrap();
    std::os::unix::fs::symlink(&secret, site.path("templates/404.html")).unwrap();
    let out = build(site.root(), &[]);
    if out.code == Some(1) {
        assert!(out.stderr.contains("static/key.txt"), "{}", out.stderr);
        before.assert_unchanged(&site.public());
    } else {
        out.assert_code(0);
        let leaks: Vec<String> = Snapshot::of(&site.public())
            .files()
            .filter(|(_, b)| String::from_utf8_lossy(b).contains("STATIC-SECRET"))
            .map(|(p, _)| p.to_owned())
            .collect();
        assert!(leaks.is_empty(), "published from outside the site: {leaks:?}");
    }
}

/// `--output site/missing/..` names the site root through a folder that does
/// not exist yet: output.rs `absolute` only canonicalizes the existing part,
/// so the first check passes, the build runs, `missing/` is created, and only
/// the check in `Staging::finish` refuses it, leaving the folder behind.
#[test]
fn an_ancestor_named_through_a_missing_folder_is_refused_up_front() {
    let site = Site::fixture("site");
    let before = listing(site.root());
    for target in ["public/..", "missing/..", "missing/../.."] {
        let out = build_to(site.root(), &site.path(target), true);
        out.assert_code(2);
        assert!(
            out.stderr.contains("refusing to write the site into"),
            "{target}: {}",
            out.stderr
        );
        assert!(!out.stderr.contains("Built"), "{target}: refused before building");
        assert_eq!(listing(site.root()), before, "{target} changed the site");
    }
}
