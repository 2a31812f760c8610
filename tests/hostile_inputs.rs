//! Hostile and unusual inputs (issue 7), each made at test time: every one
//! gets a clear, specific error or a correct result, the run goes on, and
//! nothing panics. Run through the real binary (`score`, `live
//! --no-window`, `report`, `config --check`) and, for keypoints, through
//! the library.

mod common;

use std::ffi::OsStr;
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::proc::{assert_exit, assert_no_panic, bin, frame_records, run};
use image::{DynamicImage, ImageFormat, RgbImage};
use posturecam::score::{FrameRecord, Status};

/// Generous: a debug-profile binary on a loaded 2-core machine.
const LIMIT_S: u64 = 300;

fn photo() -> RgbImage {
    common::load(&common::sample("astronaut.png"))
}

fn png_bytes(img: &DynamicImage) -> Vec<u8> {
    let mut v = Vec::new();
    img.write_to(&mut Cursor::new(&mut v), ImageFormat::Png)
        .unwrap();
    v
}

/// A complete, valid JPEG whose frame header is patched to declare
/// `w`×`h` pixels (JPEG sizes are 16-bit: 65535 is the most a JPEG can
/// declare, so the "100000×100000 JPEG" cannot exist).
fn jpeg_declaring(w: u16, h: u16) -> Vec<u8> {
    let mut j = common::jpeg_bytes(&RgbImage::from_pixel(16, 16, image::Rgb([90, 90, 90])), 80);
    let sof = j
        .windows(2)
        .position(|m| m == [0xFF, 0xC0])
        .expect("baseline SOF0");
    j[sof + 5..sof + 7].copy_from_slice(&h.to_be_bytes());
    j[sof + 7..sof + 9].copy_from_slice(&w.to_be_bytes());
    j
}

/// The photo as a CMYK JPEG (Adobe APP14), the way print workflows save
/// them: C = 255 − R, M = 255 − G, Y = 255 − B, K = 0.
fn cmyk_jpeg(img: &RgbImage) -> Vec<u8> {
    let data: Vec<u8> = img
        .pixels()
        .flat_map(|p| [255 - p[0], 255 - p[1], 255 - p[2], 0])
        .collect();
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, 92)
        .encode(
            &data,
            img.width() as u16,
            img.height() as u16,
            jpeg_encoder::ColorType::Cmyk,
        )
        .unwrap();
    out
}

/// A BMP header declaring `w`×`h` 24-bit pixels, followed by a few bytes.
fn bmp_declaring(w: i32, h: i32) -> Vec<u8> {
    let mut b = b"BM".to_vec();
    b.extend_from_slice(&70u32.to_le_bytes()); // file size (a lie is fine)
    b.extend_from_slice(&[0, 0, 0, 0]);
    b.extend_from_slice(&54u32.to_le_bytes()); // pixel data offset
    b.extend_from_slice(&40u32.to_le_bytes()); // BITMAPINFOHEADER
    b.extend_from_slice(&w.to_le_bytes());
    b.extend_from_slice(&h.to_le_bytes());
    b.extend_from_slice(&1u16.to_le_bytes());
    b.extend_from_slice(&24u16.to_le_bytes());
    b.extend_from_slice(&[0; 24]); // no compression, sizes and palette 0
    b.extend_from_slice(&[7; 16]);
    b
}

/// A little-endian TIFF declaring `w`×`h` 8-bit grey pixels in one strip
/// of 16 bytes.
fn tiff_declaring(w: u32, h: u32) -> Vec<u8> {
    let entries: [(u16, u16, u32); 9] = [
        (256, 4, w),   // ImageWidth
        (257, 4, h),   // ImageLength
        (258, 3, 8),   // BitsPerSample
        (259, 3, 1),   // Compression: none
        (262, 3, 1),   // PhotometricInterpretation: black is zero
        (273, 4, 122), // StripOffsets: after the directory
        (277, 3, 1),   // SamplesPerPixel
        (278, 4, h),   // RowsPerStrip
        (279, 4, 16),  // StripByteCounts
    ];
    let mut t = b"II*\0".to_vec();
    t.extend_from_slice(&8u32.to_le_bytes());
    t.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    for (tag, kind, value) in entries {
        t.extend_from_slice(&tag.to_le_bytes());
        t.extend_from_slice(&kind.to_le_bytes());
        t.extend_from_slice(&1u32.to_le_bytes());
        if kind == 3 {
            t.extend_from_slice(&(value as u16).to_le_bytes());
            t.extend_from_slice(&[0, 0]);
        } else {
            t.extend_from_slice(&value.to_le_bytes());
        }
    }
    t.extend_from_slice(&0u32.to_le_bytes());
    assert_eq!(t.len(), 122);
    t.extend_from_slice(&[9; 16]);
    t
}

