//! The HTTP side of `serve`: answers GET and HEAD from the in-memory site,
//! under the base_url's path, and streams reload events to browsers.
//!
//! A request path is matched against the site's output paths and nothing
//! else: there is no directory listing, `.`/`..` segments (plain or
//! percent-encoded) are answered 404, and no file is read from disk unless
//! the build listed that exact path as a static asset.

use std::convert::Infallible;
use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use futures_util::stream::{self, Stream, StreamExt};
use tokio::sync::broadcast::error::RecvError;

use super::hosts::AllowedHosts;
use super::inject::{self, EVENTS_PATH};
use super::site::{Live, SiteFiles, Snapshot, Stored};
use crate::render::search::MANIFEST_PATH;

/// The server's routes: everything goes through one GET (and HEAD) handler;
/// other methods get 405. Requests naming a host not in `hosts` get 403.
pub fn router(live: Arc<Live>, hosts: AllowedHosts) -> Router {
    let served = Served {
        live,
        hosts: Arc::new(hosts),
    };
    Router::new().fallback_service(get(handle).with_state(served))
}

/// What the handler reads: the site, and the hosts it answers to.
#[derive(Clone)]
struct Served {
    live: Arc<Live>,
    hosts: Arc<AllowedHosts>,
}

/// What a request path names.
#[derive(Debug, PartialEq, Eq)]
pub enum Resolution {
    /// The reload events stream.
    Events,
    /// An output file, by its output path.
    File(String),
    /// Somewhere else: the base path, or a folder URL with its trailing slash.
    Redirect(String),
    /// Nothing.
    NotFound,
}

/// Maps a raw (still percent-encoded) request path to what it names in `site`,
/// served under `base` (`/` or `/repo/`).
pub fn resolve(base: &str, raw: &str, site: &SiteFiles) -> Resolution {
    let Some(rest) = raw.strip_prefix(base) else {
        return if raw == "/" || raw == base.trim_end_matches('/') {
            Resolution::Redirect(base.to_owned())
        } else {
            Resolution::NotFound
        };
    };
    let Some(path) = percent_decode(rest) else {
        return Resolution::NotFound;
    };
    if path.split('/').any(|s| s == ".." || s == ".") || path.contains(['\\', '\0']) {
        return Resolution::NotFound;
    }
    if path == EVENTS_PATH {
        return Resolution::Events;
    }
    if path.is_empty() || path.ends_with('/') {
        let key = format!("{path}index.html");
        return match site.contains(&key) {
            true => Resolution::File(key),
            false => Resolution::NotFound,
        };
    }
    if site.contains(&path) {
        Resolution::File(path)
    } else if site.contains(&format!("{path}/index.html")) {
        Resolution::Redirect(format!("{raw}/"))
    } else {
        Resolution::NotFound
    }
}

/// Decodes `%XX` escapes; `None` for a malformed escape or text that is not UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The Content-Type for an output path, by extension.
pub fn content_type(path: &str) -> &'static str {
    let ext = path
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" | "map" => "application/json",
        "webmanifest" => "application/manifest+json",
        "xml" if path.ends_with("atom.xml") => "application/atom+xml; charset=utf-8",
        "xml" | "xsl" => "application/xml; charset=utf-8",
        "txt" | "md" => "text/plain; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "pdf" => "application/pdf",
        "wasm" => "application/wasm",
        "mp3" => "audio/mpeg",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        _ if path.ends_with("CNAME") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

async fn handle(State(Served { live, hosts }): State<Served>, headers: HeaderMap, uri: Uri) -> Response {
    let host = headers.get(header::HOST).map(|h| h.to_str().unwrap_or(""));
    if !hosts.allows(host) {
        return refused(host.unwrap_or_default());
    }
    let snapshot = live.snapshot();
    match resolve(&snapshot.base, uri.path(), &snapshot.site) {
        Resolution::Events => events(&live).into_response(),
        _ if snapshot.site.is_empty() => not_built_yet(&snapshot),
        Resolution::File(path) => match respond(&snapshot, &path, StatusCode::OK).await {
            Some(response) => response,
            None => not_found(&snapshot).await,
        },
        Resolution::Redirect(to) => {
            let to = match uri.query() {
                Some(query) => format!("{to}?{query}"),
                None => to,
            };
            Redirect::temporary(&to).into_response()
        }
        Resolution::NotFound => not_found(&snapshot).await,
    }
}

