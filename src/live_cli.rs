//! The `live`, `cameras`, `history` and `export` subcommands.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::capture::{FolderSource, FrameSource, VideoSource};
use crate::cli::{load_model, DbArgs, ExportArgs, LiveArgs, EXIT_OK, EXIT_USAGE};
use crate::coach::{AlertConfig, AlertEpisodes, Banner, ChimePlayer, Notifier};
use crate::live::{self, LiveEngine, SourceOpener};
use crate::session::store::{export_session, write_history, ExportFormat, Store};
use crate::ui::app::{AppOptions, LiveApp};

fn db_path(args: &DbArgs) -> anyhow::Result<std::path::PathBuf> {
    args.db
        .clone()
        .or_else(Store::default_path)
        .ok_or_else(|| anyhow::anyhow!("no data directory on this system; give --db PATH"))
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

pub fn run_cameras() -> anyhow::Result<i32> {
    #[cfg(feature = "camera")]
    {
        let cams = crate::capture::camera::list_cameras()?;
        if cams.is_empty() {
            println!("no cameras found");
        }
        for (i, name) in cams {
            println!("{i}\t{name}");
        }
        Ok(EXIT_OK)
    }
    #[cfg(not(feature = "camera"))]
    anyhow::bail!("this build has no camera support (built without the `camera` feature)")
}

pub fn run_history(args: DbArgs) -> anyhow::Result<i32> {
    let path = db_path(&args)?;
    if !path.exists() {
        println!("no sessions yet ({} does not exist)", path.display());
        return Ok(EXIT_OK);
    }
    let store = Store::open(&path)?;
    let mut out = std::io::stdout().lock();
    write_history(&store, &mut out)?;
    Ok(EXIT_OK)
}

pub fn run_export(args: ExportArgs) -> anyhow::Result<i32> {
    let path = db_path(&args.db)?;
    anyhow::ensure!(path.exists(), "no session database at {}", path.display());
    let store = Store::open(&path)?;
    let format = if args.format == "json" {
        ExportFormat::Json
    } else {
        ExportFormat::Csv
    };
    match &args.output {
        Some(p) => {
            let mut f = std::io::BufWriter::new(
                std::fs::File::create(p)
                    .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", p.display()))?,
            );
            export_session(&store, args.session, format, &mut f)?;
            f.flush()
                .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", p.display()))?;
        }
        None => export_session(&store, args.session, format, &mut std::io::stdout().lock())?,
    }
    Ok(EXIT_OK)
}

pub fn run_live(args: LiveArgs) -> anyhow::Result<i32> {
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