/// A two-frame animated GIF (1×1, NETSCAPE2.0 looping), written by hand.
fn animated_gif() -> Vec<u8> {
    let mut g = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00".to_vec();
    g.extend_from_slice(b"!\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00");
    for _ in 0..2 {
        g.extend_from_slice(b"!\xf9\x04\x00\x0a\x00\x00\x00");
        g.extend_from_slice(b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00");
    }
    g.push(b';');
    g
}

fn by_name<'a>(recs: &'a [FrameRecord], name: &str) -> &'a FrameRecord {
    recs.iter()
        .find(|r| Path::new(&r.source).file_name() == Some(OsStr::new(name)))
        .unwrap_or_else(|| panic!("no record for {name}"))
}

fn error_of(recs: &[FrameRecord], name: &str) -> String {
    let r = by_name(recs, name);
    assert_eq!(r.status, Status::Error, "{name}: {r:?}");
    assert!(r.person.is_none() && r.angles.is_none(), "{r:?}");
    r.error.clone().unwrap()
}

/// Mean distance between the confident keypoints of two records, as a
/// fraction of the image diagonal.
fn pose_gap(a: &FrameRecord, b: &FrameRecord) -> f32 {
    let (pa, pb) = (a.person.unwrap(), b.person.unwrap());
    let diag = (a.width.unwrap() as f32).hypot(a.height.unwrap() as f32);
    let pairs: Vec<f32> = pa
        .keypoints
        .0
        .iter()
        .zip(pb.keypoints.0.iter())
        .filter(|(x, y)| x.confidence > 0.3 && y.confidence > 0.3)
        .map(|(x, y)| (x.x - y.x).hypot(x.y - y.y))
        .collect();
    assert!(pairs.len() >= 5, "too few confident keypoints");
    pairs.iter().sum::<f32>() / pairs.len() as f32 / diag
}

/// Whether `text` (Debug or JSON output) shows a NaN or infinite number:
/// `NaN`, `inf` or `-inf` standing alone, not inside a word like "info".
fn shows_non_finite(text: &str) -> bool {
    let b = text.as_bytes();
    ["NaN", "inf"].iter().any(|w| {
        text.match_indices(w).any(|(i, _)| {
            let before = i.checked_sub(1).map(|j| b[j]);
            let after = b.get(i + w.len()).copied();
            !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_')
                && !after.is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_')
        })
    })
}

/// Every number in a record is finite (serde_json would write NaN as null).
fn all_finite(r: &FrameRecord) {
    let text = format!("{r:?}");
    assert!(!shows_non_finite(&text), "{text}");
}

