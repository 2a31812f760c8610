//! Properties of analysis and scoring on *arbitrary* keypoint sets (the
//! properties in tests/assessment.rs use drawn figures of a person; these
//! use any positions and confidences, any f32 bit pattern, any valid
//! config). Ranges are checked by `posturecam::fuzzing::check_*`, the same
//! checks the fuzz targets make; the invariances are those the Analysis
//! issue asks for: translation, uniform scale, mirror (left and right swap)
//! and rotation of the image plane (angles between segments unchanged).

use posturecam::analysis::{angles, View};
use posturecam::assess::{AssessConfig, Assessment, Assessor, SittingClass};
use posturecam::fuzzing::{check_assessment, check_record};
use posturecam::pose::{Estimate, Keypoint, Keypoints, Pose, NUM_KEYPOINTS};
use posturecam::score::FrameRecord;
use proptest::prelude::*;

fn assess_with(cfg: &AssessConfig, k: &Keypoints) -> Assessment {
    Assessor {
        config: cfg.clone(),
        baseline: None,
    }
    .assess(k)
}

fn assess(k: &Keypoints) -> Assessment {
    assess_with(&AssessConfig::default(), k)
}

fn keypoints(v: &[(f32, f32, f32)]) -> Keypoints {
    let mut k = [Keypoint::default(); NUM_KEYPOINTS];
    for (kp, &(x, y, confidence)) in k.iter_mut().zip(v) {
        *kp = Keypoint { x, y, confidence };
    }
    Keypoints(k)
}

/// Any f32: every bit pattern (NaN, infinities, subnormals, huge), and the
/// special and ordinary values that a bit pattern rarely hits.
fn any_f32() -> impl Strategy<Value = f32> {
    prop_oneof![
        any::<u32>().prop_map(f32::from_bits),
        Just(f32::NAN),
        Just(f32::INFINITY),
        Just(f32::NEG_INFINITY),
        Just(f32::MAX),
        Just(-f32::MAX),
        Just(0.0f32),
        -2000.0f32..2000.0,
        0.0f32..1.0,
    ]
}

fn any_keypoints() -> impl Strategy<Value = Keypoints> {
    proptest::collection::vec((any_f32(), any_f32(), any_f32()), NUM_KEYPOINTS)
        .prop_map(|v| keypoints(&v))
}

/// Keypoints on a grid of whole pixels, 8 px apart, with any confidence in
/// 0..1 (about half of them under the 0.3 gate). Whole numbers keep
/// translation and power-of-two scaling exact in f32, and the 8 px spacing
/// keeps two distinct points further apart than any pixel threshold the
/// analysis uses (1 px), so both must change nothing at all.
fn grid_keypoints() -> impl Strategy<Value = Keypoints> {
    grid_keypoints_in(100)
}

/// [`grid_keypoints`] on an `n`×`n` grid.
fn grid_keypoints_in(n: u32) -> impl Strategy<Value = Keypoints> {
    proptest::collection::vec((0..n, 0..n, 0.0f32..1.0), NUM_KEYPOINTS).prop_map(|v| {
        let v: Vec<_> = v
            .into_iter()
            .map(|(x, y, c)| (x as f32 * 8.0, y as f32 * 8.0, c))
            .collect();
        keypoints(&v)
    })
}

fn map_points(k: &Keypoints, f: impl Fn(f32, f32) -> (f32, f32)) -> Keypoints {
    let mut out = *k;
    for kp in out.0.iter_mut() {
        (kp.x, kp.y) = f(kp.x, kp.y);
    }
    out
}

/// The image flipped left to right, and each left joint named right: what
/// the model reports for a mirrored photo.
fn mirrored(k: &Keypoints, width: f32) -> Keypoints {
    let flipped = map_points(k, |x, y| (width - x, y));
    let mut out = flipped;
    // COCO order: nose, then left/right pairs.
    for i in (1..NUM_KEYPOINTS).step_by(2) {
        out.0.swap(i, i + 1);
    }
    out
}

