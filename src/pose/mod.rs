//! Pose estimation: model loading ([`model`]), preprocessing
//! ([`preprocess`]), the MoveNet decoder and crop refinement ([`movenet`]),
//! behind the [`PoseEstimator`] trait.

pub mod decode;
pub mod dwconv;
pub mod fused;
pub mod keypoints;
pub mod model;
pub mod movenet;
pub mod pointwise;
pub mod preprocess;
pub mod smoothing;
pub mod stem;
mod surgery;
pub mod tracking;
pub mod upsample;

pub use keypoints::{Joint, Keypoint, Keypoints, Pose, KEYPOINT_NAMES, NUM_KEYPOINTS};
pub use model::{ModelSpec, PoseModel};
pub use movenet::{EstimatorConfig, MoveNet};
pub use smoothing::{OneEuroConfig, PoseSmoother};
pub use tracking::PoseTracker;

use image::RgbImage;

/// Why a pose could not be estimated.
#[derive(Debug, thiserror::Error)]
pub enum PoseError {
    #[error("model {model}: {message}")]
    Model { model: String, message: String },
    #[error("inference failed: {0}")]
    Inference(String),
    #[error("the image has no pixels")]
    EmptyImage,
}

/// The outcome for one frame: the best pose the model found, and whether it
/// is confident enough to be a person. A frame that is not a person must not
/// be reported with a skeleton.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    pub pose: Pose,
    pub is_person: bool,
    /// Model passes run on this frame (2 when crop refinement ran).
    pub passes: u8,
}

impl Estimate {
    /// The pose, if it is a person.
    pub fn person(&self) -> Option<&Pose> {
        self.is_person.then_some(&self.pose)
    }
}

/// Anything that turns an RGB frame into an [`Estimate`], in the frame's
/// own pixel coordinates.
pub trait PoseEstimator {
    /// Name written into records, e.g. `movenet-lightning`.
    fn model_name(&self) -> &str;
    fn estimate(&mut self, img: &RgbImage) -> Result<Estimate, PoseError>;
}
