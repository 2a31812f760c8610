//! The JSON Lines record, schema version 1 (documented in docs/schema.md).
//! Fields may be added; none of these may be renamed.

use serde::{Deserialize, Serialize};

use crate::analysis::{Angles, View};
use crate::assess::reps::Repetition;
use crate::assess::{Assessment, LiftingAssessment, SittingAssessment};
use crate::pose::{Estimate, Keypoint, Keypoints, Pose};

/// Version written in every record's `schema` field.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// A person was found: `person` holds the keypoints.
    Ok,
    /// The frame was read and analysed; no confident person is in it.
    NoPerson,
    /// The frame could not be read or analysed: `error` says why.
    Error,
}

/// One analysed frame (`"type": "frame"`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FrameRecord {
    pub schema: u32,
    #[serde(rename = "type")]
    pub kind: String,
    /// The path as given on the command line (or found under a folder given).
    pub source: String,
    /// Frame index within the source (0 for a still image).
    pub frame: u64,
    /// Time of the frame within the source, in seconds (0 for a still image).
    pub time_s: f64,
    /// Size of the upright (EXIF-rotated) image; null when it could not be read.
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub status: Status,
    pub model: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person: Option<Pose>,
    /// With a person: front, left, right (the side of the body facing the
    /// camera) or unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub view: Option<View>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub view_confidence: Option<f32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub angles: Option<Angles>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sitting: Option<SittingAssessment>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lifting: Option<LiftingAssessment>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// `v` to `decimals` places; a value too large to scale (over about
/// 3e34 for 4 places) has no decimals to drop and stays as it is, instead
/// of overflowing to infinity (which JSON writes as `null`).
fn round(v: f32, decimals: i32) -> f32 {
    let f = 10f32.powi(decimals);
    let scaled = v * f;
    if scaled.is_finite() {
        scaled.round() / f
    } else {
        v
    }
}

/// The pose as written: pixel coordinates to 0.01 px, confidences to 1e-4.
fn rounded(pose: &Pose) -> Pose {
    let mut k = pose.keypoints;
    for kp in k.0.iter_mut() {
        // A NaN or infinite keypoint (a broken custom model) is written as
        // not found, at confidence 0: JSON has no NaN (serde_json would
        // write null, which does not read back as a number).
        if !(kp.x.is_finite() && kp.y.is_finite() && kp.confidence.is_finite()) {
            *kp = Keypoint::default();
            continue;
        }
        *kp = Keypoint {
            x: round(kp.x, 2),
            y: round(kp.y, 2),
            confidence: round(kp.confidence, 4),
        };
    }
    Pose {
        score: if pose.score.is_finite() {
            round(pose.score, 4)
        } else {
            0.0
        },
        keypoints: Keypoints(k.0),
    }
}

fn r1(v: Option<f32>) -> Option<f32> {
    v.map(|v| round(v, 1))
}

/// Angles as written: to 0.1°, ratios to 0.001.
fn rounded_angles(a: &Angles) -> Angles {
    Angles {
        trunk_inclination: r1(a.trunk_inclination),
        neck_inclination: r1(a.neck_inclination),
        cva_proxy: r1(a.cva_proxy),
        head_forward_ratio: a.head_forward_ratio.map(|v| round(v, 3)),
        shoulder_tilt: r1(a.shoulder_tilt),
        head_roll: r1(a.head_roll),
        lateral_lean: r1(a.lateral_lean),
        hip_angle: r1(a.hip_angle),
        knee_flexion: r1(a.knee_flexion),
        elbow_flexion: r1(a.elbow_flexion),
        upper_arm_elevation: r1(a.upper_arm_elevation),
    }
}

fn rounded_lifting(l: &LiftingAssessment) -> LiftingAssessment {
    LiftingAssessment {
        trunk_flexion: r1(l.trunk_flexion),
        knee_flexion: r1(l.knee_flexion),
        hip_angle: r1(l.hip_angle),
        hand_distance_ratio: l.hand_distance_ratio.map(|v| round(v, 3)),
        ..l.clone()
    }
}

impl FrameRecord {
    fn base(source: &str, model: &str, status: Status) -> FrameRecord {
        FrameRecord {
            schema: SCHEMA_VERSION,
            kind: "frame".into(),
            source: source.into(),
            frame: 0,
            time_s: 0.0,
            width: None,
            height: None,
            status,
            model: model.into(),
            person: None,
            view: None,
            view_confidence: None,
            angles: None,
            sitting: None,
            lifting: None,
            error: None,
        }
    }

