//! Pictures a site publishes (lead images, author portraits, company
//! logos): one source file in, the renditions the theme and link previews
//! need out, each written under `/media/` by [`super::path_of`].
//!
//! Everything here is pure Rust and header-first: a file is recognised by
//! its bytes (never its name), its size and EXIF orientation are read from
//! the header, and the renditions are planned from those alone, so a file
//! whose renditions are all in the [`MediaCache`] is never decoded, and a
//! picture that would need gigabytes to decode is refused before a pixel
//! is allocated. Re-encoding keeps pixels only, so no EXIF (a phone's GPS
//! position), ICC or text chunk of the source reaches the site.
//!
//! This module knows nothing of front matter or pages: it turns bytes into
//! files, or into an [`ImageError`] the caller places at the writer's line.

use std::io::Cursor;

use fast_image_resize::images::Image as Pixels;
use fast_image_resize::{PixelType, ResizeOptions, Resizer};
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use image::{DynamicImage, ImageDecoder, ImageEncoder, ImageFormat, ImageReader, Limits};

use super::cache::MediaCache;
use crate::routes::UrlPath;

/// The largest side accepted, in pixels: bigger than any camera's.
const MAX_SIDE: u32 = 16_384;

/// The most pixels accepted (about a 64-megapixel photo): what a decode
/// may allocate stays a few hundred megabytes.
const MAX_PIXELS: u64 = 64_000_000;

/// What a decoder may allocate at once, a second guard behind the header
/// check for decoders that allocate more than the picture.
const MAX_ALLOC: u64 = 512 * 1024 * 1024;

/// JPEG quality of photos: small files with no artefacts a reader notices.
const QUALITY: u8 = 80;

/// Bumped whenever the resampling or the encoders change, so that files a
/// cache kept from older code are made again instead of reused.
const VERSION: &str = "v1";

/// What a picture is for, which decides the renditions it gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// A brief's lead image: widths for `srcset`, a crop for cards, the
    /// `og:image` crop and the structured-data crops.
    Lead,
    /// An author's portrait: small square crops.
    Portrait,
    /// A company's logo: small widths, its proportions kept.
    Logo,
}

/// One file made of a picture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendition {
    /// Where it is published (`media/<hash>.<ext>`).
    pub path: UrlPath,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

/// Every rendition of one picture, for views to choose from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picture {
    /// The source's width once upright (EXIF orientation applied).
    pub width: u32,
    /// The source's height once upright.
    pub height: u32,
    /// The whole picture at a few widths, narrowest first (`srcset`).
    pub widths: Vec<Rendition>,
    /// A small crop for cards and bylines (3:2 for lead images, square
    /// for portraits), narrowest first; empty for logos.
    pub thumbs: Vec<Rendition>,
    /// The `og:image` crop (1200×630 when the source allows; lead images).
    pub share: Option<Rendition>,
    /// Structured-data crops in 16:9, 4:3 and 1:1 (lead images).
    pub structured: Vec<Rendition>,
    /// The MIME type of every rendition.
    pub mime: &'static str,
}

/// A picture's renditions and the bytes of each.
#[derive(Debug)]
pub struct Made {
    /// The renditions.
    pub picture: Picture,
    /// Every file, in the order of `picture`'s fields.
    pub files: Vec<(UrlPath, Vec<u8>)>,
    /// How many files were encoded (not found in the cache).
    pub encoded: usize,
}

/// Why a file cannot be published as a picture, in the writer's words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImageError {
    /// SVG can carry scripts and links; it is never published as is.
    #[error("the picture is an SVG drawing, which dossier does not publish (it may carry scripts)")]
    Svg,
    /// Bytes of no picture format dossier reads.
    #[error("the file is not a JPEG or PNG picture")]
    NotAnImage,
    /// A picture format dossier does not read.
    #[error("the file is a {0} picture, which dossier does not read")]
    Unsupported(&'static str),
    /// The file name says one format, the bytes another.
    #[error("the file is named .{ext} but holds a {actual} picture")]
    WrongExtension {
        /// The extension as written.
        ext: String,
        /// What the bytes are.
        actual: &'static str,
    },
    /// A picture too large to decode safely (or a decompression bomb).
    #[error("the picture claims to be {width}×{height} pixels, more than dossier decodes")]
    TooLarge {
        /// Claimed width.
        width: u32,
        /// Claimed height.
        height: u32,
    },
    /// The header or the pixels are broken (a truncated download, say).
    #[error("the picture cannot be decoded: {0}")]
    Broken(String),
}

