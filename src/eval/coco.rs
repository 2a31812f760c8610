//! COCO keypoint accuracy: Object Keypoint Similarity (OKS) and PCK@0.2 of
//! the single person the pipeline reports per image, matched to the
//! annotated person it agrees with best.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::capture::load_rgb;
use crate::pose::{Keypoints, PoseEstimator, NUM_KEYPOINTS};

/// Per-keypoint OKS constants of the COCO keypoint benchmark (Lin et al.,
/// cocodataset.org/#keypoints-eval), in COCO-17 order.
pub const COCO_SIGMAS: [f32; NUM_KEYPOINTS] = [
    0.026, 0.025, 0.025, 0.035, 0.035, 0.079, 0.079, 0.072, 0.072, 0.062, 0.062, 0.107, 0.107,
    0.087, 0.087, 0.089, 0.089,
];

/// PCK's threshold as a fraction of the torso diameter.
pub const PCK_ALPHA: f32 = 0.2;

#[derive(Debug, Deserialize)]
pub struct CocoFile {
    pub images: Vec<CocoImage>,
    pub annotations: Vec<CocoAnnotation>,
}

#[derive(Debug, Deserialize)]
pub struct CocoImage {
    pub id: u64,
    pub file_name: String,
}

#[derive(Debug, Deserialize)]
pub struct CocoAnnotation {
    pub image_id: u64,
    /// 17 × (x, y, v); v = 0 not labelled, 1 occluded, 2 visible.
    pub keypoints: Vec<f32>,
    pub num_keypoints: u32,
    /// [x, y, width, height]
    pub bbox: [f32; 4],
    pub area: f32,
}

impl CocoAnnotation {
    /// The ground truth as (x, y, labelled) triples, if it has 17 of them.
    pub fn truth(&self) -> Option<[(f32, f32, bool); NUM_KEYPOINTS]> {
        if self.keypoints.len() != NUM_KEYPOINTS * 3 {
            return None;
        }
        let mut t = [(0.0, 0.0, false); NUM_KEYPOINTS];
        for (i, c) in self.keypoints.chunks_exact(3).enumerate() {
            t[i] = (c[0], c[1], c[2] > 0.0);
        }
        Some(t)
    }
}

type Truth = [(f32, f32, bool); NUM_KEYPOINTS];

/// COCO OKS: the mean over labelled keypoints of
/// `exp(-d² / (2 · area · (2σ)²))`; 0 when nothing is labelled.
pub fn oks(pred: &Keypoints, truth: &Truth, area: f32) -> f32 {
    let area = area.max(1e-6);
    let (mut sum, mut n) = (0.0f32, 0usize);
    for ((&(gx, gy, labelled), p), sigma) in truth.iter().zip(&pred.0).zip(COCO_SIGMAS) {
        if !labelled {
            continue;
        }
        let d2 = (p.x - gx).powi(2) + (p.y - gy).powi(2);
        let k = 2.0 * sigma;
        sum += (-d2 / (2.0 * area * k * k)).exp();
        n += 1;
    }
    if n == 0 {
        0.0
    } else {
        sum / n as f32
    }
}

/// Torso diameter of the annotation: the longer of the two shoulder–
/// opposite-hip diagonals that are labelled; without one, the longer side
/// of the person's box.
pub fn torso_diameter(truth: &Truth, bbox: &[f32; 4]) -> f32 {
    let mut best: Option<f32> = None;
    for (a, b) in [(5, 12), (6, 11)] {
        let (ax, ay, la) = truth[a];
        let (bx, by, lb) = truth[b];
        if la && lb {
            let d = ((ax - bx).powi(2) + (ay - by).powi(2)).sqrt();
            best = Some(best.map_or(d, |x: f32| x.max(d)));
        }
    }
    best.filter(|d| *d > 0.0).unwrap_or(bbox[2].max(bbox[3]))
}

/// PCK@α: the share of labelled keypoints within α × torso diameter of the
/// truth.
pub fn pck(pred: &Keypoints, truth: &Truth, bbox: &[f32; 4], alpha: f32) -> f32 {
    let thr = alpha * torso_diameter(truth, bbox);
    let (mut hit, mut n) = (0usize, 0usize);
    for (&(gx, gy, labelled), p) in truth.iter().zip(&pred.0) {
        if labelled {
            n += 1;
            if ((p.x - gx).powi(2) + (p.y - gy).powi(2)).sqrt() <= thr {
                hit += 1;
            }
        }
    }
    if n == 0 {
        0.0
    } else {
        hit as f32 / n as f32
    }
}

/// The outcome on one image.
#[derive(Clone, Debug)]
pub struct ImageScore {
    pub file: PathBuf,
    /// 0 (and PCK 0) when the pipeline reported no person or failed.
    pub oks: f32,
    pub pck: f32,
    pub person_found: bool,
    pub error: Option<String>,
}

#[derive(Clone, Debug)]
pub struct EvalReport {
    pub images: Vec<ImageScore>,
}

impl EvalReport {
    pub fn mean_oks(&self) -> f32 {
        mean(self.images.iter().map(|i| i.oks))
    }
    pub fn mean_pck(&self) -> f32 {
        mean(self.images.iter().map(|i| i.pck))
    }
}

