//! Drawing a card's SVG tree into pixels: shapes by resvg, text from a
//! cache of glyph masks.
//!
//! resvg fills every run of text as one anti-aliased path, and that scan
//! conversion was four fifths of a card's cost (BENCHMARKS.md, "Social
//! cards"), although ten thousand cards draw the same few dozen glyphs at
//! the same few sizes. So text in a plain solid colour is drawn here: each
//! glyph is rasterised once per thread, size and quarter-pixel position
//! into a coverage mask, and blended where it goes. Anything else (shapes,
//! images, gradients, strokes, rotated or decorated text, isolated groups)
//! goes to resvg unchanged, in document order.
//!
//! A glyph lands within an eighth of a pixel of where resvg puts it, and
//! the same tree always gives the same pixels: a mask depends only on its
//! key, never on what was drawn before.

use std::cell::RefCell;
use std::collections::HashMap;

use resvg::tiny_skia::{FillRule, Mask, Path, PathBuilder, PixmapMut, Transform};
use resvg::usvg::{self, Node, Paint, TextRendering};
use skrifa::instance::{LocationRef, Size};
use skrifa::outline::{DrawSettings, OutlinePen};
use skrifa::{FontRef, GlyphId, MetadataProvider};

/// Positions per pixel, on each axis, at which a glyph is rasterised.
const SUBPIXELS: f32 = 4.0;
/// Masks a thread keeps before it starts over (a site's cards use a few
/// hundred; a theme with many sizes must not grow without bound).
const CACHE_LIMIT: usize = 8192;
/// The largest glyph scale (pixels per font unit) drawn from the cache:
/// 512 px text in a 2048-unit font. Larger text goes to resvg.
const MAX_SCALE: f32 = 0.25;

/// Draws `tree` onto `pixmap` under `transform`. `font` must be the only
/// font of the tree's database (the bundled one); with any other database
/// all text goes to resvg.
pub fn render(tree: &usvg::Tree, font: &FontRef<'_>, transform: Transform, pixmap: &mut PixmapMut<'_>) {
    let glyphs = (tree.fontdb().len() == 1).then_some(font);
    render_children(tree.root(), glyphs, transform, pixmap);
}

fn render_children(group: &usvg::Group, font: Option<&FontRef<'_>>, transform: Transform, pixmap: &mut PixmapMut<'_>) {
    for node in group.children() {
        match node {
            Node::Group(inner) if !inner.should_isolate() => {
                render_children(inner, font, transform.pre_concat(inner.transform()), pixmap);
            }
            Node::Text(text) => match font.and_then(|f| runs(text, transform).map(|r| (f, r))) {
                Some((font, runs)) => draw_runs(font, &runs, pixmap),
                None => with_resvg(node, transform, pixmap),
            },
            _ => with_resvg(node, transform, pixmap),
        }
    }
}

/// resvg draws `node` as if it were the tree's only node, at its own place
/// ([`resvg::render_node`] moves a node to its layer's corner; this moves
/// it back).
fn with_resvg(node: &Node, transform: Transform, pixmap: &mut PixmapMut<'_>) {
    if let Some(bbox) = node.abs_layer_bounding_box() {
        resvg::render_node(node, transform.pre_translate(bbox.x(), bbox.y()), pixmap);
    }
}

/// Glyphs of one span: its colour (premultiplied RGBA), fill rule and each
/// glyph's id and full transform.
struct Run {
    colour: [u8; 4],
    rule: FillRule,
    glyphs: Vec<(u32, Transform)>,
}

/// The text's glyphs if all of it can be drawn from masks: anti-aliased,
/// solid fills without stroke or decoration, glyphs only scaled and moved.
fn runs(text: &usvg::Text, transform: Transform) -> Option<Vec<Run>> {
    if text.rendering_mode() == TextRendering::OptimizeSpeed {
        return None;
    }
    let mut runs = Vec::new();
    for span in text.layouted() {
        if span.stroke.is_some() || span.underline.is_some() || span.overline.is_some() || span.line_through.is_some() {
            return None;
        }
        let (true, Some(fill)) = (span.visible, &span.fill) else {
            continue;
        };
        let Paint::Color(c) = fill.paint() else {
            return None;
        };
        let alpha = (fill.opacity().get() * 255.0).round().clamp(0.0, 255.0) as u32;
        let premultiply = |v: u8| div255(u32::from(v) * alpha) as u8;
        let mut glyphs = Vec::with_capacity(span.positioned_glyphs.len());
        for glyph in &span.positioned_glyphs {
            let t = transform.pre_concat(glyph.outline_transform());
            let plain = t.kx == 0.0 && t.ky == 0.0 && t.sx.abs() <= MAX_SCALE && t.sy.abs() <= MAX_SCALE;
            if !plain || !t.tx.is_finite() || !t.ty.is_finite() {
                return None;
            }
            glyphs.push((glyph.id.0, t));
        }
        runs.push(Run {
            colour: [
                premultiply(c.red),
                premultiply(c.green),
                premultiply(c.blue),
                alpha as u8,
            ],
            rule: match fill.rule() {
                usvg::FillRule::NonZero => FillRule::Winding,
                usvg::FillRule::EvenOdd => FillRule::EvenOdd,
            },
            glyphs,
        });
    }
    Some(runs)
}

