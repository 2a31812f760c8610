//! REBA: Rapid Entire Body Assessment, as pure functions over measured angles.
//!
//! Source (cited below as "Hignett & McAtamney 2000"): Hignett S, McAtamney L
//! (2000) "Rapid Entire Body Assessment (REBA)", Applied Ergonomics
//! 31(2):201-205. Body-part ranges are its Group A and Group B tables (trunk,
//! neck, legs; upper arms, lower arms, wrists), the load/force, coupling and
//! activity scores its scoring tables, Tables A, B and C its look-up tables
//! and the risk levels its action-level table. The table cells are laid out
//! as on the widely used REBA employee assessment worksheet that reproduces
//! those tables.
//!
//! # Conventions
//!
//! * Angles are in degrees. Positive is flexion (forward), negative extension.
//! * **Boundaries.** The paper gives ranges such as "0-20°" and "20-60°" that
//!   share their end points. A value exactly on a shared boundary belongs to
//!   the lower-angle band: every band runs "up to and including" its upper
//!   limit (trunk 20° flexion scores 2, 20.1° scores 3; knee 30° gets no
//!   adjustment, 60° gets +1, 60.1° gets +2). The neutral bands are closed at
//!   both ends (upper arm −20° and +20° both score 1; lower arm 60° and 100°
//!   both score 1, as the paper's "<60° or >100°" wording implies). Where the
//!   paper states a strict limit in words ("<5 kg", ">10 kg") it is followed.
//! * **Non-finite input.** A NaN or ±infinite angle is treated as the neutral
//!   (lowest-scoring) posture of that body part: 0° for trunk, neck, upper
//!   arm, wrist and knee, and 80° (inside 60-100°) for the lower arm. A NaN,
//!   infinite or negative load counts as no load. The adjustment flags still
//!   apply. Nothing here panics.
//! * Left and right arms are assessed separately; an input describes one side.

use serde::{Deserialize, Serialize};

/// Quality of the hand hold (Hignett & McAtamney 2000, coupling score).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Coupling {
    /// Well-fitting handle and mid-range power grip: +0.
    Good,
    /// Hand hold acceptable but not ideal, or coupling acceptable via another body part: +1.
    Fair,
    /// Hand hold not acceptable although possible: +2.
    Poor,
    /// Awkward, unsafe grip, no handles; coupling unacceptable using other body parts: +3.
    Unacceptable,
}

impl Coupling {
    /// The coupling score, 0..=3 (Hignett & McAtamney 2000, coupling table).
    pub fn score(self) -> u8 {
        match self {
            Coupling::Good => 0,
            Coupling::Fair => 1,
            Coupling::Poor => 2,
            Coupling::Unacceptable => 3,
        }
    }
}

/// Measured posture and task information (one side for the arm group).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct RebaInput {
    /// Trunk angle: + flexion, − extension.
    pub trunk_flexion_deg: f32,
    /// Trunk twisted or side-flexed: +1.
    pub trunk_twisted_or_side_bent: bool,
    /// Neck angle: + flexion, − extension (any extension scores 2).
    pub neck_flexion_deg: f32,
    /// Neck twisted or side-flexed: +1.
    pub neck_twisted_or_side_bent: bool,
    /// Bilateral weight bearing, walking or sitting → legs 1; unilateral,
    /// feather weight bearing or unstable posture → 2.
    pub legs_bilateral_support: bool,
    /// Knee flexion: +1 for (30, 60], +2 for > 60 (standing postures only).
    pub knee_flexion_deg: f32,
    /// Sitting: no knee-flexion adjustment is applied (REBA marks it "not for
    /// sitting").
    pub sitting: bool,
    /// Upper-arm angle: + flexion, − extension.
    pub upper_arm_flexion_deg: f32,
    /// Shoulder raised: +1.
    pub shoulder_raised: bool,
    /// Upper arm abducted or rotated: +1.
    pub upper_arm_abducted_or_rotated: bool,
    /// Arm supported, person leaning or posture gravity-assisted: −1 (minimum 1).
    pub arm_supported_or_leaning: bool,
    /// Elbow flexion; 0 = straight arm.
    pub lower_arm_flexion_deg: f32,
    /// Wrist flexion (+) or extension (−); only the magnitude is used.
    pub wrist_flexion_deg: f32,
    /// Wrist deviated or twisted: +1.
    pub wrist_deviated_or_twisted: bool,
    /// Load or force handled, in kg.
    pub load_kg: f32,
    /// Shock or rapid build-up of force: +1 to the load/force score.
    pub shock_or_rapid_force: bool,
    /// Hand-hold quality.
    pub coupling: Coupling,
    /// Activity score 0..=3 (+1 each: a body part static for more than 1 min;
    /// small-range actions repeated more than 4×/min; rapid large changes in
    /// posture or an unstable base). Values above 3 count as 3.
    pub activity: u8,
}

