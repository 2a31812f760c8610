//! Every file under tests/fixtures/fuzz/<target>/ (seeds, and inputs the
//! fuzzers once crashed on) through the very function its fuzz target runs
//! (`posturecam::fuzzing`), which panics when an invariant breaks; and
//! hand-picked edge inputs, with what each must give.

use std::path::{Path, PathBuf};

use posturecam::analysis::Angles;
use posturecam::assess::{AssessConfig, LiftStyle, SittingClass};
use posturecam::fuzzing;
use posturecam::pose::{EstimatorConfig, ModelSpec, MoveNet, PoseModel};
use posturecam::score::Status;

fn inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/fuzz")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no inputs in {}", dir.display());
    files
        .into_iter()
        .map(|p| {
            let b = std::fs::read(&p).unwrap();
            (p, b)
        })
        .collect()
}

fn lightning() -> MoveNet {
    let model = PoseModel::load(&ModelSpec::Lightning).unwrap();
    MoveNet::new(model, EstimatorConfig::default()).unwrap()
}

#[test]
fn image_pipeline_inputs() {
    let mut est = lightning();
    let mut statuses = Vec::new();
    for (path, bytes) in inputs("image_pipeline") {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let r = fuzzing::image_pipeline(&mut est, &bytes);
        statuses.push((name, r.status, r.error));
    }
    let status = |n: &str| {
        statuses
            .iter()
            .find(|s| s.0 == n)
            .unwrap_or_else(|| panic!("{n} missing"))
    };
    // The cameraman (full body) is found even at 96 px, and assessed.
    assert_eq!(status("camera-96.jpg").1, Status::Ok, "{statuses:?}");
    // Every format the reader supports decodes; GIF is not one of them.
    for n in [
        "camera-48.png",
        "camera-24-grey.png",
        "camera-16-16bit.png",
        "camera-16-alpha.png",
        "camera-32.bmp",
        "camera-24.tif",
        "camera-32-lossless.webp",
        "camera-48-lossy.webp",
        "camera-200x1.png",
        "brick-32.jpg",
    ] {
        assert_ne!(status(n).1, Status::Error, "{n}: {:?}", status(n).2);
    }
    let gif = status("camera-24.gif");
    assert_eq!(gif.1, Status::Error);
    assert!(
        gif.2
            .as_deref()
            .unwrap()
            .contains("GIF images are not supported"),
        "{gif:?}"
    );
    let cut = status("camera-96-truncated.jpg");
    assert!(
        cut.2.as_deref().unwrap().contains("truncated JPEG"),
        "{cut:?}"
    );
}

/// A PNG of `w`×`h` pixels whose data is one compressed row of zeros.
fn png_declaring(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::new(1, 1);
    let mut png = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    // IHDR's width and height sit at bytes 16..24, its CRC (over the chunk
    // type and data, bytes 12..29) at 29..33.
    png[16..20].copy_from_slice(&w.to_be_bytes());
    png[20..24].copy_from_slice(&h.to_be_bytes());
    let crc = crc32(&png[12..29]);
    png[29..33].copy_from_slice(&crc.to_be_bytes());
    png
}

/// CRC-32 (IEEE, as PNG uses), bit by bit.
fn crc32(data: &[u8]) -> u32 {
    let mut c = !0u32;
    for &b in data {
        c ^= u32::from(b);
        for _ in 0..8 {
            c = if c & 1 == 1 {
                (c >> 1) ^ 0xEDB8_8320
            } else {
                c >> 1
            };
        }
    }
    !c
}

