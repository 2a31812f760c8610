//! The eframe shell of the review window: analyses each clip on its own
//! thread (the window never waits), keeps the frame textures, feeds the
//! clock to the players, and saves a screenshot and exits when asked to
//! (for tests and demos under Xvfb).

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use egui::{ColorImage, TextureHandle, TextureOptions};

use super::review::{apply, keyboard, review_ui};
use crate::assess::{AssessConfig, Assessor};
use crate::pose::{EstimatorConfig, MoveNet, PoseModel};
use crate::review::model::{ClipSlot, ReviewModel};
use crate::review::ClipAnalysis;

/// Wall time fed to the players per repaint at most: a stalled repaint
/// (window moved, machine busy) must not make the video jump ahead.
const MAX_TICK_S: f64 = 0.25;

#[derive(Clone, Debug, Default)]
pub struct ReviewOptions {
    /// Save a PNG of the window here after `exit_after_frames`, then exit.
    pub screenshot: Option<PathBuf>,
    /// Exit after this many repaints once every clip is analysed.
    pub exit_after_frames: Option<u64>,
    /// Start playing as soon as the clips are analysed.
    pub play: bool,
}

/// What a loader thread reports.
#[derive(Debug, Default)]
struct LoadState {
    done: usize,
    total: Option<u64>,
    result: Option<Result<ClipAnalysis, String>>,
}