#[test]
fn broken_odd_and_unusual_images_each_get_a_specific_result_and_the_run_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let img = photo();
    let dynimg = DynamicImage::ImageRgb8(img.clone());
    let jpeg = common::jpeg_bytes(&img, 92);
    let png = png_bytes(&dynimg);
    let files: Vec<(&str, Vec<u8>)> = vec![
        ("empty.jpg", vec![]),
        ("empty.png", vec![]),
        ("truncated.jpg", jpeg[..jpeg.len() / 2].to_vec()),
        ("truncated.png", png[..png.len() / 2].to_vec()),
        ("text.jpg", b"just some text, not a photo\n".to_vec()),
        ("bomb.png", common::png_declaring(100_000, 100_000)),
        ("bomb30k.png", common::png_declaring(30_000, 30_000)),
        ("bomb.jpg", jpeg_declaring(65_535, 65_535)),
        ("bomb_strip.png", common::png_declaring(40_000, 10)),
        ("reference.png", png.clone()),
        // The name lies; the content decides.
        ("png_named.jpg", png.clone()),
        ("jpeg_named.png", jpeg.clone()),
        (
            "one_pixel.png",
            png_bytes(&DynamicImage::ImageRgb8(RgbImage::from_pixel(
                1,
                1,
                image::Rgb([200, 10, 10]),
            ))),
        ),
        ("grey.jpg", {
            let mut v = Vec::new();
            dynimg
                .to_luma8()
                .write_with_encoder(image::codecs::jpeg::JpegEncoder::new_with_quality(
                    &mut v, 92,
                ))
                .unwrap();
            v
        }),
        (
            "grey16.png",
            png_bytes(&DynamicImage::ImageLuma16(dynimg.to_luma16())),
        ),
        (
            "rgb16.png",
            png_bytes(&DynamicImage::ImageRgb16(dynimg.to_rgb16())),
        ),
        (
            "alpha.png",
            png_bytes(&DynamicImage::ImageRgba8({
                let mut a = dynimg.to_rgba8();
                for (x, _, p) in a.enumerate_pixels_mut() {
                    p[3] = if x < 20 { 0 } else { 255 };
                }
                a
            })),
        ),
        ("cmyk.jpg", cmyk_jpeg(&img)),
    ];
    for (name, bytes) in &files {
        std::fs::write(d.join(name), bytes).unwrap();
    }
    // 10000×200: a thin strip with a small copy of the photo at its left.
    let mut wide = RgbImage::from_pixel(10_000, 200, image::Rgb([128, 128, 128]));
    let small = image::imageops::resize(&img, 200, 200, image::imageops::FilterType::Triangle);
    image::imageops::replace(&mut wide, &small, 0, 0);
    wide.save(d.join("wide.png")).unwrap();
    // Named explicitly (a folder scan picks up image extensions only).
    let gif = d.join("animated.gif");
    std::fs::write(&gif, animated_gif()).unwrap();
    let fifo = d.join("pipe.jpg");
    let have_fifo = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .map(|s| s.success())
        .unwrap_or(false);

    // An endless device under an image name: reading it "to the end"
    // would fill memory.
    let zero = d.join("zero.jpg");
    std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();

    let mut cmd = bin();
    cmd.args(["score", "-q", "-j", "2"])
        .arg(d)
        .arg(&gif)
        .arg(&zero);
    if have_fifo {
        cmd.arg(&fifo);
    } else {
        eprintln!("mkfifo is not available: the named-pipe case is skipped");
    }
    let out = run(&mut cmd, LIMIT_S);
    assert_no_panic(&out);
    assert_eq!(out.status.code(), Some(2), "some inputs failed");
    let recs = frame_records(&out.stdout);
    assert_eq!(recs.len(), files.len() + 3 + usize::from(have_fifo));

    for name in ["empty.jpg", "empty.png"] {
        assert_eq!(error_of(&recs, name), "the file is empty (0 bytes)");
    }
    assert!(error_of(&recs, "truncated.jpg").contains("truncated JPEG"));
    assert!(error_of(&recs, "truncated.png").starts_with("corrupt or truncated image"));
    assert!(error_of(&recs, "text.jpg").starts_with("not a supported image"));
    let e = error_of(&recs, "bomb.png");
    assert!(e.contains("100000x100000") && e.contains("refusing"), "{e}");
    let e = error_of(&recs, "bomb30k.png");
    assert!(e.contains("30000x30000") && e.contains("1024 MiB"), "{e}");
    let e = error_of(&recs, "bomb.jpg");
    assert_eq!(
        e,
        "image is 65535x65535 pixels, over the limit of 32768 pixels a side; refusing to decode it"
    );
    let e = error_of(&recs, "bomb_strip.png");
    assert!(
        e.starts_with("image is 40000x10 pixels, over the limit of 32768 pixels a side"),
        "{e}"
    );
    let e = error_of(&recs, "animated.gif");
    assert!(e.starts_with("GIF images are not supported"), "{e}");
    assert_eq!(
        error_of(&recs, "zero.jpg"),
        "not a regular file (a device); only image files are read"
    );
    if have_fifo {
        let e = error_of(&recs, "pipe.jpg");
        assert_eq!(
            e,
            "not a regular file (a named pipe); only image files are read"
        );
    }

    // 1×1: read, analysed, no one there.
    let one = by_name(&recs, "one_pixel.png");
    assert_eq!(
        (one.status, one.width, one.height),
        (Status::NoPerson, Some(1), Some(1))
    );
    // 10000×200: read at its size; whatever the model makes of a 50:1
    // strip, the record is complete and every number finite.
    let w = by_name(&recs, "wide.png");
    assert_eq!((w.width, w.height), (Some(10_000), Some(200)));
    assert!(matches!(w.status, Status::Ok | Status::NoPerson), "{w:?}");
    all_finite(w);

    // Grey, 16-bit, alpha and CMYK copies of the photo: the same person
    // is found at the same place.
    let reference = by_name(&recs, "reference.png");
    assert_eq!(reference.status, Status::Ok);
    assert_eq!(pose_gap(reference, by_name(&recs, "png_named.jpg")), 0.0);
    for name in [
        "jpeg_named.png",
        "grey.jpg",
        "grey16.png",
        "rgb16.png",
        "alpha.png",
        "cmyk.jpg",
    ] {
        let r = by_name(&recs, name);
        assert_eq!(r.status, Status::Ok, "{name}: {r:?}");
        assert_eq!((r.width, r.height), (Some(512), Some(512)), "{name}");
        let gap = pose_gap(reference, r);
        eprintln!(
            "{name}: mean keypoint gap {:.2}% of the diagonal",
            gap * 100.0
        );
        assert!(gap < 0.03, "{name}: keypoints moved by {gap}");
        all_finite(r);
    }

    // The same folder as a live source, looping: the readable images play,
    // each unreadable one is reported once with its reason.
    let out = run(
        bin()
            .args(["live", "--no-window", "--no-save", "--loop"])
            .args(["--exit-after-frames", "12", "--source"])
            .arg(d),
        LIMIT_S,
    );
    assert_exit(&out, 0);
    assert!(String::from_utf8_lossy(&out.stdout).contains("frames 12"));
    let err = String::from_utf8_lossy(&out.stderr);
    for (name, why) in [
        ("empty.jpg", "the file is empty"),
        ("truncated.jpg", "truncated JPEG"),
        ("text.jpg", "not a supported image"),
        ("bomb.png", "100000x100000"),
        ("bomb.jpg", "65535x65535"),
    ] {
        let line = err
            .lines()
            .find(|l| l.contains(name) && l.starts_with("posturecam: skipped"))
            .unwrap_or_else(|| panic!("no warning for {name}: {err}"));
        assert!(line.contains(why), "{line}");
        assert_eq!(err.matches(&format!("/{name}:")).count(), 1, "{err}");
    }
}

