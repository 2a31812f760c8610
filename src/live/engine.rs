//! The live pipeline's per-frame work, free of threads and windows so it
//! can be tested on recorded frames: pose tracking, assessment, alerts, the
//! session summary, calibration, and per-second samples for storage.

use std::time::Instant;

use crate::assess::baseline::{measure_front, FrontMeasures};
use crate::assess::{Assessment, Assessor, Baseline, Severity, SittingClass};
use crate::capture::Frame;
use crate::coach::{
    AlertConfig, AlertEvent, AlertMachine, Banner, Posture, SessionSummary, SummaryBuilder,
};
use crate::pose::{
    EstimatorConfig, MoveNet, OneEuroConfig, Pose, PoseError, PoseModel, PoseTracker,
};
use crate::session::store::{AlertRow, Sample, SessionId, Store};

/// How long calibration records ("sit as you should for 5 seconds").
pub const CALIBRATION_S: f64 = 5.0;
/// Calibration needs a usable frontal measurement in at least this share of
/// its frames.
pub const CALIBRATION_MIN_SHARE: f64 = 0.5;
/// A baseline is stale when, for [`STALE_AFTER_S`], frontal frames keep
/// differing from it by more than this in apparent head size (the camera
/// moved nearer or farther, or someone else sits there) ...
pub const STALE_HEAD_SIZE: f32 = 0.35;
/// ... or by more than this in shoulder tilt (the camera was tilted).
pub const STALE_TILT_DEG: f32 = 15.0;
pub const STALE_AFTER_S: f64 = 20.0;
/// Frames consistent with the baseline for this long clear the notice.
pub const STALE_CLEAR_S: f64 = 5.0;

/// Samples are written to the database at least this often (seconds): a
/// crash loses at most this much plus the second in progress.
pub const FLUSH_EVERY_S: f64 = 2.0;

#[derive(Clone, Debug, PartialEq)]
pub enum Calibration {
    Idle,
    Recording {
        until: f64,
        frames: usize,
        usable: usize,
    },
    Done {
        frames: usize,
    },
    Failed(String),
}

/// What one frame gave.
#[derive(Clone, Debug)]
pub struct FrameResult {
    /// The smoothed pose, when a person is in view.
    pub pose: Option<Pose>,
    pub assessment: Option<Assessment>,
    /// "upright", "slouched", ..., "unscorable", "away" or "paused".
    pub state: &'static str,
    pub banner: Banner,
    pub alert: Option<AlertEvent>,
    pub inference_ms: f32,
    /// Set when the pose model failed on this frame.
    pub error: Option<String>,
}

/// One second of frames, reduced to a stored sample.
#[derive(Debug, Default)]
struct SecondAcc {
    second: Option<i64>,
    states: Vec<&'static str>,
    scores: Vec<f32>,
    rula: Vec<f32>,
    trunk: Vec<f32>,
    neck: Vec<f32>,
    tilt: Vec<f32>,
    head_drop: Vec<f32>,
}

fn mean(v: &[f32]) -> Option<f32> {
    (!v.is_empty()).then(|| v.iter().sum::<f32>() / v.len() as f32)
}

impl SecondAcc {
    fn take(&mut self, wall_start: f64) -> Option<Sample> {
        let second = self.second?;
        // The most frequent state of the second (ties: the first seen).
        let mut best: Option<(&'static str, usize)> = None;
        for s in &self.states {
            let n = self.states.iter().filter(|x| *x == s).count();
            if best.is_none_or(|(_, bn)| n > bn) {
                best = Some((s, n));
            }
        }
        let sample = Sample {
            t: wall_start + second as f64,
            state: best.map(|b| b.0).unwrap_or("away").to_string(),
            score: mean(&self.scores).map(|v| v.round() as u8),
            rula: mean(&self.rula).map(|v| v.round() as u8),
            trunk_inclination: mean(&self.trunk),
            neck_inclination: mean(&self.neck),
            shoulder_tilt: mean(&self.tilt),
            head_drop: mean(&self.head_drop),
        };
        *self = SecondAcc::default();
        Some(sample)
    }
}

/// Where the session is being saved.
struct Saving {
    store: Store,
    session: SessionId,
    /// Closed when the source was lost; the next frame opens a new one.
    open: bool,
    /// Session time of the last attempt to open a new session.
    last_open_try: Option<f64>,
    source: String,
    pending: Vec<Sample>,
    last_flush: f64,
}

/// Samples kept in memory while the database cannot be written (one an
/// hour: an hour of the session), written once it can be again.
pub const MAX_PENDING: usize = 3600;

pub struct LiveEngine {
    tracker: PoseTracker,
    assessor: Assessor,
    alerts: AlertMachine,
    summary: SummaryBuilder,
    paused: bool,
    calibration: Calibration,
    measures: Vec<FrontMeasures>,
    acc: SecondAcc,
    /// Unix time of the source's t = 0.
    wall_start: f64,
    saving: Option<Saving>,
    /// The last storage problem (the session goes on without saving).
    store_error: Option<String>,
    profile: String,
    last_t: f64,
    /// Since when frames have disagreed with the baseline / agreed with it.
    stale_since: Option<f64>,
    fresh_since: Option<f64>,
    stale: bool,
}

/// Seconds since the Unix epoch, now.
pub fn unix_now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

impl LiveEngine {
    pub fn new(
        model: PoseModel,
        assessor: Assessor,
        alerts: AlertConfig,
        profile: &str,
    ) -> Result<LiveEngine, PoseError> {
        let net = MoveNet::new(model, EstimatorConfig::default())?;
        Ok(LiveEngine {
            tracker: PoseTracker::new(net, OneEuroConfig::default()),
            assessor,
            alerts: AlertMachine::new(alerts),
            summary: SummaryBuilder::new(),
            paused: false,
            calibration: Calibration::Idle,
            measures: Vec::new(),
            acc: SecondAcc::default(),
            wall_start: unix_now(),
            saving: None,
            store_error: None,
            profile: profile.to_string(),
            last_t: 0.0,
            stale_since: None,
            fresh_since: None,
            stale: false,
        })
    }

