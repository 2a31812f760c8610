//! Repetition finding on synthetic trajectories with known lifts: clean,
//! noisy, uneven and dropped frames, gaps, partial clips, a deadlift from
//! the floor, clips with no lift, styles and grades; and RepSample from
//! stick figures with known geometry.

#[path = "common/poses.rs"]
mod poses;

use std::f64::consts::PI;

use poses::{Front, Side};
use posturecam::assess::config::RepConfig;
use posturecam::assess::reps::{
    find_repetitions, hip_height, smooth_trajectory, Grade, RepSample, Repetition,
};
use posturecam::assess::{AssessConfig, Assessor, LiftStyle};
use proptest::prelude::*;

const STAND_TRUNK: f32 = 5.0;
const STAND_KNEE: f32 = 5.0;

/// One lift: raised-cosine descent, a held bottom, raised-cosine rise.
#[derive(Clone, Copy, Debug)]
struct Lift {
    t0: f64,
    down: f64,
    hold: f64,
    up: f64,
    trunk: f32,
    knee: f32,
}

impl Lift {
    fn new(t0: f64, trunk: f32, knee: f32) -> Lift {
        Lift {
            t0,
            down: 1.0,
            hold: 0.5,
            up: 1.0,
            trunk,
            knee,
        }
    }

    fn bottom_t(&self) -> f64 {
        self.t0 + self.down
    }

    fn end_t(&self) -> f64 {
        self.t0 + self.down + self.hold + self.up
    }

    /// 0 standing .. 1 at the bottom.
    fn shape(&self, t: f64) -> f64 {
        let u = t - self.t0;
        if u <= 0.0 || t >= self.end_t() {
            0.0
        } else if u < self.down {
            (1.0 - (PI * u / self.down).cos()) / 2.0
        } else if u <= self.down + self.hold {
            1.0
        } else {
            let v = (u - self.down - self.hold) / self.up;
            (1.0 + (PI * v).cos()) / 2.0
        }
    }

    /// When, on the descent, the trunk has risen `deg` above standing.
    fn descent_crossing(&self, deg: f32) -> f64 {
        let s = (deg / (self.trunk - STAND_TRUNK)) as f64;
        self.t0 + self.down * (1.0 - 2.0 * s).acos() / PI
    }

    /// When, on the rise, the trunk is back to `deg` above standing.
    fn rise_crossing(&self, deg: f32) -> f64 {
        let s = (deg / (self.trunk - STAND_TRUNK)) as f64;
        self.end_t() - self.up * (1.0 - 2.0 * s).acos() / PI
    }
}

/// Trunk, knee and hip height at time `t` of a clip with these lifts.
/// The hip height follows the knee as for equal thigh and shank tilts:
/// 0.55 · cos(knee / 2).
fn pose_at(lifts: &[Lift], t: f64) -> (f32, f32, f32) {
    let (mut trunk, mut knee) = (STAND_TRUNK, STAND_KNEE);
    for l in lifts {
        let s = l.shape(t) as f32;
        trunk += (l.trunk - STAND_TRUNK) * s;
        knee += (l.knee - STAND_KNEE) * s;
    }
    let hip = 0.55 * (knee.to_radians() / 2.0).cos();
    (trunk, knee, hip)
}

fn sample(frame: usize, t: f64, p: (f32, f32, f32)) -> RepSample {
    RepSample {
        frame,
        t_s: t,
        trunk_flexion_deg: Some(p.0),
        knee_flexion_deg: Some(p.1),
        hip_height: Some(p.2),
        reba: None,
        asymmetry_deg: None,
    }
}

/// A clip sampled at a steady `fps` from `from` to `to` seconds.
fn clip(lifts: &[Lift], fps: f64, from: f64, to: f64) -> Vec<RepSample> {
    let n = ((to - from) * fps).round() as usize;
    (0..=n)
        .map(|i| {
            let t = from + i as f64 / fps;
            sample(i, t, pose_at(lifts, t))
        })
        .collect()
}

