//! Files that are not pages: what hosts read (`robots.txt`, `.nojekyll`
//! for GitHub Pages, `CNAME`), the highlighting stylesheet, and the theme's
//! and site's static files, copied as they are (but for pictures front
//! matter names, published as their renditions under `/media/` instead).

use crate::model::Site;
use crate::routes::UrlPath;

use super::stage::{Contents, OutputFile};
use super::theme::Theme;

/// Every file of the output that no template makes, after the pages.
pub(super) fn files(site: &Site, theme: &Theme, syntax_css: String) -> Vec<OutputFile> {
    let base = &site.config.base_url;
    let generated = |path: &'static str, text: String| OutputFile {
        path: UrlPath::fixed(path).output_file(),
        contents: Contents::Bytes(text.into_bytes()),
        origin: format!("(generated {path})"),
    };
    let sitemap = base.abs_url(&UrlPath::fixed("sitemap.xml"));
    let mut files = vec![
        generated("robots.txt", format!("User-agent: *\nAllow: /\n\nSitemap: {sitemap}\n")),
        generated(".nojekyll", String::new()),
        generated("syntax.css", syntax_css),
    ];
    if let Some(cname) = &site.config.cname {
        files.push(generated("CNAME", format!("{cname}\n")));
    }
    files.extend(site.pictures.files().map(|(path, bytes)| OutputFile {
        path: path.output_file(),
        contents: Contents::Bytes(bytes.to_vec()),
        origin: "(resized picture)".to_owned(),
    }));
    let published = theme
        .static_files
        .iter()
        .filter(|s| !site.pictures.is_source(&s.origin));
    files.extend(published.map(|s| OutputFile {
        path: UrlPath::from_static(&s.relative).output_file(),
        contents: Contents::Asset(s.asset.clone()),
        origin: s.origin.display().to_string(),
    }));
    files
}
