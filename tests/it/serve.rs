//! `dossier serve` over real HTTP: a temporary site with a GitHub Pages
//! project base_url, the real binary on a free loopback port, and plain
//! HTTP/1.1 requests written by hand (so paths such as `/repo/../x` reach the
//! server exactly as typed, with no client normalising them).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a change may take to show; generous for slow CI machines.
const WAIT: Duration = Duration::from_secs(10);

const CONFIG: &str = "title: Serve Test\nbase_url: https://user.github.io/repo/\n";

const BRIEF: &str = "---
title: First Brief
date: 2020-01-01
companies: [Acme]
---
Original text of the first brief.
";

const COMPANY: &str = "---
name: Acme
---
Acme makes everything.
";

/// A site in a temporary folder.
struct Site {
    _dir: tempfile::TempDir,
    root: PathBuf,
}

impl Site {
    fn new() -> Site {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let root = dir.path().join("site");
        let site = Site { _dir: dir, root };
        site.write("dossier.yaml", CONFIG);
        site.write("content/briefs/2020-01-01-first.md", BRIEF);
        site.write("content/companies/acme.md", COMPANY);
        site.write("static/notes.txt", "static notes\n");
        site
    }

    fn write(&self, relative: &str, text: &str) {
        let path = self.root.join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// Saves like an editor that writes a temporary file and renames it over the original.
    fn save_atomically(&self, relative: &str, text: &str) {
        let path = self.root.join(relative);
        let temp = path.with_file_name(".dossier-test.tmp");
        std::fs::write(&temp, text).unwrap();
        std::fs::rename(&temp, &path).unwrap();
    }
}

/// A running `dossier serve`, killed when dropped.
struct Server {
    child: Child,
    base: String,
    addr: String,
    log: Arc<Mutex<String>>,
}

impl Server {
    fn start(root: &Path) -> Server {
        Server::start_with(root, &[])
    }

    /// `dossier serve --port 0 --root ROOT ARGS…`.
    fn start_with(root: &Path, args: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_dossier"))
            .args(["serve", "--port", "0", "--root"])
            .arg(root)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("dossier serve starts");
        let stderr = child.stderr.take().unwrap();
        let log = Arc::new(Mutex::new(String::new()));
        let (url_tx, url_rx) = mpsc::channel();
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(rest) = line.strip_prefix("Serving http://") {
                    let _ = url_tx.send(rest.split_whitespace().next().unwrap_or_default().to_owned());
                }
                let mut log = sink.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
        let mut server = Server {
            child,
            base: String::new(),
            addr: String::new(),
            log,
        };
        let url = url_rx
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("serve did not start:\n{}", server.log()));
        let slash = url.find('/').unwrap();
        server.addr = url[..slash].to_owned();
        server.base = url[slash..].to_owned();
        server
    }

    fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// Waits until the terminal output holds `text`: the line about a
    /// rebuild is printed as its pages are swapped in, not before.
    fn wait_for_log(&self, text: &str) {
        let start = Instant::now();
        while !self.log().contains(text) {
            assert!(
                start.elapsed() < WAIT,
                "'{text}' not printed within {WAIT:?}:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    fn get(&self, path: &str) -> Response {
        self.request("GET", path)
    }

    fn request(&self, method: &str, path: &str) -> Response {
        self.send(method, &self.addr, path)
    }

    /// A GET naming `host` in its Host header.
    fn request_as(&self, host: &str, path: &str) -> Response {
        self.send("GET", host, path)
    }

    fn send(&self, method: &str, host: &str, path: &str) -> Response {
        let mut stream = TcpStream::connect(&self.addr).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).unwrap();
        Response::parse(&raw)
    }

    /// Polls `path` until `done` holds for its response, or fails after [`WAIT`].
    fn wait_for(&self, path: &str, what: &str, done: impl Fn(&Response) -> bool) -> Response {
        let start = Instant::now();
        loop {
            let response = self.get(path);
            if done(&response) {
                return response;
            }
            if start.elapsed() > WAIT {
                panic!(
                    "{what}: not seen within {WAIT:?}\nlast response: {} {}\nserver log:\n{}",
                    response.status,
                    response.body,
                    self.log()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Opens the reload events stream.
    fn events(&self) -> BufReader<TcpStream> {
        let mut stream = TcpStream::connect(&self.addr).unwrap();
        stream.set_read_timeout(Some(WAIT)).unwrap();
        write!(
            stream,
            "GET {}__dossier/events HTTP/1.1\r\nHost: {}\r\n\r\n",
            self.base, self.addr
        )
        .unwrap();
        let mut reader = BufReader::new(stream);
        wait_for_line(&mut reader, "event: hello");
        reader
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads lines until one equals `wanted` (the read timeout bounds the wait).
fn wait_for_line(reader: &mut impl BufRead, wanted: &str) {
    let mut line = String::new();
    loop {
        line.clear();
        match reader.read_line(&mut line) {
            Ok(0) => panic!("the events stream closed before '{wanted}'"),
            Ok(_) if line.trim_end() == wanted => return,
            Ok(_) => {}
            Err(e) => panic!("no '{wanted}' on the events stream: {e}"),
        }
    }
}

struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Response {
    fn parse(raw: &[u8]) -> Response {
        let split = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("a complete response head");
        let head = String::from_utf8_lossy(&raw[..split]).into_owned();
        let mut lines = head.split("\r\n");
        let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        let mut body = raw[split + 4..].to_vec();
        if headers.iter().any(|(k, v)| k == "transfer-encoding" && v == "chunked") {
            body = dechunk(&body);
        }
        Response {
            status,
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
        }
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    fn has_overlay(&self) -> bool {
        self.body.contains("id=\"dossier-errors\"")
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(end) = data.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(String::from_utf8_lossy(&data[..end]).trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.extend_from_slice(&data[end + 2..end + 2 + size]);
        data = &data[end + 2 + size + 2..];
    }
    out
}

#[test]
fn serves_the_site_under_the_base_url_path() {
    let site = Site::new();
    let server = Server::start(&site.root);
    assert_eq!(server.base, "/repo/");

    let home = server.get("/repo/");
    assert_eq!(home.status, 200);
    assert_eq!(home.header("content-type"), Some("text/html; charset=utf-8"));
    assert!(home.body.contains("First Brief"), "{}", home.body);
    assert!(
        home.body.contains("/repo/__dossier/events"),
        "the reload script is injected"
    );
    assert!(!home.has_overlay());

    let root = server.get("/");
    assert_eq!((root.status, root.header("location")), (307, Some("/repo/")));
    let folder = server.get("/repo/briefs/first");
    assert_eq!(
        (folder.status, folder.header("location")),
        (307, Some("/repo/briefs/first/"))
    );

    let brief = server.get("/repo/briefs/first/");
    assert_eq!(brief.status, 200);
    assert!(brief.body.contains("Original text of the first brief."));

    let css = server.request("HEAD", "/repo/style.css");
    assert_eq!(css.status, 200);
    assert_eq!(css.header("content-type"), Some("text/css; charset=utf-8"));
    assert!(css.body.is_empty(), "HEAD has no body");
    assert_ne!(css.header("content-length"), Some("0"));
    let notes = server.get("/repo/notes.txt");
    assert_eq!((notes.status, notes.body.as_str()), (200, "static notes\n"));
    let feed = server.get("/repo/atom.xml");
    assert_eq!(feed.header("content-type"), Some("application/atom+xml; charset=utf-8"));
    assert!(!feed.body.contains("__dossier"), "scripts go into HTML only");

    let missing = server.get("/repo/no/such/page/");
    assert_eq!(missing.status, 404);
    assert!(
        missing.body.contains("</html>"),
        "the site's 404.html: {}",
        missing.body
    );
    assert_eq!(server.get("/briefs/first/").status, 404, "outside the base path");
    assert_eq!(server.get("/repo/briefs/").status, 404, "no directory listing");
    assert_eq!(server.request("POST", "/repo/").status, 405);
    assert!(!site.root.join("public").exists(), "serve never writes public/");
}

#[test]
fn traversal_is_answered_404() {
    let site = Site::new();
    let server = Server::start(&site.root);
    for path in [
        "/repo/../dossier.yaml",
        "/repo/%2e%2e/dossier.yaml",
        "/repo/..%2fdossier.yaml",
        "/repo/%2E%2E%2Fdossier.yaml",
        "/repo/..%5cdossier.yaml",
        "/repo/briefs/first/../../../dossier.yaml",
        "/repo/../content/briefs/2020-01-01-first.md",
        "/repo/content/briefs/2020-01-01-first.md",
        "/repo/static/notes.txt",
        "/../dossier.yaml",
        "/repo/%00",
    ] {
        let response = server.get(path);
        assert_eq!(response.status, 404, "{path}");
        assert!(
            !response.body.contains("base_url") && !response.body.contains("Original text"),
            "{path} leaked a source file"
        );
    }
}

#[test]
fn edits_reload_and_errors_show_over_the_last_good_site() {
    let site = Site::new();
    let server = Server::start(&site.root);
    let page = "/repo/briefs/first/";
    let mut events = server.events();

    // An edit is rebuilt, served, and announced.
    site.save_atomically(
        "content/briefs/2020-01-01-first.md",
        &BRIEF.replace("Original text", "Edited text"),
    );
    wait_for_line(&mut events, "event: reload");
    server.wait_for(page, "the edited text", |r| r.body.contains("Edited text"));
    // A new first paragraph is the brief's stand-in summary, shown in every
    // listing: a full rebuild. A paragraph after it changes only the body,
    // and the watcher named the file: a quick rebuild.
    site.save_atomically(
        "content/briefs/2020-01-01-first.md",
        &BRIEF
            .replace("Original text", "Edited text")
            .replace("first brief.\n", "first brief.\n\nA second paragraph.\n"),
    );
    wait_for_line(&mut events, "event: reload");
    server.wait_for(page, "the second paragraph", |r| r.body.contains("A second paragraph"));
    server.wait_for_log("content/briefs/2020-01-01-first.md changed: updated ");
    assert_plain_build_lines(&server.log());

    // A typo in a company name: the old page stays, with the overlay on it.
    site.save_atomically(
        "content/briefs/2020-01-01-first.md",
        &BRIEF
            .replace("Original text", "Edited text")
            .replace("[Acme]", "[Acmee]"),
    );
    let broken = server.wait_for(page, "the error overlay", Response::has_overlay);
    assert_eq!(broken.status, 200);
    assert!(
        broken.body.contains("Edited text"),
        "the last good page is still served"
    );
    assert!(
        broken.body.contains("content/briefs/2020-01-01-first.md:4:"),
        "the overlay gives file:line:col:\n{}",
        broken.body
    );
    assert!(broken.body.contains("Acmee"));
    assert!(server.get("/repo/no/such/").has_overlay(), "every HTML page shows it");
    assert!(!server.get("/repo/style.css").has_overlay(), "HTML only");
    assert!(
        server.log().contains("unknown company 'Acmee'"),
        "printed in the terminal too"
    );

    // The fix clears it.
    site.write(
        "content/briefs/2020-01-01-first.md",
        &BRIEF.replace("Original text", "Fixed text"),
    );
    let fixed = server.wait_for(page, "the fixed page", |r| {
        r.body.contains("Fixed text") && !r.has_overlay()
    });
    assert_eq!(fixed.status, 200);

    // Editor droppings and the output folder do not trigger builds.
    std::thread::sleep(Duration::from_millis(300)); // let the fix's last events settle
    let builds = server.log().matches(" changed: ").count();
    site.write("content/briefs/.first.md.swp", "swap");
    site.write("content/briefs/first.md~", "backup");
    site.write("public/index.html", "not ours");
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(server.log().matches(" changed: ").count(), builds, "{}", server.log());
    std::fs::remove_dir_all(site.root.join("public")).unwrap();
}

/// Every line about a build reads plainly: `Built 3 pages in 40 ms` first,
/// then `content/x.md changed: updated 2 pages in 9 ms` (or `no page
/// changed`, or `build failed`).
#[track_caller]
fn assert_plain_build_lines(log: &str) {
    let mut builds = 0;
    for line in log.lines() {
        if let Some(rest) = line.strip_prefix("Built ") {
            let words: Vec<&str> = rest.split(' ').collect();
            assert!(
                matches!(words.as_slice(), [n, "pages", "in", ms, "ms"] if n.parse::<u32>().is_ok() && ms.parse::<u32>().is_ok()),
                "{line}"
            );
            builds += 1;
        } else if let Some((_, outcome)) = line.split_once(" changed: ") {
            let words: Vec<&str> = outcome.split(' ').collect();
            let plain = match words.as_slice() {
                ["updated", n, "page" | "pages", "in", _, "ms"] => n.parse::<u32>().is_ok(),
                ["no", "page", "changed", _, "ms)"] => true,
                ["build", "failed", ..] => true,
                _ => false,
            };
            assert!(plain, "{line}");
            builds += 1;
        }
    }
    assert!(builds >= 2, "no build lines in:\n{log}");
}

#[test]
fn base_url_flag_serves_under_its_path() {
    let site = Site::new();
    let server = Server::start_with(&site.root, &["--base-url", "https://example.com/news/"]);
    assert_eq!(server.base, "/news/");
    let home = server.get("/news/");
    assert_eq!(home.status, 200);
    assert!(home.body.contains("href=\"/news/briefs/first/\""), "{}", home.body);
    assert!(!home.body.contains("/repo/"), "dossier.yaml's base_url is overridden");
    assert_eq!(server.get("/repo/").status, 404);
    let root = server.get("/");
    assert_eq!((root.status, root.header("location")), (307, Some("/news/")));

    // A base_url that is no URL is a usage error.
    let output = Command::new(env!("CARGO_BIN_EXE_dossier"))
        .args(["serve", "--port", "0", "--base-url", "not a url", "--root"])
        .arg(&site.root)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    crate::common::assert_in_writers_words(&stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("invalid --base-url"), "{stderr}");
}

#[test]
fn a_site_that_does_not_build_yet_is_served_with_its_errors() {
    let site = Site::new();
    site.write(
        "content/briefs/2020-01-01-first.md",
        &BRIEF.replace("[Acme]", "[Nobody]"),
    );
    let server = Server::start(&site.root);
    let first = server.get("/repo/");
    assert_eq!(first.status, 503);
    assert!(first.has_overlay(), "{}", first.body);
    site.write("content/briefs/2020-01-01-first.md", BRIEF);
    server.wait_for("/repo/", "the first good build", |r| {
        r.status == 200 && !r.has_overlay()
    });
}

#[test]
fn a_taken_port_is_reported_with_a_free_one() {
    let site = Site::new();
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let output = Command::new(env!("CARGO_BIN_EXE_dossier"))
        .args(["serve", "--port", &port, "--root"])
        .arg(&site.root)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    crate::common::assert_in_writers_words(&stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("already in use"), "{stderr}");
    assert!(
        stderr.contains("dossier serve --port "),
        "suggests a free port: {stderr}"
    );
}

/// DNS rebinding: a page whose name resolves to 127.0.0.1 must not read
/// the server, so a request naming a host other than localhost or an IP
/// address is refused, unless the host is allowed with `--allow-host`.
#[test]
fn a_forged_host_is_refused() {
    let site = Site::new();
    let server = Server::start(&site.root);
    let port = server.addr.rsplit_once(':').unwrap().1.to_owned();
    let page = server.base.clone();
    for host in [format!("evil.example:{port}"), format!("localhost.evil.example:{port}")] {
        let response = server.request_as(&host, &page);
        assert_eq!(response.status, 403, "{host}: {}", response.body);
        assert!(response.body.contains("--allow-host"), "{}", response.body);
    }
    for host in [
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
        server.addr.clone(),
    ] {
        assert_eq!(server.request_as(&host, &page).status, 200, "{host}");
    }
    drop(server);
    let server = Server::start_with(&site.root, &["--allow-host", "dev.example"]);
    assert_eq!(server.request_as("dev.example", &page).status, 200);
    assert_eq!(server.request_as("evil.example", &page).status, 403);
}

#[test]
fn binding_beyond_loopback_warns() {
    let site = Site::new();
    let server = Server::start_with(&site.root, &["--bind", "0.0.0.0"]);
    assert!(server.log().contains("warning: --bind 0.0.0.0"), "{}", server.log());
}
