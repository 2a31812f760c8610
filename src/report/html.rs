//! The report page: one HTML document with inline CSS, inline SVG and PNG
//! data URIs; no scripts and no external references.

use std::fmt::Write;

use base64::Engine;
use image::RgbImage;

use super::format::{self, escape};
use super::svg::{plot_svg, KNEE_COLOUR, RISK_FILLS, TRUNK_COLOUR};
use super::{ClipReport, KeyFrame};
use crate::assess::reps::Repetition;
use crate::assess::status::{SegmentStatus, REBA_TRUNK_SEVERE_DEG};
use crate::assess::AssessConfig;

/// Key frames larger than this (either side, pixels) are scaled down before
/// they are embedded, to keep the report small enough to e-mail.
pub const MAX_EMBED_PX: u32 = 640;

const CSS: &str = r#"
:root{color-scheme:light}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#1b1b1b;background:#fff;margin:0 auto;max-width:1100px;padding:24px;line-height:1.45;font-size:15px}
h1{font-size:26px;margin:0 0 4px}
h2{font-size:20px;margin:32px 0 8px;border-bottom:2px solid #1f4e9c;padding-bottom:4px;overflow-wrap:anywhere}
h3{font-size:16px;margin:20px 0 6px}
.meta{color:#555;margin:0}
.summary{font-size:16px;margin:8px 0}
.nolift{background:#fff4d6;border-left:5px solid #e0a100;padding:10px 14px;font-size:17px;font-weight:600;margin:8px 0}
table{border-collapse:collapse;width:100%;font-size:13.5px}
th,td{border:1px solid #c8c8c8;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#eef2f7;font-weight:600}
td.n{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
tr.worst td{background:#fdecea}
.tag{display:inline-block;background:#c62828;color:#fff;border-radius:3px;padding:0 4px;font-size:11px;font-weight:600;margin-left:4px}
.partial{display:block;color:#555;font-size:11px}
.grade-good{color:#1b7a35;font-weight:600}
.grade-fair{color:#9a6700;font-weight:600}
.grade-poor{color:#c62828;font-weight:600}
figure{margin:0}
.plot-fig{margin:12px 0}
.plot-fig svg.plot{width:100%;height:auto;max-width:864px;display:block}
.legend{font-size:13px;color:#333}
.swatch{display:inline-block;vertical-align:middle;margin:0 4px 0 10px}
.frames{display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:12px}
.frames img{width:100%;height:auto;border:1px solid #c8c8c8;display:block}
figcaption{font-size:13px;color:#333;margin-top:3px}
.missing{border:1px dashed #c8c8c8;padding:24px;text-align:center;color:#555}
.warnings li{color:#7a4b00}
.thresholds td:nth-child(3){white-space:nowrap}
tr.group th{background:#dfe7f1;text-align:left}
.changed{color:#9a6700;font-weight:600}
footer{margin-top:32px;color:#555;font-size:12.5px;border-top:1px solid #ccc;padding-top:8px}
@page{size:A4;margin:14mm}
@media print{body{padding:0;max-width:none;font-size:10.5pt}section.clip+section.clip{break-before:page}tr,figure{break-inside:avoid}.frames{grid-template-columns:repeat(3,1fr)}*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
"#;

/// The worst of two or more repetitions: the worst grade, then the highest
/// REBA, then the most trunk flexion; the earliest on a tie. None for fewer
/// than two (there is nothing to single out).
pub(crate) fn worst_rep(reps: &[Repetition]) -> Option<usize> {
    if reps.len() < 2 {
        return None;
    }
    reps.iter()
        .enumerate()
        .rev()
        .max_by(|(_, a), (_, b)| {
            a.grade
                .cmp(&b.grade)
                .then(a.reba_max.cmp(&b.reba_max))
                .then(
                    a.peak_trunk_flexion_deg
                        .unwrap_or(f32::NEG_INFINITY)
                        .total_cmp(&b.peak_trunk_flexion_deg.unwrap_or(f32::NEG_INFINITY)),
                )
        })
        .map(|(i, _)| i)
}

/// The frame as a base64 PNG (scaled down to [`MAX_EMBED_PX`] if larger),
/// with its embedded size; None for an empty image or a failed encode.
fn embed_png(img: &RgbImage) -> Option<(String, u32, u32)> {
    let (w, h) = img.dimensions();
    if w == 0 || h == 0 {
        return None;
    }
    let scaled;
    let img = if w.max(h) > MAX_EMBED_PX {
        let k = f64::from(MAX_EMBED_PX) / f64::from(w.max(h));
        let nw = ((f64::from(w) * k).round() as u32).max(1);
        let nh = ((f64::from(h) * k).round() as u32).max(1);
        scaled = image::imageops::resize(img, nw, nh, image::imageops::FilterType::Triangle);
        &scaled
    } else {
        img
    };
    let mut png = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .ok()?;
    Some((
        base64::engine::general_purpose::STANDARD.encode(&png),
        img.width(),
        img.height(),
    ))
}

fn label_rank(label: &str) -> u8 {
    match label {
        "start" => 0,
        "deepest" => 1,
        "worst" => 2,
        _ => 3,
    }
}

fn summary(o: &mut String, clip: &ClipReport) {
    let mut parts = vec![
        format!("Duration {}", format::duration(clip.duration_s)),
        format!(
            "{} frame{} analysed",
            clip.frames,
            if clip.frames == 1 { "" } else { "s" }
        ),
    ];
    if !clip.reps.is_empty() {
        let partial = clip.reps.iter().filter(|r| r.partial).count();
        let mut s = format!(
            "{} repetition{} found",
            clip.reps.len(),
            if clip.reps.len() == 1 { "" } else { "s" }
        );
        if partial > 0 {
            let _ = write!(s, " ({partial} partial)");
        }
        parts.push(s);
        if let Some(max) = clip.reps.iter().filter_map(|r| r.reba_max).max() {
            parts.push(format!("highest REBA {}", format::reba(Some(max))));
        }
    }
    let _ = write!(o, r#"<p class="summary">{}</p>"#, parts.join(" · "));
    if let Some(e) = &clip.error {
        let _ = write!(
            o,
            r#"<p class="nolift">This clip could not be analysed: {}</p>"#,
            escape(e)
        );
    } else if clip.reps.is_empty() {
        o.push_str(r#"<p class="nolift">No lift was found in this clip.</p>"#);
    }
}

fn rep_table(o: &mut String, reps: &[Repetition], worst: Option<usize>) {
    o.push_str(
        "<table class=\"reps\"><thead><tr><th>#</th><th>Start (s)</th><th>Bottom (s)</th>\
<th>End (s)</th><th>Duration (s)</th><th>Peak trunk flexion</th><th>Knee flexion at bottom</th>\
<th>Style</th><th>REBA max</th><th>Asymmetry</th><th>Grade</th><th>Cue</th></tr></thead><tbody>",
    );
    for (i, r) in reps.iter().enumerate() {
        let is_worst = worst == Some(i);
        let _ = write!(
            o,
            "<tr{}><td class=\"n\">{}{}{}</td>",
            if is_worst { " class=\"worst\"" } else { "" },
            i + 1,
            if is_worst {
                "<span class=\"tag\">worst</span>"
            } else {
                ""
            },
            if r.partial {
                "<span class=\"partial\">partial</span>"
            } else {
                ""
            },
        );
        for v in [
            format::secs(r.start_s),
            format::secs(r.bottom_s),
            format::secs(r.end_s),
            format::secs(r.duration_s),
            format::deg(r.peak_trunk_flexion_deg),
            format::deg(r.knee_flexion_at_bottom_deg),
        ] {
            let _ = write!(o, "<td class=\"n\">{v}</td>");
        }
        let grade = format::grade(r.grade);
        let _ = write!(
            o,
            "<td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"grade-{grade}\">{grade}</td><td>{}</td></tr>",
            format::style(r.style),
            format::reba(r.reba_max),
            format::deg(r.asymmetry_deg),
            escape(&r.cue)
        );
    }
    o.push_str("</tbody></table>");
}

fn legend_swatch(colour: &str, dashed: bool) -> String {
    format!(
        r#"<svg class="swatch" width="28" height="8" aria-hidden="true"><line x1="0" y1="4" x2="28" y2="4" stroke="{colour}" stroke-width="2"{}/></svg>"#,
        if dashed {
            r#" stroke-dasharray="6 3""#
        } else {
            ""
        }
    )
}

fn status_swatch(s: SegmentStatus) -> String {
    let [r, g, b] = s.rgb();
    format!(
        r#"<svg class="swatch" width="22" height="8" aria-hidden="true"><rect width="22" height="8" fill="rgb({r},{g},{b})"/></svg>"#
    )
}

fn key_frames(o: &mut String, clip: &ClipReport, cfg: &AssessConfig) {
    let mut frames: Vec<&KeyFrame> = clip.key_frames.iter().collect();
    let rep_of = |k: &KeyFrame| k.rep.filter(|&r| r < clip.reps.len());
    frames.sort_by(|a, b| {
        rep_of(a)
            .unwrap_or(usize::MAX)
            .cmp(&rep_of(b).unwrap_or(usize::MAX))
            .then(label_rank(&a.label).cmp(&label_rank(&b.label)))
            .then(a.t_s.total_cmp(&b.t_s))
    });
    let _ = write!(
        o,
        "<h3>Key frames</h3><p class=\"legend\">Skeleton colours: {}good; {}watch: trunk \
flexed {}–{}°, or knees nearly straight (under {}°) in a bent lift; {}correct: trunk flexed beyond {}°.</p>",
        status_swatch(SegmentStatus::Good),
        status_swatch(SegmentStatus::Watch),
        format::num(cfg.lifting.upright_trunk_deg),
        format::num(REBA_TRUNK_SEVERE_DEG),
        format::num(cfg.lifting.stoop_max_knee_deg),
        status_swatch(SegmentStatus::Correct),
        format::num(REBA_TRUNK_SEVERE_DEG),
    );
    o.push_str("<div class=\"frames\">");
    for k in frames {
        let mut caption = String::new();
        if let Some(r) = rep_of(k) {
            let _ = write!(caption, "Repetition {} · ", r + 1);
        }
        let _ = write!(caption, "{} · {} s", escape(&k.label), format::secs(k.t_s));
        match embed_png(&k.image) {
            Some((b64, w, h)) => {
                let _ = write!(
                    o,
                    r#"<figure><img src="data:image/png;base64,{b64}" width="{w}" height="{h}" alt="{caption}"><figcaption>{caption}</figcaption></figure>"#
                );
            }
            None => {
                let _ = write!(
                    o,
                    r#"<figure><div class="missing">This frame could not be embedded.</div><figcaption>{caption}</figcaption></figure>"#
                );
            }
        }
    }
    o.push_str("</div>");
}

fn clip_section(o: &mut String, n: usize, clip: &ClipReport, cfg: &AssessConfig) {
    let _ = write!(
        o,
        r#"<section class="clip" id="clip-{n}"><h2>Clip {n}: {}</h2>"#,
        escape(&clip.source)
    );
    summary(o, clip);
    if clip.error.is_some() {
        o.push_str("</section>");
        return;
    }
    let worst = worst_rep(&clip.reps);
    if !clip.reps.is_empty() {
        o.push_str("<h3>Repetitions</h3>");
        rep_table(o, &clip.reps, worst);
    }
    let _ = write!(
        o,
        "<h3>Angles over time</h3><figure class=\"plot-fig\">{}<figcaption class=\"legend\">{}trunk flexion{}knee flexion.{}{} \
Gaps: no angle measured (no person, or the joints not seen).</figcaption></figure>",
        plot_svg(clip, worst),
        legend_swatch(TRUNK_COLOUR, false),
        legend_swatch(KNEE_COLOUR, true),
        match (clip.reps.is_empty(), worst.is_some()) {
            (true, _) => "",
            (false, true) => " Shaded: repetitions, numbered as in the table, the worst in red; dashed line and triangle: the deepest point.",
            (false, false) => " Shaded: repetitions, numbered as in the table; dashed line and triangle: the deepest point.",
        },
        if clip.series.iter().any(|p| p.reba.is_some()) {
            let mut s = String::from(" Strip under the plot: each frame's REBA risk,");
            for (_, fill, name) in RISK_FILLS {
                let _ = write!(
                    s,
                    r#"<svg class="swatch" width="14" height="10" aria-hidden="true"><rect width="14" height="10" fill="{fill}"/></svg>{}"#,
                    name.replace('-', " ")
                );
            }
            s.push('.');
            s
        } else {
            String::new()
        },
    );
    if !clip.key_frames.is_empty() {
        key_frames(o, clip, cfg);
    }
    if !clip.warnings.is_empty() {
        o.push_str("<h3>Warnings</h3><ul class=\"warnings\">");
        for w in &clip.warnings {
            let _ = write!(o, "<li>{}</li>", escape(w));
        }
        o.push_str("</ul>");
    }
    o.push_str("</section>");
}

/// One row of the thresholds table.
struct Threshold {
    /// The heading of the rows this one belongs to.
    group: &'static str,
    key: &'static str,
    what: &'static str,
    value: String,
    default: String,
    source: &'static str,
}

const REBA: &str = "REBA, Hignett &amp; McAtamney 2000";

fn thresholds(cfg: &AssessConfig) -> Vec<Threshold> {
    let d = AssessConfig::default();
    let deg = |v: f32| format!("{}°", format::num(v));
    let coupling = |c: crate::assess::reba::Coupling| {
        let name = serde_json::to_value(c)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        format!("{name} (+{})", c.score())
    };
    let (l, dl) = (&cfg.lifting, &d.lifting);
    let (r, dr) = (&cfg.reps, &d.reps);
    vec![
        Threshold {
            group: KEYPOINTS,
            key: "gate_confidence",
            what: "Keypoints below this confidence are not used",
            value: format::num(cfg.gate_confidence),
            default: format::num(d.gate_confidence),
            source: "MoveNet's demos draw keypoints from 0.3",
        },
        Threshold {
            group: KEYPOINTS,
            key: "upright_tolerance_deg",
            what: "A trunk this close to vertical counts as upright",
            value: deg(cfg.upright_tolerance_deg),
            default: deg(d.upright_tolerance_deg),
            source: "posturecam: 2-D keypoints wobble by a few degrees, and REBA scores an exactly upright trunk lower than one flexed 0–20°",
        },
        Threshold {
            group: LIFTING,
            key: "lifting.upright_trunk_deg",
            what: "Upright: trunk flexion below",
            value: deg(l.upright_trunk_deg),
            default: deg(dl.upright_trunk_deg),
            source: "REBA's first trunk band, 0–20° (REBA, Hignett &amp; McAtamney 2000)",
        },
        Threshold {
            group: LIFTING,
            key: "lifting.upright_knee_deg",
            what: "Upright: knee flexion below",
            value: deg(l.upright_knee_deg),
            default: deg(dl.upright_knee_deg),
            source: "REBA's knee adjustment starts at 30° of flexion (REBA, Hignett &amp; McAtamney 2000)",
        },
        Threshold {
            group: LIFTING,
            key: "lifting.stoop_max_knee_deg",
            what: "Stoop: a bent lift with knee flexion below",
            value: deg(l.stoop_max_knee_deg),
            default: deg(dl.stoop_max_knee_deg),
            source: "Lifting-technique studies separating stoop, semi-squat and squat by knee flexion (e.g. Burgess-Limerick 2003, Int J Ind Ergon 31:143–148; Straker 2003)",
        },
        Threshold {
            group: LIFTING,
            key: "lifting.squat_min_knee_deg",
            what: "Squat: knee flexion from (semi-squat between)",
            value: deg(l.squat_min_knee_deg),
            default: deg(dl.squat_min_knee_deg),
            source: "As above (Burgess-Limerick 2003; Straker 2003)",
        },
        Threshold {
            group: LIFTING,
            key: "lifting.load_kg",
            what: "Load handled (a frame cannot show it)",
            value: format!("{} kg", format::num(l.load_kg)),
            default: format!("{} kg", format::num(dl.load_kg)),
            source: "REBA load/force score: under 5 kg +0, 5–10 kg +1, over 10 kg +2 (REBA, Hignett &amp; McAtamney 2000)",
        },
        Threshold {
            group: LIFTING,
            key: "lifting.coupling",
            what: "Hand hold on the load",
            value: coupling(l.coupling),
            default: coupling(dl.coupling),
            source: "REBA coupling score: good +0, fair +1, poor +2, unacceptable +3 (REBA, Hignett &amp; McAtamney 2000)",
        },
        Threshold {
            group: LIFTING,
            key: "lifting.activity",
            what: "Activity score",
            value: format!("+{}", l.activity),
            default: format!("+{}", dl.activity),
            source: "REBA activity score: +1 each for a posture held over 1 min, repeated more than 4 times a minute, rapid large changes (REBA, Hignett &amp; McAtamney 2000)",
        },
        Threshold {
            group: FINDING,
            key: "reps.median_window_s",
            what: "Smoothing: running median over",
            value: secs(r.median_window_s),
            default: secs(dr.median_window_s),
            source: "posturecam: removes keypoint glitches a few frames long and keeps the edges of a lift sharp",
        },
        Threshold {
            group: FINDING,
            key: "reps.mean_window_s",
            what: "Smoothing: then a running mean over",
            value: secs(r.mean_window_s),
            default: secs(dr.mean_window_s),
            source: "posturecam: averages jitter; a lift of 1–3 s is barely flattened",
        },
        Threshold {
            group: FINDING,
            key: "reps.max_gap_s",
            what: "A gap without a measured frame longer than this splits the clip",
            value: secs(r.max_gap_s),
            default: secs(dr.max_gap_s),
            source: "posturecam: a lift cut by a gap is reported as partial",
        },
        Threshold {
            group: FINDING,
            key: "reps.baseline_percentile",
            what: "Standing level: this percentile of trunk flexion (and the matching high one of hip height)",
            value: format::num(r.baseline_percentile),
            default: format::num(dr.baseline_percentile),
            source: "posturecam",
        },
        Threshold {
            group: FINDING,
            key: "reps.standing_hip_min",
            what: "Lowest standing hip height (hips above ankles over body length)",
            value: format::num(r.standing_hip_min),
            default: format::num(dr.standing_hip_min),
            source: "About 0.55 when standing (segment lengths, Drillis &amp; Contini 1966, in Winter, Biomechanics and Motor Control of Human Movement); under 80 % of that the person never stood up",
        },
        Threshold {
            group: FINDING,
            key: "reps.standing_band_trunk_deg",
            what: "Within this much trunk flexion of standing, a lift starts and ends",
            value: deg(r.standing_band_trunk_deg),
            default: deg(dr.standing_band_trunk_deg),
            source: "posturecam (hysteresis)",
        },
        Threshold {
            group: FINDING,
            key: "reps.min_depth_trunk_deg",
            what: "A lift bends the trunk at least this far beyond standing",
            value: deg(r.min_depth_trunk_deg),
            default: deg(dr.min_depth_trunk_deg),
            source: "Past REBA's 0–20° trunk band with margin for the standing band (REBA, Hignett &amp; McAtamney 2000)",
        },
        Threshold {
            group: FINDING,
            key: "reps.standing_band_hip",
            what: "Within this hip-height drop, the person is standing",
            value: percent(r.standing_band_hip),
            default: percent(dr.standing_band_hip),
            source: "posturecam (hysteresis)",
        },
        Threshold {
            group: FINDING,
            key: "reps.min_depth_hip",
            what: "Or a lift lowers the hips at least this much",
            value: percent(r.min_depth_hip),
            default: percent(dr.min_depth_hip),
            source: "A 15 % hip drop is a knee bend of about 60°, a semi-squat in the style bands above",
        },
        Threshold {
            group: FINDING,
            key: "reps.merge_gap_s",
            what: "Lifts with less standing between them are one lift",
            value: secs(r.merge_gap_s),
            default: secs(dr.merge_gap_s),
            source: "posturecam",
        },
        Threshold {
            group: FINDING,
            key: "reps.min_duration_s",
            what: "Shortest lift (shorter is jitter)",
            value: secs(r.min_duration_s),
            default: secs(dr.min_duration_s),
            source: "posturecam",
        },
        Threshold {
            group: FINDING,
            key: "reps.max_duration_s",
            what: "Longest lift (longer is a sustained posture)",
            value: secs(r.max_duration_s),
            default: secs(dr.max_duration_s),
            source: "posturecam",
        },
        Threshold {
            group: GRADING,
            key: "reps.poor_trunk_deg",
            what: "Peak trunk flexion above which a lift is graded down (a stoop poor, a bent-knee lift fair)",
            value: deg(r.poor_trunk_deg),
            default: deg(dr.poor_trunk_deg),
            source: "REBA scores trunk flexion over 60° highest (REBA, Hignett &amp; McAtamney 2000). Bent knees follow manual-handling guidance (HSE INDG143); the biomechanics is mixed (van Dieën et al. 1999, Clin Biomech 14:685; Kingma et al. 2010, Ergonomics 53:1228). The poor/fair split is posturecam's choice",
        },
        Threshold {
            group: GRADING,
            key: "reps.asymmetry_fair_deg",
            what: "Shoulder tilt (front view) above which a lift is fair",
            value: deg(r.asymmetry_fair_deg),
            default: deg(dr.asymmetry_fair_deg),
            source: "REBA adds a point for side bending but gives no angle; posturecam's choice, twice the sitting shoulder-tilt threshold",
        },
        Threshold {
            group: GRADING,
            key: "reps.reba_fair",
            what: "REBA score from which a lift is fair",
            value: r.reba_fair.to_string(),
            default: dr.reba_fair.to_string(),
            source: "REBA risk level high, 8–10: investigate and change soon (REBA, Hignett &amp; McAtamney 2000)",
        },
        Threshold {
            group: GRADING,
            key: "reps.reba_poor",
            what: "REBA score from which a lift is poor",
            value: r.reba_poor.to_string(),
            default: dr.reba_poor.to_string(),
            source: "REBA risk level very high, 11–15: change now (REBA, Hignett &amp; McAtamney 2000)",
        },
    ]
}

fn secs(v: f64) -> String {
    if v.is_finite() {
        format!("{} s", format::num(v as f32))
    } else {
        "–".into()
    }
}

fn percent(v: f32) -> String {
    format!("{} %", format::num(v * 100.0))
}

const KEYPOINTS: &str = "Keypoints";
const LIFTING: &str = "Lifting style and REBA inputs";
const FINDING: &str = "Finding repetitions";
const GRADING: &str = "Grading repetitions";

fn thresholds_section(o: &mut String, cfg: &AssessConfig) {
    o.push_str(
        "<section class=\"thresholds\" id=\"thresholds\"><h2>Thresholds and sources</h2>\
<p>The values this report was made with (<code>posturecam config --print-default</code> lists them; \
<code>--config FILE</code> changes them). All angles are 2-D estimates from one camera.</p>\
<table class=\"thresholds\"><thead><tr><th>Setting</th><th>Meaning</th><th>Value</th><th>Source</th></tr></thead><tbody>",
    );
    let mut group = "";
    for t in thresholds(cfg) {
        if t.group != group {
            group = t.group;
            let _ = write!(o, "<tr class=\"group\"><th colspan=\"4\">{group}</th></tr>");
        }
        let value = if t.value == t.default {
            escape(&t.value)
        } else {
            format!(
                "{} <span class=\"changed\">(changed; default {})</span>",
                escape(&t.value),
                escape(&t.default)
            )
        };
        let _ = write!(
            o,
            "<tr><td><code>{}</code></td><td>{}</td><td>{value}</td><td>{}</td></tr>",
            t.key, t.what, t.source
        );
    }
    let _ = write!(
        o,
        "<tr class=\"group\"><th colspan=\"4\">Shown in this report</th></tr><tr><td>REBA risk levels</td><td>Action levels of the REBA score</td><td>1 · 2–3 · 4–7 · 8–10 · 11–15</td>\
<td>negligible · low · medium · high · very high ({REBA})</td></tr>\
<tr><td>Skeleton colours</td><td>Trunk amber from, red beyond</td><td>{}° · {}°</td>\
<td>REBA trunk bands: 0–20° scores 2, 20–60° scores 3, over 60° scores 4 ({REBA})</td></tr>",
        format::num(cfg.lifting.upright_trunk_deg),
        format::num(REBA_TRUNK_SEVERE_DEG),
    );
    o.push_str("</tbody></table></section>");
}

/// The whole report for `clips`, made with `thresholds`; `generated` is the
/// time stamp text shown under the title (escaped like all outside text).
pub fn render_html(clips: &[ClipReport], thresholds: &AssessConfig, generated: &str) -> String {
    let mut o = String::with_capacity(64 * 1024);
    let title = match clips {
        [one] => format!("Lifting report: {}", escape(&one.source)),
        _ => format!("Lifting report: {} clips", clips.len()),
    };
    let _ = write!(
        o,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<meta name=\"generator\" content=\"posturecam {}\"><title>{title}</title><style>{CSS}</style></head><body>\
<header><h1>Lifting report</h1><p class=\"meta\">Generated {} by posturecam {}. {} clip{}.</p></header>",
        env!("CARGO_PKG_VERSION"),
        escape(generated),
        env!("CARGO_PKG_VERSION"),
        clips.len(),
        if clips.len() == 1 { "" } else { "s" },
    );
    if clips.is_empty() {
        o.push_str(r#"<p class="nolift">No clips were analysed.</p>"#);
    }
    if clips.len() > 1 {
        o.push_str("<nav><ol>");
        for (i, c) in clips.iter().enumerate() {
            let reps = match c.reps.len() {
                _ if c.error.is_some() => "could not be analysed".to_string(),
                0 => "no lift found".to_string(),
                1 => "1 repetition".to_string(),
                n => format!("{n} repetitions"),
            };
            let _ = write!(
                o,
                "<li><a href=\"#clip-{}\">{}</a>: {reps}</li>",
                i + 1,
                escape(&c.source)
            );
        }
        o.push_str("</ol></nav>");
    }
    for (i, clip) in clips.iter().enumerate() {
        clip_section(&mut o, i + 1, clip, thresholds);
    }
    thresholds_section(&mut o, thresholds);
    o.push_str(
        "<footer>Angles are estimated from 2-D keypoints (MoveNet) in each frame of one camera; they are \
most accurate with the person seen from the side. Colour is never the only signal: grades and \
statuses are also written out. This report supports, and does not replace, a clinician's judgement.\
</footer></body></html>\n",
    );
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assess::config::DEFAULT_TOML;

    #[test]
    fn every_threshold_row_names_a_real_config_key() {
        let rows = thresholds(&AssessConfig::default());
        for t in &rows {
            // The key is in its own section of the documented defaults.
            let (section, key) = t.key.rsplit_once('.').unwrap_or(("", t.key));
            let body = if section.is_empty() {
                DEFAULT_TOML.split("\n[").next().unwrap().to_string()
            } else {
                let start = DEFAULT_TOML.find(&format!("\n[{section}]\n")).unwrap();
                let rest = &DEFAULT_TOML[start + 1..];
                rest[..rest[1..].find("\n[").map_or(rest.len(), |i| i + 1)].to_string()
            };
            assert!(
                body.contains(&format!("\n{key} = ")),
                "{} is not in DEFAULT_TOML",
                t.key
            );
            assert_eq!(t.value, t.default, "{}", t.key);
        }
        // Every [lifting] and [reps] key the report's repetitions depend on
        // is listed.
        let all = toml::Value::try_from(AssessConfig::default()).unwrap();
        for section in ["lifting", "reps"] {
            for key in all[section].as_table().unwrap().keys() {
                let name = format!("{section}.{key}");
                assert!(rows.iter().any(|t| t.key == name), "{name} is not listed");
            }
        }
    }

    #[test]
    fn empty_images_are_not_embedded_and_large_ones_are_scaled() {
        assert!(embed_png(&RgbImage::new(0, 10)).is_none());
        let (_, w, h) = embed_png(&RgbImage::new(1440, 360)).unwrap();
        assert_eq!((w, h), (640, 160));
        let (_, w, h) = embed_png(&RgbImage::new(64, 48)).unwrap();
        assert_eq!((w, h), (64, 48));
    }
}
