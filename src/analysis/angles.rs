//! Joint angles from keypoints. Every angle is in degrees; a metric whose
//! keypoints are missing, non-finite or below the confidence gate is `None`
//! (`null` in records), never guessed. Sagittal-plane metrics need a side
//! view, frontal-plane ones a front view; in other views they are `None`.
//! See docs/metrics.md for figures.

use serde::{Deserialize, Serialize};

use super::view::View;
use super::{dist, pair_mid, point};
use crate::pose::{Joint, Keypoints};

/// Keypoints below this confidence do not enter any metric. The MoveNet
/// demos draw keypoints from 0.3 (tfjs-models pose-detection demo,
/// `scoreThreshold`); the crop logic uses 0.2 to *find* a person, but a
/// measurement needs a keypoint that is actually seen.
pub const GATE_CONFIDENCE: f32 = 0.3;

#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Angles {
    /// Side view. Hip→shoulder line against vertical; + leaning forward
    /// (towards where the face points), − leaning back.
    pub trunk_inclination: Option<f32>,
    /// Side view. Shoulder→ear line against vertical, signed like the trunk.
    pub neck_inclination: Option<f32>,
    /// Side view. 90 − neck_inclination: a 2-D stand-in for the
    /// craniovertebral angle (smaller = head further forward).
    pub cva_proxy: Option<f32>,
    /// Side view. Horizontal ear–shoulder offset (+ ear ahead of the
    /// shoulder) over torso length (shoulder–hip distance).
    pub head_forward_ratio: Option<f32>,
    /// Front view. Shoulder line against horizontal; + the person's left
    /// shoulder higher.
    pub shoulder_tilt: Option<f32>,
    /// Front view. Ear line (eye line when an ear is missing) against
    /// horizontal; + the person's left ear higher (head rolled towards the
    /// right shoulder).
    pub head_roll: Option<f32>,
    /// Front view. Hip-midpoint→shoulder-midpoint line against vertical;
    /// + leaning towards the person's left.
    pub lateral_lean: Option<f32>,
    /// Side view. Angle at the hip between shoulder and knee (180 = straight).
    pub hip_angle: Option<f32>,
    /// Side view. 180 − the angle at the knee between hip and ankle
    /// (0 = straight leg).
    pub knee_flexion: Option<f32>,
    /// Side view. 180 − the angle at the elbow between shoulder and wrist
    /// (0 = straight arm).
    pub elbow_flexion: Option<f32>,
    /// Side view. Upper arm (shoulder→elbow) against the trunk line
    /// (shoulder→hip); + forward of the trunk (flexion), − behind it
    /// (extension).
    pub upper_arm_elevation: Option<f32>,
}

type P = (f32, f32);

/// Angle of vector `v` from straight up (0, −1) in image coordinates,
/// 0..180, and the sign of its horizontal part; `None` for a vector too
/// short to have a direction (two coincident keypoints: `atan2(0, -0)`
/// would say 180°).
fn from_vertical(v: P) -> Option<(f32, f32)> {
    (v.0.hypot(v.1) >= 1e-3).then(|| (v.0.abs().atan2(-v.1).to_degrees(), v.0.signum()))
}

/// The angle at `b` between `a` and `c`, 0..180.
fn angle_at(a: P, b: P, c: P) -> Option<f32> {
    let (u, v) = ((a.0 - b.0, a.1 - b.1), (c.0 - b.0, c.1 - b.1));
    let (nu, nv) = (u.0.hypot(u.1), v.0.hypot(v.1));
    if nu < 1e-3 || nv < 1e-3 {
        return None;
    }
    let cos = ((u.0 * v.0 + u.1 * v.1) / (nu * nv)).clamp(-1.0, 1.0);
    Some(cos.acos().to_degrees())
}

/// Signed angle of a line against horizontal, + when `left` is higher than
/// `right` (smaller y). `left`/`right` are the person's.
fn tilt(left: P, right: P) -> Option<f32> {
    let dx = (left.0 - right.0).abs();
    let dy = right.1 - left.1;
    (dx.hypot(dy) >= 1e-3).then(|| dy.atan2(dx).to_degrees())
}

fn finite(v: Option<f32>) -> Option<f32> {
    v.filter(|x| x.is_finite())
}

/// The keypoints of the body side nearer the camera, falling back to the
/// other side for each joint.
fn side_point(kps: &Keypoints, view: View, near: (Joint, Joint), min_conf: f32) -> Option<P> {
    let (l, r) = near;
    let (first, second) = if view == View::Left { (l, r) } else { (r, l) };
    point(kps, first, min_conf).or_else(|| point(kps, second, min_conf))
}

