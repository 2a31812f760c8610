//! `posturecam score`: batch scoring of image files into records, on every
//! core, in input order, one bad file never stopping the run.

pub mod record;
pub mod sink;
pub mod video;

use std::collections::BTreeMap;
use std::io;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;

use indicatif::{ProgressBar, ProgressStyle};

use crate::assess::Assessor;
use crate::capture::{is_video, load_rgb, Input};
use crate::pose::{EstimatorConfig, MoveNet, PoseEstimator, PoseModel};
pub use record::{FrameRecord, Status, SummaryRecord, SCHEMA_VERSION};
pub use sink::{CsvSink, Format, JsonlSink, RecordSink, RepsCsvSink};
pub use video::{score_video, video_tracker, FrameSelection, FrameSelector};

/// Counts of a finished run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ScoreSummary {
    pub ok: usize,
    pub no_person: usize,
    pub errors: usize,
}

impl ScoreSummary {
    pub fn total(&self) -> usize {
        self.ok + self.no_person + self.errors
    }
    fn add(&mut self, status: Status) {
        match status {
            Status::Ok => self.ok += 1,
            Status::NoPerson => self.no_person += 1,
            Status::Error => self.errors += 1,
        }
    }
}

/// Scores one input with `estimator`. Never panics: a decoder that panics
/// on a hostile file yields an error record too.
pub fn score_input(estimator: &mut MoveNet, assessor: &Assessor, input: &Input) -> FrameRecord {
    let source = input.path.to_string_lossy().into_owned();
    let model = estimator.model_name().to_string();
    if let Some(e) = &input.error {
        return FrameRecord::error(&source, &model, None, e.clone());
    }
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        let img = load_rgb(&input.path).map_err(|e| (None, e.to_string()))?;
        let size = img.dimensions();
        let est = estimator
            .estimate(&img)
            .map_err(|e| (Some(size), e.to_string()))?;
        Ok::<_, (Option<(u32, u32)>, String)>((size, est))
    }));
    match outcome {
        Ok(Ok((size, est))) => {
            let assessment = est.person().map(|p| assessor.assess(&p.keypoints));
            FrameRecord::analysed(&source, &model, size, &est, assessment.as_ref())
        }
        Ok(Err((size, msg))) => FrameRecord::error(&source, &model, size, msg),
        Err(panic) => {
            let what = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "unknown".into());
            FrameRecord::error(
                &source,
                &model,
                None,
                format!("internal error while decoding: {what}"),
            )
        }
    }
}

/// A progress bar for `n` inputs on stderr; drawn only when stderr is a
/// terminal.
pub fn progress_bar(n: usize) -> ProgressBar {
    let bar = ProgressBar::new(n as u64);
    if let Ok(style) = ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} frames ({per_sec}, eta {eta})",
    ) {
        bar.set_style(style);
    }
    bar
}

/// What a worker hands the writer, tagged with the input's position.
enum Msg {
    Frame(Box<FrameRecord>),
    Summary(SummaryRecord),
    /// Nothing more for this input.
    Done,
}

fn frame(r: FrameRecord) -> Msg {
    Msg::Frame(Box::new(r))
}

