//! Front matter: split a file, parse its YAML into a brief, and place every
//! error. Must never panic; an error's line must exist in the file.
#![no_main]

use std::path::PathBuf;

use dossier::content::frontmatter;
use dossier::content::parse_file;
use dossier::content::raw::RawBrief;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data).into_owned();
    let _ = frontmatter::split(frontmatter::strip_bom(&text));
    match parse_file::<RawBrief>(PathBuf::from("content/briefs/fuzz.md"), text.clone()) {
        Ok(loaded) => {
            assert!(text.ends_with(loaded.file.body()));
            let _ = loaded.file.key_error("tags", "x").to_string();
            let tags: Vec<&str> = loaded.front.tags.iter().map(String::as_str).collect();
            let _ = loaded.file.value_offsets("tags", &tags);
        }
        Err(d) => {
            let shown = d.to_string();
            assert!(shown.starts_with("error: content/briefs/fuzz.md"));
            if let Some(p) = d.position {
                // YAML (and most editors) also break lines at a lone CR.
                let breaks = text.matches('\n').count() + text.replace("\r\n", "\n").matches('\r').count();
                assert!(p.line >= 1 && p.line <= breaks + 1, "{p:?}");
            }
        }
    }
});
