//! `posturecam live`: the desk coach, in its window or in the terminal
//! (`--no-window`), from the camera or from `--source`.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use clap::Args;

use super::{db_path, load_model, AssessArgs, DbArgs, ModelArgs, EXIT_OK, EXIT_USAGE};
use crate::capture::{FolderSource, FrameSource, VideoSource};
use crate::coach::{AlertConfig, AlertEpisodes, Banner, ChimePlayer, Notifier};
use crate::live::{self, LiveEngine, SourceOpener};
use crate::session::store::Store;
use crate::ui::app::{AppOptions, LiveApp};

#[derive(Debug, Args)]
pub struct LiveArgs {
    /// Drive the window from a video file (played at its own timing) or a
    /// folder of images (or one image, played at --fps) instead of the
    /// camera.
    #[arg(long, value_name = "PATH")]
    pub source: Option<PathBuf>,
    /// With --source: start again at the end.
    #[arg(long = "loop")]
    pub looping: bool,
    /// Camera index (see `posturecam cameras`).
    #[arg(long, default_value_t = 0)]
    pub camera: u32,
    /// Camera resolution, e.g. 640x480.
    #[arg(long, value_parser = parse_resolution)]
    pub resolution: Option<(u32, u32)>,
    /// Camera frame rate; with --source FOLDER, the playback rate (default
    /// 15).
    #[arg(long)]
    pub fps: Option<u32>,
    #[command(flatten)]
    pub model: ModelArgs,
    #[command(flatten)]
    pub assess: AssessArgs,
    #[command(flatten)]
    pub db: DbArgs,
    /// Do not save the session.
    #[arg(long)]
    pub no_save: bool,
    /// The profile whose baseline to use and calibrate.
    #[arg(long, default_value = "default")]
    pub profile: String,
    /// How soon alerts come: gentle (20 s), normal (10 s), strict (5 s).
    #[arg(long, value_enum, default_value = "normal")]
    pub sensitivity: crate::coach::Sensitivity,
    /// Seconds of bad posture before an alert (overrides --sensitivity).
    #[arg(long)]
    pub onset: Option<f64>,
    /// Save a PNG of the window after --exit-after-frames frames, then exit.
    #[arg(long, value_name = "PNG")]
    pub screenshot: Option<PathBuf>,
    /// Exit after this many analysed frames.
    #[arg(long)]
    pub exit_after_frames: Option<u64>,
    /// On an alert, also send a desktop notification (once per episode of
    /// bad posture) and flash the window's taskbar entry.
    #[arg(long)]
    pub notify: bool,
    /// On an alert, also play a soft chime (once per episode of bad
    /// posture); in --no-window mode it replaces the terminal bell.
    #[arg(long)]
    pub sound: bool,
    /// No window: print the coaching cues in the terminal.
    #[arg(long)]
    pub no_window: bool,
}

fn parse_resolution(s: &str) -> Result<(u32, u32), String> {
    let (w, h) = s
        .split_once(['x', 'X'])
        .ok_or("expected WIDTHxHEIGHT, e.g. 640x480")?;
    let w: u32 = w.trim().parse().map_err(|_| format!("bad width in {s}"))?;
    let h: u32 = h.trim().parse().map_err(|_| format!("bad height in {s}"))?;
    if w == 0 || h == 0 || w > 8192 || h > 8192 {
        return Err(format!("{s}: width and height must be 1 to 8192"));
    }
    Ok((w, h))
}

fn opener(args: &LiveArgs) -> anyhow::Result<(SourceOpener, String)> {
    if let Some(path) = args.source.clone() {
        let looping = args.looping;
        if crate::capture::is_video(&path) {
            // A video plays at its own timing; fail now, clearly, if it
            // cannot be decoded at all.
            VideoSource::open(&path, looping)?;
            let name = path.display().to_string();
            let open: SourceOpener = Box::new(move || {
                VideoSource::open(&path, looping).map(|s| Box::new(s) as Box<dyn FrameSource>)
            });
            return Ok((open, name));
        }
        let fps = f64::from(args.fps.unwrap_or(15));
        // Fail now, with a clear message, if it cannot play at all.
        FolderSource::open(&path, fps, looping)?;
        let name = path.display().to_string();
        let open: SourceOpener = Box::new(move || {
            FolderSource::open(&path, fps, looping).map(|s| Box::new(s) as Box<dyn FrameSource>)
        });
        return Ok((open, name));
    }
    camera_opener(args)
}

#[cfg(feature = "camera")]
fn camera_opener(args: &LiveArgs) -> anyhow::Result<(SourceOpener, String)> {
    let (index, res, fps) = (args.camera, args.resolution, args.fps);
    let open: SourceOpener = Box::new(move || {
        crate::capture::camera::CameraSource::open(index, res, fps)
            .map(|s| Box::new(s) as Box<dyn FrameSource>)
    });
    Ok((open, format!("camera {index}")))
}

#[cfg(not(feature = "camera"))]
fn camera_opener(_args: &LiveArgs) -> anyhow::Result<(SourceOpener, String)> {
    anyhow::bail!("this build has no camera support (built without the `camera` feature); run with --source PATH")
}

