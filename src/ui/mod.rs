//! The live window's views: plain functions over a [`LiveView`], so the
//! same drawing serves the window, its tests and (later) the review window.
//! [`app`] is the thin eframe shell.

pub mod app;
pub mod review;
pub mod review_app;

use egui::{Color32, Pos2, Rect, RichText, Stroke, Vec2};

use crate::coach::{Banner, SessionSummary};
use crate::live::{Calibration, LiveView};
use crate::pose::{Joint, Keypoints};
use crate::session::store::{DayTrend, SessionRow};

pub use crate::assess::status::{Part, SegmentStatus, BONES};

impl SegmentStatus {
    pub fn color(self) -> Color32 {
        let [r, g, b] = self.rgb();
        Color32::from_rgb(r, g, b)
    }
}

/// The status of each body part, from the findings of the frame.
pub fn part_status(view: &LiveView, part: Part) -> SegmentStatus {
    crate::assess::status::part_status(view.assessment.as_ref(), part)
}

/// Maps image pixels into `rect`, keeping the aspect ratio, and back.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Fit {
    pub rect: Rect,
    pub scale: f32,
}

impl Fit {
    pub fn new(avail: Rect, image: [usize; 2]) -> Fit {
        let (w, h) = (image[0].max(1) as f32, image[1].max(1) as f32);
        let scale = (avail.width() / w).min(avail.height() / h).max(0.0);
        let size = Vec2::new(w * scale, h * scale);
        Fit {
            rect: Rect::from_center_size(avail.center(), size),
            scale,
        }
    }
    pub fn to_screen(&self, x: f32, y: f32) -> Pos2 {
        self.rect.min + Vec2::new(x * self.scale, y * self.scale)
    }
}

/// Draws the skeleton over the frame shown in `fit`, each bone coloured by
/// `status` of its body part (the live window judges sitting, the review
/// window lifting).
pub fn draw_skeleton(
    painter: &egui::Painter,
    fit: &Fit,
    kps: &Keypoints,
    status: impl Fn(Part) -> SegmentStatus,
    min_conf: f32,
) {
    let seen = |j: Joint| {
        let k = kps.get(j);
        (k.confidence >= min_conf && k.x.is_finite() && k.y.is_finite())
            .then(|| fit.to_screen(k.x, k.y))
    };
    for (a, b, part) in BONES {
        if let (Some(p), Some(q)) = (seen(a), seen(b)) {
            painter.line_segment([p, q], Stroke::new(4.0, status(part).color()));
        }
    }
    for joint in Joint::ALL {
        if let Some(p) = seen(joint) {
            painter.circle_filled(p, 4.0, Color32::WHITE);
        }
    }
}

/// Whether a person is being coached: then a notice (cannot save, a model
/// error) goes under the cue instead of in its place.
fn coaching(view: &LiveView) -> bool {
    !matches!(view.state, "away" | "paused") && !view.ended
}

/// The banner's text and colour: one plain-language cue at a time.
pub fn banner_text(view: &LiveView) -> (String, Color32) {
    if let Some(n) = view.notice.as_ref().filter(|_| !coaching(view)) {
        return (n.clone(), Color32::from_rgb(200, 120, 20));
    }
    if view.ended {
        return ("The recording has ended.".into(), Color32::GRAY);
    }
    match &view.banner {
        Banner::Good => (
            "Good posture. Keep it up.".into(),
            SegmentStatus::Good.color(),
        ),
        Banner::Drifting { message, .. } => (capitalise(message), SegmentStatus::Watch.color()),
        Banner::Alert { message, .. } => (capitalise(message), SegmentStatus::Correct.color()),
        Banner::Away => ("No one in view: coaching is quiet.".into(), Color32::GRAY),
        Banner::Paused => ("Paused: the camera is released.".into(), Color32::GRAY),
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// The banner; `flash` alternates its colour to draw the eye to a new alert.
pub fn banner(ui: &mut egui::Ui, view: &LiveView, flash: bool) {
    let (text, color) = banner_text(view);
    let color = if flash { Color32::WHITE } else { color };
    egui::Frame::new()
        .fill(color)
        .inner_margin(8.0)
        .corner_radius(6.0)
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.label(
                RichText::new(text)
                    .size(20.0)
                    .color(Color32::BLACK)
                    .strong(),
            );
            if let Some(n) = view.notice.as_ref().filter(|_| coaching(view)) {
                ui.label(RichText::new(n).color(Color32::BLACK));
            }
        });
}

#[cfg(test)]
mod notice_tests {
    use super::*;

