//! Playback of analysed clips, as pure state: where the cursor is on a
//! timeline, whether it moves and how fast; and how two clips line up for
//! a before/after comparison. No window and no clock here: the review
//! window feeds [`Player::tick`] the time that passed.

/// The slowest and fastest playback speeds offered (a physiotherapist
/// slows a lift down to see the bottom; 2× skims a long clip).
pub const MIN_SPEED: f64 = 0.25;
pub const MAX_SPEED: f64 = 2.0;
/// The speeds the window offers.
pub const SPEEDS: [f64; 5] = [0.25, 0.5, 1.0, 1.5, 2.0];

/// Two times closer than this are the same instant (well under a frame at
/// any real frame rate).
const EPS: f64 = 1e-6;

/// A clip's frame times, for building a timeline.
#[derive(Clone, Debug, PartialEq)]
pub struct ClipTimes {
    /// Presentation times of the frames, seconds, in order.
    pub times: Vec<f64>,
    /// How long the last frame stays on screen, seconds.
    pub last_frame_s: f64,
}

impl ClipTimes {
    /// Frame times with the last frame shown for one frame period:
    /// `1/fps` when the container states a rate, else the median gap
    /// between frames (0 for a one-frame clip).
    pub fn new(times: Vec<f64>, fps: Option<f64>) -> ClipTimes {
        let times: Vec<f64> = times.into_iter().filter(|t| t.is_finite()).collect();
        let last_frame_s = match fps {
            Some(f) if f.is_finite() && f > 0.0 => 1.0 / f,
            _ => {
                let mut gaps: Vec<f64> = times
                    .windows(2)
                    .map(|w| w[1] - w[0])
                    .filter(|g| *g > 0.0)
                    .collect();
                gaps.sort_by(f64::total_cmp);
                gaps.get(gaps.len() / 2).copied().unwrap_or(0.0)
            }
        };
        ClipTimes {
            times,
            last_frame_s,
        }
    }
}

/// Where each clip sits on the shared timeline: clip time = timeline time
/// − offset.
///
/// Linked and given a repetition in every clip, the clips are shifted so
/// that the chosen repetitions' deepest points (their `bottom_s`) fall at
/// the same timeline instant; otherwise every clip starts together. The
/// offsets are then shifted together so that the earliest clip starts at
/// timeline 0.
pub fn offsets(clips: &[ClipTimes], bottoms: &[Option<f64>], linked: bool) -> Vec<f64> {
    let n = clips.len();
    let aligned = linked
        && n > 1
        && bottoms.len() == n
        && bottoms.iter().all(|b| b.is_some_and(f64::is_finite));
    let mut off: Vec<f64> = if aligned {
        let b0 = bottoms[0].unwrap_or(0.0);
        bottoms.iter().map(|b| b0 - b.unwrap_or(0.0)).collect()
    } else {
        vec![0.0; n]
    };
    let start = clips
        .iter()
        .zip(&off)
        .filter_map(|(c, o)| c.times.first().map(|t| t + o))
        .reduce(f64::min);
    if let Some(s) = start {
        for o in &mut off {
            *o -= s;
        }
    }
    off
}

/// The instants at which some clip shows a new frame, on the timeline
/// (sorted, no duplicates), and the timeline's end (when the last frame of
/// the last clip leaves the screen).
pub fn timeline(clips: &[ClipTimes], offsets: &[f64]) -> (Vec<f64>, f64) {
    let mut events: Vec<f64> = clips
        .iter()
        .zip(offsets)
        .flat_map(|(c, o)| c.times.iter().map(move |t| t + o))
        .filter(|t| t.is_finite())
        .collect();
    events.sort_by(f64::total_cmp);
    events.dedup_by(|a, b| (*a - *b).abs() < EPS);
    let end = clips
        .iter()
        .zip(offsets)
        .filter_map(|(c, o)| c.times.last().map(|t| t + o + c.last_frame_s))
        .reduce(f64::max)
        .unwrap_or(0.0);
    (events, end)
}

