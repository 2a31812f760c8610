//! `posturecam calibrate`: a personal sitting baseline from frames of good
//! posture.

use std::path::PathBuf;

use clap::Args;

use super::{load_model, ModelArgs, EXIT_OK};
use crate::assess::{Assessor, Baseline};
use crate::capture::{collect_inputs, load_rgb};
use crate::pose::{MoveNet, PoseEstimator};

#[derive(Debug, Args)]
pub struct CalibrateArgs {
    /// Frames (files or folders) of you sitting well, facing the camera.
    #[arg(required = true)]
    pub frames: Vec<PathBuf>,
    /// Where to write the baseline (JSON).
    #[arg(short, long)]
    pub output: PathBuf,
    #[command(flatten)]
    pub model: ModelArgs,
}

pub fn run(args: CalibrateArgs) -> anyhow::Result<i32> {
    let model = load_model(&args.model.model)?;
    let mut est = MoveNet::new(model, args.model.config())?;
    let assessor = Assessor::default();
    let inputs = collect_inputs(&args.frames);
    let mut measures = Vec::new();
    let mut skipped = Vec::new();
    for input in &inputs {
        let why = match load_rgb(&input.path) {
            Err(e) => Some(e.to_string()),
            Ok(img) => match est.estimate(&img)?.person() {
                None => Some("no person".to_string()),
                Some(p) => {
                    let view = crate::analysis::view::estimate_view(
                        &p.keypoints,
                        assessor.config.gate_confidence,
                    );
                    match crate::assess::baseline::measure_front(
                        &p.keypoints,
                        assessor.config.gate_confidence,
                    ) {
                        Some(m) if view.view == crate::analysis::View::Front => {
                            measures.push(m);
                            None
                        }
                        Some(_) => Some(format!("not facing the camera (view: {:?})", view.view)),
                        None => Some("face, ears and shoulders not all visible".to_string()),
                    }
                }
            },
        };
        if let Some(w) = why {
            skipped.push(format!("{}: {w}", input.path.display()));
        }
    }
    for s in &skipped {
        eprintln!("posturecam: skipped {s}");
    }
    let Some(baseline) = Baseline::from_measures(&measures) else {
        anyhow::bail!(
            "no usable frame among {}: calibration needs frames facing the camera with the face, both ears and both shoulders visible",
            inputs.len()
        );
    };
    let text = serde_json::to_string_pretty(&baseline)? + "\n";
    std::fs::write(&args.output, text)
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", args.output.display()))?;
    eprintln!(
        "posturecam: baseline from {} of {} frames written to {}",
        baseline.frames,
        inputs.len(),
        args.output.display()
    );
    Ok(EXIT_OK)
}
