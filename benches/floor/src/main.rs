//! Floor 1: `dossier-bench-floor ROOT OUT` reads ROOT/content/briefs/*.md
//! (sorted), drops the `---` front matter, renders the body with
//! pulldown-cmark (the options dossier enables) on all cores with rayon,
//! and writes OUT/briefs/<slug>/index.html, one per brief. OUT must not exist.
//! No templates, no links, no listings: a lower bound for a dossier build.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use pulldown_cmark::{Options, Parser, html};
use rayon::prelude::*;

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_GFM
        | Options::ENABLE_WIKILINKS
}

/// The text after the closing `---` line, or all of it without front matter.
fn body(text: &str) -> &str {
    let mut lines = text.split_inclusive('\n');
    match lines.next() {
        Some(first) if first.trim_end() == "---" => {}
        _ => return text,
    }
    let mut offset = text.split_inclusive('\n').next().map_or(0, str::len);
    for line in lines {
        offset += line.len();
        if line.trim_end() == "---" {
            return &text[offset..];
        }
    }
    text
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 3 {
        eprintln!("usage: {} ROOT OUT", args[0]);
        std::process::exit(2);
    }
    let started = Instant::now();
    let briefs = Path::new(&args[1]).join("content").join("briefs");
    let out = PathBuf::from(&args[2]);
    if out.exists() {
        eprintln!("{} exists; give a fresh output folder", out.display());
        std::process::exit(2);
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(&briefs)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", briefs.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    files.sort();
    let out_briefs = out.join("briefs");
    std::fs::create_dir_all(&out_briefs).expect("create output folder");
    let bytes: usize = files
        .par_iter()
        .map(|path| {
            let text = std::fs::read_to_string(path).expect("read brief");
            let md = body(&text);
            let mut page = String::with_capacity(md.len() * 3 / 2 + 256);
            page.push_str("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"></head><body><article>\n");
            html::push_html(&mut page, Parser::new_ext(md, options()));
            page.push_str("</article></body></html>\n");
            let dir = out_briefs.join(path.file_stem().expect("file name"));
            std::fs::create_dir(&dir).expect("create brief folder");
            let mut f = std::fs::File::create(dir.join("index.html")).expect("create page");
            f.write_all(page.as_bytes()).expect("write page");
            page.len()
        })
        .sum();
    eprintln!(
        "floor: rendered {} briefs ({} bytes of HTML) in {:.1} ms",
        files.len(),
        bytes,
        started.elapsed().as_secs_f64() * 1000.0
    );
}