#[test]
fn image_pipeline_edge_inputs() {
    let mut est = lightning();
    let mut err = |bytes: &[u8]| {
        let r = fuzzing::image_pipeline(&mut est, bytes);
        assert_eq!(r.status, Status::Error, "{r:?}");
        r.error.unwrap()
    };
    assert!(err(b"").contains("empty"));
    let gif = err(b"GIF89a not really");
    assert!(gif.contains("GIF images are not supported"), "{gif}");
    assert!(err(b"\xFF\xD8\xFF\xE0 a JPEG start").contains("truncated JPEG"));
    let big = err(&png_declaring(100_000, 100_000));
    assert!(big.contains("100000x100000"), "{big}");
    err(&png_declaring(0, 5));
    // A one-pixel image and a flat one are read and hold no person.
    for (w, h) in [(1, 1), (640, 2)] {
        let mut png = Vec::new();
        image::RgbImage::from_pixel(w, h, image::Rgb([200, 30, 90]))
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        let r = fuzzing::image_pipeline(&mut est, &png);
        assert_eq!(r.status, Status::NoPerson, "{w}x{h}: {r:?}");
        assert_eq!((r.width, r.height), (Some(w), Some(h)));
    }
}

#[test]
fn config_parser_inputs() {
    let mut accepted = Vec::new();
    for (path, bytes) in inputs("config_parser") {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if fuzzing::config_parser(&bytes).is_ok() {
            accepted.push(name);
        }
    }
    for n in [
        "default.toml",
        "empty.toml",
        "subset.toml",
        "coupling.toml",
        "inline.toml",
        "section-sitting.toml",
        "section-lifting.toml",
        "section-baseline.toml",
        "section-reps.toml",
    ] {
        assert!(
            accepted.iter().any(|a| a == n),
            "{n} refused; accepted {accepted:?}"
        );
    }
    for n in [
        "wrong-type.toml",
        "unknown-key.toml",
        "huge.toml",
        "negative.toml",
        "inverted-ramp.toml",
        "nan.toml",
    ] {
        assert!(!accepted.iter().any(|a| a == n), "{n} accepted");
    }
}

#[test]
fn config_parser_edge_inputs() {
    let default = fuzzing::config_parser(posturecam::assess::config::DEFAULT_TOML.as_bytes());
    assert_eq!(default.unwrap(), AssessConfig::default());
    for (text, key) in [
        (&b"\xFF\xFE[sitting]"[..], "UTF-8"),
        (b"[sitting", "invalid config fuzz.toml"),
        (b"gate_confidence = 1e400", "gate_confidence"),
        (b"[lifting]\nactivity = -1", "activity"),
        (b"[lifting]\nload_kg = 3.5e38", "load_kg"),
        (b"[reps]\nmax_duration_s = 1e308", "max_duration_s"),
        (b"[reps]\nreba_fair = 12", "reba_fair"),
        (b"[[sitting]]\nlean_deg = 1", "sitting"),
        (b"a.b.c.d.e.f = 1", "unknown field `a`"),
    ] {
        let e = fuzzing::config_parser(text).unwrap_err();
        assert!(e.contains(key), "{:?}: {e}", String::from_utf8_lossy(text));
    }
    // Nested arrays and tables deep enough to exhaust a naive recursive
    // parser's stack.
    let deep = format!("x = {}1{}", "[".repeat(5000), "]".repeat(5000));
    assert!(fuzzing::config_parser(deep.as_bytes()).is_err());
    let deep = format!("x = {}1{}", "{a=".repeat(5000), "}".repeat(5000));
    assert!(fuzzing::config_parser(deep.as_bytes()).is_err());
}

#[test]
fn keypoints_inputs() {
    for (path, bytes) in inputs("keypoints") {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let a = fuzzing::keypoints(&bytes);
        match name.as_str() {
            "side.bin" => {
                assert!(a.view.view.is_side(), "{name}: {a:?}");
                assert_eq!(a.sitting.class, SittingClass::Upright, "{name}");
            }
            "stoop.bin" => assert_eq!(a.lifting.style, LiftStyle::Stoop, "{name}: {a:?}"),
            "front-with-baseline.bin" => {
                assert!(a.sitting.baseline.is_some(), "{name}: {a:?}")
            }
            // Found by this target: every keypoint on one spot gave a
            // lateral lean (and, in a side view, a trunk inclination) of
            // 180°, as atan2(0, -0) is 180°; a zero-length segment has no
            // direction.
            "coincident.bin" => {
                assert_eq!(a.angles, Angles::default(), "{name}");
                assert_eq!(a.sitting.class, SittingClass::Unscorable, "{name}: {a:?}");
            }
            "nan.bin" | "inf.bin" => {
                assert_eq!(a.sitting.class, SittingClass::Unscorable, "{name}: {a:?}");
                assert_eq!(a.lifting.style, LiftStyle::Unscorable, "{name}");
            }
            _ => {}
        }
    }
}

