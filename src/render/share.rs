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

use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;
use serde::Serialize;
use tera::{Context, Tera};

use crate::config::SiteImage;
use crate::diag::{Diagnostic, Diagnostics};
use crate::media::cache::MediaCache;
use crate::media::card::{self, CardLayout, CardText};
use crate::media::path_of;
use crate::model::reorder::Remap;
use crate::model::{BriefId, Site};
use crate::routes::{OutputPath, UrlPath};

use super::cards::Cards;
use super::fingerprint::Fingerprint;
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
    /// Where each of those cards is.
    paths: Vec<Option<UrlPath>>,
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

    /// Gives every brief the place `remap` says (a brief added, deleted or
    /// moved in a `serve` session): a new brief has no card yet
    /// ([`patch`] makes it); returns the card of the brief deleted, if it
    /// had one no other brief shares.
    pub fn remap(&mut self, remap: &Remap) -> Option<UrlPath> {
        if self.paths.is_empty() {
            return None;
        }
        let new = remap.from().is_none();
        remap.apply(&mut self.cards, || new.then_some(None));
        let gone = remap.apply(&mut self.paths, || new.then_some(None)).flatten()?;
        let shared = self.paths.iter().flatten().any(|p| *p == gone);
        (!shared).then_some(gone)
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
    /// The social cards of this build.
    pub social: Social,
}

/// A build's social cards: those to draw, and (in a `serve` session) those
/// the last good build made that stay as they are.
#[derive(Debug, Default)]
pub struct Social {
    /// One card per distinct path not kept, sorted by path, not drawn yet:
    /// the pipeline draws them in bounded batches ([`draw`]), so a large
    /// site never holds all its pictures at once.
    pub pending: Vec<PendingCard>,
    /// Cards the last good build made that say the same now: their files
    /// stay as they are, neither laid out nor drawn again (output path and
    /// origin, as [`OutputFile`] has them).
    pub kept: Vec<(OutputPath, String)>,
    /// This build's cards by what they say, for the next build of a
    /// session; empty in one-off builds.
    pub memo: CardMemo,
}

/// Each social card's path by the fingerprint of everything it is made of
/// (its texts, the templates and what they see): a `serve` session keeps
/// the last good build's, so an edit lays out and draws only the cards
/// whose texts it changed. Laying out a card is most of its cost (≈ 17 µs,
/// the whole site's cards a sixth of a rebuild at 10,000 briefs).
#[derive(Debug, Default, Clone)]
pub struct CardMemo(HashMap<Fingerprint, UrlPath>);

impl CardMemo {
    /// Forgets the card at `path`, which no brief has any more.
    pub fn forget(&mut self, path: &UrlPath) {
        self.0.retain(|_, kept| kept != path);
    }
}

/// What [`make`] may reuse: the last good build's cards, and this build's
/// fingerprint of what every template sees (`PageMemo::global`).
#[derive(Debug, Clone, Copy)]
pub struct CardReuse<'a> {
    /// What every template sees, this build.
    pub global: Fingerprint,
    /// The last good build's cards.
    pub previous: &'a CardMemo,
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
/// site's image. With `reuse`, a card whose fingerprint the last good build
/// had keeps its path and is neither rendered nor drawn again.
pub fn make(
    site: &Site,
    theme: &Theme,
    tera: &Tera,
    cards: &Cards<'_>,
    reuse: Option<CardReuse<'_>>,
) -> Result<Made, Diagnostics> {
    let site_image = match &site.config.image {
        Some(image) => Some(site_image(site, theme, image).map_err(|d| Diagnostics::from_iter([d]))?),
        None => None,
    };
    if !site.config.social_cards {
        return Ok(Made {
            images: ShareImages {
                cards: Vec::new(),
                paths: Vec::new(),
                site: site_image,
            },
            ..Made::default()
        });
    }
    // A brief with a lead image shares that picture: it gets no card.
    let made: Vec<Option<MadeCard>> = (0..cards.models().len())
        .into_par_iter()
        .map(|i| made_card(site, tera, cards, BriefId::new(i), &cards.card(BriefId::new(i)), reuse))
        .collect::<Result<_, tera::Error>>()
        .map_err(|e| Diagnostics::from_iter([template_error(&e, &theme.templates, None)]))?;
    let images = ShareImages {
        cards: (made.iter()).map(|made| Some(made.as_ref()?.image(site))).collect(),
        paths: (made.iter()).map(|made| Some(made.as_ref()?.path.clone())).collect(),
        site: site_image,
    };
    let memo = CardMemo(
        (made.iter().flatten())
            .filter_map(|m| Some((m.key?, m.path.clone())))
            .collect(),
    );
    // One file per path: kept if the last build made it, else drawn from
    // the first SVG that names it.
    let mut distinct: BTreeMap<UrlPath, (Option<String>, usize)> = BTreeMap::new();
    for (i, made) in made.into_iter().enumerate() {
        let Some(MadeCard { path, svg, .. }) = made else {
            continue;
        };
        match distinct.entry(path) {
            Entry::Vacant(vacant) => {
                vacant.insert((svg, i));
            }
            Entry::Occupied(mut occupied) if svg.is_none() => occupied.get_mut().0 = None,
            Entry::Occupied(_) => {}
        }
    }
    let mut social = Social {
        memo,
        ..Social::default()
    };
    for (path, (svg, brief)) in distinct {
        let origin = cards.model(BriefId::new(brief)).path.display().to_string();
        match svg {
            Some(svg) => social.pending.push(PendingCard { path, svg, origin }),
            None => social.kept.push((path.output_file(), card_origin(&origin))),
        }
    }
    Ok(Made { images, social })
}

