//! Scoring a video: every selected frame through crop tracking and
//! smoothing (as the live window does), one frame record each, then the
//! repetitions found in the clip and a summary record.

use std::path::Path;

use super::record::{FrameRecord, SummaryRecord, SCHEMA_VERSION};
use crate::assess::reps::{find_repetitions, RepSample};
use crate::assess::Assessor;
use crate::capture::{VideoOptions, VideoReader};
use crate::pose::{OneEuroConfig, PoseTracker};

/// Which frames of a video to analyse.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct FrameSelection {
    /// At most this many frames per second of video time.
    pub fps: Option<f64>,
    /// Every Nth decoded frame (1 = all).
    pub every: Option<usize>,
}

/// Applies a [`FrameSelection`] to frames as they are decoded.
#[derive(Clone, Debug)]
pub struct FrameSelector {
    sel: FrameSelection,
    next_due: Option<f64>,
}

impl FrameSelector {
    pub fn new(sel: FrameSelection) -> FrameSelector {
        FrameSelector {
            sel,
            next_due: None,
        }
    }

    /// Whether the frame decoded `index`-th (from 0), shown at `t` seconds,
    /// is analysed. With `fps`, frames are taken on a grid of 1/fps seconds
    /// from the first frame; a frame is taken when its time reaches the
    /// next grid point, and after a gap the grid restarts at that frame.
    pub fn take(&mut self, index: usize, t: f64) -> bool {
        if let Some(n) = self.sel.every.filter(|&n| n > 1) {
            if !index.is_multiple_of(n) {
                return false;
            }
        }
        let Some(fps) = self.sel.fps.filter(|f| f.is_finite() && *f > 0.0) else {
            return true;
        };
        let step = 1.0 / fps;
        // Half a millisecond of slack for timestamps rounded by the
        // container.
        let eps = 5e-4;
        match self.next_due {
            Some(due) if t + eps < due => false,
            Some(due) => {
                let next = due + step;
                self.next_due = Some(if next <= t + eps { t + step } else { next });
                true
            }
            None => {
                self.next_due = Some(t + step);
                true
            }
        }
    }
}

/// Scores one video, handing each frame record to `emit` as it is made
/// (so a long video streams), and returns its summary; `Err` is the
/// message for an error record when the video cannot be read at all.
pub fn score_video(
    tracker: &mut PoseTracker,
    assessor: &Assessor,
    path: &Path,
    selection: FrameSelection,
    on_open: &mut dyn FnMut(Option<u64>),
    emit: &mut dyn FnMut(FrameRecord) -> bool,
) -> Result<SummaryRecord, String> {
    let source = path.to_string_lossy().into_owned();
    let model = tracker.model_name().to_string();
    let mut reader =
        VideoReader::open(path, &VideoOptions::default()).map_err(|e| e.to_string())?;
    let info = reader.info().clone();
    on_open(info.frames.map(|n| match selection.every {
        Some(k) if k > 1 => n.div_ceil(k as u64),
        _ => n,
    }));
    tracker.reset();
    let mut selector = FrameSelector::new(selection);
    let mut samples = Vec::new();
    let (mut decoded, mut analysed, mut with_person) = (0usize, 0usize, 0usize);
    let (mut first_t, mut last_t) = (None::<f64>, 0.0f64);
    let mut warnings = Vec::new();
    loop {
        let frame = match reader.next_frame() {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                if decoded == 0 {
                    return Err(e.to_string());
                }
                warnings.push(e.to_string());
                break;
            }
        };
        decoded += 1;
        first_t.get_or_insert(frame.t_s);
        last_t = last_t.max(frame.t_s);
        if !selector.take(frame.index, frame.t_s) {
            continue;
        }
        analysed += 1;
        let size = frame.image.dimensions();
        let mut record = match tracker.track(&frame.image, frame.t_s) {
            Ok(est) => {
                let assessment = est.person().map(|p| assessor.assess(&p.keypoints));
                if let (Some(p), Some(a)) = (est.person(), &assessment) {
                    with_person += 1;
                    samples.push(RepSample::from_assessment(
                        frame.index,
                        frame.t_s,
                        a,
                        &p.keypoints,
                        &assessor.config,
                    ));
                }
                FrameRecord::analysed(&source, &model, size, &est, assessment.as_ref())
            }
            Err(e) => FrameRecord::error(&source, &model, Some(size), e.to_string()),
        };
        record.frame = frame.index as u64;
        record.time_s = (frame.t_s * 1e4).round() / 1e4;
        if !emit(record) {
            break;
        }
    }
    warnings.splice(0..0, reader.warnings().iter().cloned());
    let frame_step = info.fps.map(|f| 1.0 / f).unwrap_or(0.0);
    let duration_s = match first_t {
        Some(t0) => last_t - t0 + frame_step,
        None => info.duration_s.unwrap_or(0.0),
    };
    let reps = find_repetitions(&samples, &assessor.config.reps);
    Ok(SummaryRecord {
        schema: SCHEMA_VERSION,
        kind: "summary".into(),
        source,
        frames: analysed,
        duration_s: (duration_s * 1e3).round() / 1e3,
        reps,
        model,
        decoded_frames: decoded,
        frames_with_person: with_person,
        width: info.width,
        height: info.height,
        rotation_deg: info.rotation_deg,
        fps: info.fps,
        warnings,
    })
}

/// A tracker for videos: one pass per frame on the crop around the
/// previous frame's person, One Euro smoothing.
pub fn video_tracker(net: crate::pose::MoveNet) -> PoseTracker {
    PoseTracker::new(net, OneEuroConfig::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn taken(sel: FrameSelection, times: &[f64]) -> Vec<usize> {
        let mut s = FrameSelector::new(sel);
        (0..times.len()).filter(|&i| s.take(i, times[i])).collect()
    }

    #[test]
    fn every_nth_frame() {
        let t: Vec<f64> = (0..10).map(|i| i as f64 / 30.0).collect();
        let sel = FrameSelection {
            every: Some(3),
            ..Default::default()
        };
        assert_eq!(taken(sel, &t), vec![0, 3, 6, 9]);
        assert_eq!(taken(FrameSelection::default(), &t).len(), 10);
    }

    #[test]
    fn fps_follows_video_time_even_when_the_rate_varies() {
        // 30 fps for 1 s, then 10 fps for 1 s; analyse 5 per second.
        let mut t: Vec<f64> = (0..30).map(|i| i as f64 / 30.0).collect();
        t.extend((0..10).map(|i| 1.0 + i as f64 / 10.0));
        let sel = FrameSelection {
            fps: Some(5.0),
            ..Default::default()
        };
        let got: Vec<f64> = taken(sel, &t).iter().map(|&i| t[i]).collect();
        let want = [0.0, 0.2, 0.4, 0.6, 0.8, 1.0, 1.2, 1.4, 1.6, 1.8];
        assert_eq!(got.len(), want.len(), "{got:?}");
        for (g, w) in got.iter().zip(want) {
            assert!((g - w).abs() < 1e-9, "{got:?}");
        }
    }

    #[test]
    fn fps_restarts_its_grid_after_a_gap_and_never_exceeds_the_rate() {
        let t = [0.0, 0.1, 0.2, 2.05, 2.1, 2.2, 2.3, 2.55];
        let sel = FrameSelection {
            fps: Some(4.0),
            ..Default::default()
        };
        assert_eq!(taken(sel, &t), vec![0, 3, 6, 7]);
        // A rate above the video's takes every frame.
        let sel = FrameSelection {
            fps: Some(100.0),
            ..Default::default()
        };
        assert_eq!(taken(sel, &t).len(), t.len());
    }
}
