//! The review window's views: plain functions over a
//! [`ReviewModel`] that draw and report what the user asked for as
//! [`ReviewAction`]s; [`apply`] carries them out. The skeleton is drawn
//! with the live window's [`draw_skeleton`]. [`super::review_app`] is the
//! thin eframe shell.

use egui::{Color32, RichText, Sense, TextureHandle, Vec2};

use super::{draw_skeleton, Fit};
use crate::analysis::GATE_CONFIDENCE;
use crate::assess::reba::RebaRisk;
use crate::assess::reps::{Grade, Repetition};
use crate::assess::status::lifting_part_status;
use crate::assess::{AssessConfig, LiftStyle};
use crate::review::model::{ClipSlot, ReviewModel};
use crate::review::player::{Player, SPEEDS};
use crate::review::{ClipAnalysis, ClipFrame};

/// What the user asked for. `clip` names the transport: in linked mode
/// every clip's transport is the shared one.
#[derive(Clone, Debug, PartialEq)]
pub enum ReviewAction {
    TogglePlay {
        clip: usize,
    },
    Step {
        clip: usize,
        forward: bool,
    },
    ToStart {
        clip: usize,
    },
    ToEnd {
        clip: usize,
    },
    Speed {
        clip: usize,
        speed: f64,
    },
    /// Move the transport's cursor to `t` on its timeline.
    Seek {
        clip: usize,
        t: f64,
    },
    /// Show clip `clip` at its own time `t` (the plot).
    SeekClip {
        clip: usize,
        t: f64,
    },
    /// Show the frame with decoding index `frame`.
    JumpToFrame {
        clip: usize,
        frame: usize,
    },
    ChooseRep {
        clip: usize,
        rep: usize,
    },
    SetLinked(bool),
    SetLooping(bool),
}

/// Carries out `a` on the model.
pub fn apply(m: &mut ReviewModel, a: &ReviewAction) {
    match *a {
        ReviewAction::TogglePlay { clip } => m.player_mut(clip).toggle(),
        ReviewAction::Step { clip, forward } => m.player_mut(clip).step(forward),
        ReviewAction::ToStart { clip } => m.player_mut(clip).to_start(),
        ReviewAction::ToEnd { clip } => m.player_mut(clip).to_end(),
        ReviewAction::Speed { clip, speed } => m.player_mut(clip).set_speed(speed),
        ReviewAction::Seek { clip, t } => m.player_mut(clip).seek(t),
        ReviewAction::SeekClip { clip, t } => m.seek_clip(clip, t),
        ReviewAction::JumpToFrame { clip, frame } => m.jump_to_frame(clip, frame),
        ReviewAction::ChooseRep { clip, rep } => m.choose_rep(clip, rep),
        ReviewAction::SetLinked(on) => m.set_linked(on),
        ReviewAction::SetLooping(on) => m.set_looping(on),
    }
}

/// The keyboard: space plays or pauses, ← and → step one frame, Home and
/// End jump. In unlinked mode they act on every clip.
pub fn keyboard(ctx: &egui::Context, m: &ReviewModel) -> Vec<ReviewAction> {
    let clips: Vec<usize> = if m.linked() {
        vec![0]
    } else {
        (0..m.len()).collect()
    };
    let mut out = Vec::new();
    // A text field with focus keeps its keys.
    if ctx.egui_wants_keyboard_input() {
        return out;
    }
    ctx.input(|i| {
        for &clip in &clips {
            if i.key_pressed(egui::Key::Space) {
                out.push(ReviewAction::TogglePlay { clip });
            }
            if i.key_pressed(egui::Key::ArrowRight) {
                out.push(ReviewAction::Step {
                    clip,
                    forward: true,
                });
            }
            if i.key_pressed(egui::Key::ArrowLeft) {
                out.push(ReviewAction::Step {
                    clip,
                    forward: false,
                });
            }
            if i.key_pressed(egui::Key::Home) {
                out.push(ReviewAction::ToStart { clip });
            }
            if i.key_pressed(egui::Key::End) {
                out.push(ReviewAction::ToEnd { clip });
            }
        }
    });
    out
}

