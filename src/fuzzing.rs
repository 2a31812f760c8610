//! The bodies of the `cargo fuzz` targets in `fuzz/`, kept in the library so
//! that `tests/fuzz_regressions.rs` runs exactly the same code on every
//! saved input. Each body feeds its input through the real code path and
//! **panics** when an invariant breaks (that is how libFuzzer sees a
//! failure); the `check_*` functions return the broken invariant instead,
//! for property tests.
//!
//! Invariants (the ranges are those the field docs in
//! [`crate::analysis::Angles`], [`crate::assess`] and docs/metrics.md give):
//! - nothing panics;
//! - every record serialises to JSON and reads back equal (so no NaN or
//!   infinity hides in it: serde_json would write `null`);
//! - angles are finite and in their ranges (inclinations and leans
//!   −180..180, tilts and rolls −90..90, joint angles 0..180);
//! - view confidence 0..1, sitting score 0..100, RULA 1..7, REBA 1..15 with
//!   its risk band, and a class or style is unscorable exactly when its
//!   scores are absent.

use std::fmt::Write as _;

use crate::analysis::Angles;
use crate::assess::config::StyleBands;
use crate::assess::lifting::LiftStyle;
use crate::assess::reba::reba_risk;
use crate::assess::rula::rula_action;
use crate::assess::{
    baseline, AssessConfig, Assessment, Assessor, Baseline, LiftingAssessment, SittingAssessment,
    SittingClass,
};
use crate::capture::decode_rgb;
use crate::pose::{Estimate, Keypoint, Keypoints, MoveNet, Pose, PoseEstimator, NUM_KEYPOINTS};
use crate::score::{FrameRecord, Status};

/// Image bytes → decode (the `score` command's reader, with its size
/// limits) → pose (the real model in `estimator`, letterbox and crop
/// refinement) → angles, view, sitting and lifting → the JSON record.
/// Returns the record; panics when an invariant breaks.
pub fn image_pipeline(estimator: &mut MoveNet, bytes: &[u8]) -> FrameRecord {
    let assessor = Assessor::default();
    let model = estimator.model_name().to_string();
    let record = match decode_rgb(bytes) {
        Err(e) => FrameRecord::error("fuzz", &model, None, e.to_string()),
        Ok(img) => {
            let size = img.dimensions();
            assert!(size.0 > 0 && size.1 > 0, "decoded an empty image");
            match estimator.estimate(&img) {
                Err(e) => FrameRecord::error("fuzz", &model, Some(size), e.to_string()),
                Ok(est) => {
                    if let Err(e) = check_pose(&est.pose, size) {
                        panic!("model output: {e}");
                    }
                    let a = est.person().map(|p| assessor.assess(&p.keypoints));
                    if let Some(a) = &a {
                        if let Err(e) = check_assessment(a) {
                            panic!("assessment: {e}");
                        }
                    }
                    FrameRecord::analysed("fuzz", &model, size, &est, a.as_ref())
                }
            }
        }
    };
    if let Err(e) = check_record(&record) {
        panic!("record: {e}");
    }
    record
}

/// TOML text → the `--config` parser. It must answer `Ok` or an error that
/// names the file, never panic; a config it accepts must be valid, carry
/// its `[lifting]` style bands into `[reps]`, read back equal from its own
/// TOML serialisation (what `config --check` prints), and drive an assessment whose results stay in
/// range. Returns the parse result.
pub fn config_parser(text: &[u8]) -> Result<AssessConfig, String> {
    // `--config` reads the file with `read_to_string`, which refuses text
    // that is not UTF-8 with its own error before the parser sees it.
    let Ok(text) = std::str::from_utf8(text) else {
        return Err("not UTF-8".into());
    };
    let cfg = match AssessConfig::from_toml(text, "fuzz.toml") {
        Err(e) => {
            let msg = e.to_string();
            assert!(
                msg.contains("fuzz.toml") && msg.len() > "invalid config fuzz.toml: ".len(),
                "an error that does not say where or why: {msg:?}"
            );
            return Err(msg);
        }
        Ok(cfg) => cfg,
    };
    if let Err(e) = cfg.validate() {
        panic!("accepted an invalid config: {e}");
    }
    assert_eq!(
        cfg.reps.style,
        StyleBands::from(&cfg.lifting),
        "[reps] style bands differ from [lifting]"
    );
    // As `posturecam config --check FILE` prints it.
    let printed = match toml::to_string_pretty(&cfg) {
        Ok(s) => s,
        Err(e) => panic!("an accepted config cannot be written back as TOML: {e}"),
    };
    match AssessConfig::from_toml(&printed, "printed") {
        Ok(back) => assert_eq!(back, cfg, "config changed through TOML:\n{printed}"),
        Err(e) => panic!("an accepted config, written back, is refused: {e}\n{printed}"),
    }
    let assessor = Assessor {
        config: cfg.clone(),
        baseline: None,
    };
    for kps in reference_poses() {
        if let Err(e) = check_assessment(&assessor.assess(&kps)) {
            panic!("with this config: {e}");
        }
    }
    Ok(cfg)
}