/// What names a mask: the glyph, its scale, fill rule and where within a
/// pixel its origin falls.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct GlyphKey {
    glyph: u32,
    sx: u32,
    sy: u32,
    even_odd: bool,
    sub_x: u8,
    sub_y: u8,
}

/// A glyph's coverage, 0–255 per pixel, and its corner relative to the
/// whole pixel its origin falls in.
struct GlyphMask {
    left: i32,
    top: i32,
    width: usize,
    coverage: Vec<u8>,
}

thread_local! {
    /// Masks by key; `None` for a glyph that draws nothing (a space).
    static MASKS: RefCell<HashMap<GlyphKey, Option<GlyphMask>>> = RefCell::new(HashMap::new());
}

fn draw_runs(font: &FontRef<'_>, runs: &[Run], pixmap: &mut PixmapMut<'_>) {
    MASKS.with_borrow_mut(|masks| {
        for run in runs {
            for &(glyph, t) in &run.glyphs {
                let (x, sub_x) = split(t.tx);
                let (y, sub_y) = split(t.ty);
                let key = GlyphKey {
                    glyph,
                    sx: t.sx.to_bits(),
                    sy: t.sy.to_bits(),
                    even_odd: run.rule == FillRule::EvenOdd,
                    sub_x,
                    sub_y,
                };
                if masks.len() >= CACHE_LIMIT && !masks.contains_key(&key) {
                    masks.clear();
                }
                let mask = masks.entry(key).or_insert_with(|| rasterise(font, key));
                if let Some(mask) = mask {
                    blend(pixmap, mask, x, y, run.colour);
                }
            }
        }
    });
}

/// A coordinate as its whole pixel and the nearest quarter within it.
fn split(v: f32) -> (i32, u8) {
    let quarters = (v * SUBPIXELS).round();
    let whole = (quarters / SUBPIXELS).floor();
    (whole as i32, (quarters - whole * SUBPIXELS) as u8)
}

/// A pen that collects an outline as a path.
struct Pen(PathBuilder);

impl OutlinePen for Pen {
    fn move_to(&mut self, x: f32, y: f32) {
        self.0.move_to(x, y);
    }
    fn line_to(&mut self, x: f32, y: f32) {
        self.0.line_to(x, y);
    }
    fn quad_to(&mut self, cx0: f32, cy0: f32, x: f32, y: f32) {
        self.0.quad_to(cx0, cy0, x, y);
    }
    fn curve_to(&mut self, cx0: f32, cy0: f32, cx1: f32, cy1: f32, x: f32, y: f32) {
        self.0.cubic_to(cx0, cy0, cx1, cy1, x, y);
    }
    fn close(&mut self) {
        self.0.close();
    }
}

fn outline(font: &FontRef<'_>, glyph: u32) -> Option<Path> {
    let outline = font.outline_glyphs().get(GlyphId::new(glyph))?;
    let mut pen = Pen(PathBuilder::new());
    let settings = DrawSettings::unhinted(Size::unscaled(), LocationRef::default());
    outline.draw(settings, &mut pen).ok()?;
    pen.0.finish()
}

/// The glyph's coverage at its key's scale and subpixel offset.
fn rasterise(font: &FontRef<'_>, key: GlyphKey) -> Option<GlyphMask> {
    let path = outline(font, key.glyph)?;
    let offset = |sub: u8| f32::from(sub) / SUBPIXELS;
    let t = Transform::from_row(
        f32::from_bits(key.sx),
        0.0,
        0.0,
        f32::from_bits(key.sy),
        offset(key.sub_x),
        offset(key.sub_y),
    );
    let bounds = path.clone().transform(t)?.bounds();
    let left = bounds.left().floor() as i32 - 1;
    let top = bounds.top().floor() as i32 - 1;
    let width = u32::try_from(bounds.right().ceil() as i32 + 1 - left).ok()?;
    let height = u32::try_from(bounds.bottom().ceil() as i32 + 1 - top).ok()?;
    let mut mask = Mask::new(width, height)?;
    let rule = if key.even_odd {
        FillRule::EvenOdd
    } else {
        FillRule::Winding
    };
    mask.fill_path(&path, rule, true, t.post_translate(-left as f32, -top as f32));
    Some(GlyphMask {
        left,
        top,
        width: width as usize,
        coverage: mask.take(),
    })
}

