//! Pixel snapshots of the live window in each of its states, rendered by
//! egui_kittest through wgpu on Mesa's software Vulkan (llvmpipe; no display
//! needed). The window is the real layout ([`LiveApp::show`]) over a fixed
//! view model: a synthetic frame with a stick figure of known angles, so
//! every pixel is deterministic (no model, no threads, no clock).
//!
//! The PNGs live in tests/snapshots/. After an intended change to the look,
//! regenerate them with `UPDATE_SNAPSHOTS=1 cargo test --test ui_snapshots`
//! and review the diff images before committing.

#[path = "common/poses.rs"]
mod poses;

use std::collections::BTreeMap;
use std::sync::Arc;

use egui_kittest::kittest::Queryable;
use egui_kittest::{Harness, SnapshotOptions};
use image::{Rgb, RgbImage};
use poses::Side;
use posturecam::assess::{Assessor, Severity};
use posturecam::coach::{AlertEvent, Banner, SessionSummary};
use posturecam::live::{Calibration, LiveView};
use posturecam::pose::Pose;
use posturecam::session::store::{DayTrend, SessionRow};
use posturecam::ui::app::{AppOptions, LiveApp, Tab};

/// The window size of the snapshots (points = pixels at scale 1).
const SIZE: [f32; 2] = [800.0, 600.0];

/// How different a snapshot may be. llvmpipe renders bit-identically run to
/// run on one machine; the allowance is for other Mesa versions, which can
/// round anti-aliased text edges differently: a per-pixel YIQ distance of
/// 1.0 (kittest's default is 0.6) on at most 200 pixels (0.04 % of the
/// 480 000). A real change is far larger: the alert banner turning amber
/// alone changes ~27 500 pixels, see
/// `a_changed_banner_colour_fails_the_snapshot`.
fn options() -> SnapshotOptions {
    SnapshotOptions::new().threshold(1.0).max_failed_pixels(200)
}

/// A plain room: a vertical grey-blue gradient with a darker desk band.
fn frame() -> Arc<RgbImage> {
    Arc::new(RgbImage::from_fn(800, 700, |_, y| {
        if y > 560 {
            Rgb([92, 74, 60])
        } else {
            let v = 150 - (y / 8) as u8;
            Rgb([v, v + 10, v + 25])
        }
    }))
}

/// A sitting person seen from the side with `trunk` and `neck` forward
/// lean (degrees), assessed with the default thresholds.
fn person(view: &mut LiveView, trunk: f32, neck: f32) {
    let side = Side {
        trunk,
        neck,
        ..Side::sitting(1.0)
    };
    let keypoints = side.keypoints();
    let a = Assessor::default().assess(&keypoints);
    view.state = a.sitting.class.as_str();
    view.assessment = Some(a);
    view.pose = Some(Pose {
        score: 0.9,
        keypoints,
    });
}

fn base() -> LiveView {
    let mut v = LiveView {
        frame: Some(frame()),
        frames: 420,
        frame_index: 420,
        fps: 14.8,
        inference_ms: 23.4,
        source: "sample_frames".into(),
        has_baseline: true,
        banner: Banner::Good,
        ..LiveView::default()
    };
    person(&mut v, 5.0, 5.0);
    v
}

fn good() -> LiveView {
    base()
}

fn calibrating() -> LiveView {
    LiveView {
        has_baseline: false,
        calibration: Calibration::Recording {
            until: 5.0,
            frames: 30,
            usable: 30,
        },
        ..base()
    }
}

/// Slouched (trunk 25°, neck 40° forward) past the onset: the alert, with
/// the assessment's own most severe cue.
fn slouch_alert(banner_colour_amber: bool) -> LiveView {
    let mut v = base();
    person(&mut v, 25.0, 40.0);
    let f = v
        .assessment
        .as_ref()
        .and_then(|a| {
            a.sitting
                .findings
                .iter()
                .find(|f| f.severity == Severity::Correct)
        })
        .expect("a slouch this deep has a finding to correct")
        .clone();
    v.banner = if banner_colour_amber {
        Banner::Drifting {
            code: f.code.clone(),
            message: f.message.clone(),
            since: 10.0,
        }
    } else {
        Banner::Alert {
            code: f.code.clone(),
            message: f.message.clone(),
            since: 10.0,
        }
    };
    v.alerts = 1;
    v.last_alert = Some(AlertEvent {
        t: 20.0,
        code: f.code,
        message: f.message,
    });
    v
}

fn away() -> LiveView {
    LiveView {
        pose: None,
        assessment: None,
        state: "away",
        banner: Banner::Away,
        ..base()
    }
}

fn paused() -> LiveView {
    LiveView {
        frame: None,
        pose: None,
        assessment: None,
        state: "paused",
        paused: true,
        banner: Banner::Paused,
        fps: 0.0,
        ..base()
    }
}