/// The answer to a request naming a host that could be a rebound name.
fn refused(host: &str) -> Response {
    let text = format!(
        "dossier serve answers to localhost and IP addresses only, not to the host {host:?}: \
         a web page could use such a name to read this server (DNS rebinding). \
         If you reach it by that name on purpose, start it with --allow-host NAME.\n"
    );
    (
        StatusCode::FORBIDDEN,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        text,
    )
        .into_response()
}

/// The file at `path` with `status`; `None` if a static file has gone since the build.
async fn respond(snapshot: &Snapshot, path: &str, status: StatusCode) -> Option<Response> {
    let bytes = match snapshot.site.get(path)? {
        Stored::Bytes(bytes) => bytes.clone(),
        Stored::File(file) => Bytes::from(tokio::fs::read(file).await.ok()?),
    };
    let content_type = content_type(path);
    let body = if content_type.starts_with("text/html") {
        Bytes::from(with_extras(&String::from_utf8_lossy(&bytes), snapshot))
    } else {
        bytes
    };
    let mut response = with_headers(status, content_type, body);
    if snapshot.index_behind && path == MANIFEST_PATH {
        response
            .headers_mut()
            .insert(INDEX_STATE, HeaderValue::from_static("updating"));
    }
    Some(response)
}

/// The header on the search manifest while the index is being brought up
/// to date with an edit: the search page says so and asks again.
pub const INDEX_STATE: &str = "x-dossier-index";

/// The page with the reload script and, after a failed build, the overlay.
fn with_extras(html: &str, snapshot: &Snapshot) -> String {
    let mut extra = snapshot.overlay.as_deref().unwrap_or_default().to_owned();
    extra.push_str(&inject::reload_script(&snapshot.base, snapshot.generation));
    inject::before_body_end(html, &extra)
}

