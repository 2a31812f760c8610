//! Repetitions of a lift found in a clip's trajectory of per-frame
//! assessments: start, deepest point and end of each lift, with its peak
//! trunk flexion, knee flexion at the bottom, style, REBA and a grade.
//!
//! The types here are the interface shared by `score` (summary records),
//! `review` (the repetition table) and `report` (the HTML report).

use std::ops::Range;

use serde::{Deserialize, Serialize};

use super::config::{AssessConfig, RepConfig};
use super::lifting::body_length;
use super::LiftStyle;
use crate::analysis::{pair_mid, View};
use crate::pose::{Joint, Keypoints};

/// What the repetition finder needs from one analysed frame.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RepSample {
    /// Index of the frame in the clip (decoded order).
    pub frame: usize,
    /// Presentation time of the frame in seconds from the clip's start.
    pub t_s: f64,
    /// Trunk inclination from vertical, + forward (side view), degrees.
    pub trunk_flexion_deg: Option<f32>,
    /// Knee flexion, 0 = straight, degrees.
    pub knee_flexion_deg: Option<f32>,
    /// Height of the hips above the ankles over body length (about 0.5 when
    /// standing, lower when squatting); scale free.
    pub hip_height: Option<f32>,
    /// REBA grand score of the frame, 1..15.
    pub reba: Option<u8>,
    /// Left/right asymmetry in degrees where the view shows it (front
    /// view), else None.
    pub asymmetry_deg: Option<f32>,
}

/// How well a repetition was done.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Grade {
    /// Found, but not gradable: the back angle was not measured (a front
    /// view). Ranks below every real grade.
    Ungraded,
    Good,
    Fair,
    Poor,
}

/// One lift found in a clip.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Repetition {
    pub start_s: f64,
    pub bottom_s: f64,
    pub end_s: f64,
    pub duration_s: f64,
    pub start_frame: usize,
    pub bottom_frame: usize,
    pub end_frame: usize,
    /// The frame with the highest REBA (ties: the most trunk flexion).
    pub worst_frame: usize,
    /// Peak trunk flexion, degrees; None when the trunk angle was never
    /// measured during the lift (a front view: the lift is then found from
    /// the drop of the hips, and left ungraded).
    pub peak_trunk_flexion_deg: Option<f32>,
    pub knee_flexion_at_bottom_deg: Option<f32>,
    pub style: LiftStyle,
    pub reba_max: Option<u8>,
    /// Peak left/right asymmetry, degrees, where the view allows.
    pub asymmetry_deg: Option<f32>,
    /// True when the clip starts or ends during this lift.
    pub partial: bool,
    pub grade: Grade,
    /// One plain-language cue, e.g. "bend your knees more: your back
    /// angle peaked at 72°".
    pub cue: String,
}

impl RepSample {
    /// The repetition finder's view of one assessed frame: trunk and knee
    /// flexion and REBA from the lifting assessment, the hip height from
    /// the keypoints (any view), and, in a front view, the asymmetry as the
    /// absolute shoulder tilt.
    ///
    /// Why shoulder tilt: REBA adds a point to the trunk for side bending
    /// or twisting, and a load carried on one side or a twist drops one
    /// shoulder. Lateral lean (hip→shoulder line against vertical) is not
    /// used: bending forward towards a front camera foreshortens that line,
    /// so a small sideways offset reads as a large angle exactly when the
    /// person lifts. The shoulder line stays level under forward bending.
    /// Left/right knee flexion cannot be measured from the front.
    pub fn from_assessment(
        frame: usize,
        t_s: f64,
        a: &super::Assessment,
        kps: &Keypoints,
        cfg: &AssessConfig,
    ) -> RepSample {
        let finite = |v: Option<f32>| v.filter(|x| x.is_finite());
        RepSample {
            frame,
            t_s,
            trunk_flexion_deg: finite(a.lifting.trunk_flexion),
            knee_flexion_deg: finite(a.lifting.knee_flexion),
            hip_height: hip_height(kps, cfg.gate_confidence),
            reba: a.lifting.reba.filter(|r| (1..=15).contains(r)),
            asymmetry_deg: if a.view.view == View::Front {
                finite(a.angles.shoulder_tilt).map(f32::abs)
            } else {
                None
            },
        }
    }
}

