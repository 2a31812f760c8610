//! Video decoding through ffmpeg on clips the test makes itself: frame
//! count, sizes and real timestamps, rotation metadata, a variable frame
//! rate, a corrupt stretch in the middle, truncated and bogus files.

mod common;

use std::path::Path;

use common::video::{have_ffmpeg, make_clip};
use posturecam::capture::{FrameSource, VideoError, VideoOptions, VideoReader, VideoSource};

/// (index, time, width, height) of a decoded frame.
type Seen = (usize, f64, u32, u32);

fn read_all(path: &Path) -> (Vec<Seen>, Vec<String>) {
    let mut r = VideoReader::open(path, &VideoOptions::default()).unwrap();
    let mut out = Vec::new();
    while let Some(f) = r.next_frame().unwrap() {
        out.push((f.index, f.t_s, f.image.width(), f.image.height()));
    }
    (out, r.warnings().to_vec())
}

#[test]
fn decodes_every_frame_with_its_time_and_size() {
    if !have_ffmpeg() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let clip = make_clip(
        dir.path(),
        "a.mp4",
        &[("camera.png", 6), ("astronaut.png", 6)],
        12,
        &[],
    );
    let r = VideoReader::open(&clip, &VideoOptions::default()).unwrap();
    let i = r.info();
    assert_eq!(
        (i.codec.as_str(), i.width, i.height, i.rotation_deg),
        ("h264", 512, 512, 0)
    );
    assert_eq!(i.fps, Some(12.0));
    assert_eq!(i.frames, Some(12));
    drop(r);
    let (frames, warnings) = read_all(&clip);
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(frames.len(), 12);
    for (k, (index, t, w, h)) in frames.iter().enumerate() {
        assert_eq!(*index, k);
        assert!((t - k as f64 / 12.0).abs() < 1e-3, "frame {k} at {t}");
        assert_eq!((*w, *h), (512, 512));
    }
    // The picture survives: camera.png is grey, the astronaut is not.
    let mut r = VideoReader::open(&clip, &VideoOptions { max_side: 256 }).unwrap();
    let first = r.next_frame().unwrap().unwrap().image;
    assert_eq!(first.dimensions(), (256, 256));
    let p = first.get_pixel(128, 60).0;
    assert!(
        p[0].abs_diff(p[1]) < 12 && p[1].abs_diff(p[2]) < 12,
        "{p:?}"
    );
}

#[test]
fn honours_rotation_metadata() {
    if !have_ffmpeg() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // A landscape clip (the photo padded to 512x384) stored with a
    // 90° display matrix, as phones write portrait video.
    let clip = make_clip(
        dir.path(),
        "land.mp4",
        &[("astronaut.png", 4)],
        10,
        &["-vf", "scale=512:384"],
    );
    let rotated = dir.path().join("rot.mp4");
    let ok = std::process::Command::new("ffmpeg")
        .args(["-nostdin", "-loglevel", "error", "-y", "-i"])
        .arg(&clip)
        .args(["-c", "copy", "-metadata:s:v:0", "rotate=90"])
        .arg(&rotated)
        .status()
        .unwrap();
    assert!(ok.success());
    let r = VideoReader::open(&rotated, &VideoOptions::default()).unwrap();
    assert_eq!(r.info().rotation_deg.rem_euclid(180), 90);
    assert_eq!((r.info().coded_width, r.info().coded_height), (512, 384));
    drop(r);
    let (frames, _) = read_all(&rotated);
    assert_eq!(frames.len(), 4);
    assert!(
        frames.iter().all(|f| (f.2, f.3) == (384, 512)),
        "{frames:?}"
    );
}

#[test]
fn keeps_variable_frame_rate_timestamps() {
    if !have_ffmpeg() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // 5 frames 0.1 s apart, then 5 frames 0.3 s apart.
    let clip = make_clip(
        dir.path(),
        "vfr.mkv",
        &[("camera.png", 10)],
        10,
        &[
            "-vf",
            "setpts='if(lt(N,5),N,4+(N-4)*3)'",
            "-fps_mode",
            "passthrough",
        ],
    );
    let (frames, _) = read_all(&clip);
    let times: Vec<f64> = frames
        .iter()
        .map(|f| (f.1 * 100.0).round() / 100.0)
        .collect();
    assert_eq!(
        times,
        vec![0.0, 0.1, 0.2, 0.3, 0.4, 0.7, 1.0, 1.3, 1.6, 1.9]
    );
}

