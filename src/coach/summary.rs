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
#[derive(Clone, Debug, Default)]
pub struct SummaryBuilder {
    start: Option<f64>,
    last: Option<(f64, String)>,
    seconds: BTreeMap<String, f64>,
    streak_start: Option<f64>,
    longest: f64,
    alerts: u32,
    /// second index → (sum of scores, count)
    per_second: BTreeMap<i64, (f64, u32)>,
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
        if let Some((lt, ls)) = self.last.take() {
            let span = (t - lt).min(MAX_FRAME_SPAN_S);
            *self.seconds.entry(ls.clone()).or_default() += span;
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
        if state != "upright" {
            self.streak_start = None;
        }
        if let Some(s) = score {
            let e = self.per_second.entry(t.floor() as i64).or_default();
            e.0 += f64::from(s);
            e.1 += 1;
        }
        self.last = Some((t, state.to_string()));
    }

    pub fn add_alert(&mut self) {
        self.alerts += 1;
    }

    /// The summary so far (the last frame counts until `now`).
    pub fn summary(&self, now: f64) -> SessionSummary {
        let mut b = self.clone();
        if let Some((lt, ls)) = &self.last {
            if now.is_finite() && now > *lt {
                b.add(now, &ls.clone(), None);
            }
        }
        let scored_s = b
            .seconds
            .iter()
            .filter(|(k, _)| is_scored(k))
            .map(|(_, v)| v)
            .sum();
        let timeline: Vec<(f64, f64)> = b
            .per_second
            .iter()
            .map(|(s, (sum, n))| (*s as f64, sum / f64::from(*n)))
            .collect();
        SessionSummary {
            seconds: b.seconds,
            scored_s,
            alerts: b.alerts,
            longest_good_streak_s: b.longest,
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
