//! RULA: Rapid Upper Limb Assessment, as pure functions over measured angles.
//!
//! Source (cited below as "McAtamney & Corlett 1993"): McAtamney L, Corlett EN
//! (1993) "RULA: a survey method for the investigation of work-related upper
//! limb disorders", Applied Ergonomics 24(2):91-99. Body-part ranges are the
//! paper's Figures 1 and 2, the force/load ranges its Stage 2 text, Tables A
//! and B its posture-score tables for groups A and B, Table C its grand-score
//! table (Figure 6) and the action levels its Stage 3 text. The table cells
//! are laid out as on the widely used RULA employee assessment worksheet that
//! reproduces those tables.
//!
//! # Conventions
//!
//! * Angles are in degrees. Positive is flexion (forward), negative extension,
//!   except where a field says otherwise.
//! * **Boundaries.** The paper gives ranges such as "0-20°" and "20-60°" that
//!   share their end points. A value exactly on a shared boundary belongs to
//!   the lower-angle band: every band runs "up to and including" its upper
//!   limit (trunk 20° scores 2, 20.1° scores 3). The neutral bands are closed
//!   at both ends (upper arm −20° and +20° both score 1; lower arm 60° and
//!   100° both score 1, matching REBA's explicit "<60° or >100°" wording for
//!   the same body part). Where the paper states a strict limit in words
//!   ("less than 2 kg", "more than 10 kg") that wording is followed.
//! * **Non-finite input.** A NaN or ±infinite angle is treated as the neutral
//!   (lowest-scoring) posture of that body part: 0° for upper arm, wrist,
//!   neck and trunk, and 80° (inside 60-100°) for the lower arm. A NaN,
//!   infinite or negative load counts as no load. The adjustment flags still
//!   apply. Nothing here panics.
//! * Left and right sides are assessed separately; an input describes one
//!   side, as the paper prescribes.

use serde::{Deserialize, Serialize};

/// Measured posture and task information for one side of the body.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct RulaInput {
    /// Upper-arm angle relative to the trunk: + flexion (forward), − extension.
    pub upper_arm_flexion_deg: f32,
    /// Shoulder raised: +1 to the upper-arm score.
    pub shoulder_raised: bool,
    /// Upper arm abducted: +1 to the upper-arm score.
    pub upper_arm_abducted: bool,
    /// Arm supported or person leaning: −1 to the upper-arm score (minimum 1).
    pub arm_supported: bool,
    /// Elbow flexion; 0 = straight arm.
    pub lower_arm_flexion_deg: f32,
    /// Lower arm working across the midline or out to the side: +1.
    pub lower_arm_across_midline_or_out_to_side: bool,
    /// Wrist flexion (+) or extension (−); only the magnitude is used.
    pub wrist_flexion_deg: f32,
    /// Wrist in ulnar or radial deviation: +1 to the wrist score.
    pub wrist_deviated: bool,
    /// Wrist twisted at or near the end of its range: twist score 2 (else 1).
    pub wrist_twist_end_of_range: bool,
    /// Neck flexion (+); any extension (negative) scores 4.
    pub neck_flexion_deg: f32,
    /// Neck twisted: +1.
    pub neck_twisted: bool,
    /// Neck side-bent: +1.
    pub neck_side_bent: bool,
    /// Trunk flexion (+). 0° (upright, or well supported when seated) scores 1.
    pub trunk_flexion_deg: f32,
    /// Trunk twisted: +1.
    pub trunk_twisted: bool,
    /// Trunk side-bent: +1.
    pub trunk_side_bent: bool,
    /// Legs and feet supported, weight evenly balanced: legs 1 (else 2).
    pub legs_and_feet_supported: bool,
    /// Arm/wrist posture mainly static (held > 1 min) or repeated ≥ 4×/min: +1 to score A.
    pub muscle_use_arm: bool,
    /// Neck/trunk/legs posture mainly static or repeated ≥ 4×/min: +1 to score B.
    pub muscle_use_neck_trunk_legs: bool,
    /// Load or force handled, in kg.
    pub load_kg: f32,
    /// The load is held statically or repeatedly (not intermittently).
    pub load_static_or_repeated: bool,
    /// Shock or forces with a rapid build-up: force/load score 3.
    pub load_shock: bool,
}

impl RulaInput {
    /// Everything neutral: all angles 0° except the lower arm at 80° (inside
    /// the 60-100° band), no adjustments, legs and feet supported, no muscle
    /// use and no load. Scores grand 1.
    pub fn neutral() -> RulaInput {
        RulaInput {
            upper_arm_flexion_deg: 0.0,
            shoulder_raised: false,
            upper_arm_abducted: false,
            arm_supported: false,
            lower_arm_flexion_deg: 80.0,
            lower_arm_across_midline_or_out_to_side: false,
            wrist_flexion_deg: 0.0,
            wrist_deviated: false,
            wrist_twist_end_of_range: false,
            neck_flexion_deg: 0.0,
            neck_twisted: false,
            neck_side_bent: false,
            trunk_flexion_deg: 0.0,
            trunk_twisted: false,
            trunk_side_bent: false,
            legs_and_feet_supported: true,
            muscle_use_arm: false,
            muscle_use_neck_trunk_legs: false,
            load_kg: 0.0,
            load_static_or_repeated: false,
            load_shock: false,
        }
    }
}

