//! The command line: clap definitions and what each subcommand does. The
//! binary only calls [`run`].

use std::ffi::OsString;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::time::Instant;

use clap::{Args, Parser, Subcommand};

use crate::capture::{collect_inputs, load_rgb};
use crate::eval::coco;
use crate::pose::preprocess::{sample_region, Region};
use crate::pose::{EstimatorConfig, ModelSpec, MoveNet, PoseEstimator, PoseModel};
use crate::score::{self, CsvSink, Format, JsonlSink, RecordSink};

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
    /// The live desk-posture window (the default command).
    Live,
    /// Score images: one JSON Lines (or CSV) record per frame.
    ///
    /// Exit status: 0 when every input was scored (ok or no_person), 2 when
    /// some could not be read (they get "status": "error" records), 1 on a
    /// usage error or when the output cannot be written.
    Score(ScoreArgs),
    /// Measure keypoint accuracy against annotated photos.
    #[command(subcommand)]
    Eval(EvalCommand),
    /// Measure per-frame latency of the pose pipeline.
    Bench(BenchArgs),
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
    fn config(&self) -> EstimatorConfig {
        EstimatorConfig {
            refine: !self.no_refine,
            ..EstimatorConfig::default()
        }
    }
}

#[derive(Debug, Args)]
pub struct ScoreArgs {
    /// Image files and folders (searched recursively for .jpg, .jpeg, .png,
    /// .webp, .bmp, .tif, .tiff, in sorted order).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value = "jsonl")]
    pub format: Format,
    /// Write the records here instead of stdout.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub model: ModelArgs,
    /// Worker threads (default: one per core).
    #[arg(short, long)]
    pub jobs: Option<usize>,
    /// No progress bar.
    #[arg(short, long)]
    pub quiet: bool,
}

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

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// lightning, thunder, or all.
    #[arg(long, default_value = "all")]
    pub model: String,
    /// Timed runs per measurement (after warm-up).
    #[arg(long, default_value_t = 30)]
    pub iterations: usize,
    /// Image to run on (default: a 640x480 synthetic frame).
    #[arg(long)]
    pub image: Option<PathBuf>,
    /// One JSON object per model instead of the table.
    #[arg(long)]
    pub json: bool,
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
    let result = match cli.command.unwrap_or(Command::Live) {
        Command::Live => {
            eprintln!(
                "posturecam: the live window is not yet available in this version.\n\
                 Score photos instead:  posturecam score sample_frames"
            );
            Ok(EXIT_OK)
        }
        Command::Score(args) => run_score(args),
        Command::Eval(EvalCommand::Coco(args)) => run_eval_coco(args),
        Command::Bench(args) => run_bench(args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("posturecam: error: {e:#}");
            EXIT_USAGE
        }
    }
}

fn load_model(spec: &ModelSpec) -> anyhow::Result<PoseModel> {
    Ok(PoseModel::load(spec)?)
}

fn run_score(args: ScoreArgs) -> anyhow::Result<i32> {
    let model = load_model(&args.model.model)?;
    let inputs = collect_inputs(&args.paths);
    if inputs.is_empty() {
        anyhow::bail!("no image files found under the paths given");
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

fn run_eval_coco(args: CocoArgs) -> anyhow::Result<i32> {
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

/// Median of `n` timed runs of `f`, in milliseconds, after two warm-ups.
fn time_ms(n: usize, mut f: impl FnMut() -> anyhow::Result<()>) -> anyhow::Result<f64> {
    for _ in 0..2 {
        f()?;
    }
    let mut t = Vec::with_capacity(n);
    for _ in 0..n.max(1) {
        let start = Instant::now();
        f()?;
        t.push(start.elapsed().as_secs_f64() * 1e3);
    }
    t.sort_by(f64::total_cmp);
    Ok(t[t.len() / 2])
}

fn run_bench(args: BenchArgs) -> anyhow::Result<i32> {
    let specs = match args.model.as_str() {
        "all" => vec![ModelSpec::Lightning, ModelSpec::Thunder],
        other => vec![other.parse::<ModelSpec>().map_err(anyhow::Error::msg)?],
    };
    let img = match &args.image {
        Some(p) => load_rgb(p).map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))?,
        None => image::RgbImage::from_fn(640, 480, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, ((x * y) % 251) as u8])
        }),
    };
    let (w, h) = img.dimensions();
    if !args.json {
        println!(
            "posturecam bench: {w}x{h} frame, median of {} runs, 1 thread",
            args.iterations
        );
    }
    for spec in specs {
        let start = Instant::now();
        let model = load_model(&spec)?;
        let load_ms = start.elapsed().as_secs_f64() * 1e3;
        let size = model.input_size();
        let mut state = model.new_state()?;
        let (input, _) = sample_region(&img, Region::letterbox(w, h), size);
        let pre = time_ms(args.iterations, || {
            std::hint::black_box(sample_region(&img, Region::letterbox(w, h), size));
            Ok(())
        })?;
        let infer = time_ms(args.iterations, || {
            std::hint::black_box(model.infer(&mut state, &input)?);
            Ok(())
        })?;
        let mut single = MoveNet::new(
            model.clone(),
            EstimatorConfig {
                refine: false,
                ..Default::default()
            },
        )?;
        let one = time_ms(args.iterations, || {
            std::hint::black_box(single.estimate(&img)?);
            Ok(())
        })?;
        let mut refined = MoveNet::new(model.clone(), EstimatorConfig::default())?;
        let passes = refined.estimate(&img)?.passes;
        let two = time_ms(args.iterations, || {
            std::hint::black_box(refined.estimate(&img)?);
            Ok(())
        })?;
        if args.json {
            let v = serde_json::json!({
                "model": model.name(), "input": size, "frame": [w, h],
                "load_ms": load_ms, "preprocess_ms": pre, "inference_ms": infer,
                "frame_single_pass_ms": one, "frame_refined_ms": two, "refined_passes": passes,
            });
            println!("{v}");
            continue;
        }
        println!("{} ({size}x{size}):", model.name());
        println!("  load + optimise       {load_ms:8.1} ms");
        println!("  preprocess            {pre:8.2} ms");
        println!("  inference             {infer:8.2} ms   (baseline, 1.00x)");
        println!(
            "  frame, single pass    {one:8.2} ms   ({:.2}x inference)",
            one / infer
        );
        println!(
            "  frame, refined        {two:8.2} ms   ({:.2}x inference, {passes} passes on this frame)",
            two / infer
        );
    }
    Ok(EXIT_OK)
}
