//! From an analysed clip ([`crate::review::ClipAnalysis`]) to the report's
//! plain data: the angle series, the repetitions and annotated key frames.

use super::{annotate_frame, ClipReport, KeyFrame, SeriesPoint};
use crate::assess::AssessConfig;
use crate::review::ClipAnalysis;

/// Builds the report section of one clip: the start, deepest and worst
/// frame of every repetition (the worst only when it differs from the
/// deepest), annotated; or, with no repetition, the frame with the most
/// trunk flexion, so the reader sees what was analysed.
pub fn clip_report(clip: &ClipAnalysis, cfg: &AssessConfig) -> ClipReport {
    let series = clip
        .frames
        .iter()
        .map(|f| SeriesPoint {
            t_s: f.t_s,
            trunk_flexion_deg: f.assessment.as_ref().and_then(|a| a.lifting.trunk_flexion),
            knee_flexion_deg: f.assessment.as_ref().and_then(|a| a.lifting.knee_flexion),
            reba: f.assessment.as_ref().and_then(|a| a.lifting.reba),
        })
        .collect();
    let key = |rep: Option<usize>, label: &str, index: usize| -> Option<KeyFrame> {
        let pos = clip.position_of(index);
        let frame = clip.frames.get(pos)?;
        let mut image = clip.image(pos)?;
        if let Some(p) = &frame.pose {
            let caption = match rep {
                Some(r) => format!("rep {} {label}, {:.2} s", r + 1, frame.t_s),
                None => format!("{label}, {:.2} s", frame.t_s),
            };
            annotate_frame(
                &mut image,
                &p.keypoints,
                frame.assessment.as_ref(),
                cfg,
                &caption,
            );
        }
        Some(KeyFrame {
            rep,
            label: label.to_string(),
            t_s: frame.t_s,
            image,
        })
    };
    let mut key_frames = Vec::new();
    for (i, r) in clip.reps.iter().enumerate() {
        key_frames.extend(key(Some(i), "start", r.start_frame));
        key_frames.extend(key(Some(i), "deepest", r.bottom_frame));
        if r.worst_frame != r.bottom_frame {
            key_frames.extend(key(Some(i), "worst", r.worst_frame));
        }
    }
    if clip.reps.is_empty() {
        let most_bent = clip
            .frames
            .iter()
            .filter_map(|f| {
                let t = f.assessment.as_ref()?.lifting.trunk_flexion?;
                Some((f.index, t))
            })
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(i, _)| (i, "most trunk flexion"));
        let middle = || {
            clip.frames
                .get(clip.frames.len() / 2)
                .map(|f| (f.index, "middle of the clip"))
        };
        if let Some((i, label)) = most_bent.or_else(middle) {
            key_frames.extend(key(None, label, i));
        }
    }
    let mut warnings = clip.warnings.clone();
    let with_person = clip.frames.iter().filter(|f| f.pose.is_some()).count();
    if with_person < clip.frames.len() {
        warnings.push(format!(
            "no person was found in {} of {} frames",
            clip.frames.len() - with_person,
            clip.frames.len()
        ));
    }
    let side = clip
        .frames
        .iter()
        .filter(|f| {
            f.assessment
                .as_ref()
                .map(|a| a.lifting.trunk_flexion.is_some())
                .unwrap_or(false)
        })
        .count();
    if with_person > 0 && side * 2 < with_person {
        warnings.push(
            "the person is seen from the side in only a few frames: film lifts from the side \
             (trunk and knee angles are measured in a side view)"
                .to_string(),
        );
    }
    ClipReport {
        source: clip.source.clone(),
        duration_s: clip.duration_s(),
        frames: clip.frames.len(),
        series,
        reps: clip.reps.clone(),
        key_frames,
        warnings,
        error: None,
    }
}
