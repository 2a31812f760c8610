//! The command line: clap definitions and what each subcommand does. The
//! binary only calls [`run`].

use std::ffi::OsString;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::time::Instant;

use clap::{Args, Parser, Subcommand};

use crate::assess::{AssessConfig, Assessor, Baseline};
use crate::capture::{collect_inputs, load_rgb};
use crate::eval::coco;
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
    /// The live desk-posture coach window (the default command).
    Live(Box<LiveArgs>),
    /// List the cameras the system reports.
    Cameras,
    /// List past live sessions.
    History(DbArgs),
    /// Write a past session's per-second samples.
    Export(ExportArgs),
    /// Score images: one JSON Lines (or CSV) record per frame.
    ///
    /// Exit status: 0 when every input was scored (ok or no_person), 2 when
    /// some could not be read (they get "status": "error" records), 1 on a
    /// usage error or when the output cannot be written.
    Score(ScoreArgs),
    /// Analyse lifting videos and write one self-contained HTML report.
    ///
    /// Exit status: 0 when every clip was analysed, 2 when some could not
    /// be (the report says so), 1 on a usage error or when the report
    /// cannot be written.
    Report(crate::report_cli::ReportArgs),
    /// Record a personal sitting baseline from frames of good posture.
    Calibrate(CalibrateArgs),
    /// Print or check the assessment thresholds.
    Config(ConfigArgs),
    /// Measure keypoint accuracy against annotated photos.
    #[command(subcommand)]
    Eval(EvalCommand),
    /// Measure per-frame latency of the pose pipeline.
    Bench(BenchArgs),
    /// Review recorded lifts in a window: play, step and scrub with the
    /// skeleton, the angles over time, the repetitions; two clips side by
    /// side, aligned at their deepest points.
    Review(Box<ReviewArgs>),
}

#[derive(Debug, Args)]
pub struct ReviewArgs {
    /// The video to review.
    pub video: PathBuf,
    /// A second video, shown beside the first (e.g. after training).
    pub video2: Option<PathBuf>,
    #[command(flatten)]
    pub model: ModelArgs,
    #[command(flatten)]
    pub assess: AssessArgs,
    /// Start playing once the clips are analysed.
    #[arg(long)]
    pub play: bool,
    /// Save a PNG of the window after --exit-after-frames repaints, then exit.
    #[arg(long, value_name = "PNG")]
    pub screenshot: Option<PathBuf>,
    /// Exit after this many repaints once the clips are analysed.
    #[arg(long)]
    pub exit_after_frames: Option<u64>,
}

#[derive(Debug, Args)]
pub struct DbArgs {
    /// The session database (default: posturecam.sqlite3 in the platform's
    /// data directory).
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Session id, as `posturecam history` lists it.
    pub session: i64,
    #[arg(long, value_parser = ["csv", "json"], default_value = "csv")]
    pub format: String,
    /// Write here instead of stdout.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub db: DbArgs,
}

#[derive(Debug, Args)]
pub struct LiveArgs {
    /// Drive the window from a video file (played at its own timing) or a
    /// folder of images (or one image, played at --fps) instead of the
    /// camera.
    #[arg(long, value_name = "PATH")]
    pub source: Option<PathBuf>,
    /// With --source: start again at the end.
    #[arg(long = "loop")]
    pub looping: bool,
    /// Camera index (see `posturecam cameras`).
    #[arg(long, default_value_t = 0)]
    pub camera: u32,
    /// Camera resolution, e.g. 640x480.
    #[arg(long, value_parser = parse_resolution)]
    pub resolution: Option<(u32, u32)>,
    /// Camera frame rate; with --source FOLDER, the playback rate (default
    /// 15).
    #[arg(long)]
    pub fps: Option<u32>,
    #[command(flatten)]
    pub model: ModelArgs,
    #[command(flatten)]
    pub assess: AssessArgs,
    #[command(flatten)]
    pub db: DbArgs,
    /// Do not save the session.
    #[arg(long)]
    pub no_save: bool,
    /// The profile whose baseline to use and calibrate.
    #[arg(long, default_value = "default")]
    pub profile: String,
    /// How soon alerts come: gentle (20 s), normal (10 s), strict (5 s).
    #[arg(long, value_enum, default_value = "normal")]
    pub sensitivity: crate::coach::Sensitivity,
    /// Seconds of bad posture before an alert (overrides --sensitivity).
    #[arg(long)]
    pub onset: Option<f64>,
    /// Save a PNG of the window after --exit-after-frames frames, then exit.
    #[arg(long, value_name = "PNG")]
    pub screenshot: Option<PathBuf>,
    /// Exit after this many analysed frames.
    #[arg(long)]
    pub exit_after_frames: Option<u64>,
    /// On an alert, also send a desktop notification (once per episode of
    /// bad posture) and flash the window's taskbar entry.
    #[arg(long)]
    pub notify: bool,
    /// On an alert, also play a soft chime (once per episode of bad
    /// posture); in --no-window mode it replaces the terminal bell.
    #[arg(long)]
    pub sound: bool,
    /// No window: print the coaching cues in the terminal.
    #[arg(long)]
    pub no_window: bool,
}

