//! The embed parser (SPEC §3): any URL is an embed, no embed or a refused
//! provider path, never a panic; an embed's player and page URLs parse back
//! to the same embed, hold only URL-safe characters (nothing a writer typed
//! reaches an attribute unchecked), and the player URL is exactly what the
//! sanitizer and the theme's script accept; the placeholder escapes its title.
#![no_main]

use dossier::markdown::embed::{Embed, is_player_url};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (url, title) = text.split_once('\n').unwrap_or((&text, "title"));
    let Ok(Some(embed)) = Embed::parse(url) else {
        return;
    };
    for made in [embed.player_url(), embed.page_url()] {
        assert!(
            made.bytes().all(|b| b.is_ascii_alphanumeric() || b"/:.?=&-_".contains(&b)),
            "{made:?}"
        );
        assert_eq!(Embed::parse(&made), Ok(Some(embed.clone())), "{made:?}");
    }
    assert!(is_player_url(&embed.player_url()));
    let html = embed.placeholder(title);
    assert!(!html.contains("<iframe") && !html.contains("<script"), "{html}");
    let escaped = dossier::markdown::escape_attr(title);
    assert!(html.contains(&format!("data-title=\"{escaped}\"")), "{html}");
});
