//! The Markdown pipeline with wikilinks, alerts, footnotes, highlighting and
//! the raw HTML policy, through a fake link resolver. Must never panic, and
//! under `sanitize` must never emit a script element or an event handler
//! from raw HTML.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use dossier::config::RawHtml;
use dossier::content::parse_file;
use dossier::content::raw::RawPage;
use dossier::highlight::Highlighter;
use dossier::markdown::{LinkResolver, MarkdownOptions, render};
use libfuzzer_sys::fuzz_target;

/// Knows "aws" and "jedi"; everything else is unknown.
struct Fake;

impl LinkResolver for Fake {
    type Target = u8;

    fn resolve(&self, name: &str) -> dossier::markdown::Resolution<u8> {
        match name.trim().to_lowercase().as_str() {
            "aws" => Ok((Some(1), "/companies/aws/".to_owned())),
            "jedi" => Ok((Some(2), "/contracts/jedi/".to_owned())),
            _ => Err((format!("unknown '{name}'"), Some("did you mean 'aws'?".to_owned()))),
        }
    }
}

fn highlighter() -> &'static Highlighter {
    static H: OnceLock<Highlighter> = OnceLock::new();
    H.get_or_init(Highlighter::default)
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let raw_html = match mode % 3 {
        0 => RawHtml::Sanitize,
        1 => RawHtml::Escape,
        _ => RawHtml::Allow,
    };
    let markdown = String::from_utf8_lossy(rest);
    let Ok(loaded) = parse_file::<RawPage>(PathBuf::from("p.md"), format!("---\ntitle: t\n---\n{markdown}")) else {
        return;
    };
    let options = MarkdownOptions {
        raw_html,
        link_prefix: if mode & 4 == 0 { "/" } else { "/repo/" }.to_owned(),
        unknown_is_warning: mode & 8 != 0,
    };
    let out = render(&loaded.file.into_body(), &Fake, highlighter(), &options);
    for d in &out.diagnostics {
        assert!(d.position.is_some(), "{d}");
        let _ = d.to_string();
    }
    if raw_html == RawHtml::Sanitize {
        let html = out.body.html.to_ascii_lowercase();
        assert!(!html.contains("<script"), "a script element: {}", out.body.html);
        assert!(!html.contains("<iframe"), "an iframe: {}", out.body.html);
    }
});
