//! Pose tracking over a stream of frames (camera or video): MoveNet's own
//! demo crops each frame around the person found in the previous one, which
//! gives the model a bigger view of the person at the cost of one pass; the
//! keypoints are then smoothed over time.

use image::RgbImage;

use super::movenet::{crop_region, MoveNet};
use super::preprocess::Region;
use super::smoothing::{OneEuroConfig, PoseSmoother};
use super::{Estimate, Keypoints, PoseError};

/// MoveNet with crop tracking and One Euro smoothing.
pub struct PoseTracker {
    net: MoveNet,
    smoother: PoseSmoother,
    /// The previous frame's raw keypoints, when it held a person.
    previous: Option<(Keypoints, (u32, u32))>,
}

impl PoseTracker {
    pub fn new(net: MoveNet, smoothing: OneEuroConfig) -> PoseTracker {
        PoseTracker {
            net,
            smoother: PoseSmoother::new(smoothing),
            previous: None,
        }
    }

    pub fn model_name(&self) -> &str {
        self.net.model().name()
    }

    /// Forgets the person (a new clip, a jump in time).
    pub fn reset(&mut self) {
        self.previous = None;
        self.smoother.reset();
    }

    /// Estimates the pose in `img`, seen at `t` seconds. One model pass on
    /// the crop around the previous frame's person; the whole frame when
    /// there was none, the frame size changed, or the crop lost the person.
    pub fn track(&mut self, img: &RgbImage, t: f64) -> Result<Estimate, PoseError> {
        let (w, h) = img.dimensions();
        if w == 0 || h == 0 {
            return Err(PoseError::EmptyImage);
        }
        let crop = self
            .previous
            .filter(|(_, dims)| *dims == (w, h))
            .and_then(|(k, _)| crop_region(&k, w, h));
        let mut passes = 1;
        let mut raw = self
            .net
            .run_region(img, crop.unwrap_or(Region::letterbox(w, h)))?;
        let mut est = self.net.judge(raw, passes, (w, h));
        if !est.is_person && crop.is_some() {
            passes += 1;
            raw = self.net.run_region(img, Region::letterbox(w, h))?;
            est = self.net.judge(raw, passes, (w, h));
        }
        if est.is_person {
            self.previous = Some((raw, (w, h)));
            est.pose.keypoints = self.smoother.smooth(t, &raw, w.max(h) as f32);
        } else {
            self.reset();
        }
        Ok(est)
    }
}
