//! `posturecam score`: batch scoring of image files into records, on every
//! core, in input order, one bad file never stopping the run.

pub mod record;
pub mod sink;

use std::collections::BTreeMap;
use std::io;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

use indicatif::{ProgressBar, ProgressStyle};

use crate::assess::Assessor;
use crate::capture::{load_rgb, Input};
use crate::pose::{EstimatorConfig, MoveNet, PoseEstimator, PoseModel};
pub use record::{FrameRecord, Status, SCHEMA_VERSION};
pub use sink::{CsvSink, Format, JsonlSink, RecordSink};

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

/// Scores `inputs` on `jobs` worker threads (each with its own model state
/// over the one shared, optimised model) and writes the records to `sink`
/// in input order as they complete. Stops early only when the sink fails
/// (e.g. the disk is full), returning that error.
pub fn score_inputs(
    inputs: &[Input],
    model: &PoseModel,
    config: EstimatorConfig,
    assessor: &Assessor,
    jobs: usize,
    sink: &mut dyn RecordSink,
    progress: &ProgressBar,
) -> io::Result<ScoreSummary> {
    let jobs = jobs.clamp(1, inputs.len().max(1));
    let next = AtomicUsize::new(0);
    let mut summary = ScoreSummary::default();
    let (tx, rx) = mpsc::sync_channel::<(usize, FrameRecord)>(jobs * 4);
    let result = std::thread::scope(|scope| {
        for _ in 0..jobs {
            let tx = tx.clone();
            let next = &next;
            scope.spawn(move || {
                let mut estimator = MoveNet::new(model.clone(), config);
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(input) = inputs.get(i) else { break };
                    let record = match &mut estimator {
                        Ok(est) => score_input(est, assessor, input),
                        Err(e) => FrameRecord::error(
                            &input.path.to_string_lossy(),
                            model.name(),
                            None,
                            e.to_string(),
                        ),
                    };
                    if tx.send((i, record)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        // Reorder: records arrive as workers finish; write them in order.
        let mut pending = BTreeMap::new();
        let mut want = 0usize;
        for (i, record) in rx {
            pending.insert(i, record);
            while let Some(r) = pending.remove(&want) {
                sink.write(&r)?;
                summary.add(r.status);
                progress.inc(1);
                want += 1;
            }
        }
        sink.finish()
    });
    progress.finish_and_clear();
    result.map(|_| summary)
}
