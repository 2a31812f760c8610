//! The review window driven through its accessibility tree with
//! egui_kittest, over clips made with ffmpeg at test time and analysed by
//! the real model on the window's own threads: loading, stepping,
//! scrubbing, seeking on the plot, the repetitions table, two clips.

mod common;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::video::{have_ffmpeg, make_clip};
use egui_kittest::kittest::Queryable;
use egui_kittest::Harness;
use posturecam::assess::reps::{Grade, Repetition};
use posturecam::assess::{Assessor, LiftStyle};
use posturecam::pose::{EstimatorConfig, ModelSpec, MoveNet, PoseModel};
use posturecam::review::ClipAnalysis;
use posturecam::score::video_tracker;
use posturecam::ui::review_app::{ReviewApp, ReviewOptions};

fn model() -> PoseModel {
    PoseModel::load(&ModelSpec::Lightning).unwrap()
}

fn app(paths: Vec<PathBuf>) -> ReviewApp {
    ReviewApp::new(
        paths,
        model(),
        EstimatorConfig::default(),
        Assessor::default(),
        ReviewOptions::default(),
        Arc::new(|| {}),
    )
}

fn harness(app: ReviewApp) -> Harness<'static, ReviewApp> {
    Harness::builder()
        .with_size([1280.0, 800.0])
        .build_ui_state(|ui, app: &mut ReviewApp| app.show(ui), app)
}