/// Seconds as `12.34 s`.
pub fn fmt_s(t: f64) -> String {
    if t.is_finite() {
        format!("{t:.2} s")
    } else {
        "–".into()
    }
}

fn fmt_deg(v: Option<f32>) -> String {
    match v {
        Some(v) if v.is_finite() => format!("{v:.0}°"),
        _ => "–".into(),
    }
}

pub fn style_name(s: LiftStyle) -> &'static str {
    match s {
        LiftStyle::Squat => "squat",
        LiftStyle::SemiSquat => "semi-squat",
        LiftStyle::Stoop => "stoop",
        LiftStyle::Upright => "upright",
        LiftStyle::Unscorable => "–",
    }
}

/// REBA's action level in words (Hignett & McAtamney 2000).
pub fn risk_name(r: RebaRisk) -> &'static str {
    match r {
        RebaRisk::Negligible => "negligible",
        RebaRisk::Low => "low",
        RebaRisk::Medium => "medium",
        RebaRisk::High => "high",
        RebaRisk::VeryHigh => "very high",
    }
}

pub fn grade_name(g: Grade) -> &'static str {
    match g {
        Grade::Ungraded => "ungraded",
        Grade::Good => "good",
        Grade::Fair => "fair",
        Grade::Poor => "poor",
    }
}

fn grade_color(g: Grade) -> Color32 {
    match g {
        Grade::Ungraded => egui::Color32::GRAY,
        Grade::Good => super::SegmentStatus::Good.color(),
        Grade::Fair => super::SegmentStatus::Watch.color(),
        Grade::Poor => super::SegmentStatus::Correct.color(),
    }
}

/// "Frame 3 of 10 · 0.20 s of 1.00 s": the frame shown (1-based) and the
/// clip's own time.
pub fn frame_label(c: &ClipAnalysis, pos: usize) -> String {
    let t = c.frames.get(pos).map(|f| f.t_s).unwrap_or(0.0);
    format!(
        "Frame {} of {} · {} of {}",
        pos + 1,
        c.frames.len(),
        fmt_s(t),
        fmt_s(c.duration_s())
    )
}

/// The numbers shown beside the frame.
pub fn angle_rows(f: &ClipFrame) -> Vec<(&'static str, String)> {
    let Some(a) = &f.assessment else {
        return vec![("Person", "not found in this frame".into())];
    };
    let l = &a.lifting;
    vec![
        ("Trunk flexion", fmt_deg(l.trunk_flexion)),
        ("Knee flexion", fmt_deg(l.knee_flexion)),
        ("Hip angle", fmt_deg(l.hip_angle)),
        (
            "REBA",
            match (l.reba, l.reba_risk) {
                (Some(r), Some(k)) => format!("{r} ({})", risk_name(k)),
                (Some(r), None) => r.to_string(),
                _ => "–".into(),
            },
        ),
        ("Style", style_name(l.style).into()),
        ("View", format!("{:?}", a.view.view).to_lowercase()),
    ]
}

/// The repetitions table's header.
pub const REP_COLUMNS: [&str; 11] = [
    "#",
    "Start",
    "Bottom",
    "End",
    "Duration",
    "Peak trunk",
    "Knee at bottom",
    "Style",
    "REBA max",
    "Grade",
    "Cue",
];

/// One row of the repetitions table (`k` counts from 0).
pub fn rep_row(k: usize, r: &Repetition) -> [String; 11] {
    [
        format!("{}{}", k + 1, if r.partial { " (partial)" } else { "" }),
        fmt_s(r.start_s),
        fmt_s(r.bottom_s),
        fmt_s(r.end_s),
        fmt_s(r.duration_s),
        fmt_deg(r.peak_trunk_flexion_deg),
        fmt_deg(r.knee_flexion_at_bottom_deg),
        style_name(r.style).into(),
        r.reba_max.map(|v| v.to_string()).unwrap_or("–".into()),
        grade_name(r.grade).into(),
        r.cue.clone(),
    ]
}

