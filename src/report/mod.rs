//! The lifting report: one self-contained HTML file per run, over plain
//! data, so a physiotherapist can send it on.
//!
//! Each clip gets a summary (or a clear "No lift was found"), the
//! repetition table with the worst repetition highlighted, an inline SVG
//! plot of trunk and knee flexion with the repetitions shaded, annotated key
//! frames embedded as PNG data URIs, its warnings, and the report ends with
//! the thresholds used and their sources. Inline CSS only: no scripts, no
//! external URLs; all text that comes from outside (file names, warnings,
//! cues) is HTML-escaped.
//!
//! [`render_html`] builds the page; [`annotate_frame`] draws a skeleton
//! coloured by lifting status, with the trunk and knee angles, onto a key
//! frame before it goes into a [`KeyFrame`].

mod clip;
mod draw;
mod format;
mod html;
mod svg;

pub use clip::clip_report;
pub use draw::annotate_frame;
pub use format::escape;
pub use html::{render_html, MAX_EMBED_PX};
pub use svg::{plot_svg, PlotLayout};

use image::RgbImage;

use crate::assess::reps::Repetition;

/// Everything the report shows about one clip.
#[derive(Clone, Debug, Default)]
pub struct ClipReport {
    /// Where the clip came from (a file name or path). Untrusted: escaped.
    pub source: String,
    /// Length of the clip in seconds.
    pub duration_s: f64,
    /// Frames analysed.
    pub frames: usize,
    /// Per-frame angles over time, in time order.
    pub series: Vec<SeriesPoint>,
    /// Lifts found, in time order.
    pub reps: Vec<Repetition>,
    /// Frames to show (e.g. start, deepest and worst of each repetition),
    /// already annotated with [`annotate_frame`].
    pub key_frames: Vec<KeyFrame>,
    /// Anything the reader should know about the analysis (e.g. frames
    /// without a person, a front view). Untrusted: escaped.
    pub warnings: Vec<String>,
    /// Why the clip could not be analysed at all; then only this is shown.
    /// Untrusted: escaped.
    pub error: Option<String>,
}

/// The angles of one analysed frame; None where they could not be measured
/// (no person, or a joint not seen).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct SeriesPoint {
    /// Time from the clip's start, seconds.
    pub t_s: f64,
    /// Trunk inclination from vertical, + forward, degrees.
    pub trunk_flexion_deg: Option<f32>,
    /// Knee flexion, 0 = straight, degrees.
    pub knee_flexion_deg: Option<f32>,
    /// REBA grand score, 1..15.
    pub reba: Option<u8>,
}

/// One frame shown in the report.
#[derive(Clone, Debug)]
pub struct KeyFrame {
    /// Index into [`ClipReport::reps`] of the repetition it belongs to, if
    /// any.
    pub rep: Option<usize>,
    /// What the frame shows, e.g. "start", "deepest", "worst". Untrusted:
    /// escaped.
    pub label: String,
    /// Time of the frame from the clip's start, seconds.
    pub t_s: f64,
    /// The frame, annotated.
    pub image: RgbImage,
}