/// Height of the hips' midpoint above the ankles' midpoint over body length
/// (ankle→knee→hip→shoulder→nose, which bending does not change): about
/// 0.55 standing, near 0.3 in a deep squat. None without those keypoints.
pub fn hip_height(kps: &Keypoints, min_conf: f32) -> Option<f32> {
    let hip = pair_mid(kps, Joint::LeftHip, Joint::RightHip, min_conf)?;
    let ankle = pair_mid(kps, Joint::LeftAnkle, Joint::RightAnkle, min_conf)?;
    let len = body_length(kps, min_conf)?;
    if len.is_nan() || len <= 1.0 {
        return None;
    }
    Some((ankle.1 - hip.1) / len).filter(|v| v.is_finite())
}

/// The samples the finder uses: finite times, at least one of trunk
/// flexion and hip height measured (other frames are no-person or
/// unmeasurable frames, i.e. gaps), non-finite values dropped, in time
/// order.
fn usable(samples: &[RepSample]) -> Vec<RepSample> {
    let finite = |v: Option<f32>| v.filter(|x| x.is_finite());
    let mut out: Vec<RepSample> = samples
        .iter()
        .filter(|s| s.t_s.is_finite())
        .map(|s| RepSample {
            trunk_flexion_deg: finite(s.trunk_flexion_deg),
            knee_flexion_deg: finite(s.knee_flexion_deg),
            hip_height: finite(s.hip_height),
            reba: s.reba.filter(|r| (1..=15).contains(r)),
            asymmetry_deg: finite(s.asymmetry_deg),
            ..s.clone()
        })
        .filter(|s| s.trunk_flexion_deg.is_some() || s.hip_height.is_some())
        .collect();
    out.sort_by(|a, b| a.t_s.total_cmp(&b.t_s));
    out
}

/// Ranges of `s` (time-sorted) with no gap longer than `max_gap_s`.
fn segments(s: &[RepSample], max_gap_s: f64) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..=s.len() {
        if i == s.len() || s[i].t_s - s[i - 1].t_s > max_gap_s {
            if start < i {
                out.push(start..i);
            }
            start = i;
        }
    }
    out
}

/// Applies `f` to the values present within ±`width`/2 seconds of each
/// sample of `ts` (sorted); None where the window holds none.
fn running<T: Copy>(
    ts: &[f64],
    vals: &[Option<T>],
    width: f64,
    f: impl Fn(&mut [T]) -> T,
) -> Vec<Option<T>> {
    let half = width / 2.0;
    let (mut lo, mut hi) = (0, 0);
    let mut buf = Vec::new();
    ts.iter()
        .map(|&t| {
            while ts[lo] < t - half {
                lo += 1;
            }
            while hi < ts.len() && ts[hi] <= t + half {
                hi += 1;
            }
            buf.clear();
            buf.extend(vals[lo..hi].iter().flatten().copied());
            (!buf.is_empty()).then(|| f(&mut buf))
        })
        .collect()
}

