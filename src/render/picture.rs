//! Pictures in views: a lead image, portrait or logo as `<img>` needs it
//! (a `src`, a `srcset` of widths, the size that keeps the page from
//! shifting as it loads), the small crop cards show, and the absolute
//! URLs link previews and structured data ask for.

use crate::media::image::{Picture, Rendition, Role};
use crate::model::{Image, ImageSrc, Site};
use crate::routes::BaseUrl;

use super::views::{ImageView, ShareImage};

/// The rendition `src` falls back to: the first at least this wide (what
/// a laptop's column shows), else the widest there is.
const DEFAULT_WIDTH: u32 = 800;

/// Which renditions a view shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cut {
    /// The whole picture at its widths (lead image on its page, logo).
    Whole,
    /// The small crop of cards and bylines (3:2 for a lead image, square
    /// for a portrait).
    Thumb,
}

/// The view of `image` used as `role`, showing `cut`.
pub fn view<'a>(site: &'a Site, image: &'a Image, role: Role, cut: Cut) -> ImageView<'a> {
    let base = &site.config.base_url;
    let caption = image.caption.as_deref();
    let credit = image.credit.as_deref();
    let picture = site.pictures.of(image, role);
    let renditions = picture.map(|p| match cut {
        Cut::Whole if !p.widths.is_empty() => &p.widths,
        _ => &p.thumbs,
    });
    match (renditions, &image.src) {
        (Some(renditions), _) if !renditions.is_empty() => {
            let default = (renditions.iter())
                .find(|r| r.width >= DEFAULT_WIDTH)
                .unwrap_or(&renditions[renditions.len() - 1]);
            let srcset: Vec<String> = (renditions.iter())
                .map(|r| format!("{} {}w", base.url(&r.path), r.width))
                .collect();
            ImageView {
                src: base.url(&default.path),
                alt: &image.alt,
                srcset: Some(srcset.join(", ")),
                width: Some(default.width),
                height: Some(default.height),
                caption,
                credit,
            }
        }
        // A remote picture as it is. A picture the media stage could not
        // make stops the build before any view is made; a view without
        // renditions is never shown.
        (_, src) => ImageView {
            src: match src {
                ImageSrc::Remote(url) => url.clone(),
                _ => String::new(),
            },
            alt: &image.alt,
            srcset: None,
            width: None,
            height: None,
            caption,
            credit,
        },
    }
}

/// The `og:image` of a lead image: its 1200×630 crop, with an alt text
/// (the headline stands in for a decorative picture).
pub fn share(site: &Site, image: &Image, headline: &str) -> Option<ShareImage> {
    let picture: &Picture = site.pictures.of(image, Role::Lead)?;
    let share = picture.share.as_ref()?;
    Some(ShareImage {
        url: absolute(&site.config.base_url, share),
        alt: if image.alt.is_empty() {
            headline.to_owned()
        } else {
            image.alt.clone()
        },
        width: share.width,
        height: share.height,
    })
}

/// Absolute URLs of a lead image's structured-data crops (16:9, 4:3, 1:1).
pub fn structured(site: &Site, image: &Image) -> Vec<String> {
    (site.pictures.of(image, Role::Lead).into_iter())
        .flat_map(|p| p.structured.iter())
        .map(|r| absolute(&site.config.base_url, r))
        .collect()
}

fn absolute(base: &BaseUrl, rendition: &Rendition) -> String {
    base.abs_url(&rendition.path)
}