impl ImageError {
    /// How the writer fixes it.
    pub fn help(&self) -> &'static str {
        match self {
            ImageError::Svg => "export the drawing as a PNG (or JPEG) and point src at that file",
            ImageError::NotAnImage | ImageError::Unsupported(_) => {
                "save the picture as a JPEG (photos) or PNG (drawings, logos)"
            }
            ImageError::WrongExtension { .. } => {
                "rename the file to the extension of its format, or save it again in the format its name says"
            }
            ImageError::TooLarge { .. } => "scale the picture down (3000 pixels wide is plenty) and save it again",
            ImageError::Broken(_) => "open the file in an image editor and save it again; it may be cut short",
        }
    }
}

/// The renditions of `bytes` (a file named with extension `ext`) for
/// `role`, each taken from `cache` when an earlier build made it, else
/// made and kept there.
pub fn make(bytes: &[u8], ext: &str, role: Role, cache: &MediaCache) -> Result<Made, ImageError> {
    let header = Header::read(bytes, ext)?;
    let plan = Plan::new(bytes, &header, role);
    let cached: Vec<Option<Vec<u8>>> = plan.cuts.iter().map(|c| cache.get(&c.path)).collect();
    let encoded = cached.iter().filter(|c| c.is_none()).count();
    let files = if encoded == 0 {
        plan.cuts
            .iter()
            .zip(cached)
            .map(|(c, b)| (c.path.clone(), b.unwrap_or_default()))
            .collect()
    } else {
        let upright = header.decode(bytes)?;
        let mut resizer = Resizer::new();
        let mut files = Vec::with_capacity(plan.cuts.len());
        for (cut, kept) in plan.cuts.iter().zip(cached) {
            let file = match kept {
                Some(file) => file,
                None => {
                    let file = cut.make(&upright, &mut resizer, header.alpha)?;
                    cache.put(&cut.path, &file);
                    file
                }
            };
            files.push((cut.path.clone(), file));
        }
        files
    };
    Ok(Made {
        picture: plan.picture,
        files,
        encoded,
    })
}

/// What the header says: format, upright size, orientation, alpha.
struct Header {
    format: ImageFormat,
    /// Width and height once upright.
    width: u32,
    height: u32,
    orientation: image::metadata::Orientation,
    alpha: bool,
}

impl Header {
    /// Reads the header only, refusing what is not a JPEG or PNG, what lies
    /// about its type, and what is too large to decode.
    fn read(bytes: &[u8], ext: &str) -> Result<Header, ImageError> {
        let format = sniff(bytes)?;
        let named = ImageFormat::from_extension(ext);
        if named != Some(format) {
            return Err(ImageError::WrongExtension {
                ext: ext.to_owned(),
                actual: format_name(format),
            });
        }
        if format == ImageFormat::Jpeg && !jpeg_is_whole(bytes) {
            return Err(ImageError::Broken(
                "it ends before its last picture data (cut short)".to_owned(),
            ));
        }
        let mut decoder = reader(bytes, format).into_decoder().map_err(broken)?;
        let (width, height) = decoder.dimensions();
        check_size(width, height)?;
        let orientation = decoder
            .orientation()
            .unwrap_or(image::metadata::Orientation::NoTransforms);
        let alpha = decoder.color_type().has_alpha();
        let turned = matches!(
            orientation,
            image::metadata::Orientation::Rotate90
                | image::metadata::Orientation::Rotate270
                | image::metadata::Orientation::Rotate90FlipH
                | image::metadata::Orientation::Rotate270FlipH
        );
        let (width, height) = if turned { (height, width) } else { (width, height) };
        Ok(Header {
            format,
            width,
            height,
            orientation,
            alpha,
        })
    }

    /// Decodes the pixels, upright, as 8-bit RGB (or RGBA with alpha).
    fn decode(&self, bytes: &[u8]) -> Result<Pixels<'static>, ImageError> {
        let decoder = reader(bytes, self.format).into_decoder().map_err(broken)?;
        let mut image = DynamicImage::from_decoder(decoder).map_err(broken)?;
        image.apply_orientation(self.orientation);
        let (width, height) = (image.width(), image.height());
        let (buffer, pixel) = if self.alpha {
            (image.into_rgba8().into_raw(), PixelType::U8x4)
        } else {
            (image.into_rgb8().into_raw(), PixelType::U8x3)
        };
        Pixels::from_vec_u8(width, height, buffer, pixel).map_err(|e| ImageError::Broken(e.to_string()))
    }
}