fn with_headers(status: StatusCode, content_type: &'static str, body: Bytes) -> Response {
    let mut response = (status, Body::from(body)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}

/// The site's own 404.html with status 404, as GitHub Pages does.
async fn not_found(snapshot: &Snapshot) -> Response {
    if let Some(response) = respond(snapshot, "404.html", StatusCode::NOT_FOUND).await {
        return response;
    }
    with_headers(
        StatusCode::NOT_FOUND,
        "text/plain; charset=utf-8",
        Bytes::from_static(b"404 Not Found\n"),
    )
}

/// Before the first good build there is no site to show: a blank page with
/// the overlay, which reloads once a build succeeds.
fn not_built_yet(snapshot: &Snapshot) -> Response {
    let html = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
                <title>dossier serve: no site yet</title></head>\
                <body><p>dossier serve: the site has not built yet.</p></body></html>";
    with_headers(
        StatusCode::SERVICE_UNAVAILABLE,
        "text/html; charset=utf-8",
        Bytes::from(with_extras(html, snapshot)),
    )
}

/// Server-sent events: `hello` with the current build generation on
/// connecting, then `reload` with each new one.
fn events(live: &Live) -> Sse<impl Stream<Item = Result<Event, Infallible>> + use<>> {
    let updates = live.subscribe();
    let current = live.snapshot().generation;
    let hello = stream::once(std::future::ready(Ok(generation_event("hello", current))));
    let reloads = stream::unfold(updates, |mut updates| async move {
        loop {
            match updates.recv().await {
                Ok(generation) => return Some((Ok(generation_event("reload", generation)), updates)),
                Err(RecvError::Lagged(_)) => continue,
                Err(RecvError::Closed) => return None,
            }
        }
    });
    Sse::new(hello.chain(reloads)).keep_alive(KeepAlive::default())
}

fn generation_event(name: &'static str, generation: u64) -> Event {
    Event::default().event(name).data(generation.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::{Contents, OutputFile};
    use crate::routes::OutputPath;

    fn site(paths: &[&str]) -> SiteFiles {
        SiteFiles::from_output(
            paths
                .iter()
                .map(|p| OutputFile {
                    path: output_path(p),
                    contents: Contents::Bytes(Vec::new()),
                    origin: String::new(),
                })
                .collect(),
        )
    }

    fn output_path(p: &str) -> OutputPath {
        crate::routes::UrlPath::from_template(p).unwrap().output_file()
    }

    #[test]
    fn paths_resolve_under_the_base_path() {
        let s = site(&["index.html", "briefs/x/index.html", "style.css", "404.html"]);
        assert_eq!(resolve("/repo/", "/repo/", &s), Resolution::File("index.html".into()));
        assert_eq!(
            resolve("/repo/", "/repo/briefs/x/", &s),
            Resolution::File("briefs/x/index.html".into())
        );
        assert_eq!(
            resolve("/repo/", "/repo/style.css", &s),
            Resolution::File("style.css".into())
        );
        assert_eq!(resolve("/repo/", "/", &s), Resolution::Redirect("/repo/".into()));
        assert_eq!(resolve("/repo/", "/repo", &s), Resolution::Redirect("/repo/".into()));
        assert_eq!(
            resolve("/repo/", "/repo/briefs/x", &s),
            Resolution::Redirect("/repo/briefs/x/".into())
        );
        assert_eq!(resolve("/repo/", "/style.css", &s), Resolution::NotFound);
        assert_eq!(resolve("/repo/", "/repo/briefs/", &s), Resolution::NotFound);
        assert_eq!(resolve("/", "/", &s), Resolution::File("index.html".into()));
        assert_eq!(resolve("/repo/", "/repo/__dossier/events", &s), Resolution::Events);
    }

    #[test]
    fn traversal_is_not_found() {
        let s = site(&["index.html", "briefs/x/index.html"]);
        for raw in [
            "/repo/../dossier.yaml",
            "/repo/%2e%2e/dossier.yaml",
            "/repo/..%2fdossier.yaml",
            "/repo/%2E%2E%2Fdossier.yaml",
            "/repo/briefs/x/../../index.html",
            "/repo/./index.html",
            "/repo/..%5cdossier.yaml",
            "/repo/%ZZ",
            "/repo/%",
            "/repo/%ff",
        ] {
            assert_eq!(resolve("/repo/", raw, &s), Resolution::NotFound, "{raw}");
        }
    }

    #[test]
    fn the_manifest_says_when_the_index_is_behind() {
        use crate::pipeline::{Kept, Update};
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let live = Live::new(site(&["search/index.json", "index.html"]), "/".to_owned(), None);
        let state = |live: &Live, path: &str| {
            let snapshot = live.snapshot();
            let response = runtime.block_on(respond(&snapshot, path, StatusCode::OK)).unwrap();
            response
                .headers()
                .get(INDEX_STATE)
                .map(|v| v.to_str().unwrap().to_owned())
        };
        assert_eq!(state(&live, MANIFEST_PATH), None);
        live.publish_update(
            Update {
                files: Vec::new(),
                kept: Kept::AllOthers,
                index_behind: true,
            },
            "/".to_owned(),
        );
        assert_eq!(state(&live, MANIFEST_PATH).as_deref(), Some("updating"));
        assert_eq!(state(&live, "index.html"), None, "only the manifest");
        let generation = live.snapshot().generation;
        live.publish_index(Update {
            files: Vec::new(),
            kept: Kept::AllOthers,
            index_behind: false,
        });
        assert_eq!(state(&live, MANIFEST_PATH), None);
        assert_eq!(live.snapshot().generation, generation, "no reload for the index");
    }

    #[test]
    fn content_types_follow_the_extension() {
        assert_eq!(content_type("briefs/x/index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("style.css"), "text/css; charset=utf-8");
        assert_eq!(content_type("atom.xml"), "application/atom+xml; charset=utf-8");
        assert_eq!(content_type("sitemap.xml"), "application/xml; charset=utf-8");
        assert_eq!(content_type("img/A.PNG"), "image/png");
        assert_eq!(content_type(".nojekyll"), "application/octet-stream");
    }
}
