//! Pictures (issue 16): lead images, portraits and logos made into
//! renditions under `/media/`, shown with `srcset` and sizes, in link
//! previews and structured data; every bad picture an error at the line
//! that names it; the media cache changing nothing but the time taken.
//! The pictures are drawn here, with the `image` crate.

use std::path::Path;

use image::ImageEncoder;
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;

use crate::common::{Site, Snapshot, assert_links_resolve};

const BRIEF: &str = "content/briefs/2019-10-28-jedi-awarded.md";
const SUB_PATH: &str = "https://fixture.example/repo/";

/// A JPEG of `w`×`h`, carrying EXIF with a GPS block when `gps` (its text
/// "SECRET-48.8584N" must reach no output).
fn jpeg(w: u32, h: u32, gps: bool) -> Vec<u8> {
    let pixels: Vec<u8> = (0..w * h)
        .flat_map(|i| [(i % w * 255 / w) as u8, (i / w * 255 / h) as u8, 120])
        .collect();
    let mut out = Vec::new();
    let mut encoder = JpegEncoder::new_with_quality(&mut out, 90);
    if gps {
        encoder.set_exif_metadata(gps_exif("SECRET-48.8584N")).unwrap();
    }
    encoder
        .write_image(&pixels, w, h, image::ExtendedColorType::Rgb8)
        .unwrap();
    out
}

/// EXIF (little-endian TIFF) whose GPS block holds `secret`.
fn gps_exif(secret: &str) -> Vec<u8> {
    let mut t = b"II*\0\x08\0\0\0".to_vec();
    let entry = |t: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: u32| {
        for part in [
            &tag.to_le_bytes()[..],
            &kind.to_le_bytes(),
            &count.to_le_bytes(),
            &value.to_le_bytes(),
        ] {
            t.extend_from_slice(part);
        }
    };
    t.extend(1u16.to_le_bytes());
    entry(&mut t, 0x8825, 4, 1, 8 + 2 + 12 + 4);
    t.extend(0u32.to_le_bytes());
    t.extend(1u16.to_le_bytes());
    entry(&mut t, 0x0001, 2, secret.len() as u32 + 1, 26 + 2 + 12 + 4);
    t.extend(0u32.to_le_bytes());
    t.extend(secret.as_bytes());
    t.push(0);
    t
}

/// A PNG with alpha, `w`×`h`.
fn png(w: u32, h: u32) -> Vec<u8> {
    let pixels: Vec<u8> = (0..w * h)
        .flat_map(|i| [30, 60, (i % 200) as u8, 255 - (i % 7) as u8])
        .collect();
    let mut out = Vec::new();
    PngEncoder::new(&mut out)
        .write_image(&pixels, w, h, image::ExtendedColorType::Rgba8)
        .unwrap();
    out
}

/// The CRC of a PNG chunk (type and data).
fn crc32(bytes: &[u8]) -> u32 {
    let mut c = !0u32;
    for &b in bytes {
        c ^= u32::from(b);
        for _ in 0..8 {
            c = if c & 1 != 0 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
        }
    }
    !c
}

