//! Sitting alignment at a desk: a class, a 0–100 score, RULA, and findings
//! with plain-language cues.

use serde::{Deserialize, Serialize};

use super::baseline::{measure_front, Baseline, Deviation};
use super::config::AssessConfig;
use super::rula::{rula, rula_action, RulaInput};
use super::{ramp_cost, snap_upright, Finding, Severity};
use crate::analysis::{Analysis, View};
use crate::pose::Keypoints;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SittingClass {
    Upright,
    /// Forward trunk flexion and/or forward head.
    Slouched,
    /// Leaning back well past upright.
    Reclined,
    /// Leaning towards the person's own left.
    LeaningLeft,
    LeaningRight,
    /// Not enough of the body visible.
    Unscorable,
}

impl SittingClass {
    /// The class's name as records and stored samples write it (its serde
    /// name).
    pub fn as_str(self) -> &'static str {
        match self {
            SittingClass::Upright => "upright",
            SittingClass::Slouched => "slouched",
            SittingClass::Reclined => "reclined",
            SittingClass::LeaningLeft => "leaning_left",
            SittingClass::LeaningRight => "leaning_right",
            SittingClass::Unscorable => "unscorable",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SittingAssessment {
    pub class: SittingClass,
    /// 0..100, 100 = ideal; null when unscorable.
    pub score: Option<u8>,
    /// RULA grand score 1..7; null when unscorable.
    pub rula: Option<u8>,
    /// RULA's action for that score.
    pub rula_action: Option<String>,
    pub findings: Vec<Finding>,
    /// Deviations from the personal baseline, when one was given and the
    /// frame is frontal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<Deviation>,
}

impl SittingAssessment {
    fn unscorable(reason: &str) -> SittingAssessment {
        SittingAssessment {
            class: SittingClass::Unscorable,
            score: None,
            rula: None,
            rula_action: None,
            findings: vec![Finding::new("unscorable", Severity::Info, reason)],
            baseline: None,
        }
    }
}

/// Neck flexion relative to the trunk, as RULA and REBA define it, from the
/// inclinations against vertical; a few degrees of apparent extension are
/// measurement noise, not extension (a 5° dead band).
pub(crate) fn neck_flexion(neck_incl: Option<f32>, trunk_incl: Option<f32>) -> Option<f32> {
    let n = neck_incl? - trunk_incl.unwrap_or(0.0);
    Some(if (-5.0..0.0).contains(&n) { 0.0 } else { n })
}

/// Assesses sitting from one frame's analysis.
pub fn assess_sitting(
    a: &Analysis,
    kps: &Keypoints,
    cfg: &AssessConfig,
    baseline: Option<&Baseline>,
) -> SittingAssessment {
    let s = &cfg.sitting;
    let g = &a.angles;
    let mut findings = Vec::new();
    let mut costs: Vec<f32> = Vec::new();
    let mut class = SittingClass::Upright;
    let mut rin = RulaInput::neutral();
    rin.legs_and_feet_supported = true;
    let mut dev = None;

    match a.view.view {
        View::Left | View::Right => {
            if g.trunk_inclination.is_none() && g.neck_inclination.is_none() {
                return SittingAssessment::unscorable(
                    "side view, but neither the trunk (shoulder and hip) nor the neck (ear and shoulder) is visible",
                );
            }
            let mut forward = false;
            if let Some(t) = g.trunk_inclination {
                costs.push(ramp_cost(t.abs(), s.score_trunk_deg));
                if t > s.slouch_trunk_deg {
                    forward = true;
                    findings.push(Finding::new(
                        "trunk_flexed",
                        Severity::Correct,
                        format!("sit back against the chair: your back leans {t:.0}° forward"),
                    ));
                } else if t < -s.recline_trunk_deg {
                    class = SittingClass::Reclined;
                    findings.push(Finding::new(
                        "reclined",
                        Severity::Watch,
                        format!(
                            "you are leaning {:.0}° back: to work, sit up with the screen in reach",
                            -t
                        ),
                    ));
                }
                // RULA: sitting leaned back against a backrest counts as a
                // well-supported trunk (score 1), as does upright.
                rin.trunk_flexion_deg = snap_upright(t.max(0.0), cfg.upright_tolerance_deg);
            }
            if let Some(n) = g.neck_inclination {
                costs.push(ramp_cost(n, s.score_neck_deg));
                if n > s.forward_head_neck_deg {
                    forward = true;
                    findings.push(Finding::new(
                        "forward_head",
                        Severity::Correct,
                        format!(
                            "bring your head back over your shoulders: it leans {n:.0}° forward"
                        ),
                    ));
                }
            }
            if let Some(nf) = neck_flexion(g.neck_inclination, g.trunk_inclination) {
                rin.neck_flexion_deg = nf;
            }
            if forward {
                class = SittingClass::Slouched;
            }
            if let Some(u) = g.upper_arm_elevation {
                rin.upper_arm_flexion_deg = u;
            }
            if let Some(e) = g.elbow_flexion {
                rin.lower_arm_flexion_deg = e;
            }
        }
        View::Front => {
            if g.shoulder_tilt.is_none() {
                return SittingAssessment::unscorable(
                    "front view, but the shoulders are not both visible",
                );
            }
            if let Some(l) = g.lateral_lean {
                costs.push(ramp_cost(l.abs(), s.score_lean_deg));
                if l.abs() > s.lean_deg {
                    let (c, side) = if l > 0.0 {
                        (SittingClass::LeaningLeft, "left")
                    } else {
                        (SittingClass::LeaningRight, "right")
                    };
                    class = c;
                    rin.trunk_side_bent = true;
                    findings.push(Finding::new(
                        &format!("leaning_{side}"),
                        Severity::Correct,
                        format!("sit up straight: you lean {:.0}° to your {side}", l.abs()),
                    ));
                }
            }
            if let Some(t) = g.shoulder_tilt {
                costs.push(ramp_cost(t.abs(), s.score_tilt_deg));
                if t.abs() > s.shoulder_tilt_deg {
                    let high = if t > 0.0 { "left" } else { "right" };
                    findings.push(Finding::new(
                        &format!("shoulder_high_{high}"),
                        Severity::Watch,
                        format!(
                            "level your shoulders: your {high} shoulder is {:.0}° higher",
                            t.abs()
                        ),
                    ));
                }
            }
            if let Some(r) = g.head_roll {
                if r.abs() > s.head_roll_deg {
                    let towards = if r > 0.0 { "right" } else { "left" };
                    rin.neck_side_bent = true;
                    findings.push(Finding::new(
                        &format!("head_tilted_{towards}"),
                        Severity::Watch,
                        format!(
                            "straighten your head: it tilts {:.0}° towards your {towards} shoulder",
                            r.abs()
                        ),
                    ));
                }
            }
            if let Some(d) = baseline
                .zip(measure_front(kps, cfg.gate_confidence))
                .and_then(|(b, now)| b.deviation(&now))
            {
                let bc = &cfg.baseline;
                costs.push(ramp_cost(
                    d.head_drop,
                    [bc.head_drop / 2.0, bc.head_drop * 2.0],
                ));
                costs.push(ramp_cost(
                    d.leaning_in,
                    [bc.leaning_in / 2.0, bc.leaning_in * 2.0],
                ));
                if d.head_drop > bc.head_drop {
                    class = SittingClass::Slouched;
                    findings.push(Finding::new(
                        "head_drop",
                        Severity::Correct,
                        format!(
                            "lift your head and sit tall: it has dropped {:.0}% towards your shoulders",
                            d.head_drop * 100.0
                        ),
                    ));
                }
                if d.leaning_in > bc.leaning_in {
                    class = SittingClass::Slouched;
                    findings.push(Finding::new(
                        "leaning_in",
                        Severity::Correct,
                        "sit back: you are leaning in towards the screen",
                    ));
                }
                if d.tilt_change_deg.abs() > bc.tilt_change_deg {
                    findings.push(Finding::new(
                        "tilt_change",
                        Severity::Watch,
                        format!(
                            "level your shoulders: they tilt {:.0}° more than when you calibrated",
                            d.tilt_change_deg.abs()
                        ),
                    ));
                }
                dev = Some(d);
            }
        }
        View::Unknown => {
            return SittingAssessment::unscorable(
                "the camera's view of the person (front or side) is unclear",
            );
        }
    }
    let worst = costs.iter().copied().fold(0.0f32, f32::max);
    let score = (100.0 * (1.0 - worst)).round().clamp(0.0, 100.0) as u8;
    let r = rula(&rin);
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
    SittingAssessment {
        class,
        score: Some(score),
        rula: Some(r.grand),
        rula_action: Some(rula_action(r.grand).to_string()),
        findings,
        baseline: dev,
    }
}