/// splitmix64, and Gaussian draws by Box–Muller: fixed-seed noise without
/// a dependency.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn gauss(&mut self) -> f32 {
        let u1 = self.uniform().max(1e-12);
        let u2 = self.uniform();
        ((-2.0 * u1.ln()).sqrt() * (2.0 * PI * u2).cos()) as f32
    }
}

fn cfg() -> RepConfig {
    RepConfig::default()
}

fn reps(s: &[RepSample]) -> Vec<Repetition> {
    find_repetitions(s, &cfg())
}

const FPS: f64 = 30.0;
const FRAME: f64 = 1.0 / FPS;

#[test]
fn a_clean_rep_is_found_with_its_start_bottom_end_and_exact_peak() {
    let lift = Lift::new(1.5, 60.0, 100.0);
    let r = reps(&clip(&[lift], FPS, 0.0, 6.0));
    assert_eq!(r.len(), 1, "{r:#?}");
    let r = &r[0];
    // Standing = within 10° of the standing trunk; the hip height leaves its
    // 5% band later (knee 37°), so the trunk decides.
    let band = cfg().standing_band_trunk_deg;
    let (start, end) = (lift.descent_crossing(band), lift.rise_crossing(band));
    assert!(
        (r.start_s - start).abs() <= 1.5 * FRAME,
        "{} vs {start}",
        r.start_s
    );
    assert!((r.end_s - end).abs() <= 1.5 * FRAME, "{} vs {end}", r.end_s);
    assert!((r.duration_s - (r.end_s - r.start_s)).abs() < 1e-9);
    assert_eq!(r.start_frame, (r.start_s * FPS).round() as usize);
    assert_eq!(r.end_frame, (r.end_s * FPS).round() as usize);
    // The held bottom is reached at 2.5 s; the running mean (±0.1 s) reaches
    // its level within 3 frames.
    assert!(
        r.bottom_s >= lift.bottom_t() - FRAME && r.bottom_s <= lift.bottom_t() + 3.0 * FRAME,
        "{}",
        r.bottom_s
    );
    assert!(
        (r.peak_trunk_flexion_deg.unwrap() - 60.0).abs() < 1e-4,
        "{:?}",
        r.peak_trunk_flexion_deg
    );
    assert!((r.knee_flexion_at_bottom_deg.unwrap() - 100.0).abs() < 0.05);
    assert_eq!(r.style, LiftStyle::Squat);
    assert!(!r.partial);
    assert_eq!(r.grade, Grade::Good);
    assert_eq!(r.cue, "good lift: knees bent, back angle peaked at 60°");
    assert_eq!(r.reba_max, None);
    assert_eq!(r.asymmetry_deg, None);
}

#[test]
fn a_sharp_bottom_is_found_on_its_frame_and_barely_flattened() {
    let lift = Lift {
        hold: 0.0,
        ..Lift::new(1.5, 60.0, 100.0)
    };
    let r = reps(&clip(&[lift], FPS, 0.0, 6.0));
    assert_eq!(r.len(), 1);
    // Symmetric about 2.5 s = frame 75: the smoothed maximum stays there.
    assert_eq!(r[0].bottom_frame, 75);
    assert!((r[0].bottom_s - 2.5).abs() < 1e-9);
    // A 1 s descent into a sharp turn loses under 1° to the running mean.
    let p = r[0].peak_trunk_flexion_deg.unwrap();
    assert!(p < 60.0 && p > 59.0, "{p}");
}

#[test]
fn several_reps_are_counted_in_order() {
    let lifts = [
        Lift::new(1.0, 70.0, 20.0),
        Lift::new(4.5, 45.0, 100.0),
        Lift::new(8.0, 55.0, 70.0),
    ];
    let r = reps(&clip(&lifts, FPS, 0.0, 12.0));
    assert_eq!(r.len(), 3, "{r:#?}");
    for (rep, lift) in r.iter().zip(&lifts) {
        assert!((rep.bottom_s - lift.bottom_t()).abs() <= 4.0 * FRAME);
        assert!((rep.peak_trunk_flexion_deg.unwrap() - lift.trunk).abs() < 1e-3);
        assert!(rep.start_s < rep.bottom_s && rep.bottom_s < rep.end_s);
    }
    for w in r.windows(2) {
        assert!(w[0].end_s < w[1].start_s);
    }
    let styles: Vec<LiftStyle> = r.iter().map(|x| x.style).collect();
    assert_eq!(
        styles,
        [LiftStyle::Stoop, LiftStyle::Squat, LiftStyle::SemiSquat]
    );
}

