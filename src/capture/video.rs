//! Video files (MP4, MOV, MKV, AVI, WebM, …) decoded by the `ffmpeg`
//! program (Debian's `ffmpeg` package) in a child process.
//!
//! Why a child process and not bindings: a decoder fault on a hostile file
//! cannot take the application down, nothing has to be compiled against a
//! particular libav* version, and the binary the user already has decodes
//! H.264, H.265, VP9 and AV1. Why not the `ffmpeg-sidecar` crate: what we
//! need — each frame's real presentation time, which frames a decode error
//! damaged, the display size after rotation — it does not expose, and its
//! stream metadata is parsed from ffmpeg's human-readable log, in which the
//! file name appears. Here metadata comes from `ffprobe`'s JSON, frames are
//! raw RGB on stdout, and per-frame times come from the `showinfo` filter's
//! lines on stderr, matched to frames by their order.
//!
//! - Rotation metadata (phone clips) is honoured: ffmpeg rotates, and the
//!   frame size is the displayed one. Non-square pixels are resampled to
//!   square ones, so angles measured on frames are true angles.
//! - Timestamps are the stream's own (variable frame rate stays variable).
//! - A decode error marks the frames after it as damaged until the next key
//!   frame (at most [`DAMAGE_SPAN_S`] of video): they are skipped and the
//!   stretch is reported in [`VideoReader::warnings`]; the rest is decoded.
//! - Only local files are opened (ffmpeg's protocol whitelist is `file`);
//!   nothing goes through a shell.

use std::collections::VecDeque;
use std::ffi::OsString;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::sync::{Arc, Mutex};

use image::RgbImage;

use super::source::{Frame, FrameSource, SourceError};

/// File extensions treated as video.
pub const VIDEO_EXTENSIONS: &[&str] = &[
    "mp4", "m4v", "mov", "mkv", "webm", "avi", "wmv", "mpg", "mpeg", "ts", "mts", "m2ts", "3gp",
    "flv", "ogv",
];

/// After a decode error, frames are treated as damaged until the next key
/// frame, but for no longer than this (seconds of video).
pub const DAMAGE_SPAN_S: f64 = 1.0;

/// Whether `path` names a video file (by its extension).
pub fn is_video(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .map(|e| VIDEO_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
        .unwrap_or(false)
}

#[derive(Debug, thiserror::Error)]
pub enum VideoError {
    #[error("{0}: no such file")]
    NotFound(String),
    #[error("{0}: the file is empty (0 bytes)")]
    Empty(String),
    #[error("{path}: cannot read the file: {reason}")]
    Unreadable { path: String, reason: String },
    #[error(
        "video input needs the `{0}` program, which was not found; install FFmpeg \
         (Debian/Ubuntu: apt-get install ffmpeg) or set POSTURECAM_FFMPEG_DIR"
    )]
    NoFfmpeg(&'static str),
    #[error("{path}: not a readable video: {reason}")]
    NotVideo { path: String, reason: String },
    #[error("{path}: decoding failed: {reason}")]
    Decode { path: String, reason: String },
}

/// What ffprobe says about the first video stream.
#[derive(Clone, Debug, PartialEq)]
pub struct VideoInfo {
    pub codec: String,
    /// Stored size in pixels.
    pub coded_width: u32,
    pub coded_height: u32,
    /// Rotation from the container's display matrix, degrees.
    pub rotation_deg: i32,
    /// Size of the frames we deliver (after rotation, square pixels and
    /// the size limit).
    pub width: u32,
    pub height: u32,
    /// Average frame rate, when the container states one.
    pub fps: Option<f64>,
    pub duration_s: Option<f64>,
    /// Frame count, when the container states it.
    pub frames: Option<u64>,
}

/// One decoded frame.
#[derive(Clone, Debug)]
pub struct VideoFrame {
    /// Position in decoding order, counting skipped damaged frames.
    pub index: usize,
    /// Presentation time, seconds from the start of the clip.
    pub t_s: f64,
    pub image: RgbImage,
}