/// Raw bytes → one or two sets of 17 keypoints (x, y, confidence as
/// little-endian `f32` bit patterns: any value, NaN, infinite or off any
/// image; missing bytes are 0) → analysis and assessment (with a personal
/// baseline measured on the second set, when it can be) → the record.
/// The first byte picks the config: bit 0 the gate confidence 0 (every
/// keypoint counts) instead of the default. Returns the assessment.
pub fn keypoints(data: &[u8]) -> Assessment {
    let (flags, rest) = data.split_first().map_or((0, data), |(f, r)| (*f, r));
    const SET: usize = NUM_KEYPOINTS * 3 * 4;
    let now = keypoints_from_bits(rest);
    let mut config = AssessConfig::default();
    if flags & 1 == 1 {
        config.gate_confidence = 0.0;
    }
    let baseline = rest
        .get(SET..)
        .map(keypoints_from_bits)
        .and_then(|b| baseline::measure_front(&b, config.gate_confidence))
        .and_then(|m| Baseline::from_measures(&[m]));
    let assessor = Assessor { config, baseline };
    let a = assessor.assess(&now);
    if let Err(e) = check_assessment(&a) {
        panic!("assessment: {e}");
    }
    let est = Estimate {
        pose: Pose {
            score: now.person_score(),
            keypoints: now,
        },
        is_person: true,
        passes: 1,
    };
    let record = FrameRecord::analysed("fuzz", "keypoints", (640, 480), &est, Some(&a));
    // The skeleton and its person score are written as the model gave
    // them; a model gives finite positions and confidences in 0..1 (checked
    // in `image_pipeline`), so only then must the whole record read back
    // equal.
    let plausible = now
        .0
        .iter()
        .all(|k| k.x.is_finite() && k.y.is_finite() && (0.0..=1.0).contains(&k.confidence));
    let checked = if plausible {
        check_record(&record)
    } else {
        let mut r = record.clone();
        r.person = None;
        check_record_fields(&r)
    };
    if let Err(e) = checked {
        panic!("record: {e}");
    }
    a
}

/// 17 keypoints from `bytes` read as little-endian `f32`s (x, y,
/// confidence per keypoint), zero where the bytes run out.
pub fn keypoints_from_bits(bytes: &[u8]) -> Keypoints {
    let f = |i: usize| {
        let mut b = [0u8; 4];
        for (j, v) in b.iter_mut().enumerate() {
            *v = bytes.get(i * 4 + j).copied().unwrap_or(0);
        }
        f32::from_le_bytes(b)
    };
    let mut k = [Keypoint::default(); NUM_KEYPOINTS];
    for (i, kp) in k.iter_mut().enumerate() {
        *kp = Keypoint {
            x: f(3 * i),
            y: f(3 * i + 1),
            confidence: f(3 * i + 2),
        };
    }
    Keypoints(k)
}

/// A side view of a person sitting upright, the same bent forward, and a
/// front view: configs are checked against these.
fn reference_poses() -> Vec<Keypoints> {
    let pose = |pts: [(f32, f32); NUM_KEYPOINTS]| {
        let mut k = [Keypoint::default(); NUM_KEYPOINTS];
        for (kp, (x, y)) in k.iter_mut().zip(pts) {
            *kp = Keypoint {
                x,
                y,
                confidence: 0.9,
            };
        }
        Keypoints(k)
    };
    // COCO order: nose, eyes, ears, shoulders, elbows, wrists, hips, knees,
    // ankles (left then right).
    let side = pose([
        (330.0, 100.0),
        (325.0, 95.0),
        (325.0, 95.0),
        (300.0, 100.0),
        (300.0, 100.0),
        (300.0, 160.0),
        (300.0, 160.0),
        (320.0, 220.0),
        (320.0, 220.0),
        (360.0, 230.0),
        (360.0, 230.0),
        (300.0, 320.0),
        (300.0, 320.0),
        (400.0, 320.0),
        (400.0, 320.0),
        (400.0, 420.0),
        (400.0, 420.0),
    ]);
    let mut bent = side;
    for kp in bent.0.iter_mut().take(11) {
        kp.x += 80.0;
        kp.y += 30.0;
    }
    let front = pose([
        (320.0, 100.0),
        (330.0, 90.0),
        (310.0, 90.0),
        (345.0, 100.0),
        (295.0, 100.0),
        (370.0, 160.0),
        (270.0, 160.0),
        (380.0, 240.0),
        (260.0, 240.0),
        (380.0, 300.0),
        (260.0, 300.0),
        (350.0, 330.0),
        (290.0, 330.0),
        (350.0, 430.0),
        (290.0, 430.0),
        (350.0, 530.0),
        (290.0, 530.0),
    ]);
    // Only the right side of the side view is confident, as in a profile.
    let mut profile = side;
    for kp in profile.0.iter_mut().skip(1).step_by(2) {
        kp.confidence = 0.05;
    }
    vec![side, bent, front, profile]
}