/// Ten minutes: good, a slouch from 4 to 7 min, good again.
fn summary() -> SessionSummary {
    let timeline: Vec<(f64, f64)> = (0..600)
        .map(|s| {
            let t = f64::from(s);
            let score = if (240..420).contains(&s) { 45.0 } else { 88.0 };
            // A gentle deterministic wobble, as real scores have.
            (t, score + 4.0 * (t / 17.0).sin())
        })
        .collect();
    let seconds: BTreeMap<String, f64> = [("upright", 390.0), ("slouched", 180.0), ("away", 30.0)]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    SessionSummary {
        seconds,
        scored_s: 570.0,
        alerts: 1,
        longest_good_streak_s: 240.0,
        timeline,
        worst_periods: vec![(300.0, 360.0, 42.5)],
    }
}

fn history() -> (Vec<DayTrend>, Vec<SessionRow>) {
    let shares = [0.55, 0.62, 0.7, 0.66, 0.74, 0.81, 0.78];
    let trend = shares
        .iter()
        .enumerate()
        .map(|(i, s)| DayTrend {
            day: format!("2026-03-{:02}", 10 + i),
            tracked_s: 3600.0,
            upright_share: Some(*s),
            alerts: 3,
        })
        .collect();
    // 2026-03-16 09:00 UTC and the two days before.
    let sessions = (0..3)
        .map(|i| SessionRow {
            id: 12 - i,
            started_at: 1_773_651_600.0 - 86_400.0 * i as f64,
            ended_at: Some(1_773_651_600.0 - 86_400.0 * i as f64 + 2_700.0),
            duration_s: 2_700.0,
            profile: Some("default".into()),
            source: "camera 0".into(),
            samples: 2_700,
            upright_share: Some(shares[6 - i as usize]),
            alerts: 2,
        })
        .collect();
    (trend, sessions)
}

fn harness(app: LiveApp) -> Harness<'static, LiveApp> {
    let mut h = Harness::builder()
        .with_size(SIZE)
        .with_options(options())
        .build_ui_state(|ui, app: &mut LiveApp| app.show(ui), app);
    h.run();
    h
}

fn window(view: LiveView, tab: Tab) -> Harness<'static, LiveApp> {
    let mut app = LiveApp::with_view(view, AppOptions::default());
    app.tab = tab;
    harness(app)
}

#[test]
fn calibrating_baseline() {
    window(calibrating(), Tab::Live).snapshot("calibrating");
}

#[test]
fn good_posture() {
    window(good(), Tab::Live).snapshot("good_posture");
}

#[test]
fn slouch_alert_banner() {
    window(slouch_alert(false), Tab::Live).snapshot("slouch_alert");
}

#[test]
fn away_no_person() {
    window(away(), Tab::Live).snapshot("away");
}

#[test]
fn paused_camera_released() {
    window(paused(), Tab::Live).snapshot("paused");
}

#[test]
fn summary_tab_with_the_score_plot() {
    let view = LiveView {
        summary: Arc::new(summary()),
        ..good()
    };
    window(view, Tab::Summary).snapshot("summary");
}

#[test]
fn history_tab() {
    let mut app = LiveApp::with_view(good(), AppOptions::default());
    let (trend, sessions) = history();
    app.show_history(trend, sessions);
    harness(app).snapshot("history");
}

/// The "On alerts" switches set what --notify and --sound set. (Only
/// Notify is clicked: switching the chime on would open the audio device.)
#[test]
fn the_notify_switch_turns_notifications_on_and_off() {
    let mut h = window(good(), Tab::Live);
    assert!(!h.state().options().notify);
    h.get_by_label("Notify").click();
    h.run();
    assert!(h.state().options().notify);
    assert!(!h.state().options().sound);
    h.get_by_label("Notify").click();
    h.run();
    assert!(!h.state().options().notify);
}

/// The tolerance must not hide a real change: the alert rendered with the
/// amber (drifting) banner instead of the red one, same text, must fail
/// against the alert snapshot. Compared in a temporary folder, so nothing
/// in tests/snapshots is written.
#[test]
fn a_changed_banner_colour_fails_the_snapshot() {
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        eprintln!("SKIPPED while updating snapshots");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let stored =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/slouch_alert.png");
    std::fs::copy(&stored, dir.path().join("slouch_alert.png")).unwrap();
    let mut h = window(slouch_alert(true), Tab::Live);
    let amber = h.render().unwrap();
    let result = egui_kittest::try_image_snapshot_options(
        &amber,
        "slouch_alert",
        &options().output_path(dir.path()),
    );
    let err = result.expect_err("an amber banner passed as the red alert");
    eprintln!("as expected: {err}");
}
