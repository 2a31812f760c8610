//! The live coach: a capture thread, an inference thread running
//! [`engine::LiveEngine`], and a [`LiveView`] the window draws from. The
//! window never waits on either thread.

pub mod engine;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use image::RgbImage;

use crate::assess::Assessment;
use crate::capture::{Frame, FrameSource, SourceError};
use crate::coach::{AlertConfig, AlertEvent, Banner, SessionSummary};
use crate::pose::Pose;
pub use engine::{Calibration, FrameResult, LiveEngine};

/// Opens the frame source on the capture thread (a camera must be opened
/// on the thread that reads it). Called again to retry after a failure.
pub type SourceOpener = Box<dyn FnMut() -> Result<Box<dyn FrameSource>, SourceError> + Send>;

/// Everything the window shows, refreshed after each frame.
#[derive(Clone, Debug)]
pub struct LiveView {
    pub frame: Option<Arc<RgbImage>>,
    pub frame_index: u64,
    /// Frames analysed since the start.
    pub frames: u64,
    pub pose: Option<Pose>,
    pub assessment: Option<Assessment>,
    pub state: &'static str,
    pub banner: Banner,
    pub last_alert: Option<AlertEvent>,
    pub alerts: u32,
    /// Analysed frames per second (smoothed) and the last inference time.
    pub fps: f32,
    pub inference_ms: f32,
    /// Refreshed once a second; shared, as it grows with the session.
    pub summary: Arc<SessionSummary>,
    pub calibration: Calibration,
    pub has_baseline: bool,
    /// The baseline no longer fits what the camera sees.
    pub baseline_stale: bool,
    pub paused: bool,
    /// A problem to show (no camera, camera lost, cannot save), with what
    /// to do about it.
    pub notice: Option<String>,
    /// The source ran out of frames (a file source without --loop).
    pub ended: bool,
    pub source: String,
}

impl Default for LiveView {
    fn default() -> Self {
        LiveView {
            frame: None,
            frame_index: 0,
            frames: 0,
            pose: None,
            assessment: None,
            state: "away",
            banner: Banner::Away,
            last_alert: None,
            alerts: 0,
            fps: 0.0,
            inference_ms: 0.0,
            summary: Arc::default(),
            calibration: Calibration::Idle,
            has_baseline: false,
            baseline_stale: false,
            paused: false,
            notice: None,
            ended: false,
            source: String::new(),
        }
    }
}

/// What the window can ask of the pipeline.
#[derive(Clone, Debug)]
pub enum Command {
    Pause(bool),
    Calibrate,
    Alerts(AlertConfig),
}

/// The newest frame, replaced as new ones arrive: a stale frame is dropped,
/// never queued.
#[derive(Default)]
struct Slot {
    frame: Mutex<Option<Frame>>,
    ready: Condvar,
}

/// The running pipeline. Dropping it stops both threads and closes the
/// session.
pub struct LiveHandle {
    view: Arc<Mutex<LiveView>>,
    commands: Sender<Command>,
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
}

impl LiveHandle {
    /// A copy of the current view.
    pub fn view(&self) -> LiveView {
        self.view.lock().map(|v| v.clone()).unwrap_or_default()
    }

    pub fn send(&self, c: Command) {
        let _ = self.commands.send(c);
    }