fn noisy(s: &mut [RepSample], seed: u64, trunk_sd: f32, hip_sd: f32) {
    let mut rng = Rng(seed);
    for x in s {
        x.trunk_flexion_deg = x.trunk_flexion_deg.map(|v| v + trunk_sd * rng.gauss());
        x.knee_flexion_deg = x.knee_flexion_deg.map(|v| v + trunk_sd * rng.gauss());
        x.hip_height = x.hip_height.map(|v| v + hip_sd * rng.gauss());
    }
}

#[test]
fn gaussian_noise_does_not_change_the_count_or_move_the_lifts_much() {
    let lifts = [
        Lift::new(1.0, 70.0, 20.0),
        Lift::new(4.5, 45.0, 100.0),
        Lift::new(8.0, 55.0, 70.0),
    ];
    let clean = reps(&clip(&lifts, FPS, 0.0, 12.0));
    for seed in [1, 2, 3, 42, 2024] {
        let mut s = clip(&lifts, FPS, 0.0, 12.0);
        // 3° of keypoint jitter on the angles, 1.5% on the hip height.
        noisy(&mut s, seed, 3.0, 0.008);
        let r = reps(&s);
        assert_eq!(r.len(), 3, "seed {seed}: {r:#?}");
        for (a, b) in r.iter().zip(&clean) {
            assert!((a.start_s - b.start_s).abs() < 0.2, "seed {seed}");
            assert!((a.end_s - b.end_s).abs() < 0.2, "seed {seed}");
            assert!(
                (a.peak_trunk_flexion_deg.unwrap() - b.peak_trunk_flexion_deg.unwrap()).abs() < 3.0
            );
            assert_eq!(a.style, b.style, "seed {seed}");
        }
    }
}

#[test]
fn uneven_timestamps_and_dropped_frames_find_the_same_lifts() {
    let lifts = [Lift::new(1.0, 65.0, 30.0), Lift::new(5.0, 50.0, 95.0)];
    let mut rng = Rng(7);
    let mut s = Vec::new();
    let (mut t, mut frame) = (0.0, 0);
    while t < 9.0 {
        // 20-50 ms between frames (a webcam's variable rate); a quarter of
        // the frames dropped.
        if rng.uniform() > 0.25 {
            s.push(sample(frame, t, pose_at(&lifts, t)));
        }
        t += 0.02 + 0.03 * rng.uniform();
        frame += 1;
    }
    let r = reps(&s);
    assert_eq!(r.len(), 2, "{r:#?}");
    for (rep, lift) in r.iter().zip(&lifts) {
        let band = cfg().standing_band_trunk_deg;
        assert!((rep.start_s - lift.descent_crossing(band)).abs() < 0.1);
        assert!((rep.end_s - lift.rise_crossing(band)).abs() < 0.1);
        assert!((rep.peak_trunk_flexion_deg.unwrap() - lift.trunk).abs() < 1e-3);
        assert!(!rep.partial);
    }
    // The same clip shuffled: time order is restored.
    let mut shuffled = s.clone();
    shuffled.reverse();
    assert_eq!(reps(&shuffled), r);
}