/// Steps the window until `cond` holds, or fails after 60 s.
fn step_until(
    h: &mut Harness<'_, ReviewApp>,
    what: &str,
    cond: impl Fn(&Harness<'_, ReviewApp>) -> bool,
) {
    let start = Instant::now();
    loop {
        h.step();
        if cond(h) {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn shows(h: &Harness<'_, ReviewApp>, text: &str) -> bool {
    h.query_by_label_contains(text).is_some()
}

/// Ten frames at 10 fps: five of the cameraman, five of the astronaut.
fn ten_frames(dir: &std::path::Path, name: &str) -> PathBuf {
    make_clip(
        dir,
        name,
        &[("camera.png", 5), ("astronaut.png", 5)],
        10,
        &[],
    )
}

#[test]
fn loads_in_the_background_then_steps_scrubs_and_seeks_frame_by_frame() {
    if !have_ffmpeg() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let clip = ten_frames(dir.path(), "one.mp4");
    let mut h = harness(app(vec![clip]));
    // The first repaint comes at once, while the clip is still analysed.
    h.step();
    assert!(shows(&h, "Analysing one.mp4") || h.state().model().settled());
    step_until(&mut h, "the analysis", |h| h.state().model().settled());
    h.step();
    assert!(shows(&h, "Frame 1 of 10 · 0.00 s of 1.00 s"));
    assert!(shows(&h, "No lift was found in this clip."));
    assert!(h.query_by_label("Trunk flexion").is_some());
    assert!(h.query_by_label("REBA").is_some());

    h.get_by_label("Next frame").click();
    h.run_steps(2);
    assert!(shows(&h, "Frame 2 of 10 · 0.10 s"));
    h.get_by_label("Next frame").click();
    h.run_steps(2);
    assert!(shows(&h, "Frame 3 of 10 · 0.20 s"));
    h.get_by_label("Previous frame").click();
    h.run_steps(2);
    assert!(shows(&h, "Frame 2 of 10 · 0.10 s"));
    // The keyboard: → and ←.
    h.key_press(egui::Key::ArrowRight);
    h.run_steps(2);
    assert!(shows(&h, "Frame 3 of 10"));
    h.key_press(egui::Key::ArrowLeft);
    h.run_steps(2);
    assert!(shows(&h, "Frame 2 of 10"));

    h.get_by_label("End").click();
    h.run_steps(2);
    assert!(shows(&h, "Frame 10 of 10 · 0.90 s"));
    h.get_by_label("Start").click();
    h.run_steps(2);
    assert!(shows(&h, "Frame 1 of 10"));

    // Scrub: the time slider.
    h.get_by_role(egui::accesskit::Role::Slider)
        .set_value_accesskit(0.55);
    h.run_steps(2);
    assert!(shows(&h, "Frame 6 of 10 · 0.50 s"), "scrubbed to 0.55 s");

    // Seek on the plot: it sits right above the "no lift" line and spans
    // the column; a click on its left edge area goes near the start, on
    // its right part near the end.
    let below = h.get_by_label("No lift was found in this clip.").rect();
    let y = below.top() - 60.0;
    h.drag_at(egui::pos2(1100.0, y));
    h.drop_at(egui::pos2(1100.0, y));
    h.run_steps(2);
    let late = h.state().model().position(0).unwrap();
    h.drag_at(egui::pos2(200.0, y));
    h.drop_at(egui::pos2(200.0, y));
    h.run_steps(2);
    let early = h.state().model().position(0).unwrap();
    assert!(
        late >= 7 && early <= 2,
        "plot clicks went to {late} and {early}"
    );

    // Play runs to the end and stops there.
    h.get_by_label("Start").click();
    h.run_steps(1);
    h.get_by_label("Play").click();
    step_until(&mut h, "the end of playback", |h| {
        !h.state().model().shared().playing()
    });
    assert_eq!(h.state().model().position(0), Some(9));
}

#[test]
fn two_clips_side_by_side_with_one_transport_or_their_own() {
    if !have_ffmpeg() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let a = ten_frames(dir.path(), "before.mp4");
    let b = make_clip(dir.path(), "after.mp4", &[("astronaut.png", 6)], 10, &[]);
    let mut h = harness(app(vec![a, b]));
    step_until(&mut h, "both analyses", |h| h.state().model().settled());
    h.step();
    assert!(h.query_by_label("before.mp4").is_some());
    assert!(h.query_by_label("after.mp4").is_some());
    assert_eq!(
        h.query_all_by_label("No lift was found in this clip.")
            .count(),
        2
    );
    assert!(shows(&h, "Both clips start together"));
    // Linked: one transport moves both.
    assert_eq!(h.query_all_by_label("Next frame").count(), 1);
    h.get_by_label("Next frame").click();
    h.run_steps(2);
    assert!(shows(&h, "Frame 2 of 10"));
    assert!(shows(&h, "Frame 2 of 6"));
    // Unlinked: each clip has its own transport.
    h.get_by_label("Link the clips (one transport)").click();
    h.run_steps(4);
    assert!(shows(&h, "Unlinked"));
    let next: Vec<_> = h.query_all_by_label("Next frame").collect();
    assert_eq!(next.len(), 2);
    next[1].click();
    h.run_steps(2);
    assert!(shows(&h, "Frame 2 of 10"));
    assert!(shows(&h, "Frame 3 of 6"));
}

#[test]
fn an_unreadable_clip_is_reported_in_the_window() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.mp4");
    std::fs::write(&bad, b"not a video").unwrap();
    let mut h = harness(app(vec![bad]));
    step_until(&mut h, "the failure", |h| h.state().model().settled());
    h.step();
    assert!(shows(&h, "Cannot review bad.mp4"), "an error line");
}

fn rep(start: usize, bottom: usize, end: usize, worst: usize, partial: bool) -> Repetition {
    let t = |f: usize| f as f64 / 10.0;
    Repetition {
        start_s: t(start),
        bottom_s: t(bottom),
        end_s: t(end),
        duration_s: t(end) - t(start),
        start_frame: start,
        bottom_frame: bottom,
        end_frame: end,
        worst_frame: worst,
        peak_trunk_flexion_deg: Some(64.0),
        knee_flexion_at_bottom_deg: Some(100.0),
        style: LiftStyle::Squat,
        reba_max: Some(if partial { 5 } else { 9 }),
        asymmetry_deg: None,
        partial,
        grade: Grade::Fair,
        cue: "keep your chest up".into(),
    }
}

#[test]
fn the_repetitions_table_jumps_to_bottoms_and_worst_frames_and_aligns_clips() {
    if !have_ffmpeg() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let clip = ten_frames(dir.path(), "lifts.mp4");
    let mut tracker = video_tracker(MoveNet::new(model(), EstimatorConfig::default()).unwrap());
    let real = ClipAnalysis::analyse(
        &clip,
        &mut tracker,
        &Assessor::default(),
        &mut |_, _| {},
        &std::sync::atomic::AtomicBool::new(false),
    )
    .unwrap();
    // The sample photos hold no lift: the repetitions are given, to test
    // the table's behaviour (the finder has its own tests).
    let mut a = real.clone();
    a.reps = vec![rep(0, 2, 4, 3, true), rep(5, 7, 9, 8, false)];
    let mut b = real;
    b.source = "after.mp4".into();
    b.reps = vec![rep(1, 4, 6, 5, false)];

    let mut h = harness(ReviewApp::from_analyses(
        vec![a.clone()],
        ReviewOptions::default(),
    ));
    h.run_steps(4);
    assert!(h.query_by_label("Knee at bottom").is_some());
    assert!(h.query_by_label("1 (partial)").is_some());
    // A click on the row of rep 2 shows its deepest frame (7).
    h.get_by_label("2").click();
    h.run_steps(2);
    assert_eq!(h.state().model().position(0), Some(7));
    assert!(shows(&h, "Frame 8 of 10"));
    // Its worst frame.
    let worst: Vec<_> = h.query_all_by_label("Worst frame").collect();
    assert_eq!(worst.len(), 2);
    worst[0].click();
    h.run_steps(2);
    assert_eq!(h.state().model().position(0), Some(3));
    // The clip's worst: the rep with the highest REBA (rep 2, frame 8).
    h.get_by_label("Worst frame of the clip").click();
    h.run_steps(2);
    assert_eq!(h.state().model().position(0), Some(8));

    // Two clips: aligned at A's first full rep (bottom 0.7 s) and B's rep
    // (bottom 0.4 s): B runs 0.3 s behind.
    let mut h = harness(ReviewApp::from_analyses(
        vec![a, b],
        ReviewOptions::default(),
    ));
    h.run_steps(4);
    assert!(shows(
        &h,
        "Aligned at the deepest points of rep 2 and rep 1"
    ));
    let m = h.state().model();
    assert!((m.offset(1) - m.offset(0) - 0.3).abs() < 1e-9);
    let rows: Vec<_> = h.query_all_by_label("2").collect();
    assert_eq!(rows.len(), 1, "rep 2 of clip A only");
    // Clip B's worst frame (5): clip A follows, 0.3 s ahead.
    let rects: Vec<egui::Rect> = h
        .query_all_by_label("Worst frame of the clip")
        .map(|n| n.rect())
        .collect();
    assert_eq!(rects.len(), 2);
    h.drag_at(rects[1].center());
    h.drop_at(rects[1].center());
    h.run_steps(4);
    let m = h.state().model();
    assert_eq!((m.position(0), m.position(1)), (Some(8), Some(5)));
    let rows: Vec<_> = h.query_all_by_label("2").collect();
    rows[0].click();
    h.run_steps(4);
    let m = h.state().model();
    assert_eq!((m.position(0), m.position(1)), (Some(7), Some(4)));
}