    /// The record for a frame that was analysed; `assessment` is added
    /// when the frame holds a person.
    pub fn analysed(
        source: &str,
        model: &str,
        size: (u32, u32),
        estimate: &Estimate,
        assessment: Option<&Assessment>,
    ) -> Self {
        let status = if estimate.is_person {
            Status::Ok
        } else {
            Status::NoPerson
        };
        let a = assessment.filter(|_| estimate.is_person);
        FrameRecord {
            width: Some(size.0),
            height: Some(size.1),
            person: estimate.person().map(rounded),
            view: a.map(|a| a.view.view),
            view_confidence: a.map(|a| round(a.view.confidence, 2)),
            angles: a.map(|a| rounded_angles(&a.angles)),
            sitting: a.map(|a| a.sitting.clone()),
            lifting: a.map(|a| rounded_lifting(&a.lifting)),
            ..Self::base(source, model, status)
        }
    }

    /// The record for a frame that could not be read or analysed.
    pub fn error(source: &str, model: &str, size: Option<(u32, u32)>, message: String) -> Self {
        FrameRecord {
            width: size.map(|s| s.0),
            height: size.map(|s| s.1),
            error: Some(message),
            ..Self::base(source, model, Status::Error)
        }
    }
}

/// One per video, after its frame records (`"type": "summary"`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SummaryRecord {
    pub schema: u32,
    #[serde(rename = "type")]
    pub kind: String,
    pub source: String,
    /// Frames analysed (after --fps / --every, without damaged frames).
    pub frames: usize,
    /// Time from the first to the last decoded frame plus one frame, in
    /// seconds; the container's duration when nothing could be decoded.
    pub duration_s: f64,
    /// Lifts found, in order.
    pub reps: Vec<Repetition>,
    pub model: String,
    /// Frames decoded (before --fps / --every).
    pub decoded_frames: usize,
    /// Frames with a person.
    pub frames_with_person: usize,
    /// Size of the analysed frames (after rotation and downscaling).
    pub width: u32,
    pub height: u32,
    /// The container's rotation, degrees (already applied to the frames).
    pub rotation_deg: i32,
    /// Average frame rate stated by the container.
    pub fps: Option<f64>,
    /// Damaged stretches skipped, an early end, and the like.
    pub warnings: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn estimate(is_person: bool) -> Estimate {
        let mut k = Keypoints::default();
        for (i, kp) in k.0.iter_mut().enumerate() {
            *kp = Keypoint {
                x: 10.0 + i as f32 + 0.123_456,
                y: 20.004,
                confidence: 0.876_54,
            };
        }
        Estimate {
            pose: Pose {
                score: 0.712_34,
                keypoints: k,
            },
            is_person,
            passes: 2,
        }
    }

    #[test]
    fn ok_record_has_exactly_the_schema_fields_in_order() {
        let r = FrameRecord::analysed(
            "a/b.jpg",
            "movenet-lightning",
            (640, 480),
            &estimate(true),
            None,
        );
        let s = serde_json::to_string(&r).unwrap();
        assert!(
            s.starts_with(
                r#"{"schema":1,"type":"frame","source":"a/b.jpg","frame":0,"time_s":0.0,"width":640,"height":480,"status":"ok","model":"movenet-lightning","person":{"score":0.7123,"keypoints":{"nose":{"x":10.12,"y":20.0,"confidence":0.8765},"left_eye":{"x":11.12,"#
            ),
            "{s}"
        );
        assert!(!s.contains("error"));
        let back: FrameRecord = serde_json::from_str(&s).unwrap();
        assert_eq!(back, r);
    }

    #[test]
    fn no_person_record_has_no_skeleton() {
        let r = FrameRecord::analysed("x.png", "m", (10, 20), &estimate(false), None);
        let v: serde_json::Value = serde_json::to_value(&r).unwrap();
        assert_eq!(v["status"], "no_person");
        assert!(v.get("person").is_none());
        assert_eq!(v["width"], 10);
    }

    #[test]
    fn error_record_carries_the_message_and_null_size() {
        let r = FrameRecord::error("x.jpg", "m", None, "corrupt".into());
        let v: serde_json::Value = serde_json::to_value(&r).unwrap();
        assert_eq!(v["status"], "error");
        assert_eq!(v["error"], "corrupt");
        assert!(v["width"].is_null() && v["height"].is_null());
        assert!(v.get("person").is_none());
    }
}