/// Options for opening a video.
#[derive(Clone, Debug)]
pub struct VideoOptions {
    /// Frames larger than this on their longer side are scaled down (pose
    /// models see at most 256 pixels; 1280 keeps the picture sharp on
    /// screen and bounds memory).
    pub max_side: u32,
}

impl Default for VideoOptions {
    fn default() -> Self {
        VideoOptions { max_side: 1280 }
    }
}

fn tool(name: &'static str) -> PathBuf {
    match std::env::var_os("POSTURECAM_FFMPEG_DIR") {
        Some(dir) if !dir.is_empty() => Path::new(&dir).join(name),
        _ => PathBuf::from(name),
    }
}

/// `file:` + path, so that no part of a file name is read as a protocol or
/// an option.
fn file_url(path: &Path) -> OsString {
    let mut s = OsString::from("file:");
    s.push(path.as_os_str());
    s
}

fn parse_ratio(s: &str) -> Option<f64> {
    let (a, b) = s.split_once(['/', ':']).unwrap_or((s, "1"));
    let (a, b): (f64, f64) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
    (a.is_finite() && b.is_finite() && a > 0.0 && b > 0.0).then(|| a / b)
}

/// The delivered frame size: rotated, square pixels, longer side at most
/// `max_side`, both sides even (ffmpeg's scaler prefers it) and ≥ 2.
pub fn display_size(w: u32, h: u32, sar: f64, rotation_deg: i32, max_side: u32) -> (u32, u32) {
    let mut dw = f64::from(w)
        * if sar.is_finite() && sar > 0.0 {
            sar
        } else {
            1.0
        };
    let mut dh = f64::from(h);
    if rotation_deg.rem_euclid(180) == 90 {
        std::mem::swap(&mut dw, &mut dh);
    }
    let scale = (f64::from(max_side.max(2)) / dw.max(dh)).min(1.0);
    let even = |v: f64| ((((v * scale) / 2.0).round() as u32) * 2).max(2);
    (even(dw), even(dh))
}

/// Runs ffprobe on `path`.
pub fn probe(path: &Path, opts: &VideoOptions) -> Result<VideoInfo, VideoError> {
    let name = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => VideoError::NotFound(name.clone()),
        _ => VideoError::Unreadable {
            path: name.clone(),
            reason: e.to_string(),
        },
    })?;
    // A FIFO or device named like a video would block the open below (and
    // ffmpeg) until someone writes to it; a folder is not a video either.
    if !meta.is_file() {
        return Err(VideoError::Unreadable {
            path: name,
            reason: "not a regular file (a folder, named pipe or device)".into(),
        });
    }
    if meta.len() == 0 {
        return Err(VideoError::Empty(name));
    }
    std::fs::File::open(path).map_err(|e| VideoError::Unreadable {
        path: name.clone(),
        reason: e.to_string(),
    })?;
    let out = Command::new(tool("ffprobe"))
        .args(["-v", "error", "-protocol_whitelist", "file"])
        .args(["-select_streams", "v:0", "-show_entries"])
        .arg(
            "stream=codec_name,width,height,sample_aspect_ratio,avg_frame_rate,nb_frames,duration\
             :stream_side_data=rotation:stream_tags=rotate:format=duration",
        )
        .args(["-of", "json"])
        .arg(file_url(path))
        .stdin(Stdio::null())
        .output()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => VideoError::NoFfmpeg("ffprobe"),
            _ => VideoError::Unreadable {
                path: name.clone(),
                reason: format!("cannot run ffprobe: {e}"),
            },
        })?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    let not_video = |reason: String| VideoError::NotVideo {
        path: name.clone(),
        reason,
    };
    if !out.status.success() {
        return Err(not_video(last_line(&stderr, path)));
    }
    let json: serde_json::Value = serde_json::from_slice(&out.stdout)
        .map_err(|e| not_video(format!("unexpected ffprobe output ({e})")))?;
    let Some(stream) = json["streams"].as_array().and_then(|s| s.first()) else {
        return Err(not_video("it has no video stream".into()));
    };
    let dim = |k: &str| stream[k].as_u64().filter(|&v| v > 0 && v <= 65536);
    let (Some(w), Some(h)) = (dim("width"), dim("height")) else {
        return Err(not_video("its video stream has no frame size".into()));
    };
    let rotation = stream["side_data_list"]
        .as_array()
        .and_then(|l| l.iter().find_map(|d| d["rotation"].as_f64()))
        .or_else(|| {
            stream["tags"]["rotate"]
                .as_str()
                .and_then(|r| r.parse().ok())
        })
        .map(|r: f64| r.round() as i32)
        .unwrap_or(0);
    let sar = stream["sample_aspect_ratio"]
        .as_str()
        .and_then(parse_ratio)
        .unwrap_or(1.0);
    let (width, height) = display_size(w as u32, h as u32, sar, rotation, opts.max_side);
    let num = |v: &serde_json::Value| v.as_str().and_then(|s| s.parse::<f64>().ok());
    Ok(VideoInfo {
        codec: stream["codec_name"]
            .as_str()
            .unwrap_or("unknown")
            .to_string(),
        coded_width: w as u32,
        coded_height: h as u32,
        rotation_deg: rotation,
        width,
        height,
        fps: stream["avg_frame_rate"].as_str().and_then(parse_ratio),
        duration_s: num(&stream["duration"])
            .or_else(|| num(&json["format"]["duration"]))
            .filter(|d| d.is_finite() && *d > 0.0),
        frames: stream["nb_frames"]
            .as_str()
            .and_then(|s| s.parse().ok())
            .filter(|&n| n > 0),
    })
}