/// Every intermediate and final RULA score.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct RulaScore {
    /// Upper-arm score, 1..=6.
    pub upper_arm: u8,
    /// Lower-arm score, 1..=3.
    pub lower_arm: u8,
    /// Wrist score, 1..=4.
    pub wrist: u8,
    /// Wrist-twist score, 1..=2.
    pub wrist_twist: u8,
    /// Table A posture score, 1..=9.
    pub posture_a: u8,
    /// Score A ("score C" in the paper) = posture_a + arm muscle use + force/load, 1..=13.
    /// Not capped; Table C caps it at 8 when looking it up.
    pub score_a: u8,
    /// Neck score, 1..=6.
    pub neck: u8,
    /// Trunk score, 1..=6.
    pub trunk: u8,
    /// Legs score, 1..=2.
    pub legs: u8,
    /// Table B posture score, 1..=9.
    pub posture_b: u8,
    /// Score B ("score D" in the paper) = posture_b + neck/trunk/legs muscle use + force/load, 1..=13.
    /// Not capped; Table C caps it at 7 when looking it up.
    pub score_b: u8,
    /// Grand score from Table C, 1..=7.
    pub grand: u8,
    /// Action level 1..=4 (see [`rula_action_level`]).
    pub action_level: u8,
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
fn adjust(base: u8, plus: &[bool], minus: &[bool], lo: u8, hi: u8) -> u8 {
    let up = plus.iter().filter(|&&b| b).count() as i32;
    let down = minus.iter().filter(|&&b| b).count() as i32;
    (i32::from(base) + up - down).clamp(i32::from(lo), i32::from(hi)) as u8
}

/// Clamps a 1-based table index into `1..=max` and returns it 0-based.
fn idx(v: u8, max: u8) -> usize {
    usize::from(v.clamp(1, max) - 1)
}

/// Upper-arm score, 1..=6 (McAtamney & Corlett 1993, Figure 1, upper arm).
///
/// Base: 20° extension to 20° flexion (−20..=20, inclusive both ends) → 1;
/// more than 20° extension (< −20) or flexion in (20, 45] → 2;
/// flexion in (45, 90] → 3; flexion > 90 → 4.
/// Adjustments: shoulder raised +1, upper arm abducted +1, arm supported or
/// person leaning −1; the result is kept within 1..=6.
/// Non-finite angle → 0° (score 1 before adjustments).
pub fn upper_arm_score(input: &RulaInput) -> u8 {
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
    adjust(
        base,
        &[input.shoulder_raised, input.upper_arm_abducted],
        &[input.arm_supported],
        1,
        6,
    )
}

/// Lower-arm score, 1..=3 (McAtamney & Corlett 1993, Figure 1, lower arm).
///
/// Base: elbow flexion 60-100° (inclusive both ends) → 1; below 60° or above
/// 100° → 2. Adjustment: working across the midline of the body or out to
/// the side +1. Non-finite angle → 80° (score 1 before adjustment).
pub fn lower_arm_score(input: &RulaInput) -> u8 {
    let a = finite_or(input.lower_arm_flexion_deg, 80.0);
    let base = if (60.0..=100.0).contains(&a) { 1 } else { 2 };
    adjust(
        base,
        &[input.lower_arm_across_midline_or_out_to_side],
        &[],
        1,
        3,
    )
}

/// Wrist score, 1..=4 (McAtamney & Corlett 1993, Figure 1, wrist).
///
/// Base on the magnitude of flexion/extension: exactly 0° (neutral) → 1;
/// up to and including 15° → 2; more than 15° → 3. Adjustment: wrist in
/// radial or ulnar deviation +1. Non-finite angle → 0° (score 1 before
/// adjustment). Note the neutral band is a single point: callers that want a
/// tolerance should snap small angles to 0 before scoring.
pub fn wrist_score(input: &RulaInput) -> u8 {
    let m = finite_or(input.wrist_flexion_deg, 0.0).abs();
    let base = if m == 0.0 {
        1
    } else if m <= 15.0 {
        2
    } else {
        3
    };
    adjust(base, &[input.wrist_deviated], &[], 1, 4)
}

/// Wrist-twist score, 1..=2 (McAtamney & Corlett 1993, Figure 1, wrist
/// twist): mainly in the mid-range of twist → 1; at or near the end of the
/// twisting range → 2.
pub fn wrist_twist_score(input: &RulaInput) -> u8 {
    if input.wrist_twist_end_of_range {
        2
    } else {
        1
    }
}

/// Neck score, 1..=6 (McAtamney & Corlett 1993, Figure 2, neck).
///
/// Base: flexion 0-10° (inclusive) → 1; (10, 20] → 2; more than 20° → 3;
/// in extension (any negative angle) → 4. Adjustments: neck twisted +1,
/// neck side-bending +1. Non-finite angle → 0° (score 1 before adjustments).
pub fn neck_score(input: &RulaInput) -> u8 {
    let a = finite_or(input.neck_flexion_deg, 0.0);
    let base = if a < 0.0 {
        4
    } else if a <= 10.0 {
        1
    } else if a <= 20.0 {
        2
    } else {
        3
    };
    adjust(base, &[input.neck_twisted, input.neck_side_bent], &[], 1, 6)
}