/// The repetition shown by default: the first full one (the clip neither
/// starts nor ends during it), else the first.
pub fn default_rep(partial: &[bool]) -> Option<usize> {
    partial
        .iter()
        .position(|p| !p)
        .or((!partial.is_empty()).then_some(0))
}

/// A cursor moving over a timeline of frame instants.
#[derive(Clone, Debug, PartialEq)]
pub struct Player {
    events: Vec<f64>,
    end_s: f64,
    t: f64,
    playing: bool,
    speed: f64,
    /// Start again at the end instead of stopping.
    pub looping: bool,
}

impl Player {
    /// A paused player at the first frame. `events` are the instants
    /// frames change (see [`timeline`]); `end_s` when the last one ends.
    pub fn new(events: Vec<f64>, end_s: f64) -> Player {
        let mut events: Vec<f64> = events.into_iter().filter(|t| t.is_finite()).collect();
        events.sort_by(f64::total_cmp);
        events.dedup_by(|a, b| (*a - *b).abs() < EPS);
        let first = events.first().copied().unwrap_or(0.0);
        let last = events.last().copied().unwrap_or(0.0);
        let end_s = if end_s.is_finite() {
            end_s.max(last)
        } else {
            last
        };
        Player {
            events,
            end_s,
            t: first,
            playing: false,
            speed: 1.0,
            looping: false,
        }
    }

    /// One clip alone: its own times.
    pub fn for_clip(c: &ClipTimes) -> Player {
        let (events, end) = timeline(std::slice::from_ref(c), &[0.0]);
        Player::new(events, end)
    }

    pub fn time(&self) -> f64 {
        self.t
    }
    pub fn playing(&self) -> bool {
        self.playing
    }
    pub fn speed(&self) -> f64 {
        self.speed
    }
    /// The first frame's instant.
    pub fn start_s(&self) -> f64 {
        self.events.first().copied().unwrap_or(0.0)
    }
    /// The last frame's instant (where the cursor rests at the end).
    pub fn last_s(&self) -> f64 {
        self.events.last().copied().unwrap_or(0.0)
    }
    /// When the last frame leaves the screen.
    pub fn end_s(&self) -> f64 {
        self.end_s
    }

    /// Moves the cursor to `t`, within the first and last frames; ignores
    /// a non-finite `t`. Does not change playing.
    pub fn seek(&mut self, t: f64) {
        if t.is_finite() {
            self.t = t.clamp(self.start_s(), self.last_s());
        }
    }

    /// The instant of the frame change at or just before the cursor.
    pub fn snapped(&self) -> f64 {
        let after = self.events.partition_point(|e| *e <= self.t + EPS);
        self.events
            .get(after.saturating_sub(1))
            .copied()
            .unwrap_or(self.t)
    }

    /// Pauses and moves one frame change forward (`forward`) or back.
    pub fn step(&mut self, forward: bool) {
        self.playing = false;
        let now = self.snapped();
        let next = if forward {
            self.events.iter().copied().find(|e| *e > now + EPS)
        } else {
            self.events.iter().rev().copied().find(|e| *e < now - EPS)
        };
        self.t = next.unwrap_or(now);
    }

    pub fn to_start(&mut self) {
        self.t = self.start_s();
    }
    pub fn to_end(&mut self) {
        self.playing = false;
        self.t = self.last_s();
    }

    /// Sets the speed, kept within [`MIN_SPEED`]..=[`MAX_SPEED`]; a
    /// non-finite value is ignored.
    pub fn set_speed(&mut self, s: f64) {
        if s.is_finite() {
            self.speed = s.clamp(MIN_SPEED, MAX_SPEED);
        }
    }

    /// Plays or pauses; playing from the last frame starts again from the
    /// first.
    pub fn set_playing(&mut self, on: bool) {
        if on && self.t >= self.last_s() - EPS {
            self.t = self.start_s();
        }
        self.playing = on && self.events.len() > 1;
    }

    pub fn toggle(&mut self) {
        self.set_playing(!self.playing);
    }