    /// Saves the session to `store` as it runs, and loads the profile's
    /// baseline from it unless one was given.
    pub fn attach_store(&mut self, store: Store, source: &str) -> Result<(), String> {
        if self.assessor.baseline.is_none() {
            if let Ok(Some((b, _))) = store.profile(&self.profile) {
                self.assessor.baseline = Some(b);
            }
        }
        let model = self.tracker.model_name().to_string();
        let session = store
            .start_session(self.wall_start, Some(&self.profile), source, &model)
            .map_err(|e| e.to_string())?;
        self.saving = Some(Saving {
            store,
            session,
            open: true,
            last_open_try: None,
            source: source.to_string(),
            pending: Vec::new(),
            last_flush: 0.0,
        });
        Ok(())
    }

    pub fn session_id(&self) -> Option<SessionId> {
        self.saving.as_ref().map(|s| s.session)
    }

    pub fn store_error(&self) -> Option<&str> {
        self.store_error.as_deref()
    }

    pub fn baseline(&self) -> Option<&Baseline> {
        self.assessor.baseline.as_ref()
    }

    /// The baseline no longer fits what the camera sees: recalibrate.
    pub fn baseline_stale(&self) -> bool {
        self.stale
    }

    fn check_stale(&mut self, t: f64, a: Option<&Assessment>) {
        let Some(d) = a.and_then(|a| a.sitting.baseline) else {
            return;
        };
        if d.leaning_in.abs() > STALE_HEAD_SIZE || d.tilt_change_deg.abs() > STALE_TILT_DEG {
            self.fresh_since = None;
            let since = *self.stale_since.get_or_insert(t);
            if t - since >= STALE_AFTER_S {
                self.stale = true;
            }
        } else {
            self.stale_since = None;
            let since = *self.fresh_since.get_or_insert(t);
            if t - since >= STALE_CLEAR_S {
                self.stale = false;
            }
        }
    }

    pub fn calibration(&self) -> &Calibration {
        &self.calibration
    }

    pub fn alerts(&self) -> &AlertMachine {
        &self.alerts
    }

    pub fn set_alert_config(&mut self, c: AlertConfig) {
        self.alerts.set_config(c);
    }

    pub fn paused(&self) -> bool {
        self.paused
    }

    /// Pauses or resumes coaching at source time `t`. While paused nothing
    /// is analysed; the time counts as "paused".
    pub fn set_paused(&mut self, t: f64, paused: bool) {
        self.paused = paused;
        self.tracker.reset();
        let t = t.max(self.last_t);
        self.record(t, if paused { "paused" } else { "away" }, None);
        self.alerts.update(
            t,
            if paused {
                &Posture::Paused
            } else {
                &Posture::Away
            },
        );
    }

    /// Counts time while paused and no frames come (the camera is
    /// released).
    pub fn tick_paused(&mut self, t: f64) {
        if self.paused && t > self.last_t {
            self.last_t = t;
            self.record(t, "paused", None);
        }
    }

    /// Starts recording a baseline over the next [`CALIBRATION_S`] seconds.
    pub fn start_calibration(&mut self, t: f64) {
        self.measures.clear();
        self.calibration = Calibration::Recording {
            until: t + CALIBRATION_S,
            frames: 0,
            usable: 0,
        };
    }

