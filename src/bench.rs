//! The frame pipeline cut into its stages, so that each can be timed on its
//! own: by `posturecam bench` (a table or JSON, median of N runs) and by
//! the criterion benches in `benches/pipeline.rs`, which call the same
//! functions.
//!
//! Stages, in the order a scored frame goes through them:
//! decode (encoded image → RGB), letterbox (resize into the model's square
//! input), inference (one model pass), keypoints (raw output → keypoints in
//! frame pixels, person or not), assess (angles, view, sitting and lifting
//! assessments), record (the JSONL record). `frame_*` times the whole
//! chain from encoded bytes to a serialised record.

use std::io::Cursor;
use std::time::Instant;

use image::RgbImage;
use serde::Serialize;

use crate::assess::{Assessment, Assessor};
use crate::capture::image_file::decode_rgb;
use crate::pose::model::{ModelState, RawKeypoints};
use crate::pose::movenet::decode_keypoints;
use crate::pose::preprocess::{sample_region, InputTransform, Region};
use crate::pose::{Estimate, EstimatorConfig, MoveNet, PoseEstimator, PoseModel};
use crate::score::FrameRecord;

/// A 640×480 test card (gradients, no person) for when no image is given.
pub fn synthetic_frame() -> RgbImage {
    RgbImage::from_fn(640, 480, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, ((x * y) % 251) as u8])
    })
}

/// `img` encoded as a JPEG at quality 90, as a camera or a photo folder
/// would hand it over.
pub fn encode_jpeg(img: &RgbImage) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(Cursor::new(&mut out), 90)
        .encode_image(img)?;
    Ok(out)
}

/// Everything one thread needs to run each stage over and over on one
/// encoded frame.
pub struct Pipeline {
    model: PoseModel,
    state: ModelState,
    single: MoveNet,
    refined: MoveNet,
    assessor: Assessor,
    encoded: Vec<u8>,
    record_buf: Vec<u8>,
}

impl Pipeline {
    /// `encoded` is the frame as a file's bytes (JPEG, PNG, ...).
    pub fn new(model: PoseModel, encoded: Vec<u8>) -> anyhow::Result<Pipeline> {
        decode_rgb(&encoded)?;
        let state = model.new_state()?;
        let single = MoveNet::new(
            model.clone(),
            EstimatorConfig {
                refine: false,
                ..Default::default()
            },
        )?;
        let refined = MoveNet::new(model.clone(), EstimatorConfig::default())?;
        Ok(Pipeline {
            model,
            state,
            single,
            refined,
            assessor: Assessor::default(),
            encoded,
            record_buf: Vec::with_capacity(4096),
        })
    }

    pub fn model(&self) -> &PoseModel {
        &self.model
    }

    /// Stage 1: the encoded frame to RGB.
    pub fn decode(&self) -> anyhow::Result<RgbImage> {
        Ok(decode_rgb(&self.encoded)?)
    }

    /// Stage 2: the whole frame letterboxed into the model's input square.
    pub fn letterbox(&self, img: &RgbImage) -> (RgbImage, InputTransform) {
        let (w, h) = img.dimensions();
        sample_region(img, Region::letterbox(w, h), self.model.input_size())
    }

    /// Stage 3: one model pass.
    pub fn infer(&mut self, input: &RgbImage) -> anyhow::Result<RawKeypoints> {
        Ok(self.model.infer(&mut self.state, input)?)
    }

    /// Stage 4: the raw output to keypoints in frame pixels, judged person
    /// or not (single pass).
    pub fn keypoints(
        &self,
        raw: &RawKeypoints,
        transform: &InputTransform,
        frame: (u32, u32),
    ) -> Estimate {
        self.single
            .judge(decode_keypoints(raw, transform), 1, frame)
    }

    /// Stage 5: analysis and the sitting and lifting assessments. Run on
    /// the pose whether or not it is a person, so that the stage is timed
    /// on any frame.
    pub fn assess(&self, est: &Estimate) -> Assessment {
        self.assessor.assess(&est.pose.keypoints)
    }

