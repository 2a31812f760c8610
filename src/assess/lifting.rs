//! Lifting technique in one frame: trunk and knee flexion, hand distance,
//! the lifting style, and REBA.

use serde::{Deserialize, Serialize};

use super::config::AssessConfig;
use super::reba::{reba, reba_risk, RebaInput, RebaRisk};
use super::sitting::neck_flexion;
use super::snap_upright;
use crate::analysis::{dist, pair_mid, point, Analysis};
use crate::pose::{Joint, Keypoints};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LiftStyle {
    /// Deep knee bend.
    Squat,
    SemiSquat,
    /// Back bent, knees nearly straight.
    Stoop,
    Upright,
    Unscorable,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LiftingAssessment {
    /// Trunk inclination from vertical, + forward (side view).
    pub trunk_flexion: Option<f32>,
    pub knee_flexion: Option<f32>,
    pub hip_angle: Option<f32>,
    /// Horizontal distance of the hands in front of the ankles over body
    /// length (a proxy for NIOSH's horizontal multiplier distance H).
    pub hand_distance_ratio: Option<f32>,
    pub style: LiftStyle,
    /// REBA grand score 1..15; null when unscorable.
    pub reba: Option<u8>,
    pub reba_risk: Option<RebaRisk>,
}

/// Body length: ankle→knee→hip→shoulder→nose along the body, about 0.9 of
/// stature, and unlike stature unchanged by bending.
pub(crate) fn body_length(kps: &Keypoints, min_conf: f32) -> Option<f32> {
    use Joint::*;
    let a = pair_mid(kps, LeftAnkle, RightAnkle, min_conf)?;
    let k = pair_mid(kps, LeftKnee, RightKnee, min_conf)?;
    let h = pair_mid(kps, LeftHip, RightHip, min_conf)?;
    let s = pair_mid(kps, LeftShoulder, RightShoulder, min_conf)?;
    let n = point(kps, Nose, min_conf)?;
    Some(dist(a, k) + dist(k, h) + dist(h, s) + dist(s, n))
}

pub fn assess_lifting(a: &Analysis, kps: &Keypoints, cfg: &AssessConfig) -> LiftingAssessment {
    use Joint::*;
    let c = &cfg.lifting;
    let g = &a.angles;
    let mut out = LiftingAssessment {
        trunk_flexion: g.trunk_inclination,
        knee_flexion: g.knee_flexion,
        hip_angle: g.hip_angle,
        hand_distance_ratio: None,
        style: LiftStyle::Unscorable,
        reba: None,
        reba_risk: None,
    };
    let Some(facing) = a.view.view.facing_sign() else {
        return out;
    };
    let min = cfg.gate_confidence;
    if let (Some(w), Some(an), Some(len)) = (
        pair_mid(kps, LeftWrist, RightWrist, min),
        pair_mid(kps, LeftAnkle, RightAnkle, min),
        body_length(kps, min),
    ) {
        // Coordinates near f32::MAX (a broken model) overflow to inf/inf:
        // no ratio rather than NaN.
        let ratio = (w.0 - an.0) * facing / len;
        if len > 1.0 && ratio.is_finite() {
            out.hand_distance_ratio = Some(ratio);
        }
    }
    let (Some(t), Some(k)) = (g.trunk_inclination, g.knee_flexion) else {
        return out;
    };
    out.style = if t < c.upright_trunk_deg && k < c.upright_knee_deg {
        LiftStyle::Upright
    } else if k < c.stoop_max_knee_deg {
        LiftStyle::Stoop
    } else if k < c.squat_min_knee_deg {
        LiftStyle::SemiSquat
    } else {
        LiftStyle::Squat
    };
    let mut r = RebaInput::neutral();
    r.trunk_flexion_deg = snap_upright(t, cfg.upright_tolerance_deg);
    if let Some(n) = neck_flexion(g.neck_inclination, Some(t)) {
        r.neck_flexion_deg = n;
    }
    r.legs_bilateral_support = true;
    r.knee_flexion_deg = k;
    r.sitting = false;
    if let Some(u) = g.upper_arm_elevation {
        r.upper_arm_flexion_deg = u;
    }
    if let Some(e) = g.elbow_flexion {
        r.lower_arm_flexion_deg = e;
    }
    r.load_kg = c.load_kg;
    r.coupling = c.coupling;
    r.activity = c.activity;
    let s = reba(&r);
    out.reba = Some(s.grand);
    out.reba_risk = Some(reba_risk(s.grand));
    out
}