/// Any valid config: every threshold drawn within the range `--config`
/// accepts, through the TOML parser itself.
fn any_config() -> impl Strategy<Value = AssessConfig> {
    (
        (0.0f32..=1.0, 0.0f32..=180.0, 0.0f32..=180.0, 0.0f32..=180.0),
        (0.0f32..=180.0, 0.0f32..=180.0, 0.0f32..90.0, 90.0f32..=180.0),
        (0.0f32..1000.0, 0u8..=3, 0.0f32..90.0, 90.0f32..=180.0),
    )
        .prop_map(|((gate, tol, slouch, head), (lean, tilt, lo, hi), (kg, act, stoop, squat))| {
            let text = format!(
                "gate_confidence = {gate}\nupright_tolerance_deg = {tol}\n\
                 [sitting]\nslouch_trunk_deg = {slouch}\nforward_head_neck_deg = {head}\n\
                 recline_trunk_deg = {slouch}\nlean_deg = {lean}\nshoulder_tilt_deg = {tilt}\n\
                 head_roll_deg = {lean}\nscore_trunk_deg = [{lo}, {hi}]\nscore_neck_deg = [{lo}, {hi}]\n\
                 score_lean_deg = [{lo}, {hi}]\nscore_tilt_deg = [{lo}, {hi}]\n\
                 [lifting]\nupright_trunk_deg = {slouch}\nupright_knee_deg = {tilt}\n\
                 stoop_max_knee_deg = {stoop}\nsquat_min_knee_deg = {squat}\nload_kg = {kg}\n\
                 coupling = \"poor\"\nactivity = {act}\n"
            );
            AssessConfig::from_toml(&text, "generated").unwrap()
        })
}

fn swap_side(s: &str) -> String {
    if s.contains("left") {
        s.replace("left", "right")
    } else {
        s.replace("right", "left")
    }
}

