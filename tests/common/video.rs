//! Clips made at test time with the `ffmpeg` program from the sample
//! photos, so that no video is committed.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Whether ffmpeg and ffprobe can be run; prints why a test skips if not.
pub fn have_ffmpeg() -> bool {
    let ok = ["ffmpeg", "ffprobe"].iter().all(|t| {
        Command::new(t)
            .arg("-version")
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false)
    });
    if !ok {
        eprintln!("skipping: ffmpeg/ffprobe not installed (scripts/setup.sh installs them)");
    }
    ok
}

/// Encodes `runs` of (sample photo, frame count) at `fps` into `dir/name`
/// with H.264 and the extra output arguments given.
pub fn make_clip(
    dir: &Path,
    name: &str,
    runs: &[(&str, usize)],
    fps: u32,
    extra: &[&str],
) -> PathBuf {
    let frames = dir.join(format!("{name}.frames"));
    std::fs::create_dir_all(&frames).unwrap();
    let mut i = 0;
    for (photo, n) in runs {
        let img = image::open(super::sample(photo)).unwrap().to_rgb8();
        for _ in 0..*n {
            img.save(frames.join(format!("{i:04}.png"))).unwrap();
            i += 1;
        }
    }
    let out = dir.join(name);
    let status = Command::new("ffmpeg")
        .args(["-nostdin", "-loglevel", "error", "-y", "-framerate"])
        .arg(fps.to_string())
        .arg("-i")
        .arg(frames.join("%04d.png"))
        .args([
            "-c:v", "libx264", "-pix_fmt", "yuv420p", "-g", "5", "-bf", "0",
        ])
        .args(extra)
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success(), "ffmpeg could not make {name}");
    out
}