fn median(v: &mut [f32]) -> f32 {
    v.sort_by(f32::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn mean(v: &mut [f32]) -> f32 {
    v.iter().sum::<f32>() / v.len() as f32
}

/// The lower median: always one of the values (REBA stays an integer).
fn lower_median(v: &mut [u8]) -> u8 {
    v.sort_unstable();
    v[(v.len() - 1) / 2]
}

/// A running median of `median_s` then a running mean of `mean_s`, both in
/// seconds of presentation time.
fn median_mean(ts: &[f64], vals: &[Option<f32>], cfg: &RepConfig) -> Vec<Option<f32>> {
    let m = running(ts, vals, cfg.median_window_s, median);
    running(ts, &m, cfg.mean_window_s, mean)
}

/// The trajectory the finder works on: usable samples in time order (see
/// [`find_repetitions`]), each channel smoothed by a running median then a
/// running mean over windows of presentation time that never reach across
/// a gap. REBA gets the median only (it stays an integer score). Every
/// smoothed value lies within the range of the raw values of its window.
pub fn smooth_trajectory(samples: &[RepSample], cfg: &RepConfig) -> Vec<RepSample> {
    let mut s = usable(samples);
    for seg in segments(&s, cfg.max_gap_s) {
        let part = &s[seg.clone()];
        let ts: Vec<f64> = part.iter().map(|x| x.t_s).collect();
        let ch = |f: fn(&RepSample) -> Option<f32>| {
            median_mean(&ts, &part.iter().map(f).collect::<Vec<_>>(), cfg)
        };
        let trunk = ch(|x| x.trunk_flexion_deg);
        let knee = ch(|x| x.knee_flexion_deg);
        let hip = ch(|x| x.hip_height);
        let asym = ch(|x| x.asymmetry_deg);
        let rebas: Vec<Option<u8>> = part.iter().map(|x| x.reba).collect();
        let reba = running(&ts, &rebas, cfg.median_window_s, lower_median);
        for (k, x) in s[seg].iter_mut().enumerate() {
            x.trunk_flexion_deg = trunk[k];
            x.knee_flexion_deg = knee[k];
            x.hip_height = hip[k];
            x.asymmetry_deg = asym[k];
            x.reba = reba[k];
        }
    }
    s
}

/// Nearest-rank percentile `p` (0..100) of `v`; None when empty.
fn percentile(mut v: Vec<f32>, p: f32) -> Option<f32> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f32::total_cmp);
    let i = ((p / 100.0).clamp(0.0, 1.0) * (v.len() - 1) as f32).round() as usize;
    Some(v[i.min(v.len() - 1)])
}

/// The standing level of a clip: trunk flexion and hip height.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Standing {
    trunk_deg: Option<f32>,
    hip: Option<f32>,
}

impl Standing {
    fn of(s: &[RepSample], cfg: &RepConfig) -> Standing {
        let p = cfg.baseline_percentile;
        let trunks = s.iter().filter_map(|x| x.trunk_flexion_deg).collect();
        let hips = s.iter().filter_map(|x| x.hip_height).collect();
        Standing {
            trunk_deg: percentile(trunks, p).map(|b| b.min(cfg.style.upright_trunk_deg)),
            hip: percentile(hips, 100.0 - p).map(|b| b.max(cfg.standing_hip_min)),
        }
    }

    /// Trunk flexion beyond standing (degrees) and hip drop (fraction).
    fn excursion(&self, x: &RepSample) -> (Option<f32>, Option<f32>) {
        let t = x.trunk_flexion_deg.zip(self.trunk_deg).map(|(v, b)| v - b);
        let h = x.hip_height.zip(self.hip).map(|(v, b)| (b - v) / b);
        (t, h)
    }

    fn is_standing(&self, x: &RepSample, cfg: &RepConfig) -> bool {
        let (t, h) = self.excursion(x);
        t.is_none_or(|t| t <= cfg.standing_band_trunk_deg)
            && h.is_none_or(|h| h <= cfg.standing_band_hip)
    }

    /// How deep the bend is, 1 = the minimum depth of a lift on either
    /// signal.
    fn depth(&self, x: &RepSample, cfg: &RepConfig) -> f32 {
        let (t, h) = self.excursion(x);
        let t = t.map_or(f32::NEG_INFINITY, |t| t / cfg.min_depth_trunk_deg);
        let h = h.map_or(f32::NEG_INFINITY, |h| h / cfg.min_depth_hip);
        t.max(h)
    }
}

