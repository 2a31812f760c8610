//! `posturecam score`: images and videos scored on every core, one JSON
//! Lines (or CSV) record per frame.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

use clap::Args;

use super::{load_model, parse_positive_f64, AssessArgs, ModelArgs, EXIT_OK, EXIT_SOME_FAILED};
use crate::capture::collect_inputs;
use crate::score::{self, CsvSink, Format, JsonlSink, RecordSink};

#[derive(Debug, Args)]
pub struct ScoreArgs {
    /// Image files, video files and folders (searched recursively, in
    /// sorted order, for .jpg .jpeg .png .webp .bmp .tif .tiff images and
    /// .mp4 .m4v .mov .mkv .webm .avi and other videos).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value = "jsonl")]
    pub format: Format,
    /// Videos: analyse at most this many frames per second of video time
    /// (default: every frame).
    #[arg(long, value_name = "F", value_parser = parse_positive_f64)]
    pub fps: Option<f64>,
    /// Videos: analyse every Nth frame (default: every frame).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub every: Option<u32>,
    /// Videos: also write the repetitions found, one CSV row each, here.
    #[arg(long, value_name = "FILE")]
    pub reps: Option<PathBuf>,
    /// Write the records here instead of stdout.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub model: ModelArgs,
    #[command(flatten)]
    pub assess: AssessArgs,
    /// Worker threads (default: one per core).
    #[arg(short, long)]
    pub jobs: Option<usize>,
    /// No progress bar.
    #[arg(short, long)]
    pub quiet: bool,
}

pub fn run(args: ScoreArgs) -> anyhow::Result<i32> {
    let assessor = args.assess.assessor()?;
    let model = load_model(&args.model.model)?;
    let inputs = collect_inputs(&args.paths);
    if inputs.is_empty() {
        anyhow::bail!("no image or video files found under the paths given");
    }
    let out: Box<dyn Write> = match &args.output {
        Some(p) => {
            Box::new(BufWriter::new(File::create(p).map_err(|e| {
                anyhow::anyhow!("cannot create {}: {e}", p.display())
            })?))
        }
        None => Box::new(BufWriter::new(io::stdout().lock())),
    };
    let mut sink: Box<dyn RecordSink> = match args.format {
        Format::Jsonl => Box::new(JsonlSink::new(out)),
        Format::Csv => Box::new(CsvSink::new(out)),
    };
    if let Some(p) = &args.reps {
        let file =
            File::create(p).map_err(|e| anyhow::anyhow!("cannot create {}: {e}", p.display()))?;
        sink = Box::new(score::RepsCsvSink::new(sink, BufWriter::new(file)));
    }
    let selection = score::FrameSelection {
        fps: args.fps,
        every: args.every.map(|n| n as usize),
    };
    let jobs = args.jobs.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    });
    let bar = if args.quiet {
        indicatif::ProgressBar::hidden()
    } else {
        score::progress_bar(inputs.len())
    };
    let summary = score::score_inputs(
        &inputs,
        &model,
        args.model.config(),
        &assessor,
        selection,
        jobs,
        sink.as_mut(),
        &bar,
    )
    .map_err(|e| {
        let to = args.output.as_ref().map(|p| p.display().to_string());
        anyhow::anyhow!("cannot write to {}: {e}", to.as_deref().unwrap_or("stdout"))
    })?;
    if !args.quiet {
        eprintln!(
            "posturecam: {} frames: {} ok, {} no person, {} errors",
            summary.total(),
            summary.ok,
            summary.no_person,
            summary.errors
        );
    }
    Ok(if summary.errors > 0 {
        EXIT_SOME_FAILED
    } else {
        EXIT_OK
    })
}