/// Trunk and knee flexion over the clip's time, split where they were not
/// measured: (trunk segments, knee segments).
pub type Series = Vec<Vec<[f64; 2]>>;
pub fn angle_series(c: &ClipAnalysis) -> (Series, Series) {
    let split = |get: &dyn Fn(&ClipFrame) -> Option<f32>| {
        let mut out: Series = Vec::new();
        let mut cur = Vec::new();
        for f in &c.frames {
            match get(f).filter(|v| v.is_finite()) {
                Some(v) => cur.push([f.t_s, f64::from(v)]),
                None if !cur.is_empty() => out.push(std::mem::take(&mut cur)),
                None => {}
            }
        }
        if !cur.is_empty() {
            out.push(cur);
        }
        out
    };
    (
        split(&|f| f.assessment.as_ref()?.lifting.trunk_flexion),
        split(&|f| f.assessment.as_ref()?.lifting.knee_flexion),
    )
}

/// Play/pause, step, jump, speed, loop and the time slider of one
/// transport.
pub fn transport(
    ui: &mut egui::Ui,
    p: &Player,
    clip: usize,
    looping: bool,
    out: &mut Vec<ReviewAction>,
) {
    ui.horizontal(|ui| {
        if ui.button("Start").clicked() {
            out.push(ReviewAction::ToStart { clip });
        }
        if ui.button("Previous frame").clicked() {
            out.push(ReviewAction::Step {
                clip,
                forward: false,
            });
        }
        let play = if p.playing() { "Pause" } else { "Play" };
        if ui.button(play).clicked() {
            out.push(ReviewAction::TogglePlay { clip });
        }
        if ui.button("Next frame").clicked() {
            out.push(ReviewAction::Step {
                clip,
                forward: true,
            });
        }
        if ui.button("End").clicked() {
            out.push(ReviewAction::ToEnd { clip });
        }
        egui::ComboBox::new(("speed", clip), "Speed")
            .selected_text(format!("{}×", p.speed()))
            .width(60.0)
            .show_ui(ui, |ui| {
                for s in SPEEDS {
                    if ui
                        .selectable_label((p.speed() - s).abs() < 1e-9, format!("{s}×"))
                        .clicked()
                    {
                        out.push(ReviewAction::Speed { clip, speed: s });
                    }
                }
            });
        let mut lp = looping;
        if ui.checkbox(&mut lp, "Loop").changed() {
            out.push(ReviewAction::SetLooping(lp));
        }
    });
    let mut t = p.time();
    let (lo, hi) = (p.start_s(), p.last_s().max(p.start_s()));
    ui.spacing_mut().slider_width = (ui.available_width() - 120.0).max(80.0);
    let r = ui.add(
        egui::Slider::new(&mut t, lo..=hi)
            .text("Time")
            .suffix(" s")
            .fixed_decimals(2),
    );
    if r.changed() {
        out.push(ReviewAction::Seek { clip, t });
    }
}

/// The frame with its skeleton, fitted in `size`, the trunk and legs
/// coloured by the lifting judgement of the frame.
pub fn frame_view(
    ui: &mut egui::Ui,
    c: &ClipAnalysis,
    pos: usize,
    texture: Option<&TextureHandle>,
    size: Vec2,
    cfg: &AssessConfig,
) {
    let (rect, _) = ui.allocate_exact_size(size, Sense::hover());
    ui.painter().rect_filled(rect, 0.0, Color32::from_gray(20));
    let fit = Fit::new(rect, [c.width as usize, c.height as usize]);
    if let Some(tex) = texture {
        ui.painter().image(
            tex.id(),
            fit.rect,
            egui::Rect::from_min_max(egui::pos2(0.0, 0.0), egui::pos2(1.0, 1.0)),
            Color32::WHITE,
        );
    }
    if let Some(f) = c.frames.get(pos) {
        if let Some(p) = &f.pose {
            let a = f.assessment.as_ref();
            draw_skeleton(
                ui.painter(),
                &fit,
                &p.keypoints,
                |part| lifting_part_status(a, cfg, part),
                GATE_CONFIDENCE,
            );
        }
    }
}

