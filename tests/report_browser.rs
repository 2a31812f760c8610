//! The HTML report in a real browser: a report built through the library
//! (synthetic repetitions and angles, real photos as key frames annotated
//! with the poses MoveNet finds in them) is opened in headless Chromium,
//! which saves a screenshot; the screenshot must show the page's parts.
//!
//! Skipped, with a message, when Chromium is not installed
//! (`scripts/setup.sh` installs Debian's `chromium`). Set
//! `POSTURECAM_CHROMIUM` to use another binary, and
//! `POSTURECAM_REPORT_SCREENSHOT=path.png` to keep the screenshot (that is
//! how docs/report-example.png is made).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use image::RgbImage;
use posturecam::assess::reps::{Grade, Repetition};
use posturecam::assess::status::SegmentStatus;
use posturecam::assess::{AssessConfig, Assessor, LiftStyle};
use posturecam::pose::{EstimatorConfig, ModelSpec, MoveNet, PoseEstimator, PoseModel};
use posturecam::report::{annotate_frame, render_html, ClipReport, KeyFrame, SeriesPoint};

const WIDTH: u32 = 1200;
const HEIGHT: u32 = 2000;

fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("POSTURECAM_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

/// A photo from sample_frames with the pose MoveNet finds drawn on it.
fn annotated(est: &mut MoveNet, name: &str, caption: &str) -> RgbImage {
    let mut img = common::load(&common::sample(name));
    let e = est.estimate(&img).unwrap();
    let pose = e.person().unwrap_or_else(|| panic!("{name}: no person"));
    let cfg = AssessConfig::default();
    let a = Assessor::default().assess(&pose.keypoints);
    annotate_frame(&mut img, &pose.keypoints, Some(&a), &cfg, caption);
    img
}

/// Two lifts over 8 s at 10 samples a second: trunk and knees bend and
/// straighten; no person between 5.0 and 5.5 s.
fn series() -> Vec<SeriesPoint> {
    (0..=80)
        .map(|i| {
            let t = f64::from(i) / 10.0;
            let bend = |c: f64, w: f64| (1.0 - ((t - c) / w).powi(2)).max(0.0);
            let b = bend(2.0, 1.2) + bend(6.5, 1.3);
            let seen = !(5.0..5.5).contains(&t);
            SeriesPoint {
                t_s: t,
                trunk_flexion_deg: seen.then_some((8.0 + 62.0 * b) as f32),
                knee_flexion_deg: seen.then_some((5.0 + 30.0 * b) as f32),
                reba: seen.then_some((2.0 + 9.0 * b).round() as u8),
            }
        })
        .collect()
}

fn rep(
    start: f64,
    bottom: f64,
    end: f64,
    trunk: f32,
    knee: f32,
    grade: Grade,
    cue: &str,
) -> Repetition {
    Repetition {
        start_s: start,
        bottom_s: bottom,
        end_s: end,
        duration_s: end - start,
        start_frame: (start * 30.0) as usize,
        bottom_frame: (bottom * 30.0) as usize,
        end_frame: (end * 30.0) as usize,
        worst_frame: (bottom * 30.0) as usize,
        peak_trunk_flexion_deg: Some(trunk),
        knee_flexion_at_bottom_deg: Some(knee),
        style: LiftStyle::Stoop,
        reba_max: Some(if grade == Grade::Poor { 11 } else { 8 }),
        asymmetry_deg: None,
        partial: false,
        grade,
        cue: cue.into(),
    }
}

fn sample_report(est: &mut MoveNet) -> String {
    let lift = ClipReport {
        source: "warehouse/box_lift_Größe.mp4".into(),
        duration_s: 8.0,
        frames: 240,
        series: series(),
        reps: vec![
            rep(
                0.8,
                2.0,
                3.2,
                70.0,
                35.0,
                Grade::Fair,
                "bend your knees more: your back angle peaked at 70°",
            ),
            rep(
                5.2,
                6.5,
                7.8,
                71.0,
                36.0,
                Grade::Poor,
                "bend your knees more: your back angle peaked at 71°",
            ),
        ],
        key_frames: vec![
            KeyFrame {
                rep: Some(1),
                label: "start".into(),
                t_s: 5.2,
                image: annotated(est, "camera.png", "start"),
            },
            KeyFrame {
                rep: Some(1),
                label: "worst".into(),
                t_s: 6.5,
                image: annotated(est, "astronaut.png", "worst"),
            },
        ],
        warnings: vec!["No person was found in 5 frames (5.0–5.5 s).".into()],
        error: None,
    };
    let nothing = ClipReport {
        source: r#"<script>alert(1)</script>&"'.mp4"#.into(),
        duration_s: 3.0,
        frames: 90,
        series: (0..=30)
            .map(|i| SeriesPoint {
                t_s: f64::from(i) / 10.0,
                trunk_flexion_deg: Some(4.0),
                knee_flexion_deg: Some(3.0),
                reba: Some(2),
            })
            .collect(),
        ..ClipReport::default()
    };
    render_html(
        &[lift, nothing],
        &AssessConfig::default(),
        "2024-05-01 10:00 UTC",
    )
}

/// Runs `cmd`, killing it after `limit`.
fn run_with_timeout(cmd: &mut Command, limit: Duration) -> std::process::ExitStatus {
    let mut child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("chromium starts");
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium took longer than {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Runs headless Chromium on `html` with `extra` arguments (what to save).
fn chromium_on(browser: &Path, html: &Path, profile: &Path, extra: &[String]) {
    let status = run_with_timeout(
        Command::new(browser)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .args(extra)
            .arg(format!("file://{}", html.display())),
        Duration::from_secs(60),
    );
    assert!(status.success(), "chromium failed: {status}");
}

/// Pixels within 24 of `rgb` on every channel.
fn count_near(img: &RgbImage, rgb: [u8; 3]) -> usize {
    img.pixels()
        .filter(|p| p.0.iter().zip(rgb).all(|(&a, b)| a.abs_diff(b) <= 24))
        .count()
}

#[test]
fn chromium_renders_the_report() {
    let Some(browser) = chromium() else {
        eprintln!("SKIPPED: chromium is not installed (scripts/setup.sh installs it)");
        return;
    };
    let mut est = MoveNet::new(
        PoseModel::load(&ModelSpec::Lightning).unwrap(),
        EstimatorConfig::default(),
    )
    .unwrap();
    let html = sample_report(&mut est);
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("report.html");
    std::fs::write(&page, &html).unwrap();
    let shot = dir.path().join("report.png");
    let started = Instant::now();
    let profile = dir.path().join("profile");
    chromium_on(
        &browser,
        &page,
        &profile,
        &[
            format!("--screenshot={}", shot.display()),
            format!("--window-size={WIDTH},{HEIGHT}"),
        ],
    );
    eprintln!(
        "chromium screenshot in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let img = image::open(&shot).unwrap().to_rgb8();
    assert_eq!(img.dimensions(), (WIDTH, HEIGHT));
    let total = (WIDTH * HEIGHT) as usize;
    let white = count_near(&img, [255, 255, 255]);
    assert!(
        white < total * 95 / 100,
        "the page is nearly blank: {white} of {total} white"
    );
    assert!(
        white > total / 3,
        "the page is not mostly white: {white} of {total}"
    );
    // The page's parts are on screen: the plot's trunk line (#1f4e9c) and
    // repetition shading (#dce6f3), the worst repetition's row and span
    // (#fdecea, #f6d3cf), and the key frames' skeleton colours.
    for (what, rgb, min) in [
        ("trunk line", [0x1f, 0x4e, 0x9c], 300),
        ("repetition shading", [0xdc, 0xe6, 0xf3], 5_000),
        ("worst repetition", [0xf6, 0xd3, 0xcf], 5_000),
        ("good segments", SegmentStatus::Good.rgb(), 200),
    ] {
        let n = count_near(&img, rgb);
        assert!(n >= min, "{what}: {n} pixels, expected {min} or more");
    }
    // Printed, it is A4 (595 × 842 pt; the page's @page rule), a few
    // pages: the second clip starts a new page.
    let pdf = dir.path().join("report.pdf");
    chromium_on(
        &browser,
        &page,
        &profile,
        &[
            "--no-pdf-header-footer".into(),
            format!("--print-to-pdf={}", pdf.display()),
        ],
    );
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF"));
    let text = String::from_utf8_lossy(&bytes);
    let pages = text.matches("/MediaBox").count();
    assert!((3..=8).contains(&pages), "{pages} pages");
    for m in text.match_indices("/MediaBox [0 0 ") {
        let dims: Vec<f64> = text[m.0 + 15..]
            .split(']')
            .next()
            .unwrap()
            .split_whitespace()
            .map(|v| v.parse().unwrap())
            .collect();
        assert!(
            (dims[0] - 595.0).abs() < 2.0 && (dims[1] - 842.0).abs() < 2.0,
            "not A4: {dims:?}"
        );
    }
    if let Some(keep) = std::env::var_os("POSTURECAM_REPORT_SCREENSHOT") {
        std::fs::copy(&shot, &keep).unwrap();
        let keep_html = Path::new(&keep).with_extension("html");
        std::fs::write(&keep_html, &html).unwrap();
        eprintln!(
            "kept {} and {}",
            Path::new(&keep).display(),
            keep_html.display()
        );
    }
}
