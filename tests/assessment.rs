//! Angles, view and the sitting and lifting assessments on synthetic
//! stick figures with known angles: every class, each side of every
//! boundary, and invariances (scale, translation, mirroring, garbage).

#[path = "common/poses.rs"]
mod poses;

use poses::{mirrored, transformed, Front, Side};
use posturecam::analysis::View;
use posturecam::assess::{AssessConfig, Assessor, LiftStyle, SittingClass};
use posturecam::pose::Keypoints;
use proptest::prelude::*;

fn assess(k: &Keypoints) -> posturecam::assess::Assessment {
    Assessor::default().assess(k)
}

fn close(a: Option<f32>, want: f32) -> bool {
    a.is_some_and(|v| (v - want).abs() < 0.5)
}

#[test]
fn side_view_angles_are_measured_as_defined() {
    for facing in [1.0, -1.0] {
        let p = Side {
            facing,
            trunk: 12.0,
            neck: 25.0,
            thigh: 90.0,
            knee: 80.0,
            arm: 30.0,
            elbow: 70.0,
        };
        let a = assess(&p.keypoints());
        assert_eq!(
            a.view.view,
            if facing > 0.0 {
                View::Right
            } else {
                View::Left
            },
            "{:?}",
            a.view
        );
        let g = a.angles;
        assert!(close(g.trunk_inclination, 12.0), "{g:?}");
        assert!(close(g.neck_inclination, 25.0), "{g:?}");
        assert!(close(g.cva_proxy, 65.0), "{g:?}");
        // hip angle: trunk 12° forward of up, thigh horizontal forward.
        assert!(close(g.hip_angle, 180.0 - 90.0 - 12.0), "{g:?}");
        assert!(close(g.knee_flexion, 80.0), "{g:?}");
        assert!(close(g.elbow_flexion, 70.0), "{g:?}");
        assert!(close(g.upper_arm_elevation, 30.0), "{g:?}");
        // Ear 70·sin 25° ahead of the shoulder over a 200 px torso.
        let want = 70.0 * 25f32.to_radians().sin() / 200.0;
        assert!((g.head_forward_ratio.unwrap() - want).abs() < 1e-3);
        // Frontal metrics make no sense from the side.
        assert_eq!(
            (g.shoulder_tilt, g.lateral_lean, g.head_roll),
            (None, None, None)
        );
    }
    // Leaning back and an arm behind the trunk are negative.
    let p = Side {
        trunk: -15.0,
        neck: -5.0,
        arm: -20.0,
        ..Side::sitting(1.0)
    };
    let g = assess(&p.keypoints()).angles;
    assert!(
        close(g.trunk_inclination, -15.0) && close(g.neck_inclination, -5.0),
        "{g:?}"
    );
    assert!(close(g.upper_arm_elevation, -20.0), "{g:?}");
}

#[test]
fn front_view_angles_are_measured_as_defined() {
    let f = Front {
        tilt: 6.0,
        lean: 8.0,
        roll: -12.0,
        ..Front::upright()
    };
    let a = assess(&f.keypoints());
    assert_eq!(a.view.view, View::Front, "{:?}", a.view);
    let g = a.angles;
    assert!(close(g.shoulder_tilt, 6.0), "{g:?}");
    assert!(close(g.lateral_lean, 8.0), "{g:?}");
    assert!(close(g.head_roll, -12.0), "{g:?}");
    assert_eq!(
        (g.trunk_inclination, g.neck_inclination, g.knee_flexion),
        (None, None, None)
    );
    // Without hips there is no trunk midline.
    let g = assess(&Front { hips: false, ..f }.keypoints()).angles;
    assert!(g.lateral_lean.is_none() && close(g.shoulder_tilt, 6.0));
}

