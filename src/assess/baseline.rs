//! A personal sitting baseline for a webcam in front of a desk, where trunk
//! flexion cannot be seen: measured on frames of the person sitting well,
//! then used to report how far the current frame has drifted from it.

use serde::{Deserialize, Serialize};

use crate::analysis::{dist, pair_mid, point};
use crate::pose::{Joint, Keypoints};

/// Measures of one frontal frame, in pixels and degrees.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct FrontMeasures {
    /// Height of the head point (midway between the nose and the eyes'
    /// midpoint) above the shoulders' midpoint.
    pub head_height_px: f32,
    /// Distance between the ears: the head's apparent size, which grows as
    /// the head comes closer to the camera.
    pub inter_ear_px: f32,
    pub shoulder_width_px: f32,
    /// + the person's left shoulder higher (as `shoulder_tilt`).
    pub shoulder_tilt_deg: f32,
}

/// Measures a frontal frame; `None` unless the nose, both eyes, both ears
/// and both shoulders are confidently seen.
pub fn measure_front(kps: &Keypoints, min_conf: f32) -> Option<FrontMeasures> {
    use Joint::*;
    let p = |j| point(kps, j, min_conf);
    let nose = p(Nose)?;
    let (le, re) = (p(LeftEye)?, p(RightEye)?);
    let (lr, rr) = (p(LeftEar)?, p(RightEar)?);
    let (ls, rs) = (p(LeftShoulder)?, p(RightShoulder)?);
    let eyes = ((le.0 + re.0) / 2.0, (le.1 + re.1) / 2.0);
    let head_y = (nose.1 + eyes.1) / 2.0;
    let shoulders = pair_mid(kps, LeftShoulder, RightShoulder, min_conf)?;
    let inter_ear = dist(lr, rr);
    let width = dist(ls, rs);
    if inter_ear < 1.0 || width < 1.0 {
        return None;
    }
    let tilt = (rs.1 - ls.1).atan2((ls.0 - rs.0).abs()).to_degrees();
    Some(FrontMeasures {
        head_height_px: shoulders.1 - head_y,
        inter_ear_px: inter_ear,
        shoulder_width_px: width,
        shoulder_tilt_deg: tilt,
    })
}

/// The baseline file (`posturecam calibrate -o baseline.json`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    /// Always "posturecam-baseline".
    pub kind: String,
    pub version: u32,
    /// How many frames the medians below come from.
    pub frames: usize,
    #[serde(flatten)]
    pub measures: FrontMeasures,
}

/// Deviations of one frame from the baseline.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Deviation {
    /// Share of the baseline's head height (relative to head width) lost:
    /// + the head has dropped towards the shoulders.
    pub head_drop: f32,
    /// Growth of the head's apparent width: + leaning in towards the
    /// screen (camera).
    pub leaning_in: f32,
    /// Shoulder tilt now minus at baseline, degrees.
    pub tilt_change_deg: f32,
}

fn median(mut v: Vec<f32>) -> f32 {
    v.sort_by(f32::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

impl Baseline {
    /// The median of each measure over the frames that could be measured;
    /// `None` when none could.
    pub fn from_measures(m: &[FrontMeasures]) -> Option<Baseline> {
        if m.is_empty() {
            return None;
        }
        let col = |f: fn(&FrontMeasures) -> f32| median(m.iter().map(f).collect());
        Some(Baseline {
            kind: "posturecam-baseline".into(),
            version: 1,
            frames: m.len(),
            measures: FrontMeasures {
                head_height_px: col(|x| x.head_height_px),
                inter_ear_px: col(|x| x.inter_ear_px),
                shoulder_width_px: col(|x| x.shoulder_width_px),
                shoulder_tilt_deg: col(|x| x.shoulder_tilt_deg),
            },
        })
    }

    pub fn load(path: &std::path::Path) -> Result<Baseline, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let b: Baseline = serde_json::from_str(&text)
            .map_err(|e| format!("{} is not a posturecam baseline: {e}", path.display()))?;
        let m = &b.measures;
        let ok = b.kind == "posturecam-baseline"
            && b.version == 1
            && m.inter_ear_px.is_finite()
            && m.inter_ear_px > 0.0
            && m.head_height_px.is_finite()
            && m.head_height_px > 0.0
            && m.shoulder_tilt_deg.is_finite();
        if !ok {
            return Err(format!(
                "{} is not a valid posturecam baseline (version 1)",
                path.display()
            ));
        }
        Ok(b)
    }

    /// How `now` deviates from this baseline; `None` when that is not a
    /// finite number (a baseline recorded with the head's height or width
    /// at zero, or measures overflowing): no deviation is better than an
    /// infinite one.
    pub fn deviation(&self, now: &FrontMeasures) -> Option<Deviation> {
        let b = &self.measures;
        let rel_now = now.head_height_px / now.inter_ear_px;
        let rel_base = b.head_height_px / b.inter_ear_px;
        let d = Deviation {
            head_drop: 1.0 - rel_now / rel_base,
            leaning_in: now.inter_ear_px / b.inter_ear_px - 1.0,
            tilt_change_deg: now.shoulder_tilt_deg - b.shoulder_tilt_deg,
        };
        (d.head_drop.is_finite() && d.leaning_in.is_finite() && d.tilt_change_deg.is_finite())
            .then_some(d)
    }
}
