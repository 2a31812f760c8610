//! The angle plot: trunk and knee flexion over time as inline SVG, with the
//! repetitions shaded and their deepest points marked.

use std::fmt::Write;

use super::ClipReport;
use crate::assess::reba::{reba_risk, RebaRisk};

/// Where the plot draws, in SVG user units (CSS pixels at 100 %).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PlotLayout {
    pub width: f64,
    pub height: f64,
    /// The plotting area: left edge, top edge, width, height.
    pub left: f64,
    pub top: f64,
    pub area_width: f64,
    pub area_height: f64,
}

impl PlotLayout {
    /// 864 × 336 with an 800 × 240 plotting area at (48, 24); the REBA
    /// strip and the time axis below it.
    pub const DEFAULT: PlotLayout = PlotLayout {
        width: 864.0,
        height: 336.0,
        left: 48.0,
        top: 24.0,
        area_width: 800.0,
        area_height: 240.0,
    };
}

/// Trunk line colour (dark blue) and knee line colour (dark orange, also
/// dashed so the two differ in greyscale print).
pub(crate) const TRUNK_COLOUR: &str = "#1f4e9c";
pub(crate) const KNEE_COLOUR: &str = "#c2570c";

/// The REBA strip: a band under the plot coloured by each frame's REBA
/// risk level.
const STRIP_GAP: f64 = 4.0;
const STRIP_HEIGHT: f64 = 10.0;

/// Fill of each REBA risk level (Hignett & McAtamney 2000 action levels),
/// from pale green to red, and its name as a CSS class.
pub(crate) const RISK_FILLS: [(RebaRisk, &str, &str); 5] = [
    (RebaRisk::Negligible, "#cfe8d0", "negligible"),
    (RebaRisk::Low, "#8fcf96", "low"),
    (RebaRisk::Medium, "#f3c84b", "medium"),
    (RebaRisk::High, "#f08a3c", "high"),
    (RebaRisk::VeryHigh, "#d93b30", "very-high"),
];

fn risk_fill(r: RebaRisk) -> (&'static str, &'static str) {
    RISK_FILLS
        .iter()
        .find(|(k, _, _)| *k == r)
        .map(|(_, fill, name)| (*fill, *name))
        .unwrap_or(("#ccc", "unknown"))
}

/// The REBA strip: each frame's risk level from its time to the next
/// frame's, runs of one level merged; nothing where REBA is missing.
fn reba_strip(out: &mut String, ax: &Axes, clip: &ClipReport) {
    let pts: Vec<(f64, Option<RebaRisk>)> = clip
        .series
        .iter()
        .filter(|p| p.t_s.is_finite())
        .map(|p| (p.t_s, p.reba.map(reba_risk)))
        .collect();
    // The last frame lasts as long as the one before it.
    let last_dt = match pts.as_slice() {
        [.., a, b] => (b.0 - a.0).max(0.0),
        _ => 0.0,
    };
    let mut i = 0;
    while i < pts.len() {
        let (t0, risk) = pts[i];
        let mut j = i + 1;
        while j < pts.len() && pts[j].1 == risk {
            j += 1;
        }
        let t1 = pts.get(j).map_or(pts[j - 1].0 + last_dt, |p| p.0);
        if let Some(r) = risk {
            let (x0, x1) = (ax.x(t0), ax.x(t1));
            if x1 > x0 {
                let (fill, name) = risk_fill(r);
                let _ = write!(
                    out,
                    r#"<rect class="reba {name}" x="{x0:.1}" y="{}" width="{:.1}" height="{STRIP_HEIGHT}" fill="{fill}"/>"#,
                    ax.strip_y(),
                    x1 - x0
                );
            }
        }
        i = j;
    }
    let _ = write!(
        out,
        r##"<text x="{}" y="{}" text-anchor="end" fill="#333" font-size="10">REBA</text>"##,
        ax.l.left - 6.0,
        ax.strip_y() + STRIP_HEIGHT - 1.0
    );
}

/// Angles drawn are clamped to ±180°, the range a joint angle can take.
const ANGLE_LIMIT: f64 = 180.0;

/// Maps time and angle to plot coordinates.
struct Axes {
    l: PlotLayout,
    t_max: f64,
    lo: f64,
    hi: f64,
}

impl Axes {
    fn x(&self, t: f64) -> f64 {
        self.l.left + (t / self.t_max).clamp(0.0, 1.0) * self.l.area_width
    }
    fn y(&self, v: f64) -> f64 {
        let v = v.clamp(self.lo, self.hi);
        self.l.top + (self.hi - v) / (self.hi - self.lo) * self.l.area_height
    }
    fn bottom(&self) -> f64 {
        self.l.top + self.l.area_height
    }
    /// Top of the REBA strip under the plotting area.
    fn strip_y(&self) -> f64 {
        self.bottom() + STRIP_GAP
    }
    /// Where the time axis ticks start, under the REBA strip.
    fn axis_y(&self) -> f64 {
        self.strip_y() + STRIP_HEIGHT
    }
    fn right(&self) -> f64 {
        self.l.left + self.l.area_width
    }
}

