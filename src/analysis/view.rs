//! Which way the camera sees the person: from the front, or from one side.

use serde::{Deserialize, Serialize};

use super::{dist, pair_mid, point};
use crate::pose::{Joint, Keypoints};

/// The camera's view of the person. `Left` and `Right` name the side of the
/// body facing the camera: a person seen from their right faces the
/// image's right (+x).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum View {
    Front,
    Left,
    Right,
    Unknown,
}

impl View {
    /// +1 when the person faces the image's right (+x), -1 when they face
    /// its left, in a side view.
    pub fn facing_sign(self) -> Option<f32> {
        match self {
            View::Right => Some(1.0),
            View::Left => Some(-1.0),
            _ => None,
        }
    }

    pub fn is_side(self) -> bool {
        matches!(self, View::Left | View::Right)
    }

    /// The same view in a mirrored image.
    pub fn mirrored(self) -> View {
        match self {
            View::Left => View::Right,
            View::Right => View::Left,
            v => v,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ViewEstimate {
    pub view: View,
    /// 0..1: how clearly the cues agree.
    pub confidence: f32,
}

/// Shoulder width over torso length at or below which the shoulders are
/// seen edge-on (a side view). Adult biacromial breadth is about 0.8 of the
/// shoulder–hip distance (anthropometric tables, e.g. Pheasant & Haslam,
/// *Bodyspace*, 3rd ed.); seen at 70° or more from the front it foreshortens
/// below 0.8·cos 70° ≈ 0.27, at 45° to about 0.57.
pub const SIDE_WIDTH_RATIO: f32 = 0.35;
/// Shoulder width over torso length at or above which the view is frontal.
pub const FRONT_WIDTH_RATIO: f32 = 0.55;

/// Classifies the view from three cues, each voting between front (-1) and
/// side (+1): shoulder width against torso length (or against head size
/// when the hips are not visible), whether both ears and eyes are seen, and how
/// far the nose sits off the shoulders' midpoint. The facing direction, in
/// a side view, is where the nose points relative to the ears (or, without
/// them, the shoulders).
pub fn estimate_view(kps: &Keypoints, min_conf: f32) -> ViewEstimate {
    use Joint::*;
    let p = |j| point(kps, j, min_conf);
    let unknown = ViewEstimate {
        view: View::Unknown,
        confidence: 0.0,
    };
    let (ls, rs) = (p(LeftShoulder), p(RightShoulder));
    let shoulders = pair_mid(kps, LeftShoulder, RightShoulder, min_conf);
    let hips = pair_mid(kps, LeftHip, RightHip, min_conf);
    let nose = p(Nose);
    let ears = (p(LeftEar), p(RightEar));

    let mut votes: Vec<f32> = Vec::new();
    // Cue 1: shoulder width against a body length the view does not change.
    let width = match (ls, rs) {
        (Some(a), Some(b)) => Some((a.0 - b.0).abs()),
        (Some(_), None) | (None, Some(_)) => Some(0.0),
        _ => None,
    };
    let scale = match (shoulders, hips, nose) {
        (Some(s), Some(h), _) => Some(dist(s, h)),
        // Without hips: the nose-to-shoulder-line height is about 0.45 of
        // the torso length in an upright adult, whatever the view.
        (Some(s), None, Some(n)) => Some((s.1 - n.1).abs() / 0.45),
        _ => None,
    };
    if let (Some(w), Some(l)) = (width, scale.filter(|l| *l > 1.0)) {
        let r = w / l;
        let v = ((FRONT_WIDTH_RATIO + SIDE_WIDTH_RATIO) / 2.0 - r)
            / ((FRONT_WIDTH_RATIO - SIDE_WIDTH_RATIO) / 2.0);
        votes.push(v.clamp(-1.0, 1.0));
    }
    // Cue 2: both ears seen alike means frontal (or from behind); one
    // clearly more confident than the other means a side view.
    // A keypoint without a finite position counts as not seen, however
    // confident the model claims to be.
    let conf = |j: Joint| {
        let k = kps.get(j);
        if k.x.is_finite() && k.y.is_finite() {
            k.confidence
        } else {
            0.0
        }
    };
    let (lc, rc) = (conf(LeftEar), conf(RightEar));
    let asymmetry = |l: Joint, r: Joint| {
        let (a, b) = (conf(l), conf(r));
        (a.is_finite() && b.is_finite() && (a >= min_conf || b >= min_conf))
            .then(|| (a - b).abs() / a.max(b))
    };
    let ear = asymmetry(LeftEar, RightEar);
    let eye = asymmetry(LeftEye, RightEye);
    // Eyes only when no ear is seen: they sit close together, and MoveNet
    // often reports both eyes of a face in profile.
    let asym = ear.or(eye);
    if let Some(asym) = asym {
        votes.push(((asym - 0.35) / 0.35).clamp(-1.0, 1.0));
    }
    // Cue 3: the nose over the shoulders' midpoint is frontal; out beyond
    // the shoulders' half-width is a profile.
    if let (Some(n), Some(a), Some(b)) = (nose, ls, rs) {
        let half = ((a.0 - b.0).abs() / 2.0).max(1.0);
        let off = (n.0 - (a.0 + b.0) / 2.0).abs() / half;
        votes.push(((off - 0.6) / 0.4).clamp(-1.0, 1.0));
    }
    // A cue over keypoints so far apart that distances overflow (inf / inf),
    // or over two zero confidences with the gate at 0 (0 / 0), is NaN: no
    // vote (a NaN vote made the view's confidence NaN).
    votes.retain(|v| v.is_finite());
    if votes.is_empty() {
        return unknown;
    }
    let mean = votes.iter().sum::<f32>() / votes.len() as f32;
    let agreement =
        votes.iter().filter(|v| v.signum() == mean.signum()).count() as f32 / votes.len() as f32;
    let confidence = (mean.abs() * agreement * (votes.len() as f32 / 3.0).sqrt()).clamp(0.0, 1.0);
    if mean.abs() < 0.2 {
        return ViewEstimate {
            view: View::Unknown,
            confidence: 0.0,
        };
    }
    if mean < 0.0 {
        return ViewEstimate {
            view: View::Front,
            confidence,
        };
    }
    // Side view: which way does the face point?
    let ear = match ears {
        (Some(a), Some(b)) => Some(if lc >= rc { a } else { b }),
        (a, b) => a.or(b),
    };
    let facing = match (nose, ear, shoulders) {
        (Some(n), Some(e), _) if (n.0 - e.0).abs() > 1.0 => (n.0 - e.0).signum(),
        (Some(n), _, Some(s)) if (n.0 - s.0).abs() > 1.0 => (n.0 - s.0).signum(),
        _ => return unknown,
    };
    let view = if facing > 0.0 {
        View::Right
    } else {
        View::Left
    };
    ViewEstimate { view, confidence }
}
