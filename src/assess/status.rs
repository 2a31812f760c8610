//! How each body segment of a skeleton is shown: fine, drifting, or to
//! correct, with its colour. Shared by the live window (which draws with
//! egui) and the HTML report (which draws into key-frame images), so both
//! colour a skeleton the same way.

use super::{AssessConfig, Assessment, LiftStyle, Severity};
use crate::pose::Joint;

/// How a body segment looks: fine, drifting, or to correct.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SegmentStatus {
    Good,
    Watch,
    Correct,
}

impl SegmentStatus {
    /// The segment's colour as 8-bit sRGB: green, amber, red.
    pub const fn rgb(self) -> [u8; 3] {
        match self {
            SegmentStatus::Good => [60, 200, 90],
            SegmentStatus::Watch => [240, 180, 40],
            SegmentStatus::Correct => [230, 60, 50],
        }
    }

    /// A word for the status, for legends and alt text.
    pub const fn as_str(self) -> &'static str {
        match self {
            SegmentStatus::Good => "good",
            SegmentStatus::Watch => "watch",
            SegmentStatus::Correct => "correct",
        }
    }
}

/// The bones drawn, with the part of the body each belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Part {
    Head,
    Neck,
    Shoulders,
    Trunk,
    Arms,
    Legs,
}

/// The skeleton's bones (COCO-17 pairs), each with its body part.
pub const BONES: [(Joint, Joint, Part); 18] = {
    use Joint::*;
    [
        (Nose, LeftEye, Part::Head),
        (Nose, RightEye, Part::Head),
        (LeftEye, LeftEar, Part::Head),
        (RightEye, RightEar, Part::Head),
        (LeftEar, LeftShoulder, Part::Neck),
        (RightEar, RightShoulder, Part::Neck),
        (LeftShoulder, RightShoulder, Part::Shoulders),
        (LeftShoulder, LeftHip, Part::Trunk),
        (RightShoulder, RightHip, Part::Trunk),
        (LeftHip, RightHip, Part::Trunk),
        (LeftShoulder, LeftElbow, Part::Arms),
        (LeftElbow, LeftWrist, Part::Arms),
        (RightShoulder, RightElbow, Part::Arms),
        (RightElbow, RightWrist, Part::Arms),
        (LeftHip, LeftKnee, Part::Legs),
        (LeftKnee, LeftAnkle, Part::Legs),
        (RightHip, RightKnee, Part::Legs),
        (RightKnee, RightAnkle, Part::Legs),
    ]
};

fn from_severity(s: Severity) -> SegmentStatus {
    match s {
        Severity::Correct => SegmentStatus::Correct,
        Severity::Watch => SegmentStatus::Watch,
        Severity::Info => SegmentStatus::Good,
    }
}

/// The status of a body part while sitting: the worst severity among the
/// sitting findings that concern it. Arms and legs are not judged; no
/// assessment (no person) is shown as good.
pub fn part_status(assessment: Option<&Assessment>, part: Part) -> SegmentStatus {
    let Some(a) = assessment else {
        return SegmentStatus::Good;
    };
    let worst = |codes: &[&str]| {
        a.sitting
            .findings
            .iter()
            .filter(|f| codes.iter().any(|c| f.code.starts_with(c)))
            .map(|f| from_severity(f.severity))
            .max()
            .unwrap_or(SegmentStatus::Good)
    };
    match part {
        Part::Head => worst(&["head_tilted", "head_drop"]),
        Part::Neck => worst(&["forward_head", "head_drop", "leaning_in"]),
        Part::Shoulders => worst(&["shoulder_high", "tilt_change"]),
        Part::Trunk => worst(&["trunk_flexed", "reclined", "leaning_left", "leaning_right"]),
        Part::Arms | Part::Legs => SegmentStatus::Good,
    }
}

/// REBA's trunk bands (Hignett & McAtamney 2000, Group A, trunk): flexion
/// beyond 60° scores 4, the top of the scale.
pub const REBA_TRUNK_SEVERE_DEG: f32 = 60.0;