    pub fn summary(&self, t: f64) -> SessionSummary {
        self.summary.summary(t)
    }

    fn record(&mut self, t: f64, state: &'static str, a: Option<&Assessment>) {
        self.reopen(t);
        let score = a.and_then(|a| a.sitting.score);
        self.summary.add(t, state, score);
        let second = t.floor() as i64;
        if self.acc.second.is_some_and(|s| s != second) {
            if let Some(sample) = self.acc.take(self.wall_start) {
                if let Some(s) = &mut self.saving {
                    s.pending.push(sample);
                }
            }
        }
        self.acc.second = Some(second);
        self.acc.states.push(state);
        if let Some(a) = a {
            let push = |v: &mut Vec<f32>, x: Option<f32>| v.extend(x.filter(|x| x.is_finite()));
            push(&mut self.acc.scores, a.sitting.score.map(f32::from));
            push(&mut self.acc.rula, a.sitting.rula.map(f32::from));
            push(&mut self.acc.trunk, a.angles.trunk_inclination);
            push(&mut self.acc.neck, a.angles.neck_inclination);
            push(&mut self.acc.tilt, a.angles.shoulder_tilt);
            push(
                &mut self.acc.head_drop,
                a.sitting.baseline.map(|d| d.head_drop),
            );
        }
        self.flush(t, false);
    }

    fn flush(&mut self, t: f64, force: bool) {
        let Some(s) = &mut self.saving else { return };
        if !s.open || s.pending.is_empty() || (!force && t - s.last_flush < FLUSH_EVERY_S) {
            return;
        }
        match s.store.add_samples(s.session, &s.pending) {
            Ok(()) => {
                s.pending.clear();
                s.last_flush = t;
                self.store_error = None;
            }
            Err(e) => {
                // Keep coaching; keep the samples to retry, within reason.
                self.store_error = Some(format!("cannot save the session: {e}"));
                s.last_flush = t;
                if s.pending.len() > MAX_PENDING {
                    s.pending.drain(..s.pending.len() - MAX_PENDING);
                }
            }
        }
    }

    fn posture(a: &Assessment) -> Posture {
        match a.sitting.class {
            SittingClass::Upright => Posture::Good,
            SittingClass::Unscorable => Posture::Away,
            _ => match a
                .sitting
                .findings
                .iter()
                .find(|f| f.severity == Severity::Correct)
            {
                Some(f) => Posture::Bad {
                    code: f.code.clone(),
                    message: f.message.clone(),
                },
                None => Posture::Good,
            },
        }
    }

    fn calibrate(&mut self, t: f64, a: Option<&Assessment>, pose: Option<&Pose>) {
        let Calibration::Recording {
            until,
            frames,
            usable,
        } = self.calibration.clone()
        else {
            return;
        };
        let measured = match (a, pose) {
            (Some(a), Some(p)) if a.view.view == crate::analysis::View::Front => {
                measure_front(&p.keypoints, self.assessor.config.gate_confidence)
            }
            _ => None,
        };
        let usable = usable + usize::from(measured.is_some());
        self.measures.extend(measured);
        let frames = frames + 1;
        if t < until {
            self.calibration = Calibration::Recording {
                until,
                frames,
                usable,
            };
            return;
        }
        if (usable as f64) < (frames as f64 * CALIBRATION_MIN_SHARE) || usable == 0 {
            self.calibration = Calibration::Failed(
                "calibration needs you facing the camera, with your face, both ears and both shoulders in view"
                    .into(),
            );
            return;
        }
        let Some(b) = Baseline::from_measures(&self.measures) else {
            return;
        };
        if let Some(s) = &self.saving {
            if let Err(e) = s.store.save_profile(&self.profile, &b, unix_now()) {
                self.store_error = Some(format!("cannot save the baseline: {e}"));
            }
        }
        self.assessor.baseline = Some(b);
        self.calibration = Calibration::Done { frames: usable };
        self.stale = false;
        self.stale_since = None;
    }

    /// Processes one frame.
    pub fn process(&mut self, frame: &Frame) -> FrameResult {
        let t = frame.t.max(self.last_t);
        self.last_t = t;
        if self.paused {
            self.record(t, "paused", None);
            let _ = self.alerts.update(t, &Posture::Paused);
            return self.paused_result(None);
        }
        let start = Instant::now();
        let est = self.tracker.track(&frame.image, t);
        let inference_ms = start.elapsed().as_secs_f32() * 1e3;
        let (pose, error) = match est {
            Ok(e) => (e.person().copied(), None),
            Err(e) => (None, Some(e.to_string())),
        };
        self.judge(t, pose, inference_ms, error)
    }