/// Trunk score, 1..=6 (McAtamney & Corlett 1993, Figure 2, trunk).
///
/// Base: upright (0°), or seated and well supported with a hip-trunk angle of
/// 90° or more, → 1; flexion in (0, 20] → 2; (20, 60] → 3; more than 60° → 4.
/// The paper lists no separate trunk-extension category, so any angle ≤ 0
/// (extension) scores 1; callers who measure a supported seated posture
/// should pass 0°. Adjustments: trunk twisted +1, trunk side-bending +1.
/// Non-finite angle → 0° (score 1 before adjustments).
pub fn trunk_score(input: &RulaInput) -> u8 {
    let a = finite_or(input.trunk_flexion_deg, 0.0);
    let base = if a <= 0.0 {
        1
    } else if a <= 20.0 {
        2
    } else if a <= 60.0 {
        3
    } else {
        4
    };
    adjust(
        base,
        &[input.trunk_twisted, input.trunk_side_bent],
        &[],
        1,
        6,
    )
}

/// Legs score, 1..=2 (McAtamney & Corlett 1993, Figure 2, legs): legs and
/// feet well supported with the weight evenly balanced (seated or standing)
/// → 1; not supported or weight unevenly balanced → 2.
pub fn legs_score(input: &RulaInput) -> u8 {
    if input.legs_and_feet_supported {
        1
    } else {
        2
    }
}

/// Force/load score, 0..=3 (McAtamney & Corlett 1993, Stage 2, force/load
/// score), applied to both score A and score B:
///
/// * less than 2 kg (intermittent) → 0;
/// * 2-10 kg intermittent → 1;
/// * 2-10 kg static or repeated → 2; more than 10 kg intermittent → 2;
/// * more than 10 kg static or repeated → 3; shock or forces with a rapid
///   build-up, of any magnitude → 3.
///
/// 2 kg and 10 kg both fall in the 2-10 kg band ("less than 2 kg", "more than
/// 10 kg"). A load under 2 kg held statically is not listed by the paper and
/// scores 0 here (static holding is counted by the muscle-use score). NaN,
/// infinite or negative loads count as 0 kg.
pub fn force_load_score(input: &RulaInput) -> u8 {
    if input.load_shock {
        return 3;
    }
    let kg = finite_or(input.load_kg, 0.0).max(0.0);
    let sustained = input.load_static_or_repeated;
    if kg < 2.0 {
        0
    } else if kg <= 10.0 {
        if sustained {
            2
        } else {
            1
        }
    } else if sustained {
        3
    } else {
        2
    }
}

/// RULA Table A (McAtamney & Corlett 1993, Table A / "Table 1"): upper-limb
/// posture score indexed `[upper arm 1-6][lower arm 1-3][wrist 1-4][wrist
/// twist 1-2]`, giving 1..=9.
///
/// Reproductions of this table in circulation are not all identical: the
/// cells below follow the commonly used employee assessment worksheet, which
/// most independent implementations also use. At least one other worksheet
/// differs in upper-arm rows 1-3 and in row (upper arm 6, lower arm 2); check
/// those rows first against a scan of the paper.
const TABLE_A: [[[[u8; 2]; 4]; 3]; 6] = [
    // upper arm 1
    [
        [[1, 2], [2, 2], [2, 3], [3, 3]],
        [[2, 2], [2, 2], [3, 3], [3, 3]],
        [[2, 3], [3, 3], [3, 3], [4, 4]],
    ],
    // upper arm 2
    [
        [[2, 3], [3, 3], [3, 4], [4, 4]],
        [[3, 3], [3, 3], [3, 4], [4, 4]],
        [[3, 4], [4, 4], [4, 4], [5, 5]],
    ],
    // upper arm 3
    [
        [[3, 3], [4, 4], [4, 4], [5, 5]],
        [[3, 4], [4, 4], [4, 4], [5, 5]],
        [[4, 4], [4, 4], [4, 5], [5, 5]],
    ],
    // upper arm 4
    [
        [[4, 4], [4, 4], [4, 5], [5, 5]],
        [[4, 4], [4, 4], [4, 5], [5, 5]],
        [[4, 4], [4, 5], [5, 5], [6, 6]],
    ],
    // upper arm 5
    [
        [[5, 5], [5, 5], [5, 6], [6, 7]],
        [[5, 6], [6, 6], [6, 7], [7, 7]],
        [[6, 6], [6, 7], [7, 7], [7, 8]],
    ],
    // upper arm 6
    [
        [[7, 7], [7, 7], [7, 8], [8, 9]],
        [[8, 8], [8, 8], [8, 9], [9, 9]],
        [[9, 9], [9, 9], [9, 9], [9, 9]],
    ],
];

/// RULA Table B (McAtamney & Corlett 1993, Table B / "Table 2"): neck, trunk
/// and legs posture score indexed `[neck 1-6][trunk 1-6][legs 1-2]`, giving
/// 1..=9.
const TABLE_B: [[[u8; 2]; 6]; 6] = [
    [[1, 3], [2, 3], [3, 4], [5, 5], [6, 6], [7, 7]],
    [[2, 3], [2, 3], [4, 5], [5, 5], [6, 7], [7, 7]],
    [[3, 3], [3, 4], [4, 5], [5, 6], [6, 7], [7, 7]],
    [[5, 5], [5, 6], [6, 7], [7, 7], [7, 7], [8, 8]],
    [[7, 7], [7, 7], [7, 8], [8, 8], [8, 8], [8, 8]],
    [[8, 8], [8, 8], [8, 8], [8, 9], [9, 9], [9, 9]],
];

