//! The picture each page shares in link previews (`og:image`, issue 16): a
//! brief's generated social card unless `social_cards: false`, else the
//! site's `image:`, which is also every other page's.
//!
//! A card is the theme's `card.svg` (the built-in one unless a theme or the
//! site has its own) rendered by Tera with the brief's laid-out texts
//! ([`crate::media::card`]), then rasterised. Its PNG is named by the SVG
//! text, so a brief whose card says the same keeps its name; a name the
//! media cache holds is copied from there, never rasterised again. This
//! module makes the files; it does not write them.

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde::Serialize;
use tera::{Context, Tera};

use crate::config::SiteImage;
use crate::diag::{Diagnostic, Diagnostics};
use crate::media::cache::MediaCache;
use crate::media::card::{self, CardLayout, CardText};
use crate::media::path_of;
use crate::model::{BriefId, Site};
use crate::routes::UrlPath;

use super::cards::Cards;
use super::stage::{Contents, OutputFile};
use super::templates::template_error;
use super::theme::{Asset, Theme};
use super::views::{BriefCard, ShareImage};

/// The template a card is rendered from.
pub const CARD_TEMPLATE: &str = "card.svg";

/// What each page shares: a brief's own picture, else the site's.
#[derive(Debug, Default)]
pub struct ShareImages {
    /// Each brief's card, by brief index (`None` with `social_cards: false`).
    cards: Vec<Option<ShareImage>>,
    /// The site's `image:`, for every page without its own.
    site: Option<ShareImage>,
}

impl ShareImages {
    /// The picture a brief without a lead image shares: its card if it has
    /// one, else the site's. (A lead image comes first: `render::brief`.)
    pub fn brief(&self, id: BriefId) -> Option<&ShareImage> {
        self.cards
            .get(id.index())
            .and_then(Option::as_ref)
            .or(self.site.as_ref())
    }

    /// The picture every other page shares: the site's `image:`.
    pub fn site(&self) -> Option<&ShareImage> {
        self.site.as_ref()
    }
}

/// The share images of a site, and the cards to draw for them.
#[derive(Debug, Default)]
pub struct Made {
    /// What each page shares.
    pub images: ShareImages,
    /// One card per distinct path, sorted by path, not drawn yet: the
    /// pipeline draws them in bounded batches ([`draw`]), so a large site
    /// never holds all its pictures at once.
    pub cards: Vec<PendingCard>,
}

/// A card named and rendered to SVG, to be drawn (or found in the cache).
#[derive(Debug)]
pub struct PendingCard {
    path: UrlPath,
    svg: String,
    /// The brief's file, for messages.
    origin: String,
}

/// What a card template sees besides the global `site`.
#[derive(Serialize)]
struct CardPage<'a> {
    card: &'a CardLayout,
}

/// Names every brief's card (its SVG rendered, not drawn) and finds the
/// site's image.
pub fn make(site: &Site, theme: &Theme, tera: &Tera, cards: &Cards<'_>) -> Result<Made, Diagnostics> {
    let site_image = match &site.config.image {
        Some(image) => Some(site_image(site, theme, image).map_err(|d| Diagnostics::from_iter([d]))?),
        None => None,
    };
    if !site.config.social_cards {
        return Ok(Made {
            images: ShareImages {
                cards: Vec::new(),
                site: site_image,
            },
            ..Made::default()
        });
    }
    // A brief with a lead image shares that picture: it gets no card.
    let svgs: Vec<Option<(UrlPath, String, &str)>> = (cards.briefs.par_iter().enumerate())
        .map(|(i, brief)| {
            if site.catalog.briefs[i].image.is_some() {
                return Ok(None);
            }
            let layout = card::layout(&card_text(site, brief));
            let svg = tera.render(CARD_TEMPLATE, &Context::from_serialize(&CardPage { card: &layout })?)?;
            Ok(Some((
                path_of(svg.as_bytes(), card::TRANSFORM, "png"),
                svg,
                brief.title,
            )))
        })
        .collect::<Result<_, tera::Error>>()
        .map_err(|e| Diagnostics::from_iter([template_error(&e, &theme.templates, None)]))?;
    let base = &site.config.base_url;
    let images = ShareImages {
        cards: (svgs.iter())
            .map(|made| {
                let (path, _, title) = made.as_ref()?;
                Some(ShareImage {
                    url: base.abs_url(path),
                    alt: (*title).to_owned(),
                    width: card::WIDTH,
                    height: card::HEIGHT,
                })
            })
            .collect(),
        site: site_image,
    };
    let mut distinct: BTreeMap<UrlPath, (String, usize)> = BTreeMap::new();
    for (i, made) in svgs.into_iter().enumerate() {
        if let Some((path, svg, _)) = made {
            distinct.entry(path).or_insert((svg, i));
        }
    }
    let cards = (distinct.into_iter())
        .map(|(path, (svg, brief))| PendingCard {
            path,
            svg,
            origin: site.catalog.briefs[brief].path.display().to_string(),
        })
        .collect();
    Ok(Made { images, cards })
}