#[test]
fn cmyk_jpegs_decode_to_the_right_colours() {
    let img = RgbImage::from_fn(32, 16, |x, _| {
        if x < 16 {
            image::Rgb([200, 40, 30])
        } else {
            image::Rgb([20, 90, 220])
        }
    });
    let rgb = posturecam::capture::image_file::decode_rgb(&cmyk_jpeg(&img)).unwrap();
    for (x, want) in [(4, [200, 40, 30]), (28, [20, 90, 220])] {
        let got = rgb.get_pixel(x, 8).0;
        let err = got
            .iter()
            .zip(want)
            .map(|(&g, w)| (i32::from(g) - w).abs())
            .max()
            .unwrap();
        assert!(err <= 6, "pixel {x}: {got:?}, want {want:?}");
    }
}

/// The memory cap documented in README.md ("Security and privacy"): a
/// `score` run on decompression bombs peaks below this.
const BOMB_RSS_CAP_MIB: u64 = 512;

#[test]
fn decompression_bombs_are_refused_from_their_header_with_memory_under_the_cap() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("bomb.png"), common::png_declaring(100_000, 100_000)).unwrap();
    std::fs::write(d.join("bomb30k.png"), common::png_declaring(30_000, 30_000)).unwrap();
    // Under every limit on paper (18000×18000 RGB = 927 MiB decoded), but
    // the data stops at once.
    std::fs::write(d.join("bomb18k.png"), common::png_declaring(18_000, 18_000)).unwrap();
    std::fs::write(d.join("bomb.jpg"), jpeg_declaring(65_535, 65_535)).unwrap();
    std::fs::write(d.join("bomb.bmp"), bmp_declaring(40_000, 40_000)).unwrap();
    std::fs::write(d.join("bomb.tif"), tiff_declaring(40_000, 40_000)).unwrap();
    std::fs::write(d.join("bomb30k.tif"), tiff_declaring(30_000, 30_000)).unwrap();
    // Negative height: a top-down BMP.
    std::fs::write(d.join("bomb20k.bmp"), bmp_declaring(20_000, -20_000)).unwrap();
    let args: Vec<&OsStr> = vec![
        OsStr::new("score"),
        OsStr::new("-q"),
        OsStr::new("-j"),
        OsStr::new("1"),
        d.as_os_str(),
    ];
    let Some((out, kib)) =
        common::proc::peak_rss_kib(Path::new(env!("CARGO_BIN_EXE_posturecam")), &args, LIMIT_S)
    else {
        return;
    };
    assert_no_panic(&out);
    let recs = frame_records(&out.stdout);
    assert_eq!(recs.len(), 8);
    assert!(error_of(&recs, "bomb.tif")
        .starts_with("image is 40000x40000 pixels, over the limit of 32768 pixels a side"));
    let e = error_of(&recs, "bomb30k.tif");
    assert!(e.contains("30000x30000") && e.contains("1024 MiB"), "{e}");
    assert!(recs.iter().all(|r| r.status == Status::Error), "{recs:?}");
    assert!(error_of(&recs, "bomb.bmp")
        .starts_with("image is 40000x40000 pixels, over the limit of 32768 pixels a side"));
    let e = error_of(&recs, "bomb20k.bmp");
    assert!(e.contains("20000x20000") && e.contains("1024 MiB"), "{e}");
    assert!(error_of(&recs, "bomb18k.png").starts_with("corrupt or truncated image"));
    eprintln!(
        "score on 8 decompression bombs: peak RSS {} MiB (cap {BOMB_RSS_CAP_MIB} MiB)",
        kib / 1024
    );
    assert!(
        kib < BOMB_RSS_CAP_MIB * 1024,
        "peak RSS {kib} KiB over the cap of {BOMB_RSS_CAP_MIB} MiB"
    );
}