fn finite(v: Option<f32>) -> Option<f64> {
    v.map(f64::from).filter(|v| v.is_finite())
}

/// The smallest step of 1, 2 or 5 × 10ⁿ seconds that needs at most 10 ticks
/// to span `t_max`.
fn time_step(t_max: f64) -> f64 {
    let mut base = 0.01;
    loop {
        for m in [1.0, 2.0, 5.0] {
            let step = base * m;
            if t_max / step <= 10.0 + 1e-9 {
                return step;
            }
        }
        base *= 10.0;
    }
}

/// Angle range: from 0 (or below, in 30° steps, if anything is negative)
/// to at least 120° (or above, in 30° steps), within ±180°.
fn angle_range(clip: &ClipReport) -> (f64, f64) {
    let values = clip
        .series
        .iter()
        .flat_map(|p| [finite(p.trunk_flexion_deg), finite(p.knee_flexion_deg)])
        .flatten()
        .map(|v| v.clamp(-ANGLE_LIMIT, ANGLE_LIMIT));
    let (mut min, mut max) = (0.0f64, 120.0f64);
    for v in values {
        min = min.min(v);
        max = max.max(v);
    }
    ((min / 30.0).floor() * 30.0, (max / 30.0).ceil() * 30.0)
}

/// The end of the time axis: the clip's duration, or the last time seen in
/// the series or repetitions if later; 1 s when there is nothing.
fn time_range(clip: &ClipReport) -> f64 {
    let times = clip
        .series
        .iter()
        .map(|p| p.t_s)
        .chain(clip.reps.iter().map(|r| r.end_s))
        .chain([clip.duration_s]);
    let t = times.filter(|t| t.is_finite()).fold(0.0f64, f64::max);
    if t > 0.0 {
        t
    } else {
        1.0
    }
}

fn tick_label(v: f64, step: f64) -> String {
    if step < 0.1 {
        format!("{v:.2}")
    } else if step < 1.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.0}")
    }
}

/// One series as polylines, broken where values are missing; a lone point
/// becomes a dot.
fn series_lines(
    out: &mut String,
    ax: &Axes,
    clip: &ClipReport,
    value: impl Fn(&super::SeriesPoint) -> Option<f64>,
    class: &str,
    colour: &str,
) {
    let mut runs: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
    for p in &clip.series {
        match (p.t_s.is_finite(), value(p)) {
            (true, Some(v)) => {
                if let Some(run) = runs.last_mut() {
                    run.push((ax.x(p.t_s), ax.y(v)));
                }
            }
            _ => {
                if runs.last().is_some_and(|r| !r.is_empty()) {
                    runs.push(Vec::new());
                }
            }
        }
    }
    for run in runs.iter().filter(|r| !r.is_empty()) {
        if let [(x, y)] = run.as_slice() {
            let _ = write!(
                out,
                r#"<circle class="{class}" cx="{x:.1}" cy="{y:.1}" r="2" fill="{colour}"/>"#
            );
            continue;
        }
        let points: Vec<String> = run.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
        let dash = if class == "knee" {
            r#" stroke-dasharray="6 3""#
        } else {
            ""
        };
        let _ = write!(
            out,
            r#"<polyline class="{class}" fill="none" stroke="{colour}" stroke-width="2" stroke-linejoin="round"{dash} points="{}"/>"#,
            points.join(" ")
        );
    }
}

