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
    /// Finding lifting repetitions in a clip ([`super::reps`]).
    pub reps: RepConfig,
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

/// Thresholds for finding and grading repetitions of a lift in a clip.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RepConfig {
    /// Width in seconds of the running median that removes single-frame
    /// keypoint glitches.
    pub median_window_s: f64,
    /// Width in seconds of the running mean applied after the median.
    pub mean_window_s: f64,
    /// A time without a measured frame longer than this splits the clip.
    pub max_gap_s: f64,
    /// Standing level: this low percentile of the clip's trunk flexion and
    /// the matching high percentile (100 − p) of its hip height.
    pub baseline_percentile: f32,
    /// Lowest standing hip height (hips above ankles over body length)
    /// accepted as the baseline; a clip that never reaches it never stood.
    pub standing_hip_min: f32,
    /// Within this much trunk flexion of the standing level counts as
    /// standing: a lift starts and ends here (hysteresis exit).
    pub standing_band_trunk_deg: f32,
    /// Trunk flexion above standing a bend must reach to be a lift
    /// (hysteresis entry, minimum depth).
    pub min_depth_trunk_deg: f32,
    /// Hip height drop, as a fraction of the standing hip height, within
    /// which the person counts as standing.
    pub standing_band_hip: f32,
    /// Hip height drop, as a fraction, a bend must reach to be a lift.
    pub min_depth_hip: f32,
    /// Lifts separated by less standing time than this are one lift.
    pub merge_gap_s: f64,
    /// Shorter excursions are jitter, longer ones a sustained posture.
    pub min_duration_s: f64,
    pub max_duration_s: f64,
    /// Peak trunk flexion above which a lift is graded down.
    pub poor_trunk_deg: f32,
    /// Peak shoulder tilt (front view) above which a lift is graded fair.
    pub asymmetry_fair_deg: f32,
    /// REBA grand score from which a lift is graded fair / poor.
    pub reba_fair: u8,
    pub reba_poor: u8,
    /// Style bands and the upright trunk limit, copied from `[lifting]`
    /// when the config is loaded (not a key of `[reps]`).
    #[serde(skip)]
    pub style: StyleBands,
}

/// The `[lifting]` thresholds a repetition's style and standing level use.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StyleBands {
    pub upright_trunk_deg: f32,
    pub stoop_max_knee_deg: f32,
    pub squat_min_knee_deg: f32,
}

impl From<&LiftingConfig> for StyleBands {
    fn from(l: &LiftingConfig) -> StyleBands {
        StyleBands {
            upright_trunk_deg: l.upright_trunk_deg,
            stoop_max_knee_deg: l.stoop_max_knee_deg,
            squat_min_knee_deg: l.squat_min_knee_deg,
        }
    }
}

impl Default for StyleBands {
    fn default() -> Self {
        StyleBands::from(&LiftingConfig::default())
    }
}

impl Default for RepConfig {
    fn default() -> Self {
        RepConfig {
            median_window_s: 0.3,
            mean_window_s: 0.2,
            max_gap_s: 0.5,
            baseline_percentile: 10.0,
            standing_hip_min: 0.45,
            standing_band_trunk_deg: 10.0,
            min_depth_trunk_deg: 30.0,
            standing_band_hip: 0.05,
            min_depth_hip: 0.15,
            merge_gap_s: 0.3,
            min_duration_s: 0.5,
            max_duration_s: 20.0,
            poor_trunk_deg: 60.0,
            asymmetry_fair_deg: 10.0,
            reba_fair: 8,
            reba_poor: 11,
            style: StyleBands::default(),
        }
    }
}