/// The angles at the frame shown.
pub fn angles_grid(ui: &mut egui::Ui, clip: usize, f: &ClipFrame) {
    egui::Grid::new(("review_angles", clip))
        .num_columns(2)
        .striped(true)
        .show(ui, |ui| {
            for (k, v) in angle_rows(f) {
                ui.label(k);
                ui.label(v);
                ui.end_row();
            }
        });
}

/// Trunk and knee flexion over time, the repetitions shaded (the chosen
/// one darker) with their start, bottom and end marked, and a cursor at
/// `now`; a click or drag on the plot seeks there.
pub fn angle_plot(
    ui: &mut egui::Ui,
    clip: usize,
    c: &ClipAnalysis,
    chosen: Option<usize>,
    now: f64,
    height: f32,
    out: &mut Vec<ReviewAction>,
) {
    let (trunk, knee) = angle_series(c);
    if trunk.is_empty() && knee.is_empty() {
        ui.label(
            "No trunk or knee angle was measured in this clip: the hips (and, for the knees, the legs) must be in view.",
        );
    }
    let end = c.frames.last().map(|f| f.t_s).unwrap_or(0.0);
    let start = c.frames.first().map(|f| f.t_s).unwrap_or(0.0);
    let resp = egui_plot::Plot::new(("review_plot", clip))
        .height(height)
        .include_x(start)
        .include_x(end)
        .include_y(0.0)
        .include_y(90.0)
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .allow_double_click_reset(false)
        .x_axis_label("time (s)")
        .y_axis_label("angle (°)")
        .legend(egui_plot::Legend::default())
        .show(ui, |plot| {
            for (k, r) in c.reps.iter().enumerate() {
                let strong = chosen == Some(k);
                let fill = Color32::from_rgba_unmultiplied(
                    grade_color(r.grade).r(),
                    grade_color(r.grade).g(),
                    grade_color(r.grade).b(),
                    if strong { 60 } else { 30 },
                );
                plot.span(
                    egui_plot::Span::new(format!("rep {}", k + 1), r.start_s..=r.end_s).fill(fill),
                );
                for (x, w) in [(r.start_s, 1.0), (r.bottom_s, 2.5), (r.end_s, 1.0)] {
                    plot.vline(
                        egui_plot::VLine::new("rep marks", x)
                            .color(grade_color(r.grade))
                            .width(w)
                            .style(egui_plot::LineStyle::dashed_dense()),
                    );
                }
            }
            for seg in trunk {
                plot.line(
                    egui_plot::Line::new("trunk flexion", seg)
                        .color(Color32::from_rgb(80, 160, 255))
                        .width(2.0),
                );
            }
            for seg in knee {
                plot.line(
                    egui_plot::Line::new("knee flexion", seg)
                        .color(Color32::from_rgb(255, 140, 60))
                        .width(2.0),
                );
            }
            plot.vline(
                egui_plot::VLine::new("now", now)
                    .color(Color32::WHITE)
                    .width(1.5),
            );
        });
    let r = &resp.response;
    if r.clicked() || r.dragged() {
        if let Some(pos) = r.interact_pointer_pos() {
            let t = resp.transform.value_from_position(pos).x;
            out.push(ReviewAction::SeekClip { clip, t });
        }
    }
}