/// (pose, expected class, expected finding code or "")
fn sitting_cases() -> Vec<(&'static str, Keypoints, SittingClass, &'static str)> {
    let s = |trunk: f32, neck: f32| {
        Side {
            trunk,
            neck,
            ..Side::sitting(1.0)
        }
        .keypoints()
    };
    let f = |tilt: f32, lean: f32| {
        Front {
            tilt,
            lean,
            ..Front::upright()
        }
        .keypoints()
    };
    vec![
        ("upright", s(5.0, 5.0), SittingClass::Upright, ""),
        ("trunk 19", s(19.0, 19.0), SittingClass::Upright, ""),
        (
            "trunk 21",
            s(21.0, 21.0),
            SittingClass::Slouched,
            "trunk_flexed",
        ),
        ("head 19", s(5.0, 19.0), SittingClass::Upright, ""),
        (
            "head 21",
            s(5.0, 21.0),
            SittingClass::Slouched,
            "forward_head",
        ),
        ("back 19", s(-19.0, -5.0), SittingClass::Upright, ""),
        (
            "back 21",
            s(-21.0, -5.0),
            SittingClass::Reclined,
            "reclined",
        ),
        ("lean left 9", f(0.0, 9.0), SittingClass::Upright, ""),
        (
            "lean left 11",
            f(0.0, 11.0),
            SittingClass::LeaningLeft,
            "leaning_left",
        ),
        (
            "lean right 11",
            f(0.0, -11.0),
            SittingClass::LeaningRight,
            "leaning_right",
        ),
        ("tilt 4", f(4.0, 0.0), SittingClass::Upright, ""),
        (
            "tilt 6",
            f(6.0, 0.0),
            SittingClass::Upright,
            "shoulder_high_left",
        ),
        (
            "tilt -6",
            f(-6.0, 0.0),
            SittingClass::Upright,
            "shoulder_high_right",
        ),
    ]
}

#[test]
fn sitting_classes_on_each_side_of_every_boundary() {
    for (name, k, class, code) in sitting_cases() {
        let s = assess(&k).sitting;
        assert_eq!(s.class, class, "{name}: {s:?}");
        let codes: Vec<&str> = s.findings.iter().map(|f| f.code.as_str()).collect();
        if code.is_empty() {
            assert!(codes.is_empty(), "{name}: {codes:?}");
            assert!(s.score.unwrap() >= 70, "{name}: {s:?}");
        } else {
            assert!(codes.contains(&code), "{name}: {codes:?}");
            assert!(!s.findings[0].message.is_empty());
        }
        let r = s.rula.unwrap();
        assert!((1..=7).contains(&r), "{name}");
    }
}

#[test]
fn sitting_score_and_rula_pinned_on_known_postures() {
    // Ideal: nothing past the score ramps' free zone.
    let s = assess(
        &Side {
            trunk: 0.0,
            neck: 0.0,
            ..Side::sitting(1.0)
        }
        .keypoints(),
    )
    .sitting;
    assert_eq!(s.score, Some(100));
    // RULA: upper arm 10° → 1, lower arm 80° → 1, wrist 1, twist 1 → A = 1;
    // neck 0° → 1, trunk 0° → 1, legs supported 1 → B = 1; C(1,1) = 1.
    assert_eq!(s.rula, Some(1));
    // Trunk 27.5° forward: cost (27.5-10)/(45-10) = 0.5 → score 50.
    let s = assess(
        &Side {
            trunk: 27.5,
            neck: 27.5,
            ..Side::sitting(1.0)
        }
        .keypoints(),
    )
    .sitting;
    assert_eq!(s.score, Some(50));
    // RULA: neck relative to trunk 0° → 1; trunk 27.5° → 3; legs 1 → B = 3;
    // A = 1 → C(1,3) = 3: investigate further.
    assert_eq!(s.rula, Some(3));
    assert_eq!(s.rula_action.as_deref(), Some("investigate further"));
    // Head 45° forward over an upright trunk: neck cost 1 → score 0; RULA
    // neck 45° → 3, trunk 1 → B = 3 → C(1,3) = 3.
    let s = assess(
        &Side {
            trunk: 0.0,
            neck: 45.0,
            ..Side::sitting(-1.0)
        }
        .keypoints(),
    )
    .sitting;
    assert_eq!((s.score, s.rula), (Some(0), Some(3)));
}