fn bits(points: &[(f32, f32, f32)]) -> Vec<u8> {
    let mut out = vec![0u8];
    for &(x, y, c) in points {
        for v in [x, y, c] {
            out.extend_from_slice(&v.to_le_bytes());
        }
    }
    out
}

#[test]
fn keypoints_edge_inputs() {
    // Shoulders and hips so far apart that shoulder width and torso length
    // both overflow to infinity: their ratio is NaN, and the view must not
    // take a NaN confidence from it.
    let m = 3e38f32;
    let mut far = vec![(0.0, 0.0, 0.0); 17];
    far[0] = (10.0, -m, 0.9); // nose
    far[3] = (-10.0, -m, 0.9); // left ear
    far[5] = (m, -m, 0.9);
    far[6] = (-m, -m, 0.9);
    far[11] = (0.0, m, 0.9);
    far[12] = (0.0, m, 0.9);
    let a = fuzzing::keypoints(&bits(&far));
    assert!(a.view.confidence.is_finite(), "{a:?}");

    // Nothing at all: every keypoint (0, 0) with confidence 0.
    let a = fuzzing::keypoints(&[]);
    assert_eq!(a.sitting.class, SittingClass::Unscorable);
    // Every bit pattern of one byte repeated: NaNs (0xFF), huge (0x7E..),
    // tiny, negative.
    for b in [0x00u8, 0x3F, 0x7E, 0x7F, 0x80, 0xFE, 0xFF] {
        for flags in [0u8, 1] {
            let mut data = vec![flags];
            data.extend(std::iter::repeat_n(b, 2 * 17 * 3 * 4));
            fuzzing::keypoints(&data);
        }
    }
}

// Until a libFuzzer run is at hand (it needs nightly and a long
// instrumented build), the same bodies on random and mutated inputs, in
// every `cargo test`.
mod mutated {
    use super::*;
    use proptest::prelude::*;

    fn value() -> impl Strategy<Value = String> {
        prop_oneof![
            "-?[0-9]{1,45}(\\.[0-9]{0,12})?(e-?[0-9]{1,3})?",
            "\"[a-z]{0,12}\"",
            "\\[[-0-9., e]{0,30}\\]",
            Just("nan".to_string()),
            Just("-inf".to_string()),
            Just("true".to_string()),
            Just("{}".to_string()),
            "[ -~]{0,20}",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]

        /// The printed default with one value replaced by anything.
        #[test]
        fn config_with_one_value_replaced(line in 0usize..200, v in value()) {
            let text = posturecam::assess::config::DEFAULT_TOML;
            let lines: Vec<&str> = text.lines().collect();
            let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
            let keyed: Vec<usize> = (0..lines.len()).filter(|&i| lines[i].contains(" = ")).collect();
            let i = keyed[line % keyed.len()];
            let key = lines[i].split(" = ").next().unwrap();
            out[i] = format!("{key} = {v}");
            let _ = fuzzing::config_parser(out.join("\n").as_bytes());
        }

        /// Arbitrary text.
        #[test]
        fn config_from_any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let _ = fuzzing::config_parser(&bytes);
        }

        /// Arbitrary bytes as keypoints (one or two sets).
        #[test]
        fn keypoints_from_any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..420)) {
            fuzzing::keypoints(&bytes);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(60))]

        /// A seed image with a few bytes changed, cut short or extended.
        #[test]
        fn image_with_bytes_changed(seed in 0usize..100, flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8),
                                    cut in proptest::option::of(any::<usize>())) {
            let seeds = inputs("image_pipeline");
            let mut bytes = seeds[seed % seeds.len()].1.clone();
            for (at, b) in flips {
                let n = bytes.len();
                bytes[at % n] = b;
            }
            if let Some(c) = cut {
                bytes.truncate(c % (bytes.len() + 1));
            }
            let mut est = lightning();
            fuzzing::image_pipeline(&mut est, &bytes);
        }
    }
}