/// Draws `cards` on all cores, each PNG from the cache when it has the
/// name, else rasterised (and kept there); returns the files and how many
/// were rasterised.
pub fn draw(cards: &[PendingCard], cache: &MediaCache) -> Result<(Vec<OutputFile>, usize), Diagnostics> {
    let made: Vec<Result<(OutputFile, bool), Diagnostic>> = (cards.par_iter())
        .map(|PendingCard { path, svg, origin }| {
            let (bytes, fresh) = match cache.get(path) {
                Some(bytes) => (bytes, false),
                None => {
                    let bytes = card::rasterise(svg).map_err(|e| {
                        Diagnostic::error(
                            CARD_TEMPLATE,
                            format!("the social card of {origin} is not a picture: {e}"),
                        )
                        .with_help("card.svg must be an SVG document; see docs/themes.md")
                    })?;
                    cache.put(path, &bytes);
                    (bytes, true)
                }
            };
            let file = OutputFile {
                path: path.output_file(),
                contents: Contents::Bytes(bytes),
                origin: format!("social card of {origin}"),
            };
            Ok((file, fresh))
        })
        .collect();
    let mut files = Vec::with_capacity(made.len());
    let mut rasterised = 0;
    let mut errors = Diagnostics::default();
    for result in made {
        match result {
            Ok((file, fresh)) => {
                rasterised += usize::from(fresh);
                files.push(file);
            }
            Err(d) => errors.push(d),
        }
    }
    if errors.is_empty() {
        Ok((files, rasterised))
    } else {
        Err(errors)
    }
}

/// What a brief's card says.
fn card_text<'a>(site: &'a Site, brief: &'a BriefCard<'a>) -> CardText<'a> {
    CardText {
        site_title: &site.config.title,
        kicker: brief.tags.first().map(|t| t.name),
        headline: brief.title,
        date: &brief.date.display,
        entities: (brief.companies.iter())
            .chain(&brief.contracts)
            .map(|link| link.name)
            .collect(),
    }
}

/// The site's `image:`: a file among the static files (the site's
/// `static/` or the theme's), with its size read from its header.
fn site_image(site: &Site, theme: &Theme, image: &SiteImage) -> Result<ShareImage, Diagnostic> {
    let fail = |message: String| {
        let mut d = image.at.clone();
        d.message = message;
        d.with_help("give a PNG, JPEG, GIF or WebP file under static/, e.g. image: share.png")
    };
    let relative = image.path.trim().trim_start_matches('/');
    let relative = relative.strip_prefix("static/").unwrap_or(relative);
    let Some(file) = theme.static_files.iter().find(|f| f.relative == relative) else {
        return Err(fail(format!("image: '{}' is not a file under static/", image.path)));
    };
    let size = match &file.asset {
        Asset::Embedded(bytes) => imagesize::blob_size(bytes),
        Asset::File(path) => imagesize::size(path),
    }
    .map_err(|e| {
        fail(format!(
            "image: '{}' is not a picture dossier can read: {e}",
            image.path
        ))
    })?;
    let path = UrlPath::from_static(relative);
    Ok(ShareImage {
        url: site.config.base_url.abs_url(&path),
        alt: site.config.title.clone(),
        width: u32::try_from(size.width).unwrap_or(u32::MAX),
        height: u32::try_from(size.height).unwrap_or(u32::MAX),
    })
}