#[test]
fn a_baseline_reports_head_drop_and_leaning_in() {
    let base = Front::upright();
    let m = posturecam::assess::baseline::measure_front(&base.keypoints(), 0.3).unwrap();
    let b = posturecam::assess::Baseline::from_measures(&[m]).unwrap();
    let assessor = Assessor {
        config: AssessConfig::default(),
        baseline: Some(b),
    };
    let same = assessor.assess(&base.keypoints()).sitting;
    assert_eq!(same.class, SittingClass::Upright, "{same:?}");
    let d = same.baseline.unwrap();
    assert!(
        d.head_drop.abs() < 1e-4 && d.leaning_in.abs() < 1e-4 && d.tilt_change_deg.abs() < 1e-3
    );
    // Head 25 px lower: head height 110-ish → well over 15% lost.
    let drop = assessor
        .assess(
            &Front {
                head_drop: 25.0,
                ..base
            }
            .keypoints(),
        )
        .sitting;
    assert_eq!(drop.class, SittingClass::Slouched);
    assert!(
        drop.findings.iter().any(|f| f.code == "head_drop"),
        "{drop:?}"
    );
    // Head 10% drop: under the 15% threshold.
    let small = assessor
        .assess(
            &Front {
                head_drop: 8.0,
                ..base
            }
            .keypoints(),
        )
        .sitting;
    assert_eq!(small.class, SittingClass::Upright, "{small:?}");
    // Head 20% bigger (closer to the screen): leaning in.
    let lean = assessor
        .assess(
            &Front {
                head_scale: 1.2,
                ..base
            }
            .keypoints(),
        )
        .sitting;
    assert!(
        lean.findings.iter().any(|f| f.code == "leaning_in"),
        "{lean:?}"
    );
    assert!((lean.baseline.unwrap().leaning_in - 0.2).abs() < 1e-3);
}

#[test]
fn unscorable_when_too_little_is_visible() {
    let mut k = Side::sitting(1.0).keypoints();
    for kp in k.0.iter_mut().skip(1) {
        kp.confidence = 0.05;
    }
    let a = assess(&k);
    assert_eq!(a.sitting.class, SittingClass::Unscorable);
    assert_eq!((a.sitting.score, a.sitting.rula), (None, None));
    assert_eq!(a.lifting.style, LiftStyle::Unscorable);
    assert_eq!(a.lifting.reba, None);
}

#[test]
fn lifting_styles_on_each_side_of_every_boundary() {
    let l = |trunk: f32, thigh: f32, knee: f32| {
        let p = Side {
            trunk,
            thigh,
            knee,
            ..Side::standing(1.0)
        };
        assess(&p.keypoints()).lifting
    };
    assert_eq!(l(3.0, 0.0, 3.0).style, LiftStyle::Upright);
    assert_eq!(l(19.0, 10.0, 29.0).style, LiftStyle::Upright);
    assert_eq!(l(21.0, 0.0, 10.0).style, LiftStyle::Stoop);
    assert_eq!(l(70.0, 10.0, 44.0).style, LiftStyle::Stoop);
    assert_eq!(l(45.0, 40.0, 46.0).style, LiftStyle::SemiSquat);
    assert_eq!(l(40.0, 60.0, 89.0).style, LiftStyle::SemiSquat);
    assert_eq!(l(30.0, 90.0, 91.0).style, LiftStyle::Squat);
    assert_eq!(
        l(10.0, 20.0, 31.0).style,
        LiftStyle::Stoop,
        "knees past 30°, not upright"
    );
    let stoop = l(70.0, 0.0, 5.0);
    assert!(close(stoop.trunk_flexion, 70.0) && close(stoop.knee_flexion, 5.0));
    let squat = l(30.0, 95.0, 100.0);
    assert!(stoop.reba.unwrap() >= 1 && squat.reba.unwrap() >= 1);
    assert!(stoop.hand_distance_ratio.unwrap() > squat.hand_distance_ratio.unwrap() - 1.0);
}