impl RebaInput {
    /// Everything neutral: upright trunk and neck, bilateral standing support
    /// with straight knees, arms hanging (upper arm 0°) with the elbow at 80°,
    /// straight wrist, no load, good coupling, no activity. Scores grand 1.
    pub fn neutral() -> RebaInput {
        RebaInput {
            trunk_flexion_deg: 0.0,
            trunk_twisted_or_side_bent: false,
            neck_flexion_deg: 0.0,
            neck_twisted_or_side_bent: false,
            legs_bilateral_support: true,
            knee_flexion_deg: 0.0,
            sitting: false,
            upper_arm_flexion_deg: 0.0,
            shoulder_raised: false,
            upper_arm_abducted_or_rotated: false,
            arm_supported_or_leaning: false,
            lower_arm_flexion_deg: 80.0,
            wrist_flexion_deg: 0.0,
            wrist_deviated_or_twisted: false,
            load_kg: 0.0,
            shock_or_rapid_force: false,
            coupling: Coupling::Good,
            activity: 0,
        }
    }
}

/// Every intermediate and final REBA score.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct RebaScore {
    /// Trunk score, 1..=5.
    pub trunk: u8,
    /// Neck score, 1..=3.
    pub neck: u8,
    /// Legs score, 1..=4.
    pub legs: u8,
    /// Table A posture score, 1..=9.
    pub table_a: u8,
    /// Load/force score, 0..=3.
    pub load_force: u8,
    /// Score A = table_a + load_force, 1..=12.
    pub score_a: u8,
    /// Upper-arm score, 1..=6.
    pub upper_arm: u8,
    /// Lower-arm score, 1..=2.
    pub lower_arm: u8,
    /// Wrist score, 1..=3.
    pub wrist: u8,
    /// Table B posture score, 1..=9.
    pub table_b: u8,
    /// Coupling score, 0..=3.
    pub coupling: u8,
    /// Score B = table_b + coupling, 1..=12.
    pub score_b: u8,
    /// Table C score, 1..=12.
    pub table_c: u8,
    /// Activity score, 0..=3.
    pub activity: u8,
    /// REBA score = table_c + activity, 1..=15.
    pub grand: u8,
}

/// REBA risk level (Hignett & McAtamney 2000, action levels).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RebaRisk {
    /// REBA score 1 (action level 0: none necessary).
    Negligible,
    /// 2-3 (action level 1: may be necessary).
    Low,
    /// 4-7 (action level 2: necessary).
    Medium,
    /// 8-10 (action level 3: necessary soon).
    High,
    /// 11-15 (action level 4: necessary now).
    VeryHigh,
}

/// Returns `x` if finite, else `neutral`.
fn finite_or(x: f32, neutral: f32) -> f32 {
    if x.is_finite() {
        x
    } else {
        neutral
    }
}

/// Adds signed adjustments to a base score and clamps to `lo..=hi`.
fn adjust(base: u8, plus: u8, minus: u8, lo: u8, hi: u8) -> u8 {
    (i32::from(base) + i32::from(plus) - i32::from(minus)).clamp(i32::from(lo), i32::from(hi)) as u8
}

/// Clamps a 1-based table index into `1..=max` and returns it 0-based.
fn idx(v: u8, max: u8) -> usize {
    usize::from(v.clamp(1, max) - 1)
}

/// Trunk score, 1..=5 (Hignett & McAtamney 2000, Group A, trunk).
///
/// Base: upright (exactly 0°) → 1; 0-20° flexion or 0-20° extension
/// ((0, 20] or [−20, 0)) → 2; 20-60° flexion ((20, 60]) or more than 20°
/// extension (< −20) → 3; more than 60° flexion → 4. Adjustment: twisting or
/// side flexion +1. Non-finite angle → 0° (score 1 before adjustment). The
/// upright band is a single point: callers that want a tolerance should snap
/// small angles to 0 before scoring.
pub fn trunk_score(input: &RebaInput) -> u8 {
    let a = finite_or(input.trunk_flexion_deg, 0.0);
    let base = if a == 0.0 {
        1
    } else if a > 0.0 {
        if a <= 20.0 {
            2
        } else if a <= 60.0 {
            3
        } else {
            4
        }
    } else if a >= -20.0 {
        2
    } else {
        3
    };
    adjust(base, u8::from(input.trunk_twisted_or_side_bent), 0, 1, 5)
}

/// Neck score, 1..=3 (Hignett & McAtamney 2000, Group A, neck).
///
/// Base: 0-20° flexion (inclusive) → 1; more than 20° flexion, or any
/// extension (negative angle) → 2. Adjustment: twisting or side flexion +1.
/// Non-finite angle → 0° (score 1 before adjustment).
pub fn neck_score(input: &RebaInput) -> u8 {
    let a = finite_or(input.neck_flexion_deg, 0.0);
    let base = if (0.0..=20.0).contains(&a) { 1 } else { 2 };
    adjust(base, u8::from(input.neck_twisted_or_side_bent), 0, 1, 3)
}

/// Legs score, 1..=4 (Hignett & McAtamney 2000, Group A, legs).
///
/// Base: bilateral weight bearing, walking or sitting → 1; unilateral weight
/// bearing, feather weight bearing or an unstable posture → 2. Adjustment
/// (standing only; the paper marks it "not for sitting"): knee flexion in
/// (30, 60] +1; more than 60° +2. Knee flexion of 30° or less, negative or
/// non-finite adds nothing.
pub fn legs_score(input: &RebaInput) -> u8 {
    let base = if input.legs_bilateral_support { 1 } else { 2 };
    let knee = if input.sitting {
        0
    } else {
        let k = finite_or(input.knee_flexion_deg, 0.0);
        if k > 60.0 {
            2
        } else if k > 30.0 {
            1
        } else {
            0
        }
    };
    adjust(base, knee, 0, 1, 4)
}