/// RULA Table C (McAtamney & Corlett 1993, Table C / Figure 6): grand score
/// indexed `[score A 1-8+][score B 1-7+]`, giving 1..=7.
const TABLE_C: [[u8; 7]; 8] = [
    [1, 2, 3, 3, 4, 5, 5],
    [2, 2, 3, 4, 4, 5, 5],
    [3, 3, 3, 4, 4, 5, 6],
    [3, 3, 3, 4, 5, 6, 6],
    [4, 4, 4, 5, 6, 7, 7],
    [4, 4, 5, 6, 6, 7, 7],
    [5, 5, 6, 6, 7, 7, 7],
    [5, 5, 6, 7, 7, 7, 7],
];

/// Table A lookup (McAtamney & Corlett 1993, Table A). Each index is clamped
/// into its valid range (upper arm 1..=6, lower arm 1..=3, wrist 1..=4,
/// twist 1..=2) rather than panicking.
pub fn table_a(upper_arm: u8, lower_arm: u8, wrist: u8, wrist_twist: u8) -> u8 {
    TABLE_A[idx(upper_arm, 6)][idx(lower_arm, 3)][idx(wrist, 4)][idx(wrist_twist, 2)]
}

/// Table B lookup (McAtamney & Corlett 1993, Table B). Each index is clamped
/// into its valid range (neck 1..=6, trunk 1..=6, legs 1..=2).
pub fn table_b(neck: u8, trunk: u8, legs: u8) -> u8 {
    TABLE_B[idx(neck, 6)][idx(trunk, 6)][idx(legs, 2)]
}

/// Table C lookup (McAtamney & Corlett 1993, Table C). Score A is capped at
/// 8 and score B at 7 ("8+" and "7+" rows/columns); 0 is treated as 1.
pub fn table_c(score_a: u8, score_b: u8) -> u8 {
    TABLE_C[idx(score_a, 8)][idx(score_b, 7)]
}

/// Action level for a grand score (McAtamney & Corlett 1993, Stage 3):
/// 1-2 → 1, 3-4 → 2, 5-6 → 3, 7 (or more) → 4. 0 is treated as 1.
pub fn rula_action_level(grand: u8) -> u8 {
    match grand {
        0..=2 => 1,
        3..=4 => 2,
        5..=6 => 3,
        _ => 4,
    }
}

/// Wording of the action level for a grand score (McAtamney & Corlett 1993,
/// Stage 3): 1-2 "acceptable" (if not maintained or repeated for long
/// periods); 3-4 "investigate further" (changes may be required); 5-6
/// "investigate further and change soon"; 7 "investigate and change
/// immediately".
pub fn rula_action(grand: u8) -> &'static str {
    match rula_action_level(grand) {
        1 => "acceptable",
        2 => "investigate further",
        3 => "investigate further and change soon",
        _ => "investigate and change immediately",
    }
}