#[test]
fn reba_pinned_on_a_standing_posture() {
    // Standing straight, arms hanging, no load:
    // trunk 3° → within the 5° upright tolerance → 1; neck relative 0° →
    // 1; legs bilateral → 1, knee 3° → +0. Table A(1,1,1) = 1; load 0 → A = 1.
    // Upper arm 5° → 1, lower arm 10° → 2 (<60), wrist 1 → Table B(1,2,1)
    // = 1; coupling good → B = 1. Table C(1,1) = 1; activity 0 → REBA 1.
    let l = assess(&Side::standing(1.0).keypoints()).lifting;
    assert_eq!(l.reba, Some(1), "{l:?}");
    assert_eq!(
        l.reba_risk,
        Some(posturecam::assess::reba::RebaRisk::Negligible)
    );
}

fn arb_side() -> impl Strategy<Value = Side> {
    (
        prop_oneof![Just(1.0f32), Just(-1.0f32)],
        -30.0f32..80.0,
        -20.0f32..60.0,
        0.0f32..100.0,
        0.0f32..120.0,
        -40.0f32..120.0,
        0.0f32..140.0,
    )
        .prop_map(|(facing, trunk, neck, thigh, knee, arm, elbow)| Side {
            facing,
            trunk,
            neck,
            thigh,
            knee,
            arm,
            elbow,
        })
}

fn arb_front() -> impl Strategy<Value = Front> {
    (
        -15.0f32..15.0,
        -20.0f32..20.0,
        -25.0f32..25.0,
        any::<bool>(),
    )
        .prop_map(|(tilt, lean, roll, hips)| Front {
            tilt,
            lean,
            roll,
            hips,
            ..Front::upright()
        })
}

fn same_judgement(a: &posturecam::assess::Assessment, b: &posturecam::assess::Assessment) {
    assert_eq!(a.view.view, b.view.view);
    assert_eq!(a.sitting.class, b.sitting.class);
    assert_eq!(a.sitting.rula, b.sitting.rula);
    assert_eq!(a.lifting.style, b.lifting.style);
    assert_eq!(a.lifting.reba, b.lifting.reba);
    let s = |x: Option<u8>| x.map(i32::from);
    assert!((s(a.sitting.score).unwrap_or(0) - s(b.sitting.score).unwrap_or(0)).abs() <= 1);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn scaling_and_translating_change_nothing(p in arb_side(), f in arb_front(),
                                              scale in 0.3f32..3.0, dx in -500.0f32..500.0, dy in -500.0f32..500.0) {
        for k in [p.keypoints(), f.keypoints()] {
            let (a, b) = (assess(&k), assess(&transformed(&k, scale, dx, dy)));
            same_judgement(&a, &b);
            let (ga, gb) = (a.angles, b.angles);
            for (x, y) in [(ga.trunk_inclination, gb.trunk_inclination), (ga.neck_inclination, gb.neck_inclination),
                           (ga.knee_flexion, gb.knee_flexion), (ga.shoulder_tilt, gb.shoulder_tilt),
                           (ga.lateral_lean, gb.lateral_lean), (ga.upper_arm_elevation, gb.upper_arm_elevation)] {
                prop_assert_eq!(x.is_some(), y.is_some());
                if let (Some(x), Some(y)) = (x, y) { prop_assert!((x - y).abs() < 0.05, "{} vs {}", x, y); }
            }
        }
    }

    #[test]
    fn mirroring_swaps_left_and_right_and_nothing_else(p in arb_side(), f in arb_front()) {
        for k in [p.keypoints(), f.keypoints()] {
            let (a, b) = (assess(&k), assess(&mirrored(&k, 640.0)));
            prop_assert_eq!(a.view.view.mirrored(), b.view.view);
            let swap = |c: SittingClass| match c {
                SittingClass::LeaningLeft => SittingClass::LeaningRight,
                SittingClass::LeaningRight => SittingClass::LeaningLeft,
                c => c,
            };
            prop_assert_eq!(swap(a.sitting.class), b.sitting.class);
            prop_assert_eq!(a.sitting.rula, b.sitting.rula);
            prop_assert_eq!(a.sitting.score, b.sitting.score);
            prop_assert_eq!(a.lifting.style, b.lifting.style);
            prop_assert_eq!(a.lifting.reba, b.lifting.reba);
            let swap_code = |c: &str| if c.contains("left") { c.replace("left", "right") } else { c.replace("right", "left") };
            let ca: Vec<String> = a.sitting.findings.iter().map(|f| swap_code(&f.code)).collect();
            let cb: Vec<String> = b.sitting.findings.iter().map(|f| f.code.clone()).collect();
            prop_assert_eq!(ca, cb);
            let (ga, gb) = (a.angles, b.angles);
            for (x, y, sign) in [(ga.trunk_inclination, gb.trunk_inclination, 1.0), (ga.shoulder_tilt, gb.shoulder_tilt, -1.0),
                                 (ga.lateral_lean, gb.lateral_lean, -1.0), (ga.head_roll, gb.head_roll, -1.0),
                                 (ga.knee_flexion, gb.knee_flexion, 1.0)] {
                prop_assert_eq!(x.is_some(), y.is_some());
                if let (Some(x), Some(y)) = (x, y) { prop_assert!((x * sign - y).abs() < 0.05, "{} vs {}", x, y); }
            }
        }
    }

    #[test]
    fn garbage_keypoints_never_panic(vals in proptest::collection::vec(
        prop_oneof![Just(f32::NAN), Just(f32::INFINITY), Just(f32::NEG_INFINITY), -1e7f32..1e7, -10.0f32..10.0], 51)) {
        let mut k = Keypoints::default();
        for (i, kp) in k.0.iter_mut().enumerate() {
            kp.x = vals[i * 3];
            kp.y = vals[i * 3 + 1];
            kp.confidence = vals[i * 3 + 2];
        }
        let a = assess(&k);
        let g = a.angles;
        for v in [g.trunk_inclination, g.neck_inclination, g.cva_proxy, g.head_forward_ratio, g.shoulder_tilt,
                  g.head_roll, g.lateral_lean, g.hip_angle, g.knee_flexion, g.elbow_flexion, g.upper_arm_elevation,
                  a.lifting.hand_distance_ratio] {
            prop_assert!(v.is_none_or(f32::is_finite));
        }
        if let Some(r) = a.sitting.rula { prop_assert!((1..=7).contains(&r)); }
        if let Some(r) = a.lifting.reba { prop_assert!((1..=15).contains(&r)); }
        if let Some(s) = a.sitting.score { prop_assert!(s <= 100); }
        // serialisable: no NaN reaches a record
        serde_json::to_string(&a).unwrap();
    }
}