/// An excursion from standing: sample indices (inclusive) and whether the
/// data start or end during it.
#[derive(Clone, Copy, Debug)]
struct Excursion {
    start: usize,
    end: usize,
    partial: bool,
}

/// Finds the lifts in a clip.
///
/// 1. Frames without a finite time or without trunk flexion and hip height
///    are dropped; the rest are sorted by time and split where no frame
///    was measured for more than `max_gap_s`.
/// 2. Each signal is smoothed ([`smooth_trajectory`]).
/// 3. The standing level is a low percentile of trunk flexion (capped at
///    the upright trunk limit) and a high percentile of hip height
///    (floored at `standing_hip_min`), so it holds when the clip starts or
///    ends bent over.
/// 4. A frame is standing when every measured signal is within its
///    standing band. An excursion is a run of non-standing frames; it is a
///    lift only if it reaches the minimum depth on either signal
///    (hysteresis: in at the depth, out at the band). It starts at the last
///    standing frame before the run and ends at the first one after it;
///    a run that touches the clip's start or end or a gap starts or ends
///    there and is `partial` (a deadlift filmed from the floor is one).
/// 5. Lifts separated by less than `merge_gap_s` of standing are merged;
///    lifts shorter than `min_duration_s` or longer than `max_duration_s`
///    are dropped. A lift with no trunk flexion measured (a front view) is
///    kept, found from the hips' drop, with no peak and [`Grade::Ungraded`].
/// 6. The bottom is the deepest frame (trunk flexion and hip drop, each
///    relative to its minimum depth); peak trunk flexion, the knee flexion
///    at the bottom, REBA and asymmetry come from the smoothed signals.
pub fn find_repetitions(samples: &[RepSample], cfg: &RepConfig) -> Vec<Repetition> {
    let s = smooth_trajectory(samples, cfg);
    let base = Standing::of(&s, cfg);
    let standing: Vec<bool> = s.iter().map(|x| base.is_standing(x, cfg)).collect();
    let depth: Vec<f32> = s.iter().map(|x| base.depth(x, cfg)).collect();
    let mut reps = Vec::new();
    for seg in segments(&s, cfg.max_gap_s) {
        let mut found: Vec<Excursion> = Vec::new();
        let mut i = seg.start;
        while i < seg.end {
            if standing[i] {
                i += 1;
                continue;
            }
            let run = i;
            while i < seg.end && !standing[i] {
                i += 1;
            }
            if !depth[run..i].iter().any(|&d| d >= 1.0) {
                continue;
            }
            let e = Excursion {
                start: if run > seg.start { run - 1 } else { run },
                end: if i < seg.end { i } else { i - 1 },
                partial: run == seg.start || i == seg.end,
            };
            match found.last_mut() {
                Some(last) if s[e.start].t_s - s[last.end].t_s < cfg.merge_gap_s => {
                    last.end = e.end;
                    last.partial |= e.partial;
                }
                _ => found.push(e),
            }
        }
        reps.extend(found.iter().filter_map(|e| repetition(&s, &depth, *e, cfg)));
    }
    reps
}

/// Depth (in units of the minimum depth) within which a frame is as deep as
/// the deepest: 0.001 is 0.03° of trunk flexion at the default depth.
const BOTTOM_TOLERANCE: f32 = 1e-3;

