//! MoveNet SinglePose: letterboxed first pass, then a second pass on a crop
//! around the person found (MoveNet's own demo does this from frame to
//! frame; here it refines a single image).

use image::RgbImage;

use super::keypoints::{Joint, Keypoint, Keypoints, Pose, MIN_KEYPOINT_CONFIDENCE, NUM_KEYPOINTS};
use super::model::{ModelState, PoseModel, RawKeypoints};
use super::preprocess::{sample_region, InputTransform, Region};
use super::{Estimate, PoseError, PoseEstimator};

/// How a frame is turned into a pose, and when it counts as a person.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EstimatorConfig {
    /// Run a second pass on a crop around the first pass's person.
    pub refine: bool,
    /// Minimum person score ([`Keypoints::person_score`]) for a person.
    pub min_person_score: f32,
    /// Minimum number of keypoints at or above [`MIN_KEYPOINT_CONFIDENCE`]
    /// for a person.
    pub min_keypoints: usize,
    /// Minimum extent of those keypoints (the diagonal of their bounding
    /// box) as a fraction of the frame's longer side.
    pub min_extent: f32,
}

impl Default for EstimatorConfig {
    fn default() -> Self {
        // The person rule, set on real photos with and without people
        // (tests/fixtures/no_person, ../shared/frames/coco17), where real
        // people scored 0.26 and up with 5+ keypoints spanning 9% or more
        // of the frame:
        // - a person score of at least 0.25;
        // - at least 5 confident keypoints (e.g. a head and shoulders), so
        //   that a lone confident blob (a face-like texture) is not a
        //   person;
        // - those keypoints spanning at least 5% of the frame: at MoveNet's
        //   192-256 px input that is under 13 input pixels, too small to
        //   hold a person's joints; a skeleton collapsed into such a blob
        //   (a rocket's exhaust plume did this) is noise.
        EstimatorConfig {
            refine: true,
            min_person_score: 0.25,
            min_keypoints: 5,
            min_extent: 0.05,
        }
    }
}

/// The crop MoveNet's demo uses for the next pass (TF Hub MoveNet tutorial,
/// `determine_crop_region`): a square centred on the hips, large enough for
/// 1.9× the torso's and 1.2× the whole body's extent from that centre. Its
/// answer is `None` (use the whole image) when no shoulder or no hip is
/// confident, or when the crop would be larger than the image itself.
pub fn crop_region(kps: &Keypoints, width: u32, height: u32) -> Option<Region> {
    use Joint::*;
    let ok = |j: Joint| kps.get(j).confidence >= MIN_KEYPOINT_CONFIDENCE;
    let torso_visible = (ok(LeftHip) || ok(RightHip)) && (ok(LeftShoulder) || ok(RightShoulder));
    if !torso_visible {
        return None;
    }
    let (lh, rh) = (kps.get(LeftHip), kps.get(RightHip));
    let cx = (lh.x + rh.x) / 2.0;
    let cy = (lh.y + rh.y) / 2.0;
    let mut torso = 0f32;
    for j in [LeftShoulder, RightShoulder, LeftHip, RightHip] {
        let k = kps.get(j);
        torso = torso.max((k.x - cx).abs()).max((k.y - cy).abs());
    }
    let mut body = 0f32;
    for k in kps
        .0
        .iter()
        .filter(|k| k.confidence >= MIN_KEYPOINT_CONFIDENCE)
    {
        body = body.max((k.x - cx).abs()).max((k.y - cy).abs());
    }
    let (w, h) = (width as f32, height as f32);
    let half = (torso * 1.9).max(body * 1.2);
    let half = half.min([cx, w - cx, cy, h - cy].into_iter().fold(0.0, f32::max));
    if !(half.is_finite() && half > 0.0) || half > w.max(h) / 2.0 {
        return None;
    }
    Some(Region::square(cx, cy, half))
}

/// The model's raw output (normalised y, x, confidence per keypoint) as
/// keypoints in the pixels of the image `transform` was made from.
pub fn decode_keypoints(raw: &RawKeypoints, transform: &InputTransform) -> Keypoints {
    let mut kps = [Keypoint::default(); NUM_KEYPOINTS];
    for (kp, &[y, x, c]) in kps.iter_mut().zip(raw) {
        let (px, py) = transform.to_source(x, y);
        *kp = Keypoint {
            x: px,
            y: py,
            confidence: c,
        };
    }
    Keypoints(kps)
}