    #[test]
    fn a_notice_does_not_hide_the_cue_while_someone_is_coached() {
        let mut v = LiveView {
            notice: Some("cannot save the session: the disk is full".into()),
            state: "slouched",
            banner: Banner::Alert {
                code: "slouch".into(),
                message: "sit back".into(),
                since: 0.0,
            },
            ..LiveView::default()
        };
        assert_eq!(banner_text(&v).0, "Sit back");
        // No one in view (or the camera lost): the notice is the message.
        v.state = "away";
        assert_eq!(
            banner_text(&v).0,
            "cannot save the session: the disk is full"
        );
    }
}

fn fmt_angle(v: Option<f32>) -> String {
    v.map(|v| format!("{v:.0}°")).unwrap_or_else(|| "–".into())
}

/// Key angles and scores beside the image.
pub fn angles_panel(ui: &mut egui::Ui, view: &LiveView) {
    ui.heading("Now");
    egui::Grid::new("angles")
        .num_columns(2)
        .striped(true)
        .show(ui, |ui| {
            let row = |ui: &mut egui::Ui, k: &str, v: String| {
                ui.label(k);
                ui.label(v);
                ui.end_row();
            };
            row(ui, "State", view.state.replace('_', " "));
            match &view.assessment {
                Some(a) => {
                    row(ui, "View", format!("{:?}", a.view.view).to_lowercase());
                    row(
                        ui,
                        "Score",
                        a.sitting.score.map(|s| s.to_string()).unwrap_or("–".into()),
                    );
                    row(
                        ui,
                        "RULA",
                        a.sitting.rula.map(|s| s.to_string()).unwrap_or("–".into()),
                    );
                    let g = &a.angles;
                    row(ui, "Trunk", fmt_angle(g.trunk_inclination));
                    row(ui, "Neck", fmt_angle(g.neck_inclination));
                    row(ui, "Shoulder tilt", fmt_angle(g.shoulder_tilt));
                    row(ui, "Head roll", fmt_angle(g.head_roll));
                    row(ui, "Lean", fmt_angle(g.lateral_lean));
                    if let Some(d) = a.sitting.baseline {
                        row(ui, "Head drop", format!("{:.0}%", d.head_drop * 100.0));
                        row(ui, "Leaning in", format!("{:.0}%", d.leaning_in * 100.0));
                    }
                }
                None => row(ui, "View", "no person".into()),
            }
            row(ui, "Frame rate", format!("{:.1} fps", view.fps));
            row(ui, "Inference", format!("{:.1} ms", view.inference_ms));
            row(ui, "Alerts", view.alerts.to_string());
        });
}

/// What the user asked for in the controls this frame.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Actions {
    pub pause: Option<bool>,
    pub calibrate: bool,
    pub snapshot: bool,
}

pub fn controls(ui: &mut egui::Ui, view: &LiveView) -> Actions {
    let mut act = Actions::default();
    ui.horizontal(|ui| {
        if view.paused {
            if ui.button("Resume").clicked() {
                act.pause = Some(false);
            }
        } else if ui.button("Pause").clicked() {
            act.pause = Some(true);
        }
        let recording = matches!(view.calibration, Calibration::Recording { .. });
        if ui
            .add_enabled(!recording && !view.paused, egui::Button::new("Calibrate"))
            .clicked()
        {
            act.calibrate = true;
        }
        if ui
            .add_enabled(view.frame.is_some(), egui::Button::new("Snapshot"))
            .clicked()
        {
            act.snapshot = true;
        }
    });
    let calib = match &view.calibration {
        _ if view.baseline_stale => {
            "Your baseline looks stale (the camera moved, or someone else is here): press Calibrate.".to_string()
        }
        Calibration::Idle if view.has_baseline => "Baseline: calibrated".to_string(),
        Calibration::Idle => {
            "Baseline: none yet. Sit as you should and press Calibrate.".to_string()
        }
        Calibration::Recording { .. } => {
            "Calibrating: sit as you should for 5 seconds…".to_string()
        }
        Calibration::Done { frames } => format!("Calibrated from {frames} frames."),
        Calibration::Failed(why) => format!("Calibration failed: {why}."),
    };
    ui.label(calib);
    act
}

/// The switches for announcing alerts beyond the banner (`--notify`,
/// `--sound`); they take effect at the next alert episode.
pub fn alert_switches(ui: &mut egui::Ui, notify: &mut bool, sound: &mut bool) {
    ui.horizontal(|ui| {
        ui.label("On alerts:");
        ui.checkbox(notify, "Notify");
        ui.checkbox(sound, "Chime");
    });
}