#[test]
fn exif_orientations_3_6_and_8_are_scored_upright() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Portrait (400×512), so that a missed rotation shows in the size too.
    let upright = image::imageops::crop_imm(&photo(), 56, 0, 400, 512).to_image();
    std::fs::write(d.join("upright.jpg"), common::jpeg_bytes(&upright, 95)).unwrap();
    // Stored sideways or upside down, with the tag that puts it right.
    use image::imageops::{rotate180, rotate270, rotate90};
    for (o, stored) in [
        (3u16, rotate180(&upright)),
        (6, rotate270(&upright)),
        (8, rotate90(&upright)),
    ] {
        let bytes = common::with_exif_orientation(&common::jpeg_bytes(&stored, 95), o);
        std::fs::write(d.join(format!("orientation{o}.jpg")), bytes).unwrap();
    }
    let out = run(bin().args(["score", "-q"]).arg(d), LIMIT_S);
    assert_no_panic(&out);
    assert_eq!(out.status.code(), Some(0));
    let recs = frame_records(&out.stdout);
    let reference = by_name(&recs, "upright.jpg");
    for o in [3, 6, 8] {
        let r = by_name(&recs, &format!("orientation{o}.jpg"));
        assert_eq!(
            (r.width, r.height),
            (Some(400), Some(512)),
            "orientation {o}"
        );
        assert_eq!(r.status, Status::Ok);
        let kp = r.person.unwrap().keypoints;
        let nose = kp.get(posturecam::pose::Joint::Nose);
        let shoulder = kp.get(posturecam::pose::Joint::LeftShoulder);
        assert!(nose.y < shoulder.y, "orientation {o}: head below shoulders");
        let gap = pose_gap(reference, r);
        assert!(gap < 0.02, "orientation {o}: keypoints moved by {gap}");
    }
}

/// A chain of `levels` folders with 200-byte names below `root`, with a
/// copy of `photo` at the bottom. Made by `mkdir -p` and `cp` run from a
/// folder half way down, with paths relative to it: no single path handed
/// to the OS is over its 4096-byte limit, though the whole chain is.
fn deep_folder(root: &Path, levels: usize, photo: &Path) -> Option<PathBuf> {
    let name = "d".repeat(200);
    let half = levels / 2;
    let mid = (0..half).fold(root.to_path_buf(), |p, _| p.join(&name));
    std::fs::create_dir_all(&mid).ok()?;
    let rel = (half..levels).fold(PathBuf::new(), |p, _| p.join(&name));
    let ok = |c: &mut Command| c.status().map(|s| s.success()).unwrap_or(false);
    let made = ok(Command::new("mkdir").current_dir(&mid).arg("-p").arg(&rel))
        && ok(Command::new("cp")
            .current_dir(&mid)
            .arg(photo)
            .arg(rel.join("photo.png")));
    made.then(|| mid.join(rel))
}

#[test]
fn non_utf8_very_long_and_too_deep_paths() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let png = png_bytes(&DynamicImage::ImageRgb8(photo()));
    // Invalid UTF-8 (Latin-1 "é" and a stray 0xFF) in a file name.
    let latin1 = d.join(OsStr::from_bytes(b"caf\xe9_\xff.png"));
    std::fs::write(&latin1, &png).unwrap();
    // The longest name Linux allows: 255 bytes.
    let long_name = format!("{}.png", "x".repeat(251));
    assert_eq!(long_name.len(), 255);
    std::fs::write(d.join(&long_name), &png).unwrap();
    // Longer is refused by the OS; nothing for us to read.
    assert!(std::fs::write(d.join(format!("{}.png", "y".repeat(300))), b"x").is_err());
    // A photo 22 × 201 bytes deep (> 4096 bytes of path).
    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::write(elsewhere.path().join("p.png"), &png).unwrap();
    let deep = deep_folder(d, 22, &elsewhere.path().join("p.png"));
    match &deep {
        Some(p) => assert!(p.as_os_str().len() > 4096),
        None => eprintln!("this OS refused the deep folder chain: that case is skipped"),
    }

    let out = run(bin().args(["score", "-q"]).arg(d), LIMIT_S);
    assert_no_panic(&out);
    let recs = frame_records(&out.stdout);
    let oks: Vec<&FrameRecord> = recs.iter().filter(|r| r.status == Status::Ok).collect();
    assert_eq!(oks.len(), 2, "{recs:?}");
    // The non-UTF-8 name is written lossily (U+FFFD), never dropped.
    assert!(oks
        .iter()
        .any(|r| r.source.ends_with("caf\u{FFFD}_\u{FFFD}.png")));
    assert!(oks.iter().any(|r| r.source.ends_with(&long_name)));
    if deep.is_some() {
        // The folder too deep to open by path is an error record naming
        // why, and the run went on to the two photos.
        let e: Vec<&FrameRecord> = recs.iter().filter(|r| r.status == Status::Error).collect();
        assert_eq!(e.len(), 1, "{recs:?}");
        let msg = e[0].error.as_deref().unwrap();
        assert!(msg.contains("File name too long"), "{msg}");
        assert_eq!(out.status.code(), Some(2));
    } else {
        assert_eq!(out.status.code(), Some(0));
    }
    // The same folder as a live source: the photos play, the rest is
    // reported on stderr.
    let out = run(
        bin()
            .args([
                "live",
                "--no-window",
                "--no-save",
                "--exit-after-frames",
                "2",
                "--source",
            ])
            .arg(d),
        LIMIT_S,
    );
    assert_exit(&out, 0);
    assert!(String::from_utf8_lossy(&out.stdout).contains("frames 2"));
}