fn in_range(errs: &mut String, name: &str, v: Option<f32>, lo: f32, hi: f32) {
    if let Some(v) = v {
        if !(v.is_finite() && (lo..=hi).contains(&v)) {
            let _ = write!(errs, "{name} = {v} is not in {lo}..={hi}; ");
        }
    }
}

/// Every angle finite and within its documented range.
pub fn check_angles(a: &Angles) -> Result<(), String> {
    let mut e = String::new();
    in_range(
        &mut e,
        "trunk_inclination",
        a.trunk_inclination,
        -180.0,
        180.0,
    );
    in_range(
        &mut e,
        "neck_inclination",
        a.neck_inclination,
        -180.0,
        180.0,
    );
    in_range(&mut e, "cva_proxy", a.cva_proxy, -90.0, 270.0);
    in_range(
        &mut e,
        "head_forward_ratio",
        a.head_forward_ratio,
        f32::MIN,
        f32::MAX,
    );
    in_range(&mut e, "shoulder_tilt", a.shoulder_tilt, -90.0, 90.0);
    in_range(&mut e, "head_roll", a.head_roll, -90.0, 90.0);
    in_range(&mut e, "lateral_lean", a.lateral_lean, -180.0, 180.0);
    in_range(&mut e, "hip_angle", a.hip_angle, 0.0, 180.0);
    in_range(&mut e, "knee_flexion", a.knee_flexion, 0.0, 180.0);
    in_range(&mut e, "elbow_flexion", a.elbow_flexion, 0.0, 180.0);
    in_range(
        &mut e,
        "upper_arm_elevation",
        a.upper_arm_elevation,
        -180.0,
        180.0,
    );
    if let (Some(n), Some(c)) = (a.neck_inclination, a.cva_proxy) {
        // Records round each angle to 0.1° on its own (up to 0.05° off
        // each), so the two can disagree by up to 0.1° there.
        if (90.0 - n - c).abs() > 0.101 {
            let _ = write!(e, "cva_proxy {c} is not 90 - neck_inclination {n}; ");
        }
    }
    if e.is_empty() {
        Ok(())
    } else {
        Err(e)
    }
}

/// Sitting: unscorable exactly when there is no score; score 0..100, RULA
/// 1..7 with its own action, findings with a code and a message, finite
/// baseline deviations.
pub fn check_sitting(s: &SittingAssessment) -> Result<(), String> {
    let unscorable = s.class == SittingClass::Unscorable;
    if unscorable != s.score.is_none() || unscorable != s.rula.is_none() {
        return Err(format!(
            "class {:?} with score {:?}, RULA {:?}",
            s.class, s.score, s.rula
        ));
    }
    if let Some(v) = s.score {
        if v > 100 {
            return Err(format!("sitting score {v} over 100"));
        }
    }
    if let Some(r) = s.rula {
        if !(1..=7).contains(&r) {
            return Err(format!("RULA {r} not in 1..=7"));
        }
        if s.rula_action.as_deref() != Some(rula_action(r)) {
            return Err(format!("RULA {r} with action {:?}", s.rula_action));
        }
    }
    if let Some(f) = s
        .findings
        .iter()
        .find(|f| f.code.is_empty() || f.message.is_empty())
    {
        return Err(format!("finding without a code or message: {f:?}"));
    }
    if let Some(d) = &s.baseline {
        if !(d.head_drop.is_finite() && d.leaning_in.is_finite() && d.tilt_change_deg.is_finite()) {
            return Err(format!("baseline deviation not finite: {d:?}"));
        }
    }
    Ok(())
}

