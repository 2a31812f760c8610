//! `posturecam eval`: measurements of the tool on annotated data.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::{load_model, ModelArgs, EXIT_OK, EXIT_SOME_FAILED};
use crate::eval::coco;
use crate::pose::{MoveNet, PoseEstimator};

#[derive(Debug, Subcommand)]
pub enum EvalCommand {
    /// Mean OKS and PCK@0.2 on a COCO keypoints annotation file.
    Coco(CocoArgs),
}

#[derive(Debug, Args)]
pub struct CocoArgs {
    /// COCO keypoints JSON; image paths are relative to its folder.
    pub annotations: PathBuf,
    #[command(flatten)]
    pub model: ModelArgs,
    /// Only images with an annotated person with at least this many
    /// labelled keypoints are scored.
    #[arg(long, default_value_t = 5)]
    pub min_keypoints: u32,
    /// Print each image's score too.
    #[arg(short, long)]
    pub verbose: bool,
}

/// Runs one `eval` subcommand.
pub fn run(command: EvalCommand) -> anyhow::Result<i32> {
    match command {
        EvalCommand::Coco(args) => run_coco(args),
    }
}

fn run_coco(args: CocoArgs) -> anyhow::Result<i32> {
    let model = load_model(&args.model.model)?;
    let mut est = MoveNet::new(model, args.model.config())?;
    let report = coco::evaluate(&args.annotations, &mut est, args.min_keypoints)?;
    if args.verbose {
        for im in &report.images {
            println!(
                "{}\tOKS {:.3}\tPCK@0.2 {:.3}{}",
                im.file.display(),
                im.oks,
                im.pck,
                match (&im.error, im.person_found) {
                    (Some(e), _) => format!("\terror: {e}"),
                    (None, false) => "\tno person".to_string(),
                    _ => String::new(),
                }
            );
        }
    }
    println!(
        "{} ({}): {} images, mean OKS {:.3}, PCK@0.2 {:.3}",
        est.model_name(),
        if args.model.no_refine {
            "single pass"
        } else {
            "crop refinement"
        },
        report.images.len(),
        report.mean_oks(),
        report.mean_pck()
    );
    let failed = report.images.iter().filter(|i| i.error.is_some()).count();
    Ok(if failed > 0 {
        EXIT_SOME_FAILED
    } else {
        EXIT_OK
    })
}