    /// Advances by `dt_s` of wall time at the current speed, when playing.
    /// At the end it starts again (looping) or stops on the last frame.
    /// Returns whether the cursor moved.
    pub fn tick(&mut self, dt_s: f64) -> bool {
        if !(self.playing && dt_s.is_finite() && dt_s > 0.0) {
            return false;
        }
        let before = self.t;
        self.t += dt_s * self.speed;
        if self.t >= self.end_s {
            let len = self.end_s - self.start_s();
            if self.looping && len > EPS {
                self.t = self.start_s() + (self.t - self.end_s) % len;
            } else {
                self.t = self.last_s();
                self.playing = false;
            }
        }
        self.t != before
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clip(n: usize, fps: f64) -> ClipTimes {
        ClipTimes::new((0..n).map(|i| i as f64 / fps).collect(), Some(fps))
    }

    #[test]
    fn last_frame_lasts_one_period_from_fps_or_the_median_gap() {
        assert!((clip(10, 10.0).last_frame_s - 0.1).abs() < 1e-12);
        let c = ClipTimes::new(vec![0.0, 0.04, 0.08, 0.2, f64::NAN], None);
        assert_eq!(c.times.len(), 4);
        assert!((c.last_frame_s - 0.04).abs() < 1e-12);
        assert_eq!(ClipTimes::new(vec![1.0], None).last_frame_s, 0.0);
    }

    #[test]
    fn steps_one_frame_at_a_time_and_stops_at_the_ends() {
        let mut p = Player::for_clip(&clip(10, 10.0));
        assert_eq!((p.start_s(), p.last_s()), (0.0, 0.9));
        assert!((p.end_s() - 1.0).abs() < 1e-12);
        p.step(true);
        assert!((p.time() - 0.1).abs() < 1e-9);
        p.step(true);
        p.step(false);
        assert!((p.time() - 0.1).abs() < 1e-9);
        p.step(false);
        p.step(false);
        assert_eq!(p.time(), 0.0, "no frame before the first");
        p.to_end();
        p.step(true);
        assert!((p.time() - 0.9).abs() < 1e-9, "no frame after the last");
        // Between frames (paused mid-frame), back shows the previous frame.
        p.seek(0.45);
        assert!((p.snapped() - 0.4).abs() < 1e-9);
        p.step(false);
        assert!((p.time() - 0.3).abs() < 1e-9);
        p.seek(0.45);
        p.step(true);
        assert!((p.time() - 0.5).abs() < 1e-9);
    }

    #[test]
    fn seeking_is_clamped_and_ignores_nan() {
        let mut p = Player::for_clip(&clip(10, 10.0));
        p.seek(-3.0);
        assert_eq!(p.time(), 0.0);
        p.seek(42.0);
        assert!((p.time() - 0.9).abs() < 1e-9);
        p.seek(f64::NAN);
        assert!((p.time() - 0.9).abs() < 1e-9);
    }

    #[test]
    fn plays_at_speed_and_stops_on_the_last_frame() {
        let mut p = Player::for_clip(&clip(10, 10.0));
        p.set_speed(0.5);
        p.set_playing(true);
        assert!(p.tick(0.4));
        assert!((p.time() - 0.2).abs() < 1e-9);
        p.set_speed(2.0);
        p.tick(0.3);
        assert!((p.time() - 0.8).abs() < 1e-9);
        assert!(p.playing());
        // 0.8 + 0.2 = 1.0: the last frame has had its time.
        p.tick(0.1);
        assert!(!p.playing());
        assert!((p.time() - 0.9).abs() < 1e-9);
        assert!(!p.tick(0.1), "paused: no movement");
        // Play again from the end: from the start.
        p.toggle();
        assert!(p.playing());
        assert_eq!(p.time(), 0.0);
    }

    #[test]
    fn speed_is_kept_within_a_quarter_and_double() {
        let mut p = Player::for_clip(&clip(3, 10.0));
        p.set_speed(10.0);
        assert_eq!(p.speed(), MAX_SPEED);
        p.set_speed(0.0);
        assert_eq!(p.speed(), MIN_SPEED);
        p.set_speed(f64::INFINITY);
        assert_eq!(p.speed(), MIN_SPEED);
        p.set_speed(1.5);
        assert_eq!(p.speed(), 1.5);
    }

    #[test]
    fn looping_wraps_to_the_start() {
        let mut p = Player::for_clip(&clip(10, 10.0));
        p.looping = true;
        p.seek(0.9);
        p.set_playing(true);
        // set_playing from the last frame restarts.
        assert_eq!(p.time(), 0.0);
        p.tick(1.25);
        assert!(p.playing());
        assert!((p.time() - 0.25).abs() < 1e-9);
    }

    #[test]
    fn a_one_frame_clip_does_not_play() {
        let mut p = Player::for_clip(&clip(1, 10.0));
        p.set_playing(true);
        assert!(!p.playing());
        p.step(true);
        assert_eq!(p.time(), 0.0);
        let empty = Player::new(vec![], f64::NAN);
        assert_eq!(
            (empty.start_s(), empty.last_s(), empty.end_s()),
            (0.0, 0.0, 0.0)
        );
    }

    #[test]
    fn two_clips_line_up_at_their_chosen_bottoms() {
        // A: 3 s at 10 fps, bottom at 2.0 s. B: 4 s at 10 fps, bottom at 0.5 s.
        let (a, b) = (clip(30, 10.0), clip(40, 10.0));
        let off = offsets(&[a.clone(), b.clone()], &[Some(2.0), Some(0.5)], true);
        // B is shifted 1.5 s later; A starts first, at 0.
        assert_eq!(off, vec![0.0, 1.5]);
        // At the timeline instant of A's bottom, B shows its bottom.
        assert!((2.0 - off[0] - 2.0).abs() < 1e-12);
        assert!((2.0 - off[1] - 0.5).abs() < 1e-12);
        let (events, end) = timeline(&[a.clone(), b.clone()], &off);
        // Both clips change frame on the same 0.1 s grid: 0.0..=5.4.
        assert_eq!(events.len(), 55);
        assert!((end - 5.5).abs() < 1e-9);

        // The other way round: B's bottom later, so B starts first.
        let off = offsets(&[a.clone(), b.clone()], &[Some(0.5), Some(2.0)], true);
        assert_eq!(off, vec![1.5, 0.0]);

        // Unlinked, or a clip without a lift: both start together.
        assert_eq!(
            offsets(&[a.clone(), b.clone()], &[Some(2.0), Some(0.5)], false),
            vec![0.0, 0.0]
        );
        assert_eq!(offsets(&[a, b], &[Some(2.0), None], true), vec![0.0, 0.0]);
    }

    #[test]
    fn stepping_a_shared_timeline_moves_one_clip_by_one_frame() {
        // A at 10 fps, B at 4 fps offset by 0.05 s: frame changes interleave.
        let a = clip(5, 10.0);
        let b = clip(2, 4.0);
        let off = [0.0, 0.05];
        let (events, end) = timeline(&[a, b], &off);
        // A: 0, .1, .2, .3, .4; B: .05, .30 (its .25 + .05 meets A's .3).
        let want = [0.0, 0.05, 0.1, 0.2, 0.3, 0.4];
        assert_eq!(events.len(), want.len());
        for (e, w) in events.iter().zip(want) {
            assert!((e - w).abs() < 1e-9, "{events:?}");
        }
        // B's last frame (0.30) lasts 0.25 s.
        assert!((end - 0.55).abs() < 1e-9);
        let mut p = Player::new(events, end);
        p.step(true);
        assert!((p.time() - 0.05).abs() < 1e-9);
        p.step(true);
        assert!((p.time() - 0.1).abs() < 1e-9);
    }

    #[test]
    fn the_default_rep_is_the_first_full_one() {
        assert_eq!(default_rep(&[true, false, false]), Some(1));
        assert_eq!(default_rep(&[true, true]), Some(0));
        assert_eq!(default_rep(&[]), None);
    }
}