/// Scores one posture with the full RULA procedure (McAtamney & Corlett 1993):
/// group A posture via Table A, + arm muscle use + force/load = score A;
/// group B posture via Table B, + neck/trunk/legs muscle use + force/load =
/// score B; Table C gives the grand score and hence the action level.
pub fn rula(input: &RulaInput) -> RulaScore {
    let upper_arm = upper_arm_score(input);
    let lower_arm = lower_arm_score(input);
    let wrist = wrist_score(input);
    let wrist_twist = wrist_twist_score(input);
    let posture_a = table_a(upper_arm, lower_arm, wrist, wrist_twist);
    let force = force_load_score(input);
    let score_a = posture_a + u8::from(input.muscle_use_arm) + force;

    let neck = neck_score(input);
    let trunk = trunk_score(input);
    let legs = legs_score(input);
    let posture_b = table_b(neck, trunk, legs);
    let score_b = posture_b + u8::from(input.muscle_use_neck_trunk_legs) + force;

    let grand = table_c(score_a, score_b);
    RulaScore {
        upper_arm,
        lower_arm,
        wrist,
        wrist_twist,
        posture_a,
        score_a,
        neck,
        trunk,
        legs,
        posture_b,
        score_b,
        grand,
        action_level: rula_action_level(grand),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n() -> RulaInput {
        RulaInput::neutral()
    }

    fn ua(deg: f32) -> u8 {
        upper_arm_score(&RulaInput {
            upper_arm_flexion_deg: deg,
            ..n()
        })
    }
    fn la(deg: f32) -> u8 {
        lower_arm_score(&RulaInput {
            lower_arm_flexion_deg: deg,
            ..n()
        })
    }
    fn wr(deg: f32) -> u8 {
        wrist_score(&RulaInput {
            wrist_flexion_deg: deg,
            ..n()
        })
    }
    fn nk(deg: f32) -> u8 {
        neck_score(&RulaInput {
            neck_flexion_deg: deg,
            ..n()
        })
    }
    fn tr(deg: f32) -> u8 {
        trunk_score(&RulaInput {
            trunk_flexion_deg: deg,
            ..n()
        })
    }
    fn load(kg: f32, sustained: bool, shock: bool) -> u8 {
        force_load_score(&RulaInput {
            load_kg: kg,
            load_static_or_repeated: sustained,
            load_shock: shock,
            ..n()
        })
    }

    #[test]
    fn table_a_cells() {
        // Corners.
        assert_eq!(table_a(1, 1, 1, 1), 1);
        assert_eq!(table_a(1, 1, 1, 2), 2);
        assert_eq!(table_a(1, 3, 4, 2), 4);
        assert_eq!(table_a(6, 1, 1, 1), 7);
        assert_eq!(table_a(6, 1, 4, 2), 9);
        assert_eq!(table_a(6, 3, 1, 1), 9);
        assert_eq!(table_a(6, 3, 4, 2), 9);
        // Middle.
        assert_eq!(table_a(2, 1, 2, 1), 3);
        assert_eq!(table_a(2, 3, 4, 1), 5);
        assert_eq!(table_a(3, 2, 1, 2), 4);
        assert_eq!(table_a(3, 3, 3, 2), 5);
        assert_eq!(table_a(4, 3, 2, 2), 5);
        assert_eq!(table_a(4, 3, 4, 1), 6);
        assert_eq!(table_a(5, 1, 4, 2), 7);
        assert_eq!(table_a(5, 2, 1, 2), 6);
        assert_eq!(table_a(5, 3, 4, 2), 8);
        assert_eq!(table_a(6, 2, 3, 2), 9);
        assert_eq!(table_a(6, 2, 1, 1), 8);
    }

    #[test]
    fn table_b_cells() {
        assert_eq!(table_b(1, 1, 1), 1);
        assert_eq!(table_b(1, 1, 2), 3);
        assert_eq!(table_b(1, 6, 2), 7);
        assert_eq!(table_b(6, 1, 1), 8);
        assert_eq!(table_b(6, 6, 2), 9);
        assert_eq!(table_b(2, 3, 2), 5);
        assert_eq!(table_b(3, 4, 2), 6);
        assert_eq!(table_b(4, 2, 2), 6);
        assert_eq!(table_b(4, 6, 1), 8);
        assert_eq!(table_b(5, 3, 2), 8);
        assert_eq!(table_b(6, 4, 1), 8);
        assert_eq!(table_b(6, 4, 2), 9);
    }

    #[test]
    fn table_c_cells_and_range() {
        assert_eq!(table_c(1, 1), 1);
        assert_eq!(table_c(1, 7), 5);
        assert_eq!(table_c(8, 1), 5);
        assert_eq!(table_c(8, 7), 7);
        assert_eq!(table_c(3, 7), 6);
        assert_eq!(table_c(4, 5), 5);
        assert_eq!(table_c(5, 6), 7);
        assert_eq!(table_c(6, 3), 5);
        assert_eq!(table_c(7, 4), 6);
        assert_eq!(table_c(2, 4), 4);
        // "8+" row and "7+" column.
        assert_eq!(table_c(13, 13), 7);
        assert_eq!(table_c(200, 2), 5);
        assert_eq!(table_c(1, 200), 5);
        // Full range: every cell in 1..=7, every value 1..=7 reached.
        let mut seen = [false; 8];
        for a in 1..=8 {
            for b in 1..=7 {
                let c = table_c(a, b);
                assert!((1..=7).contains(&c), "C[{a}][{b}] = {c}");
                seen[usize::from(c)] = true;
            }
        }
        assert!(seen[1..].iter().all(|&s| s));
    }

    #[test]
    fn tables_monotone() {
        for u in 1..=6 {
            for l in 1..=3 {
                for w in 1..=4 {
                    for t in 1..=2 {
                        let v = table_a(u, l, w, t);
                        assert!(v >= table_a(u.saturating_sub(1).max(1), l, w, t));
                        assert!(v >= table_a(u, l.saturating_sub(1).max(1), w, t));
                        assert!(v >= table_a(u, l, w.saturating_sub(1).max(1), t));
                        assert!(v >= table_a(u, l, w, 1));
                    }
                }
            }
        }
        for nk in 1..=6 {
            for t in 1..=6 {
                for l in 1..=2 {
                    let v = table_b(nk, t, l);
                    assert!(v >= table_b(nk.saturating_sub(1).max(1), t, l));
                    assert!(v >= table_b(nk, t.saturating_sub(1).max(1), l));
                    assert!(v >= table_b(nk, t, 1));
                }
            }
        }
        for a in 1..=8 {
            for b in 1..=7 {
                let v = table_c(a, b);
                assert!(v >= table_c(a.saturating_sub(1).max(1), b));
                assert!(v >= table_c(a, b.saturating_sub(1).max(1)));
            }
        }
    }

    #[test]
    fn tables_clamp_out_of_range_indices() {
        assert_eq!(table_a(0, 0, 0, 0), table_a(1, 1, 1, 1));
        assert_eq!(table_a(255, 255, 255, 255), table_a(6, 3, 4, 2));
        assert_eq!(table_b(0, 0, 0), table_b(1, 1, 1));
        assert_eq!(table_b(9, 9, 9), table_b(6, 6, 2));
        assert_eq!(table_c(0, 0), 1);
    }

    #[test]
    fn upper_arm_boundaries() {
        assert_eq!(ua(-90.0), 2);
        assert_eq!(ua(-20.1), 2);
        assert_eq!(ua(-20.0), 1);
        assert_eq!(ua(0.0), 1);
        assert_eq!(ua(20.0), 1);
        assert_eq!(ua(20.1), 2);
        assert_eq!(ua(45.0), 2);
        assert_eq!(ua(45.1), 3);
        assert_eq!(ua(90.0), 3);
        assert_eq!(ua(90.1), 4);
        assert_eq!(ua(180.0), 4);
    }

    #[test]
    fn upper_arm_adjustments() {
        let base = RulaInput {
            upper_arm_flexion_deg: 60.0,
            ..n()
        };
        assert_eq!(upper_arm_score(&base), 3);
        let raised = RulaInput {
            shoulder_raised: true,
            ..base
        };
        assert_eq!(upper_arm_score(&raised), 4);
        let abducted = RulaInput {
            upper_arm_abducted: true,
            ..base
        };
        assert_eq!(upper_arm_score(&abducted), 4);
        let supported = RulaInput {
            arm_supported: true,
            ..base
        };
        assert_eq!(upper_arm_score(&supported), 2);
        let all_up = RulaInput {
            upper_arm_flexion_deg: 120.0,
            shoulder_raised: true,
            upper_arm_abducted: true,
            ..n()
        };
        assert_eq!(upper_arm_score(&all_up), 6);
        // Supported at a score-1 posture stays at the minimum 1.
        let floor = RulaInput {
            arm_supported: true,
            ..n()
        };
        assert_eq!(upper_arm_score(&floor), 1);
    }

    #[test]
    fn lower_arm_boundaries_and_adjustment() {
        assert_eq!(la(0.0), 2);
        assert_eq!(la(59.9), 2);
        assert_eq!(la(60.0), 1);
        assert_eq!(la(80.0), 1);
        assert_eq!(la(100.0), 1);
        assert_eq!(la(100.1), 2);
        assert_eq!(la(150.0), 2);
        assert_eq!(la(-10.0), 2);
        let across = RulaInput {
            lower_arm_across_midline_or_out_to_side: true,
            ..n()
        };
        assert_eq!(lower_arm_score(&across), 2);
        let across_bent = RulaInput {
            lower_arm_flexion_deg: 120.0,
            ..across
        };
        assert_eq!(lower_arm_score(&across_bent), 3);
    }

    #[test]
    fn wrist_boundaries_and_adjustments() {
        assert_eq!(wr(0.0), 1);
        assert_eq!(wr(-0.0), 1);
        assert_eq!(wr(0.1), 2);
        assert_eq!(wr(-0.1), 2);
        assert_eq!(wr(15.0), 2);
        assert_eq!(wr(-15.0), 2);
        assert_eq!(wr(15.1), 3);
        assert_eq!(wr(-15.1), 3);
        assert_eq!(wr(80.0), 3);
        let dev = RulaInput {
            wrist_deviated: true,
            wrist_flexion_deg: 30.0,
            ..n()
        };
        assert_eq!(wrist_score(&dev), 4);
        let dev0 = RulaInput {
            wrist_deviated: true,
            ..n()
        };
        assert_eq!(wrist_score(&dev0), 2);
        assert_eq!(wrist_twist_score(&n()), 1);
        let twist = RulaInput {
            wrist_twist_end_of_range: true,
            ..n()
        };
        assert_eq!(wrist_twist_score(&twist), 2);
    }

    #[test]
    fn neck_boundaries_and_adjustments() {
        assert_eq!(nk(-0.1), 4);
        assert_eq!(nk(-30.0), 4);
        assert_eq!(nk(0.0), 1);
        assert_eq!(nk(10.0), 1);
        assert_eq!(nk(10.1), 2);
        assert_eq!(nk(20.0), 2);
        assert_eq!(nk(20.1), 3);
        assert_eq!(nk(70.0), 3);
        let twisted = RulaInput {
            neck_twisted: true,
            ..n()
        };
        assert_eq!(neck_score(&twisted), 2);
        let bent = RulaInput {
            neck_side_bent: true,
            ..n()
        };
        assert_eq!(neck_score(&bent), 2);
        let worst = RulaInput {
            neck_flexion_deg: -10.0,
            neck_twisted: true,
            neck_side_bent: true,
            ..n()
        };
        assert_eq!(neck_score(&worst), 6);
    }

    #[test]
    fn trunk_boundaries_and_adjustments() {
        assert_eq!(tr(-20.0), 1);
        assert_eq!(tr(0.0), 1);
        assert_eq!(tr(0.1), 2);
        assert_eq!(tr(19.9), 2);
        assert_eq!(tr(20.0), 2);
        assert_eq!(tr(20.1), 3);
        assert_eq!(tr(60.0), 3);
        assert_eq!(tr(60.1), 4);
        assert_eq!(tr(110.0), 4);
        let twisted = RulaInput {
            trunk_twisted: true,
            ..n()
        };
        assert_eq!(trunk_score(&twisted), 2);
        let bent = RulaInput {
            trunk_side_bent: true,
            ..n()
        };
        assert_eq!(trunk_score(&bent), 2);
        let worst = RulaInput {
            trunk_flexion_deg: 90.0,
            trunk_twisted: true,
            trunk_side_bent: true,
            ..n()
        };
        assert_eq!(trunk_score(&worst), 6);
    }

    #[test]
    fn legs() {
        assert_eq!(legs_score(&n()), 1);
        let unsupported = RulaInput {
            legs_and_feet_supported: false,
            ..n()
        };
        assert_eq!(legs_score(&unsupported), 2);
    }

    #[test]
    fn force_load_bands() {
        assert_eq!(load(0.0, false, false), 0);
        assert_eq!(load(1.99, false, false), 0);
        assert_eq!(load(1.99, true, false), 0);
        assert_eq!(load(2.0, false, false), 1);
        assert_eq!(load(10.0, false, false), 1);
        assert_eq!(load(2.0, true, false), 2);
        assert_eq!(load(10.0, true, false), 2);
        assert_eq!(load(10.1, false, false), 2);
        assert_eq!(load(10.1, true, false), 3);
        assert_eq!(load(0.0, false, true), 3);
        assert_eq!(load(50.0, true, true), 3);
        assert_eq!(load(-5.0, true, false), 0);
        assert_eq!(load(f32::NAN, true, false), 0);
        assert_eq!(load(f32::INFINITY, true, false), 0);
    }

    #[test]
    fn muscle_use_adds_to_its_own_group() {
        let arm = rula(&RulaInput {
            muscle_use_arm: true,
            ..n()
        });
        assert_eq!((arm.score_a, arm.score_b), (2, 1));
        let ntl = rula(&RulaInput {
            muscle_use_neck_trunk_legs: true,
            ..n()
        });
        assert_eq!((ntl.score_a, ntl.score_b), (1, 2));
        // The force/load score adds to both groups.
        let loaded = rula(&RulaInput {
            load_kg: 5.0,
            ..n()
        });
        assert_eq!((loaded.score_a, loaded.score_b), (2, 2));
    }

    #[test]
    fn neutral_scores_one() {
        let s = rula(&RulaInput::neutral());
        assert_eq!(
            s,
            RulaScore {
                upper_arm: 1,
                lower_arm: 1,
                wrist: 1,
                wrist_twist: 1,
                posture_a: 1,
                score_a: 1,
                neck: 1,
                trunk: 1,
                legs: 1,
                posture_b: 1,
                score_b: 1,
                grand: 1,
                action_level: 1,
            }
        );
    }

    /// Worked example 1, by hand:
    /// * upper arm 50° flexion → 3; shoulder raised +1 → 4.
    /// * lower arm 110° → 2; across the midline +1 → 3.
    /// * wrist 20° flexion → 3; deviated +1 → 4. Twist mid-range → 1.
    /// * Table A[upper 4][lower 3][wrist 4][twist 1] = 6.
    /// * arm muscle use (static) +1, load 5 kg intermittent → force 1:
    ///   score A = 6 + 1 + 1 = 8.
    /// * neck 15° → 2; twisted +1 → 3.
    /// * trunk 30° → 3; side-bent +1 → 4.
    /// * legs not supported → 2.
    /// * Table B[neck 3][trunk 4][legs 2] = 6.
    /// * no neck/trunk/legs muscle use, force 1: score B = 6 + 0 + 1 = 7.
    /// * Table C[8][7] = 7 → action level 4, "investigate and change immediately".
    #[test]
    fn worked_example_high() {
        let input = RulaInput {
            upper_arm_flexion_deg: 50.0,
            shoulder_raised: true,
            lower_arm_flexion_deg: 110.0,
            lower_arm_across_midline_or_out_to_side: true,
            wrist_flexion_deg: 20.0,
            wrist_deviated: true,
            neck_flexion_deg: 15.0,
            neck_twisted: true,
            trunk_flexion_deg: 30.0,
            trunk_side_bent: true,
            legs_and_feet_supported: false,
            muscle_use_arm: true,
            load_kg: 5.0,
            ..n()
        };
        let s = rula(&input);
        assert_eq!(s.upper_arm, 4);
        assert_eq!(s.lower_arm, 3);
        assert_eq!(s.wrist, 4);
        assert_eq!(s.wrist_twist, 1);
        assert_eq!(s.posture_a, 6);
        assert_eq!(s.score_a, 8);
        assert_eq!(s.neck, 3);
        assert_eq!(s.trunk, 4);
        assert_eq!(s.legs, 2);
        assert_eq!(s.posture_b, 6);
        assert_eq!(s.score_b, 7);
        assert_eq!(s.grand, 7);
        assert_eq!(s.action_level, 4);
        assert_eq!(rula_action(s.grand), "investigate and change immediately");
    }

    /// Worked example 2, by hand:
    /// * upper arm 30° flexion → 2. Lower arm 90° → 1. Wrist 10° → 2.
    ///   Twist mid-range → 1. Table A[2][1][2][1] = 3.
    /// * no arm muscle use; load 1 kg → force 0: score A = 3.
    /// * neck 5° → 1; trunk 10° → 2; legs supported → 1. Table B[1][2][1] = 2.
    /// * neck/trunk/legs posture static → +1, force 0: score B = 3.
    /// * Table C[3][3] = 3 → action level 2, "investigate further".
    #[test]
    fn worked_example_moderate() {
        let input = RulaInput {
            upper_arm_flexion_deg: 30.0,
            lower_arm_flexion_deg: 90.0,
            wrist_flexion_deg: 10.0,
            neck_flexion_deg: 5.0,
            trunk_flexion_deg: 10.0,
            muscle_use_neck_trunk_legs: true,
            load_kg: 1.0,
            ..n()
        };
        let s = rula(&input);
        assert_eq!(
            s,
            RulaScore {
                upper_arm: 2,
                lower_arm: 1,
                wrist: 2,
                wrist_twist: 1,
                posture_a: 3,
                score_a: 3,
                neck: 1,
                trunk: 2,
                legs: 1,
                posture_b: 2,
                score_b: 3,
                grand: 3,
                action_level: 2,
            }
        );
        assert_eq!(rula_action(s.grand), "investigate further");
    }

    #[test]
    fn maximal_input_scores_seven() {
        let worst = RulaInput {
            upper_arm_flexion_deg: 150.0,
            shoulder_raised: true,
            upper_arm_abducted: true,
            arm_supported: false,
            lower_arm_flexion_deg: 150.0,
            lower_arm_across_midline_or_out_to_side: true,
            wrist_flexion_deg: 60.0,
            wrist_deviated: true,
            wrist_twist_end_of_range: true,
            neck_flexion_deg: -30.0,
            neck_twisted: true,
            neck_side_bent: true,
            trunk_flexion_deg: 90.0,
            trunk_twisted: true,
            trunk_side_bent: true,
            legs_and_feet_supported: false,
            muscle_use_arm: true,
            muscle_use_neck_trunk_legs: true,
            load_kg: 30.0,
            load_static_or_repeated: true,
            load_shock: true,
        };
        let s = rula(&worst);
        assert_eq!(
            (s.upper_arm, s.lower_arm, s.wrist, s.wrist_twist),
            (6, 3, 4, 2)
        );
        assert_eq!((s.neck, s.trunk, s.legs), (6, 6, 2));
        assert_eq!((s.posture_a, s.posture_b), (9, 9));
        assert_eq!((s.score_a, s.score_b), (13, 13));
        assert_eq!((s.grand, s.action_level), (7, 4));
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
        for &a in &angles {
            for flags in 0u32..8 {
                let f = |bit: u32| flags & (1 << bit) != 0;
                let input = RulaInput {
                    upper_arm_flexion_deg: a,
                    shoulder_raised: f(0),
                    upper_arm_abducted: f(1),
                    arm_supported: f(2),
                    lower_arm_flexion_deg: a,
                    lower_arm_across_midline_or_out_to_side: f(0),
                    wrist_flexion_deg: a,
                    wrist_deviated: f(1),
                    wrist_twist_end_of_range: f(2),
                    neck_flexion_deg: a,
                    neck_twisted: f(0),
                    neck_side_bent: f(1),
                    trunk_flexion_deg: a,
                    trunk_twisted: f(2),
                    trunk_side_bent: f(0),
                    legs_and_feet_supported: f(1),
                    muscle_use_arm: f(2),
                    muscle_use_neck_trunk_legs: f(0),
                    load_kg: a,
                    load_static_or_repeated: f(1),
                    load_shock: f(2),
                };
                let s = rula(&input);
                assert!((1..=6).contains(&s.upper_arm));
                assert!((1..=3).contains(&s.lower_arm));
                assert!((1..=4).contains(&s.wrist));
                assert!((1..=2).contains(&s.wrist_twist));
                assert!((1..=9).contains(&s.posture_a));
                assert!((1..=13).contains(&s.score_a));
                assert!((1..=6).contains(&s.neck));
                assert!((1..=6).contains(&s.trunk));
                assert!((1..=2).contains(&s.legs));
                assert!((1..=9).contains(&s.posture_b));
                assert!((1..=13).contains(&s.score_b));
                assert!((1..=7).contains(&s.grand), "{input:?} -> {s:?}");
                assert!((1..=4).contains(&s.action_level));
            }
        }
    }

    #[test]
    fn non_finite_angles_are_neutral() {
        for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
            let input = RulaInput {
                upper_arm_flexion_deg: bad,
                lower_arm_flexion_deg: bad,
                wrist_flexion_deg: bad,
                neck_flexion_deg: bad,
                trunk_flexion_deg: bad,
                load_kg: bad,
                ..n()
            };
            assert_eq!(rula(&input), rula(&n()));
        }
        // Adjustments still apply on top of the neutral category.
        let nan_raised = RulaInput {
            upper_arm_flexion_deg: f32::NAN,
            shoulder_raised: true,
            ..n()
        };
        assert_eq!(upper_arm_score(&nan_raised), 2);
    }

    #[test]
    fn action_levels_at_every_boundary() {
        let expect = [
            (0, 1, "acceptable"),
            (1, 1, "acceptable"),
            (2, 1, "acceptable"),
            (3, 2, "investigate further"),
            (4, 2, "investigate further"),
            (5, 3, "investigate further and change soon"),
            (6, 3, "investigate further and change soon"),
            (7, 4, "investigate and change immediately"),
            (8, 4, "investigate and change immediately"),
            (255, 4, "investigate and change immediately"),
        ];
        for (grand, level, text) in expect {
            assert_eq!(rula_action_level(grand), level, "grand {grand}");
            assert_eq!(rula_action(grand), text, "grand {grand}");
        }
    }

    #[test]
    fn serde_round_trip() {
        let input = RulaInput {
            upper_arm_flexion_deg: 50.0,
            load_kg: 3.5,
            ..n()
        };
        let json = serde_json::to_string(&input).unwrap();
        let back: RulaInput = serde_json::from_str(&json).unwrap();
        assert_eq!(back, input);
        let score = rula(&input);
        let json = serde_json::to_string(&score).unwrap();
        assert!(json.contains("\"action_level\":"));
        let back: RulaScore = serde_json::from_str(&json).unwrap();
        assert_eq!(back, score);
    }
}
