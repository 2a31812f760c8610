//! Assessments built on the geometry of [`crate::analysis`]: sitting
//! alignment (with RULA) and lifting technique (with REBA), their
//! thresholds ([`config`]) and a personal sitting baseline ([`baseline`]).

pub mod baseline;
pub mod config;
pub mod lifting;
pub mod reba;
pub mod reps;
pub mod rula;
pub mod sitting;
pub mod status;

use serde::{Deserialize, Serialize};

pub use baseline::Baseline;
pub use config::AssessConfig;
pub use lifting::{LiftStyle, LiftingAssessment};
pub use sitting::{SittingAssessment, SittingClass};

/// How urgent a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Worth knowing; no action needed.
    Info,
    /// Drifting from good posture.
    Watch,
    /// Correct it now.
    Correct,
}

/// One observation with a plain-language cue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub code: String,
    pub severity: Severity,
    pub message: String,
}

impl Finding {
    pub fn new(code: &str, severity: Severity, message: impl Into<String>) -> Finding {
        Finding {
            code: code.into(),
            severity,
            message: message.into(),
        }
    }
}

/// `deg`, or 0 when it is within `tolerance` of 0.
pub(crate) fn snap_upright(deg: f32, tolerance: f32) -> f32 {
    if deg.abs() <= tolerance {
        0.0
    } else {
        deg
    }
}

/// 0 at or below `ramp[0]`, 1 at or above `ramp[1]`, linear between.
pub(crate) fn ramp_cost(value: f32, ramp: [f32; 2]) -> f32 {
    if !value.is_finite() {
        return 0.0;
    }
    ((value - ramp[0]) / (ramp[1] - ramp[0])).clamp(0.0, 1.0)
}

/// Everything assessed about one pose.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Assessment {
    pub view: crate::analysis::ViewEstimate,
    pub angles: crate::analysis::Angles,
    pub sitting: SittingAssessment,
    pub lifting: LiftingAssessment,
}

/// Thresholds and an optional personal baseline: all an assessment needs
/// besides the pose.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Assessor {
    pub config: AssessConfig,
    pub baseline: Option<Baseline>,
}

impl Assessor {
    /// Analyses and assesses one pose.
    pub fn assess(&self, kps: &crate::pose::Keypoints) -> Assessment {
        let cfg = &self.config;
        let a = crate::analysis::analyse(kps, cfg.gate_confidence);
        let sitting = sitting::assess_sitting(&a, kps, cfg, self.baseline.as_ref());
        let lifting = lifting::assess_lifting(&a, kps, cfg);
        Assessment {
            view: a.view,
            angles: a.angles,
            sitting,
            lifting,
        }
    }
}
