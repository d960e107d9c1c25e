//! Social cards: the 1200×630 PNG a brief without a lead image shares as
//! its `og:image` (issue 16). This module lays the card's texts out and
//! rasterises the SVG a theme's `card.svg` template made of that layout; it
//! knows nothing of templates, briefs or the output.
//!
//! SVG has no text wrapping, so the headline is broken into lines here,
//! measured with the bundled font's own advance widths, and shrunk until
//! every line fits the headline box: the template gets lines and a size and
//! never has to clip. The font is compiled into the binary (Liberation Sans
//! Bold, SIL OFL 1.1, `assets/fonts/`), so a card is the same on every
//! machine, and loaded once per process.

use std::sync::{Arc, OnceLock};

use serde::Serialize;
use skrifa::instance::{LocationRef, Size};
use skrifa::metrics::GlyphMetrics;
use skrifa::{FontRef, MetadataProvider};

/// The card's width in pixels (OpenGraph's recommended 1.91:1).
pub const WIDTH: u32 = 1200;
/// The card's height in pixels.
pub const HEIGHT: u32 = 630;

/// The transform name that, with the card's SVG text, names its PNG under
/// `/media/` ([`super::path_of`]). The SVG alone does not fix the pixels:
/// the font, the rasteriser and the PNG settings do too, so change this
/// whenever one of them changes, or a warm cache would serve old pictures.
pub const TRANSFORM: &str = "card-v2";

/// The family name of the bundled font, for the template's `font-family`.
pub const FONT_FAMILY: &str = "Liberation Sans";

/// Liberation Sans Bold 2.1.5 (SIL Open Font License 1.1; the licence is
/// `assets/fonts/LICENSE-LiberationSans.txt`).
pub(super) static FONT: &[u8] = include_bytes!("../../assets/fonts/LiberationSans-Bold.ttf");

/// Left and right margin of the default layout, in pixels.
const MARGIN: f32 = 80.0;
/// Width every line of text must fit in.
const TEXT_WIDTH: f32 = WIDTH as f32 - 2.0 * MARGIN;
/// The headline box: top and bottom edge.
const HEADLINE_TOP: f32 = 200.0;
const HEADLINE_BOTTOM: f32 = 505.0;
/// Headline sizes tried, largest first; the smallest always fits (a
/// headline is at most a few hundred characters).
const HEADLINE_SIZES: [f32; 16] = [
    76.0, 70.0, 64.0, 58.0, 52.0, 48.0, 44.0, 40.0, 36.0, 32.0, 28.0, 24.0, 20.0, 16.0, 14.0, 12.0,
];
/// The most of a headline that is laid out: more than fits the box at the
/// smallest size even in the narrowest glyphs.
const MAX_HEADLINE_CHARS: usize = 8000;
/// Line height as a multiple of the font size.
const LEADING: f32 = 1.15;
/// Liberation Sans's ascent (0.905 em), rounded up: from a line's top to
/// its baseline.
const ASCENT: f32 = 0.91;
/// Size of the small texts (site name, kicker, date line).
const SMALL_SIZE: f32 = 28.0;
/// Measured widths are without kerning, which in this font only tightens;
/// this margin covers rounding in the rasteriser.
const SAFETY: f32 = 0.98;

/// What a card says, as the brief has it.
#[derive(Debug, Clone)]
pub struct CardText<'a> {
    /// The site's title.
    pub site_title: &'a str,
    /// The brief's first tag, shown above the headline.
    pub kicker: Option<&'a str>,
    /// The headline.
    pub headline: &'a str,
    /// The date as readers see it ("August 18, 2020").
    pub date: &'a str,
    /// The brief's companies, then its contracts.
    pub entities: Vec<&'a str>,
}

/// A card laid out: what `card.svg` templates see as `card` (documented in
/// `docs/themes.md`). Every text is plain; the template engine escapes it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CardLayout {
    /// Canvas width in pixels.
    pub width: u32,
    /// Canvas height in pixels.
    pub height: u32,
    /// The font family to name in `font-family` (the only one there is).
    pub font_family: &'static str,
    /// The left margin, where every text starts.
    pub x: f32,
    /// The site's title, shortened with "…" to fit one line.
    pub site_title: String,
    /// The kicker in capitals, shortened to fit, if the brief has a tag.
    pub kicker: Option<String>,
    /// The whole headline, for a `<title>` or alt text.
    pub headline: String,
    /// The headline broken into lines that fit, each with its baseline.
    pub lines: Vec<Line>,
    /// The headline's font size, the largest at which it fits.
    pub size: f32,
    /// The date.
    pub date: String,
    /// Companies and contracts joined with " · ", shortened with "…" to
    /// fit beside the date; empty when there are none.
    pub entities: String,
}

