//! Every threshold the assessments use, in one serde config with
//! compiled-in defaults. `posturecam config --print-default` prints
//! [`DEFAULT_TOML`], which documents each value's source; `--config FILE`
//! overrides any subset of it.

use serde::{Deserialize, Serialize};

use super::reba::Coupling;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AssessConfig {
    /// Keypoints below this confidence enter no metric.
    pub gate_confidence: f32,
    /// A trunk within this many degrees of vertical counts as "upright"
    /// (RULA and REBA score exactly upright lower than 0–20°).
    pub upright_tolerance_deg: f32,
    pub sitting: SittingConfig,
    pub lifting: LiftingConfig,
    pub baseline: BaselineConfig,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SittingConfig {
    /// Forward trunk inclination (side view) above which sitting is slouched.
    pub slouch_trunk_deg: f32,
    /// Neck inclination (side view) above which the head is forward.
    pub forward_head_neck_deg: f32,
    /// Backward trunk inclination beyond which sitting is reclined.
    pub recline_trunk_deg: f32,
    /// Lateral lean (front view) beyond which sitting is leaning.
    pub lean_deg: f32,
    /// Shoulder tilt (front view) beyond which shoulders are uneven.
    pub shoulder_tilt_deg: f32,
    /// Head roll (front view) beyond which the head is tilted.
    pub head_roll_deg: f32,
    /// Score ramps: a metric costs nothing up to the first value and the
    /// whole score at the second; the score is 100 × (1 − the worst cost).
    pub score_trunk_deg: [f32; 2],
    pub score_neck_deg: [f32; 2],
    pub score_lean_deg: [f32; 2],
    pub score_tilt_deg: [f32; 2],
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LiftingConfig {
    /// Trunk flexion below which (with straight knees) the person is upright.
    pub upright_trunk_deg: f32,
    /// Knee flexion below which the knees count as straight.
    pub upright_knee_deg: f32,
    /// Knee flexion below which a bent-over lift is a stoop.
    pub stoop_max_knee_deg: f32,
    /// Knee flexion at or above which a lift is a full squat.
    pub squat_min_knee_deg: f32,
    /// REBA inputs a frame cannot show.
    pub load_kg: f32,
    pub coupling: Coupling,
    pub activity: u8,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BaselineConfig {
    /// Head height over the shoulder line (relative to head width) lost
    /// since the baseline, as a fraction, above which the head has dropped.
    pub head_drop: f32,
    /// Growth of the head's apparent width since the baseline (the head
    /// came closer to the camera), as a fraction, above which the person
    /// leans in.
    pub leaning_in: f32,
    /// Change of shoulder tilt since the baseline, in degrees.
    pub tilt_change_deg: f32,
}

impl Default for AssessConfig {
    fn default() -> Self {
        AssessConfig {
            gate_confidence: crate::analysis::GATE_CONFIDENCE,
            upright_tolerance_deg: 5.0,
            sitting: SittingConfig::default(),
            lifting: LiftingConfig::default(),
            baseline: BaselineConfig::default(),
        }
    }
}

impl Default for SittingConfig {
    fn default() -> Self {
        SittingConfig {
            slouch_trunk_deg: 20.0,
            forward_head_neck_deg: 20.0,
            recline_trunk_deg: 20.0,
            lean_deg: 10.0,
            shoulder_tilt_deg: 5.0,
            head_roll_deg: 10.0,
            score_trunk_deg: [10.0, 45.0],
            score_neck_deg: [10.0, 45.0],
            score_lean_deg: [5.0, 25.0],
            score_tilt_deg: [3.0, 15.0],
        }
    }
}

impl Default for LiftingConfig {
    fn default() -> Self {
        LiftingConfig {
            upright_trunk_deg: 20.0,
            upright_knee_deg: 30.0,
            stoop_max_knee_deg: 45.0,
            squat_min_knee_deg: 90.0,
            load_kg: 0.0,
            coupling: Coupling::Good,
            activity: 0,
        }
    }
}

impl Default for BaselineConfig {
    fn default() -> Self {
        BaselineConfig {
            head_drop: 0.15,
            leaning_in: 0.15,
            tilt_change_deg: 5.0,
        }
    }
}

/// The defaults as TOML, with where each value comes from. A test checks
/// that it parses to exactly [`AssessConfig::default`].
pub const DEFAULT_TOML: &str = r#"# posturecam assessment thresholds (all angles in degrees).
# Copy this file, change what you need, and pass it with --config FILE;
# keys you leave out keep these defaults.

# Keypoints below this confidence enter no metric (MoveNet's demos draw
# keypoints from 0.3).
gate_confidence = 0.3
# RULA and REBA score an exactly upright trunk lower than one flexed 0-20
# degrees; 2-D keypoints wobble by a few degrees from frame to frame, so a
# trunk within this many degrees of vertical counts as upright.
upright_tolerance_deg = 5.0

[sitting]
# RULA (McAtamney & Corlett 1993) trunk bands: 0-20 / 20-60 / >60 degrees of
# flexion. Past the first band's 20 degrees, sitting counts as slouched.
slouch_trunk_deg = 20.0
# RULA neck bands: 0-10 / 10-20 / >20 degrees. Past 20 the head is forward.
# (Forward-head literature uses the craniovertebral angle, about 44 degrees
# with neck pain vs 51 without, Lau et al. 2009, measured from C7; the 2-D
# proxy here is measured from the shoulder and is not comparable, so the
# RULA neck band is used instead.)
forward_head_neck_deg = 20.0
# Leaning back more than this is reclined: a backrest at 110 degrees or more
# (Andersson et al. 1974 measured the lowest disc pressure at 110-120).
recline_trunk_deg = 20.0
# Frontal plane: no published angle cut-offs (RULA and REBA only add a point
# for "side bending"); these are posturecam's, conservative to avoid false
# alarms.
lean_deg = 10.0
shoulder_tilt_deg = 5.0
head_roll_deg = 10.0
# Score ramps [no cost up to, full cost at]; score = 100 x (1 - worst cost).
score_trunk_deg = [10.0, 45.0]
score_neck_deg = [10.0, 45.0]
score_lean_deg = [5.0, 25.0]
score_tilt_deg = [3.0, 15.0]

[lifting]
# Upright: trunk flexion under REBA's first band (20) and knee flexion under
# REBA's knee adjustment (30).
upright_trunk_deg = 20.0
upright_knee_deg = 30.0
# Technique bands by knee flexion, as in lifting-technique studies that
# separate stoop (knees nearly straight), semi-squat and squat (e.g.
# Burgess-Limerick 2003, Int J Ind Ergon 31:143-148; Straker 2003).
stoop_max_knee_deg = 45.0
squat_min_knee_deg = 90.0
# REBA inputs a frame cannot show (Hignett & McAtamney 2000): load in kg
# (<5: +0, 5-10: +1, >10: +2), coupling good|fair|poor|unacceptable
# (+0..+3), activity 0-3 (+1 each: static >1 min, repeated >4/min, rapid
# large changes).
load_kg = 0.0
coupling = "good"
activity = 0

[baseline]
# Deviations from a personal baseline (posturecam calibrate) that count.
head_drop = 0.15
leaning_in = 0.15
tilt_change_deg = 5.0
"#;

/// Why a config file was rejected.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {0}: {1}")]
    Read(String, std::io::Error),
    #[error("invalid config {0}: {1}")]
    Parse(String, String),
    #[error("invalid config {0}: {1}")]
    Invalid(String, String),
}

impl AssessConfig {
    /// Parses TOML; keys left out keep their defaults; unknown keys and
    /// values out of range are errors naming the key.
    pub fn from_toml(text: &str, origin: &str) -> Result<AssessConfig, ConfigError> {
        let cfg: AssessConfig =
            toml::from_str(text).map_err(|e| ConfigError::Parse(origin.into(), e.to_string()))?;
        cfg.validate()
            .map_err(|m| ConfigError::Invalid(origin.into(), m))?;
        Ok(cfg)
    }

    pub fn load(path: &std::path::Path) -> Result<AssessConfig, ConfigError> {
        let origin = path.display().to_string();
        let text =
            std::fs::read_to_string(path).map_err(|e| ConfigError::Read(origin.clone(), e))?;
        Self::from_toml(&text, &origin)
    }

    fn validate(&self) -> Result<(), String> {
        let angle = |key: &str, v: f32| {
            if v.is_finite() && (0.0..=180.0).contains(&v) {
                Ok(())
            } else {
                Err(format!(
                    "{key} = {v}: must be an angle from 0 to 180 degrees"
                ))
            }
        };
        let ramp = |key: &str, r: [f32; 2]| {
            angle(key, r[0])?;
            angle(key, r[1])?;
            if r[0] < r[1] {
                Ok(())
            } else {
                Err(format!(
                    "{key} = {r:?}: the first value must be below the second"
                ))
            }
        };
        let fraction = |key: &str, v: f32| {
            if v.is_finite() && v > 0.0 && v < 1.0 {
                Ok(())
            } else {
                Err(format!("{key} = {v}: must be a fraction between 0 and 1"))
            }
        };
        if !(self.gate_confidence.is_finite() && (0.0..=1.0).contains(&self.gate_confidence)) {
            return Err(format!(
                "gate_confidence = {}: must be from 0 to 1",
                self.gate_confidence
            ));
        }
        angle("upright_tolerance_deg", self.upright_tolerance_deg)?;
        let s = &self.sitting;
        angle("sitting.slouch_trunk_deg", s.slouch_trunk_deg)?;
        angle("sitting.forward_head_neck_deg", s.forward_head_neck_deg)?;
        angle("sitting.recline_trunk_deg", s.recline_trunk_deg)?;
        angle("sitting.lean_deg", s.lean_deg)?;
        angle("sitting.shoulder_tilt_deg", s.shoulder_tilt_deg)?;
        angle("sitting.head_roll_deg", s.head_roll_deg)?;
        ramp("sitting.score_trunk_deg", s.score_trunk_deg)?;
        ramp("sitting.score_neck_deg", s.score_neck_deg)?;
        ramp("sitting.score_lean_deg", s.score_lean_deg)?;
        ramp("sitting.score_tilt_deg", s.score_tilt_deg)?;
        let l = &self.lifting;
        angle("lifting.upright_trunk_deg", l.upright_trunk_deg)?;
        angle("lifting.upright_knee_deg", l.upright_knee_deg)?;
        angle("lifting.stoop_max_knee_deg", l.stoop_max_knee_deg)?;
        angle("lifting.squat_min_knee_deg", l.squat_min_knee_deg)?;
        if l.stoop_max_knee_deg >= l.squat_min_knee_deg {
            return Err(
                "lifting.stoop_max_knee_deg must be below lifting.squat_min_knee_deg".into(),
            );
        }
        if !(l.load_kg.is_finite() && l.load_kg >= 0.0) {
            return Err(format!(
                "lifting.load_kg = {}: must be 0 or more",
                l.load_kg
            ));
        }
        if l.activity > 3 {
            return Err(format!("lifting.activity = {}: must be 0 to 3", l.activity));
        }
        let b = &self.baseline;
        fraction("baseline.head_drop", b.head_drop)?;
        fraction("baseline.leaning_in", b.leaning_in)?;
        angle("baseline.tilt_change_deg", b.tilt_change_deg)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_printed_default_is_the_compiled_default() {
        assert_eq!(
            AssessConfig::from_toml(DEFAULT_TOML, "default").unwrap(),
            AssessConfig::default()
        );
    }

    #[test]
    fn a_subset_overrides_only_its_keys() {
        let c = AssessConfig::from_toml("[sitting]\nslouch_trunk_deg = 25\n", "t").unwrap();
        assert_eq!(c.sitting.slouch_trunk_deg, 25.0);
        assert_eq!(c.sitting.recline_trunk_deg, 20.0);
        assert_eq!(c.lifting, LiftingConfig::default());
    }

    #[test]
    fn invalid_files_name_the_key_and_the_reason() {
        let e = AssessConfig::from_toml("[sitting]\nslouch_trunk = 25\n", "f.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("slouch_trunk") && e.contains("f.toml"), "{e}");
        let e = AssessConfig::from_toml("[sitting]\nlean_deg = \"ten\"\n", "f")
            .unwrap_err()
            .to_string();
        assert!(e.contains("lean_deg"), "{e}");
        let e = AssessConfig::from_toml("[sitting]\nlean_deg = -4\n", "f")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("sitting.lean_deg") && e.contains("0 to 180"),
            "{e}"
        );
        let e = AssessConfig::from_toml("[lifting]\ncoupling = \"sticky\"\n", "f")
            .unwrap_err()
            .to_string();
        assert!(e.contains("coupling"), "{e}");
        let e = AssessConfig::from_toml("[lifting]\nstoop_max_knee_deg = 100\n", "f")
            .unwrap_err()
            .to_string();
        assert!(e.contains("stoop_max_knee_deg"), "{e}");
        let e = AssessConfig::from_toml("[sitting]\nscore_neck_deg = [30, 10]\n", "f")
            .unwrap_err()
            .to_string();
        assert!(e.contains("score_neck_deg"), "{e}");
    }
}
