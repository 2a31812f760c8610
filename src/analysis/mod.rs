//! Pure geometry over keypoints: which way the person is seen ([`view`]) and
//! the joint angles that assessments are built from ([`angles`]). No I/O.
//! Conventions: image pixels, x to the right, y downwards; angles in degrees.

pub mod angles;
pub mod view;

pub use angles::{Angles, GATE_CONFIDENCE};
pub use view::{View, ViewEstimate};

use crate::pose::{Joint, Keypoints};

/// A keypoint's position if it is finite and at least `min_conf` confident.
pub(crate) fn point(kps: &Keypoints, j: Joint, min_conf: f32) -> Option<(f32, f32)> {
    let k = kps.get(j);
    (k.confidence >= min_conf && k.x.is_finite() && k.y.is_finite() && k.confidence.is_finite())
        .then_some((k.x, k.y))
}

/// Midpoint of the confident ones of a left/right pair (one alone stands in
/// for the pair).
pub(crate) fn pair_mid(kps: &Keypoints, l: Joint, r: Joint, min_conf: f32) -> Option<(f32, f32)> {
    match (point(kps, l, min_conf), point(kps, r, min_conf)) {
        (Some(a), Some(b)) => Some(((a.0 + b.0) / 2.0, (a.1 + b.1) / 2.0)),
        (a, b) => a.or(b),
    }
}

pub(crate) fn dist(a: (f32, f32), b: (f32, f32)) -> f32 {
    (a.0 - b.0).hypot(a.1 - b.1)
}

/// Everything geometric about one pose.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Analysis {
    pub view: ViewEstimate,
    pub angles: Angles,
}

/// Analyses a pose with keypoints gated at `min_conf`.
pub fn analyse(kps: &Keypoints, min_conf: f32) -> Analysis {
    let view = view::estimate_view(kps, min_conf);
    let angles = angles::compute(kps, view.view, min_conf);
    Analysis { view, angles }
}