fn mean(it: impl Iterator<Item = f32>) -> f32 {
    let (s, n) = it.fold((0.0, 0), |(s, n), v| (s + v, n + 1));
    if n == 0 {
        0.0
    } else {
        s / n as f32
    }
}

/// Why an evaluation could not run at all.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error("cannot read {0}: {1}")]
    Read(PathBuf, std::io::Error),
    #[error("{0} is not a COCO keypoints file: {1}")]
    Parse(PathBuf, serde_json::Error),
}

/// Scores `estimator` on every image of a COCO keypoints file that has an
/// annotated person with at least `min_keypoints` labelled keypoints. Image
/// paths are relative to the annotation file's folder. Each image gets one
/// prediction (a single-person model), scored against the eligible
/// annotated person with the best OKS.
pub fn evaluate(
    annotations: &Path,
    estimator: &mut dyn PoseEstimator,
    min_keypoints: u32,
) -> Result<EvalReport, EvalError> {
    let text = std::fs::read_to_string(annotations)
        .map_err(|e| EvalError::Read(annotations.to_path_buf(), e))?;
    let coco: CocoFile =
        serde_json::from_str(&text).map_err(|e| EvalError::Parse(annotations.to_path_buf(), e))?;
    let dir = annotations.parent().unwrap_or(Path::new("."));
    let mut images = Vec::new();
    for im in &coco.images {
        let people: Vec<(Truth, &CocoAnnotation)> = coco
            .annotations
            .iter()
            .filter(|a| a.image_id == im.id && a.num_keypoints >= min_keypoints)
            .filter_map(|a| a.truth().map(|t| (t, a)))
            .collect();
        if people.is_empty() {
            continue;
        }
        let file = dir.join(&im.file_name);
        let mut score = ImageScore {
            file: file.clone(),
            oks: 0.0,
            pck: 0.0,
            person_found: false,
            error: None,
        };
        match load_rgb(&file)
            .map_err(|e| e.to_string())
            .and_then(|img| estimator.estimate(&img).map_err(|e| e.to_string()))
        {
            Err(e) => score.error = Some(e),
            Ok(est) => {
                if let Some(pose) = est.person() {
                    score.person_found = true;
                    let best = people
                        .iter()
                        .map(|(t, a)| (oks(&pose.keypoints, t, a.area), t, a))
                        .max_by(|x, y| x.0.total_cmp(&y.0));
                    if let Some((o, t, a)) = best {
                        score.oks = o;
                        score.pck = pck(&pose.keypoints, t, &a.bbox, PCK_ALPHA);
                    }
                }
            }
        }
        images.push(score);
    }
    Ok(EvalReport { images })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pose::Keypoint;

    fn truth_at(points: &[(usize, f32, f32)]) -> Truth {
        let mut t = [(0.0, 0.0, false); NUM_KEYPOINTS];
        for &(i, x, y) in points {
            t[i] = (x, y, true);
        }
        t
    }

    fn pred_from(t: &Truth, dx: f32) -> Keypoints {
        let mut k = Keypoints::default();
        for (kp, &(x, y, _)) in k.0.iter_mut().zip(t) {
            *kp = Keypoint {
                x: x + dx,
                y,
                confidence: 1.0,
            };
        }
        k
    }

    #[test]
    fn oks_is_one_for_a_perfect_match_and_follows_the_coco_formula() {
        let t = truth_at(&[(0, 100.0, 100.0), (5, 120.0, 150.0)]);
        assert!((oks(&pred_from(&t, 0.0), &t, 5000.0) - 1.0).abs() < 1e-6);
        // 3 px off on both: nose exp(-9/(2·5000·0.052²)), shoulder with σ .079.
        let want = ((-9.0f32 / (2.0 * 5000.0 * 0.052 * 0.052)).exp()
            + (-9.0f32 / (2.0 * 5000.0 * 0.158 * 0.158)).exp())
            / 2.0;
        assert!((oks(&pred_from(&t, 3.0), &t, 5000.0) - want).abs() < 1e-6);
        // Unlabelled keypoints do not count, wherever the prediction is.
        let mut p = pred_from(&t, 0.0);
        p.0[16].x = 1e6;
        assert!((oks(&p, &t, 5000.0) - 1.0).abs() < 1e-6);
        assert_eq!(oks(&p, &truth_at(&[]), 5000.0), 0.0);
    }

    #[test]
    fn pck_uses_the_torso_diagonal_and_falls_back_to_the_box() {
        // Left shoulder (5) to right hip (12): a 30-40-50 diagonal.
        let t = truth_at(&[(5, 0.0, 0.0), (12, 30.0, 40.0), (0, 10.0, -20.0)]);
        assert!((torso_diameter(&t, &[0.0, 0.0, 99.0, 99.0]) - 50.0).abs() < 1e-6);
        // Threshold 10 px: 9.9 px off is a hit, 10.1 is not.
        assert_eq!(pck(&pred_from(&t, 9.9), &t, &[0.0; 4], 0.2), 1.0);
        assert_eq!(pck(&pred_from(&t, 10.1), &t, &[0.0; 4], 0.2), 0.0);
        let head_only = truth_at(&[(0, 10.0, 10.0)]);
        assert!((torso_diameter(&head_only, &[0.0, 0.0, 20.0, 80.0]) - 80.0).abs() < 1e-6);
    }
}