#[test]
fn a_gap_longer_than_the_limit_splits_a_lift_into_partial_ones() {
    let lift = Lift {
        hold: 1.6,
        ..Lift::new(1.0, 70.0, 60.0)
    };
    // No person (nothing measured) for 0.8 s in the held bottom.
    let mut s = clip(&[lift], FPS, 0.0, 7.0);
    for x in s.iter_mut().filter(|x| x.t_s > 2.4 && x.t_s < 3.2) {
        x.trunk_flexion_deg = None;
        x.hip_height = None;
    }
    let r = reps(&s);
    assert_eq!(r.len(), 2, "{r:#?}");
    assert!(r[0].partial && r[1].partial);
    assert!(r[0].end_s <= 2.4 && r[1].start_s >= 3.2);
    // A short gap (0.3 s, under max_gap_s) does not split it.
    let mut s = clip(&[lift], FPS, 0.0, 7.0);
    s.retain(|x| x.t_s <= 2.4 || x.t_s >= 2.7);
    let r = reps(&s);
    assert_eq!(r.len(), 1);
    assert!(!r[0].partial);
}

#[test]
fn a_clip_starting_mid_lift_reports_a_partial_first_rep() {
    let lifts = [Lift::new(1.0, 70.0, 40.0), Lift::new(5.0, 70.0, 40.0)];
    // Starts halfway down the first descent.
    let r = reps(&clip(&lifts, FPS, 1.5, 9.0));
    assert_eq!(r.len(), 2, "{r:#?}");
    assert!(r[0].partial && !r[1].partial);
    assert!((r[0].start_s - 1.5).abs() < 1e-9);
    assert_eq!(r[0].start_frame, 0);
    assert!((r[0].bottom_s - lifts[0].bottom_t()).abs() <= 4.0 * FRAME);
    assert!((r[0].peak_trunk_flexion_deg.unwrap() - 70.0).abs() < 1e-3);
}

#[test]
fn a_clip_ending_mid_lift_reports_a_partial_last_rep() {
    let lifts = [Lift::new(1.0, 70.0, 40.0), Lift::new(5.0, 70.0, 40.0)];
    // Ends halfway up the second rise (at 7.0 s).
    let r = reps(&clip(&lifts, FPS, 0.0, 7.0));
    assert_eq!(r.len(), 2, "{r:#?}");
    assert!(!r[0].partial && r[1].partial);
    assert!((r[1].end_s - 7.0).abs() < 1e-9);
    // Ending 0.3 s into a descent is too little to call a lift.
    let r = reps(&clip(&lifts, FPS, 0.0, 5.3));
    assert_eq!(r.len(), 1);
}

#[test]
fn a_deadlift_from_the_floor_has_no_descent() {
    // The clip starts at the bottom (held since before it began), rises,
    // then a full second lift.
    let lifts = [
        Lift {
            t0: -2.0,
            down: 1.0,
            hold: 2.8,
            up: 1.2,
            trunk: 75.0,
            knee: 70.0,
        },
        Lift::new(4.0, 75.0, 70.0),
    ];
    let r = reps(&clip(&lifts, FPS, 0.0, 8.0));
    assert_eq!(r.len(), 2, "{r:#?}");
    let first = &r[0];
    assert!(first.partial);
    assert_eq!(first.start_frame, 0);
    assert_eq!(first.bottom_frame, 0);
    assert!((first.peak_trunk_flexion_deg.unwrap() - 75.0).abs() < 1e-3);
    assert_eq!(first.style, LiftStyle::SemiSquat);
    let band = cfg().standing_band_trunk_deg;
    assert!((first.end_s - lifts[0].rise_crossing(band)).abs() <= 1.5 * FRAME);
    assert!(!r[1].partial);
}

#[test]
fn standing_swaying_or_walking_is_no_lift() {
    let mut rng = Rng(11);
    let standing: Vec<RepSample> = (0..300)
        .map(|i| {
            let t = i as f64 / FPS;
            sample(i, t, (5.0 + 1.5 * rng.gauss(), 5.0, 0.55))
        })
        .collect();
    assert!(reps(&standing).is_empty());
    // Swaying 8° forward and back every 4 s, hips bobbing 2%.
    let sway: Vec<RepSample> = (0..600)
        .map(|i| {
            let t = i as f64 / FPS;
            let w = (2.0 * PI * t / 4.0).sin() as f32;
            sample(i, t, (5.0 + 8.0 * w, 5.0, 0.55 - 0.011 * w))
        })
        .collect();
    assert!(reps(&sway).is_empty());
    // Walking: the knee swings to 60° each step, the hips bob 3%.
    let walk: Vec<RepSample> = (0..300)
        .map(|i| {
            let t = i as f64 / FPS;
            let step = (2.0 * PI * t).sin() as f32;
            sample(
                i,
                t,
                (6.0 + 2.0 * step, 32.0 + 28.0 * step, 0.54 - 0.016 * step),
            )
        })
        .collect();
    assert!(reps(&walk).is_empty());
    // Bent over for 30 s (weeding) is a sustained posture, not a lift.
    let weeding: Vec<RepSample> = (0..900)
        .map(|i| sample(i, i as f64 / FPS, (70.0, 20.0, 0.52)))
        .collect();
    assert!(reps(&weeding).is_empty());
    assert!(reps(&[]).is_empty());
}