impl Default for AssessConfig {
    fn default() -> Self {
        AssessConfig {
            gate_confidence: crate::analysis::GATE_CONFIDENCE,
            upright_tolerance_deg: 5.0,
            sitting: SittingConfig::default(),
            lifting: LiftingConfig::default(),
            baseline: BaselineConfig::default(),
            reps: RepConfig::default(),
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

[reps]
# Finding lifts in a clip (posturecam's own choices unless a source is
# named; see docs/metrics.md, "Repetitions"). Times in seconds.
# Smoothing: a running median (rejects keypoint glitches a few frames long
# and keeps the edges of a lift sharp), then a running mean (averages
# jitter). Both are windows in time, so variable frame rates and dropped
# frames are handled; a lift of 1-3 s is barely flattened.
median_window_s = 0.3
mean_window_s = 0.2
# No measured frame for longer than this splits the clip; a lift cut by a
# gap is reported as partial.
max_gap_s = 0.5
# Standing level: the 10th percentile of trunk flexion (capped at
# [lifting] upright_trunk_deg) and the 90th of hip height (floored at
# standing_hip_min). Hips above ankles over body length is about 0.55 when
# standing (segment lengths as fractions of stature, Drillis & Contini 1966,
# in Winter, Biomechanics and Motor Control of Human Movement); below 0.45
# (80% of that) the person never stood up.
baseline_percentile = 10.0
standing_hip_min = 0.45
# Hysteresis: a lift starts and ends within the standing band and counts
# only if it goes at least the minimum depth beyond standing. 30 degrees
# of trunk flexion is past REBA's 0-20 degree band (Hignett & McAtamney
# 2000) with margin for a 10 degree band; a 15% hip drop is a knee bend of
# about 60 degrees (thigh and shank tilted alike: height ~ cos(knee / 2)),
# a semi-squat in the [lifting] bands.
standing_band_trunk_deg = 10.0
min_depth_trunk_deg = 30.0
standing_band_hip = 0.05
min_depth_hip = 0.15
# Lifts separated by less standing than this are one lift; a lift lasts
# from 0.5 s (faster is jitter) to 20 s (longer is a sustained posture).
merge_gap_s = 0.3
min_duration_s = 0.5
max_duration_s = 20.0
# Grading. REBA scores trunk flexion over 60 degrees highest (4 points,
# Hignett & McAtamney 2000). Above it a stoop (knees under [lifting]
# stoop_max_knee_deg) is poor and a bent-knee lift fair; a stoop at a smaller
# back angle is fair. Asking for bent knees follows manual-handling guidance
# (HSE INDG143: slight bending of back, hips and knees is preferable to fully
# flexing the back); the biomechanics is mixed, squatting does not by itself
# unload the back (van Dieen et al. 1999, Clin Biomech 14:685; Kingma et al.
# 2010, Ergonomics 53:1228), so the back angle weighs too. The poor/fair
# split is posturecam's choice.
poor_trunk_deg = 60.0
# Shoulder tilt in a front view: REBA adds a point for side bending but
# gives no angle; 10 degrees is posturecam's choice (twice the sitting
# shoulder_tilt_deg).
asymmetry_fair_deg = 10.0
# REBA risk levels: 8-10 high (investigate and implement change soon),
# 11-15 very high (implement change now).
reba_fair = 8
reba_poor = 11
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

/// A number for a message: huge ones in scientific notation, so that a
/// hostile `1e300` does not print as 300 digits.
fn show(v: impl Into<f64>) -> String {
    let v: f64 = v.into();
    if v.is_finite() && v.abs() >= 1e9 {
        format!("{v:e}")
    } else {
        v.to_string()
    }
}

/// The dotted key (`lifting.activity`) whose line holds byte `offset` of a
/// TOML text, for parse errors (wrong type, unknown key), which the toml
/// crate reports by position only. Follows `[table]` headers and
/// `key = value` lines; a value spanning lines (an array) belongs to the
/// key that opened it. A best effort: `None` when no key is found.
fn key_at(text: &str, offset: usize) -> Option<String> {
    let mut table: Option<String> = None;
    let mut key: Option<String> = None;
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        let t = line.trim();
        let code = t.split('#').next().unwrap_or("").trim();
        // A header: `[a.b]` or `[[a]]`; an array's continuation line
        // (`[1, 2],`) has a comma.
        if code.starts_with('[') && code.ends_with(']') && !code.contains([',', '=']) {
            let name: String = t
                .trim_start_matches('[')
                .split(']')
                .next()
                .unwrap_or("")
                .split('.')
                .map(|p| p.trim().trim_matches('"'))
                .collect::<Vec<_>>()
                .join(".");
            table = Some(name);
            key = None;
        } else if let Some((k, _)) = code.split_once('=') {
            let k = k.trim().trim_matches('"').to_string();
            key = Some(match &table {
                Some(tb) => format!("{tb}.{k}"),
                None => k,
            });
        }
        start += line.len();
        if offset < start {
            return key.or(table);
        }
    }
    None
}

impl AssessConfig {
    /// Parses TOML; keys left out keep their defaults; unknown keys and
    /// values out of range are errors naming the key.
    pub fn from_toml(text: &str, origin: &str) -> Result<AssessConfig, ConfigError> {
        let mut cfg: AssessConfig = toml::from_str(text).map_err(|e| {
            let key = e
                .span()
                .and_then(|span| key_at(text, span.start))
                .map(|k| format!("key `{k}`: "))
                .unwrap_or_default();
            ConfigError::Parse(origin.into(), format!("{key}{e}"))
        })?;
        cfg.reps.style = StyleBands::from(&cfg.lifting);
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

    /// Checks every value's range (what [`Self::from_toml`] enforces).
    pub(crate) fn validate(&self) -> Result<(), String> {
        let angle = |key: &str, v: f32| {
            if v.is_finite() && (0.0..=180.0).contains(&v) {
                Ok(())
            } else {
                Err(format!(
                    "{key} = {}: must be an angle from 0 to 180 degrees",
                    show(v)
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
                Err(format!(
                    "{key} = {}: must be a fraction between 0 and 1",
                    show(v)
                ))
            }
        };
        if !(self.gate_confidence.is_finite() && (0.0..=1.0).contains(&self.gate_confidence)) {
            return Err(format!(
                "gate_confidence = {}: must be from 0 to 1",
                show(self.gate_confidence)
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
                "lifting.load_kg = {}: must be a finite weight in kg, 0 or more",
                show(l.load_kg)
            ));
        }
        if l.activity > 3 {
            return Err(format!("lifting.activity = {}: must be 0 to 3", l.activity));
        }
        let b = &self.baseline;
        fraction("baseline.head_drop", b.head_drop)?;
        fraction("baseline.leaning_in", b.leaning_in)?;
        angle("baseline.tilt_change_deg", b.tilt_change_deg)?;
        self.reps.validate()
    }
}

impl RepConfig {
    fn validate(&self) -> Result<(), String> {
        let r = self;
        let seconds = |key: &str, v: f64, zero_ok: bool| {
            if v.is_finite() && (v > 0.0 || (zero_ok && v == 0.0)) && v <= 3600.0 {
                Ok(())
            } else {
                Err(format!(
                    "reps.{key} = {}: must be a time in seconds, above 0 and at most 3600",
                    show(v)
                ))
            }
        };
        let angle = |key: &str, v: f32| {
            if v.is_finite() && (0.0..=180.0).contains(&v) {
                Ok(())
            } else {
                Err(format!(
                    "reps.{key} = {}: must be an angle from 0 to 180 degrees",
                    show(v)
                ))
            }
        };
        let fraction = |key: &str, v: f32| {
            if v.is_finite() && v > 0.0 && v < 1.0 {
                Ok(())
            } else {
                Err(format!(
                    "reps.{key} = {}: must be a fraction between 0 and 1",
                    show(v)
                ))
            }
        };
        seconds("median_window_s", r.median_window_s, true)?;
        seconds("mean_window_s", r.mean_window_s, true)?;
        seconds("max_gap_s", r.max_gap_s, false)?;
        seconds("merge_gap_s", r.merge_gap_s, true)?;
        seconds("min_duration_s", r.min_duration_s, true)?;
        seconds("max_duration_s", r.max_duration_s, false)?;
        if r.min_duration_s >= r.max_duration_s {
            return Err("reps.min_duration_s must be below reps.max_duration_s".into());
        }
        if !(r.baseline_percentile.is_finite() && (0.0..=50.0).contains(&r.baseline_percentile)) {
            return Err(format!(
                "reps.baseline_percentile = {}: must be from 0 to 50",
                show(r.baseline_percentile)
            ));
        }
        fraction("standing_hip_min", r.standing_hip_min)?;
        angle("standing_band_trunk_deg", r.standing_band_trunk_deg)?;
        angle("min_depth_trunk_deg", r.min_depth_trunk_deg)?;
        if r.standing_band_trunk_deg >= r.min_depth_trunk_deg {
            return Err(
                "reps.standing_band_trunk_deg must be below reps.min_depth_trunk_deg".into(),
            );
        }
        fraction("standing_band_hip", r.standing_band_hip)?;
        fraction("min_depth_hip", r.min_depth_hip)?;
        if r.standing_band_hip >= r.min_depth_hip {
            return Err("reps.standing_band_hip must be below reps.min_depth_hip".into());
        }
        angle("poor_trunk_deg", r.poor_trunk_deg)?;
        angle("asymmetry_fair_deg", r.asymmetry_fair_deg)?;
        for (key, v) in [("reba_fair", r.reba_fair), ("reba_poor", r.reba_poor)] {
            if !(1..=15).contains(&v) {
                return Err(format!(
                    "reps.{key} = {v}: must be a REBA score from 1 to 15"
                ));
            }
        }
        if r.reba_fair > r.reba_poor {
            return Err("reps.reba_fair must be at most reps.reba_poor".into());
        }
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
        let e = AssessConfig::from_toml("[reps]\nmin_depth_trunk_deg = 5\n", "f")
            .unwrap_err()
            .to_string();
        assert!(e.contains("standing_band_trunk_deg"), "{e}");
        let e = AssessConfig::from_toml("[reps]\nmax_gap_s = -1\n", "f")
            .unwrap_err()
            .to_string();
        assert!(e.contains("reps.max_gap_s"), "{e}");
        let e = AssessConfig::from_toml("[reps]\nreba_poor = 16\n", "f")
            .unwrap_err()
            .to_string();
        assert!(e.contains("reps.reba_poor"), "{e}");
        let e = AssessConfig::from_toml("[reps]\nstyle = 1\n", "f")
            .unwrap_err()
            .to_string();
        assert!(e.contains("style"), "{e}");
    }

    #[test]
    fn hostile_values_are_refused_naming_the_dotted_key() {
        let cases = [
            (
                "gate_confidence = \"high\"\n",
                "`gate_confidence`",
                "invalid type",
            ),
            (
                "[sitting]\nlean_deg = true\n",
                "`sitting.lean_deg`",
                "invalid type",
            ),
            (
                "[sitting]\n# note\nbogus = 1\n",
                "`sitting.bogus`",
                "unknown field",
            ),
            ("nonsense = 1\n", "`nonsense`", "unknown field"),
            (
                "[wrong_section]\nx = 1\n",
                "`wrong_section`",
                "unknown field",
            ),
            ("[lifting]\nactivity = -1\n", "`lifting.activity`", "-1"),
            (
                "[lifting]\nload_kg = \"NaN\"\n",
                "`lifting.load_kg`",
                "invalid type",
            ),
            (
                "[lifting]\nactivity = 99999999999999999999\n",
                "`lifting.activity`",
                "99999999999999999999",
            ),
            ("[reps]\nreba_poor = 300\n", "`reps.reba_poor`", "300"),
            (
                "[sitting]\nscore_neck_deg = [\n  10,\n  \"x\",\n]\n",
                "`sitting.score_neck_deg`",
                "invalid type",
            ),
            (
                "[reps]\nmax_gap_s = 1e300\n",
                "reps.max_gap_s = 1e300",
                "at most 3600",
            ),
            (
                "[lifting]\nload_kg = nan\n",
                "lifting.load_kg = NaN",
                "finite",
            ),
            (
                "[lifting]\nload_kg = inf\n",
                "lifting.load_kg = inf",
                "finite",
            ),
            (
                "[lifting]\nload_kg = -1\n",
                "lifting.load_kg = -1",
                "0 or more",
            ),
            (
                "[sitting]\nslouch_trunk_deg = 1e300\n",
                "sitting.slouch_trunk_deg = inf",
                "0 to 180",
            ),
            (
                "[sitting]\nlean_deg = 3e9\n",
                "sitting.lean_deg = 3e9",
                "0 to 180",
            ),
        ];
        for (text, key, reason) in cases {
            let e = AssessConfig::from_toml(text, "h.toml")
                .unwrap_err()
                .to_string();
            assert!(e.contains(key) && e.contains(reason), "{text:?} -> {e}");
            assert!(e.contains("h.toml") && e.len() < 400, "{e}");
        }
    }

    #[test]
    fn key_at_follows_tables_and_multiline_arrays() {
        let text = "a = 1\n[t]\nb = [\n 1,\n [2],\n]\n[u . \"v\"] # c\nw = 2\n";
        let at = |needle: &str| key_at(text, text.find(needle).unwrap());
        assert_eq!(at("1\n[t]").as_deref(), Some("a"));
        assert_eq!(at("[t]").as_deref(), Some("t"));
        assert_eq!(at(" [2]").as_deref(), Some("t.b"));
        assert_eq!(at("w = 2").as_deref(), Some("u.v.w"));
        assert_eq!(key_at("", 0), None);
    }

    #[test]
    fn the_reps_section_takes_its_style_bands_from_lifting() {
        let c = AssessConfig::from_toml(
            "[lifting]\nstoop_max_knee_deg = 40\nsquat_min_knee_deg = 100\nupright_trunk_deg = 15\n",
            "t",
        )
        .unwrap();
        assert_eq!(
            c.reps.style,
            StyleBands {
                upright_trunk_deg: 15.0,
                stoop_max_knee_deg: 40.0,
                squat_min_knee_deg: 100.0
            }
        );
        let c = AssessConfig::from_toml("[reps]\nmin_duration_s = 0.8\n", "t").unwrap();
        assert_eq!(c.reps.min_duration_s, 0.8);
        assert_eq!(c.reps.max_duration_s, 20.0);
    }
}