    /// Stops the threads and waits for the session to be saved.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

impl Drop for LiveHandle {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// How long to wait before opening a failed source again, seconds.
pub const RETRY_S: u64 = 2;

fn set_notice(view: &Mutex<LiveView>, notice: Option<String>) {
    if let Ok(mut v) = view.lock() {
        v.notice = notice;
    }
}

/// Starts the pipeline. `repaint` is called after each published frame
/// (the window's request_repaint). File sources are played at their own
/// frame rate; a failing camera is retried every [`RETRY_S`] seconds. When
/// a source that was delivering fails (the camera was unplugged), the view
/// shows why, the session so far is closed and kept, and once the source is
/// back a new session starts.
pub fn start(
    mut open: SourceOpener,
    mut engine: LiveEngine,
    repaint: Arc<dyn Fn() + Send + Sync>,
) -> LiveHandle {
    let view = Arc::new(Mutex::new(LiveView::default()));
    let stop = Arc::new(AtomicBool::new(false));
    let slot = Arc::new(Slot::default());
    let paused = Arc::new(AtomicBool::new(false));
    let ended = Arc::new(AtomicBool::new(false));
    // Set by the capture thread when the source fails mid-session: why.
    let lost: Arc<Mutex<Option<String>>> = Arc::default();
    let (tx, rx): (Sender<Command>, Receiver<Command>) = channel();

    let capture = {
        let (view, stop, slot, paused, ended, lost) = (
            view.clone(),
            stop.clone(),
            slot.clone(),
            paused.clone(),
            ended.clone(),
            lost.clone(),
        );
        std::thread::Builder::new()
            .name("posturecam-capture".into())
            .spawn(move || {
                let mut source: Option<Box<dyn FrameSource>> = None;
                let mut clock: Option<(Instant, f64)> = None;
                while !stop.load(Ordering::SeqCst) {
                    if paused.load(Ordering::SeqCst) {
                        // Release the camera while paused.
                        source = None;
                        clock = None;
                        std::thread::sleep(Duration::from_millis(50));
                        continue;
                    }
                    let Some(src) = source.as_mut() else {
                        match open() {
                            Ok(s) => {
                                if let Ok(mut v) = view.lock() {
                                    v.source = s.describe();
                                    v.notice = None;
                                }
                                source = Some(s);
                            }
                            // A folder with nothing readable stays that
                            // way: end rather than retry like a camera.
                            Err(e @ SourceError::Empty(_)) => {
                                set_notice(&view, Some(e.to_string()));
                                ended.store(true, Ordering::SeqCst);
                                slot.ready.notify_one();
                                break;
                            }
                            Err(e) => {
                                set_notice(&view, Some(e.to_string()));
                                std::thread::sleep(Duration::from_secs(RETRY_S));
                            }
                        }
                        continue;
                    };
                    match src.next_frame() {
                        Ok(Some(frame)) => {
                            if src.fps().is_some() {
                                // Play files at their own rate.
                                let (t0, f0) = *clock.get_or_insert((Instant::now(), frame.t));
                                let due = Duration::from_secs_f64((frame.t - f0).max(0.0));
                                if let Some(wait) = due.checked_sub(t0.elapsed()) {
                                    std::thread::sleep(wait);
                                }
                            }
                            if let Ok(mut s) = slot.frame.lock() {
                                *s = Some(frame);
                            }
                            slot.ready.notify_one();
                        }
                        Ok(None) => {
                            ended.store(true, Ordering::SeqCst);
                            slot.ready.notify_one();
                            break;
                        }
                        Err(e @ SourceError::Empty(_)) => {
                            // Every file of a folder failed to load: it
                            // will not get better by retrying.
                            set_notice(&view, Some(e.to_string()));
                            ended.store(true, Ordering::SeqCst);
                            slot.ready.notify_one();
                            break;
                        }
                        Err(e) => {
                            set_notice(&view, Some(e.to_string()));
                            source = None;
                            clock = None;
                            // A frame from before the loss is not analysed
                            // after it: drop it, then close the session.
                            if let Ok(mut s) = slot.frame.lock() {
                                *s = None;
                            }
                            if let Ok(mut l) = lost.lock() {
                                *l = Some(e.to_string());
                            }
                            std::thread::sleep(Duration::from_secs(RETRY_S));
                        }
                    }
                }
            })
            .expect("spawning the capture thread")
    };

    let inference = {
        let (view, stop, slot, paused, ended, lost) = (
            view.clone(),
            stop.clone(),
            slot.clone(),
            paused.clone(),
            ended.clone(),
            lost.clone(),
        );
        std::thread::Builder::new()
            .name("posturecam-inference".into())
            .spawn(move || {
                let started = Instant::now();
                let mut fps = 0.0f32;
                let mut last_frame_at: Option<Instant> = None;
                let mut last_summary = 0.0f64;
                let mut frames = 0u64;
                let mut offset: Option<f64> = None;
                loop {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    // Source time runs from the first frame; after a pause
                    // or reconnection the session clock keeps going.
                    let now = started.elapsed().as_secs_f64();
                    while let Ok(c) = rx.try_recv() {
                        match c {
                            Command::Pause(p) => {
                                paused.store(p, Ordering::SeqCst);
                                engine.set_paused(now, p);
                                offset = None;
                            }
                            Command::Calibrate => engine.start_calibration(now),
                            Command::Alerts(a) => engine.set_alert_config(a),
                        }
                    }
                    if let Some(why) = lost.lock().ok().and_then(|mut l| l.take()) {
                        engine.source_lost();
                        // The source's clock starts again when it is back.
                        offset = None;
                        if let Ok(mut v) = view.lock() {
                            v.pose = None;
                            v.assessment = None;
                            v.state = "away";
                            // Shown again: the frame analysed just before
                            // may have replaced the capture thread's notice.
                            v.notice = Some(why);
                            v.banner = engine.alerts().banner().clone();
                            v.summary = Arc::new(engine.summary(now));
                        }
                        repaint();
                    }
                    if paused.load(Ordering::SeqCst) {
                        engine.tick_paused(now);
                    }
                    let frame = {
                        let Ok(mut guard) = slot.frame.lock() else {
                            break;
                        };
                        if guard.is_none() {
                            guard = match slot.ready.wait_timeout(guard, Duration::from_millis(100))
                            {
                                Ok((g, _)) => g,
                                Err(_) => break,
                            };
                        }
                        guard.take()
                    };
                    let Some(mut frame) = frame else {
                        if ended.load(Ordering::SeqCst) {
                            if let Ok(mut v) = view.lock() {
                                v.ended = true;
                                v.paused = engine.paused();
                            }
                            repaint();
                            break;
                        }
                        let summary = (now - last_summary >= 1.0).then(|| {
                            last_summary = now;
                            Arc::new(engine.summary(now))
                        });
                        if let Ok(mut v) = view.lock() {
                            v.paused = engine.paused();
                            if let Some(s) = summary {
                                v.summary = s;
                            }
                        }
                        continue;
                    };
                    // Put the frame on the session clock.
                    let off = *offset.get_or_insert(now - frame.t);
                    frame.t += off;
                    let result = engine.process(&frame);
                    frames += 1;
                    let at = Instant::now();
                    if let Some(prev) = last_frame_at {
                        let inst = 1.0 / at.duration_since(prev).as_secs_f32().max(1e-3);
                        fps = if fps == 0.0 {
                            inst
                        } else {
                            0.9 * fps + 0.1 * inst
                        };
                    }
                    last_frame_at = Some(at);
                    let summary = (frame.t - last_summary >= 1.0).then(|| {
                        last_summary = frame.t;
                        Arc::new(engine.summary(frame.t))
                    });
                    if let Ok(mut v) = view.lock() {
                        v.frame_index = frame.index;
                        v.frame = Some(Arc::new(frame.image));
                        v.frames = frames;
                        v.pose = result.pose;
                        v.assessment = result.assessment;
                        v.state = result.state;
                        v.banner = result.banner;
                        if result.alert.is_some() {
                            v.last_alert = result.alert;
                        }
                        v.alerts = engine.alerts().alert_count();
                        v.fps = fps;
                        v.inference_ms = result.inference_ms;
                        if let Some(s) = summary {
                            v.summary = s;
                        }
                        v.calibration = engine.calibration().clone();
                        v.has_baseline = engine.baseline().is_some();
                        v.baseline_stale = engine.baseline_stale();
                        v.paused = engine.paused();
                        // Frames are coming, so the source is fine: what
                        // is left to show is a model or storage problem,
                        // gone once it is.
                        v.notice = result
                            .error
                            .or_else(|| engine.store_error().map(str::to_string));
                    }
                    repaint();
                }
                engine.finish();
                if let Ok(mut v) = view.lock() {
                    v.summary = Arc::new(engine.summary(started.elapsed().as_secs_f64()));
                }
            })
            .expect("spawning the inference thread")
    };

    LiveHandle {
        view,
        commands: tx,
        stop,
        threads: vec![capture, inference],
    }
}
