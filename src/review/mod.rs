//! Reviewing recorded lifts: a whole clip analysed frame by frame and kept
//! in memory ([`ClipAnalysis`]) for the review window and the HTML report.

pub mod model;
pub mod player;

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use image::RgbImage;

use crate::assess::reps::{find_repetitions, RepSample, Repetition};
use crate::assess::{Assessment, Assessor};
use crate::capture::{VideoError, VideoInfo, VideoOptions, VideoReader};
use crate::pose::{Pose, PoseTracker};

/// Longer side of the frames kept for display. Kept as JPEG (about 30–60
/// KB each at this size), so ten minutes at 30 fps stay under 1 GB.
pub const DISPLAY_MAX_SIDE: u32 = 640;
/// JPEG quality of the kept frames.
pub const DISPLAY_JPEG_QUALITY: u8 = 85;

/// One analysed frame.
#[derive(Clone, Debug)]
pub struct ClipFrame {
    /// Index in the clip's decoding order.
    pub index: usize,
    pub t_s: f64,
    /// The smoothed pose in display-frame pixels, when a person was found.
    pub pose: Option<Pose>,
    pub assessment: Option<Assessment>,
    /// The frame at [`DISPLAY_MAX_SIDE`], JPEG-encoded.
    pub jpeg: Vec<u8>,
}

/// A clip analysed frame by frame, with its repetitions.
#[derive(Clone, Debug)]
pub struct ClipAnalysis {
    /// The path as given.
    pub source: String,
    pub info: VideoInfo,
    /// Size of the kept frames (what poses are measured in).
    pub width: u32,
    pub height: u32,
    pub frames: Vec<ClipFrame>,
    pub samples: Vec<RepSample>,
    pub reps: Vec<Repetition>,
    /// Damaged stretches and the like, from the decoder.
    pub warnings: Vec<String>,
    pub model: String,
}

/// Why a clip could not be analysed.
#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    #[error(transparent)]
    Video(#[from] VideoError),
    #[error("{0}: the video holds no frame that could be decoded")]
    NoFrames(String),
    #[error("cancelled")]
    Cancelled,
}

impl ClipAnalysis {
    /// Decodes and analyses every frame of `path`. `progress(done, total)`
    /// is called after each frame (total when the container states it);
    /// `cancel` stops early.
    pub fn analyse(
        path: &Path,
        tracker: &mut PoseTracker,
        assessor: &Assessor,
        progress: &mut dyn FnMut(usize, Option<u64>),
        cancel: &AtomicBool,
    ) -> Result<ClipAnalysis, ReviewError> {
        let source = path.to_string_lossy().into_owned();
        let opts = VideoOptions {
            max_side: DISPLAY_MAX_SIDE,
        };
        let mut reader = VideoReader::open(path, &opts)?;
        let info = reader.info().clone();
        tracker.reset();
        let mut frames = Vec::new();
        let mut samples = Vec::new();
        while let Some(f) = reader.next_frame()? {
            if cancel.load(Ordering::Relaxed) {
                return Err(ReviewError::Cancelled);
            }
            let (pose, assessment) = match tracker.track(&f.image, f.t_s) {
                Ok(est) => {
                    let pose = est.person().copied();
                    let a = pose.map(|p| assessor.assess(&p.keypoints));
                    (pose, a)
                }
                Err(_) => (None, None),
            };
            if let (Some(p), Some(a)) = (&pose, &assessment) {
                samples.push(RepSample::from_assessment(
                    f.index,
                    f.t_s,
                    a,
                    &p.keypoints,
                    &assessor.config,
                ));
            }
            frames.push(ClipFrame {
                index: f.index,
                t_s: f.t_s,
                pose,
                assessment,
                jpeg: encode_jpeg(&f.image),
            });
            progress(frames.len(), info.frames);
        }
        if frames.is_empty() {
            return Err(ReviewError::NoFrames(source));
        }
        let reps = find_repetitions(&samples, &assessor.config.reps);
        Ok(ClipAnalysis {
            source,
            width: info.width,
            height: info.height,
            info,
            frames,
            samples,
            reps,
            warnings: reader.warnings().to_vec(),
            model: tracker.model_name().to_string(),
        })
    }

    /// Time from the first frame to the end of the last, seconds.
    pub fn duration_s(&self) -> f64 {
        let step = self.info.fps.map(|f| 1.0 / f).unwrap_or(0.0);
        match (self.frames.first(), self.frames.last()) {
            (Some(a), Some(b)) => b.t_s - a.t_s + step,
            _ => 0.0,
        }
    }

    /// Position in [`Self::frames`] of the frame shown at time `t`: the
    /// last frame whose time is at or before `t` (the first for earlier
    /// times).
    pub fn frame_at(&self, t: f64) -> usize {
        let after = self.frames.partition_point(|f| f.t_s <= t + 1e-9);
        after.saturating_sub(1)
    }

    /// Position in [`Self::frames`] of the frame with decoding index
    /// `index` (or the nearest one after it, as damaged frames are missing).
    pub fn position_of(&self, index: usize) -> usize {
        self.frames
            .partition_point(|f| f.index < index)
            .min(self.frames.len().saturating_sub(1))
    }

    /// The kept frame at position `pos`, decoded.
    pub fn image(&self, pos: usize) -> Option<RgbImage> {
        let f = self.frames.get(pos)?;
        image::load_from_memory_with_format(&f.jpeg, image::ImageFormat::Jpeg)
            .ok()
            .map(|i| i.to_rgb8())
    }
}

fn encode_jpeg(img: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    let mut enc =
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, DISPLAY_JPEG_QUALITY);
    if enc.encode_image(img).is_err() {
        out.clear();
    }
    out
}
