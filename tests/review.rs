//! A clip analysed for review: every frame kept with its pose, times and
//! lookups right.

mod common;

use std::sync::atomic::AtomicBool;

use common::video::{have_ffmpeg, make_clip};
use posturecam::assess::Assessor;
use posturecam::pose::{EstimatorConfig, ModelSpec, MoveNet, PoseModel};
use posturecam::review::{ClipAnalysis, ReviewError};
use posturecam::score::video_tracker;

fn tracker() -> posturecam::pose::PoseTracker {
    let model = PoseModel::load(&ModelSpec::Lightning).unwrap();
    video_tracker(MoveNet::new(model, EstimatorConfig::default()).unwrap())
}

#[test]
fn analyses_every_frame_and_finds_frames_by_time() {
    if !have_ffmpeg() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let clip = make_clip(
        dir.path(),
        "r.mp4",
        &[("camera.png", 5), ("astronaut.png", 5)],
        10,
        &[],
    );
    let mut calls = Vec::new();
    let a = ClipAnalysis::analyse(
        &clip,
        &mut tracker(),
        &Assessor::default(),
        &mut |done, total| calls.push((done, total)),
        &AtomicBool::new(false),
    )
    .unwrap();
    assert_eq!(a.frames.len(), 10);
    assert_eq!(calls.last(), Some(&(10, Some(10))));
    assert_eq!((a.width, a.height), (512, 512));
    assert!((a.duration_s() - 1.0).abs() < 1e-6);
    assert!(
        a.frames.iter().all(|f| f.pose.is_some()),
        "a person in every frame"
    );
    assert_eq!(a.samples.len(), 10);
    assert!(a.reps.is_empty(), "nobody lifts");
    assert_eq!(a.frame_at(-1.0), 0);
    assert_eq!(a.frame_at(0.0), 0);
    assert_eq!(a.frame_at(0.45), 4);
    assert_eq!(a.frame_at(0.5), 5);
    assert_eq!(a.frame_at(99.0), 9);
    assert_eq!(a.position_of(7), 7);
    let img = a.image(9).unwrap();
    assert_eq!(img.dimensions(), (512, 512));
    // Frame 9 is the astronaut (colour), frame 0 the cameraman (grey).
    let sat = |img: &image::RgbImage| {
        img.pixels()
            .map(|p| u32::from(p.0.iter().max().unwrap() - p.0.iter().min().unwrap()))
            .sum::<u32>()
            / (img.width() * img.height())
    };
    assert!(sat(&img) > 20 && sat(&a.image(0).unwrap()) < 5);
    assert!(a.image(10).is_none());
}

#[test]
fn a_cancelled_or_unreadable_clip_is_an_error() {
    if !have_ffmpeg() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let clip = make_clip(dir.path(), "c.mp4", &[("camera.png", 3)], 10, &[]);
    let e = ClipAnalysis::analyse(
        &clip,
        &mut tracker(),
        &Assessor::default(),
        &mut |_, _| {},
        &AtomicBool::new(true),
    )
    .unwrap_err();
    assert!(matches!(e, ReviewError::Cancelled));
    let bad = dir.path().join("bad.mp4");
    std::fs::write(&bad, b"junk").unwrap();
    let e = ClipAnalysis::analyse(
        &bad,
        &mut tracker(),
        &Assessor::default(),
        &mut |_, _| {},
        &AtomicBool::new(false),
    )
    .unwrap_err();
    assert!(e.to_string().contains("not a readable video"), "{e}");
}