/// ffmpeg's error output in one line: each distinct message once, without
/// the `[demuxer @ 0x…]` prefixes or the file name (which ffmpeg repeats).
fn last_line(stderr: &str, path: &Path) -> String {
    let url = file_url(path).to_string_lossy().into_owned();
    let mut parts: Vec<String> = Vec::new();
    for line in stderr.lines() {
        let mut l = line.replace(&url, "");
        while l.trim_start().starts_with('[') {
            match l.find("] ") {
                Some(i) => l = l[i + 2..].to_string(),
                None => break,
            }
        }
        let l = l.trim().trim_start_matches(':').trim().to_string();
        if !l.is_empty() && !parts.contains(&l) {
            parts.push(l);
        }
    }
    if parts.is_empty() {
        return "ffmpeg cannot read it".into();
    }
    let from = parts.len().saturating_sub(3);
    parts[from..].join("; ")
}

/// What the stderr reader saw, in order.
#[derive(Debug, PartialEq)]
enum Event {
    /// `showinfo`: frame number, presentation time, key frame.
    Shown {
        pts: f64,
        key: bool,
    },
    DecodeError(String),
}

/// Parses one line of ffmpeg's stderr (run with `-loglevel level+info`).
fn parse_line(line: &str) -> Option<Event> {
    if line.contains("Parsed_showinfo") {
        let field = |k: &str| {
            line.split_whitespace()
                .find_map(|w| w.strip_prefix(k))
                .map(str::to_string)
        };
        let pts = field("pts_time:")?.parse::<f64>().ok()?;
        let key = field("iskey:").map(|k| k == "1").unwrap_or(false);
        return Some(Event::Shown { pts, key });
    }
    if line.contains("[error]") || line.contains("[fatal]") {
        // "[h264 @ 0x55…] [error] error while decoding MB 0 2" → the text.
        let msg = line.rsplit("] ").next().unwrap_or(line).trim();
        return Some(Event::DecodeError(msg.to_string()));
    }
    None
}

/// A stretch of damaged frames, for the warning.
#[derive(Debug)]
struct Damage {
    from_s: f64,
    to_s: f64,
    frames: usize,
    reason: String,
}

/// Decodes one video file frame by frame.
pub struct VideoReader {
    name: String,
    info: VideoInfo,
    child: Child,
    frames: Receiver<Vec<u8>>,
    events: Receiver<Event>,
    stderr_tail: Arc<Mutex<VecDeque<String>>>,
    index: usize,
    delivered: usize,
    last_t: f64,
    /// A decode error was seen and no key frame since: (error, time of
    /// the first damaged frame).
    damaged: Option<(String, Option<f64>)>,
    open_damage: Option<Damage>,
    warnings: Vec<String>,
    finished: bool,
}