/// One line of the headline.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Line {
    /// Its text.
    pub text: String,
    /// Its baseline (`y` of the `<text>`).
    pub y: f32,
}

/// The bundled font's advance widths, parsed once per process.
struct Metrics {
    font: FontRef<'static>,
    glyphs: GlyphMetrics<'static>,
}

fn metrics() -> &'static Metrics {
    static METRICS: OnceLock<Metrics> = OnceLock::new();
    METRICS.get_or_init(|| {
        let font = FontRef::new(FONT).expect("the bundled font parses");
        // At 1 ppem, advances are in ems.
        let glyphs = font.glyph_metrics(Size::new(1.0), LocationRef::default());
        Metrics { font, glyphs }
    })
}

/// The width of `text` at `size` pixels, without kerning. A character the
/// font lacks is drawn as the font's missing-glyph box, and measured so.
pub fn text_width(text: &str, size: f32) -> f32 {
    let m = metrics();
    let charmap = m.font.charmap();
    let ems: f32 = text
        .chars()
        .map(|c| {
            let glyph = charmap.map(c).unwrap_or_default();
            m.glyphs.advance_width(glyph).unwrap_or(0.0)
        })
        .sum();
    ems * size
}

fn fits(text: &str, size: f32, width: f32) -> bool {
    text_width(text, size) <= width * SAFETY
}

/// Lays the card out: the headline at the largest size at which its lines
/// fit the headline box, every other text shortened to one line.
pub fn layout(text: &CardText<'_>) -> CardLayout {
    let headline = text.headline.split_whitespace().collect::<Vec<_>>().join(" ");
    // More than this never fits at the smallest size; the rest would be cut.
    let fitting: String = headline.chars().take(MAX_HEADLINE_CHARS).collect();
    let room = |size: f32| ((HEADLINE_BOTTOM - HEADLINE_TOP) / (size * LEADING)) as usize;
    let (size, lines) = HEADLINE_SIZES
        .iter()
        .map(|&size| (size, wrap(&fitting, size, TEXT_WIDTH)))
        .find(|(size, lines)| lines.len() <= room(*size))
        .unwrap_or_else(|| {
            // A headline too long for the card even at the smallest size
            // ends, visibly, in "…" on the last line that fits.
            let size = HEADLINE_SIZES[HEADLINE_SIZES.len() - 1];
            let mut lines = wrap(&fitting, size, TEXT_WIDTH);
            lines.truncate(room(size));
            if let Some(last) = lines.last_mut() {
                *last = shorten(&format!("{last} …"), size, TEXT_WIDTH / 1.02);
                if !last.ends_with('…') {
                    last.push('…');
                }
            }
            (size, lines)
        });
    let lines = lines
        .into_iter()
        .enumerate()
        .map(|(i, text)| Line {
            text,
            y: (HEADLINE_TOP + ASCENT * size + i as f32 * size * LEADING).round(),
        })
        .collect();
    let date = shorten(text.date, SMALL_SIZE, TEXT_WIDTH);
    let beside_date = TEXT_WIDTH - text_width(&format!("{date} · "), SMALL_SIZE);
    CardLayout {
        width: WIDTH,
        height: HEIGHT,
        font_family: FONT_FAMILY,
        x: MARGIN,
        site_title: shorten(text.site_title, SMALL_SIZE, TEXT_WIDTH),
        kicker: (text.kicker)
            .map(|k| shorten(&k.to_uppercase(), SMALL_SIZE, TEXT_WIDTH))
            .filter(|k| !k.is_empty()),
        lines,
        size,
        date,
        entities: shorten(&text.entities.join(" · "), SMALL_SIZE, beside_date.max(0.0)),
        headline,
    }
}