/// The repetitions: a click on a row shows its deepest point, "Worst
/// frame" its worst frame; in a comparison, which one to align at.
pub fn reps_table(
    ui: &mut egui::Ui,
    clip: usize,
    c: &ClipAnalysis,
    now: f64,
    out: &mut Vec<ReviewAction>,
) {
    if c.reps.is_empty() {
        ui.label("No lift was found in this clip.");
        return;
    }
    // Scrolls sideways in a narrow column (two clips), with solid bars:
    // a floating bar would lie over the last row and take its clicks.
    ui.spacing_mut().scroll = egui::style::ScrollStyle::solid();
    egui::ScrollArea::both()
        .id_salt(("reps_scroll", clip))
        .max_height(ui.available_height().max(80.0))
        .show(ui, |ui| {
            egui::Grid::new(("reps", clip))
                .num_columns(REP_COLUMNS.len() + 1)
                .striped(true)
                .show(ui, |ui| {
                    for h in REP_COLUMNS {
                        ui.label(RichText::new(h).strong());
                    }
                    ui.label("");
                    ui.end_row();
                    for (k, r) in c.reps.iter().enumerate() {
                        let here = now >= r.start_s - 1e-9 && now <= r.end_s + 1e-9;
                        let mut clicked = false;
                        for (col, cell) in rep_row(k, r).into_iter().enumerate() {
                            let text = if col == 9 {
                                RichText::new(cell).color(grade_color(r.grade)).strong()
                            } else {
                                RichText::new(cell)
                            };
                            clicked |= ui.selectable_label(here, text).clicked();
                        }
                        if clicked {
                            out.push(ReviewAction::JumpToFrame {
                                clip,
                                frame: r.bottom_frame,
                            });
                        }
                        if ui.button("Worst frame").clicked() {
                            out.push(ReviewAction::JumpToFrame {
                                clip,
                                frame: r.worst_frame,
                            });
                        }
                        ui.end_row();
                    }
                });
        });
}

fn short_name(path: &str) -> String {
    std::path::Path::new(path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.to_string())
}

/// Progress of a clip being analysed.
pub fn loading_view(ui: &mut egui::Ui, name: &str, done: usize, total: Option<u64>) {
    ui.label(match total {
        Some(t) => format!("Analysing {}: frame {done} of {t}…", short_name(name)),
        None => format!("Analysing {}: frame {done}…", short_name(name)),
    });
    let frac = total
        .filter(|t| *t > 0)
        .map(|t| (done as f32 / t as f32).clamp(0.0, 1.0));
    match frac {
        Some(f) => ui.add(egui::ProgressBar::new(f).show_percentage()),
        None => ui.add(egui::ProgressBar::new(0.0).animate(true)),
    };
}

/// One clip's column: frame and angles, transport when unlinked, plot,
/// repetitions and warnings.
pub fn clip_panel(
    ui: &mut egui::Ui,
    m: &ReviewModel,
    clip: usize,
    texture: Option<&TextureHandle>,
    cfg: &AssessConfig,
    out: &mut Vec<ReviewAction>,
) {
    let Some(slot) = m.slot(clip) else {
        return;
    };
    let c = match slot {
        ClipSlot::Loading { name, done, total } => {
            ui.heading(short_name(name));
            loading_view(ui, name, *done, *total);
            return;
        }
        ClipSlot::Failed { name, error } => {
            ui.heading(short_name(name));
            ui.colored_label(
                super::SegmentStatus::Correct.color(),
                format!("Cannot review {}: {error}", short_name(name)),
            );
            return;
        }
        ClipSlot::Ready(c) => c,
    };
    let pos = m.position(clip).unwrap_or(0);
    let now = m.clip_time(clip);
    ui.horizontal(|ui| {
        ui.heading(short_name(&c.source));
        ui.label(frame_label(c, pos));
    });
    let avail = ui.available_size();
    let side = 230.0;
    let img_w = (avail.x - side - 16.0).max(160.0);
    let img_h = (avail.y * 0.5).clamp(120.0, 560.0);
    ui.horizontal(|ui| {
        frame_view(ui, c, pos, texture, Vec2::new(img_w, img_h), cfg);
        ui.vertical(|ui| {
            ui.set_width(side);
            if let Some(f) = c.frames.get(pos) {
                angles_grid(ui, clip, f);
            }
            if let Some(w) = m.clip_worst_frame(clip) {
                if ui.button("Worst frame of the clip").clicked() {
                    out.push(ReviewAction::JumpToFrame { clip, frame: w });
                }
            }
            if m.len() > 1 && !c.reps.is_empty() {
                let chosen = m.chosen(clip);
                egui::ComboBox::new(("align_rep", clip), "Align at")
                    .selected_text(match chosen {
                        Some(k) => format!("rep {}", k + 1),
                        None => "–".into(),
                    })
                    .show_ui(ui, |ui| {
                        for k in 0..c.reps.len() {
                            if ui
                                .selectable_label(chosen == Some(k), format!("rep {}", k + 1))
                                .clicked()
                            {
                                out.push(ReviewAction::ChooseRep { clip, rep: k });
                            }
                        }
                    });
            }
        });
    });
    if !m.linked() && m.len() > 1 {
        transport(ui, m.player(clip), clip, m.looping(), out);
    }
    angle_plot(ui, clip, c, m.chosen(clip), now, 150.0, out);
    for w in &c.warnings {
        ui.colored_label(
            super::SegmentStatus::Watch.color(),
            format!("Decoder warning: {w}"),
        );
    }
    reps_table(ui, clip, c, now, out);
}