/// One brief's card as [`make`] named it: rendered to SVG, or kept from
/// the last good build (`svg: None`).
struct MadeCard<'a> {
    path: UrlPath,
    svg: Option<String>,
    title: &'a str,
    /// Its fingerprint, in a session.
    key: Option<Fingerprint>,
}

impl MadeCard<'_> {
    /// What the brief's page shares.
    fn image(&self, site: &Site) -> ShareImage {
        ShareImage {
            url: site.config.base_url.abs_url(&self.path),
            alt: self.title.to_owned(),
            width: card::WIDTH,
            height: card::HEIGHT,
        }
    }
}

/// The card of the brief `id`, whose typed card is `brief`: none if it has
/// a lead image; named by the last good build if `reuse` knows what it
/// says, else rendered to SVG.
fn made_card<'a>(
    site: &Site,
    tera: &Tera,
    cards: &Cards<'_>,
    id: BriefId,
    brief: &BriefCard<'a>,
    reuse: Option<CardReuse<'_>>,
) -> Result<Option<MadeCard<'a>>, tera::Error> {
    if cards.model(id).image.is_some() {
        return Ok(None);
    }
    let text = card_text(site, brief);
    let key = reuse.map(|r| card_key(r.global, &text));
    if let Some(path) = key.and_then(|key| reuse?.previous.0.get(&key)) {
        return Ok(Some(MadeCard {
            path: path.clone(),
            svg: None,
            title: brief.title,
            key,
        }));
    }
    let layout = card::layout(&text);
    let svg = tera.render(CARD_TEMPLATE, &Context::from_serialize(&CardPage { card: &layout })?)?;
    Ok(Some(MadeCard {
        path: path_of(svg.as_bytes(), card::TRANSFORM, "png"),
        svg: Some(svg),
        title: brief.title,
        key,
    }))
}

/// What [`patch`] changed of a site's social cards.
#[derive(Debug, Default)]
pub struct Patched {
    /// The brief's new card, drawn (or taken from the media cache), if it
    /// is not among the files already made.
    pub file: Option<OutputFile>,
    /// The brief's old card, if no brief shares it any more.
    pub gone: Option<OutputPath>,
    /// Whether the new card is a file no brief had before.
    pub added: bool,
}

/// The social card of the brief `id` made again after a `serve` session
/// put new texts in its place ([`Cards::patch`]), as [`make`] would make
/// it: `images` and `memo` (the session's, from the last good build and
/// the patches since) are brought up to date.
pub fn patch(
    site: &Site,
    theme: &Theme,
    tera: &Tera,
    cards: &Cards<'_>,
    id: BriefId,
    (images, memo): (&mut ShareImages, &mut CardMemo),
    (global, cache): (Fingerprint, &MediaCache),
) -> Result<Patched, Diagnostics> {
    if !site.config.social_cards {
        return Ok(Patched::default());
    }
    let reuse = CardReuse { global, previous: memo };
    let brief = cards.card(id);
    let made = made_card(site, tera, cards, id, &brief, Some(reuse))
        .map_err(|e| Diagnostics::from_iter([template_error(&e, &theme.templates, None)]))?;
    let old = images.paths.get(id.index()).cloned().flatten();
    let Some(made) = made else {
        // No card before either: the brief's picture is as it was.
        return Ok(Patched::default());
    };
    let added = !images.paths.iter().flatten().any(|p| *p == made.path);
    images.cards[id.index()] = Some(made.image(site));
    images.paths[id.index()] = Some(made.path.clone());
    let gone = old.filter(|old| *old != made.path && !images.paths.iter().flatten().any(|p| p == old));
    if let Some(gone) = &gone {
        memo.0.retain(|_, path| path != gone);
    }
    if let Some(key) = made.key {
        memo.0.insert(key, made.path.clone());
    }
    let origin = cards.model(id).path.display().to_string();
    let file = match made.svg {
        Some(svg) => {
            let pending = PendingCard {
                path: made.path,
                svg,
                origin,
            };
            draw(std::slice::from_ref(&pending), cache)?.0.pop()
        }
        None => None,
    };
    Ok(Patched {
        file,
        gone: gone.map(|path| path.output_file()),
        added,
    })
}

/// The fingerprint of a card: what it says, and what every template sees
/// (`global`, which covers `card.svg` itself and the configuration).
fn card_key(global: Fingerprint, text: &CardText<'_>) -> Fingerprint {
    let global = global.to_bytes();
    let kicker = [u8::from(text.kicker.is_some())];
    let count = (text.entities.len() as u64).to_le_bytes();
    let fixed = [
        global.as_slice(),
        text.site_title.as_bytes(),
        kicker.as_slice(),
        text.kicker.unwrap_or_default().as_bytes(),
        text.headline.as_bytes(),
        text.date.as_bytes(),
        count.as_slice(),
    ];
    Fingerprint::of_parts(fixed.into_iter().chain(text.entities.iter().map(|e| e.as_bytes())))
}

/// The origin of a social card's file, for messages.
fn card_origin(brief: &str) -> String {
    format!("social card of {brief}")
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
                origin: card_origin(origin),
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