/// Breaks `text` into lines no wider than `width` at `size`: between words
/// where it can, inside a word only when the word alone is too wide.
fn wrap(text: &str, size: f32, width: f32) -> Vec<String> {
    let limit = width * SAFETY;
    let space = text_width(" ", size);
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut line_width = 0.0;
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let word_width = text_width(word, size);
        if !line.is_empty() && line_width + space + word_width <= limit {
            line.push(' ');
            line.push_str(word);
            line_width += space + word_width;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        if word_width <= limit {
            line.push_str(word);
            line_width = word_width;
            continue;
        }
        line_width = 0.0;
        for c in word.chars() {
            let c_width = text_width(c.encode_utf8(&mut [0; 4]), size);
            if !line.is_empty() && line_width + c_width > limit {
                lines.push(std::mem::take(&mut line));
                line_width = 0.0;
            }
            line.push(c);
            line_width += c_width;
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// `text` on one line of `width` at `size`, cut at a character and ended
/// with "…" if it is too long.
fn shorten(text: &str, size: f32, width: f32) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if fits(&text, size, width) {
        return text;
    }
    let mut out = String::new();
    for c in text.chars() {
        out.push(c);
        out.push('…');
        let over = !fits(&out, size, width);
        out.pop();
        if over {
            out.pop();
            break;
        }
    }
    let mut out = out.trim_end().to_owned();
    if !out.is_empty() {
        out.push('…');
    }
    out
}

/// Why a card's SVG could not be rasterised: a theme's `card.svg` that is
/// not valid SVG, or of no size.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct RasteriseError(String);

/// The SVG parser's options, with the bundled font as its only font,
/// made once per process.
pub(super) fn options() -> &'static resvg::usvg::Options<'static> {
    static OPTIONS: OnceLock<resvg::usvg::Options<'static>> = OnceLock::new();
    OPTIONS.get_or_init(|| {
        let mut fonts = resvg::usvg::fontdb::Database::new();
        fonts.load_font_data(FONT.to_vec());
        fonts.set_sans_serif_family(FONT_FAMILY);
        fonts.set_serif_family(FONT_FAMILY);
        resvg::usvg::Options {
            font_family: FONT_FAMILY.to_owned(),
            fontdb: Arc::new(fonts),
            ..resvg::usvg::Options::default()
        }
    })
}

/// Rasterises a card's SVG to a 1200×630 PNG (the SVG scaled to fill it),
/// over white, without an alpha channel. The same text gives the same bytes.
pub fn rasterise(svg: &str) -> Result<Vec<u8>, RasteriseError> {
    let tree = resvg::usvg::Tree::from_str(svg, options()).map_err(|e| RasteriseError(e.to_string()))?;
    let size = tree.size();
    let mut pixmap = resvg::tiny_skia::Pixmap::new(WIDTH, HEIGHT)
        .ok_or_else(|| RasteriseError("the card has no size".to_owned()))?;
    pixmap.fill(resvg::tiny_skia::Color::WHITE);
    let scale = resvg::tiny_skia::Transform::from_scale(WIDTH as f32 / size.width(), HEIGHT as f32 / size.height());
    super::raster::render(&tree, &metrics().font, scale, &mut pixmap.as_mut());
    encode(&pixmap).map_err(|e| RasteriseError(e.to_string()))
}

/// PNG of an opaque pixmap (every pixel is opaque, so premultiplied values
/// are the colours), with the fast compressor and the `Up` filter: adaptive
/// filtering or a slower compressor would cost more than the rest of a card
/// (BENCHMARKS.md, "Social cards"). A card of flat colours and anti-aliased
/// text has under a hundred colours: then an indexed PNG, which is lossless
/// and a fraction of RGB's size; else RGB.
fn encode(pixmap: &resvg::tiny_skia::Pixmap) -> Result<Vec<u8>, png::EncodingError> {
    let mut out = Vec::with_capacity(64 * 1024);
    let mut encoder = png::Encoder::new(&mut out, pixmap.width(), pixmap.height());
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    encoder.set_filter(png::Filter::Up);
    let data = match Palette::of(pixmap.data()) {
        Some((palette, indices)) => {
            encoder.set_color(png::ColorType::Indexed);
            encoder.set_palette(palette);
            indices
        }
        None => {
            encoder.set_color(png::ColorType::Rgb);
            pixmap.data().chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]]).collect()
        }
    };
    let mut writer = encoder.write_header()?;
    writer.write_image_data(&data)?;
    writer.finish()?;
    Ok(out)
}