/// The plot of one clip as an `<svg>` element (no XML prolog or namespace:
/// it is meant for inline use in HTML). `worst` is the index of the
/// repetition to shade as the worst, if any.
pub fn plot_svg(clip: &ClipReport, worst: Option<usize>) -> String {
    let l = PlotLayout::DEFAULT;
    let (lo, hi) = angle_range(clip);
    let ax = Axes {
        l,
        t_max: time_range(clip),
        lo,
        hi,
    };
    let mut o = String::new();
    let _ = write!(
        o,
        r#"<svg class="plot" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-label="Trunk and knee flexion over time" font-family="sans-serif" font-size="12">"#,
        w = l.width,
        h = l.height
    );
    let _ = write!(
        o,
        r##"<rect x="{}" y="{}" width="{}" height="{}" fill="#fff" stroke="#888"/>"##,
        l.left, l.top, l.area_width, l.area_height
    );
    // Repetitions: shaded spans, numbered above the plot, deepest point
    // marked by a dashed line and a triangle.
    for (i, r) in clip.reps.iter().enumerate() {
        if !(r.start_s.is_finite() && r.end_s.is_finite()) {
            continue;
        }
        let (x0, x1) = (ax.x(r.start_s), ax.x(r.end_s));
        let (x0, x1) = (x0.min(x1), x0.max(x1));
        let fill = if worst == Some(i) {
            "#f6d3cf"
        } else {
            "#dce6f3"
        };
        let _ = write!(
            o,
            r#"<rect class="rep" x="{x0:.1}" y="{}" width="{:.1}" height="{}" fill="{fill}"/>"#,
            l.top,
            (x1 - x0).max(1.0),
            l.area_height
        );
        let _ = write!(
            o,
            r##"<text x="{:.1}" y="{}" text-anchor="middle" fill="#333">{}</text>"##,
            (x0 + x1) / 2.0,
            l.top - 8.0,
            i + 1
        );
        if r.bottom_s.is_finite() {
            let xb = ax.x(r.bottom_s);
            let _ = write!(
                o,
                r##"<line class="bottom" x1="{xb:.1}" y1="{}" x2="{xb:.1}" y2="{:.1}" stroke="#555" stroke-dasharray="3 3"/><path d="M{:.1} {} l5 -7 h-10 z" fill="#555"/>"##,
                l.top,
                ax.bottom(),
                xb,
                ax.bottom(),
            );
        }
    }
    // Angle axis: gridlines every 30° (60° when the range is wide).
    let step = if hi - lo > 240.0 { 60.0 } else { 30.0 };
    let mut v = lo;
    while v <= hi + 1e-9 {
        let y = ax.y(v);
        let stroke = if v == 0.0 { "#888" } else { "#e3e3e3" };
        let _ = write!(
            o,
            r##"<line x1="{}" y1="{y:.1}" x2="{}" y2="{y:.1}" stroke="{stroke}"/><text x="{}" y="{:.1}" text-anchor="end" fill="#333">{v:.0}°</text>"##,
            l.left,
            ax.right(),
            l.left - 6.0,
            y + 4.0
        );
        v += step;
    }
    // Time axis.
    let step = time_step(ax.t_max);
    let mut i = 0u32;
    loop {
        let t = f64::from(i) * step;
        if t > ax.t_max + 1e-9 {
            break;
        }
        let x = ax.x(t);
        let _ = write!(
            o,
            r##"<line x1="{x:.1}" y1="{}" x2="{x:.1}" y2="{}" stroke="#888"/><text x="{x:.1}" y="{}" text-anchor="middle" fill="#333">{}</text>"##,
            ax.axis_y(),
            ax.axis_y() + 5.0,
            ax.axis_y() + 18.0,
            tick_label(t, step)
        );
        i += 1;
    }
    let _ = write!(
        o,
        r##"<text x="{}" y="{}" text-anchor="middle" fill="#333">time (s)</text>"##,
        l.left + l.area_width / 2.0,
        ax.axis_y() + 38.0
    );
    let _ = write!(
        o,
        r##"<text x="14" y="{}" text-anchor="middle" fill="#333" transform="rotate(-90 14 {})">angle (°)</text>"##,
        l.top + l.area_height / 2.0,
        l.top + l.area_height / 2.0
    );
    reba_strip(&mut o, &ax, clip);
    let any = clip
        .series
        .iter()
        .any(|p| finite(p.trunk_flexion_deg).is_some() || finite(p.knee_flexion_deg).is_some());
    if any {
        series_lines(
            &mut o,
            &ax,
            clip,
            |p| finite(p.knee_flexion_deg),
            "knee",
            KNEE_COLOUR,
        );
        series_lines(
            &mut o,
            &ax,
            clip,
            |p| finite(p.trunk_flexion_deg),
            "trunk",
            TRUNK_COLOUR,
        );
    } else {
        let _ = write!(
            o,
            r##"<text x="{}" y="{}" text-anchor="middle" fill="#555" font-size="14">No angles were measured in this clip.</text>"##,
            l.left + l.area_width / 2.0,
            l.top + l.area_height / 2.0
        );
    }
    o.push_str("</svg>");
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_steps_are_round_and_at_most_ten() {
        assert_eq!(time_step(10.0), 1.0);
        assert_eq!(time_step(10.5), 2.0);
        assert_eq!(time_step(0.8), 0.1);
        assert_eq!(time_step(45.0), 5.0);
        assert_eq!(time_step(600.0), 100.0);
        assert_eq!(time_step(0.05), 0.01);
    }

    #[test]
    fn angle_range_grows_in_30_degree_steps() {
        let mut c = ClipReport::default();
        assert_eq!(angle_range(&c), (0.0, 120.0));
        c.series.push(super::super::SeriesPoint {
            t_s: 0.0,
            trunk_flexion_deg: Some(-12.0),
            knee_flexion_deg: Some(131.0),
            reba: None,
        });
        assert_eq!(angle_range(&c), (-30.0, 150.0));
        c.series[0].knee_flexion_deg = Some(f32::MAX);
        assert_eq!(angle_range(&c), (-30.0, 180.0));
    }
}