/// A reader of `bytes` as `format`, with the memory limits set.
fn reader(bytes: &[u8], format: ImageFormat) -> ImageReader<Cursor<&[u8]>> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_ALLOC);
    reader.limits(limits);
    reader
}

fn check_size(width: u32, height: u32) -> Result<(), ImageError> {
    let pixels = u64::from(width) * u64::from(height);
    if width == 0 || height == 0 {
        return Err(ImageError::Broken("it has no pixels".to_owned()));
    }
    if width > MAX_SIDE || height > MAX_SIDE || pixels > MAX_PIXELS {
        return Err(ImageError::TooLarge { width, height });
    }
    Ok(())
}

fn broken(e: image::ImageError) -> ImageError {
    match e {
        image::ImageError::Limits(_) => ImageError::TooLarge { width: 0, height: 0 },
        other => ImageError::Broken(other.to_string()),
    }
}

/// Whether a JPEG's picture data is followed by its end marker. The JPEG
/// decoder is lenient and shows a cut-short file with a grey lower part,
/// which a site must not publish. In the compressed data a 0xFF byte is
/// always followed by 0x00 or a restart marker, so the last end-of-image
/// marker after the last start-of-scan is the main picture's (an EXIF
/// thumbnail's come before it).
fn jpeg_is_whole(bytes: &[u8]) -> bool {
    let last = |marker: u8| bytes.windows(2).rposition(|w| w == [0xFF, marker]);
    match (last(0xDA), last(0xD9)) {
        (Some(scan), Some(end)) => end > scan,
        _ => false,
    }
}

/// The format the bytes are, from their first bytes only.
fn sniff(bytes: &[u8]) -> Result<ImageFormat, ImageError> {
    let start = String::from_utf8_lossy(&bytes[..bytes.len().min(512)]).to_ascii_lowercase();
    let text = start.trim_start_matches('\u{feff}').trim_start();
    if text.starts_with("<svg") || (text.starts_with("<?xml") || text.starts_with("<!--")) && start.contains("<svg") {
        return Err(ImageError::Svg);
    }
    match image::guess_format(bytes) {
        Ok(ImageFormat::Jpeg) => Ok(ImageFormat::Jpeg),
        Ok(ImageFormat::Png) => Ok(ImageFormat::Png),
        Ok(other) => Err(ImageError::Unsupported(format_name(other))),
        Err(_) => Err(ImageError::NotAnImage),
    }
}

fn format_name(format: ImageFormat) -> &'static str {
    match format {
        ImageFormat::Jpeg => "JPEG",
        ImageFormat::Png => "PNG",
        ImageFormat::WebP => "WebP",
        ImageFormat::Gif => "GIF",
        ImageFormat::Avif => "AVIF",
        ImageFormat::Tiff => "TIFF",
        ImageFormat::Bmp => "BMP",
        _ => "other",
    }
}

/// Widths of a lead image for `srcset`: a phone, a laptop, a wide screen
/// at 2×, and the source's own when it is narrower than the widest.
const LEAD_WIDTHS: [u32; 4] = [480, 800, 1200, 1600];
/// A lead image's crop on cards: one width, and twice it for dense screens.
const THUMB_WIDTHS: [u32; 2] = [240, 480];
/// A portrait's square crop: a byline avatar and a profile photo, 1× and 2×.
const PORTRAIT_WIDTHS: [u32; 3] = [96, 192, 384];
/// A logo's widths.
const LOGO_WIDTHS: [u32; 2] = [160, 320];
/// The width of `og:image` and of the structured-data crops.
const SHARE_WIDTH: u32 = 1200;

/// The renditions of a picture, planned from its header.
struct Plan {
    picture: Picture,
    cuts: Vec<Cut>,
}

/// One rendition to make: a centred crop of the upright source (the whole
/// picture for a plain resize), scaled to `width`×`height`.
struct Cut {
    path: UrlPath,
    crop: (u32, u32, u32, u32),
    width: u32,
    height: u32,
}