pub fn run(args: LiveArgs) -> anyhow::Result<i32> {
    let assessor = args.assess.assessor()?;
    let model = load_model(&args.model.model)?;
    let mut alerts = AlertConfig::preset(args.sensitivity);
    if let Some(onset) = args.onset {
        anyhow::ensure!(
            onset.is_finite() && onset >= 0.0,
            "--onset must be 0 or more seconds"
        );
        alerts.onset_s = onset;
    }
    let (open, source_name) = opener(&args)?;
    let mut engine = LiveEngine::new(model, assessor, alerts, &args.profile)?;
    let mut db = None;
    if !args.no_save {
        let path = db_path(&args.db)?;
        match Store::open(&path)
            .map_err(|e| e.to_string())
            .and_then(|s| engine.attach_store(s, &source_name))
        {
            Ok(()) => db = Some(path),
            // Coaching matters more than the record of it.
            Err(e) => eprintln!("posturecam: warning: the session will not be saved: {e}"),
        }
    }
    if args.no_window {
        return run_terminal(
            open,
            engine,
            args.exit_after_frames,
            Announce::new(args.notify, args.sound),
        );
    }
    let options = AppOptions {
        screenshot: args.screenshot.clone(),
        exit_after_frames: args.exit_after_frames,
        db,
        snapshot_dir: None,
        notify: args.notify,
        sound: args.sound,
    };
    let result = Arc::new(Mutex::new(None));
    let result2 = result.clone();
    crate::ui::app::run(move |ctx| {
        let ctx = ctx.clone();
        let handle = live::start(open, engine, Arc::new(move || ctx.request_repaint()));
        let mut app = LiveApp::new(handle, options);
        app.screenshot_result = result2;
        app
    })
    .map_err(anyhow::Error::msg)?;
    if args.screenshot.is_some() {
        match result.lock().ok().and_then(|mut g| g.take()) {
            Some(Ok(p)) => eprintln!("posturecam: screenshot saved to {}", p.display()),
            Some(Err(e)) => anyhow::bail!("cannot save the screenshot: {e}"),
            None => anyhow::bail!("the window closed before the screenshot was taken"),
        }
    }
    Ok(EXIT_OK)
}

/// How the terminal announces alerts besides printing them: a desktop
/// notification and the chime, once per episode.
struct Announce {
    episodes: AlertEpisodes,
    notifier: Option<Notifier>,
    chime: Option<ChimePlayer>,
}

impl Announce {
    fn new(notify: bool, sound: bool) -> Announce {
        Announce {
            episodes: AlertEpisodes::new(),
            notifier: notify.then(Notifier::start),
            chime: sound.then(ChimePlayer::start),
        }
    }

    /// The terminal bell sounds unless the chime is playing instead.
    fn bell(&self) -> &'static str {
        match &self.chime {
            Some(c) if !c.failed() => "",
            _ => "\x07",
        }
    }

    /// Lets a notification still queued go out before the process exits.
    fn finish(self) {
        if let Some(n) = self.notifier {
            n.finish(Duration::from_secs(2));
        }
    }

    fn poll(&mut self, v: &live::LiveView) {
        if let Some(cue) = self
            .episodes
            .update(v.alerts, &v.banner, v.last_alert.as_ref())
        {
            if let Some(n) = &self.notifier {
                n.notify(&cue);
            }
            if let Some(c) = &self.chime {
                c.play();
            }
        }
    }
}

/// The coach without a window: prints each change of cue on stdout, and
/// each new notice (camera lost, cannot save) as a warning on stderr; the
/// cues go on beside a notice, as in the window.
fn run_terminal(
    open: SourceOpener,
    engine: LiveEngine,
    exit_after: Option<u64>,
    mut announce: Announce,
) -> anyhow::Result<i32> {
    let handle = live::start(open, engine, Arc::new(|| {}));
    let mut last = String::new();
    let mut last_notice: Option<String> = None;
    loop {
        std::thread::sleep(Duration::from_millis(50));
        let v = handle.view();
        announce.poll(&v);
        if v.notice != last_notice {
            if let Some(n) = &v.notice {
                eprintln!("posturecam: warning: {n}");
            }
            last_notice = v.notice.clone();
        }
        let line = match &v.banner {
            Banner::Good => "good posture".into(),
            Banner::Drifting { message, .. } => format!("drifting: {message}"),
            // The terminal bell is the no-window mode's sound, unless the
            // chime plays.
            Banner::Alert { message, .. } => format!("{}ALERT: {message}", announce.bell()),
            Banner::Away => "away".into(),
            Banner::Paused => "paused".into(),
        };
        if line != last {
            println!(
                "{:>8.1}s  {line}",
                v.summary.timeline.last().map(|t| t.0).unwrap_or(0.0)
            );
            last = line;
        }
        if v.ended || exit_after.is_some_and(|n| v.frames >= n) {
            break;
        }
    }
    let v = handle.view();
    handle.stop();
    announce.finish();
    println!(
        "frames {}, alerts {}, upright {}",
        v.frames,
        v.alerts,
        v.summary
            .share("upright")
            .map(|s| format!("{:.0}%", s * 100.0))
            .unwrap_or("-".into())
    );
    Ok(if v.frames > 0 { EXIT_OK } else { EXIT_USAGE })
}