impl VideoReader {
    pub fn open(path: &Path, opts: &VideoOptions) -> Result<VideoReader, VideoError> {
        let info = probe(path, opts)?;
        let name = path.display().to_string();
        let filters = format!(
            "scale={}:{}:flags=area,setsar=1,showinfo=checksum=0",
            info.width, info.height
        );
        let mut child = Command::new(tool("ffmpeg"))
            .args(["-nostdin", "-hide_banner", "-nostats"])
            .args(["-loglevel", "level+info", "-protocol_whitelist", "file"])
            // One decoding thread: a decode error is then logged before
            // the frames it damaged are shown, not some frames later.
            .args(["-threads", "1"])
            .arg("-i")
            .arg(file_url(path))
            .args(["-map", "0:v:0", "-an", "-sn", "-dn", "-vf", &filters])
            .args(["-fps_mode", "passthrough", "-f", "rawvideo"])
            .args(["-pix_fmt", "rgb24", "pipe:1"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => VideoError::NoFfmpeg("ffmpeg"),
                _ => VideoError::Decode {
                    path: name.clone(),
                    reason: format!("cannot run ffmpeg: {e}"),
                },
            })?;
        let frame_len = info.width as usize * info.height as usize * 3;
        let (ftx, frames) = mpsc::sync_channel::<Vec<u8>>(2);
        let stdout = child.stdout.take().expect("stdout is piped");
        std::thread::Builder::new()
            .name("posturecam-video-out".into())
            .spawn(move || read_frames(stdout, frame_len, ftx))
            .map_err(|e| VideoError::Decode {
                path: name.clone(),
                reason: e.to_string(),
            })?;
        let (etx, events) = mpsc::channel::<Event>();
        let stderr = child.stderr.take().expect("stderr is piped");
        let stderr_tail = Arc::new(Mutex::new(VecDeque::new()));
        let tail = stderr_tail.clone();
        std::thread::Builder::new()
            .name("posturecam-video-log".into())
            .spawn(move || {
                for line in BufReader::new(stderr).split(b'\n') {
                    let Ok(line) = line else { break };
                    let line = String::from_utf8_lossy(&line);
                    let event = parse_line(&line);
                    if event.is_none() && !line.contains("[info]") {
                        if let Ok(mut t) = tail.lock() {
                            t.push_back(line.trim().to_string());
                            if t.len() > 8 {
                                t.pop_front();
                            }
                        }
                    }
                    if let Some(ev) = event {
                        if etx.send(ev).is_err() {
                            break;
                        }
                    }
                }
            })
            .map_err(|e| VideoError::Decode {
                path: name.clone(),
                reason: e.to_string(),
            })?;
        Ok(VideoReader {
            name,
            info,
            child,
            frames,
            events,
            stderr_tail,
            index: 0,
            delivered: 0,
            last_t: 0.0,
            damaged: None,
            open_damage: None,
            warnings: Vec::new(),
            finished: false,
        })
    }

    pub fn info(&self) -> &VideoInfo {
        &self.info
    }