fn parse_resolution(s: &str) -> Result<(u32, u32), String> {
    let (w, h) = s
        .split_once(['x', 'X'])
        .ok_or("expected WIDTHxHEIGHT, e.g. 640x480")?;
    let w: u32 = w.trim().parse().map_err(|_| format!("bad width in {s}"))?;
    let h: u32 = h.trim().parse().map_err(|_| format!("bad height in {s}"))?;
    if w == 0 || h == 0 || w > 8192 || h > 8192 {
        return Err(format!("{s}: width and height must be 1 to 8192"));
    }
    Ok((w, h))
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

#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// Print the default configuration, with the source of each threshold.
    #[arg(long)]
    pub print_default: bool,
    /// Check a configuration file and print it with defaults filled in.
    #[arg(long, value_name = "FILE", conflicts_with = "print_default")]
    pub check: Option<PathBuf>,
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
    /// Image file to run on, decoded from its bytes in the decode stage
    /// (default: a 640x480 synthetic frame encoded as a JPEG).
    #[arg(long)]
    pub image: Option<PathBuf>,
    /// One JSON object per model instead of the table.
    #[arg(long)]
    pub json: bool,
    /// Also time the model's nodes, per kind of op (tract's plan run with a
    /// timer around each node).
    #[arg(long)]
    pub profile: bool,
    /// Also time each node of the model on its own, in the order they run,
    /// with tract's description of it (shapes, fused steps).
    #[arg(long)]
    pub nodes: bool,
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
        Command::Live(args) => crate::live_cli::run_live(*args),
        Command::Cameras => crate::live_cli::run_cameras(),
        Command::History(args) => crate::live_cli::run_history(args),
        Command::Export(args) => crate::live_cli::run_export(args),
        Command::Score(args) => run_score(args),
        Command::Report(args) => crate::report_cli::run_report(args),
        Command::Calibrate(args) => run_calibrate(args),
        Command::Config(args) => run_config(args),
        Command::Eval(EvalCommand::Coco(args)) => run_eval_coco(args),
        Command::Bench(args) => run_bench(args),
        Command::Review(args) => crate::ui::review_app::run_cli(*args),
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

fn run_config(args: ConfigArgs) -> anyhow::Result<i32> {
    match (&args.check, args.print_default) {
        (Some(p), _) => {
            let cfg = AssessConfig::load(p)?;
            print!("{}", toml::to_string_pretty(&cfg)?);
        }
        (None, true) => print!("{}", crate::assess::config::DEFAULT_TOML),
        (None, false) => anyhow::bail!("say --print-default or --check FILE"),
    }
    Ok(EXIT_OK)
}

fn run_calibrate(args: CalibrateArgs) -> anyhow::Result<i32> {
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

fn parse_positive_f64(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 => Ok(v),
        _ => Err(format!("expected a positive number, got {s:?}")),
    }
}

fn run_score(args: ScoreArgs) -> anyhow::Result<i32> {
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

fn run_bench(args: BenchArgs) -> anyhow::Result<i32> {
    use crate::bench::{encode_jpeg, measure, synthetic_frame, Pipeline};
    let specs = match args.model.as_str() {
        "all" => vec![ModelSpec::Lightning, ModelSpec::Thunder],
        other => vec![other.parse::<ModelSpec>().map_err(anyhow::Error::msg)?],
    };
    // The frame as a file's bytes: decoding them is the first stage.
    let encoded = match &args.image {
        Some(p) => {
            let bytes = std::fs::read(p).map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))?;
            crate::capture::decode_rgb(&bytes)
                .map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))?;
            bytes
        }
        None => encode_jpeg(&synthetic_frame())?,
    };
    let mut printed_header = false;
    for spec in specs {
        let start = Instant::now();
        let model = load_model(&spec)?;
        let load_ms = start.elapsed().as_secs_f64() * 1e3;
        let mut pipeline = Pipeline::new(model, encoded.clone())?;
        let t = measure(&mut pipeline, args.iterations, load_ms)?;
        let (mut profile, mut nodes) = (None, None);
        if args.profile || args.nodes {
            let img = pipeline.decode()?;
            let (input, _) = pipeline.letterbox(&img);
            let model = pipeline.model().clone();
            let mut state = model.new_state()?;
            if args.profile {
                profile = Some(model.profile(&mut state, &input, args.iterations)?);
            }
            if args.nodes {
                nodes = Some(model.profile_nodes(&mut state, &input, args.iterations)?);
            }
        }
        if args.json {
            let mut v = serde_json::to_value(&t)?;
            if let Some(p) = &profile {
                v["profile"] = serde_json::to_value(p)?;
            }
            if let Some(n) = &nodes {
                v["nodes"] = serde_json::to_value(n)?;
            }
            println!("{v}");
            continue;
        }
        if !printed_header {
            println!(
                "posturecam bench: {}x{} frame ({} bytes), median of {} runs, 1 thread",
                t.frame[0], t.frame[1], t.encoded_bytes, t.iterations
            );
            printed_header = true;
        }
        let n = t.input;
        println!("{} ({n}x{n}):", t.model);
        println!("  load + optimise       {:8.1} ms", t.load_ms);
        let stages = [
            ("decode", t.decode_ms),
            ("letterbox", t.letterbox_ms),
            ("inference", t.inference_ms),
            ("keypoints", t.keypoints_ms),
            ("assess", t.assess_ms),
            ("record", t.record_ms),
        ];
        let sum: f64 = stages.iter().map(|s| s.1).sum();
        for (name, ms) in stages {
            // Microseconds matter for the cheap stages: four decimals.
            println!(
                "  {name:<20}{ms:10.4} ms {:5.1}%",
                100.0 * ms / sum.max(f64::MIN_POSITIVE)
            );
        }
        println!("  {:<20}{sum:10.4} ms", "sum of stages");
        println!(
            "  frame, single pass  {:10.4} ms   (bytes to record)",
            t.frame_single_pass_ms
        );
        println!(
            "  frame, refined      {:10.4} ms   ({} passes on this frame)",
            t.frame_refined_ms, t.refined_passes
        );
        if let Some(p) = profile {
            let total: f64 = p.iter().map(|o| o.ms).sum();
            println!("  inference by op (median per run, {total:.3} ms in nodes):");
            for o in p.iter().filter(|o| o.ms >= 0.005) {
                println!(
                    "    {:<28}{:>4} nodes {:9.3} ms {:5.1}%",
                    o.op,
                    o.nodes,
                    o.ms,
                    100.0 * o.ms / total.max(f64::MIN_POSITIVE)
                );
            }
        }
        if let Some(nodes) = nodes {
            let total: f64 = nodes.iter().map(|n| n.ms).sum();
            println!("  inference by node (median per run, {total:.3} ms in nodes):");
            for n in &nodes {
                println!(
                    "    {:>4} {:9.4} ms {:5.1}%  {:<24} {}",
                    n.id,
                    n.ms,
                    100.0 * n.ms / total.max(f64::MIN_POSITIVE),
                    n.op,
                    n.info
                );
            }
        }
    }
    Ok(EXIT_OK)
}