#[test]
fn a_noise_burst_is_not_a_rep() {
    // Standing, with a glitch of 6 frames (0.2 s) reading 85° and a
    // collapsed hip height (a keypoint swap).
    let s: Vec<RepSample> = (0..180)
        .map(|i| {
            let t = i as f64 / FPS;
            if (60..66).contains(&i) {
                sample(i, t, (85.0, 90.0, 0.2))
            } else {
                sample(i, t, (5.0, 5.0, 0.55))
            }
        })
        .collect();
    assert!(reps(&s).is_empty(), "{:#?}", reps(&s));
}

#[test]
fn styles_grades_and_cues_follow_the_bottom() {
    let one = |trunk, knee| {
        let r = reps(&clip(&[Lift::new(1.0, trunk, knee)], FPS, 0.0, 5.0));
        assert_eq!(r.len(), 1);
        r.into_iter().next().unwrap()
    };
    let stoop = one(80.0, 15.0);
    assert_eq!(stoop.style, LiftStyle::Stoop);
    assert_eq!(stoop.grade, Grade::Poor);
    assert_eq!(
        stoop.cue,
        "bend your knees more: your back angle peaked at 80°"
    );
    let squat = one(40.0, 110.0);
    assert_eq!(squat.style, LiftStyle::Squat);
    assert_eq!(squat.grade, Grade::Good);
    assert_eq!(squat.cue, "good lift: knees bent, back angle peaked at 40°");
    let semi = one(72.0, 60.0);
    assert_eq!(semi.style, LiftStyle::SemiSquat);
    assert_eq!(semi.grade, Grade::Fair);
    assert_eq!(
        semi.cue,
        "keep your chest up: your back angle peaked at 72° even with your knees bent"
    );
    // A squat with an upright trunk (25°) is found from the hip drop alone.
    let upright_squat = one(25.0, 120.0);
    assert_eq!(upright_squat.style, LiftStyle::Squat);
    assert_eq!(
        upright_squat.cue,
        "good lift: knees bent, back angle peaked at 25°"
    );
}

#[test]
fn reba_worst_frame_and_asymmetry_come_from_the_rep() {
    let lift = Lift::new(1.0, 50.0, 100.0);
    let mut s = clip(&[lift], FPS, 0.0, 5.0);
    for x in &mut s {
        let sh = lift.shape(x.t_s);
        // REBA 2 standing up to 9 at the bottom; a shoulder tilting 14° at
        // the bottom.
        x.reba = Some((2.0 + 7.0 * sh).round() as u8);
        x.asymmetry_deg = Some((14.0 * sh) as f32);
    }
    let r = reps(&s);
    assert_eq!(r.len(), 1);
    let r = &r[0];
    assert_eq!(r.reba_max, Some(9));
    // The worst frame has REBA 9 and, among those, the most trunk flexion:
    // within the held bottom.
    let worst_t = r.worst_frame as f64 / FPS;
    assert!(worst_t >= lift.bottom_t() - 0.2 && worst_t <= lift.bottom_t() + lift.hold);
    assert!((r.asymmetry_deg.unwrap() - 14.0).abs() < 1e-3);
    // REBA 9 (high) outranks the shoulder tilt in the cue.
    assert_eq!(r.grade, Grade::Fair);
    assert_eq!(
        r.cue,
        "REBA reached 9 (high risk): bring the load closer or lighten it"
    );
    for x in &mut s {
        x.reba = Some(3);
    }
    let r = &reps(&s)[0];
    assert_eq!(
        r.cue,
        "keep your shoulders level: they tilted 14° during the lift"
    );
}

