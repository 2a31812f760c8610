//! The real window under a virtual X display (Xvfb): it opens, draws the
//! frames with the skeleton, saves a screenshot and exits 0. Skips when
//! Xvfb is not installed (scripts/setup.sh installs it).

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
    // Wait for its socket.
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

#[test]
fn the_live_window_renders_and_saves_a_screenshot_under_xvfb() {
    let display = format!(":{}", 90 + std::process::id() % 100);
    let Some(_x) = xvfb(&display) else {
        eprintln!("SKIPPED: Xvfb is not available (run scripts/setup.sh)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let shot = dir.path().join("window.png");
    let out = Command::new(env!("CARGO_BIN_EXE_posturecam"))
        .args([
            "live",
            "--no-save",
            "--loop",
            "--fps",
            "10",
            "--exit-after-frames",
            "6",
            "--source",
        ])
        .arg(common::repo().join("sample_frames"))
        .arg("--screenshot")
        .arg(&shot)
        .env("DISPLAY", &display)
        .env_remove("WAYLAND_DISPLAY")
        .env("LIBGL_ALWAYS_SOFTWARE", "1")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let img = image::open(&shot).unwrap().to_rgb8();
    assert!(
        img.width() >= 800 && img.height() >= 500,
        "{:?}",
        img.dimensions()
    );
    // Not blank: many distinct colours (the photo, the panels, the skeleton).
    let mut colours: Vec<[u8; 3]> = img.pixels().step_by(97).map(|p| p.0).collect();
    colours.sort();
    colours.dedup();
    assert!(
        colours.len() > 200,
        "only {} colours: a blank window?",
        colours.len()
    );
}
