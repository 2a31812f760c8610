//! Frame sources for the live pipeline: anything that yields timed RGB
//! frames, one after another.

use std::path::{Path, PathBuf};

use image::RgbImage;

use super::image_file::load_rgb;
use super::inputs::collect_inputs;

/// One frame and when it was seen, in seconds from the source's start.
#[derive(Clone, Debug)]
pub struct Frame {
    pub image: RgbImage,
    pub t: f64,
    pub index: u64,
    /// Where it came from (a file name, "camera 0").
    pub label: String,
}

#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("{0}: nothing to play (no readable image files)")]
    Empty(String),
    #[error("no camera found; connect one, or run with --source PATH (a folder of images)")]
    NoCamera,
    #[error("camera {index} cannot be opened ({reason}); it may be in use by another program. Or run with --source PATH")]
    CameraUnavailable { index: u32, reason: String },
    #[error("the camera stopped delivering frames ({0}); it may have been unplugged")]
    Disconnected(String),
    #[error("{0}")]
    Other(String),
}

/// Yields frames until it ends (`Ok(None)`) or fails.
pub trait FrameSource {
    fn next_frame(&mut self) -> Result<Option<Frame>, SourceError>;
    /// What it is, for messages ("folder sample_frames", "camera 0").
    fn describe(&self) -> String;
    /// The rate it plays at, when it sets one (files do; a camera delivers
    /// at its own pace).
    fn fps(&self) -> Option<f64>;
}

/// Says on stderr that `path` was skipped, once per path and reason for the
/// whole process: the live pipeline opens its source again after an error,
/// and must not repeat the same warning every time.
fn warn_once(path: &Path, why: &str) {
    use std::collections::BTreeSet;
    use std::sync::Mutex;
    static WARNED: Mutex<BTreeSet<(PathBuf, String)>> = Mutex::new(BTreeSet::new());
    let first = WARNED
        .lock()
        .map(|mut w| w.insert((path.to_path_buf(), why.to_string())))
        .unwrap_or(true);
    if first {
        eprintln!("posturecam: skipped {}: {why}", path.display());
    }
}

/// Image files (one file, or a folder searched recursively in sorted
/// order) played as a video at a fixed rate, optionally looping. Files that
/// cannot be read, and entries that cannot be listed (a symlink loop), are
/// skipped, each reported once on stderr and listed in
/// [`FolderSource::skipped`].
pub struct FolderSource {
    name: String,
    files: Vec<PathBuf>,
    fps: f64,
    looping: bool,
    pos: usize,
    played: u64,
    good_this_pass: bool,
    skipped: Vec<(PathBuf, String)>,
}

impl FolderSource {
    pub fn open(path: &Path, fps: f64, looping: bool) -> Result<FolderSource, SourceError> {
        let name = path.display().to_string();
        let inputs = collect_inputs(&[path.to_path_buf()]);
        if let Some(e) = inputs
            .iter()
            .find_map(|i| i.error.clone())
            .filter(|_| inputs.len() == 1)
        {
            return Err(SourceError::Other(format!("{name}: {e}")));
        }
        // Entries that could not be listed (a symlink loop, a folder that
        // cannot be read) are skipped with a warning, not silently.
        let mut skipped = Vec::new();
        let mut files = Vec::new();
        for i in inputs {
            match i.error {
                Some(e) => {
                    warn_once(&i.path, &e);
                    skipped.push((i.path, e));
                }
                None if !super::video::is_video(&i.path) => files.push(i.path),
                None => {}
            }
        }
        if files.is_empty() {
            return Err(SourceError::Empty(name));
        }
        let fps = if fps.is_finite() && fps > 0.0 {
            fps
        } else {
            30.0
        };
        Ok(FolderSource {
            name,
            files,
            fps,
            looping,
            pos: 0,
            played: 0,
            good_this_pass: false,
            skipped,
        })
    }

    /// Files skipped as unreadable, with why.
    pub fn skipped(&self) -> &[(PathBuf, String)] {
        &self.skipped
    }
}

