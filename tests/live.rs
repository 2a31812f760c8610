//! The live coach without a window: the real model over recorded frames,
//! alerts with their onset delay, the session summary, calibration, and
//! the session saved as it runs (even through SIGKILL).

mod common;

use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use posturecam::assess::Assessor;
use posturecam::capture::{FolderSource, Frame, FrameSource};
use posturecam::coach::{AlertConfig, Banner};
use posturecam::live::{self, Calibration, LiveEngine};
use posturecam::pose::{ModelSpec, PoseModel};
use posturecam::session::store::Store;

fn engine(onset_s: f64) -> LiveEngine {
    let model = PoseModel::load(&ModelSpec::Lightning).unwrap();
    let alerts = AlertConfig {
        onset_s,
        clear_s: 1.0,
        repeat_s: 300.0,
    };
    LiveEngine::new(model, Assessor::default(), alerts, "test").unwrap()
}

fn frame(img: &image::RgbImage, t: f64, index: u64) -> Frame {
    Frame {
        image: img.clone(),
        t,
        index,
        label: "test".into(),
    }
}

/// astronaut.png: sitting up straight, facing the camera. camera.png: bent
/// forward (side view) — slouched.
#[test]
fn slouch_raises_a_cue_then_an_alert_after_the_onset_and_clears_after() {
    let upright = common::load(&common::sample("astronaut.png"));
    let slouched = common::load(&common::sample("camera.png"));
    let mut e = engine(2.0);
    let store = Store::open_in_memory().unwrap();
    e.attach_store(store, "test frames").unwrap();
    let mut t = 0.0;
    let mut alerts = Vec::new();
    let mut banners = Vec::new();
    // 10 fps: 3 s upright, 4 s slouched, 3 s upright.
    for (img, secs) in [(&upright, 3), (&slouched, 4), (&upright, 3)] {
        for _ in 0..secs * 10 {
            let r = e.process(&frame(img, t, (t * 10.0) as u64));
            assert!(r.error.is_none());
            if let Some(a) = r.alert {
                alerts.push(a.t);
            }
            banners.push((t, r.banner));
            t += 0.1;
        }
    }
    let at = |time: f64| {
        &banners
            .iter()
            .find(|(bt, _)| (*bt - time).abs() < 0.05)
            .unwrap()
            .1
    };
    assert_eq!(at(2.5), &Banner::Good);
    // Slouching from 3.0: a quiet cue first, with the slouch message...
    match at(4.0) {
        Banner::Drifting { message, .. } => assert!(
            message.contains("sit back") || message.contains("head back"),
            "{message}"
        ),
        b => panic!("at 4.0 s: {b:?}"),
    }
    // ...the alert only once the 2 s onset has passed...
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    // (The first slouched frames may still be blended with the upright
    // ones by the smoothing: allow a few frames.)
    assert!(
        alerts[0] >= 4.95 && alerts[0] < 5.6,
        "alert at {}",
        alerts[0]
    );
    assert!(matches!(at(6.5), Banner::Alert { .. }));
    // ...and back to good once upright for the 1 s clear time.
    assert!(matches!(at(7.5), Banner::Alert { .. }), "{:?}", at(7.5));
    assert_eq!(at(8.5), &Banner::Good);

    let s = e.summary(t);
    let secs = |k: &str| s.seconds.get(k).copied().unwrap_or(0.0);
    assert!((secs("upright") - 6.0).abs() < 0.5, "{s:?}");
    assert!((secs("slouched") - 4.0).abs() < 0.5, "{s:?}");
    assert_eq!(s.alerts, 1);
    assert!((s.longest_good_streak_s - 3.0).abs() < 0.5, "{s:?}");
}

#[test]
fn the_session_and_its_alerts_are_saved_as_it_runs() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.sqlite3");
    let slouched = common::load(&common::sample("camera.png"));
    let mut e = engine(1.0);
    e.attach_store(Store::open(&db).unwrap(), "test frames")
        .unwrap();
    let id = e.session_id().unwrap();
    for i in 0..60 {
        e.process(&frame(&slouched, i as f64 * 0.1, i));
    }
    // Written while running, before finish: all but the last ~2 s.
    let reader = Store::open(&db).unwrap();
    let n = reader.samples(id).unwrap().len();
    assert!(n >= 3, "{n} samples saved after 6 s");
    assert_eq!(reader.alerts(id).unwrap().len(), 1);
    e.finish();
    let samples = reader.samples(id).unwrap();
    assert_eq!(samples.len(), 6, "one per second");
    assert!(samples.iter().all(|s| s.state == "slouched"), "{samples:?}");
    let row = reader.session(id).unwrap().unwrap();
    assert!(row.ended_at.is_some());
    assert_eq!(row.alerts, 1);
}

#[test]
fn calibration_records_a_baseline_from_frontal_frames_and_fails_on_a_side_view() {
    let upright = common::load(&common::sample("astronaut.png"));
    let side = common::load(&common::sample("camera.png"));
    let mut e = engine(10.0);
    e.attach_store(Store::open_in_memory().unwrap(), "t")
        .unwrap();
    e.start_calibration(0.0);
    let mut t = 0.0;
    while t <= 5.1 {
        e.process(&frame(&upright, t, 0));
        t += 0.1;
    }
    assert!(
        matches!(e.calibration(), Calibration::Done { frames } if *frames >= 40),
        "{:?}",
        e.calibration()
    );
    assert!(e.baseline().is_some());
    // Now the baseline is in use: the same frame deviates by nothing.
    let r = e.process(&frame(&upright, t, 0));
    let d = r.assessment.unwrap().sitting.baseline.unwrap();
    assert!(
        d.head_drop.abs() < 0.05 && d.leaning_in.abs() < 0.05,
        "{d:?}"
    );

    let mut e = engine(10.0);
    e.start_calibration(0.0);
    let mut t = 0.0;
    while t <= 5.1 {
        e.process(&frame(&side, t, 0));
        t += 0.1;
    }
    assert!(
        matches!(e.calibration(), Calibration::Failed(_)),
        "{:?}",
        e.calibration()
    );
    assert!(e.baseline().is_none());
}