/// Computes every metric that `view` allows.
pub fn compute(kps: &Keypoints, view: View, min_conf: f32) -> Angles {
    use Joint::*;
    let mut a = Angles::default();
    let shoulders = pair_mid(kps, LeftShoulder, RightShoulder, min_conf);
    let hips = pair_mid(kps, LeftHip, RightHip, min_conf);

    if let Some(s) = view.facing_sign() {
        // Use one side consistently for limb angles: the one facing us.
        let sp = |pair| side_point(kps, view, pair, min_conf);
        let ear = sp((LeftEar, RightEar));
        if let (Some(sh), Some(hp)) = (shoulders, hips) {
            if let Some((ang, dir)) = from_vertical((sh.0 - hp.0, sh.1 - hp.1)) {
                a.trunk_inclination = Some(if dir * s < 0.0 { -ang } else { ang });
            }
        }
        let neck = shoulders
            .zip(ear)
            .and_then(|(sh, e)| from_vertical((e.0 - sh.0, e.1 - sh.1)).map(|v| (sh, e, v)));
        if let Some((sh, e, (ang, dir))) = neck {
            let neck = if dir * s < 0.0 { -ang } else { ang };
            a.neck_inclination = Some(neck);
            a.cva_proxy = Some(90.0 - neck);
            if let Some(hp) = hips {
                let torso = dist(sh, hp);
                if torso > 1.0 {
                    a.head_forward_ratio = Some((e.0 - sh.0) * s / torso);
                }
            }
        }
        let (sh1, hp1) = (sp((LeftShoulder, RightShoulder)), sp((LeftHip, RightHip)));
        let (kn, an) = (sp((LeftKnee, RightKnee)), sp((LeftAnkle, RightAnkle)));
        let (el, wr) = (sp((LeftElbow, RightElbow)), sp((LeftWrist, RightWrist)));
        if let (Some(sh), Some(hp), Some(k)) = (sh1, hp1, kn) {
            a.hip_angle = angle_at(sh, hp, k);
        }
        if let (Some(hp), Some(k), Some(an)) = (hp1, kn, an) {
            a.knee_flexion = angle_at(hp, k, an).map(|x| 180.0 - x);
        }
        if let (Some(sh), Some(e), Some(w)) = (sh1, el, wr) {
            a.elbow_flexion = angle_at(sh, e, w).map(|x| 180.0 - x);
        }
        if let (Some(sh), Some(hp), Some(e)) = (sh1, hp1, el) {
            if let Some(ang) = angle_at(hp, sh, e) {
                // Forward of the trunk line (towards the face) is flexion.
                let trunk = (hp.0 - sh.0, hp.1 - sh.1);
                let arm = (e.0 - sh.0, e.1 - sh.1);
                let cross = trunk.0 * arm.1 - trunk.1 * arm.0;
                // With y down, a forward (facing +x) arm is anticlockwise
                // of the downward trunk line: cross < 0 when s = +1.
                a.upper_arm_elevation = Some(if cross * s <= 0.0 { ang } else { -ang });
            }
        }
    } else if view == View::Front {
        let p = |j| point(kps, j, min_conf);
        if let (Some(l), Some(r)) = (p(LeftShoulder), p(RightShoulder)) {
            a.shoulder_tilt = tilt(l, r);
            // The midline needs both hips: one hip alone is off to a side.
            let both_hips = (p(LeftHip), p(RightHip));
            if let (Some(lh), Some(rh)) = both_hips {
                let hp = ((lh.0 + rh.0) / 2.0, (lh.1 + rh.1) / 2.0);
                let sh = ((l.0 + r.0) / 2.0, (l.1 + r.1) / 2.0);
                if let Some((ang, dir)) = from_vertical((sh.0 - hp.0, sh.1 - hp.1)) {
                    // Towards the person's left: the side their left shoulder is on.
                    let left_dir = (l.0 - r.0).signum();
                    a.lateral_lean = Some(if dir * left_dir < 0.0 { -ang } else { ang });
                }
            }
        }
        a.head_roll = match (p(LeftEar), p(RightEar), p(LeftEye), p(RightEye)) {
            (Some(l), Some(r), _, _) => tilt(l, r),
            (_, _, Some(l), Some(r)) => tilt(l, r),
            _ => None,
        };
    }
    Angles {
        trunk_inclination: finite(a.trunk_inclination),
        neck_inclination: finite(a.neck_inclination),
        cva_proxy: finite(a.cva_proxy),
        head_forward_ratio: finite(a.head_forward_ratio),
        shoulder_tilt: finite(a.shoulder_tilt),
        head_roll: finite(a.head_roll),
        lateral_lean: finite(a.lateral_lean),
        hip_angle: finite(a.hip_angle),
        knee_flexion: finite(a.knee_flexion),
        elbow_flexion: finite(a.elbow_flexion),
        upper_arm_elevation: finite(a.upper_arm_elevation),
    }
}