impl FrameSource for FolderSource {
    fn next_frame(&mut self) -> Result<Option<Frame>, SourceError> {
        loop {
            if self.pos == self.files.len() {
                if !self.looping {
                    return Ok(None);
                }
                if !self.good_this_pass {
                    return Err(SourceError::Empty(self.name.clone()));
                }
                self.pos = 0;
                self.good_this_pass = false;
            }
            let path = &self.files[self.pos];
            self.pos += 1;
            match load_rgb(path) {
                Ok(image) => {
                    self.good_this_pass = true;
                    let frame = Frame {
                        image,
                        t: self.played as f64 / self.fps,
                        index: self.played,
                        label: path.display().to_string(),
                    };
                    self.played += 1;
                    return Ok(Some(frame));
                }
                Err(e) => {
                    if !self.skipped.iter().any(|(p, _)| p == path) {
                        warn_once(path, &e.to_string());
                        self.skipped.push((path.clone(), e.to_string()));
                    }
                }
            }
        }
    }

    fn describe(&self) -> String {
        format!(
            "{} ({} images at {} fps)",
            self.name,
            self.files.len(),
            self.fps
        )
    }

    fn fps(&self) -> Option<f64> {
        Some(self.fps)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_png(path: &Path, shade: u8) {
        RgbImage::from_pixel(8, 6, image::Rgb([shade, 0, 0]))
            .save(path)
            .unwrap();
    }

    #[test]
    fn plays_sorted_frames_at_its_rate_and_loops() {
        let dir = tempfile::tempdir().unwrap();
        write_png(&dir.path().join("b.png"), 2);
        write_png(&dir.path().join("a.png"), 1);
        std::fs::write(dir.path().join("c.png"), b"broken").unwrap();
        let mut s = FolderSource::open(dir.path(), 10.0, true).unwrap();
        let mut seen = Vec::new();
        for _ in 0..5 {
            let f = s.next_frame().unwrap().unwrap();
            seen.push((f.image.get_pixel(0, 0).0[0], f.t, f.index));
        }
        assert_eq!(
            seen,
            vec![
                (1, 0.0, 0),
                (2, 0.1, 1),
                (1, 0.2, 2),
                (2, 0.3, 3),
                (1, 0.4, 4)
            ]
        );
        assert_eq!(s.skipped().len(), 1);
        assert!(s.describe().contains("3 images at 10 fps"));
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_loop_is_skipped_with_its_reason_and_the_rest_plays() {
        let dir = tempfile::tempdir().unwrap();
        write_png(&dir.path().join("a.png"), 1);
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::os::unix::fs::symlink("..", dir.path().join("sub/up")).unwrap();
        std::os::unix::fs::symlink("me", dir.path().join("me")).unwrap();
        let mut s = FolderSource::open(dir.path(), 30.0, false).unwrap();
        assert_eq!(s.next_frame().unwrap().unwrap().image.get_pixel(0, 0)[0], 1);
        assert!(s.next_frame().unwrap().is_none());
        let reasons: Vec<&str> = s.skipped().iter().map(|(_, r)| r.as_str()).collect();
        assert_eq!(reasons.len(), 2, "{reasons:?}");
        assert!(reasons.iter().any(|r| r.contains("loop")), "{reasons:?}");
        assert!(
            reasons
                .iter()
                .any(|r| r.contains("Too many levels of symbolic links")),
            "{reasons:?}"
        );
    }

    #[test]
    fn ends_without_loop_and_fails_clearly_when_nothing_is_readable() {
        let dir = tempfile::tempdir().unwrap();
        write_png(&dir.path().join("a.png"), 1);
        let mut s = FolderSource::open(dir.path(), 30.0, false).unwrap();
        assert!(s.next_frame().unwrap().is_some());
        assert!(s.next_frame().unwrap().is_none());

        let bad = tempfile::tempdir().unwrap();
        std::fs::write(bad.path().join("x.jpg"), b"no").unwrap();
        let mut s = FolderSource::open(bad.path(), 30.0, true).unwrap();
        assert!(matches!(s.next_frame(), Err(SourceError::Empty(_))));
        assert!(matches!(
            FolderSource::open(Path::new("/no/such/dir"), 30.0, true),
            Err(SourceError::Other(_))
        ));
        let empty = tempfile::tempdir().unwrap();
        assert!(matches!(
            FolderSource::open(empty.path(), 30.0, true),
            Err(SourceError::Empty(_))
        ));
    }
}
