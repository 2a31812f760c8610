//! `posturecam review` as a user runs it: the real window under a virtual
//! X display (Xvfb) analyses the shipped carphone clip, draws, saves a
//! screenshot and exits 0; bad inputs are clear errors with exit status 1
//! before any window opens. The window test skips when Xvfb is missing
//! (scripts/setup.sh installs it).

mod common;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Xvfb(Child);

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn xvfb(display: &str) -> Option<Xvfb> {
    let child = Command::new("Xvfb")
        .args([display, "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let guard = Xvfb(child);
    let socket = format!("/tmp/.X11-unix/X{}", display.trim_start_matches(':'));
    let start = Instant::now();
    while !std::path::Path::new(&socket).exists() {
        if start.elapsed() > Duration::from_secs(10) {
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Some(guard)
}

fn review(args: &[&std::ffi::OsStr]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_posturecam"));
    c.arg("review").args(args);
    c
}

#[test]
fn the_review_window_renders_the_carphone_clip_and_saves_a_screenshot_under_xvfb() {
    // Other display numbers than the live window test's (90..189).
    let display = format!(":{}", 200 + std::process::id() % 100);
    let Some(_x) = xvfb(&display) else {
        eprintln!("SKIPPED: Xvfb is not available (run scripts/setup.sh)");
        return;
    };
    if !common::video::have_ffmpeg() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let shot = dir.path().join("review.png");
    let clip = common::sample("carphone.mp4");
    let out = review(&[
        clip.as_os_str(),
        "--play".as_ref(),
        "--exit-after-frames".as_ref(),
        "8".as_ref(),
        "--screenshot".as_ref(),
        shot.as_os_str(),
    ])
    .env("DISPLAY", &display)
    .env_remove("WAYLAND_DISPLAY")
    .env("LIBGL_ALWAYS_SOFTWARE", "1")
    .output()
    .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let img = image::open(&shot).unwrap().to_rgb8();
    assert_eq!(img.dimensions(), (1280, 800));
    // Not blank: many distinct colours (the frame, the panels, the plot).
    let mut colours: Vec<[u8; 3]> = img.pixels().step_by(97).map(|p| p.0).collect();
    colours.sort();
    colours.dedup();
    assert!(
        colours.len() > 200,
        "only {} colours: a blank window?",
        colours.len()
    );
}

#[test]
fn a_missing_file_or_a_non_video_is_a_clear_error_and_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.mp4");
    let out = review(&[missing.as_os_str()]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("nope.mp4: no such file"), "{err}");
    assert!(!err.contains("panicked"), "{err}");

    if !common::video::have_ffmpeg() {
        return;
    }
    let text = dir.path().join("notes.mp4");
    std::fs::write(&text, "not a video at all").unwrap();
    let good = common::sample("carphone.mp4");
    // The second clip is checked too.
    let out = review(&[good.as_os_str(), text.as_os_str()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("notes.mp4: not a readable video"), "{err}");
}

#[test]
fn without_ffmpeg_review_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let out = review(&[common::sample("carphone.mp4").as_os_str()])
        .env("POSTURECAM_FFMPEG_DIR", dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.to_lowercase().contains("ffmpeg"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}