impl Plan {
    /// The renditions of `source` (whose header is `header`) for `role`,
    /// each named by the source's bytes and its transform.
    fn new(source: &[u8], header: &Header, role: Role) -> Plan {
        let (w, h) = (header.width, header.height);
        let (ext, encoding) = if header.alpha {
            ("png", "png".to_owned())
        } else {
            ("jpg", format!("q{QUALITY}"))
        };
        let cut = |crop: (u32, u32, u32, u32), width: u32, height: u32| {
            let (left, top, cw, ch) = crop;
            let transform = format!("{VERSION}/crop{cw}x{ch}+{left}+{top}/to{width}x{height}/{encoding}");
            Cut {
                path: super::path_of(source, &transform, ext),
                crop,
                width,
                height,
            }
        };
        let (fits, thumbs, thumb_ratio): (&[u32], &[u32], (u32, u32)) = match role {
            Role::Lead => (&LEAD_WIDTHS, &THUMB_WIDTHS, (3, 2)),
            Role::Portrait => (&[], &PORTRAIT_WIDTHS, (1, 1)),
            Role::Logo => (&LOGO_WIDTHS, &[], (1, 1)),
        };
        let whole: Vec<Cut> = (widths_upto(fits, w).into_iter())
            .map(|width| cut((0, 0, w, h), width, scaled(h, width, w)))
            .collect();
        let thumb_box = centred(w, h, thumb_ratio);
        let thumb: Vec<Cut> = (widths_upto(thumbs, thumb_box.2).into_iter())
            .map(|width| cut(thumb_box, width, scaled(width, thumb_ratio.1, thumb_ratio.0)))
            .collect();
        let crop_at = |ratio: (u32, u32)| {
            let b = centred(w, h, ratio);
            let width = b.2.min(SHARE_WIDTH);
            cut(b, width, scaled(width, ratio.1, ratio.0))
        };
        let (share, structured) = match role {
            Role::Lead => (
                Some(crop_at((40, 21))),
                vec![crop_at((16, 9)), crop_at((4, 3)), crop_at((1, 1))],
            ),
            Role::Portrait | Role::Logo => (None, Vec::new()),
        };
        let rendition = |c: &Cut| Rendition {
            path: c.path.clone(),
            width: c.width,
            height: c.height,
        };
        let picture = Picture {
            width: w,
            height: h,
            widths: whole.iter().map(rendition).collect(),
            thumbs: thumb.iter().map(rendition).collect(),
            share: share.as_ref().map(rendition),
            structured: structured.iter().map(rendition).collect(),
            mime: if header.alpha { "image/png" } else { "image/jpeg" },
        };
        let mut cuts = whole;
        cuts.extend(thumb);
        cuts.extend(share);
        cuts.extend(structured);
        // A crop can equal a resize (a 3:2 source's thumbnail is its
        // whole picture): one file, made once.
        let mut seen = std::collections::HashSet::new();
        cuts.retain(|c| seen.insert(c.path.clone()));
        Plan { picture, cuts }
    }
}

/// `value × num ÷ den`, rounded, never 0.
fn scaled(value: u32, num: u32, den: u32) -> u32 {
    let v = (u64::from(value) * u64::from(num) + u64::from(den) / 2) / u64::from(den);
    v.clamp(1, u64::from(u32::MAX)) as u32
}

/// The widths of `wanted` no wider than `source`, plus `source` itself when
/// it is narrower than the widest wanted (never upscaled, never empty).
fn widths_upto(wanted: &[u32], source: u32) -> Vec<u32> {
    let Some(&widest) = wanted.last() else {
        return Vec::new();
    };
    let mut widths: Vec<u32> = wanted.iter().copied().filter(|&x| x <= source).collect();
    if source < widest && widths.last() != Some(&source) {
        widths.push(source);
    }
    widths
}

/// The largest box of proportions `ratio` centred in a `w`×`h` picture:
/// (left, top, width, height).
fn centred(w: u32, h: u32, (rw, rh): (u32, u32)) -> (u32, u32, u32, u32) {
    let (bw, bh) = if u64::from(w) * u64::from(rh) >= u64::from(h) * u64::from(rw) {
        (scaled(h, rw, rh).min(w), h)
    } else {
        (w, scaled(w, rh, rw).min(h))
    };
    ((w - bw) / 2, (h - bh) / 2, bw, bh)
}