#[test]
fn a_symlink_loop_neither_hangs_nor_stops_score_or_live() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("a.png"),
        png_bytes(&DynamicImage::ImageRgb8(photo())),
    )
    .unwrap();
    std::fs::create_dir(d.join("sub")).unwrap();
    // Back to an ancestor, to itself, and to nothing.
    std::os::unix::fs::symlink("..", d.join("sub/up")).unwrap();
    std::os::unix::fs::symlink("self.jpg", d.join("self.jpg")).unwrap();
    std::os::unix::fs::symlink("nowhere.png", d.join("dangling.png")).unwrap();

    let out = run(bin().args(["score", "-q"]).arg(d), LIMIT_S);
    assert_no_panic(&out);
    assert_eq!(out.status.code(), Some(2));
    let recs = frame_records(&out.stdout);
    assert_eq!(recs.len(), 4, "{recs:?}");
    assert_eq!(by_name(&recs, "a.png").status, Status::Ok);
    assert!(error_of(&recs, "up").contains("File system loop found"));
    assert!(error_of(&recs, "self.jpg").contains("Too many levels of symbolic links"));
    assert!(error_of(&recs, "dangling.png").contains("No such file or directory"));

    let out = run(
        bin()
            .args([
                "live",
                "--no-window",
                "--no-save",
                "--loop",
                "--exit-after-frames",
                "3",
                "--source",
            ])
            .arg(d),
        LIMIT_S,
    );
    assert_no_panic(&out);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("frames 3"));
    let err = String::from_utf8_lossy(&out.stderr);
    for what in [
        "File system loop found",
        "Too many levels of symbolic links",
        "No such file",
    ] {
        // Once, though live opens the folder twice (to check it, then to
        // play it).
        assert_eq!(err.matches(what).count(), 1, "warnings about {what}: {err}");
    }
}

/// `setpriv` to drop root's privileges for one command, when run as root
/// (where `chmod 000` does not stop reading).
fn unprivileged(cmd: Command) -> Option<Command> {
    let probe = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "true"])
        .status();
    if !probe.map(|s| s.success()).unwrap_or(false) {
        return None;
    }
    let mut c = Command::new("setpriv");
    c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(cmd.get_program())
        .args(cmd.get_args());
    Some(c)
}

#[test]
fn an_unreadable_file_is_an_error_record_and_the_run_goes_on() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o755)).unwrap();
    let png = png_bytes(&DynamicImage::ImageRgb8(photo()));
    for f in ["a_locked.png", "b_open.png"] {
        let p = d.join(f);
        std::fs::write(&p, &png).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    let locked = d.join("a_locked.png");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    let mut cmd = bin();
    cmd.args(["score", "-q"]).arg(d);
    // Root reads a mode-000 file anyway: then run as `nobody` instead.
    let cmd = if std::fs::read(&locked).is_err() {
        Some(cmd)
    } else {
        let c = unprivileged(cmd);
        if c.is_none() {
            eprintln!("skipping: running as root, and setpriv cannot drop to nobody");
        }
        c
    };
    let Some(mut cmd) = cmd else { return };
    let out = run(&mut cmd, LIMIT_S);
    assert_no_panic(&out);
    let err = String::from_utf8_lossy(&out.stderr);
    if err.contains("Permission denied") && frame_records(&out.stdout).is_empty() {
        // The checkout itself (model files) is not readable by nobody.
        eprintln!("skipping: the checkout is not readable by nobody: {err}");
        return;
    }
    assert_eq!(out.status.code(), Some(2), "{err}");
    let recs = frame_records(&out.stdout);
    assert_eq!(
        error_of(&recs, "a_locked.png"),
        "cannot open: Permission denied (os error 13)"
    );
    assert_eq!(by_name(&recs, "b_open.png").status, Status::Ok);
}