    /// Damaged stretches that were skipped and other problems met so far.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    fn close_damage(&mut self) {
        if let Some(d) = self.open_damage.take() {
            self.warnings.push(format!(
                "damaged video data at {:.2}–{:.2} s: {} frame{} skipped ({})",
                d.from_s,
                d.to_s,
                d.frames,
                if d.frames == 1 { "" } else { "s" },
                d.reason
            ));
        }
    }

    /// The next undamaged frame, `Ok(None)` at the end.
    pub fn next_frame(&mut self) -> Result<Option<VideoFrame>, VideoError> {
        loop {
            if self.finished {
                return Ok(None);
            }
            let Ok(bytes) = self.frames.recv() else {
                return self.finish();
            };
            // The frame's showinfo line precedes it (filters run before the
            // muxer writes), with any decode errors before that.
            let mut shown = None;
            let mut fresh_error = None;
            while shown.is_none() {
                match self.events.recv_timeout(std::time::Duration::from_secs(10)) {
                    Ok(Event::Shown { pts, key }) => shown = Some((pts, key)),
                    Ok(Event::DecodeError(msg)) => {
                        fresh_error.get_or_insert(msg);
                    }
                    Err(_) => break,
                }
            }
            let fallback = self
                .info
                .fps
                .map(|f| self.index as f64 / f)
                .unwrap_or(self.last_t);
            let (pts, key) = shown.unwrap_or((fallback, false));
            let t_s = if pts.is_finite() {
                pts.max(0.0)
            } else {
                fallback
            };
            let index = self.index;
            self.index += 1;
            self.last_t = t_s;
            match fresh_error {
                // An error while decoding this frame (even a key frame)
                // damages it and what follows, up to the next clean key frame.
                Some(msg) if self.damaged.is_none() => self.damaged = Some((msg, None)),
                Some(_) => {}
                None if key => self.damaged = None,
                None => {}
            }
            if let Some((reason, since)) = &mut self.damaged {
                let since = *since.get_or_insert(t_s);
                if t_s - since <= DAMAGE_SPAN_S {
                    let d = self.open_damage.get_or_insert_with(|| Damage {
                        from_s: t_s,
                        to_s: t_s,
                        frames: 0,
                        reason: reason.clone(),
                    });
                    d.to_s = t_s;
                    d.frames += 1;
                    continue;
                }
                self.damaged = None;
            }
            self.close_damage();
            let Some(image) = RgbImage::from_raw(self.info.width, self.info.height, bytes) else {
                continue;
            };
            self.delivered += 1;
            return Ok(Some(VideoFrame { index, t_s, image }));
        }
    }

    fn finish(&mut self) -> Result<Option<VideoFrame>, VideoError> {
        self.finished = true;
        self.close_damage();
        let status = self.child.wait().ok();
        let failed = !status.map(|s| s.success()).unwrap_or(false);
        // Let the log reader drain, then report decode errors at the end.
        while let Ok(ev) = self
            .events
            .recv_timeout(std::time::Duration::from_millis(200))
        {
            if let Event::DecodeError(msg) = ev {
                if self.damaged.is_none() {
                    self.damaged = Some((msg, None));
                }
            }
        }
        let pending = self.damaged.take().map(|(m, _)| m);
        if failed {
            let tail: Vec<String> = self
                .stderr_tail
                .lock()
                .map(|t| t.iter().cloned().collect())
                .unwrap_or_default();
            let reason =
                pending.unwrap_or_else(|| last_line(&tail.join("\n"), Path::new(&self.name)));
            if self.delivered == 0 {
                return Err(VideoError::Decode {
                    path: self.name.clone(),
                    reason,
                });
            }
            self.warnings.push(format!(
                "the video ends early after {:.2} s (the file may be truncated): {reason}",
                self.last_t
            ));
        } else if let Some(reason) = pending {
            self.warnings
                .push(format!("damaged video data near the end: {reason}"));
        }
        Ok(None)
    }
}