/// Lifting: a style exactly when there is a REBA score, REBA 1..15 with its
/// own risk band, finite measurements in range.
pub fn check_lifting(l: &LiftingAssessment) -> Result<(), String> {
    let mut e = String::new();
    in_range(&mut e, "trunk_flexion", l.trunk_flexion, -180.0, 180.0);
    in_range(&mut e, "lifting.knee_flexion", l.knee_flexion, 0.0, 180.0);
    in_range(&mut e, "lifting.hip_angle", l.hip_angle, 0.0, 180.0);
    in_range(
        &mut e,
        "hand_distance_ratio",
        l.hand_distance_ratio,
        f32::MIN,
        f32::MAX,
    );
    if !e.is_empty() {
        return Err(e);
    }
    if (l.style == LiftStyle::Unscorable) != l.reba.is_none() {
        return Err(format!("style {:?} with REBA {:?}", l.style, l.reba));
    }
    if let Some(r) = l.reba {
        if !(1..=15).contains(&r) {
            return Err(format!("REBA {r} not in 1..=15"));
        }
        if l.reba_risk != Some(reba_risk(r)) {
            return Err(format!("REBA {r} with risk {:?}", l.reba_risk));
        }
    } else if l.reba_risk.is_some() {
        return Err(format!("a REBA risk {:?} without a score", l.reba_risk));
    }
    Ok(())
}

/// All of an assessment's invariants.
pub fn check_assessment(a: &Assessment) -> Result<(), String> {
    let c = a.view.confidence;
    if !(c.is_finite() && (0.0..=1.0).contains(&c)) {
        return Err(format!(
            "view confidence {c} not in 0..=1 ({:?})",
            a.view.view
        ));
    }
    check_angles(&a.angles)?;
    check_sitting(&a.sitting)?;
    check_lifting(&a.lifting)?;
    // The lifting numbers are the angles', not computed anew.
    if a.lifting.trunk_flexion != a.angles.trunk_inclination
        || a.lifting.knee_flexion != a.angles.knee_flexion
        || a.lifting.hip_angle != a.angles.hip_angle
    {
        return Err("lifting angles differ from the frame's angles".into());
    }
    Ok(())
}

/// A model's pose: score and confidences in 0..1, positions finite and
/// within a few image sizes of the image (MoveNet's outputs are normalised
/// to its input square, which covers the letterboxed image).
pub fn check_pose(p: &Pose, (w, h): (u32, u32)) -> Result<(), String> {
    if !(p.score.is_finite() && (0.0..=1.0).contains(&p.score)) {
        return Err(format!("person score {}", p.score));
    }
    let side = w.max(h) as f32;
    for (name, k) in p.keypoints.iter() {
        let ok = k.confidence.is_finite()
            && (0.0..=1.0).contains(&k.confidence)
            && k.x.is_finite()
            && k.y.is_finite()
            && k.x.abs() <= 4.0 * side
            && k.y.abs() <= 4.0 * side;
        if !ok {
            return Err(format!("{name} = {k:?} in a {w}x{h} image"));
        }
    }
    Ok(())
}

/// A record's fields are consistent with its status and in range.
fn check_record_fields(r: &FrameRecord) -> Result<(), String> {
    let has_person = r.view.is_some()
        && r.view_confidence.is_some()
        && r.angles.is_some()
        && r.sitting.is_some()
        && r.lifting.is_some();
    let has_none = r.person.is_none()
        && r.view.is_none()
        && r.view_confidence.is_none()
        && r.angles.is_none()
        && r.sitting.is_none()
        && r.lifting.is_none();
    match r.status {
        Status::Ok if !has_person => return Err("ok record without an assessment".into()),
        Status::NoPerson | Status::Error if !has_none => {
            return Err(format!("{:?} record with a person", r.status))
        }
        Status::Error if r.error.as_deref().is_none_or(str::is_empty) => {
            return Err("error record without a message".into())
        }
        _ => {}
    }
    if let Some(c) = r.view_confidence {
        if !(c.is_finite() && (0.0..=1.0).contains(&c)) {
            return Err(format!("view_confidence {c}"));
        }
    }
    if let Some(a) = &r.angles {
        check_angles(a)?;
    }
    if let Some(s) = &r.sitting {
        check_sitting(s)?;
    }
    if let Some(l) = &r.lifting {
        check_lifting(l)?;
    }
    Ok(())
}

/// A record's invariants, and that its JSON line reads back equal (no
/// NaN or infinity turned into `null` on the way).
pub fn check_record(r: &FrameRecord) -> Result<(), String> {
    check_record_fields(r)?;
    let line = serde_json::to_string(r).map_err(|e| format!("cannot serialise: {e}"))?;
    let back: FrameRecord =
        serde_json::from_str(&line).map_err(|e| format!("cannot read back {line}: {e}"))?;
    if &back != r {
        return Err(format!("changed through JSON: {line}"));
    }
    Ok(())
}