/// Source-over of `colour` through `mask` with the glyph's origin pixel at
/// (`x`, `y`), clipped to the pixmap.
fn blend(pixmap: &mut PixmapMut<'_>, mask: &GlyphMask, x: i32, y: i32, colour: [u8; 4]) {
    let (width, height) = (pixmap.width() as i32, pixmap.height() as i32);
    let pixels = pixmap.data_mut();
    let (left, top) = (x + mask.left, y + mask.top);
    let first_col = (-left).max(0) as usize;
    let last_col = ((width - left).max(0) as usize).min(mask.width);
    for (row, coverage) in mask.coverage.chunks_exact(mask.width).enumerate() {
        let py = top + row as i32;
        if !(0..height).contains(&py) || first_col >= last_col {
            continue;
        }
        let start = (py as usize * width as usize + (left + first_col as i32) as usize) * 4;
        let line = &mut pixels[start..start + (last_col - first_col) * 4];
        for (pixel, &m) in line.chunks_exact_mut(4).zip(&coverage[first_col..last_col]) {
            match m {
                0 => {}
                255 if colour[3] == 255 => pixel.copy_from_slice(&colour),
                _ => {
                    let m = u32::from(m);
                    let keep = 255 - div255(u32::from(colour[3]) * m);
                    for (d, &s) in pixel.iter_mut().zip(&colour) {
                        let v = div255(u32::from(s) * m) + div255(u32::from(*d) * keep);
                        *d = v.min(255) as u8;
                    }
                }
            }
        }
    }
}

/// `v / 255`, rounded, for `v` up to 255².
fn div255(v: u32) -> u32 {
    let v = v + 128;
    (v + (v >> 8)) >> 8
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Draws `svg` both ways: through this module and through resvg alone.
    fn both_ways(svg: &str) -> (Vec<u8>, Vec<u8>) {
        let tree = usvg::Tree::from_str(svg, super::super::card::options()).unwrap();
        let font = FontRef::new(super::super::card::FONT).unwrap();
        let mut ours = resvg::tiny_skia::Pixmap::new(400, 200).unwrap();
        render(&tree, &font, Transform::identity(), &mut ours.as_mut());
        let mut theirs = resvg::tiny_skia::Pixmap::new(400, 200).unwrap();
        resvg::render(&tree, Transform::identity(), &mut theirs.as_mut());
        (ours.take(), theirs.take())
    }

    #[test]
    fn text_from_masks_looks_like_resvgs_text() {
        let svg = r##"<svg xmlns="http://www.w3.org/2000/svg" width="400" height="200">
            <rect width="400" height="200" fill="#fbfaf7"/>
            <text x="10.3" y="60.6" font-size="48" fill="#1b1b1b">Pentagon JEDI</text>
            <text x="12" y="120" font-size="28" fill="#8c1c13" fill-opacity="0.5">Kicker · AWS</text>
            <text x="-20" y="190" font-size="64" fill="#000">Clipped at the edge of the canvas</text>
        </svg>"##;
        let (ours, theirs) = both_ways(svg);
        let inked = theirs.iter().filter(|&&v| v < 200).count();
        assert!(inked > 10_000, "the text is drawn ({inked})");
        let off: u64 = ours.iter().zip(&theirs).map(|(a, b)| u64::from(a.abs_diff(*b))).sum();
        let far = ours.iter().zip(&theirs).filter(|(a, b)| a.abs_diff(**b) > 96).count();
        // A quarter-pixel position and per-glyph blending differ only at
        // edges, and a little (0.4 on average here; half a pixel off is 3).
        let mean = off as f64 / ours.len() as f64;
        assert!(mean < 1.0, "mean difference {mean}");
        assert!(far * 1000 < inked, "{far} channels far off of {inked} inked");
    }

    #[test]
    fn text_resvg_draws_better_goes_to_resvg() {
        // A gradient fill, a stroke, a rotation and optimizeSpeed: all resvg's.
        let svg = r##"<svg xmlns="http://www.w3.org/2000/svg" width="400" height="200">
            <linearGradient id="g"><stop offset="0" stop-color="red"/><stop offset="1" stop-color="blue"/></linearGradient>
            <text x="10" y="50" font-size="40" fill="url(#g)">Gradient</text>
            <text x="10" y="100" font-size="40" fill="none" stroke="#000">Stroke</text>
            <text x="200" y="100" font-size="40" transform="rotate(20 200 100)">Turned</text>
            <text x="10" y="150" font-size="40" text-rendering="optimizeSpeed">Crisp</text>
            <g opacity="0.5"><text x="10" y="190" font-size="30">Half</text></g>
        </svg>"##;
        let (ours, theirs) = both_ways(svg);
        assert!(ours == theirs, "every node went to resvg unchanged");
    }

    #[test]
    fn div255_rounds_like_division() {
        for v in 0..=255 * 255 {
            assert_eq!(div255(v), (v as f32 / 255.0).round() as u32, "{v}");
        }
    }

    #[test]
    fn a_coordinate_splits_into_its_pixel_and_the_nearest_quarter() {
        assert_eq!(split(10.0), (10, 0));
        assert_eq!(split(10.3), (10, 1));
        assert_eq!(split(10.9), (11, 0));
        assert_eq!(split(-0.3), (-1, 3));
    }
}