/// Load/force score, 0..=3 (Hignett & McAtamney 2000, load/force table).
///
/// Less than 5 kg → 0; 5-10 kg (inclusive) → 1; more than 10 kg → 2;
/// shock or rapid build-up of force +1. NaN, infinite or negative loads
/// count as 0 kg.
pub fn load_force_score(input: &RebaInput) -> u8 {
    let kg = finite_or(input.load_kg, 0.0).max(0.0);
    let base = if kg < 5.0 {
        0
    } else if kg <= 10.0 {
        1
    } else {
        2
    };
    base + u8::from(input.shock_or_rapid_force)
}

/// Upper-arm score, 1..=6 (Hignett & McAtamney 2000, Group B, upper arms).
///
/// Base: 20° extension to 20° flexion (−20..=20, inclusive both ends) → 1;
/// more than 20° extension (< −20) or flexion in (20, 45] → 2; flexion in
/// (45, 90] → 3; more than 90° flexion → 4. Adjustments: arm abducted or
/// rotated +1; shoulder raised +1; leaning, supporting the weight of the arm
/// or gravity-assisted −1; kept within 1..=6. Non-finite angle → 0°.
pub fn upper_arm_score(input: &RebaInput) -> u8 {
    let a = finite_or(input.upper_arm_flexion_deg, 0.0);
    let base = if a < -20.0 {
        2
    } else if a <= 20.0 {
        1
    } else if a <= 45.0 {
        2
    } else if a <= 90.0 {
        3
    } else {
        4
    };
    let plus = u8::from(input.shoulder_raised) + u8::from(input.upper_arm_abducted_or_rotated);
    adjust(base, plus, u8::from(input.arm_supported_or_leaning), 1, 6)
}

/// Lower-arm score, 1..=2 (Hignett & McAtamney 2000, Group B, lower arms):
/// 60-100° flexion (inclusive) → 1; less than 60° or more than 100° → 2.
/// No adjustments. Non-finite angle → 80° (score 1).
pub fn lower_arm_score(input: &RebaInput) -> u8 {
    let a = finite_or(input.lower_arm_flexion_deg, 80.0);
    if (60.0..=100.0).contains(&a) {
        1
    } else {
        2
    }
}

/// Wrist score, 1..=3 (Hignett & McAtamney 2000, Group B, wrists).
///
/// Base on the magnitude of flexion/extension: 0-15° (inclusive) → 1; more
/// than 15° → 2. Adjustment: wrist deviated or twisted +1. Non-finite angle
/// → 0°.
pub fn wrist_score(input: &RebaInput) -> u8 {
    let m = finite_or(input.wrist_flexion_deg, 0.0).abs();
    let base = if m <= 15.0 { 1 } else { 2 };
    adjust(base, u8::from(input.wrist_deviated_or_twisted), 0, 1, 3)
}

/// REBA Table A (Hignett & McAtamney 2000, Table A): indexed `[trunk 1-5]
/// [neck 1-3][legs 1-4]`, giving 1..=9.
const TABLE_A: [[[u8; 4]; 3]; 5] = [
    // trunk 1: neck 1, 2, 3
    [[1, 2, 3, 4], [1, 2, 3, 4], [3, 3, 5, 6]],
    // trunk 2
    [[2, 3, 4, 5], [3, 4, 5, 6], [4, 5, 6, 7]],
    // trunk 3
    [[2, 4, 5, 6], [4, 5, 6, 7], [5, 6, 7, 8]],
    // trunk 4
    [[3, 5, 6, 7], [5, 6, 7, 8], [6, 7, 8, 9]],
    // trunk 5
    [[4, 6, 7, 8], [6, 7, 8, 9], [7, 8, 9, 9]],
];

/// REBA Table B (Hignett & McAtamney 2000, Table B): indexed `[upper arm
/// 1-6][lower arm 1-2][wrist 1-3]`, giving 1..=9.
const TABLE_B: [[[u8; 3]; 2]; 6] = [
    [[1, 2, 2], [1, 2, 3]],
    [[1, 2, 3], [2, 3, 4]],
    [[3, 4, 5], [4, 5, 5]],
    [[4, 5, 5], [5, 6, 7]],
    [[6, 7, 8], [7, 8, 8]],
    [[7, 8, 8], [8, 9, 9]],
];