#[test]
fn reba_pinned_on_a_stoop_with_and_without_load() {
    // Stooping 70° with straight knees, head in line with the trunk, arms
    // hanging straight down (70° from the trunk line), elbows 10°:
    // trunk >60° → 4; neck relative 0° → 1; legs 1, knee 5° → +0.
    // Table A(4,1,1) = 3. Upper arm 70° → 3; lower arm 10° → 2; wrist 1;
    // Table B(3,2,1) = 4. Table C(3,4) = 3 → REBA 3, low.
    let p = Side {
        trunk: 70.0,
        neck: 70.0,
        thigh: 0.0,
        knee: 5.0,
        arm: 70.0,
        elbow: 10.0,
        facing: -1.0,
    };
    let l = assess(&p.keypoints()).lifting;
    assert_eq!(l.style, LiftStyle::Stoop);
    assert_eq!(l.reba, Some(3), "{l:?}");
    assert_eq!(l.reba_risk, Some(posturecam::assess::reba::RebaRisk::Low));
    // 12 kg (+2) → A = 5; poor coupling (+2) → B = 6; Table C(5,6) = 7;
    // one activity point → 8, high.
    let mut config = AssessConfig::default();
    config.lifting.load_kg = 12.0;
    config.lifting.coupling = posturecam::assess::reba::Coupling::Poor;
    config.lifting.activity = 1;
    let l = Assessor {
        config,
        baseline: None,
    }
    .assess(&p.keypoints())
    .lifting;
    assert_eq!(l.reba, Some(8), "{l:?}");
    assert_eq!(l.reba_risk, Some(posturecam::assess::reba::RebaRisk::High));
    // Hands hanging below the shoulders, well in front of the ankles.
    assert!(l.hand_distance_ratio.unwrap() > 0.2, "{l:?}");
}