/// Smallest difference between two angles in degrees, modulo 360.
fn angle_diff(a: f32, b: f32) -> f32 {
    (a - b + 540.0).rem_euclid(360.0) - 180.0
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Any keypoints (NaN, infinite, huge, off any image, coincident), with
    /// the default gate and with every keypoint let through (gate 0): every
    /// angle finite and in range, view confidence 0..1, RULA 1..7, REBA
    /// 1..15, score 0..100, classes and scores consistent, and the record
    /// reads back from JSON unchanged when the skeleton itself is finite.
    #[test]
    fn any_keypoints_give_results_in_range(k in any_keypoints(), open_gate in any::<bool>()) {
        let mut cfg = AssessConfig::default();
        if open_gate {
            cfg.gate_confidence = 0.0;
        }
        let a = assess_with(&cfg, &k);
        prop_assert!(check_assessment(&a).is_ok(), "{:?}\n{:?}", check_assessment(&a), k);
        let finite = k.0.iter().all(|p| p.x.is_finite() && p.y.is_finite() && p.confidence.is_finite());
        if finite {
            let est = Estimate { pose: Pose { score: 0.5, keypoints: k }, is_person: true, passes: 1 };
            let r = FrameRecord::analysed("p.jpg", "m", (640, 480), &est, Some(&a));
            prop_assert!(check_record(&r).is_ok(), "{:?}", check_record(&r));
        }
    }

    /// Any config `--config` accepts keeps every result in range.
    #[test]
    fn any_valid_config_keeps_results_in_range(cfg in any_config(), k in grid_keypoints(), g in any_keypoints()) {
        for k in [k, g] {
            let a = assess_with(&cfg, &k);
            prop_assert!(check_assessment(&a).is_ok(), "{:?}", check_assessment(&a));
        }
    }

    /// Moving the whole image by whole pixels changes nothing, exactly.
    #[test]
    fn translation_changes_nothing(k in grid_keypoints(), dx in -5000i32..5000, dy in -5000i32..5000) {
        let moved = map_points(&k, |x, y| (x + dx as f32, y + dy as f32));
        prop_assert_eq!(assess(&k), assess(&moved));
    }

    /// Scaling the image by a power of two (exact in f32) changes no angle,
    /// ratio, class, score or finding.
    #[test]
    fn uniform_scale_changes_nothing(k in grid_keypoints(), e in -1i32..=4) {
        let s = 2f32.powi(e);
        let scaled = map_points(&k, |x, y| (x * s, y * s));
        prop_assert_eq!(assess(&k), assess(&scaled));
    }

    /// A mirrored photo (x flipped, left and right joints swapped) of any
    /// pose: the view's side swaps, side-view angles stay, frontal tilts and
    /// leans change sign, sitting and lifting judgements are the same with
    /// left and right swapped. (Ties are excluded: with two joints at the
    /// same x, or both ears equally confident, the analysis has to pick one
    /// side, and mirroring cannot swap that pick.)
    #[test]
    fn mirror_swaps_left_and_right(k in grid_keypoints_in(2000)) {
        let mut xs: Vec<f32> = k.0.iter().map(|p| p.x).collect();
        xs.sort_by(f32::total_cmp);
        xs.dedup();
        prop_assume!(xs.len() == NUM_KEYPOINTS);
        prop_assume!(k.0[3].confidence != k.0[4].confidence);
        let (a, b) = (assess(&k), assess(&mirrored(&k, 16000.0)));
        prop_assert_eq!(a.view.view.mirrored(), b.view.view);
        prop_assert_eq!(a.view.confidence, b.view.confidence);
        let (ga, gb) = (a.angles, b.angles);
        for (x, y) in [(ga.trunk_inclination, gb.trunk_inclination), (ga.neck_inclination, gb.neck_inclination),
                       (ga.cva_proxy, gb.cva_proxy), (ga.head_forward_ratio, gb.head_forward_ratio),
                       (ga.hip_angle, gb.hip_angle), (ga.knee_flexion, gb.knee_flexion),
                       (ga.elbow_flexion, gb.elbow_flexion), (ga.upper_arm_elevation, gb.upper_arm_elevation)] {
            prop_assert_eq!(x, y);
        }
        for (x, y) in [(ga.shoulder_tilt, gb.shoulder_tilt), (ga.head_roll, gb.head_roll),
                       (ga.lateral_lean, gb.lateral_lean)] {
            // Signed angles in (-180, 180]: a tilt of exactly 180° (the
            // pair reversed) mirrors to -180°, the same angle.
            match (x, y) {
                (Some(x), Some(y)) => prop_assert_eq!(angle_diff(-x, y), 0.0, "{} vs {}", x, y),
                _ => prop_assert_eq!(x, y),
            }
        }
        let swap = |c: SittingClass| match c {
            SittingClass::LeaningLeft => SittingClass::LeaningRight,
            SittingClass::LeaningRight => SittingClass::LeaningLeft,
            c => c,
        };
        prop_assert_eq!(swap(a.sitting.class), b.sitting.class);
        prop_assert_eq!(a.sitting.score, b.sitting.score);
        prop_assert_eq!(a.sitting.rula, b.sitting.rula);
        let codes = |s: &Assessment| s.sitting.findings.iter().map(|f| f.code.clone()).collect::<Vec<_>>();
        prop_assert_eq!(codes(&a).iter().map(|c| swap_side(c)).collect::<Vec<_>>(), codes(&b));
        prop_assert_eq!(a.lifting, b.lifting);
    }

    /// Rotating the image plane (about any centre, by any angle) in a side
    /// view keeps the angles between segments (hip, knee, elbow, upper arm
    /// against the trunk) and turns the inclinations against vertical by
    /// exactly the rotation, in the direction the person faces.
    #[test]
    fn rotation_keeps_angles_between_segments(
        pts in proptest::collection::vec((0.0f32..1000.0, 0.0f32..1000.0), NUM_KEYPOINTS),
        theta in -180.0f32..180.0, cx in -500.0f32..1500.0, cy in -500.0f32..1500.0,
        view in prop_oneof![Just(View::Left), Just(View::Right)],
    ) {
        let k = keypoints(&pts.iter().map(|&(x, y)| (x, y, 0.9)).collect::<Vec<_>>());
        // Short segments make an angle ill-conditioned: keep every pair of
        // points at least 20 px apart.
        for (i, p) in pts.iter().enumerate() {
            for q in &pts[i + 1..] {
                prop_assume!((p.0 - q.0).hypot(p.1 - q.1) > 20.0);
            }
        }
        // So must the trunk (shoulder and hip midpoints) and the neck
        // (shoulder midpoint and the near ear).
        let mid = |a: usize, b: usize| ((pts[a].0 + pts[b].0) / 2.0, (pts[a].1 + pts[b].1) / 2.0);
        let (sh, hp) = (mid(5, 6), mid(11, 12));
        let ear = pts[if view == View::Left { 3 } else { 4 }];
        prop_assume!((sh.0 - hp.0).hypot(sh.1 - hp.1) > 20.0);
        prop_assume!((sh.0 - ear.0).hypot(sh.1 - ear.1) > 20.0);
        let (s, c) = theta.to_radians().sin_cos();
        // Clockwise on screen (y grows downwards).
        let rotated = map_points(&k, |x, y| {
            let (u, v) = (x - cx, y - cy);
            (cx + u * c - v * s, cy + u * s + v * c)
        });
        let (a, b) = (angles::compute(&k, view, 0.3), angles::compute(&rotated, view, 0.3));
        let tol = 0.1;
        for (x, y) in [(a.hip_angle, b.hip_angle), (a.knee_flexion, b.knee_flexion),
                       (a.elbow_flexion, b.elbow_flexion)] {
            let (x, y) = (x.unwrap(), y.unwrap());
            prop_assert!((x - y).abs() < tol, "{} vs {}", x, y);
        }
        let (ua, ub) = (a.upper_arm_elevation.unwrap(), b.upper_arm_elevation.unwrap());
        prop_assert!(angle_diff(ua, ub).abs() < tol, "{} vs {}", ua, ub);
        let facing = view.facing_sign().unwrap();
        for (x, y) in [(a.trunk_inclination, b.trunk_inclination), (a.neck_inclination, b.neck_inclination)] {
            let (x, y) = (x.unwrap(), y.unwrap());
            prop_assert!(angle_diff(x + facing * theta, y).abs() < tol, "{} turned by {} is {}", x, theta, y);
        }
    }

    /// A keypoint under the confidence gate enters no metric: moving it
    /// anywhere on or far off the image changes nothing. Moved to a NaN or
    /// infinite position it counts as not seen at all (confidence 0: the
    /// view's ear cue uses confidences under the gate too).
    #[test]
    fn keypoints_under_the_gate_are_ignored(k in grid_keypoints(),
            junk in proptest::collection::vec((any_f32(), any_f32()), NUM_KEYPOINTS)) {
        let mut moved = k;
        let mut expected = k;
        for ((kp, e), (x, y)) in moved.0.iter_mut().zip(expected.0.iter_mut()).zip(junk) {
            if kp.confidence < 0.3 {
                (kp.x, kp.y) = (x, y);
                if !(x.is_finite() && y.is_finite()) {
                    e.confidence = 0.0;
                }
            }
        }
        prop_assert_eq!(assess(&expected), assess(&moved));
    }
}

/// Found by `any_keypoints_give_results_in_range` at 2000 cases: wrists
/// and ankles near f32::MAX made the hand-distance ratio inf/inf = NaN.
#[test]
fn keypoints_near_f32_max_give_no_nan_hand_distance() {
    const M: f32 = f32::MAX;
    let mut v = vec![(0.0, 0.0, 0.0); NUM_KEYPOINTS];
    v[0] = (M, 0.0, 0.0);
    v[9] = (M, M, M);
    v[15] = (0.0, 0.0, f32::INFINITY);
    v[16] = (-M, M, 0.0);
    let k = keypoints(&v);
    for gate in [0.0, AssessConfig::default().gate_confidence] {
        let cfg = AssessConfig {
            gate_confidence: gate,
            ..AssessConfig::default()
        };
        let a = assess_with(&cfg, &k);
        assert_eq!(check_assessment(&a), Ok(()), "gate {gate}: {a:?}");
    }
}