/// One clip being analysed on its own thread.
struct Loader {
    state: Arc<Mutex<LoadState>>,
    cancel: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Loader {
    fn start(
        path: PathBuf,
        model: PoseModel,
        config: EstimatorConfig,
        assessor: Assessor,
        repaint: Arc<dyn Fn() + Send + Sync>,
    ) -> Loader {
        let state = Arc::new(Mutex::new(LoadState::default()));
        let cancel = Arc::new(AtomicBool::new(false));
        let (st, cn) = (state.clone(), cancel.clone());
        let thread = std::thread::spawn(move || {
            let result = MoveNet::new(model, config)
                .map_err(|e| e.to_string())
                .and_then(|net| {
                    let mut tracker = crate::score::video_tracker(net);
                    let mut progress = |done: usize, total: Option<u64>| {
                        if let Ok(mut g) = st.lock() {
                            g.done = done;
                            g.total = total;
                        }
                        // Redraw the progress now and then, not every frame.
                        if done.is_multiple_of(5) {
                            repaint();
                        }
                    };
                    ClipAnalysis::analyse(&path, &mut tracker, &assessor, &mut progress, &cn)
                        .map_err(|e| e.to_string())
                });
            if let Ok(mut g) = st.lock() {
                g.result = Some(result);
            }
            repaint();
        });
        Loader {
            state,
            cancel,
            thread: Some(thread),
        }
    }
}

impl Drop for Loader {
    fn drop(&mut self) {
        self.cancel.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

pub struct ReviewApp {
    model: ReviewModel,
    /// The thresholds the skeleton is coloured with.
    config: AssessConfig,
    loaders: Vec<Option<Loader>>,
    textures: Vec<Option<TextureHandle>>,
    /// (clip, frame position) each texture holds.
    shown: Vec<Option<usize>>,
    options: ReviewOptions,
    last_time: Option<f64>,
    started_playing: bool,
    frames_after_load: u64,
    screenshot_asked: bool,
    /// Set by the screenshot callback: Ok(path) or why it failed.
    pub screenshot_result: Arc<Mutex<Option<Result<PathBuf, String>>>>,
    closing: Arc<AtomicBool>,
}

impl ReviewApp {
    /// Starts analysing each of `paths` on its own thread. `repaint` is
    /// called when there is progress to show.
    pub fn new(
        paths: Vec<PathBuf>,
        model: PoseModel,
        config: EstimatorConfig,
        assessor: Assessor,
        options: ReviewOptions,
        repaint: Arc<dyn Fn() + Send + Sync>,
    ) -> ReviewApp {
        let slots = paths
            .iter()
            .map(|p| ClipSlot::Loading {
                name: p.display().to_string(),
                done: 0,
                total: None,
            })
            .collect();
        let config_of_assessor = assessor.config.clone();
        let loaders = paths
            .into_iter()
            .map(|p| {
                Some(Loader::start(
                    p,
                    model.clone(),
                    config,
                    assessor.clone(),
                    repaint.clone(),
                ))
            })
            .collect();
        let mut app = ReviewApp::with(ReviewModel::new(slots), loaders, options);
        app.config = config_of_assessor;
        app
    }

    /// A review of clips already analysed (the skeleton coloured with the
    /// default thresholds).
    pub fn from_analyses(clips: Vec<ClipAnalysis>, options: ReviewOptions) -> ReviewApp {
        let n = clips.len();
        let slots = clips
            .into_iter()
            .map(|c| ClipSlot::Ready(Arc::new(c)))
            .collect();
        ReviewApp::with(
            ReviewModel::new(slots),
            (0..n).map(|_| None).collect(),
            options,
        )
    }

    fn with(model: ReviewModel, loaders: Vec<Option<Loader>>, options: ReviewOptions) -> ReviewApp {
        let n = model.len();
        ReviewApp {
            model,
            config: AssessConfig::default(),
            loaders,
            textures: vec![None; n],
            shown: vec![None; n],
            options,
            last_time: None,
            started_playing: false,
            frames_after_load: 0,
            screenshot_asked: false,
            screenshot_result: Arc::new(Mutex::new(None)),
            closing: Arc::new(AtomicBool::new(false)),
        }
    }

    /// The review's state (for tests).
    pub fn model(&self) -> &ReviewModel {
        &self.model
    }

    /// Takes the loaders' progress and results into the model.
    fn poll_loaders(&mut self) {
        for i in 0..self.loaders.len() {
            let Some(l) = &self.loaders[i] else {
                continue;
            };
            let name = self
                .model
                .slot(i)
                .map(|s| s.name().to_string())
                .unwrap_or_default();
            let slot = match l.state.lock() {
                Ok(mut g) => match g.result.take() {
                    Some(Ok(c)) => Some(ClipSlot::Ready(Arc::new(c))),
                    Some(Err(error)) => Some(ClipSlot::Failed { name, error }),
                    None => {
                        self.model.set_slot(
                            i,
                            ClipSlot::Loading {
                                name,
                                done: g.done,
                                total: g.total,
                            },
                        );
                        None
                    }
                },
                Err(_) => Some(ClipSlot::Failed {
                    name,
                    error: "the analysis thread failed".into(),
                }),
            };
            if let Some(s) = slot {
                self.model.set_slot(i, s);
                self.loaders[i] = None;
            }
        }
    }

    /// Uploads the frame each clip shows, when it changed.
    fn refresh_textures(&mut self, ctx: &egui::Context) {
        for i in 0..self.model.len() {
            let (Some(c), Some(pos)) = (self.model.ready(i), self.model.position(i)) else {
                continue;
            };
            if self.shown[i] == Some(pos) {
                continue;
            }
            self.shown[i] = Some(pos);
            let Some(img) = c.image(pos) else {
                continue;
            };
            let color =
                ColorImage::from_rgb([img.width() as usize, img.height() as usize], img.as_raw());
            match &mut self.textures[i] {
                Some(t) => t.set(color, TextureOptions::LINEAR),
                None => {
                    self.textures[i] =
                        Some(ctx.load_texture(format!("review{i}"), color, TextureOptions::LINEAR))
                }
            }
        }
    }

    /// The whole window's contents.
    pub fn show(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        self.poll_loaders();
        let now = ctx.input(|i| i.time);
        let dt = self
            .last_time
            .map(|t| (now - t).clamp(0.0, MAX_TICK_S))
            .unwrap_or(0.0);
        self.last_time = Some(now);
        if self.model.settled() && self.options.play && !self.started_playing {
            self.started_playing = true;
            for p in self.model.players_mut() {
                p.set_playing(true);
            }
        }
        self.model.tick(dt);
        for a in keyboard(&ctx, &self.model) {
            apply(&mut self.model, &a);
        }
        self.refresh_textures(&ctx);
        let actions = review_ui(ui, &self.model, &self.textures, &self.config);
        for a in &actions {
            apply(&mut self.model, a);
        }
        if !actions.is_empty() {
            self.refresh_textures(&ctx);
            ctx.request_repaint();
        }
        if (0..self.model.len()).any(|i| self.model.player(i).playing()) {
            ctx.request_repaint();
        }
        if self.model.settled() {
            self.frames_after_load += 1;
        }
    }

    /// Screenshot-and-exit, for `--screenshot` / `--exit-after-frames`.
    fn maybe_finish(&mut self, ctx: &egui::Context) {
        let due = self
            .options
            .exit_after_frames
            .is_some_and(|n| self.frames_after_load >= n);
        if !due || self.closing.load(Ordering::SeqCst) {
            return;
        }
        super::screenshot_and_close(
            ctx,
            self.options.screenshot.as_ref(),
            &mut self.screenshot_asked,
            &self.screenshot_result,
            &self.closing,
        );
    }
}

impl eframe::App for ReviewApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.show(ui);
        let ctx = ui.ctx().clone();
        self.maybe_finish(&ctx);
        if self.options.exit_after_frames.is_some() && self.model.settled() {
            ctx.request_repaint();
        }
    }
}

/// Opens the review window and runs until it is closed.
pub fn run(app_builder: impl FnOnce(&egui::Context) -> ReviewApp + 'static) -> Result<(), String> {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_inner_size([1280.0, 800.0])
            .with_title("posturecam review"),
        renderer: eframe::Renderer::Glow,
        ..Default::default()
    };
    eframe::run_native(
        "posturecam review",
        options,
        Box::new(|cc| Ok(Box::new(app_builder(&cc.egui_ctx)))),
    )
    .map_err(|e| format!("cannot open the window: {e}"))
}