fn repetition(s: &[RepSample], depth: &[f32], e: Excursion, cfg: &RepConfig) -> Option<Repetition> {
    let (a, b) = (&s[e.start], &s[e.end]);
    let duration_s = b.t_s - a.t_s;
    if duration_s < cfg.min_duration_s || duration_s > cfg.max_duration_s {
        return None;
    }
    let r = &s[e.start..=e.end];
    let d = &depth[e.start..=e.end];
    let peak = r
        .iter()
        .filter_map(|x| x.trunk_flexion_deg)
        .reduce(f32::max);
    // The first frame within float noise of the deepest: where a held
    // bottom is reached.
    let deepest = d.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let bottom = d
        .iter()
        .position(|&v| v >= deepest - BOTTOM_TOLERANCE)
        .unwrap_or(0);
    let key = |x: &RepSample| {
        (
            x.reba.unwrap_or(0),
            x.trunk_flexion_deg.unwrap_or(f32::NEG_INFINITY),
        )
    };
    let mut worst = 0;
    for (k, x) in r.iter().enumerate() {
        let (rk, tk) = key(x);
        let (rw, tw) = key(&r[worst]);
        if rk > rw || (rk == rw && tk > tw) {
            worst = k;
        }
    }
    let knee = r[bottom].knee_flexion_deg;
    let style = style_of(knee, cfg);
    let reba_max = r.iter().filter_map(|x| x.reba).max();
    let asymmetry_deg = r.iter().filter_map(|x| x.asymmetry_deg).reduce(f32::max);
    let (grade, cue) = match peak {
        Some(peak) => grade(peak, style, reba_max, asymmetry_deg, cfg),
        None => (
            Grade::Ungraded,
            "lift found from the drop of the hips; the back and knee angles are measured \
             only from the side: film from the side to grade it"
                .to_string(),
        ),
    };
    Some(Repetition {
        start_s: a.t_s,
        bottom_s: r[bottom].t_s,
        end_s: b.t_s,
        duration_s,
        start_frame: a.frame,
        bottom_frame: r[bottom].frame,
        end_frame: b.frame,
        worst_frame: r[worst].frame,
        peak_trunk_flexion_deg: peak,
        knee_flexion_at_bottom_deg: knee,
        style,
        reba_max,
        asymmetry_deg,
        partial: e.partial,
        grade,
        cue,
    })
}

/// A lift's style from the knee flexion at its bottom, with the `[lifting]`
/// bands: stoop below `stoop_max_knee_deg`, squat from
/// `squat_min_knee_deg`, semi-squat between; unscorable without it.
pub fn style_of(knee_at_bottom: Option<f32>, cfg: &RepConfig) -> LiftStyle {
    match knee_at_bottom {
        None => LiftStyle::Unscorable,
        Some(k) if k < cfg.style.stoop_max_knee_deg => LiftStyle::Stoop,
        Some(k) if k < cfg.style.squat_min_knee_deg => LiftStyle::SemiSquat,
        Some(_) => LiftStyle::Squat,
    }
}