#[test]
fn empty_truncated_and_fake_videos_in_score_live_and_report() {
    if !common::video::have_ffmpeg() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let clip = common::sample("carphone.mp4");
    let full = std::fs::read(&clip).unwrap();
    std::fs::write(d.join("empty.mp4"), b"").unwrap();
    std::fs::write(d.join("text.mp4"), b"not a video at all\n").unwrap();
    // Cut at 60%: the moov atom of this clip is at the end, so what is left
    // has no index and cannot be read.
    std::fs::write(d.join("truncated.mp4"), &full[..full.len() * 6 / 10]).unwrap();
    // Head cut off: no ftyp box.
    std::fs::write(d.join("headless.mp4"), &full[full.len() / 3..]).unwrap();
    std::fs::copy(&clip, d.join("whole.mp4")).unwrap();
    // Named explicitly: a named pipe and an endless device called .mp4
    // (opening the pipe would block ffprobe and us forever).
    let odd = tempfile::tempdir().unwrap();
    let zero = odd.path().join("zero.mp4");
    std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
    let pipe = odd.path().join("pipe.mp4");
    let have_fifo = Command::new("mkfifo")
        .arg(&pipe)
        .status()
        .map(|s| s.success())
        .unwrap_or(false);

    let mut cmd = bin();
    cmd.args(["score", "-q", "--every", "10"]).arg(d).arg(&zero);
    if have_fifo {
        cmd.arg(&pipe);
    }
    let out = run(&mut cmd, LIMIT_S);
    assert_no_panic(&out);
    assert_eq!(out.status.code(), Some(2));
    let recs = frame_records(&out.stdout);
    let odd_names = if have_fifo {
        &["zero.mp4", "pipe.mp4"][..]
    } else {
        &["zero.mp4"][..]
    };
    for name in odd_names {
        assert!(
            error_of(&recs, name).ends_with(
                "cannot read the file: not a regular file (a folder, named pipe or device)"
            ),
            "{name}"
        );
    }
    assert!(error_of(&recs, "empty.mp4").ends_with("the file is empty (0 bytes)"));
    for bad in ["text.mp4", "truncated.mp4", "headless.mp4"] {
        let e = error_of(&recs, bad);
        assert!(
            e.contains("not a readable video") || e.contains("decoding failed"),
            "{bad}: {e}"
        );
    }
    assert!(recs
        .iter()
        .any(|r| r.source.ends_with("whole.mp4") && r.status == Status::Ok));

    let out = run(
        bin()
            .args(["live", "--no-window", "--no-save", "--source"])
            .arg(d.join("truncated.mp4")),
        LIMIT_S,
    );
    assert_no_panic(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("truncated.mp4: not a readable video"));

    let html = d.join("r.html");
    let out = run(
        bin()
            .args(["report", "-q", "-o"])
            .arg(&html)
            .arg(d.join("empty.mp4"))
            .arg(d.join("truncated.mp4")),
        LIMIT_S,
    );
    assert_no_panic(&out);
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("the file is empty (0 bytes)"));
    assert!(page.contains("truncated.mp4: not a readable video"));
}

#[test]
fn hostile_configs_are_refused_naming_the_key_by_config_check_and_score() {
    let dir = tempfile::tempdir().unwrap();
    let camera = common::sample("camera.png");
    let cases = [
        ("gate_confidence = \"high\"\n", "`gate_confidence`"),
        ("[sitting]\nunknown_key = 1\n", "`sitting.unknown_key`"),
        ("[lifting]\nactivity = -1\n", "`lifting.activity`"),
        (
            "[lifting]\nactivity = 9223372036854775808\n",
            "`lifting.activity`",
        ),
        ("[lifting]\nload_kg = \"NaN\"\n", "`lifting.load_kg`"),
        ("[lifting]\nload_kg = nan\n", "lifting.load_kg = NaN"),
        ("[reps]\nmax_gap_s = 1e300\n", "reps.max_gap_s = 1e300"),
        (
            "[sitting]\nslouch_trunk_deg = -1e300\n",
            "sitting.slouch_trunk_deg = -inf",
        ),
        ("[sitting\n", "TOML parse error"),
        ("\u{0}\u{1}binary", "TOML parse error"),
    ];
    for (i, (text, key)) in cases.iter().enumerate() {
        let path = dir.path().join(format!("c{i}.toml"));
        std::fs::write(&path, text).unwrap();
        let out = run(bin().args(["config", "--check"]).arg(&path), LIMIT_S);
        assert_no_panic(&out);
        assert_eq!(out.status.code(), Some(1), "{text:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(key) && err.contains(&format!("c{i}.toml")),
            "{text:?}: {err}"
        );
        let out = run(
            bin()
                .args(["score", "-q", "--config"])
                .arg(&path)
                .arg(&camera),
            LIMIT_S,
        );
        assert_no_panic(&out);
        assert_eq!(out.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&out.stderr).contains(key));
        assert!(out.stdout.is_empty(), "nothing scored with a bad config");
    }
    // Not UTF-8 at all.
    let path = dir.path().join("latin1.toml");
    std::fs::write(&path, b"[sitting]\nlean_deg = 5 # caf\xe9\n").unwrap();
    let out = run(bin().args(["config", "--check"]).arg(&path), LIMIT_S);
    assert_no_panic(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read"));
}

#[test]
fn the_non_finite_check_itself_works() {
    assert!(
        shows_non_finite("Some(NaN)") && shows_non_finite("x: inf,") && shows_non_finite("-inf")
    );
    assert!(!shows_non_finite("Info info inflexion 1.5 \"NaNa\""));
}