#[test]
fn skips_and_reports_a_corrupt_stretch_and_decodes_the_rest() {
    if !have_ffmpeg() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let clip = make_clip(dir.path(), "c.mkv", &[("astronaut.png", 40)], 10, &[]);
    let mut bytes = std::fs::read(&clip).unwrap();
    let n = bytes.len();
    for b in &mut bytes[n / 2..n / 2 + 400] {
        *b = b.wrapping_mul(7).wrapping_add(13);
    }
    let bad = dir.path().join("bad.mkv");
    std::fs::write(&bad, &bytes).unwrap();
    let (frames, warnings) = read_all(&bad);
    assert!(!warnings.is_empty(), "the damage is reported");
    assert!(
        warnings.iter().any(|w| w.contains("damaged video data")),
        "{warnings:?}"
    );
    assert!(
        frames.len() >= 25 && frames.len() < 40,
        "{} frames",
        frames.len()
    );
    assert!(
        frames.last().unwrap().1 > 3.0,
        "decoding went on to the end"
    );
}

#[test]
fn truncated_empty_and_bogus_files_give_clear_errors() {
    if !have_ffmpeg() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let clip = make_clip(dir.path(), "t.mp4", &[("camera.png", 10)], 10, &[]);
    let bytes = std::fs::read(&clip).unwrap();
    // An MP4 whose index (at the end) is cut off cannot be read at all.
    let cut = dir.path().join("cut.mp4");
    std::fs::write(&cut, &bytes[..bytes.len() * 6 / 10]).unwrap();
    let e = VideoReader::open(&cut, &VideoOptions::default())
        .err()
        .unwrap();
    assert!(matches!(e, VideoError::NotVideo { .. }), "{e}");
    assert!(e.to_string().contains("moov atom not found"), "{e}");
    // A streamable file cut in the middle gives the frames before the cut.
    let mkv = make_clip(dir.path(), "t.mkv", &[("camera.png", 20)], 10, &[]);
    let bytes = std::fs::read(&mkv).unwrap();
    let cut = dir.path().join("cut.mkv");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let (frames, _) = read_all(&cut);
    assert!(!frames.is_empty() && frames.len() < 20, "{}", frames.len());

    let empty = dir.path().join("empty.mp4");
    std::fs::write(&empty, b"").unwrap();
    let e = VideoReader::open(&empty, &VideoOptions::default())
        .err()
        .unwrap();
    assert_eq!(
        e.to_string(),
        format!("{}: the file is empty (0 bytes)", empty.display())
    );
    let text = dir.path().join("notes.mp4");
    std::fs::write(&text, b"this is not a video\n").unwrap();
    let e = VideoReader::open(&text, &VideoOptions::default())
        .err()
        .unwrap();
    assert!(matches!(e, VideoError::NotVideo { .. }), "{e}");
    assert!(!e.to_string().contains("file:"), "{e}");
    let e = VideoReader::open(&dir.path().join("nope.mp4"), &VideoOptions::default())
        .err()
        .unwrap();
    assert!(matches!(e, VideoError::NotFound(_)), "{e}");
}

#[test]
fn a_video_source_plays_at_file_time_and_loops() {
    if !have_ffmpeg() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let clip = make_clip(dir.path(), "l.mp4", &[("camera.png", 3)], 10, &[]);
    let mut s = VideoSource::open(&clip, true).unwrap();
    assert_eq!(s.fps(), Some(10.0));
    let times: Vec<f64> = (0..7)
        .map(|_| (s.next_frame().unwrap().unwrap().t * 10.0).round() / 10.0)
        .collect();
    assert_eq!(times, vec![0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6]);
    let mut once = VideoSource::open(&clip, false).unwrap();
    for _ in 0..3 {
        assert!(once.next_frame().unwrap().is_some());
    }
    assert!(once.next_frame().unwrap().is_none());
}