#[test]
fn the_threaded_pipeline_plays_a_folder_and_pauses() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.sqlite3");
    let mut e = engine(10.0);
    e.attach_store(Store::open(&db).unwrap(), "sample_frames")
        .unwrap();
    let frames = common::repo().join("sample_frames");
    let open: live::SourceOpener = Box::new(move || {
        FolderSource::open(&frames, 20.0, true).map(|s| Box::new(s) as Box<dyn FrameSource>)
    });
    let handle = live::start(open, e, Arc::new(|| {}));
    let wait = |what: &str, f: &dyn Fn(&live::LiveView) -> bool| {
        let start = Instant::now();
        while !f(&handle.view()) {
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "timed out waiting for {what}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    };
    wait("frames", &|v| v.frames >= 10 && v.pose.is_some());
    let v = handle.view();
    assert!(v.source.contains("2 images"), "{}", v.source);
    assert!(v.fps > 0.0 && v.inference_ms > 0.0);
    handle.send(live::Command::Pause(true));
    wait("pause", &|v| v.paused);
    let n = handle.view().frames;
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        handle.view().frames <= n + 1,
        "no frames analysed while paused"
    );
    handle.send(live::Command::Pause(false));
    wait("resume", &|v| !v.paused && v.frames > n + 3);
    handle.stop();
    let store = Store::open(&db).unwrap();
    let rows = store.sessions().unwrap();
    assert_eq!(rows.len(), 1);
    assert!(rows[0].ended_at.is_some());
}

#[test]
fn a_session_killed_with_sigkill_is_in_history() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.sqlite3");
    let frames = common::repo().join("sample_frames");
    let bin = env!("CARGO_BIN_EXE_posturecam");
    let mut child = Command::new(bin)
        .args(["live", "--no-window", "--loop", "--fps", "10", "--source"])
        .arg(&frames)
        .arg("--db")
        .arg(&db)
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Long enough for a few flushes.
    let start = Instant::now();
    loop {
        std::thread::sleep(Duration::from_millis(200));
        let saved = Store::open(&db).ok().and_then(|s| {
            let id = s.sessions().ok()?.first()?.id;
            Some(s.samples(id).ok()?.len())
        });
        if saved.unwrap_or(0) >= 3 || start.elapsed() > Duration::from_secs(40) {
            break;
        }
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let out = Command::new(bin)
        .args(["history", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), 2, "header and one session:\n{text}");
    let store = Store::open(&db).unwrap();
    let row = &store.sessions().unwrap()[0];
    assert!(row.ended_at.is_none(), "killed, never closed");
    assert!(row.samples >= 3 && row.duration_s >= 2.0, "{row:?}");
    // And it exports.
    let out = Command::new(bin)
        .args(["export", &row.id.to_string(), "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8(out.stdout).unwrap().lines().count() > 3);
}

#[test]
fn a_baseline_that_no_longer_fits_is_flagged_stale() {
    let upright = common::load(&common::sample("astronaut.png"));
    // The same person much nearer the camera (or the camera moved): the
    // head looks 1.6 times as big.
    let near = image::imageops::resize(
        &image::imageops::crop_imm(&upright, 62, 0, 320, 320).to_image(),
        512,
        512,
        image::imageops::FilterType::Triangle,
    );
    let mut e = engine(1000.0);
    e.start_calibration(0.0);
    let mut t = 0.0;
    while t <= 5.5 {
        e.process(&frame(&upright, t, 0));
        t += 0.5;
    }
    assert!(e.baseline().is_some(), "{:?}", e.calibration());
    assert!(!e.baseline_stale());
    let start = t;
    while t < start + 19.0 {
        e.process(&frame(&near, t, 0));
        t += 0.5;
    }
    assert!(!e.baseline_stale(), "not before 20 s");
    while t < start + 21.0 {
        e.process(&frame(&near, t, 0));
        t += 0.5;
    }
    assert!(
        e.baseline_stale(),
        "stale after 20 s of a different picture"
    );
    // Back as calibrated for 5 s: the notice goes.
    let back = t;
    while t < back + 5.5 {
        e.process(&frame(&upright, t, 0));
        t += 0.5;
    }
    assert!(!e.baseline_stale());
}

#[test]
fn a_video_file_drives_the_live_pipeline_at_its_own_timing() {
    if !common::video::have_ffmpeg() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let clip = common::video::make_clip(
        dir.path(),
        "desk.mp4",
        &[("astronaut.png", 15), ("camera.png", 15)],
        10,
        &[],
    );
    let db = dir.path().join("s.sqlite3");
    let bin = env!("CARGO_BIN_EXE_posturecam");
    let start = Instant::now();
    let out = Command::new(bin)
        .args(["live", "--no-window", "--source"])
        .arg(&clip)
        .arg("--db")
        .arg(&db)
        .output()
        .unwrap();
    let took = start.elapsed();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    // 30 frames at 10 fps play for about 3 s, not as fast as they decode.
    assert!(took >= Duration::from_millis(2800), "{took:?}");
    let store = Store::open(&db).unwrap();
    let row = &store.sessions().unwrap()[0];
    assert!(
        row.ended_at.is_some(),
        "the session closed at the clip's end"
    );
    assert!(row.duration_s >= 2.5, "{row:?}");
}