#[test]
fn bad_values_are_ignored_without_panicking() {
    let lift = Lift::new(1.0, 60.0, 100.0);
    let mut s = clip(&[lift], FPS, 0.0, 5.0);
    s[10].t_s = f64::NAN;
    s[20].trunk_flexion_deg = Some(f32::NAN);
    s[30].hip_height = Some(f32::INFINITY);
    s[40].reba = Some(0);
    s[50].knee_flexion_deg = Some(f32::NEG_INFINITY);
    s.push(RepSample {
        frame: 999,
        t_s: f64::INFINITY,
        trunk_flexion_deg: Some(90.0),
        knee_flexion_deg: None,
        hip_height: None,
        reba: Some(200),
        asymmetry_deg: None,
    });
    let r = reps(&s);
    assert_eq!(r.len(), 1);
    assert!(r[0].peak_trunk_flexion_deg.unwrap().is_finite());
    // Only hip height (a front view): the lift is found from the hips'
    // drop, with no angle and no grade, and says how to get one.
    let mut front = clip(&[lift], FPS, 0.0, 5.0);
    for x in &mut front {
        x.trunk_flexion_deg = None;
        x.knee_flexion_deg = None;
    }
    let r = reps(&front);
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].peak_trunk_flexion_deg, None);
    assert_eq!(r[0].style, LiftStyle::Unscorable);
    assert_eq!(r[0].grade, Grade::Ungraded);
    assert!(r[0].cue.contains("film from the side"), "{}", r[0].cue);
}

#[test]
fn rep_samples_come_from_the_assessment_and_the_keypoints() {
    let cfg = AssessConfig::default();
    let assessor = Assessor::default();
    let standing = Side::standing(1.0).keypoints();
    let a = assessor.assess(&standing);
    let s = RepSample::from_assessment(7, 0.25, &a, &standing, &cfg);
    assert_eq!((s.frame, s.t_s), (7, 0.25));
    assert!((s.trunk_flexion_deg.unwrap() - 3.0).abs() < 0.01);
    assert!((s.knee_flexion_deg.unwrap() - 3.0).abs() < 0.01);
    assert_eq!(s.reba, a.lifting.reba);
    assert!(s.reba.is_some());
    // Hips 329.8 px above the ankles (170 + 160·cos 3°) over a body length
    // of 160 + 170 + 200 + 70.5 (shoulder to nose) = 600.5 px.
    assert!(
        (s.hip_height.unwrap() - 0.5492).abs() < 0.0005,
        "{:?}",
        s.hip_height
    );
    assert_eq!(s.asymmetry_deg, None);

    // A squat: thighs level, shins vertical: hips 160 px above the ankles.
    let squat = Side {
        facing: -1.0,
        trunk: 40.0,
        neck: 40.0,
        thigh: 90.0,
        knee: 90.0,
        arm: 60.0,
        elbow: 10.0,
    };
    let k = squat.keypoints();
    let s = RepSample::from_assessment(0, 0.0, &assessor.assess(&k), &k, &cfg);
    assert!((s.trunk_flexion_deg.unwrap() - 40.0).abs() < 0.01);
    assert!((s.knee_flexion_deg.unwrap() - 90.0).abs() < 0.01);
    // Shoulder to nose: 70 px along the trunk, then (30, -8) px.
    let t = 40f32.to_radians();
    let nose = (70.0 * t.sin() + 30.0, 70.0 * t.cos() - 8.0);
    let len = 160.0 + 170.0 + 200.0 + nose.0.hypot(nose.1);
    assert!((s.hip_height.unwrap() - 160.0 / len).abs() < 1e-4);

    // Front view: shoulder tilt is the asymmetry; the hip height is
    // 350 / (170 + 180 + 200 + 95) = 0.5426.
    let front = Front {
        tilt: -8.0,
        ..Front::upright()
    }
    .keypoints();
    let s = RepSample::from_assessment(0, 0.0, &assessor.assess(&front), &front, &cfg);
    assert!(
        (s.asymmetry_deg.unwrap() - 8.0).abs() < 0.01,
        "{:?}",
        s.asymmetry_deg
    );
    assert_eq!(s.trunk_flexion_deg, None);
    assert!((s.hip_height.unwrap() - 350.0 / 645.0).abs() < 1e-4);

    // Nothing seen: nothing measured.
    let none = posturecam::pose::Keypoints::default();
    let s = RepSample::from_assessment(0, 0.0, &assessor.assess(&none), &none, &cfg);
    assert_eq!(
        (s.trunk_flexion_deg, s.hip_height, s.reba, s.asymmetry_deg),
        (None, None, None, None)
    );
    assert_eq!(hip_height(&none, cfg.gate_confidence), None);
}