/// MoveNet SinglePose behind [`PoseEstimator`].
pub struct MoveNet {
    model: PoseModel,
    state: ModelState,
    config: EstimatorConfig,
}

impl MoveNet {
    pub fn new(model: PoseModel, config: EstimatorConfig) -> Result<MoveNet, PoseError> {
        let state = model.new_state()?;
        Ok(MoveNet {
            model,
            state,
            config,
        })
    }

    pub fn model(&self) -> &PoseModel {
        &self.model
    }

    pub fn config(&self) -> &EstimatorConfig {
        &self.config
    }

    /// One model pass over `region` of `img`; keypoints in `img` pixels.
    pub fn run_region(&mut self, img: &RgbImage, region: Region) -> Result<Keypoints, PoseError> {
        let (input, transform) = sample_region(img, region, self.model.input_size());
        let raw = self.model.infer(&mut self.state, &input)?;
        Ok(decode_keypoints(&raw, &transform))
    }

    /// Decides whether `keypoints`, found in a `w`×`h` frame, are a person.
    pub fn judge(&self, keypoints: Keypoints, passes: u8, (w, h): (u32, u32)) -> Estimate {
        let score = keypoints.person_score();
        let extent = keypoints.confident_extent(MIN_KEYPOINT_CONFIDENCE) / w.max(h) as f32;
        let is_person = score >= self.config.min_person_score
            && keypoints.count_confident(MIN_KEYPOINT_CONFIDENCE) >= self.config.min_keypoints
            && extent >= self.config.min_extent;
        Estimate {
            pose: Pose { score, keypoints },
            is_person,
            passes,
        }
    }
}

impl PoseEstimator for MoveNet {
    fn model_name(&self) -> &str {
        self.model.name()
    }

    fn estimate(&mut self, img: &RgbImage) -> Result<Estimate, PoseError> {
        if img.width() == 0 || img.height() == 0 {
            return Err(PoseError::EmptyImage);
        }
        let (w, h) = img.dimensions();
        let first = self.run_region(img, Region::letterbox(w, h))?;
        if !self.config.refine {
            return Ok(self.judge(first, 1, (w, h)));
        }
        let Some(region) = crop_region(&first, w, h) else {
            return Ok(self.judge(first, 1, (w, h)));
        };
        let second = self.run_region(img, region)?;
        Ok(self.judge(second, 2, (w, h)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pose(points: &[(Joint, f32, f32)]) -> Keypoints {
        let mut k = Keypoints::default();
        for &(j, x, y) in points {
            k.0[j as usize] = Keypoint {
                x,
                y,
                confidence: 0.8,
            };
        }
        k
    }

    #[test]
    fn crop_is_centred_on_hips_and_sized_by_torso_and_body() {
        use Joint::*;
        // Standing person in a 1000x1000 image: hips at y=500, shoulders at
        // y=350 (torso 150 → 285 half-side), ankles at y=800 (body 300 → 360).
        let k = pose(&[
            (LeftShoulder, 520.0, 350.0),
            (RightShoulder, 480.0, 350.0),
            (LeftHip, 515.0, 500.0),
            (RightHip, 485.0, 500.0),
            (LeftAnkle, 515.0, 800.0),
            (RightAnkle, 485.0, 800.0),
        ]);
        let r = crop_region(&k, 1000, 1000).unwrap();
        assert!((r.x - (500.0 - 360.0)).abs() < 1e-3, "{r:?}");
        assert!((r.y - (500.0 - 360.0)).abs() < 1e-3);
        assert!((r.width - 720.0).abs() < 1e-3);
    }

    #[test]
    fn no_crop_without_a_visible_torso_or_when_it_would_cover_everything() {
        use Joint::*;
        // Head and shoulders only (a desk webcam): whole image.
        let k = pose(&[
            (Nose, 50.0, 20.0),
            (LeftShoulder, 60.0, 40.0),
            (RightShoulder, 40.0, 40.0),
        ]);
        assert_eq!(crop_region(&k, 100, 100), None);
        // A big person near the left edge: the crop would be larger than
        // half the image around an off-centre point.
        let k = pose(&[
            (LeftShoulder, 30.0, 10.0),
            (RightShoulder, 10.0, 10.0),
            (LeftHip, 30.0, 50.0),
            (RightHip, 10.0, 50.0),
            (LeftAnkle, 90.0, 99.0),
        ]);
        assert_eq!(crop_region(&k, 100, 100), None);
    }
}