impl Drop for VideoReader {
    fn drop(&mut self) {
        if !self.finished {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

fn read_frames(mut out: impl Read, frame_len: usize, tx: SyncSender<Vec<u8>>) {
    loop {
        let mut buf = vec![0u8; frame_len];
        let mut filled = 0;
        while filled < frame_len {
            match out.read(&mut buf[filled..]) {
                Ok(0) => return,
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => return,
            }
        }
        if tx.send(buf).is_err() {
            return;
        }
    }
}

/// A video file as a [`FrameSource`] for the live window: plays at the
/// file's own timing, optionally looping (times keep increasing across
/// loops).
pub struct VideoSource {
    path: PathBuf,
    opts: VideoOptions,
    looping: bool,
    reader: VideoReader,
    offset: f64,
    played: u64,
    good_this_pass: bool,
}

impl VideoSource {
    pub fn open(path: &Path, looping: bool) -> Result<VideoSource, SourceError> {
        let opts = VideoOptions::default();
        let reader =
            VideoReader::open(path, &opts).map_err(|e| SourceError::Other(e.to_string()))?;
        Ok(VideoSource {
            path: path.to_path_buf(),
            opts,
            looping,
            reader,
            offset: 0.0,
            played: 0,
            good_this_pass: false,
        })
    }
}

impl FrameSource for VideoSource {
    fn next_frame(&mut self) -> Result<Option<Frame>, SourceError> {
        loop {
            match self.reader.next_frame() {
                Ok(Some(f)) => {
                    self.good_this_pass = true;
                    let frame = Frame {
                        image: f.image,
                        t: self.offset + f.t_s,
                        index: self.played,
                        label: format!("{} @ {:.2} s", self.path.display(), f.t_s),
                    };
                    self.played += 1;
                    return Ok(Some(frame));
                }
                Ok(None) if self.looping && self.good_this_pass => {
                    let step = self
                        .reader
                        .info()
                        .fps
                        .map(|f| 1.0 / f)
                        .unwrap_or(1.0 / 30.0);
                    self.offset += self.reader.last_t + step;
                    self.reader = VideoReader::open(&self.path, &self.opts)
                        .map_err(|e| SourceError::Other(e.to_string()))?;
                    self.good_this_pass = false;
                }
                Ok(None) => return Ok(None),
                Err(e) => return Err(SourceError::Other(e.to_string())),
            }
        }
    }

    fn describe(&self) -> String {
        let i = self.reader.info();
        format!(
            "{} ({} {}x{}{})",
            self.path.display(),
            i.codec,
            i.width,
            i.height,
            i.fps.map(|f| format!(" at {f:.3} fps")).unwrap_or_default()
        )
    }

    fn fps(&self) -> Option<f64> {
        Some(self.reader.info().fps.unwrap_or(30.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_size_rotates_squares_pixels_and_limits() {
        assert_eq!(display_size(320, 240, 1.0, 0, 1280), (320, 240));
        assert_eq!(display_size(320, 240, 1.0, 90, 1280), (240, 320));
        assert_eq!(display_size(320, 240, 1.0, -90, 1280), (240, 320));
        assert_eq!(display_size(320, 240, 1.0, 180, 1280), (320, 240));
        assert_eq!(display_size(1920, 1080, 1.0, 270, 1280), (720, 1280));
        // DV PAL widescreen: 720x576 with 64:45 pixels shows as 1024x576.
        assert_eq!(display_size(720, 576, 64.0 / 45.0, 0, 1280), (1024, 576));
        assert_eq!(display_size(3, 1, 1.0, 0, 1280), (4, 2));
    }

    #[test]
    fn parses_showinfo_and_errors() {
        let l = "[Parsed_showinfo_2 @ 0x55] [info] n:  45 pts:  23040 pts_time:1.8     \
                 pos: 13714 fmt:rgb24 sar:1/1 s:160x120 i:P iskey:0 type:P";
        assert_eq!(
            parse_line(l),
            Some(Event::Shown {
                pts: 1.8,
                key: false
            })
        );
        let k = "[Parsed_showinfo_2 @ 0x55] [info] n:  50 pts: 25600 pts_time:2 iskey:1 type:I";
        assert_eq!(
            parse_line(k),
            Some(Event::Shown {
                pts: 2.0,
                key: true
            })
        );
        let e = "[h264 @ 0x5568] [error] error while decoding MB 0 2, bytestream 2358";
        assert_eq!(
            parse_line(e),
            Some(Event::DecodeError(
                "error while decoding MB 0 2, bytestream 2358".into()
            ))
        );
        assert_eq!(parse_line("[h264 @ 0x1] [info] concealing 300 DC"), None);
        assert_eq!(
            parse_ratio("30000/1001").map(|r| (r * 1000.0).round()),
            Some(29970.0)
        );
        assert_eq!(parse_ratio("0/0"), None);
        assert_eq!(parse_ratio("16:15"), Some(16.0 / 15.0));
    }

    #[test]
    fn recognises_video_names() {
        assert!(is_video(Path::new("a/b/Clip.MP4")));
        assert!(is_video(Path::new("x.mkv")));
        assert!(!is_video(Path::new("x.jpg")));
        assert!(!is_video(Path::new("mp4")));
    }
}
