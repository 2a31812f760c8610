//! The eframe shell around the views: owns the pipeline handle, the frame
//! texture and the tabs; saves a screenshot and exits when asked to (for
//! tests and demos under Xvfb).

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use egui::{ColorImage, TextureHandle, TextureOptions};

use super::{
    alert_switches, angles_panel, banner, controls, draw_skeleton, history_panel, summary_panel,
    Fit,
};
use crate::analysis::GATE_CONFIDENCE;
use crate::coach::{AlertEpisodes, ChimePlayer, Notifier};
use crate::live::{Command, LiveHandle, LiveView};
use crate::session::store::{DayTrend, SessionRow, Store};

#[derive(Clone, Debug, Default)]
pub struct AppOptions {
    /// Save a PNG of the window here after `exit_after_frames`, then exit.
    pub screenshot: Option<PathBuf>,
    /// Exit after this many analysed frames (or when the source ends).
    pub exit_after_frames: Option<u64>,
    /// The database, for the history tab.
    pub db: Option<PathBuf>,
    /// Where the snapshot button saves frames.
    pub snapshot_dir: Option<PathBuf>,
    /// On an alert, also ask the desktop for attention (taskbar flash) and
    /// send a desktop notification (once per episode).
    pub notify: bool,
    /// On an alert, also play the chime (once per episode).
    pub sound: bool,
}

/// The history tab's data: the 7-day trend and the sessions.
type History = (Vec<DayTrend>, Vec<SessionRow>);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tab {
    Live,
    Summary,
    History,
}

pub struct LiveApp {
    handle: Option<LiveHandle>,
    view: LiveView,
    texture: Option<TextureHandle>,
    texture_frame: Option<u64>,
    pub tab: Tab,
    history: Option<Result<History, String>>,
    options: AppOptions,
    screenshot_asked: bool,
    /// Set by the screenshot callback: Ok(path) or why it failed.
    pub screenshot_result: Arc<Mutex<Option<Result<PathBuf, String>>>>,
    closing: Arc<AtomicBool>,
    message: Option<String>,
    /// Alerts already shown, and until when the banner flashes.
    alerts_seen: u32,
    flash_until: f64,
    /// Which alerts are announced (notification, chime): one per episode.
    episodes: AlertEpisodes,
    /// Started when first switched on, then kept (one warning at most).
    notifier: Option<Notifier>,
    chime: Option<ChimePlayer>,
}

impl LiveApp {
    pub fn new(handle: LiveHandle, options: AppOptions) -> LiveApp {
        let mut app = LiveApp::with_view(LiveView::default(), options);
        app.handle = Some(handle);
        app
    }

    /// A window over a fixed view, with no pipeline behind it: the real
    /// layout with deterministic contents, for pixel snapshots. The view's
    /// alerts count as already seen (no flash, nothing announced).
    pub fn with_view(view: LiveView, options: AppOptions) -> LiveApp {
        let mut episodes = AlertEpisodes::new();
        episodes.update(view.alerts, &view.banner, view.last_alert.as_ref());
        LiveApp {
            handle: None,
            alerts_seen: view.alerts,
            episodes,
            view,
            texture: None,
            texture_frame: None,
            tab: Tab::Live,
            history: None,
            options,
            screenshot_asked: false,
            screenshot_result: Arc::new(Mutex::new(None)),
            closing: Arc::new(AtomicBool::new(false)),
            message: None,
            flash_until: 0.0,
            notifier: None,
            chime: None,
        }
    }

    /// Shows the history tab with these days and sessions instead of
    /// reading the database (for snapshots).
    pub fn show_history(&mut self, trend: Vec<DayTrend>, sessions: Vec<SessionRow>) {
        self.history = Some(Ok((trend, sessions)));
        self.tab = Tab::History;
    }

    /// The options, as the window's switches have left them.
    pub fn options(&self) -> &AppOptions {
        &self.options
    }

    /// The latest view (for tests).
    pub fn view(&self) -> &LiveView {
        &self.view
    }

    fn send(&self, c: Command) {
        if let Some(h) = &self.handle {
            h.send(c);
        }
    }

    /// Stops the pipeline and saves the session.
    pub fn stop(&mut self) {
        if let Some(h) = self.handle.take() {
            h.stop();
        }
    }

    fn refresh(&mut self, ctx: &egui::Context) {
        if let Some(h) = &self.handle {
            self.view = h.view();
        }
        if let Some(img) = &self.view.frame {
            if self.texture_frame != Some(self.view.frames) {
                let color = ColorImage::from_rgb(
                    [img.width() as usize, img.height() as usize],
                    img.as_raw(),
                );
                match &mut self.texture {
                    Some(t) => t.set(color, TextureOptions::LINEAR),
                    None => {
                        self.texture =
                            Some(ctx.load_texture("frame", color, TextureOptions::LINEAR))
                    }
                }
                self.texture_frame = Some(self.view.frames);
            }
        }
    }

    fn snapshot(&mut self) {
        let Some(img) = self.view.frame.clone() else {
            return;
        };
        let dir = self
            .options
            .snapshot_dir
            .clone()
            .unwrap_or_else(|| PathBuf::from("."));
        let path = dir.join(format!(
            "posturecam-snapshot-{}.png",
            crate::live::engine::unix_now() as u64
        ));
        self.message = Some(match img.save(&path) {
            Ok(()) => format!("Snapshot saved to {}", path.display()),
            Err(e) => format!("Cannot save the snapshot to {}: {e}", path.display()),
        });
    }