/// Grades a lift and gives one cue, for the most serious problem:
/// - poor: back angle over `poor_trunk_deg` (REBA's top trunk band) with
///   the knees nearly straight (a stoop), or REBA at `reba_poor` or more;
/// - fair: back angle over `poor_trunk_deg` with bent or unseen knees, a
///   stoop at a smaller back angle, REBA at `reba_fair` or more, or
///   shoulder tilt over `asymmetry_fair_deg`;
/// - good otherwise.
///
/// Angles are rounded to whole degrees, and compared rounded, so the cue
/// never contradicts the grade.
pub fn grade(
    peak_trunk_deg: f32,
    style: LiftStyle,
    reba_max: Option<u8>,
    asymmetry_deg: Option<f32>,
    cfg: &RepConfig,
) -> (Grade, String) {
    let t = peak_trunk_deg.round();
    let back = format!("your back angle peaked at {t:.0}°");
    let too_bent = t > cfg.poor_trunk_deg;
    let stoop = style == LiftStyle::Stoop;
    let knees_bent = matches!(style, LiftStyle::SemiSquat | LiftStyle::Squat);
    let reba = reba_max.unwrap_or(0);
    let tilt = asymmetry_deg.map(f32::round);
    if too_bent && stoop {
        return (Grade::Poor, format!("bend your knees more: {back}"));
    }
    if reba >= cfg.reba_poor {
        return (
            Grade::Poor,
            format!("REBA reached {reba} (very high risk): bring the load closer or lighten it"),
        );
    }
    if too_bent && knees_bent {
        return (
            Grade::Fair,
            format!("keep your chest up: {back} even with your knees bent"),
        );
    }
    if too_bent {
        return (Grade::Fair, format!("keep your back straighter: {back}"));
    }
    if stoop {
        return (Grade::Fair, format!("bend your knees more: {back}"));
    }
    if reba >= cfg.reba_fair {
        return (
            Grade::Fair,
            format!("REBA reached {reba} (high risk): bring the load closer or lighten it"),
        );
    }
    if let Some(a) = tilt.filter(|&a| a > cfg.asymmetry_fair_deg) {
        return (
            Grade::Fair,
            format!("keep your shoulders level: they tilted {a:.0}° during the lift"),
        );
    }
    if knees_bent {
        (
            Grade::Good,
            format!("good lift: knees bent, back angle peaked at {t:.0}°"),
        )
    } else {
        (
            Grade::Good,
            format!("good lift: back angle peaked at {t:.0}°"),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> RepConfig {
        RepConfig::default()
    }

    #[test]
    fn every_grade_has_its_cue() {
        use LiftStyle::*;
        let c = cfg();
        let g = |t, style, reba, asym| grade(t, style, reba, asym, &c);
        assert_eq!(
            g(72.4, Stoop, None, None),
            (
                Grade::Poor,
                "bend your knees more: your back angle peaked at 72°".into()
            )
        );
        assert_eq!(
            g(45.0, Squat, Some(11), None),
            (
                Grade::Poor,
                "REBA reached 11 (very high risk): bring the load closer or lighten it".into()
            )
        );
        assert_eq!(
            g(64.6, SemiSquat, Some(7), None),
            (
                Grade::Fair,
                "keep your chest up: your back angle peaked at 65° even with your knees bent"
                    .into()
            )
        );
        assert_eq!(
            g(61.0, Unscorable, None, None),
            (
                Grade::Fair,
                "keep your back straighter: your back angle peaked at 61°".into()
            )
        );
        assert_eq!(
            g(48.0, Stoop, None, None),
            (
                Grade::Fair,
                "bend your knees more: your back angle peaked at 48°".into()
            )
        );
        assert_eq!(
            g(35.0, Squat, Some(8), Some(20.0)),
            (
                Grade::Fair,
                "REBA reached 8 (high risk): bring the load closer or lighten it".into()
            )
        );
        assert_eq!(
            g(35.0, Squat, Some(7), Some(12.4)),
            (
                Grade::Fair,
                "keep your shoulders level: they tilted 12° during the lift".into()
            )
        );
        assert_eq!(
            g(35.0, SemiSquat, Some(7), Some(10.4)),
            (
                Grade::Good,
                "good lift: knees bent, back angle peaked at 35°".into()
            )
        );
        assert_eq!(
            g(34.5, Unscorable, None, None),
            (Grade::Good, "good lift: back angle peaked at 35°".into())
        );
        // Compared rounded: 60.4 reads "60°" and is not over 60.
        assert_eq!(g(60.4, Stoop, None, None).0, Grade::Fair);
        assert_eq!(g(60.5, Stoop, None, None).0, Grade::Poor);
    }

    #[test]
    fn styles_use_the_lifting_bands() {
        let c = cfg();
        assert_eq!(style_of(None, &c), LiftStyle::Unscorable);
        assert_eq!(style_of(Some(44.9), &c), LiftStyle::Stoop);
        assert_eq!(style_of(Some(45.0), &c), LiftStyle::SemiSquat);
        assert_eq!(style_of(Some(89.9), &c), LiftStyle::SemiSquat);
        assert_eq!(style_of(Some(90.0), &c), LiftStyle::Squat);
    }

    #[test]
    fn running_windows_are_in_time_and_skip_missing_values() {
        let ts = [0.0, 0.1, 0.2, 0.5, 0.6];
        let v = [Some(1.0), None, Some(9.0), Some(4.0), Some(2.0)];
        // ±0.15 s: {1}, {1, 9}, {9}, {4, 2}, {4, 2}.
        assert_eq!(
            running(&ts, &v, 0.3, median),
            [Some(1.0), Some(5.0), Some(9.0), Some(3.0), Some(3.0)]
        );
        assert_eq!(running(&ts, &[None; 5], 0.3, mean), [None; 5]);
        let r = [Some(3u8), Some(9), Some(4)];
        assert_eq!(running(&ts[..3], &r, 1.0, lower_median), [Some(4); 3]);
        assert_eq!(lower_median(&mut [3, 9]), 3);
    }

    #[test]
    fn a_spike_is_removed_and_a_step_kept_by_the_median() {
        let ts: Vec<f64> = (0..30).map(|i| i as f64 / 30.0).collect();
        let mut v: Vec<Option<f32>> = vec![Some(0.0); 30];
        v[10] = Some(90.0);
        v[11] = Some(90.0);
        assert!(running(&ts, &v, 0.3, median)
            .iter()
            .all(|x| *x == Some(0.0)));
        let step: Vec<Option<f32>> = (0..30)
            .map(|i| Some(if i < 15 { 0.0 } else { 50.0 }))
            .collect();
        let m = running(&ts, &step, 0.3, median);
        assert_eq!(m[13], Some(0.0));
        assert_eq!(m[16], Some(50.0));
    }

    #[test]
    fn percentiles_and_segments() {
        assert_eq!(percentile(vec![], 10.0), None);
        let v: Vec<f32> = (0..=100).rev().map(|x| x as f32).collect();
        assert_eq!(percentile(v.clone(), 10.0), Some(10.0));
        assert_eq!(percentile(v, 90.0), Some(90.0));
        let s: Vec<RepSample> = [0.0, 0.1, 0.2, 1.0, 1.1, 2.0]
            .iter()
            .enumerate()
            .map(|(i, &t)| RepSample {
                frame: i,
                t_s: t,
                trunk_flexion_deg: Some(0.0),
                knee_flexion_deg: None,
                hip_height: None,
                reba: None,
                asymmetry_deg: None,
            })
            .collect();
        assert_eq!(segments(&s, 0.5), [0..3, 3..5, 5..6]);
        assert_eq!(segments(&s[..0], 0.5), Vec::<Range<usize>>::new());
    }

    #[test]
    fn the_standing_level_is_capped_for_clips_that_never_stand() {
        let c = cfg();
        let at = |trunk: f32, hip: f32| RepSample {
            frame: 0,
            t_s: 0.0,
            trunk_flexion_deg: Some(trunk),
            knee_flexion_deg: None,
            hip_height: Some(hip),
            reba: None,
            asymmetry_deg: None,
        };
        let standing: Vec<RepSample> = (0..20).map(|i| at(3.0 + i as f32, 0.56)).collect();
        let b = Standing::of(&standing, &c);
        assert_eq!(b.trunk_deg, Some(5.0));
        assert_eq!(b.hip, Some(0.56));
        let bent: Vec<RepSample> = (0..20).map(|_| at(70.0, 0.30)).collect();
        let b = Standing::of(&bent, &c);
        assert_eq!(b.trunk_deg, Some(20.0));
        assert_eq!(b.hip, Some(0.45));
        // 70° is 50° past the capped level: 5/3 of the minimum depth; the
        // hips 0.15 / 0.45 = 1/3 below theirs: 20/9 of it, the deeper.
        assert!((b.depth(&bent[0], &c) - 20.0 / 9.0).abs() < 1e-5);
        let only_trunk = RepSample {
            hip_height: None,
            ..bent[0].clone()
        };
        assert!((b.depth(&only_trunk, &c) - 50.0 / 30.0).abs() < 1e-5);
        assert!(!b.is_standing(&bent[0], &c));
    }
}