fn put(site: &Site, relative: &str, bytes: &[u8]) {
    let path = site.path(relative);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

/// The fixture site with a lead image beside a brief (a phone photo with
/// GPS EXIF), a portrait under static/ and a company logo.
fn pictured() -> Site {
    let site = Site::fixture("site");
    put(&site, "content/briefs/hearing.jpg", &jpeg(1000, 600, true));
    put(&site, "static/people/jane.png", &png(300, 400));
    put(&site, "content/companies/msft-logo.png", &png(400, 100));
    site.edit(
        BRIEF,
        "date: 2019-10-28\n",
        "date: 2019-10-28\nimage:\n  src: hearing.jpg\n  alt: Officials at a 2019 hearing\n  caption: The committee in session\n  credit: Photo by Jane Doe\n",
    );
    site.write(
        "content/authors/jane-doe.md",
        "---\nname: Jane Doe\nimage: { src: people/jane.png, alt: Jane Doe smiling }\n---\nJane covers JEDI.\n",
    );
    site.edit(BRIEF, "date: 2019-10-28\n", "date: 2019-10-28\nauthor: Jane Doe\n");
    for (file, author) in [
        ("content/briefs/2020-02-14-court-halts-jedi.md", "2020-02-14"),
        ("content/briefs/2020-03-01-explainer.md", "2020-03-01"),
        ("content/briefs/2020-05-01-unfinished.md", "2020-05-01"),
    ] {
        site.edit(
            file,
            &format!("date: {author}\n"),
            &format!("date: {author}\nauthor: Jane Doe\n"),
        );
    }
    site.edit(
        "content/companies/microsoft.md",
        "name: Microsoft\n",
        "name: Microsoft\nimage: { src: msft-logo.png, alt: Microsoft }\n",
    );
    site
}

#[test]
fn a_lead_image_has_widths_sizes_a_caption_and_previews() {
    let site = pictured();
    let out = site.build(&["--base-url", SUB_PATH]);
    out.assert_success();
    assert_links_resolve(&out.output, SUB_PATH);

    let page = out.page("briefs/jedi-awarded/");
    let srcset = page.attrs(".lead-image img", "srcset");
    let widths: Vec<&str> = srcset[0].split(", ").map(|c| c.rsplit(' ').next().unwrap()).collect();
    assert_eq!(widths, ["480w", "800w", "1000w"], "never upscaled: {srcset:?}");
    for candidate in srcset[0].split(", ") {
        let url = candidate.split(' ').next().unwrap();
        assert!(url.starts_with("/repo/media/") && url.ends_with(".jpg"), "{url}");
        assert!(out.has(url.trim_start_matches("/repo/")), "{url} is published");
    }
    assert_eq!(page.attrs(".lead-image img", "width"), ["800"]);
    assert_eq!(page.attrs(".lead-image img", "height"), ["480"]);
    assert_eq!(page.attrs(".lead-image img", "alt"), ["Officials at a 2019 hearing"]);
    assert!(
        page.attrs(".lead-image img", "loading").is_empty(),
        "the lead image loads at once"
    );
    assert_eq!(
        page.texts(".lead-image figcaption"),
        ["The committee in session Photo by Jane Doe"]
    );

    let og = page.attrs("meta[property='og:image']", "content");
    assert!(og[0].starts_with("https://fixture.example/repo/media/"), "{og:?}");
    assert_eq!(page.attrs("meta[property='og:image:width']", "content"), ["1000"]);
    assert_eq!(page.attrs("meta[property='og:image:height']", "content"), ["525"]);
    assert_eq!(
        page.attrs("meta[property='og:image:alt']", "content"),
        ["Officials at a 2019 hearing"]
    );
    let json_ld = page.texts("script[type='application/ld+json']").join("");
    let ld: serde_json::Value = serde_json::from_str(&json_ld).unwrap();
    let images = ld["image"].as_array().expect("three crops");
    assert_eq!(images.len(), 3);

    // Cards on listings show the small crop, lazily.
    let home = out.page("");
    let thumbs = home.attrs(".card-thumb img", "srcset");
    assert!(!thumbs.is_empty() || out.page("page/2/").attrs(".card-thumb img", "srcset").len() == 1);

    // Portrait and logo: srcset and size, the static source not copied.
    let author = out.page("authors/jane-doe/");
    assert_eq!(author.attrs(".portrait", "alt"), ["Jane Doe smiling"]);
    assert_eq!(author.attrs(".portrait", "srcset")[0].split(", ").count(), 3);
    assert!(
        !out.has("people/jane.png"),
        "a picture's source is published only as renditions"
    );
    let company = out.page("companies/microsoft/");
    assert_eq!(company.attrs(".logo", "width"), ["320"]);
    assert_eq!(company.attrs(".logo", "height"), ["80"]);

    // No EXIF (GPS) in anything published.
    for (path, bytes) in Snapshot::of(&out.output).files() {
        assert!(!bytes.windows(6).any(|w| w == b"SECRET"), "{path} carries the GPS text");
        if path.starts_with("media/") {
            assert!(!bytes.windows(4).any(|w| w == b"Exif"), "{path} carries EXIF");
        }
    }
}

#[test]
fn a_warm_cache_gives_the_same_bytes_and_a_picture_used_twice_is_one_file() {
    let site = pictured();
    site.edit(
        "content/briefs/2020-02-14-court-halts-jedi.md",
        "date: 2020-02-14\n",
        "date: 2020-02-14\nimage: { src: /hearing.jpg, alt: The same hearing }\n",
    );
    put(
        &site,
        "static/hearing.jpg",
        &std::fs::read(site.path("content/briefs/hearing.jpg")).unwrap(),
    );
    let cold = site.build(&[]);
    cold.assert_success();
    let first = Snapshot::of(&cold.output);
    let cache = site.path(".dossier-cache/media");
    assert!(
        std::fs::read_dir(&cache).unwrap().count() > 0,
        "the cold build fills the cache"
    );
    let media = first.paths().filter(|p| p.starts_with("media/")).count();
    assert_eq!(
        media,
        std::fs::read_dir(&cache).unwrap().count(),
        "one file per rendition, however many pages"
    );

    site.build(&[]).assert_success();
    Snapshot::of(&site.public()).assert_same_as(&first, "a warm build");
    std::fs::remove_dir_all(site.path(".dossier-cache")).unwrap();
    site.build(&[]).assert_success();
    Snapshot::of(&site.public()).assert_same_as(&first, "a build without the cache");
}

/// Each bad picture: exit 1, an error at the line that names it, the
/// previous output untouched.
#[test]
fn bad_pictures_fail_at_their_line_and_leave_the_output_alone() {
    let site = pictured();
    site.build(&[]).assert_success();
    let before = Snapshot::of(&site.public());
    // A decompression bomb: a PNG header claiming 100,000 × 100,000.
    let bomb = {
        let mut png = png(1, 1);
        png[16..20].copy_from_slice(&100_000u32.to_be_bytes());
        png[20..24].copy_from_slice(&100_000u32.to_be_bytes());
        let crc = crc32(&png[12..29]);
        png[29..33].copy_from_slice(&crc.to_be_bytes());
        png
    };
    let photo = jpeg(200, 100, false);
    let cases: Vec<(&str, Vec<u8>, &str, &str)> = vec![
        ("image: { src: hearing.jpg }", vec![], ":3:1", "no alt text"),
        (
            "image: { src: hearing.jpg, alt: \"  \" }",
            vec![],
            ":3:1",
            "no alt text",
        ),
        ("image: { src: gone.jpg, alt: x }", vec![], ":3:15", "was not found"),
        (
            "image: { src: ../../dossier.yaml, alt: x }",
            vec![],
            ":3:15",
            "not a path inside the site",
        ),
        (
            "image: { src: note.jpg, alt: x }",
            b"just text".to_vec(),
            ":3:15",
            "not a JPEG or PNG",
        ),
        (
            "image: { src: note.jpg, alt: x }",
            photo[..photo.len() / 2].to_vec(),
            ":3:15",
            "cannot be decoded",
        ),
        (
            "image: { src: note.png, alt: x }",
            photo.clone(),
            ":3:15",
            "holds a JPEG picture",
        ),
        (
            "image: { src: note.png, alt: x }",
            bomb,
            ":3:15",
            "more than dossier decodes",
        ),
        (
            "image: { src: note.png, alt: x }",
            png(64, 64)[..80].to_vec(),
            ":3:15",
            "cannot be decoded",
        ),
        (
            "image: { src: note.svg, alt: x }",
            b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>".to_vec(),
            ":3:15",
            "SVG",
        ),
    ];
    for (line, bytes, at, says) in cases {
        let name = line.split("src: ").nth(1).unwrap().split([',', ' ']).next().unwrap();
        if !bytes.is_empty() {
            put(&site, &format!("content/briefs/{name}"), &bytes);
        }
        site.write(
            "content/briefs/2021-01-01-bad.md",
            &format!("---\ntitle: Bad\n{line}\ndate: 2021-01-01\n---\nBody.\n"),
        );
        let started = std::time::Instant::now();
        let out = site.build(&[]);
        assert_eq!(out.status, 1, "{line}: {}", out.stderr);
        assert!(started.elapsed().as_secs() < 20, "{line}: refused quickly");
        let d = out.diagnostic(&format!("content/briefs/2021-01-01-bad.md{at}"));
        assert!(d.contains(says), "{line}: {d}");
        assert!(d.contains("help:"), "{line}: {d}");
        before.assert_unchanged(&site.public());
    }
}

#[cfg(unix)]
#[test]
fn a_symlink_out_of_the_site_is_refused() {
    let site = pictured();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.jpg"), jpeg(20, 20, false)).unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("secret.jpg"),
        site.path("content/briefs/linked.jpg"),
    )
    .unwrap();
    site.edit(BRIEF, "src: hearing.jpg", "src: linked.jpg");
    let out = site.build(&[]);
    out.assert_status(1);
    let d = out.diagnostic(&format!("{BRIEF}:6:8"));
    assert!(d.contains("outside the site"), "{d}");
    assert!(!Path::new(&site.public()).exists());
}

#[test]
fn decorative_pictures_have_an_empty_alt() {
    let site = pictured();
    site.edit(BRIEF, "  alt: Officials at a 2019 hearing\n", "  decorative: true\n");
    let out = site.build(&[]);
    out.assert_success();
    let page = out.page("briefs/jedi-awarded/");
    assert_eq!(page.attrs(".lead-image img", "alt"), [""]);
    assert_eq!(
        page.attrs("meta[property='og:image:alt']", "content"),
        ["Pentagon Awards JEDI to Microsoft"],
        "previews fall back to the headline"
    );
}