/// The status of a body part during a lift, from the lifting assessment.
///
/// * Trunk: flexion under `lifting.upright_trunk_deg` (20°, REBA's first
///   band) is good; up to 60° (REBA trunk score 3) watch; beyond 60° (REBA
///   trunk score 4) correct.
/// * Legs: watch in a stoop (knee flexion under `lifting.stoop_max_knee_deg`
///   with the trunk bent): the usual cue is to bend the knees.
/// * Other parts are not judged in a lift. No assessment shows as good.
pub fn lifting_part_status(
    assessment: Option<&Assessment>,
    cfg: &AssessConfig,
    part: Part,
) -> SegmentStatus {
    let Some(a) = assessment else {
        return SegmentStatus::Good;
    };
    match part {
        Part::Trunk => match a.lifting.trunk_flexion {
            Some(t) if t.is_finite() && t > REBA_TRUNK_SEVERE_DEG => SegmentStatus::Correct,
            Some(t) if t.is_finite() && t >= cfg.lifting.upright_trunk_deg => SegmentStatus::Watch,
            _ => SegmentStatus::Good,
        },
        Part::Legs if a.lifting.style == LiftStyle::Stoop => SegmentStatus::Watch,
        _ => SegmentStatus::Good,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assess::{Assessor, Finding};
    use crate::pose::{Keypoint, Keypoints};

    fn assessment() -> Assessment {
        // Any pose will do: the fields under test are overwritten.
        let mut k = Keypoints::default();
        for (i, kp) in k.0.iter_mut().enumerate() {
            *kp = Keypoint {
                x: 10.0 * i as f32,
                y: 20.0 * i as f32,
                confidence: 0.9,
            };
        }
        Assessor::default().assess(&k)
    }

    #[test]
    fn colours_are_green_amber_red() {
        assert_eq!(SegmentStatus::Good.rgb(), [60, 200, 90]);
        assert_eq!(SegmentStatus::Watch.rgb(), [240, 180, 40]);
        assert_eq!(SegmentStatus::Correct.rgb(), [230, 60, 50]);
        assert!(SegmentStatus::Correct > SegmentStatus::Watch);
    }

    #[test]
    fn every_limb_is_drawn_once() {
        use Joint::*;
        for (a, b) in [
            (LeftKnee, LeftAnkle),
            (RightKnee, RightAnkle),
            (LeftElbow, LeftWrist),
            (RightElbow, RightWrist),
        ] {
            assert_eq!(
                BONES.iter().filter(|(p, q, _)| (*p, *q) == (a, b)).count(),
                1
            );
        }
    }

    #[test]
    fn sitting_status_is_the_worst_finding_of_the_part() {
        let mut a = assessment();
        a.sitting.findings = vec![
            Finding::new("trunk_flexed", Severity::Watch, "x"),
            Finding::new("reclined", Severity::Correct, "y"),
            Finding::new("forward_head", Severity::Info, "z"),
        ];
        assert_eq!(part_status(Some(&a), Part::Trunk), SegmentStatus::Correct);
        assert_eq!(part_status(Some(&a), Part::Neck), SegmentStatus::Good);
        assert_eq!(part_status(Some(&a), Part::Legs), SegmentStatus::Good);
        assert_eq!(part_status(None, Part::Trunk), SegmentStatus::Good);
    }

    #[test]
    fn lifting_status_follows_the_reba_trunk_bands_and_stoop() {
        let cfg = AssessConfig::default();
        let mut a = assessment();
        let trunk = |a: &Assessment| lifting_part_status(Some(a), &cfg, Part::Trunk);
        a.lifting.trunk_flexion = Some(19.9);
        assert_eq!(trunk(&a), SegmentStatus::Good);
        a.lifting.trunk_flexion = Some(20.0);
        assert_eq!(trunk(&a), SegmentStatus::Watch);
        a.lifting.trunk_flexion = Some(60.0);
        assert_eq!(trunk(&a), SegmentStatus::Watch);
        a.lifting.trunk_flexion = Some(60.5);
        assert_eq!(trunk(&a), SegmentStatus::Correct);
        a.lifting.trunk_flexion = Some(f32::NAN);
        assert_eq!(trunk(&a), SegmentStatus::Good);
        a.lifting.style = LiftStyle::Stoop;
        assert_eq!(
            lifting_part_status(Some(&a), &cfg, Part::Legs),
            SegmentStatus::Watch
        );
        a.lifting.style = LiftStyle::Squat;
        assert_eq!(
            lifting_part_status(Some(&a), &cfg, Part::Legs),
            SegmentStatus::Good
        );
        assert_eq!(
            lifting_part_status(None, &cfg, Part::Trunk),
            SegmentStatus::Good
        );
    }
}