/// What sits above the clips when two are compared.
pub fn alignment_bar(ui: &mut egui::Ui, m: &ReviewModel, out: &mut Vec<ReviewAction>) {
    if m.len() < 2 {
        return;
    }
    ui.horizontal(|ui| {
        let mut linked = m.linked();
        if ui
            .checkbox(&mut linked, "Link the clips (one transport)")
            .changed()
        {
            out.push(ReviewAction::SetLinked(linked));
        }
        ui.label(alignment_text(m));
    });
}

/// How the clips are lined up, in words.
pub fn alignment_text(m: &ReviewModel) -> String {
    if !m.settled() {
        return "Aligning when both clips are analysed…".into();
    }
    if !m.linked() {
        return "Unlinked: each clip has its own transport.".into();
    }
    if m.aligned_at_reps() {
        let reps: Vec<String> = (0..m.len())
            .filter_map(|i| m.chosen(i).map(|k| format!("rep {}", k + 1)))
            .collect();
        format!(
            "Aligned at the deepest points of {} (clip B shifted {}).",
            reps.join(" and "),
            fmt_s(m.offset(1) - m.offset(0))
        )
    } else {
        "Both clips start together: a clip without a lift cannot be aligned.".into()
    }
}

/// The whole window: alignment, the clips side by side, the shared
/// transport. Returns what the user asked for (not yet applied).
pub fn review_ui(
    ui: &mut egui::Ui,
    m: &ReviewModel,
    textures: &[Option<TextureHandle>],
    cfg: &AssessConfig,
) -> Vec<ReviewAction> {
    let mut out = Vec::new();
    egui::Panel::bottom("review_transport").show(ui, |ui| {
        ui.add_space(4.0);
        if m.linked() || m.len() == 1 {
            if m.settled() && (0..m.len()).any(|i| m.ready(i).is_some()) {
                transport(ui, m.shared(), 0, m.looping(), &mut out);
            } else {
                ui.label("Controls appear when the analysis is done.");
            }
        }
        ui.label("Keys: Space play/pause · Left/Right arrow one frame · Home/End first/last frame");
    });
    egui::Panel::top("review_top").show(ui, |ui| {
        alignment_bar(ui, m, &mut out);
    });
    egui::CentralPanel::default().show(ui, |ui| {
        let n = m.len().max(1);
        ui.columns(n, |cols| {
            for (i, col) in cols.iter_mut().enumerate() {
                let tex = textures.get(i).and_then(|t| t.as_ref());
                col.push_id(("clip", i), |ui| clip_panel(ui, m, i, tex, cfg, &mut out));
            }
        });
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assess::reps::Grade;
    use crate::review::model::tests::{clip, rep};

    #[test]
    fn times_and_angles_are_formatted_with_units() {
        assert_eq!(fmt_s(1.234), "1.23 s");
        assert_eq!(fmt_s(f64::NAN), "–");
        assert_eq!(fmt_deg(Some(71.6)), "72°");
        assert_eq!(fmt_deg(None), "–");
        assert_eq!(fmt_deg(Some(f32::NAN)), "–");
    }

    #[test]
    fn the_frame_label_counts_from_one_and_shows_both_times() {
        let c = clip("a.mp4", 10, 10.0, vec![]);
        assert_eq!(frame_label(&c, 0), "Frame 1 of 10 · 0.00 s of 1.00 s");
        assert_eq!(frame_label(&c, 3), "Frame 4 of 10 · 0.30 s of 1.00 s");
    }

    #[test]
    fn a_rep_row_shows_every_column() {
        let mut r = rep(4, 8, 12, 10.0, true);
        r.grade = Grade::Fair;
        r.style = LiftStyle::SemiSquat;
        assert_eq!(
            rep_row(1, &r),
            [
                "2 (partial)",
                "0.40 s",
                "0.80 s",
                "1.20 s",
                "0.80 s",
                "70°",
                "30°",
                "semi-squat",
                "8",
                "fair",
                "bend your knees more: your back angle peaked at 70°",
            ]
            .map(String::from)
        );
        assert_eq!(REP_COLUMNS.len(), rep_row(0, &r).len());
    }

    #[test]
    fn angle_rows_read_the_frame_assessment() {
        let c = clip("a", 1, 10.0, vec![]);
        assert_eq!(
            angle_rows(&c.frames[0]),
            vec![("Person", "not found in this frame".to_string())]
        );
        // An assessment of a pose with nothing seen: every row still there.
        let kps = crate::pose::Keypoints::default();
        let a = crate::assess::Assessor::default().assess(&kps);
        let mut f = c.frames[0].clone();
        f.assessment = Some(a.clone());
        let rows = angle_rows(&f);
        let names: Vec<&str> = rows.iter().map(|r| r.0).collect();
        assert_eq!(
            names,
            [
                "Trunk flexion",
                "Knee flexion",
                "Hip angle",
                "REBA",
                "Style",
                "View"
            ]
        );
        assert_eq!(rows[0].1, fmt_deg(a.lifting.trunk_flexion));
        assert_eq!(rows[4].1, style_name(a.lifting.style));
    }

    #[test]
    fn angle_series_split_where_unmeasured() {
        let mut c = clip("a", 5, 10.0, vec![]);
        let base = crate::assess::Assessor::default().assess(&crate::pose::Keypoints::default());
        for (i, v) in [Some(10.0), Some(20.0), None, Some(40.0), Some(f32::NAN)]
            .into_iter()
            .enumerate()
        {
            let mut a = base.clone();
            a.lifting.trunk_flexion = v;
            a.lifting.knee_flexion = Some(5.0);
            c.frames[i].assessment = Some(a);
        }
        let (trunk, knee) = angle_series(&c);
        assert_eq!(
            trunk,
            vec![vec![[0.0, 10.0], [0.1, 20.0]], vec![[3.0 / 10.0, 40.0]]]
        );
        assert_eq!(knee.len(), 1);
        assert_eq!(knee[0].len(), 5);
    }

    #[test]
    fn actions_drive_the_model() {
        let c = clip("a", 20, 10.0, vec![rep(4, 8, 12, 10.0, false)]);
        let mut m = ReviewModel::new(vec![ClipSlot::Ready(std::sync::Arc::new(c))]);
        apply(
            &mut m,
            &ReviewAction::Step {
                clip: 0,
                forward: true,
            },
        );
        assert_eq!(m.position(0), Some(1));
        apply(&mut m, &ReviewAction::JumpToFrame { clip: 0, frame: 8 });
        assert_eq!(m.position(0), Some(8));
        apply(&mut m, &ReviewAction::SeekClip { clip: 0, t: 1.55 });
        assert_eq!(m.position(0), Some(15));
        apply(&mut m, &ReviewAction::ToEnd { clip: 0 });
        assert_eq!(m.position(0), Some(19));
        apply(
            &mut m,
            &ReviewAction::Speed {
                clip: 0,
                speed: 0.25,
            },
        );
        assert_eq!(m.shared().speed(), 0.25);
        apply(&mut m, &ReviewAction::TogglePlay { clip: 0 });
        assert!(m.shared().playing());
        assert_eq!(m.position(0), Some(0), "playing from the end restarts");
    }
}