fn fmt_secs(s: f64) -> String {
    let s = s.max(0.0).round() as u64;
    if s >= 3600 {
        format!("{}h {:02}m", s / 3600, (s % 3600) / 60)
    } else {
        format!("{}m {:02}s", s / 60, s % 60)
    }
}

/// The session so far: time per state, alerts, streak, score timeline.
pub fn summary_panel(ui: &mut egui::Ui, s: &SessionSummary) {
    ui.heading("This session");
    egui::Grid::new("summary").num_columns(2).show(ui, |ui| {
        for state in [
            "upright",
            "slouched",
            "reclined",
            "leaning_left",
            "leaning_right",
            "away",
            "paused",
        ] {
            let secs = s.seconds.get(state).copied().unwrap_or(0.0);
            ui.label(state.replace('_', " "));
            ui.label(fmt_secs(secs));
            ui.end_row();
        }
        ui.label("Alerts");
        ui.label(s.alerts.to_string());
        ui.end_row();
        ui.label("Longest good streak");
        ui.label(fmt_secs(s.longest_good_streak_s));
        ui.end_row();
    });
    let points: Vec<[f64; 2]> = s.timeline.iter().map(|(t, v)| [*t, *v]).collect();
    egui_plot::Plot::new("score_timeline")
        .height(120.0)
        .include_y(0.0)
        .include_y(100.0)
        .allow_scroll(false)
        .show(ui, |plot| {
            plot.line(egui_plot::Line::new("score", points));
        });
    for (start, end, mean) in &s.worst_periods {
        ui.label(format!(
            "Worst: {}–{} (score {mean:.0})",
            fmt_secs(*start),
            fmt_secs(*end)
        ));
    }
}

/// The last days and sessions, from the database.
pub fn history_panel(ui: &mut egui::Ui, trend: &[DayTrend], sessions: &[SessionRow]) {
    ui.heading("Last 7 days");
    let bars: Vec<egui_plot::Bar> = trend
        .iter()
        .enumerate()
        .map(|(i, d)| {
            egui_plot::Bar::new(i as f64, d.upright_share.unwrap_or(0.0) * 100.0).name(&d.day)
        })
        .collect();
    egui_plot::Plot::new("trend")
        .height(100.0)
        .include_y(0.0)
        .include_y(100.0)
        .show(ui, |plot| {
            plot.bar_chart(egui_plot::BarChart::new("upright %", bars));
        });
    for s in sessions.iter().take(5) {
        ui.label(format!(
            "#{}  {}  {}  upright {}  alerts {}",
            s.id,
            crate::session::store::format_utc(s.started_at),
            fmt_secs(s.duration_s),
            s.upright_share
                .map(|u| format!("{:.0}%", u * 100.0))
                .unwrap_or("–".into()),
            s.alerts
        ));
    }
}

/// The end of a `--screenshot` / `--exit-after-frames` run, shared by the
/// live and review windows: with a path, ask once for a screenshot, save it
/// as PNG (the outcome goes to `result`) and then close; without one, close
/// at once. `closing` is set when the window is on its way out.
pub(crate) fn screenshot_and_close(
    ctx: &egui::Context,
    screenshot: Option<&std::path::PathBuf>,
    asked: &mut bool,
    result: &std::sync::Arc<std::sync::Mutex<Option<Result<std::path::PathBuf, String>>>>,
    closing: &std::sync::Arc<std::sync::atomic::AtomicBool>,
) {
    use std::sync::atomic::Ordering;
    match screenshot {
        Some(path) if !*asked => {
            *asked = true;
            let (path, result, closing, ctx2) =
                (path.clone(), result.clone(), closing.clone(), ctx.clone());
            ctx.request_screenshot(move |img| {
                let rgba = image::RgbaImage::from_raw(
                    img.size[0] as u32,
                    img.size[1] as u32,
                    img.pixels.iter().flat_map(|c| c.to_array()).collect(),
                );
                let r = match rgba {
                    Some(rgba) => rgba
                        .save(&path)
                        .map(|_| path.clone())
                        .map_err(|e| e.to_string()),
                    None => Err("the screenshot had no pixels".into()),
                };
                if let Ok(mut g) = result.lock() {
                    *g = Some(r);
                }
                closing.store(true, Ordering::SeqCst);
                ctx2.send_viewport_cmd(egui::ViewportCommand::Close);
                ctx2.request_repaint();
            });
            ctx.request_repaint();
        }
        Some(_) => {}
        None => {
            closing.store(true, Ordering::SeqCst);
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        }
    }
}