impl Cut {
    /// Crops, resizes and encodes the upright source.
    fn make(&self, source: &Pixels<'_>, resizer: &mut Resizer, alpha: bool) -> Result<Vec<u8>, ImageError> {
        let mut out = Pixels::new(self.width, self.height, source.pixel_type());
        let (left, top, width, height) = self.crop;
        let options = ResizeOptions::new().crop(f64::from(left), f64::from(top), f64::from(width), f64::from(height));
        resizer
            .resize(source, &mut out, &options)
            .map_err(|e| ImageError::Broken(e.to_string()))?;
        let mut bytes = Vec::new();
        let result = if alpha {
            PngEncoder::new_with_quality(&mut bytes, CompressionType::Best, FilterType::Adaptive).write_image(
                out.buffer(),
                self.width,
                self.height,
                image::ExtendedColorType::Rgba8,
            )
        } else {
            JpegEncoder::new_with_quality(&mut bytes, QUALITY).write_image(
                out.buffer(),
                self.width,
                self.height,
                image::ExtendedColorType::Rgb8,
            )
        };
        result.map_err(|e| ImageError::Broken(e.to_string()))?;
        Ok(bytes)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A JPEG of `w`×`h` (a gradient), with `exif` (TIFF bytes) if any.
    pub(crate) fn jpeg(w: u32, h: u32, exif: Option<Vec<u8>>) -> Vec<u8> {
        let pixels: Vec<u8> = (0..w * h)
            .flat_map(|i| [(i % w * 255 / w) as u8, (i / w * 255 / h) as u8, 90])
            .collect();
        let mut out = Vec::new();
        let mut encoder = JpegEncoder::new_with_quality(&mut out, 90);
        if let Some(exif) = exif {
            encoder.set_exif_metadata(exif).unwrap();
        }
        encoder
            .write_image(&pixels, w, h, image::ExtendedColorType::Rgb8)
            .unwrap();
        out
    }

    /// EXIF (TIFF, little-endian) with an orientation and a GPS block
    /// holding `secret` as its latitude reference text.
    pub(crate) fn exif(orientation: u16, secret: &str) -> Vec<u8> {
        let mut t = b"II*\0\x08\0\0\0".to_vec();
        let entry = |t: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: u32| {
            t.extend(tag.to_le_bytes());
            t.extend(kind.to_le_bytes());
            t.extend(count.to_le_bytes());
            t.extend(value.to_le_bytes());
        };
        t.extend(2u16.to_le_bytes());
        entry(&mut t, 0x0112, 3, 1, u32::from(orientation));
        let gps = 8 + 2 + 2 * 12 + 4;
        entry(&mut t, 0x8825, 4, 1, gps);
        t.extend(0u32.to_le_bytes());
        let text = gps + 2 + 12 + 4;
        t.extend(1u16.to_le_bytes());
        entry(&mut t, 0x0001, 2, secret.len() as u32 + 1, text);
        t.extend(0u32.to_le_bytes());
        t.extend(secret.as_bytes());
        t.push(0);
        t
    }

    /// A PNG whose header claims `w`×`h` and holds no pixels.
    pub(crate) fn png_claiming(w: u32, h: u32) -> Vec<u8> {
        fn crc(bytes: &[u8]) -> u32 {
            let mut c = !0u32;
            for &b in bytes {
                c ^= u32::from(b);
                for _ in 0..8 {
                    c = if c & 1 != 0 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
                }
            }
            !c
        }
        let mut ihdr = b"IHDR".to_vec();
        ihdr.extend(w.to_be_bytes());
        ihdr.extend(h.to_be_bytes());
        ihdr.extend([8, 2, 0, 0, 0]);
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        png.extend(13u32.to_be_bytes());
        png.extend(&ihdr);
        png.extend(crc(&ihdr).to_be_bytes());
        png
    }

    fn made(bytes: &[u8], ext: &str, role: Role) -> Result<Made, ImageError> {
        make(bytes, ext, role, &MediaCache::none())
    }

    #[test]
    fn a_photo_gets_widths_crops_and_never_an_upscale() {
        let m = made(&jpeg(1000, 600, None), "jpg", Role::Lead).unwrap();
        let p = &m.picture;
        let widths: Vec<u32> = p.widths.iter().map(|r| r.width).collect();
        assert_eq!(widths, [480, 800, 1000]);
        assert_eq!((p.widths[2].width, p.widths[2].height), (1000, 600));
        let share = p.share.as_ref().unwrap();
        assert_eq!((share.width, share.height), (1000, 525), "40:21 crop, no upscale");
        let s: Vec<(u32, u32)> = p.structured.iter().map(|r| (r.width, r.height)).collect();
        assert_eq!(s, [(1000, 563), (800, 600), (600, 600)]);
        assert_eq!(
            p.thumbs.iter().map(|r| (r.width, r.height)).collect::<Vec<_>>(),
            [(240, 160), (480, 320)]
        );
        assert_eq!(m.files.len(), m.encoded);
        for (path, bytes) in &m.files {
            assert!(path.as_str().ends_with(".jpg"), "{path}");
            let decoded = image::load_from_memory(bytes).unwrap();
            let r = [&p.widths[..], &p.thumbs[..], &p.structured[..]]
                .concat()
                .into_iter()
                .chain(p.share.clone())
                .find(|r| &r.path == path)
                .unwrap();
            assert_eq!((decoded.width(), decoded.height()), (r.width, r.height));
        }
        // A large photo's plan, from its header alone (encoding it here
        // would only slow the test).
        let header = Header {
            format: ImageFormat::Jpeg,
            width: 2400,
            height: 1600,
            orientation: image::metadata::Orientation::NoTransforms,
            alpha: false,
        };
        let big = Plan::new(b"big", &header, Role::Lead).picture;
        assert_eq!(big.widths.iter().map(|r| r.width).collect::<Vec<_>>(), LEAD_WIDTHS);
        let share = big.share.unwrap();
        assert_eq!((share.width, share.height), (1200, 630));
    }

    #[test]
    fn orientation_is_applied_and_no_metadata_survives() {
        let source = jpeg(64, 32, Some(exif(6, "SECRET-48.8584N")));
        assert!(source.windows(6).any(|w| w == b"SECRET"), "the fixture carries it");
        let m = made(&source, "jpg", Role::Lead).unwrap();
        assert_eq!((m.picture.width, m.picture.height), (32, 64), "rotated upright");
        for (_, bytes) in &m.files {
            assert!(!bytes.windows(6).any(|w| w == b"SECRET"));
            assert!(!bytes.windows(4).any(|w| w == b"Exif"));
        }
    }

    #[test]
    fn bad_files_are_refused_in_words() {
        let started = std::time::Instant::now();
        assert!(matches!(
            made(&png_claiming(100_000, 100_000), "png", Role::Lead),
            Err(ImageError::TooLarge { .. })
        ));
        assert!(started.elapsed().as_millis() < 500, "refused from the header");
        let svg = b"<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>";
        assert_eq!(made(svg, "svg", Role::Lead).unwrap_err(), ImageError::Svg);
        assert_eq!(
            made(b"hello, world", "jpg", Role::Lead).unwrap_err(),
            ImageError::NotAnImage
        );
        let photo = jpeg(40, 30, None);
        assert!(matches!(
            made(&photo, "png", Role::Lead),
            Err(ImageError::WrongExtension { .. })
        ));
        let cut = &photo[..photo.len() / 2];
        assert!(
            matches!(made(cut, "jpg", Role::Lead), Err(ImageError::Broken(_))),
            "{:?}",
            made(cut, "jpg", Role::Lead)
        );
        assert!(made(&photo[..3], "jpg", Role::Lead).is_err());
        assert!(matches!(
            made(&png_claiming(10, 10), "png", Role::Lead),
            Err(ImageError::Broken(_))
        ));
    }

    #[test]
    fn alpha_stays_png_and_a_warm_cache_encodes_nothing() {
        let mut png = Vec::new();
        let pixels: Vec<u8> = (0..50 * 50).flat_map(|i| [200, 10, 10, (i % 255) as u8]).collect();
        PngEncoder::new(&mut png)
            .write_image(&pixels, 50, 50, image::ExtendedColorType::Rgba8)
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let cache = MediaCache::at(dir.path());
        let cold = make(&png, "png", Role::Logo, &cache).unwrap();
        assert_eq!(cold.picture.mime, "image/png");
        assert!(cold.encoded > 0);
        let warm = make(&png, "png", Role::Logo, &cache).unwrap();
        assert_eq!(warm.encoded, 0);
        assert_eq!(warm.files, cold.files, "byte-identical from the cache");
        assert_eq!(warm.picture, cold.picture);
    }

    #[test]
    fn crops_are_centred_and_widths_capped() {
        assert_eq!(centred(1000, 600, (1, 1)), (200, 0, 600, 600));
        assert_eq!(centred(600, 1000, (16, 9)), (0, 331, 600, 338));
        assert_eq!(widths_upto(&LEAD_WIDTHS, 300), [300]);
        assert_eq!(widths_upto(&LEAD_WIDTHS, 1600), LEAD_WIDTHS);
        assert_eq!(widths_upto(&LEAD_WIDTHS, 5000), LEAD_WIDTHS);
    }
}