    /// The desktop notification and the chime, once per alert episode, as
    /// switched on; started on first use so nothing opens unasked.
    fn announce(&mut self, view: &LiveView) {
        let cue = self
            .episodes
            .update(view.alerts, &view.banner, view.last_alert.as_ref());
        if self.options.notify && self.notifier.is_none() {
            self.notifier = Some(Notifier::start());
        }
        if self.options.sound && self.chime.is_none() {
            self.chime = Some(ChimePlayer::start());
        }
        let Some(cue) = cue else { return };
        if self.options.notify {
            if let Some(n) = &self.notifier {
                n.notify(&cue);
            }
        }
        if self.options.sound {
            if let Some(c) = &self.chime {
                c.play();
            }
        }
    }

    fn load_history(&mut self) {
        let Some(db) = &self.options.db else {
            self.history = Some(Err("no database: this session is not being saved".into()));
            return;
        };
        let loaded = Store::open(db).map_err(|e| e.to_string()).and_then(|s| {
            let now = crate::live::engine::unix_now();
            Ok((
                s.daily_trend(7, now).map_err(|e| e.to_string())?,
                s.sessions().map_err(|e| e.to_string())?,
            ))
        });
        self.history = Some(loaded);
    }

    /// The whole window's contents.
    pub fn show(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        self.refresh(&ctx);
        let view = self.view.clone();
        let now = ctx.input(|i| i.time);
        if view.alerts > self.alerts_seen {
            self.alerts_seen = view.alerts;
            self.flash_until = now + 2.0;
            if self.options.notify {
                ctx.send_viewport_cmd(egui::ViewportCommand::RequestUserAttention(
                    egui::UserAttentionType::Informational,
                ));
            }
        }
        self.announce(&view);
        let flash = now < self.flash_until && ((self.flash_until - now) * 4.0) as i64 % 2 == 1;
        if now < self.flash_until {
            ctx.request_repaint_after(std::time::Duration::from_millis(125));
        }
        egui::Panel::top("banner").show(ui, |ui| {
            ui.add_space(4.0);
            banner(ui, &view, flash);
            ui.horizontal(|ui| {
                ui.selectable_value(&mut self.tab, Tab::Live, "Live");
                ui.selectable_value(&mut self.tab, Tab::Summary, "Summary");
                if ui
                    .selectable_value(&mut self.tab, Tab::History, "History")
                    .clicked()
                {
                    self.load_history();
                }
                ui.label(&view.source);
            });
        });
        egui::Panel::right("side")
            .default_size(260.0)
            .show(ui, |ui| {
                let act = controls(ui, &view);
                if let Some(p) = act.pause {
                    self.send(Command::Pause(p));
                }
                if act.calibrate {
                    self.send(Command::Calibrate);
                }
                if act.snapshot {
                    self.snapshot();
                }
                alert_switches(ui, &mut self.options.notify, &mut self.options.sound);
                if let Some(m) = &self.message {
                    ui.label(m);
                }
                ui.separator();
                angles_panel(ui, &view);
            });
        egui::CentralPanel::default().show(ui, |ui| match self.tab {
            Tab::Live => {
                let avail = ui.available_rect_before_wrap();
                match (&self.texture, &view.frame) {
                    (Some(tex), Some(img)) => {
                        let fit = Fit::new(avail, [img.width() as usize, img.height() as usize]);
                        ui.painter().image(
                            tex.id(),
                            fit.rect,
                            egui::Rect::from_min_max(egui::pos2(0.0, 0.0), egui::pos2(1.0, 1.0)),
                            egui::Color32::WHITE,
                        );
                        if let Some(p) = &view.pose {
                            draw_skeleton(
                                ui.painter(),
                                &fit,
                                &p.keypoints,
                                |part| super::part_status(&view, part),
                                GATE_CONFIDENCE,
                            );
                        }
                    }
                    _ => {
                        ui.centered_and_justified(|ui| {
                            ui.label(if view.paused {
                                "Paused"
                            } else {
                                "Waiting for the camera…"
                            });
                        });
                    }
                }
            }
            Tab::Summary => summary_panel(ui, &view.summary),
            Tab::History => match &self.history {
                Some(Ok((trend, sessions))) => history_panel(ui, trend, sessions),
                Some(Err(e)) => {
                    ui.label(format!("History unavailable: {e}"));
                }
                None => {
                    ui.label("Loading…");
                }
            },
        });
    }

    /// Screenshot-and-exit, for `--screenshot` / `--exit-after-frames`.
    fn maybe_finish(&mut self, ctx: &egui::Context) {
        let due = self
            .options
            .exit_after_frames
            .is_some_and(|n| self.view.frames >= n)
            || self.view.ended;
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

impl eframe::App for LiveApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.show(ui);
        let ctx = ui.ctx().clone();
        self.maybe_finish(&ctx);
        // New frames arrive from the pipeline thread, which also asks for
        // repaints; this keeps the clock and summary moving when paused.
        ctx.request_repaint_after(std::time::Duration::from_millis(250));
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        self.stop();
    }
}

/// Opens the window and runs until it is closed.
pub fn run(app_builder: impl FnOnce(&egui::Context) -> LiveApp + 'static) -> Result<(), String> {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_inner_size([1100.0, 720.0])
            .with_title("posturecam"),
        renderer: eframe::Renderer::Glow,
        ..Default::default()
    };
    eframe::run_native(
        "posturecam",
        options,
        Box::new(|cc| Ok(Box::new(app_builder(&cc.egui_ctx)))),
    )
    .map_err(|e| format!("cannot open the window: {e}"))
}
