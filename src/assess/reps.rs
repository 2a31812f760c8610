//! Repetitions of a lift found in a clip's trajectory of per-frame
//! assessments: start, deepest point and end of each lift, with its peak
//! trunk flexion, knee flexion at the bottom, style, REBA and a grade.
//!
//! The types here are the interface shared by `score` (summary records),
//! `review` (the repetition table) and `report` (the HTML report).

use serde::{Deserialize, Serialize};

use super::LiftStyle;

/// What the repetition finder needs from one analysed frame.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RepSample {
    /// Index of the frame in the clip (decoded order).
    pub frame: usize,
    /// Presentation time of the frame in seconds from the clip's start.
    pub t_s: f64,
    /// Trunk inclination from vertical, + forward (side view), degrees.
    pub trunk_flexion_deg: Option<f32>,
    /// Knee flexion, 0 = straight, degrees.
    pub knee_flexion_deg: Option<f32>,
    /// Height of the hips above the ankles over body length (about 0.5 when
    /// standing, lower when squatting); scale free.
    pub hip_height: Option<f32>,
    /// REBA grand score of the frame, 1..15.
    pub reba: Option<u8>,
    /// Left/right asymmetry in degrees where the view shows it (front
    /// view), else None.
    pub asymmetry_deg: Option<f32>,
}

/// How well a repetition was done.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Grade {
    Good,
    Fair,
    Poor,
}

/// One lift found in a clip.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Repetition {
    pub start_s: f64,
    pub bottom_s: f64,
    pub end_s: f64,
    pub duration_s: f64,
    pub start_frame: usize,
    pub bottom_frame: usize,
    pub end_frame: usize,
    /// The frame with the highest REBA (ties: the most trunk flexion).
    pub worst_frame: usize,
    pub peak_trunk_flexion_deg: f32,
    pub knee_flexion_at_bottom_deg: Option<f32>,
    pub style: LiftStyle,
    pub reba_max: Option<u8>,
    /// Peak left/right asymmetry, degrees, where the view allows.
    pub asymmetry_deg: Option<f32>,
    /// True when the clip starts or ends during this lift.
    pub partial: bool,
    pub grade: Grade,
    /// One plain-language cue, e.g. "bend your knees more: your back
    /// angle peaked at 72°".
    pub cue: String,
}
