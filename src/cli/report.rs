//! `posturecam report VIDEO... -o report.html`: every clip analysed (on
//! every core, one clip per thread), then one self-contained HTML file.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

use clap::Args;

use crate::cli::{AssessArgs, ModelArgs, EXIT_OK, EXIT_SOME_FAILED};
use crate::pose::MoveNet;
use crate::report::{clip_report, render_html, ClipReport};
use crate::review::ClipAnalysis;
use crate::score::video_tracker;

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Video files (MP4, MOV, MKV, AVI, WebM, …), one report section each.
    #[arg(required = true)]
    pub videos: Vec<PathBuf>,
    /// Where to write the HTML report.
    #[arg(short, long, default_value = "report.html")]
    pub output: PathBuf,
    #[command(flatten)]
    pub model: ModelArgs,
    #[command(flatten)]
    pub assess: AssessArgs,
    /// Clips analysed at once (default: one per core).
    #[arg(short, long)]
    pub jobs: Option<usize>,
    /// No progress bar.
    #[arg(short, long)]
    pub quiet: bool,
}

/// The section for a clip that could not be analysed: it says why.
fn failed_clip(source: String, why: String) -> ClipReport {
    ClipReport {
        source,
        error: Some(why),
        ..ClipReport::default()
    }
}

/// Analyses every clip and writes the report.
pub fn run(args: ReportArgs) -> anyhow::Result<i32> {
    let assessor = args.assess.assessor()?;
    let model = crate::cli::load_model(&args.model.model)?;
    let config = args.model.config();
    // Fail before the long part if the report cannot be written (without
    // touching an existing report).
    let tmp = args.output.with_extension("html.part");
    std::fs::write(&tmp, b"")
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", args.output.display()))?;
    let n = args.videos.len();
    let jobs = args
        .jobs
        .unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
        })
        .clamp(1, n);
    let bar = if args.quiet {
        indicatif::ProgressBar::hidden()
    } else {
        crate::score::progress_bar(0)
    };
    let next = AtomicUsize::new(0);
    let failed = AtomicUsize::new(0);
    let cancel = AtomicBool::new(false);
    let results: Mutex<Vec<Option<ClipReport>>> = Mutex::new(vec![None; n]);
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(path) = args.videos.get(i) else {
                    break;
                };
                let source = path.to_string_lossy().into_owned();
                let report = match MoveNet::new(model.clone(), config) {
                    Err(e) => failed_clip(source, e.to_string()),
                    Ok(net) => {
                        let mut tracker = video_tracker(net);
                        let mut seen = 0u64;
                        let mut progress = |done: usize, total: Option<u64>| {
                            if seen == 0 {
                                bar.inc_length(total.unwrap_or(0));
                            }
                            let done = done as u64;
                            if total.is_none_or(|t| done > t) {
                                bar.inc_length(1);
                            }
                            bar.inc(done - seen);
                            seen = done;
                        };
                        match ClipAnalysis::analyse(
                            path,
                            &mut tracker,
                            &assessor,
                            &mut progress,
                            &cancel,
                        ) {
                            Ok(clip) => clip_report(&clip, &assessor.config),
                            Err(e) => {
                                failed.fetch_add(1, Ordering::Relaxed);
                                failed_clip(source, e.to_string())
                            }
                        }
                    }
                };
                if let Ok(mut r) = results.lock() {
                    r[i] = Some(report);
                }
            });
        }
    });
    bar.finish_and_clear();
    let clips: Vec<ClipReport> = results
        .into_inner()
        .unwrap_or_default()
        .into_iter()
        .flatten()
        .collect();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0);
    let generated = format!("{} UTC", crate::session::store::format_utc(now));
    let html = render_html(&clips, &assessor.config, &generated);
    // Write beside the target and rename, so a failure (a full disk) never
    // leaves a half-written report in its place.
    std::fs::write(&tmp, html.as_bytes())
        .and_then(|_| std::fs::rename(&tmp, &args.output))
        .map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            anyhow::anyhow!("cannot write {}: {e}", args.output.display())
        })?;
    let failed = failed.load(Ordering::Relaxed);
    if !args.quiet {
        let reps: usize = clips.iter().map(|c| c.reps.len()).sum();
        eprintln!(
            "posturecam: {} clip{}, {reps} repetition{} found{}; report written to {}",
            clips.len(),
            if clips.len() == 1 { "" } else { "s" },
            if reps == 1 { "" } else { "s" },
            if failed > 0 {
                format!(", {failed} clip(s) could not be analysed")
            } else {
                String::new()
            },
            args.output.display()
        );
    }
    Ok(if failed > 0 {
        EXIT_SOME_FAILED
    } else {
        EXIT_OK
    })
}
