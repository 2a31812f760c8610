//! How a session went: time in each state, a per-second score timeline,
//! alerts, the longest good streak and the worst periods.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Longest time one frame may stand for: a longer gap (a stall, a sleep)
/// is not counted as time in any state.
pub const MAX_FRAME_SPAN_S: f64 = 2.0;
/// Length of the windows the worst periods are picked from.
pub const WORST_WINDOW_S: f64 = 60.0;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SessionSummary {
    /// Seconds per state ("upright", "slouched", ..., "away", "paused").
    pub seconds: BTreeMap<String, f64>,
    /// Seconds with a person scored (all states but away, paused and
    /// unscorable).
    pub scored_s: f64,
    pub alerts: u32,
    /// Longest unbroken stretch upright, seconds.
    pub longest_good_streak_s: f64,
    /// (second, mean score) for each second with a score.
    pub timeline: Vec<(f64, f64)>,
    /// Up to three non-overlapping windows of [`WORST_WINDOW_S`] with the
    /// lowest mean score: (start, end, mean score), worst first.
    pub worst_periods: Vec<(f64, f64, f64)>,
}

impl SessionSummary {
    pub fn share(&self, state: &str) -> Option<f64> {
        (self.scored_s > 0.0)
            .then(|| self.seconds.get(state).copied().unwrap_or(0.0) / self.scored_s)
    }
}

fn is_scored(state: &str) -> bool {
    !matches!(state, "away" | "paused" | "unscorable")
}

/// Builds a [`SessionSummary`] from frames as they come.
///
/// Its memory grows with the session's length, not its frame rate: one
/// [`SECOND_BYTES`] entry per second with a score (an 8-hour day at most
/// 0.7 MB), the rest fixed. [`SummaryBuilder::summary`] copies only the
/// fixed part.
#[derive(Clone, Debug, Default)]
pub struct SummaryBuilder {
    start: Option<f64>,
    last: Option<(f64, String)>,
    totals: Totals,
    alerts: u32,
    /// (second index, sum of scores, count), in time order (frames never go
    /// back in time).
    per_second: Vec<(i64, f64, u32)>,
}

/// What one scored second of a session takes in a [`SummaryBuilder`].
pub const SECOND_BYTES: usize = std::mem::size_of::<(i64, f64, u32)>();

/// Time per state and the streak: the part of a summary that does not
/// grow.
#[derive(Clone, Debug, Default)]
struct Totals {
    seconds: BTreeMap<String, f64>,
    streak_start: Option<f64>,
    longest: f64,
}

impl Totals {
    /// The frame at `lt` in `ls` lasted until `t` (at most
    /// [`MAX_FRAME_SPAN_S`]).
    fn span(&mut self, lt: f64, ls: &str, t: f64) {
        let span = (t - lt).min(MAX_FRAME_SPAN_S);
        match self.seconds.get_mut(ls) {
            Some(v) => *v += span,
            None => {
                self.seconds.insert(ls.to_string(), span);
            }
        }
        if ls == "upright" {
            let s = *self.streak_start.get_or_insert(lt);
            // A gap longer than a frame span breaks the streak.
            if t - lt > MAX_FRAME_SPAN_S {
                self.longest = self.longest.max(lt + MAX_FRAME_SPAN_S - s);
                self.streak_start = None;
            } else {
                self.longest = self.longest.max(t - s);
            }
        }
    }
}

impl SummaryBuilder {
    pub fn new() -> SummaryBuilder {
        SummaryBuilder::default()
    }

    /// A frame at `t` seconds in `state`, with its sitting score if scored.
    /// Each frame's state lasts until the next frame (at most
    /// [`MAX_FRAME_SPAN_S`]).
    pub fn add(&mut self, t: f64, state: &str, score: Option<u8>) {
        if !t.is_finite() || self.last.as_ref().is_some_and(|(lt, _)| t < *lt) {
            return;
        }
        self.start.get_or_insert(t);
        if let Some((lt, ls)) = &self.last {
            self.totals.span(*lt, ls, t);
        }
        if state != "upright" {
            self.totals.streak_start = None;
        }
        if let Some(s) = score {
            let second = t.floor() as i64;
            match self.per_second.last_mut() {
                Some(e) if e.0 == second => {
                    e.1 += f64::from(s);
                    e.2 += 1;
                }
                _ => self.per_second.push((second, f64::from(s), 1)),
            }
        }
        match &mut self.last {
            // No new string for each frame in the same state.
            Some((lt, ls)) if ls == state => *lt = t,
            last => *last = Some((t, state.to_string())),
        }
    }

    pub fn add_alert(&mut self) {
        self.alerts += 1;
    }

    /// The summary so far (the last frame counts until `now`).
    pub fn summary(&self, now: f64) -> SessionSummary {
        let mut totals = self.totals.clone();
        if let Some((lt, ls)) = &self.last {
            if now.is_finite() && now > *lt {
                totals.span(*lt, ls, now);
            }
        }
        let scored_s = totals
            .seconds
            .iter()
            .filter(|(k, _)| is_scored(k))
            .map(|(_, v)| v)
            .sum();
        let timeline: Vec<(f64, f64)> = self
            .per_second
            .iter()
            .map(|(s, sum, n)| (*s as f64, sum / f64::from(*n)))
            .collect();
        SessionSummary {
            seconds: totals.seconds,
            scored_s,
            alerts: self.alerts,
            longest_good_streak_s: totals.longest,
            worst_periods: worst_periods(&timeline),
            timeline,
        }
    }
}