/// REBA Table C (Hignett & McAtamney 2000, Table C): indexed `[score A 1-12]
/// [score B 1-12]`, giving 1..=12.
const TABLE_C: [[u8; 12]; 12] = [
    [1, 1, 1, 2, 3, 3, 4, 5, 6, 7, 7, 7],
    [1, 2, 2, 3, 4, 4, 5, 6, 6, 7, 7, 8],
    [2, 3, 3, 3, 4, 5, 6, 7, 7, 8, 8, 8],
    [3, 4, 4, 4, 5, 6, 7, 8, 8, 9, 9, 9],
    [4, 4, 4, 5, 6, 7, 8, 8, 9, 9, 9, 9],
    [6, 6, 6, 7, 8, 8, 9, 9, 10, 10, 10, 10],
    [7, 7, 7, 8, 9, 9, 9, 10, 10, 11, 11, 11],
    [8, 8, 8, 9, 10, 10, 10, 10, 10, 11, 11, 11],
    [9, 9, 9, 10, 10, 10, 11, 11, 11, 12, 12, 12],
    [10, 10, 10, 11, 11, 11, 11, 12, 12, 12, 12, 12],
    [11, 11, 11, 11, 12, 12, 12, 12, 12, 12, 12, 12],
    [12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12],
];

/// Table A lookup (Hignett & McAtamney 2000, Table A). Each index is clamped
/// into its valid range (trunk 1..=5, neck 1..=3, legs 1..=4).
pub fn table_a(trunk: u8, neck: u8, legs: u8) -> u8 {
    TABLE_A[idx(trunk, 5)][idx(neck, 3)][idx(legs, 4)]
}

/// Table B lookup (Hignett & McAtamney 2000, Table B). Each index is clamped
/// into its valid range (upper arm 1..=6, lower arm 1..=2, wrist 1..=3).
pub fn table_b(upper_arm: u8, lower_arm: u8, wrist: u8) -> u8 {
    TABLE_B[idx(upper_arm, 6)][idx(lower_arm, 2)][idx(wrist, 3)]
}

/// Table C lookup (Hignett & McAtamney 2000, Table C). Both indices are
/// clamped into 1..=12.
pub fn table_c(score_a: u8, score_b: u8) -> u8 {
    TABLE_C[idx(score_a, 12)][idx(score_b, 12)]
}

/// Risk level of a REBA score (Hignett & McAtamney 2000, action levels):
/// 1 negligible; 2-3 low; 4-7 medium; 8-10 high; 11-15 very high. 0 is
/// treated as 1 and anything above 15 as very high.
pub fn reba_risk(grand: u8) -> RebaRisk {
    match grand {
        0..=1 => RebaRisk::Negligible,
        2..=3 => RebaRisk::Low,
        4..=7 => RebaRisk::Medium,
        8..=10 => RebaRisk::High,
        _ => RebaRisk::VeryHigh,
    }
}