    /// Processes a pose already estimated (a replay of recorded poses, as
    /// the soak test does), at session time `t`: everything
    /// [`LiveEngine::process`] does after the model.
    pub fn process_pose(&mut self, t: f64, pose: Option<Pose>) -> FrameResult {
        if !t.is_finite() {
            return self.paused_result(None);
        }
        let t = t.max(self.last_t);
        self.last_t = t;
        if self.paused {
            self.record(t, "paused", None);
            let _ = self.alerts.update(t, &Posture::Paused);
            return self.paused_result(None);
        }
        self.judge(t, pose, 0.0, None)
    }

    fn paused_result(&self, error: Option<String>) -> FrameResult {
        FrameResult {
            pose: None,
            assessment: None,
            state: if self.paused { "paused" } else { "away" },
            banner: self.alerts.banner().clone(),
            alert: None,
            inference_ms: 0.0,
            error,
        }
    }

    fn judge(
        &mut self,
        t: f64,
        pose: Option<Pose>,
        inference_ms: f32,
        error: Option<String>,
    ) -> FrameResult {
        let assessment = pose.map(|p| self.assessor.assess(&p.keypoints));
        let state: &'static str = match &assessment {
            None => "away",
            Some(a) => a.sitting.class.as_str(),
        };
        let posture = assessment
            .as_ref()
            .map(Self::posture)
            .unwrap_or(Posture::Away);
        let alert = self.alerts.update(t, &posture);
        if let Some(ev) = &alert {
            self.summary.add_alert();
            if let Some(s) = &self.saving {
                let row = AlertRow {
                    t: self.wall_start + ev.t,
                    code: ev.code.clone(),
                    message: ev.message.clone(),
                };
                if let Err(e) = s.store.add_alert(s.session, &row) {
                    self.store_error = Some(format!("cannot save the alert: {e}"));
                }
            }
        }
        self.record(t, state, assessment.as_ref());
        self.calibrate(t, assessment.as_ref(), pose.as_ref());
        self.check_stale(t, assessment.as_ref());
        FrameResult {
            pose,
            assessment,
            state,
            banner: self.alerts.banner().clone(),
            alert,
            inference_ms,
            error,
        }
    }

    /// Ends the session: the last samples are written and the session
    /// closed in the database.
    pub fn finish(&mut self) {
        self.close_session();
    }

    /// The source (the camera) was lost: the session so far is written and
    /// closed at its last frame, and kept; tracking and alerts start afresh.
    /// The next frame (the source is back) starts a new session in the same
    /// database.
    pub fn source_lost(&mut self) {
        self.close_session();
        self.tracker.reset();
        let t = self.last_t;
        let _ = self.alerts.update(t, &Posture::Away);
    }

    /// Whether a session is open in the database.
    pub fn session_open(&self) -> bool {
        self.saving.as_ref().is_some_and(|s| s.open)
    }

    fn close_session(&mut self) {
        let t = self.last_t;
        if let Some(sample) = self.acc.take(self.wall_start) {
            if let Some(s) = &mut self.saving {
                s.pending.push(sample);
            }
        }
        if !self.session_open() {
            return;
        }
        self.flush(t, true);
        if let Some(s) = &mut self.saving {
            match s.store.end_session(s.session, self.wall_start + t) {
                Ok(()) => s.open = false,
                Err(e) => self.store_error = Some(format!("cannot close the session: {e}")),
            }
        }
    }

    /// After [`LiveEngine::source_lost`], a new session for the frames that
    /// come now (tried at most every [`FLUSH_EVERY_S`] while the database
    /// fails).
    fn reopen(&mut self, t: f64) {
        let Some(s) = &mut self.saving else { return };
        if s.open || s.last_open_try.is_some_and(|l| t - l < FLUSH_EVERY_S) {
            return;
        }
        s.last_open_try = Some(t);
        // What the closed session could not write yet goes first.
        if !s.pending.is_empty() {
            if let Err(e) = s.store.add_samples(s.session, &s.pending) {
                self.store_error = Some(format!("cannot save the session: {e}"));
                return;
            }
            s.pending.clear();
        }
        let model = self.tracker.model_name().to_string();
        let started =
            s.store
                .start_session(self.wall_start + t, Some(&self.profile), &s.source, &model);
        match started {
            Ok(id) => {
                s.session = id;
                s.open = true;
                s.last_flush = t;
            }
            Err(e) => self.store_error = Some(format!("cannot start a new session: {e}")),
        }
    }
}
