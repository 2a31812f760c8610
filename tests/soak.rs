//! The soak test: an hour of live session at 30 fps (108 000 frames),
//! accelerated, through the live engine and its database, reporting the
//! resident memory as it goes and the database at the end.
//!
//! ```sh
//! cargo test --release --test soak -- --ignored --nocapture
//! POSTURECAM_SOAK_HOURS=8 cargo test --release --test soak -- --ignored --nocapture
//! ```
//!
//! Running the model on 108 000 frames would take half an hour, so the poses
//! are the real model's on the sample photos (a person sitting upright,
//! one bent forward), estimated once through the engine and then replayed
//! with advancing timestamps by [`LiveEngine::process_pose`]: everything
//! after the model runs for each frame (assessment, alerts, the session
//! summary, the per-second samples and their writes). A short real run of
//! the threaded pipeline on the sample frames comes first.

mod common;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use posturecam::assess::Assessor;
use posturecam::capture::{FolderSource, Frame, FrameSource};
use posturecam::coach::AlertConfig;
use posturecam::live::{self, LiveEngine};
use posturecam::pose::{ModelSpec, Pose, PoseModel};
use posturecam::session::store::Store;

const FPS: f64 = 30.0;
/// Resident memory may grow by at most this much (MiB) from the 10th
/// minute of session time to the end of the run. What it stands for: the
/// per-second score timeline of the summary (tens of bytes a second) and
/// allocator slack; a per-frame leak of even 100 bytes would exceed it
/// within the hour (108 000 frames × 100 B = 10 MiB).
const MAX_GROWTH_MIB_PER_HOUR: f64 = 4.0;

/// Resident set size of this process, MiB (Linux: /proc/self/status).
fn rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

fn db_mib(db: &Path) -> f64 {
    ["", "-wal", "-shm"]
        .iter()
        .filter_map(|s| std::fs::metadata(format!("{}{s}", db.display())).ok())
        .map(|m| m.len() as f64)
        .sum::<f64>()
        / (1024.0 * 1024.0)
}

fn engine() -> LiveEngine {
    let model = PoseModel::load(&ModelSpec::Lightning).unwrap();
    LiveEngine::new(model, Assessor::default(), AlertConfig::default(), "soak").unwrap()
}

/// The model's pose of a photo, settled through the engine's tracker.
fn pose_of(e: &mut LiveEngine, name: &str, t0: f64) -> Pose {
    let image = common::load(&common::sample(name));
    let mut pose = None;
    for i in 0..10 {
        let r = e.process(&Frame {
            image: image.clone(),
            t: t0 + i as f64 / FPS,
            index: i,
            label: name.into(),
        });
        pose = r.pose;
    }
    pose.unwrap_or_else(|| panic!("no person found in {name}"))
}