/// Scores one posture with the full REBA procedure (Hignett & McAtamney
/// 2000): Table A (trunk, neck, legs) + load/force = score A; Table B (upper
/// arm, lower arm, wrist) + coupling = score B; Table C (score A, score B)
/// + activity = REBA score.
pub fn reba(input: &RebaInput) -> RebaScore {
    let trunk = trunk_score(input);
    let neck = neck_score(input);
    let legs = legs_score(input);
    let table_a_score = table_a(trunk, neck, legs);
    let load_force = load_force_score(input);
    let score_a = table_a_score + load_force;

    let upper_arm = upper_arm_score(input);
    let lower_arm = lower_arm_score(input);
    let wrist = wrist_score(input);
    let table_b_score = table_b(upper_arm, lower_arm, wrist);
    let coupling = input.coupling.score();
    let score_b = table_b_score + coupling;

    let table_c_score = table_c(score_a, score_b);
    let activity = input.activity.min(3);
    RebaScore {
        trunk,
        neck,
        legs,
        table_a: table_a_score,
        load_force,
        score_a,
        upper_arm,
        lower_arm,
        wrist,
        table_b: table_b_score,
        coupling,
        score_b,
        table_c: table_c_score,
        activity,
        grand: table_c_score + activity,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n() -> RebaInput {
        RebaInput::neutral()
    }

    fn tr(deg: f32) -> u8 {
        trunk_score(&RebaInput {
            trunk_flexion_deg: deg,
            ..n()
        })
    }
    fn nk(deg: f32) -> u8 {
        neck_score(&RebaInput {
            neck_flexion_deg: deg,
            ..n()
        })
    }
    fn knee(deg: f32, bilateral: bool, sitting: bool) -> u8 {
        legs_score(&RebaInput {
            knee_flexion_deg: deg,
            legs_bilateral_support: bilateral,
            sitting,
            ..n()
        })
    }
    fn ua(deg: f32) -> u8 {
        upper_arm_score(&RebaInput {
            upper_arm_flexion_deg: deg,
            ..n()
        })
    }
    fn la(deg: f32) -> u8 {
        lower_arm_score(&RebaInput {
            lower_arm_flexion_deg: deg,
            ..n()
        })
    }
    fn wr(deg: f32) -> u8 {
        wrist_score(&RebaInput {
            wrist_flexion_deg: deg,
            ..n()
        })
    }
    fn load(kg: f32, shock: bool) -> u8 {
        load_force_score(&RebaInput {
            load_kg: kg,
            shock_or_rapid_force: shock,
            ..n()
        })
    }

    #[test]
    fn table_a_cells() {
        // Corners.
        assert_eq!(table_a(1, 1, 1), 1);
        assert_eq!(table_a(1, 1, 4), 4);
        assert_eq!(table_a(1, 3, 1), 3);
        assert_eq!(table_a(5, 1, 1), 4);
        assert_eq!(table_a(5, 3, 4), 9);
        // Middle.
        assert_eq!(table_a(1, 3, 2), 3);
        assert_eq!(table_a(2, 2, 3), 5);
        assert_eq!(table_a(3, 1, 2), 4);
        assert_eq!(table_a(3, 2, 2), 5);
        assert_eq!(table_a(3, 3, 4), 8);
        assert_eq!(table_a(4, 2, 1), 5);
        assert_eq!(table_a(4, 3, 4), 9);
        assert_eq!(table_a(5, 2, 3), 8);
        assert_eq!(table_a(5, 3, 3), 9);
    }

    #[test]
    fn table_b_cells() {
        assert_eq!(table_b(1, 1, 1), 1);
        assert_eq!(table_b(1, 1, 3), 2);
        assert_eq!(table_b(1, 2, 3), 3);
        assert_eq!(table_b(6, 1, 1), 7);
        assert_eq!(table_b(6, 2, 3), 9);
        assert_eq!(table_b(2, 1, 3), 3);
        assert_eq!(table_b(2, 2, 1), 2);
        assert_eq!(table_b(3, 1, 2), 4);
        assert_eq!(table_b(3, 2, 3), 5);
        assert_eq!(table_b(4, 1, 3), 5);
        assert_eq!(table_b(4, 2, 3), 7);
        assert_eq!(table_b(5, 1, 1), 6);
        assert_eq!(table_b(5, 2, 2), 8);
        assert_eq!(table_b(6, 1, 3), 8);
    }

    #[test]
    fn table_c_cells_and_range() {
        // Corners.
        assert_eq!(table_c(1, 1), 1);
        assert_eq!(table_c(1, 12), 7);
        assert_eq!(table_c(12, 1), 12);
        assert_eq!(table_c(12, 12), 12);
        // Middle.
        assert_eq!(table_c(1, 4), 2);
        assert_eq!(table_c(2, 12), 8);
        assert_eq!(table_c(3, 6), 5);
        assert_eq!(table_c(4, 9), 8);
        assert_eq!(table_c(5, 5), 6);
        assert_eq!(table_c(6, 1), 6);
        assert_eq!(table_c(6, 9), 10);
        assert_eq!(table_c(7, 7), 9);
        assert_eq!(table_c(8, 9), 10);
        assert_eq!(table_c(9, 10), 12);
        assert_eq!(table_c(10, 7), 11);
        assert_eq!(table_c(11, 4), 11);
        assert_eq!(table_c(11, 5), 12);
        // Full range: every cell in 1..=12, every value 1..=12 reached.
        let mut seen = [false; 13];
        for a in 1..=12 {
            for b in 1..=12 {
                let c = table_c(a, b);
                assert!((1..=12).contains(&c), "C[{a}][{b}] = {c}");
                seen[usize::from(c)] = true;
            }
        }
        assert!(seen[1..].iter().all(|&s| s));
    }

    #[test]
    fn tables_monotone() {
        for t in 1..=5 {
            for nk in 1..=3 {
                for l in 1..=4 {
                    let v = table_a(t, nk, l);
                    assert!(v >= table_a(t.saturating_sub(1).max(1), nk, l));
                    assert!(v >= table_a(t, nk.saturating_sub(1).max(1), l));
                    assert!(v >= table_a(t, nk, l.saturating_sub(1).max(1)));
                }
            }
        }
        for u in 1..=6 {
            for l in 1..=2 {
                for w in 1..=3 {
                    let v = table_b(u, l, w);
                    assert!(v >= table_b(u.saturating_sub(1).max(1), l, w));
                    assert!(v >= table_b(u, 1, w));
                    assert!(v >= table_b(u, l, w.saturating_sub(1).max(1)));
                }
            }
        }
        for a in 1..=12 {
            for b in 1..=12 {
                let v = table_c(a, b);
                assert!(v >= table_c(a.saturating_sub(1).max(1), b));
                assert!(v >= table_c(a, b.saturating_sub(1).max(1)));
            }
        }
    }

    #[test]
    fn tables_clamp_out_of_range_indices() {
        assert_eq!(table_a(0, 0, 0), table_a(1, 1, 1));
        assert_eq!(table_a(9, 9, 9), table_a(5, 3, 4));
        assert_eq!(table_b(0, 0, 0), table_b(1, 1, 1));
        assert_eq!(table_b(9, 9, 9), table_b(6, 2, 3));
        assert_eq!(table_c(0, 0), 1);
        assert_eq!(table_c(255, 255), 12);
    }

    #[test]
    fn trunk_boundaries_and_adjustment() {
        assert_eq!(tr(0.0), 1);
        assert_eq!(tr(-0.0), 1);
        assert_eq!(tr(0.1), 2);
        assert_eq!(tr(19.9), 2);
        assert_eq!(tr(20.0), 2);
        assert_eq!(tr(20.1), 3);
        assert_eq!(tr(60.0), 3);
        assert_eq!(tr(60.1), 4);
        assert_eq!(tr(120.0), 4);
        assert_eq!(tr(-0.1), 2);
        assert_eq!(tr(-20.0), 2);
        assert_eq!(tr(-20.1), 3);
        assert_eq!(tr(-60.0), 3);
        let twisted = RebaInput {
            trunk_twisted_or_side_bent: true,
            ..n()
        };
        assert_eq!(trunk_score(&twisted), 2);
        let worst = RebaInput {
            trunk_flexion_deg: 80.0,
            ..twisted
        };
        assert_eq!(trunk_score(&worst), 5);
    }

    #[test]
    fn neck_boundaries_and_adjustment() {
        assert_eq!(nk(0.0), 1);
        assert_eq!(nk(20.0), 1);
        assert_eq!(nk(20.1), 2);
        assert_eq!(nk(60.0), 2);
        assert_eq!(nk(-0.1), 2);
        assert_eq!(nk(-30.0), 2);
        let twisted = RebaInput {
            neck_twisted_or_side_bent: true,
            ..n()
        };
        assert_eq!(neck_score(&twisted), 2);
        let worst = RebaInput {
            neck_flexion_deg: 40.0,
            ..twisted
        };
        assert_eq!(neck_score(&worst), 3);
    }

    #[test]
    fn legs_boundaries_and_adjustments() {
        assert_eq!(knee(0.0, true, false), 1);
        assert_eq!(knee(0.0, false, false), 2);
        assert_eq!(knee(30.0, true, false), 1);
        assert_eq!(knee(30.1, true, false), 2);
        assert_eq!(knee(60.0, true, false), 2);
        assert_eq!(knee(60.1, true, false), 3);
        assert_eq!(knee(120.0, true, false), 3);
        assert_eq!(knee(45.0, false, false), 3);
        assert_eq!(knee(90.0, false, false), 4);
        assert_eq!(knee(-10.0, true, false), 1);
        // Sitting: no knee adjustment.
        assert_eq!(knee(90.0, true, true), 1);
        assert_eq!(knee(45.0, false, true), 2);
        // Non-finite knee angles add nothing.
        assert_eq!(knee(f32::NAN, true, false), 1);
        assert_eq!(knee(f32::INFINITY, true, false), 1);
    }

    #[test]
    fn load_force_bands() {
        assert_eq!(load(0.0, false), 0);
        assert_eq!(load(4.99, false), 0);
        assert_eq!(load(5.0, false), 1);
        assert_eq!(load(10.0, false), 1);
        assert_eq!(load(10.1, false), 2);
        assert_eq!(load(40.0, false), 2);
        assert_eq!(load(0.0, true), 1);
        assert_eq!(load(5.0, true), 2);
        assert_eq!(load(10.1, true), 3);
        assert_eq!(load(-3.0, false), 0);
        assert_eq!(load(f32::NAN, false), 0);
        assert_eq!(load(f32::INFINITY, false), 0);
    }

    #[test]
    fn upper_arm_boundaries_and_adjustments() {
        assert_eq!(ua(-90.0), 2);
        assert_eq!(ua(-20.1), 2);
        assert_eq!(ua(-20.0), 1);
        assert_eq!(ua(20.0), 1);
        assert_eq!(ua(20.1), 2);
        assert_eq!(ua(45.0), 2);
        assert_eq!(ua(45.1), 3);
        assert_eq!(ua(90.0), 3);
        assert_eq!(ua(90.1), 4);
        let base = RebaInput {
            upper_arm_flexion_deg: 60.0,
            ..n()
        };
        assert_eq!(upper_arm_score(&base), 3);
        let raised = RebaInput {
            shoulder_raised: true,
            ..base
        };
        assert_eq!(upper_arm_score(&raised), 4);
        let abducted = RebaInput {
            upper_arm_abducted_or_rotated: true,
            ..base
        };
        assert_eq!(upper_arm_score(&abducted), 4);
        let supported = RebaInput {
            arm_supported_or_leaning: true,
            ..base
        };
        assert_eq!(upper_arm_score(&supported), 2);
        let max = RebaInput {
            upper_arm_flexion_deg: 120.0,
            shoulder_raised: true,
            upper_arm_abducted_or_rotated: true,
            ..n()
        };
        assert_eq!(upper_arm_score(&max), 6);
        let floor = RebaInput {
            arm_supported_or_leaning: true,
            ..n()
        };
        assert_eq!(upper_arm_score(&floor), 1);
    }

    #[test]
    fn lower_arm_boundaries() {
        assert_eq!(la(0.0), 2);
        assert_eq!(la(59.9), 2);
        assert_eq!(la(60.0), 1);
        assert_eq!(la(100.0), 1);
        assert_eq!(la(100.1), 2);
        assert_eq!(la(-5.0), 2);
    }

    #[test]
    fn wrist_boundaries_and_adjustment() {
        assert_eq!(wr(0.0), 1);
        assert_eq!(wr(15.0), 1);
        assert_eq!(wr(-15.0), 1);
        assert_eq!(wr(15.1), 2);
        assert_eq!(wr(-15.1), 2);
        let dev = RebaInput {
            wrist_deviated_or_twisted: true,
            ..n()
        };
        assert_eq!(wrist_score(&dev), 2);
        let worst = RebaInput {
            wrist_flexion_deg: -40.0,
            ..dev
        };
        assert_eq!(wrist_score(&worst), 3);
    }

    #[test]
    fn coupling_and_activity() {
        assert_eq!(Coupling::Good.score(), 0);
        assert_eq!(Coupling::Fair.score(), 1);
        assert_eq!(Coupling::Poor.score(), 2);
        assert_eq!(Coupling::Unacceptable.score(), 3);
        let poor = reba(&RebaInput {
            coupling: Coupling::Poor,
            ..n()
        });
        assert_eq!((poor.coupling, poor.score_b), (2, 3));
        for (given, used) in [(0u8, 0u8), (1, 1), (2, 2), (3, 3), (4, 3), (255, 3)] {
            let s = reba(&RebaInput {
                activity: given,
                ..n()
            });
            assert_eq!(s.activity, used);
            assert_eq!(s.grand, 1 + used);
        }
    }

    #[test]
    fn neutral_scores_one() {
        let s = reba(&RebaInput::neutral());
        assert_eq!(
            s,
            RebaScore {
                trunk: 1,
                neck: 1,
                legs: 1,
                table_a: 1,
                load_force: 0,
                score_a: 1,
                upper_arm: 1,
                lower_arm: 1,
                wrist: 1,
                table_b: 1,
                coupling: 0,
                score_b: 1,
                table_c: 1,
                activity: 0,
                grand: 1,
            }
        );
        assert_eq!(reba_risk(s.grand), RebaRisk::Negligible);
    }

    /// Worked example, by hand:
    /// * trunk 30° flexion → 3 (20-60°), not twisted → 3.
    /// * neck 25° flexion → 2 (>20°).
    /// * legs bilateral → 1; knees 40° (30-60°) +1 → 2.
    /// * Table A[trunk 3][neck 2][legs 2] = 5.
    /// * load 6 kg (5-10 kg) → 1, no shock: score A = 5 + 1 = 6.
    /// * upper arm 50° flexion → 3 (45-90°), no adjustments → 3.
    /// * lower arm 70° → 1 (60-100°).
    /// * wrist 20° → 2 (>15°), not deviated → 2.
    /// * Table B[upper 3][lower 1][wrist 2] = 4.
    /// * coupling fair +1: score B = 4 + 1 = 5.
    /// * Table C[6][5] = 8.
    /// * activity 1 (static > 1 min): REBA score = 8 + 1 = 9 → high risk.
    #[test]
    fn worked_example() {
        let input = RebaInput {
            trunk_flexion_deg: 30.0,
            neck_flexion_deg: 25.0,
            legs_bilateral_support: true,
            knee_flexion_deg: 40.0,
            upper_arm_flexion_deg: 50.0,
            lower_arm_flexion_deg: 70.0,
            wrist_flexion_deg: 20.0,
            load_kg: 6.0,
            coupling: Coupling::Fair,
            activity: 1,
            ..n()
        };
        let s = reba(&input);
        assert_eq!(s.trunk, 3);
        assert_eq!(s.neck, 2);
        assert_eq!(s.legs, 2);
        assert_eq!(s.table_a, 5);
        assert_eq!(s.load_force, 1);
        assert_eq!(s.score_a, 6);
        assert_eq!(s.upper_arm, 3);
        assert_eq!(s.lower_arm, 1);
        assert_eq!(s.wrist, 2);
        assert_eq!(s.table_b, 4);
        assert_eq!(s.coupling, 1);
        assert_eq!(s.score_b, 5);
        assert_eq!(s.table_c, 8);
        assert_eq!(s.activity, 1);
        assert_eq!(s.grand, 9);
        assert_eq!(reba_risk(s.grand), RebaRisk::High);
    }

    /// Seated variant of the worked example: sitting removes the knee
    /// adjustment, so legs → 1, Table A[3][2][1] = 4, score A = 4 + 1 = 5,
    /// Table C[5][5] = 6, REBA score = 6 + 1 = 7 → medium risk.
    #[test]
    fn worked_example_seated() {
        let input = RebaInput {
            trunk_flexion_deg: 30.0,
            neck_flexion_deg: 25.0,
            legs_bilateral_support: true,
            knee_flexion_deg: 90.0,
            sitting: true,
            upper_arm_flexion_deg: 50.0,
            lower_arm_flexion_deg: 70.0,
            wrist_flexion_deg: 20.0,
            load_kg: 6.0,
            coupling: Coupling::Fair,
            activity: 1,
            ..n()
        };
        let s = reba(&input);
        assert_eq!((s.legs, s.table_a, s.score_a), (1, 4, 5));
        assert_eq!((s.table_b, s.score_b), (4, 5));
        assert_eq!((s.table_c, s.grand), (6, 7));
        assert_eq!(reba_risk(s.grand), RebaRisk::Medium);
    }

    #[test]
    fn maximal_input_scores_fifteen() {
        let worst = RebaInput {
            trunk_flexion_deg: 90.0,
            trunk_twisted_or_side_bent: true,
            neck_flexion_deg: -20.0,
            neck_twisted_or_side_bent: true,
            legs_bilateral_support: false,
            knee_flexion_deg: 90.0,
            sitting: false,
            upper_arm_flexion_deg: 150.0,
            shoulder_raised: true,
            upper_arm_abducted_or_rotated: true,
            arm_supported_or_leaning: false,
            lower_arm_flexion_deg: 20.0,
            wrist_flexion_deg: 45.0,
            wrist_deviated_or_twisted: true,
            load_kg: 25.0,
            shock_or_rapid_force: true,
            coupling: Coupling::Unacceptable,
            activity: 3,
        };
        let s = reba(&worst);
        assert_eq!((s.trunk, s.neck, s.legs, s.table_a), (5, 3, 4, 9));
        assert_eq!((s.load_force, s.score_a), (3, 12));
        assert_eq!((s.upper_arm, s.lower_arm, s.wrist, s.table_b), (6, 2, 3, 9));
        assert_eq!((s.coupling, s.score_b), (3, 12));
        assert_eq!((s.table_c, s.activity, s.grand), (12, 3, 15));
        assert_eq!(reba_risk(s.grand), RebaRisk::VeryHigh);
    }

    #[test]
    fn grand_within_bounds_over_extreme_grid() {
        let angles = [
            f32::NAN,
            f32::INFINITY,
            f32::NEG_INFINITY,
            f32::MAX,
            f32::MIN,
            -180.0,
            -20.0,
            0.0,
            15.0,
            45.0,
            100.0,
            360.0,
        ];
        let couplings = [
            Coupling::Good,
            Coupling::Fair,
            Coupling::Poor,
            Coupling::Unacceptable,
        ];
        for &a in &angles {
            for flags in 0u32..16 {
                let f = |bit: u32| flags & (1 << bit) != 0;
                let input = RebaInput {
                    trunk_flexion_deg: a,
                    trunk_twisted_or_side_bent: f(0),
                    neck_flexion_deg: a,
                    neck_twisted_or_side_bent: f(1),
                    legs_bilateral_support: f(2),
                    knee_flexion_deg: a,
                    sitting: f(3),
                    upper_arm_flexion_deg: a,
                    shoulder_raised: f(0),
                    upper_arm_abducted_or_rotated: f(1),
                    arm_supported_or_leaning: f(2),
                    lower_arm_flexion_deg: a,
                    wrist_flexion_deg: a,
                    wrist_deviated_or_twisted: f(3),
                    load_kg: a,
                    shock_or_rapid_force: f(0),
                    coupling: couplings[(flags % 4) as usize],
                    activity: (flags * 17 % 256) as u8,
                };
                let s = reba(&input);
                assert!((1..=5).contains(&s.trunk));
                assert!((1..=3).contains(&s.neck));
                assert!((1..=4).contains(&s.legs));
                assert!((1..=9).contains(&s.table_a));
                assert!(s.load_force <= 3);
                assert!((1..=12).contains(&s.score_a));
                assert!((1..=6).contains(&s.upper_arm));
                assert!((1..=2).contains(&s.lower_arm));
                assert!((1..=3).contains(&s.wrist));
                assert!((1..=9).contains(&s.table_b));
                assert!(s.coupling <= 3);
                assert!((1..=12).contains(&s.score_b));
                assert!((1..=12).contains(&s.table_c));
                assert!(s.activity <= 3);
                assert!((1..=15).contains(&s.grand), "{input:?} -> {s:?}");
            }
        }
    }

    #[test]
    fn non_finite_angles_are_neutral() {
        for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
            let input = RebaInput {
                trunk_flexion_deg: bad,
                neck_flexion_deg: bad,
                knee_flexion_deg: bad,
                upper_arm_flexion_deg: bad,
                lower_arm_flexion_deg: bad,
                wrist_flexion_deg: bad,
                load_kg: bad,
                ..n()
            };
            assert_eq!(reba(&input), reba(&n()));
        }
        let nan_twisted = RebaInput {
            trunk_flexion_deg: f32::NAN,
            trunk_twisted_or_side_bent: true,
            ..n()
        };
        assert_eq!(trunk_score(&nan_twisted), 2);
    }

    #[test]
    fn risk_bands_at_every_boundary() {
        let expect = [
            (0, RebaRisk::Negligible),
            (1, RebaRisk::Negligible),
            (2, RebaRisk::Low),
            (3, RebaRisk::Low),
            (4, RebaRisk::Medium),
            (7, RebaRisk::Medium),
            (8, RebaRisk::High),
            (10, RebaRisk::High),
            (11, RebaRisk::VeryHigh),
            (15, RebaRisk::VeryHigh),
            (255, RebaRisk::VeryHigh),
        ];
        for (grand, risk) in expect {
            assert_eq!(reba_risk(grand), risk, "grand {grand}");
        }
    }

    #[test]
    fn serde_names() {
        assert_eq!(
            serde_json::to_string(&Coupling::Unacceptable).unwrap(),
            "\"unacceptable\""
        );
        assert_eq!(
            serde_json::to_string(&RebaRisk::VeryHigh).unwrap(),
            "\"very_high\""
        );
        let input = RebaInput {
            coupling: Coupling::Poor,
            load_kg: 7.5,
            ..n()
        };
        let json = serde_json::to_string(&input).unwrap();
        assert!(json.contains("\"coupling\":\"poor\""));
        let back: RebaInput = serde_json::from_str(&json).unwrap();
        assert_eq!(back, input);
        let score = reba(&input);
        let back: RebaScore =
            serde_json::from_str(&serde_json::to_string(&score).unwrap()).unwrap();
        assert_eq!(back, score);
    }
}
