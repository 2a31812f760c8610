//! The 17 COCO keypoints, a pose made of them, and the summary score that
//! decides whether a frame holds a person at all.

use serde::de::{self, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// Number of keypoints in the COCO-17 layout MoveNet predicts.
pub const NUM_KEYPOINTS: usize = 17;

/// COCO-17 keypoint names in model output order. "left" is the person's own
/// left, not the left of the image.
pub const KEYPOINT_NAMES: [&str; NUM_KEYPOINTS] = [
    "nose",
    "left_eye",
    "right_eye",
    "left_ear",
    "right_ear",
    "left_shoulder",
    "right_shoulder",
    "left_elbow",
    "right_elbow",
    "left_wrist",
    "right_wrist",
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
];

/// Index of each keypoint in [`KEYPOINT_NAMES`] order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(usize)]
pub enum Joint {
    Nose = 0,
    LeftEye,
    RightEye,
    LeftEar,
    RightEar,
    LeftShoulder,
    RightShoulder,
    LeftElbow,
    RightElbow,
    LeftWrist,
    RightWrist,
    LeftHip,
    RightHip,
    LeftKnee,
    RightKnee,
    LeftAnkle,
    RightAnkle,
}

impl Joint {
    /// All joints in COCO order.
    pub const ALL: [Joint; NUM_KEYPOINTS] = {
        use Joint::*;
        [
            Nose,
            LeftEye,
            RightEye,
            LeftEar,
            RightEar,
            LeftShoulder,
            RightShoulder,
            LeftElbow,
            RightElbow,
            LeftWrist,
            RightWrist,
            LeftHip,
            RightHip,
            LeftKnee,
            RightKnee,
            LeftAnkle,
            RightAnkle,
        ]
    };

    /// The keypoint's COCO name.
    pub fn name(self) -> &'static str {
        KEYPOINT_NAMES[self as usize]
    }
}

/// One keypoint in the pixel coordinates of the image it was found in
/// (x to the right, y downwards, origin at the top-left corner of the
/// top-left pixel), with the model's confidence in 0..1.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Keypoint {
    pub x: f32,
    pub y: f32,
    pub confidence: f32,
}

/// A keypoint's confidence at or above which it counts towards the person
/// score and the crop region. MoveNet's own demo code (TF Hub tutorial and
/// tfjs-models pose-detection, `MIN_CROP_KEYPOINT_SCORE`) uses 0.2.
pub const MIN_KEYPOINT_CONFIDENCE: f32 = 0.2;

/// A full set of 17 keypoints.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Keypoints(pub [Keypoint; NUM_KEYPOINTS]);

impl Keypoints {
    pub fn get(&self, joint: Joint) -> &Keypoint {
        &self.0[joint as usize]
    }

    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &Keypoint)> {
        KEYPOINT_NAMES.iter().copied().zip(self.0.iter())
    }

    /// Person score as MoveNet's reference decoder defines it (tfjs-models
    /// `movenet_detector.ts`): the mean confidence of the keypoints at or
    /// above [`MIN_KEYPOINT_CONFIDENCE`], or 0 when there are none.
    pub fn person_score(&self) -> f32 {
        let (sum, n) = self
            .0
            .iter()
            .filter(|k| k.confidence >= MIN_KEYPOINT_CONFIDENCE)
            .fold((0.0f32, 0usize), |(s, n), k| (s + k.confidence, n + 1));
        if n == 0 {
            0.0
        } else {
            sum / n as f32
        }
    }

    /// Diagonal of the bounding box of the keypoints that reach
    /// `threshold`, in pixels (0 when fewer than two do).
    pub fn confident_extent(&self, threshold: f32) -> f32 {
        let mut it = self.0.iter().filter(|k| k.confidence >= threshold);
        let Some(first) = it.next() else { return 0.0 };
        let (mut x0, mut y0, mut x1, mut y1) = (first.x, first.y, first.x, first.y);
        for k in it {
            x0 = x0.min(k.x);
            y0 = y0.min(k.y);
            x1 = x1.max(k.x);
            y1 = y1.max(k.y);
        }
        (x1 - x0).hypot(y1 - y0)
    }

    /// How many keypoints reach `threshold`.
    pub fn count_confident(&self, threshold: f32) -> usize {
        self.0.iter().filter(|k| k.confidence >= threshold).count()
    }
}