/// Up to three non-overlapping windows with the lowest mean score.
fn worst_periods(timeline: &[(f64, f64)]) -> Vec<(f64, f64, f64)> {
    let mut windows: Vec<(f64, f64, f64)> = Vec::new();
    let mut j = 0;
    let mut sum = 0.0;
    for i in 0..timeline.len() {
        while j < timeline.len() && timeline[j].0 < timeline[i].0 + WORST_WINDOW_S {
            sum += timeline[j].1;
            j += 1;
        }
        let n = (j - i) as f64;
        // Only windows mostly filled with scored seconds.
        if n >= WORST_WINDOW_S / 2.0 {
            windows.push((timeline[i].0, timeline[i].0 + WORST_WINDOW_S, sum / n));
        }
        sum -= timeline[i].1;
    }
    windows.sort_by(|a, b| a.2.total_cmp(&b.2).then(a.0.total_cmp(&b.0)));
    let mut picked: Vec<(f64, f64, f64)> = Vec::new();
    for w in windows {
        if picked.len() == 3 {
            break;
        }
        if picked.iter().all(|p| w.1 <= p.0 || w.0 >= p.1) {
            picked.push(w);
        }
    }
    picked
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_adds_up_per_state_and_shares_exclude_away() {
        let mut b = SummaryBuilder::new();
        // 10 fps: 30 s upright, 20 s slouched, 10 s away, 10 s upright.
        let mut t = 0.0;
        for (state, secs, score) in [
            ("upright", 30, 95),
            ("slouched", 20, 40),
            ("away", 10, 0),
            ("upright", 10, 90),
        ] {
            for _ in 0..secs * 10 {
                b.add(t, state, (state != "away").then_some(score));
                t += 0.1;
            }
        }
        b.add_alert();
        let s = b.summary(t);
        let secs = |k: &str| s.seconds.get(k).copied().unwrap_or(0.0);
        assert!((secs("upright") - 40.0).abs() < 1e-6, "{s:?}");
        assert!((secs("slouched") - 20.0).abs() < 1e-6);
        assert!((secs("away") - 10.0).abs() < 1e-6);
        assert!((s.scored_s - 60.0).abs() < 1e-6);
        assert!((s.share("upright").unwrap() - 40.0 / 60.0).abs() < 1e-9);
        assert_eq!(s.alerts, 1);
        assert!((s.longest_good_streak_s - 30.0).abs() < 1e-6);
        assert_eq!(s.timeline.len(), 60);
        // The worst minute is the one holding the whole slouched stretch.
        let (start, _, mean) = s.worst_periods[0];
        assert!(
            (0.0..=30.0).contains(&start) && mean < 80.0,
            "{:?}",
            s.worst_periods
        );
    }

    #[test]
    fn gaps_are_not_counted_and_break_streaks() {
        let mut b = SummaryBuilder::new();
        b.add(0.0, "upright", Some(100));
        b.add(1.0, "upright", Some(100));
        b.add(100.0, "upright", Some(100)); // a 99 s stall
        b.add(101.0, "upright", Some(100));
        let s = b.summary(101.0);
        assert!((s.seconds["upright"] - 4.0).abs() < 1e-9, "{s:?}");
        assert!((s.longest_good_streak_s - 3.0).abs() < 1e-9, "{s:?}");
        // Time going backwards and NaN are ignored.
        b.add(50.0, "slouched", None);
        b.add(f64::NAN, "slouched", None);
        assert!(!b.summary(101.0).seconds.contains_key("slouched"));
    }

    /// An 8-hour day at 30 fps keeps one entry per scored second, not per
    /// frame: 28 800 × 24 bytes, under 0.7 MB.
    #[test]
    fn a_whole_day_keeps_one_entry_per_scored_second() {
        let mut b = SummaryBuilder::new();
        let day_s = 8 * 3600;
        for i in 0..day_s * 30 {
            let t = f64::from(i) / 30.0;
            // Each minute: 50 s upright (scored), 10 s away.
            if (i / 30) % 60 < 50 {
                b.add(t, "upright", Some(90));
            } else {
                b.add(t, "away", None);
            }
        }
        let scored = day_s as usize * 50 / 60;
        assert_eq!(b.per_second.len(), scored);
        assert_eq!(SECOND_BYTES, 24);
        assert!(b.per_second.capacity() * SECOND_BYTES < 2 * 700_000);
        let s = b.summary(f64::from(day_s));
        assert_eq!(s.timeline.len(), scored);
        assert!(
            (s.seconds["upright"] - (scored as f64)).abs() < 1e-3,
            "{s:?}"
        );
        assert!((s.seconds["away"] - (day_s as f64 - scored as f64)).abs() < 1e-3);
        assert!((s.longest_good_streak_s - 50.0).abs() < 0.05, "{s:?}");
        assert!(s.timeline.iter().all(|(_, v)| (*v - 90.0).abs() < 1e-9));
    }

    #[test]
    fn worst_periods_do_not_overlap() {
        let tl: Vec<(f64, f64)> = (0..600)
            .map(|s| {
                (
                    s as f64,
                    if (100..160).contains(&s) || (400..460).contains(&s) {
                        20.0
                    } else {
                        90.0
                    },
                )
            })
            .collect();
        let w = worst_periods(&tl);
        assert_eq!(w.len(), 3);
        assert_eq!((w[0].0, w[0].2), (100.0, 20.0));
        assert_eq!((w[1].0, w[1].2), (400.0, 20.0));
        assert!(w[2].2 > 20.0);
    }
}