/// The colours of an image in order of first appearance, found through a
/// small open-addressed table (a card's runs of one colour skip it).
struct Palette {
    /// Slots of (RGBA as one word, index + 1); 0 is empty.
    slots: Vec<(u32, u16)>,
    /// RGB triples, in index order.
    colours: Vec<u8>,
}

impl Palette {
    const SLOTS: usize = 1024;

    /// The palette and each pixel's index, or `None` past 256 colours.
    fn of(rgba: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
        let mut palette = Palette {
            slots: vec![(0, 0); Self::SLOTS],
            colours: Vec::with_capacity(256 * 3),
        };
        let mut indices = Vec::with_capacity(rgba.len() / 4);
        let mut rest = rgba.as_chunks::<4>().0;
        while let Some(&pixel) = rest.first() {
            let run = rest.iter().position(|&p| p != pixel).unwrap_or(rest.len());
            let index = palette.index(u32::from_le_bytes(pixel))?;
            indices.resize(indices.len() + run, index);
            rest = &rest[run..];
        }
        Some((palette.colours, indices))
    }

    fn index(&mut self, word: u32) -> Option<u8> {
        let mut slot = (word.wrapping_mul(0x9E37_79B1) >> 22) as usize;
        loop {
            match self.slots[slot] {
                (w, i) if i != 0 && w == word => return u8::try_from(i - 1).ok(),
                (_, 0) => {
                    let index = self.colours.len() / 3;
                    if index == 256 {
                        return None;
                    }
                    self.colours.extend_from_slice(&word.to_le_bytes()[..3]);
                    self.slots[slot] = (word, index as u16 + 1);
                    return u8::try_from(index).ok();
                }
                _ => slot = (slot + 1) % Self::SLOTS,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(headline: &str) -> CardText<'_> {
        CardText {
            site_title: "Cloud & Defense Briefs",
            kicker: Some("cloud"),
            headline,
            date: "August 18, 2020",
            entities: vec!["Microsoft", "AWS", "JEDI"],
        }
    }

    fn assert_fits(layout: &CardLayout) {
        assert!(!layout.lines.is_empty());
        for line in &layout.lines {
            let w = text_width(&line.text, layout.size);
            assert!(w <= TEXT_WIDTH, "{:?} is {w} px wide at {}", line.text, layout.size);
        }
        let last = layout.lines.last().unwrap();
        assert!(
            last.y + (LEADING - ASCENT) * layout.size <= HEADLINE_BOTTOM + 1.0,
            "{layout:?}"
        );
    }

    #[test]
    fn every_headline_fits_the_card_at_the_largest_size_that_fits() {
        let short = layout(&text("JEDI"));
        assert_eq!(short.size, HEADLINE_SIZES[0]);
        assert_eq!(short.lines.len(), 1);
        let long = "Microsoft Focuses on Cloud Services for Foreign Governments; JEDI Contract Effect? ".repeat(4);
        let wide = "W".repeat(300);
        let cjk = "日本語の見出しは空白なしで長く続くことがあります".repeat(5);
        let unbroken = "Supercalifragilisticexpialidocious-Cloud-Contract-Protest-Decision-Appealed";
        for headline in [long.as_str(), wide.as_str(), cjk.as_str(), unbroken, "A & B <C>"] {
            let l = layout(&text(headline));
            assert_fits(&l);
            let joined: String = l.lines.iter().map(|l| l.text.as_str()).collect();
            assert_eq!(joined.replace(' ', ""), headline.replace(' ', ""), "nothing is dropped");
        }
        assert!(layout(&text(&long)).size < short.size, "long headlines shrink");
        let endless = "word ".repeat(20_000);
        let l = layout(&text(&endless));
        assert_fits(&l);
        assert!(l.lines.last().unwrap().text.ends_with('…'), "{:?}", l.lines.last());
    }

    #[test]
    fn one_line_texts_are_shortened_with_an_ellipsis() {
        let many: Vec<String> = (0..40).map(|i| format!("Company number {i}")).collect();
        let mut t = text("Headline");
        t.entities = many.iter().map(String::as_str).collect();
        let l = layout(&t);
        assert!(l.entities.ends_with('…'), "{}", l.entities);
        assert!(text_width(&format!("{} · {}", l.date, l.entities), SMALL_SIZE) <= TEXT_WIDTH);
        assert_eq!(layout(&text("x")).entities, "Microsoft · AWS · JEDI");
        assert_eq!(layout(&text("x")).kicker.as_deref(), Some("CLOUD"));
    }

    #[test]
    fn a_palette_holds_up_to_256_colours_in_order_of_appearance() {
        let pixels: Vec<u8> = (0..=255u8).chain([0, 7]).flat_map(|v| [v, 1, 2, 255]).collect();
        let (palette, indices) = Palette::of(&pixels).unwrap();
        assert_eq!(palette.len(), 256 * 3);
        assert_eq!(&palette[..6], &[0, 1, 2, 1, 1, 2]);
        assert_eq!(&indices[256..], &[0, 7]);
        let more: Vec<u8> = (0..257u32).flat_map(|v| [v as u8, (v >> 8) as u8, 0, 255]).collect();
        assert!(Palette::of(&more).is_none(), "RGB past 256 colours");
    }

    #[test]
    fn rasterising_is_deterministic_and_makes_a_1200_by_630_png() {
        let svg = format!(
            r##"<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="630" viewBox="0 0 1200 630"><rect width="1200" height="630" fill="#fbfaf7"/><text x="80" y="300" font-family="{FONT_FAMILY}" font-size="64" fill="#1b1b1b">A &amp; B &lt;C&gt;</text></svg>"##
        );
        let a = rasterise(&svg).unwrap();
        assert_eq!(a, rasterise(&svg).unwrap());
        assert_eq!(&a[..8], b"\x89PNG\r\n\x1a\n");
        assert_eq!(u32::from_be_bytes(a[16..20].try_into().unwrap()), WIDTH);
        assert_eq!(u32::from_be_bytes(a[20..24].try_into().unwrap()), HEIGHT);
        assert!(rasterise("<svg").is_err());
    }
}

#[cfg(test)]
mod timing {
    use super::*;

    /// Where a card's time goes, phase by phase (run with `--release --ignored --nocapture`).
    #[test]
    #[ignore = "a measurement, not a test"]
    #[allow(clippy::print_stderr, reason = "a measurement reports its figures")]
    fn phases() {
        let svg = include_str!("../render/builtin/card.svg")
            .replace("{{ card.width }}", "1200")
            .replace("{{ card.height }}", "630")
            .replace("{{ card.font_family }}", FONT_FAMILY)
            .replace("{{ card.x }}", "80")
            .replace("{{ card.size }}", "64")
            .replace("{{ card.site_title }}", "Annotated Briefs")
            .replace("{{ card.headline }}", "x")
            .replace("{{ card.kicker }}", "CLOUD")
            .replace("{{ card.date }}", "August 18, 2020")
            .replace("{{ card.entities }}", "Microsoft · AWS · JEDI")
            .replace(
                "{% for line in card.lines %}<tspan x=\"80\" y=\"{{ line.y }}\">{{ line.text }}</tspan>{% endfor %}",
                "<tspan x=\"80\" y=\"260\">Inspector General Says Pentagon</tspan><tspan x=\"80\" y=\"334\">Staff Were Told Not to Discuss</tspan>",
            )
            .replace("{% if card.kicker %}", "")
            .replace("{% endif %}", "")
            .replace("{% if card.entities %}", "");
        let n = 50;
        let t = std::time::Instant::now();
        let mut trees = Vec::new();
        for _ in 0..n {
            trees.push(resvg::usvg::Tree::from_str(&svg, options()).unwrap());
        }
        let parse = t.elapsed() / n;
        let t = std::time::Instant::now();
        let mut pixmap = resvg::tiny_skia::Pixmap::new(WIDTH, HEIGHT).unwrap();
        for tree in &trees {
            pixmap.fill(resvg::tiny_skia::Color::WHITE);
            resvg::render(tree, resvg::tiny_skia::Transform::identity(), &mut pixmap.as_mut());
        }
        let render = t.elapsed() / n;
        let t = std::time::Instant::now();
        let size = (0..n).map(|_| encode(&pixmap).unwrap().len()).next_back();
        let encoding = t.elapsed() / n;
        eprintln!("parse {parse:?} render {render:?} encode {encoding:?} ({size:?} bytes)");
    }
}