    /// Stage 6: the frame's JSONL record; returns its length in bytes.
    pub fn record(
        &mut self,
        frame: (u32, u32),
        est: &Estimate,
        assessment: &Assessment,
    ) -> anyhow::Result<usize> {
        let record =
            FrameRecord::analysed("frame.jpg", self.model.name(), frame, est, Some(assessment));
        self.record_buf.clear();
        serde_json::to_writer(&mut self.record_buf, &record)?;
        self.record_buf.push(b'\n');
        Ok(self.record_buf.len())
    }

    /// The whole chain, encoded bytes to record, as `posturecam score`
    /// runs it (with or without the crop-refinement pass). Returns the
    /// record's length and the passes run.
    pub fn frame(&mut self, refine: bool) -> anyhow::Result<(usize, u8)> {
        let img = self.decode()?;
        let frame = img.dimensions();
        let est = if refine {
            self.refined.estimate(&img)?
        } else {
            self.single.estimate(&img)?
        };
        let assessment = est.person().map(|p| self.assessor.assess(&p.keypoints));
        let record = FrameRecord::analysed(
            "frame.jpg",
            self.model.name(),
            frame,
            &est,
            assessment.as_ref(),
        );
        self.record_buf.clear();
        serde_json::to_writer(&mut self.record_buf, &record)?;
        self.record_buf.push(b'\n');
        Ok((self.record_buf.len(), est.passes))
    }
}

/// Median times of each stage, in milliseconds, for one model.
#[derive(Clone, Debug, Serialize)]
pub struct StageTimes {
    pub model: String,
    /// Side of the model's square input, pixels.
    pub input: u32,
    /// Size of the frame, pixels.
    pub frame: [u32; 2],
    /// Bytes of the encoded frame.
    pub encoded_bytes: usize,
    pub iterations: usize,
    pub load_ms: f64,
    pub decode_ms: f64,
    pub letterbox_ms: f64,
    pub inference_ms: f64,
    pub keypoints_ms: f64,
    pub assess_ms: f64,
    pub record_ms: f64,
    /// Encoded frame to record, one model pass.
    pub frame_single_pass_ms: f64,
    /// Encoded frame to record with crop refinement (what `score` runs).
    pub frame_refined_ms: f64,
    /// Model passes the refined run made on this frame (1 or 2).
    pub refined_passes: u8,
}

/// Median of `n` timed runs of `f` (at least one), in milliseconds, after
/// two warm-up runs.
pub fn median_ms(n: usize, mut f: impl FnMut() -> anyhow::Result<()>) -> anyhow::Result<f64> {
    for _ in 0..2 {
        f()?;
    }
    let mut t = Vec::with_capacity(n.max(1));
    for _ in 0..n.max(1) {
        let start = Instant::now();
        f()?;
        t.push(start.elapsed().as_secs_f64() * 1e3);
    }
    Ok(median(&mut t))
}