/// Random trajectories: steps of 10-80 ms, a trunk random walk that can
/// swing from standing to deep, hips following, some frames unmeasured.
fn trajectory() -> impl Strategy<Value = Vec<RepSample>> {
    prop::collection::vec(
        (
            0.01f64..0.08,
            -15.0f32..15.0,
            0.0f32..1.0,
            prop::bool::weighted(0.9),
            0u8..16,
        ),
        0..400,
    )
    .prop_map(|steps| {
        let (mut t, mut trunk) = (0.0, 5.0f32);
        steps
            .into_iter()
            .enumerate()
            .map(|(i, (dt, d, hip_noise, seen, reba))| {
                t += dt;
                trunk = (trunk + d).clamp(-10.0, 100.0);
                let hip = 0.55 - 0.003 * trunk.max(0.0) + 0.02 * hip_noise;
                RepSample {
                    frame: i,
                    t_s: t,
                    trunk_flexion_deg: seen.then_some(trunk),
                    knee_flexion_deg: seen.then_some(trunk * 0.8),
                    hip_height: seen.then_some(hip),
                    reba: (reba > 0).then_some(reba),
                    asymmetry_deg: None,
                }
            })
            .collect()
    })
}

proptest! {
    #[test]
    fn reps_are_ordered_disjoint_and_bound_their_samples(s in trajectory()) {
        let cfg = RepConfig::default();
        let r = find_repetitions(&s, &cfg);
        let smooth = smooth_trajectory(&s, &cfg);
        for rep in &r {
            prop_assert!(rep.start_s <= rep.bottom_s && rep.bottom_s <= rep.end_s);
            prop_assert!((rep.duration_s - (rep.end_s - rep.start_s)).abs() < 1e-9);
            prop_assert!(rep.duration_s >= cfg.min_duration_s && rep.duration_s <= cfg.max_duration_s);
            let inside = |t: f64| t >= rep.start_s && t <= rep.end_s;
            // The peak is the most any smoothed sample of the rep reaches...
            for x in smooth.iter().filter(|x| inside(x.t_s)) {
                if let Some(v) = x.trunk_flexion_deg {
                    prop_assert!(rep.peak_trunk_flexion_deg.unwrap() >= v);
                }
            }
            // ...and smoothing never invents it: some raw sample within half
            // the smoothing windows reaches it.
            let reach = (cfg.median_window_s + cfg.mean_window_s) / 2.0;
            let raw_max = s
                .iter()
                .filter(|x| x.t_s >= rep.start_s - reach && x.t_s <= rep.end_s + reach)
                .filter_map(|x| x.trunk_flexion_deg)
                .fold(f32::NEG_INFINITY, f32::max);
            prop_assert!(rep.peak_trunk_flexion_deg.unwrap() <= raw_max + 1e-3);
            if let Some(m) = rep.reba_max {
                prop_assert!((1..=15).contains(&m));
            }
        }
        for w in r.windows(2) {
            prop_assert!(w[0].end_s <= w[1].start_s);
            prop_assert!(w[0].end_frame <= w[1].start_frame);
        }
    }
}