impl Serialize for Keypoints {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(NUM_KEYPOINTS))?;
        for (name, kp) in self.iter() {
            map.serialize_entry(name, kp)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Keypoints {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Keypoints;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a map of the 17 COCO keypoint names to {x, y, confidence}")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Keypoints, A::Error> {
                let mut out = [None; NUM_KEYPOINTS];
                while let Some((name, kp)) = map.next_entry::<String, Keypoint>()? {
                    let i = KEYPOINT_NAMES
                        .iter()
                        .position(|n| *n == name)
                        .ok_or_else(|| de::Error::unknown_field(&name, &KEYPOINT_NAMES))?;
                    out[i] = Some(kp);
                }
                let mut kps = [Keypoint::default(); NUM_KEYPOINTS];
                for (i, kp) in out.into_iter().enumerate() {
                    kps[i] = kp.ok_or_else(|| de::Error::missing_field(KEYPOINT_NAMES[i]))?;
                }
                Ok(Keypoints(kps))
            }
        }
        d.deserialize_map(V)
    }
}

/// A person found in a frame.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Pose {
    /// See [`Keypoints::person_score`].
    pub score: f32,
    pub keypoints: Keypoints,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kps(conf: &[f32]) -> Keypoints {
        let mut k = Keypoints::default();
        for (i, c) in conf.iter().enumerate() {
            k.0[i] = Keypoint {
                x: i as f32,
                y: 2.0 * i as f32,
                confidence: *c,
            };
        }
        k
    }

    #[test]
    fn names_match_joint_order() {
        assert_eq!(Joint::Nose.name(), "nose");
        assert_eq!(Joint::RightShoulder.name(), "right_shoulder");
        assert_eq!(Joint::RightAnkle as usize, 16);
        assert_eq!(Joint::RightAnkle.name(), "right_ankle");
    }

    #[test]
    fn person_score_averages_confident_keypoints_only() {
        // 0.9 and 0.5 count, 0.1 and the 14 zeros do not.
        let k = kps(&[0.9, 0.5, 0.1]);
        assert!((k.person_score() - 0.7).abs() < 1e-6);
        assert_eq!(k.count_confident(0.2), 2);
        assert_eq!(kps(&[0.1, 0.05]).person_score(), 0.0);
    }

    #[test]
    fn extent_spans_confident_keypoints_only() {
        // Keypoint i sits at (i, 2i): confident ones are 0, 1 and 3.
        let k = kps(&[0.9, 0.5, 0.1, 0.3]);
        assert!((k.confident_extent(0.2) - (3.0f32).hypot(6.0)).abs() < 1e-5);
        assert_eq!(kps(&[0.9]).confident_extent(0.2), 0.0);
        assert_eq!(kps(&[]).confident_extent(0.2), 0.0);
    }

    #[test]
    fn keypoints_serialize_as_named_map_in_coco_order_and_round_trip() {
        let k = kps(&[0.9; 17]);
        let s = serde_json::to_string(&k).unwrap();
        assert!(s.starts_with(r#"{"nose":{"x":0.0,"y":0.0,"confidence":0.9},"left_eye""#));
        let last = s.rfind("right_ankle").unwrap();
        assert!(last > s.rfind("left_ankle").unwrap());
        let back: Keypoints = serde_json::from_str(&s).unwrap();
        assert_eq!(back, k);
    }

    #[test]
    fn deserializing_rejects_missing_and_unknown_names() {
        let err = serde_json::from_str::<Keypoints>(r#"{"nose":{"x":1,"y":2,"confidence":0.5}}"#)
            .unwrap_err();
        assert!(err.to_string().contains("left_eye"), "{err}");
        let err = serde_json::from_str::<Keypoints>(r#"{"tail":{"x":1,"y":2,"confidence":0.5}}"#)
            .unwrap_err();
        assert!(err.to_string().contains("tail"), "{err}");
    }
}