#[test]
#[ignore = "soak: minutes; run with --ignored --nocapture"]
fn an_hour_of_frames_keeps_memory_and_storage_bounded() {
    let hours: f64 = std::env::var("POSTURECAM_SOAK_HOURS")
        .ok()
        .and_then(|h| h.parse().ok())
        .filter(|h: &f64| *h >= 0.25)
        .unwrap_or(1.0);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("soak.sqlite3");
    println!("soak: start, RSS {:.1} MiB", rss_mib());

    // A short real run: the threaded pipeline, the model on every frame.
    let mut e = engine();
    e.attach_store(Store::open(&db).unwrap(), "sample_frames")
        .unwrap();
    let frames = common::repo().join("sample_frames");
    let open: live::SourceOpener = Box::new(move || {
        FolderSource::open(&frames, FPS, true).map(|s| Box::new(s) as Box<dyn FrameSource>)
    });
    let handle = live::start(open, e, Arc::new(|| {}));
    std::thread::sleep(Duration::from_secs(10));
    let v = handle.view();
    handle.stop();
    assert!(v.frames > 0 && v.notice.is_none(), "{v:?}");
    println!(
        "soak: real pipeline, 10 s: {} frames analysed, {:.1} ms inference; RSS {:.1} MiB",
        v.frames,
        v.inference_ms,
        rss_mib()
    );

    // The accelerated session.
    let mut e = engine();
    let upright = pose_of(&mut e, "astronaut.png", 0.0);
    let slouched = pose_of(&mut e, "camera.png", 1.0);
    let mut e = engine();
    e.attach_store(Store::open(&db).unwrap(), "soak replay")
        .unwrap();
    let id = e.session_id().unwrap();
    // Each ten minutes: 6 upright, 3 slouched (one alert after the 10 s
    // onset), 1 away.
    let posture = |t: f64| match (t % 600.0) as u32 {
        0..360 => Some(upright),
        360..540 => Some(slouched),
        _ => None,
    };
    let total = (hours * 3600.0 * FPS).round() as u64;
    let started = Instant::now();
    let mut rss = Vec::new(); // (minute, MiB)
    let mut last_summary = 0.0;
    let mut summary = Arc::new(e.summary(0.0));
    for i in 0..total {
        let t = i as f64 / FPS;
        let r = e.process_pose(t, posture(t));
        assert!(r.error.is_none());
        // As the live thread does: a fresh summary for the view each second.
        if t - last_summary >= 1.0 {
            last_summary = t;
            summary = Arc::new(e.summary(t));
        }
        if i % (600 * FPS as u64) == 0 && i > 0 {
            let m = rss_mib();
            rss.push((t / 60.0, m));
            println!(
                "soak: {:>4.0} min of session: RSS {m:.1} MiB, timeline {} s, DB {:.2} MiB, store error {:?}",
                t / 60.0,
                summary.timeline.len(),
                db_mib(&db),
                e.store_error()
            );
        }
    }
    let end_t = total as f64 / FPS;
    e.finish();
    let end_rss = rss_mib();
    let summary = e.summary(end_t);
    drop(e);
    let store = Store::open(&db).unwrap();
    let row = store.session(id).unwrap().unwrap();
    println!(
        "soak: {total} frames ({:.1} h of session) in {:.1} s; end RSS {end_rss:.1} MiB; DB {:.2} MiB: {} samples, {} alerts",
        end_t / 3600.0,
        started.elapsed().as_secs_f64(),
        db_mib(&db),
        row.samples,
        row.alerts
    );

    // Storage: one sample a second, every alert, the session closed.
    let seconds = end_t.round() as u64;
    assert!(
        row.samples.abs_diff(seconds) <= 1,
        "{} samples for {seconds} s",
        row.samples
    );
    assert_eq!(row.alerts, u64::from(summary.alerts));
    assert_eq!(
        row.alerts,
        (end_t / 600.0).floor() as u64,
        "one alert per slouch"
    );
    assert!(row.ended_at.is_some());
    // A second's sample is some 100 bytes with its index: the database
    // grows linearly, by well under a MiB an hour.
    assert!(db_mib(&db) < hours, "{:.2} MiB", db_mib(&db));
    // The summary keeps per-second scores only for scored seconds (upright
    // and slouched: 9 of each 10 minutes).
    assert!(summary.timeline.len() as f64 <= end_t * 0.9 + 1.0);
    // Memory: bounded growth after the first ten minutes.
    let (_, at10) = rss[0];
    let growth = end_rss - at10;
    println!("soak: RSS growth from minute 10 to the end: {growth:.2} MiB");
    assert!(
        growth < MAX_GROWTH_MIB_PER_HOUR * hours,
        "RSS grew {growth:.1} MiB: {rss:?}"
    );
}

/// The soak's replay path on a short run, in every `cargo test`: the
/// replayed poses are judged and stored as live frames are.
#[test]
fn replayed_poses_are_judged_and_stored_like_live_frames() {
    let mut e = engine();
    let upright = pose_of(&mut e, "astronaut.png", 0.0);
    let slouched = pose_of(&mut e, "camera.png", 1.0);
    let mut e = engine();
    e.attach_store(Store::open_in_memory().unwrap(), "replay")
        .unwrap();
    let mut states = Vec::new();
    // 60 s upright, then 60 s slouched: one alert after the 10 s onset.
    for i in 0..(120.0 * FPS) as u64 {
        let t = i as f64 / FPS;
        let pose = if t < 60.0 { upright } else { slouched };
        let r = e.process_pose(t, Some(pose));
        states.push(r.state);
        if let Some(a) = r.alert {
            assert!((70.0..70.5).contains(&a.t), "alert at {}", a.t);
        }
    }
    assert_eq!(states[0], "upright");
    assert_eq!(states[states.len() - 1], "slouched");
    assert_eq!(e.alerts().alert_count(), 1);
    // A time that is not a number is not recorded.
    assert_eq!(e.process_pose(f64::NAN, None).state, "away");
    let s = e.summary(120.0);
    assert!((s.seconds["upright"] - 60.0).abs() < 0.05, "{s:?}");
    assert!((s.seconds["slouched"] - 60.0).abs() < 0.05, "{s:?}");
    assert_eq!(s.timeline.len(), 120);
}