/// Scores `inputs` on `jobs` worker threads (each with its own model state
/// over the one shared, optimised model) and writes the records to `sink`
/// in input order as they complete. An image gives one record; a video
/// (recognised by its extension) gives a record per selected frame and a
/// summary, streamed as it is decoded. Stops early only when the sink
/// fails (e.g. the disk is full), returning that error.
#[allow(clippy::too_many_arguments)]
pub fn score_inputs(
    inputs: &[Input],
    model: &PoseModel,
    config: EstimatorConfig,
    assessor: &Assessor,
    selection: FrameSelection,
    jobs: usize,
    sink: &mut dyn RecordSink,
    progress: &ProgressBar,
) -> io::Result<ScoreSummary> {
    let jobs = jobs.clamp(1, inputs.len().max(1));
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let mut summary = ScoreSummary::default();
    let (tx, rx) = mpsc::sync_channel::<(usize, Msg)>(jobs * 16);
    let result = std::thread::scope(|scope| {
        for _ in 0..jobs {
            let tx = tx.clone();
            let (next, stop) = (&next, &stop);
            scope.spawn(move || {
                let mut estimator = MoveNet::new(model.clone(), config);
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(input) = inputs.get(i) else { break };
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let source = input.path.to_string_lossy();
                    let send = |m: Msg| tx.send((i, m)).is_ok();
                    let ok = match &mut estimator {
                        Err(e) => send(frame(FrameRecord::error(
                            &source,
                            model.name(),
                            None,
                            e.to_string(),
                        ))),
                        Ok(_) if input.error.is_none() && is_video(&input.path) => score_one_video(
                            model, config, assessor, input, selection, progress, &send,
                        ),
                        Ok(est) => send(frame(score_input(est, assessor, input))),
                    };
                    if !ok || !send(Msg::Done) {
                        break;
                    }
                }
            });
        }
        drop(tx);
        // Reorder: messages arrive as workers go; write them in input order.
        let mut pending: BTreeMap<usize, Vec<Msg>> = BTreeMap::new();
        let mut want = 0usize;
        let mut write = |m: Msg, summary: &mut ScoreSummary| -> io::Result<bool> {
            match m {
                Msg::Frame(r) => {
                    sink.write(&r)?;
                    summary.add(r.status);
                    progress.inc(1);
                    Ok(false)
                }
                Msg::Summary(s) => {
                    sink.write_summary(&s)?;
                    Ok(false)
                }
                Msg::Done => Ok(true),
            }
        };
        for (i, m) in rx {
            let written = if i == want {
                write(m, &mut summary)
            } else {
                pending.entry(i).or_default().push(m);
                Ok(false)
            };
            let mut done = match written {
                Ok(d) => d,
                Err(e) => {
                    stop.store(true, Ordering::Relaxed);
                    return Err(e);
                }
            };
            while done {
                want += 1;
                done = false;
                for m in pending.remove(&want).unwrap_or_default() {
                    match write(m, &mut summary) {
                        Ok(d) => done |= d,
                        Err(e) => {
                            stop.store(true, Ordering::Relaxed);
                            return Err(e);
                        }
                    }
                }
            }
        }
        sink.finish()
    });
    progress.finish_and_clear();
    result.map(|_| summary)
}

/// A video in a worker: its own tracker, records streamed to `send`.
/// Returns false when the writer has gone.
fn score_one_video(
    model: &PoseModel,
    config: EstimatorConfig,
    assessor: &Assessor,
    input: &Input,
    selection: FrameSelection,
    progress: &ProgressBar,
    send: &dyn Fn(Msg) -> bool,
) -> bool {
    let source = input.path.to_string_lossy();
    let mut tracker = match MoveNet::new(model.clone(), config) {
        Ok(net) => video_tracker(net),
        Err(e) => {
            return send(frame(FrameRecord::error(
                &source,
                model.name(),
                None,
                e.to_string(),
            )))
        }
    };
    let mut alive = true;
    // The bar counted this input as one frame; it has this many.
    let mut on_open = |n: Option<u64>| {
        if let Some(n) = n.filter(|&n| n > 1) {
            progress.inc_length(n - 1);
        }
    };
    let mut emit = |r: FrameRecord| {
        alive = send(frame(r));
        alive
    };
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        score_video(
            &mut tracker,
            assessor,
            &input.path,
            selection,
            &mut on_open,
            &mut emit,
        )
    }));
    if !alive {
        return false;
    }
    match outcome {
        Ok(Ok(summary)) => send(Msg::Summary(summary)),
        Ok(Err(msg)) => send(frame(FrameRecord::error(&source, model.name(), None, msg))),
        Err(_) => send(frame(FrameRecord::error(
            &source,
            model.name(),
            None,
            "internal error while decoding the video".into(),
        ))),
    }
}
