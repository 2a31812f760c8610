//! The command line. This module holds what every subcommand shares (the
//! top-level parser, the model, assessment and database arguments, the exit
//! codes) and dispatches to one file per subcommand, each a thin layer from
//! its arguments to library calls. Nothing outside `cli` imports from it;
//! the binary only calls [`run`].

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::assess::{AssessConfig, Assessor, Baseline};
use crate::pose::{EstimatorConfig, ModelSpec, PoseModel};
use crate::session::store::Store;

pub mod bench;
pub mod calibrate;
pub mod cameras;
pub mod config;
pub mod eval;
pub mod history;
pub mod live;
pub mod report;
pub mod review;
pub mod score;

/// Exit status: everything went through.
pub const EXIT_OK: i32 = 0;
/// Exit status: bad usage, or the run could not start or write its output.
pub const EXIT_USAGE: i32 = 1;
/// Exit status: the run finished, but some inputs could not be scored.
pub const EXIT_SOME_FAILED: i32 = 2;

#[derive(Debug, Parser)]
#[command(
    name = "posturecam",
    version,
    about = "Posture and lifting-technique assessment from a webcam, videos or photos; \
             pose estimation runs locally (MoveNet in tract)"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The live desk-posture coach window (the default command).
    Live(Box<live::LiveArgs>),
    /// List the cameras the system reports.
    Cameras,
    /// List past live sessions.
    History(DbArgs),
    /// Write a past session's per-second samples.
    Export(history::ExportArgs),
    /// Score images: one JSON Lines (or CSV) record per frame.
    ///
    /// Exit status: 0 when every input was scored (ok or no_person), 2 when
    /// some could not be read (they get "status": "error" records), 1 on a
    /// usage error or when the output cannot be written.
    Score(score::ScoreArgs),
    /// Analyse lifting videos and write one self-contained HTML report.
    ///
    /// Exit status: 0 when every clip was analysed, 2 when some could not
    /// be (the report says so), 1 on a usage error or when the report
    /// cannot be written.
    Report(report::ReportArgs),
    /// Record a personal sitting baseline from frames of good posture.
    Calibrate(calibrate::CalibrateArgs),
    /// Print or check the assessment thresholds.
    Config(config::ConfigArgs),
    /// Measure keypoint accuracy against annotated photos.
    #[command(subcommand)]
    Eval(eval::EvalCommand),
    /// Measure per-frame latency of the pose pipeline.
    Bench(bench::BenchArgs),
    /// Review recorded lifts in a window: play, step and scrub with the
    /// skeleton, the angles over time, the repetitions; two clips side by
    /// side, aligned at their deepest points.
    Review(Box<review::ReviewArgs>),
}

#[derive(Debug, Args)]
pub struct DbArgs {
    /// The session database (default: posturecam.sqlite3 in the platform's
    /// data directory).
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ModelArgs {
    /// lightning (192 px, fast), thunder (256 px, more accurate) or a path
    /// to an .onnx file with MoveNet SinglePose's signature.
    #[arg(long, default_value = "lightning")]
    pub model: ModelSpec,
    /// Skip the second pass on a crop around the person (faster, less
    /// accurate).
    #[arg(long)]
    pub no_refine: bool,
}

impl ModelArgs {
    pub(crate) fn config(&self) -> EstimatorConfig {
        EstimatorConfig {
            refine: !self.no_refine,
            ..EstimatorConfig::default()
        }
    }
}

#[derive(Debug, Args)]
pub struct AssessArgs {
    /// Assessment thresholds (TOML; see `posturecam config --print-default`).
    /// Keys left out keep their defaults.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Personal sitting baseline from `posturecam calibrate`: sitting is
    /// then also judged by deviations from it.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// REBA: load handled, in kg (overrides the config).
    #[arg(long)]
    pub load_kg: Option<f32>,
    /// REBA: hand coupling (overrides the config).
    #[arg(long, value_parser = ["good", "fair", "poor", "unacceptable"])]
    pub coupling: Option<String>,
    /// REBA: activity score 0-3 (overrides the config).
    #[arg(long, value_parser = clap::value_parser!(u8).range(0..=3))]
    pub activity: Option<u8>,
}

impl AssessArgs {
    pub(crate) fn assessor(&self) -> anyhow::Result<Assessor> {
        let mut config = match &self.config {
            Some(p) => AssessConfig::load(p)?,
            None => AssessConfig::default(),
        };
        if let Some(kg) = self.load_kg {
            anyhow::ensure!(
                kg.is_finite() && kg >= 0.0,
                "--load-kg must be a finite weight in kg, 0 or more (got {kg}; \
                 numbers beyond about 3.4e38 do not fit and read as inf)"
            );
            config.lifting.load_kg = kg;
        }
        if let Some(c) = &self.coupling {
            config.lifting.coupling = serde_json::from_value(serde_json::Value::String(c.clone()))?;
        }
        if let Some(a) = self.activity {
            config.lifting.activity = a;
        }
        let baseline = match &self.baseline {
            Some(p) => Some(Baseline::load(p).map_err(anyhow::Error::msg)?),
            None => None,
        };
        Ok(Assessor { config, baseline })
    }
}

/// Parses `args` (including the program name) and runs the command;
/// returns the process exit status.
pub fn run<I, T>(args: I) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { EXIT_USAGE } else { EXIT_OK };
        }
    };
    let command = match cli.command {
        Some(c) => c,
        // No subcommand: the live window with its defaults.
        None => match Cli::try_parse_from(["posturecam", "live"]) {
            Ok(Cli { command: Some(c) }) => c,
            _ => return EXIT_USAGE,
        },
    };
    let result = match command {
        Command::Live(args) => live::run(*args),
        Command::Cameras => cameras::run(),
        Command::History(args) => history::run_history(args),
        Command::Export(args) => history::run_export(args),
        Command::Score(args) => score::run(args),
        Command::Report(args) => report::run(args),
        Command::Calibrate(args) => calibrate::run(args),
        Command::Config(args) => config::run(args),
        Command::Eval(command) => eval::run(command),
        Command::Bench(args) => bench::run(args),
        Command::Review(args) => review::run(*args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("posturecam: error: {e:#}");
            EXIT_USAGE
        }
    }
}

pub(crate) fn load_model(spec: &ModelSpec) -> anyhow::Result<PoseModel> {
    Ok(PoseModel::load(spec)?)
}

/// The session database: `--db`, or the platform's default.
pub(crate) fn db_path(args: &DbArgs) -> anyhow::Result<PathBuf> {
    args.db
        .clone()
        .or_else(Store::default_path)
        .ok_or_else(|| anyhow::anyhow!("no data directory on this system; give --db PATH"))
}

pub(crate) fn parse_positive_f64(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 => Ok(v),
        _ => Err(format!("expected a positive number, got {s:?}")),
    }
}
