//! What `serve` adds to the HTML it serves, and only there: the live-reload
//! script and, after a failed build, the error overlay.
//!
//! Nothing here is ever written to `public/`: it is added to each HTML
//! response on its way out. Every value from the writer's files is
//! HTML-escaped before it reaches the overlay.

use std::fmt::Write as _;

use pulldown_cmark_escape::escape_html;

use crate::diag::Diagnostic;
use crate::pipeline::BuildError;

/// The events stream, under the site's base path.
pub const EVENTS_PATH: &str = "__dossier/events";

/// Inserts `extra` before the last `</body>` of `html` (or at its end).
pub fn before_body_end(html: &str, extra: &str) -> String {
    let at = rfind_ascii_case_insensitive(html, "</body>").unwrap_or(html.len());
    let mut out = String::with_capacity(html.len() + extra.len());
    out.push_str(&html[..at]);
    out.push_str(extra);
    out.push_str(&html[at..]);
    out
}

fn rfind_ascii_case_insensitive(haystack: &str, needle: &str) -> Option<usize> {
    let (h, n) = (haystack.as_bytes(), needle.as_bytes());
    (0..=h.len().checked_sub(n.len())?)
        .rev()
        .find(|&i| h[i..i + n.len()].eq_ignore_ascii_case(n))
}

/// The live-reload script for a page built as `generation` of a site under `base`.
///
/// The browser listens to the events stream; when the server announces
/// another generation (on connecting, or after a build), it reloads.
pub fn reload_script(base: &str, generation: u64) -> String {
    let url = js_string(&format!("{base}{EVENTS_PATH}"));
    format!(
        "<script>/* dossier serve: live reload */(function(){{var g=\"{generation}\";\
         var s=new EventSource({url});\
         function check(e){{if(e.data!==g){{s.close();location.reload();}}}}\
         s.addEventListener(\"hello\",check);s.addEventListener(\"reload\",check);}})();</script>"
    )
}

/// A JSON string literal that is also safe inside an HTML `<script>`.
fn js_string(text: &str) -> String {
    serde_json::Value::from(text)
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
}

/// The overlay that lists why the latest build failed.
pub fn overlay(error: &BuildError) -> String {
    let problems: Vec<(String, String)> = match error {
        BuildError::Site(diagnostics) => diagnostics.iter().filter(|d| d.is_error()).map(problem).collect(),
        other => vec![(String::new(), error_chain(other))],
    };
    let mut html = String::from(
        "<div id=\"dossier-errors\" role=\"alert\" style=\"position:fixed;z-index:2147483647;\
         left:1rem;right:1rem;bottom:1rem;max-height:60vh;overflow:auto;margin:0;padding:1rem 1.25rem;\
         background:#fff4f4;color:#1b1b1b;border:2px solid #b00020;border-radius:6px;\
         box-shadow:0 6px 30px rgba(0,0,0,.3);font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;\
         text-align:left\">",
    );
    let count = problems.len();
    let _ = write!(
        html,
        "<p style=\"margin:0 0 .5rem;font-weight:bold;color:#b00020\">dossier: the build failed \
         ({count} error{}). This is the last good build; save a fix to clear this.</p>\
         <ul style=\"margin:0;padding-left:1.25rem\">",
        if count == 1 { "" } else { "s" }
    );
    for (location, message) in &problems {
        html.push_str("<li style=\"margin:.25rem 0;white-space:pre-wrap\">");
        if !location.is_empty() {
            html.push_str("<b>");
            escape(&mut html, location);
            html.push_str("</b>: ");
        }
        escape(&mut html, message);
        html.push_str("</li>");
    }
    html.push_str("</ul></div>");
    html
}

/// `file:line:col` and the message (with its help line) of a diagnostic.
fn problem(d: &Diagnostic) -> (String, String) {
    let mut location = d.path.display().to_string();
    if let Some(p) = d.position {
        let _ = write!(location, ":{}:{}", p.line, p.column);
    }
    let mut message = d.message.clone();
    if let Some(help) = &d.help {
        let _ = write!(message, "\n  help: {help}");
    }
    (location, message)
}

fn error_chain(error: &BuildError) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(s) = source {
        let _ = write!(text, ": {s}");
        source = s.source();
    }
    text
}

fn escape(out: &mut String, text: &str) {
    // Writing into a String cannot fail.
    let _ = escape_html(out, text);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::{Diagnostics, Position};

    #[test]
    fn inserts_before_the_last_body_end_tag() {
        assert_eq!(
            before_body_end("<p>a</p></BODY></html>", "X"),
            "<p>a</p>X</BODY></html>"
        );
        assert_eq!(before_body_end("<p>a</p>", "X"), "<p>a</p>X");
        assert_eq!(before_body_end("</body></body>", "X"), "</body>X</body>");
    }

    #[test]
    fn the_script_names_the_events_stream_under_the_base_path() {
        let script = reload_script("/repo/", 7);
        assert!(script.contains("\"/repo/__dossier/events\""), "{script}");
        assert!(script.contains("var g=\"7\""), "{script}");
    }

    #[test]
    fn the_overlay_escapes_and_locates_each_error() {
        let d = Diagnostic::error_at(
            "content/briefs/a.md",
            "x\ncompanies: [<AWSS>]\n",
            Position { line: 2, column: 13 },
            "unknown company '<AWSS>'",
        )
        .with_help("did you mean 'aws'?");
        let html = overlay(&BuildError::Site(Diagnostics::from_iter([d])));
        assert!(html.contains("<b>content/briefs/a.md:2:13</b>"), "{html}");
        assert!(html.contains("&lt;AWSS&gt;"), "{html}");
        assert!(!html.contains("<AWSS>"), "{html}");
        assert!(html.contains("did you mean"), "{html}");
    }
}