#[test]
fn nan_infinite_and_off_image_keypoints_give_none_or_finite_results() {
    use posturecam::assess::Assessor;
    use posturecam::pose::{Estimate, Keypoint, Keypoints, Pose};
    // A plausible side-view pose to start from (image 640×480).
    let base: [(f32, f32); 17] = [
        (300.0, 100.0),
        (305.0, 95.0),
        (295.0, 95.0),
        (310.0, 100.0),
        (290.0, 100.0),
        (320.0, 160.0),
        (280.0, 160.0),
        (330.0, 230.0),
        (270.0, 230.0),
        (335.0, 290.0),
        (265.0, 290.0),
        (315.0, 300.0),
        (285.0, 300.0),
        (320.0, 390.0),
        (280.0, 390.0),
        (320.0, 470.0),
        (280.0, 470.0),
    ];
    let make = |f: &dyn Fn(usize, Keypoint) -> Keypoint| {
        let mut k = Keypoints::default();
        for (i, &(x, y)) in base.iter().enumerate() {
            k.0[i] = f(
                i,
                Keypoint {
                    x,
                    y,
                    confidence: 0.9,
                },
            );
        }
        k
    };
    let poisons = [f32::NAN, f32::INFINITY, f32::NEG_INFINITY];
    let mut cases: Vec<(String, Keypoints)> = Vec::new();
    for p in poisons {
        cases.push((format!("all x = {p}"), make(&|_, k| Keypoint { x: p, ..k })));
        cases.push((format!("all y = {p}"), make(&|_, k| Keypoint { y: p, ..k })));
        cases.push((
            format!("all confidence = {p}"),
            make(&|_, k| Keypoint { confidence: p, ..k }),
        ));
        cases.push((
            format!("even joints at {p}"),
            make(&|i, k| {
                if i % 2 == 0 {
                    Keypoint { x: p, y: p, ..k }
                } else {
                    k
                }
            }),
        ));
    }
    cases.push((
        "far off the image".into(),
        make(&|_, k| Keypoint {
            x: k.x + 5000.0,
            y: k.y - 3000.0,
            ..k
        }),
    ));
    cases.push((
        "huge coordinates".into(),
        make(&|i, k| Keypoint {
            x: f32::MAX / (i as f32 + 1.0),
            y: -f32::MAX,
            ..k
        }),
    ));
    cases.push((
        "all at one point".into(),
        make(&|_, k| Keypoint {
            x: 5.0,
            y: 5.0,
            ..k
        }),
    ));
    cases.push((
        "negative".into(),
        make(&|_, k| Keypoint {
            x: -k.x,
            y: -k.y,
            ..k
        }),
    ));

    let assessor = Assessor::default();
    for (what, kps) in &cases {
        let a = assessor.assess(kps);
        let text = format!("{a:?}");
        assert!(!shows_non_finite(&text), "{what}: {text}");
        assert!((0.0..=1.0).contains(&a.view.confidence), "{what}");
        assert!(a.sitting.score.is_none_or(|s| s <= 100), "{what}");
        // Through the record and its JSON, and back.
        let est = Estimate {
            pose: Pose {
                score: kps.person_score(),
                keypoints: *kps,
            },
            is_person: true,
            passes: 1,
        };
        let rec = FrameRecord::analysed("x.png", "m", (640, 480), &est, Some(&a));
        let json = serde_json::to_string(&rec).unwrap();
        assert!(!shows_non_finite(&json), "{what}: {json}");
        // A NaN or infinite keypoint is written as not found.
        for (k, p) in kps.0.iter().zip(rec.person.unwrap().keypoints.0) {
            if !(k.x.is_finite() && k.y.is_finite() && k.confidence.is_finite()) {
                assert_eq!(p, Keypoint::default(), "{what}");
            }
        }
        let back: FrameRecord = serde_json::from_str(&json)
            .unwrap_or_else(|e| panic!("{what}: the record does not read back ({e}): {json}"));
        all_finite(&back);
    }
    // NaN or infinite positions count as missing: no view, no angle.
    for (what, kps) in cases
        .iter()
        .filter(|(w, _)| w.starts_with("all x") || w.starts_with("all y"))
    {
        let a = assessor.assess(kps);
        assert_eq!(a.view.view, posturecam::analysis::View::Unknown, "{what}");
        assert_eq!(a.view.confidence, 0.0, "{what}");
    }
    let nan = assessor.assess(&cases[0].1);
    assert_eq!(nan.angles.trunk_inclination, None);
    assert_eq!(nan.angles.knee_flexion, None);
    // Far off the image is a translation: the same angles as the base.
    let plain = assessor.assess(&make(&|_, k| k));
    let far = assessor.assess(&cases[12].1);
    assert_eq!(plain.view.view, far.view.view);
    let (p, f) = (
        serde_json::to_value(plain.angles).unwrap(),
        serde_json::to_value(far.angles).unwrap(),
    );
    let mut compared = 0;
    for (k, pv) in p.as_object().unwrap() {
        match (pv.as_f64(), f[k].as_f64()) {
            (Some(a), Some(b)) => {
                assert!((a - b).abs() < 0.01, "{k}: {a} vs {b}");
                compared += 1;
            }
            (a, b) => assert_eq!(a.is_some(), b.is_some(), "{k}"),
        }
    }
    assert!(compared >= 3, "{p}");
}
