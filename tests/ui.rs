//! The whole live window driven by the real pipeline and model from a
//! recorded frame sequence, checked through its accessibility tree with
//! egui_kittest: the banner's cues, the alert after the onset delay, pause,
//! and the summary.

mod common;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use egui_kittest::kittest::Queryable;
use egui_kittest::Harness;
use posturecam::assess::Assessor;
use posturecam::capture::{FolderSource, FrameSource};
use posturecam::coach::AlertConfig;
use posturecam::live::{self, LiveEngine};
use posturecam::pose::{ModelSpec, PoseModel};
use posturecam::ui::app::{AppOptions, LiveApp};

/// A folder of numbered frames: `runs` of (photo, count).
fn sequence(dir: &Path, runs: &[(&str, usize)]) {
    let mut i = 0;
    for (photo, n) in runs {
        for _ in 0..*n {
            let to = dir.join(format!("{i:04}.png"));
            let from = common::sample(photo);
            std::fs::hard_link(&from, &to)
                .or_else(|_| std::fs::copy(&from, &to).map(|_| ()))
                .unwrap();
            i += 1;
        }
    }
}

fn app(frames: &Path, fps: f64, onset_s: f64) -> LiveApp {
    let model = PoseModel::load(&ModelSpec::Lightning).unwrap();
    let alerts = AlertConfig {
        onset_s,
        clear_s: 0.5,
        repeat_s: 300.0,
    };
    let engine = LiveEngine::new(model, Assessor::default(), alerts, "test").unwrap();
    let frames = frames.to_path_buf();
    let open: live::SourceOpener = Box::new(move || {
        FolderSource::open(&frames, fps, false).map(|s| Box::new(s) as Box<dyn FrameSource>)
    });
    LiveApp::new(
        live::start(open, engine, Arc::new(|| {})),
        AppOptions::default(),
    )
}

/// Steps the window until `cond` holds (the pipeline runs on its own
/// threads), or fails after 60 s.
fn step_until(
    h: &mut Harness<'_, LiveApp>,
    what: &str,
    cond: impl Fn(&Harness<'_, LiveApp>) -> bool,
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

fn harness(app: LiveApp) -> Harness<'static, LiveApp> {
    Harness::builder()
        .with_size([1100.0, 720.0])
        .build_ui_state(|ui, app: &mut LiveApp| app.show(ui), app)
}

#[test]
fn the_banner_cues_a_slouch_alerts_after_the_onset_and_returns_to_good() {
    let dir = tempfile::tempdir().unwrap();
    // 1 s upright, 3 s bent forward, 2 s upright, at 10 fps.
    sequence(
        dir.path(),
        &[
            ("astronaut.png", 10),
            ("camera.png", 30),
            ("astronaut.png", 20),
        ],
    );
    let mut h = harness(app(dir.path(), 10.0, 1.0));
    step_until(&mut h, "good posture", |h| {
        h.query_by_label("Good posture. Keep it up.").is_some()
    });
    assert_eq!(h.state().view().alerts, 0);
    // The slouch cue comes as soon as the slouch starts (drifting)...
    step_until(&mut h, "the slouch cue", |h| {
        h.query_by_label_contains("Sit back against the chair")
            .is_some()
            || h.query_by_label_contains("Bring your head back").is_some()
    });
    // ...the alert only after the 1 s onset.
    step_until(&mut h, "the alert", |h| h.state().view().alerts == 1);
    let v = h.state().view().clone();
    let slouched_for = v.summary.seconds.get("slouched").copied().unwrap_or(0.0);
    assert!(
        slouched_for >= 0.5,
        "alert after {slouched_for} s of slouching"
    );
    // Back to good after the upright frames.
    step_until(&mut h, "good again", |h| {
        h.query_by_label("Good posture. Keep it up.").is_some()
    });
    step_until(&mut h, "the end", |h| h.state().view().ended);
    h.step();
    assert!(h.query_by_label("The recording has ended.").is_some());
    assert_eq!(h.state().view().alerts, 1, "one alert for one slouch");

    // The summary adds up: ~1+2 s upright, ~3 s slouched, 1 alert.
    h.get_by_label("Summary").click();
    step_until(&mut h, "the final summary", |h| {
        let s = &h.state().view().summary;
        s.seconds.values().sum::<f64>() >= 5.5
    });
    assert!(h.query_by_label("This session").is_some());
    let s = &h.state().view().summary;
    let secs = |k: &str| s.seconds.get(k).copied().unwrap_or(0.0);
    assert!(
        (secs("upright") + secs("slouched") - 6.0).abs() < 0.6,
        "{s:?}"
    );
    assert!((secs("slouched") - 3.0).abs() < 0.6, "{s:?}");
    assert_eq!(s.alerts, 1);
    h.state_mut().stop();
}

#[test]
fn pause_releases_the_source_and_resume_continues() {
    let dir = tempfile::tempdir().unwrap();
    sequence(dir.path(), &[("astronaut.png", 200)]);
    let mut h = harness(app(dir.path(), 20.0, 10.0));
    step_until(&mut h, "frames", |h| h.state().view().frames >= 5);
    h.get_by_label("Pause").click();
    step_until(&mut h, "paused", |h| {
        h.query_by_label("Paused: the camera is released.")
            .is_some()
    });
    assert!(h.query_by_label("Resume").is_some());
    let n = h.state().view().frames;
    std::thread::sleep(Duration::from_millis(300));
    h.step();
    assert!(h.state().view().frames <= n + 1);
    h.get_by_label("Resume").click();
    step_until(&mut h, "resumed", |h| h.state().view().frames > n + 3);
    // The angles panel shows the numbers of the frame.
    assert!(h.query_by_label("Frame rate").is_some());
    assert!(h.query_by_label("Shoulder tilt").is_some());
    h.state_mut().stop();
}
