//! `posturecam review`: recorded lifts in a window. Checks every clip can
//! be read before opening the window, so a missing file, a non-video or a
//! missing ffmpeg is a clear error and exit status 1.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use clap::Args;

use super::{load_model, AssessArgs, ModelArgs, EXIT_OK};
use crate::ui::review_app::{ReviewApp, ReviewOptions};

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

/// Opens the review window on the clips.
pub fn run(args: ReviewArgs) -> anyhow::Result<i32> {
    let assessor = args.assess.assessor()?;
    let mut paths = vec![args.video.clone()];
    paths.extend(args.video2.clone());
    let opts = crate::capture::VideoOptions {
        max_side: crate::review::DISPLAY_MAX_SIDE,
    };
    for p in &paths {
        crate::capture::video::probe(p, &opts)?;
    }
    let model = load_model(&args.model.model)?;
    let options = ReviewOptions {
        screenshot: args.screenshot.clone(),
        exit_after_frames: args.exit_after_frames,
        play: args.play,
    };
    let config = args.model.config();
    let result = Arc::new(Mutex::new(None));
    let result2 = result.clone();
    crate::ui::review_app::run(move |ctx| {
        let ctx = ctx.clone();
        let mut app = ReviewApp::new(
            paths,
            model,
            config,
            assessor,
            options,
            Arc::new(move || ctx.request_repaint()),
        );
        app.screenshot_result = result2;
        app
    })
    .map_err(anyhow::Error::msg)?;
    if args.screenshot.is_some() {
        match result.lock().ok().and_then(|mut g| g.take()) {
            Some(Ok(p)) => eprintln!("posturecam: screenshot saved to {}", p.display()),
            Some(Err(e)) => anyhow::bail!("cannot save the screenshot: {e}"),
            None => anyhow::bail!("the window closed before the screenshot was taken"),
        }
    }
    Ok(EXIT_OK)
}