/// The median of `v` (the mean of the middle two for an even count); NaN
/// for an empty slice.
pub fn median(v: &mut [f64]) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Times every stage of `pipeline`, `iterations` runs each. `load_ms` is
/// passed through (loading happens before the pipeline exists).
pub fn measure(
    pipeline: &mut Pipeline,
    iterations: usize,
    load_ms: f64,
) -> anyhow::Result<StageTimes> {
    use std::hint::black_box;
    let img = pipeline.decode()?;
    let frame = img.dimensions();
    let (input, transform) = pipeline.letterbox(&img);
    let raw = pipeline.infer(&input)?;
    let est = pipeline.keypoints(&raw, &transform, frame);
    let assessment = pipeline.assess(&est);

    let decode_ms = median_ms(iterations, || {
        black_box(pipeline.decode()?);
        Ok(())
    })?;
    let letterbox_ms = median_ms(iterations, || {
        black_box(pipeline.letterbox(&img));
        Ok(())
    })?;
    let inference_ms = median_ms(iterations, || {
        black_box(pipeline.infer(&input)?);
        Ok(())
    })?;
    // The cheap stages are timed over many calls per sample, or the clock's
    // resolution would be all that is measured.
    const CHEAP: usize = 100;
    let keypoints_ms = median_ms(iterations, || {
        for _ in 0..CHEAP {
            black_box(pipeline.keypoints(black_box(&raw), &transform, frame));
        }
        Ok(())
    })? / CHEAP as f64;
    let assess_ms = median_ms(iterations, || {
        for _ in 0..CHEAP {
            black_box(pipeline.assess(black_box(&est)));
        }
        Ok(())
    })? / CHEAP as f64;
    let record_ms = median_ms(iterations, || {
        for _ in 0..CHEAP {
            black_box(pipeline.record(frame, black_box(&est), &assessment)?);
        }
        Ok(())
    })? / CHEAP as f64;
    let frame_single_pass_ms = median_ms(iterations, || {
        black_box(pipeline.frame(false)?);
        Ok(())
    })?;
    let refined_passes = pipeline.frame(true)?.1;
    let frame_refined_ms = median_ms(iterations, || {
        black_box(pipeline.frame(true)?);
        Ok(())
    })?;
    Ok(StageTimes {
        model: pipeline.model.name().to_string(),
        input: pipeline.model.input_size(),
        frame: [frame.0, frame.1],
        encoded_bytes: pipeline.encoded.len(),
        iterations: iterations.max(1),
        load_ms,
        decode_ms,
        letterbox_ms,
        inference_ms,
        keypoints_ms,
        assess_ms,
        record_ms,
        frame_single_pass_ms,
        frame_refined_ms,
        refined_passes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), 2.5);
        assert_eq!(median(&mut [7.0]), 7.0);
        assert!(median(&mut []).is_nan());
    }

    #[test]
    fn median_ms_runs_warmups_then_the_timed_runs() {
        let mut calls = 0;
        median_ms(5, || {
            calls += 1;
            Ok(())
        })
        .unwrap();
        assert_eq!(calls, 7);
        let mut calls = 0;
        median_ms(0, || {
            calls += 1;
            Ok(())
        })
        .unwrap();
        assert_eq!(calls, 3, "at least one timed run");
        assert!(median_ms(3, || anyhow::bail!("boom")).is_err());
    }

    #[test]
    fn the_synthetic_frame_round_trips_through_jpeg_at_640x480() {
        let jpeg = encode_jpeg(&synthetic_frame()).unwrap();
        assert_eq!(&jpeg[..2], &[0xFF, 0xD8]);
        assert_eq!(decode_rgb(&jpeg).unwrap().dimensions(), (640, 480));
    }

    #[test]
    fn the_stages_chained_give_what_the_estimator_gives() {
        let photo = image::open(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/sample_frames/astronaut.png"
        ))
        .unwrap()
        .to_rgb8();
        let model = PoseModel::load(&crate::pose::ModelSpec::Lightning).unwrap();
        let mut p = Pipeline::new(model.clone(), encode_jpeg(&photo).unwrap()).unwrap();
        let img = p.decode().unwrap();
        let (input, t) = p.letterbox(&img);
        let raw = p.infer(&input).unwrap();
        let staged = p.keypoints(&raw, &t, img.dimensions());
        let mut single = MoveNet::new(
            model,
            EstimatorConfig {
                refine: false,
                ..Default::default()
            },
        )
        .unwrap();
        let whole = single.estimate(&img).unwrap();
        assert_eq!(staged, whole);
        assert!(staged.is_person, "the astronaut is a person");
        let a = p.assess(&staged);
        let len = p.record(img.dimensions(), &staged, &a).unwrap();
        let line: serde_json::Value = serde_json::from_slice(&p.record_buf[..len]).unwrap();
        assert_eq!(line["status"], "ok");
        assert_eq!(line["width"], 512);
        let (flen, passes) = p.frame(true).unwrap();
        assert!(flen > 100 && (1..=2).contains(&passes));
        let t = measure(&mut p, 1, 0.0).unwrap();
        assert_eq!(t.frame, [512, 512]);
        assert_eq!(t.input, 192);
        for v in [
            t.decode_ms,
            t.letterbox_ms,
            t.inference_ms,
            t.keypoints_ms,
            t.assess_ms,
            t.record_ms,
            t.frame_refined_ms,
        ] {
            assert!(v.is_finite() && v > 0.0, "{t:?}");
        }
    }
}
