//! Alerts that people keep switched on: only after bad posture has lasted an
//! onset delay, with hysteresis so a moment of good posture does not reset
//! the clock and a moment of bad posture does not raise the banner, quiet
//! while the user is away or has paused.

use serde::{Deserialize, Serialize};

/// What one frame shows, as far as coaching goes.
#[derive(Clone, Debug, PartialEq)]
pub enum Posture {
    Good,
    /// Bad posture, with the cue to give (the most severe finding).
    Bad {
        code: String,
        message: String,
    },
    /// No person in view (or not scorable).
    Away,
    /// The user paused coaching (privacy switch).
    Paused,
}

/// Preset onset delays. Prolonged static postures, not moments, are what
/// RULA's static-load rule (held > 1 minute) and the sitting literature
/// flag; a cue after seconds of drift is early enough to form a habit and
/// late enough not to nag.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Sensitivity {
    /// 20 s onset.
    Gentle,
    /// 10 s onset (default).
    Normal,
    /// 5 s onset.
    Strict,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AlertConfig {
    /// Bad posture must last this long (s) before an alert.
    pub onset_s: f64,
    /// Good posture must last this long (s) to clear the bad state: shorter
    /// good moments neither reset the onset clock nor lower the alert.
    pub clear_s: f64,
    /// While bad posture goes on, alert again after this long (s).
    pub repeat_s: f64,
}

impl AlertConfig {
    pub fn preset(s: Sensitivity) -> AlertConfig {
        let onset_s = match s {
            Sensitivity::Gentle => 20.0,
            Sensitivity::Normal => 10.0,
            Sensitivity::Strict => 5.0,
        };
        AlertConfig {
            onset_s,
            clear_s: 3.0,
            repeat_s: 300.0,
        }
    }
}

impl Default for AlertConfig {
    fn default() -> Self {
        AlertConfig::preset(Sensitivity::Normal)
    }
}

/// What the status banner shows.
#[derive(Clone, Debug, PartialEq)]
pub enum Banner {
    Good,
    /// Bad posture, not yet for the onset delay: a quiet cue.
    Drifting {
        code: String,
        message: String,
        since: f64,
    },
    /// Alerting: bad posture for at least the onset delay.
    Alert {
        code: String,
        message: String,
        since: f64,
    },
    Away,
    Paused,
}

/// An alert to raise (banner flash, sound, notification) and store.
#[derive(Clone, Debug, PartialEq)]
pub struct AlertEvent {
    pub t: f64,
    pub code: String,
    pub message: String,
}

#[derive(Clone, Debug)]
pub struct AlertMachine {
    config: AlertConfig,
    banner: Banner,
    /// Start of the current bad stretch (survives short good moments).
    bad_since: Option<f64>,
    /// Start of the current good stretch.
    good_since: Option<f64>,
    last_alert: Option<f64>,
    last_cue: Option<(String, String)>,
    alerts: u32,
}

impl AlertMachine {
    pub fn new(config: AlertConfig) -> AlertMachine {
        AlertMachine {
            config,
            banner: Banner::Good,
            bad_since: None,
            good_since: None,
            last_alert: None,
            last_cue: None,
            alerts: 0,
        }
    }

    pub fn config(&self) -> &AlertConfig {
        &self.config
    }

    pub fn set_config(&mut self, config: AlertConfig) {
        self.config = config;
    }

    pub fn banner(&self) -> &Banner {
        &self.banner
    }

    /// Alerts raised so far.
    pub fn alert_count(&self) -> u32 {
        self.alerts
    }

    fn clear(&mut self) {
        self.bad_since = None;
        self.good_since = None;
        self.last_alert = None;
        self.last_cue = None;
    }

    /// Feeds one frame at time `t` (seconds, non-decreasing); returns an
    /// alert when one is due.
    pub fn update(&mut self, t: f64, posture: &Posture) -> Option<AlertEvent> {
        if !t.is_finite() {
            return None;
        }
        match posture {
            Posture::Away => {
                self.clear();
                self.banner = Banner::Away;
                None
            }
            Posture::Paused => {
                self.clear();
                self.banner = Banner::Paused;
                None
            }
            Posture::Good => {
                let since = *self.good_since.get_or_insert(t);
                if self.bad_since.is_none() || t - since >= self.config.clear_s {
                    self.clear();
                    self.good_since = Some(since);
                    self.banner = Banner::Good;
                }
                // Otherwise a short good moment: keep the banner and clock.
                None
            }
            Posture::Bad { code, message } => {
                self.good_since = None;
                let since = *self.bad_since.get_or_insert(t);
                self.last_cue = Some((code.clone(), message.clone()));
                let (code, message) = (code.clone(), message.clone());
                if t - since < self.config.onset_s {
                    self.banner = Banner::Drifting {
                        code,
                        message,
                        since,
                    };
                    return None;
                }
                let due = match self.last_alert {
                    None => true,
                    Some(last) => t - last >= self.config.repeat_s,
                };
                self.banner = Banner::Alert {
                    code: code.clone(),
                    message: message.clone(),
                    since,
                };
                if due {
                    self.last_alert = Some(t);
                    self.alerts += 1;
                    Some(AlertEvent { t, code, message })
                } else {
                    None
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bad() -> Posture {
        Posture::Bad {
            code: "forward_head".into(),
            message: "bring your head back".into(),
        }
    }

    /// Runs `frames` (time, posture) and returns the alert times.
    fn run(m: &mut AlertMachine, frames: &[(f64, Posture)]) -> Vec<f64> {
        frames
            .iter()
            .filter_map(|(t, p)| m.update(*t, p))
            .map(|e| e.t)
            .collect()
    }

    fn span(from: f64, to: f64, p: Posture) -> Vec<(f64, Posture)> {
        let n = ((to - from) * 10.0).round() as usize;
        (0..n)
            .map(|i| (from + i as f64 / 10.0, p.clone()))
            .collect()
    }

    #[test]
    fn alerts_only_after_the_onset_delay() {
        let mut m = AlertMachine::new(AlertConfig::default());
        let mut frames = span(0.0, 5.0, Posture::Good);
        frames.extend(span(5.0, 14.9, bad()));
        assert!(run(&mut m, &frames).is_empty());
        assert!(matches!(m.banner(), Banner::Drifting { since, .. } if *since == 5.0));
        let fired = run(&mut m, &span(14.9, 20.0, bad()));
        assert_eq!(fired, vec![15.0]);
        assert!(matches!(m.banner(), Banner::Alert { .. }));
        assert_eq!(m.alert_count(), 1);
    }

    #[test]
    fn short_good_moments_neither_reset_the_clock_nor_flicker_the_banner() {
        let mut m = AlertMachine::new(AlertConfig::default());
        let mut frames = span(0.0, 6.0, bad());
        frames.extend(span(6.0, 8.0, Posture::Good)); // 2 s < clear_s
        frames.extend(span(8.0, 11.0, bad()));
        assert_eq!(run(&mut m, &frames), vec![10.0], "onset counted from 0 s");
        // Good for 2.9 s keeps the alert up; 3 s clears it.
        run(&mut m, &span(11.0, 13.9, Posture::Good));
        assert!(matches!(m.banner(), Banner::Alert { .. }));
        run(&mut m, &span(13.9, 14.1, Posture::Good));
        assert_eq!(m.banner(), &Banner::Good);
        // A fresh bad stretch needs the full onset again.
        assert!(run(&mut m, &span(14.1, 24.0, bad())).is_empty());
        assert_eq!(run(&mut m, &span(24.0, 24.2, bad())), vec![24.1]);
    }

    #[test]
    fn quiet_while_away_or_paused_and_repeats_after_the_interval() {
        let mut m = AlertMachine::new(AlertConfig {
            repeat_s: 30.0,
            ..AlertConfig::default()
        });
        let mut frames = span(0.0, 9.0, bad());
        frames.extend(span(9.0, 60.0, Posture::Away));
        frames.extend(span(60.0, 69.0, bad()));
        frames.extend(span(69.0, 80.0, Posture::Paused));
        assert!(run(&mut m, &frames).is_empty());
        assert_eq!(m.banner(), &Banner::Paused);
        let fired = run(&mut m, &span(80.0, 125.0, bad()));
        assert_eq!(fired, vec![90.0, 120.0]);
    }

    #[test]
    fn sensitivity_presets_set_the_onset() {
        for (s, onset) in [
            (Sensitivity::Gentle, 20.0),
            (Sensitivity::Normal, 10.0),
            (Sensitivity::Strict, 5.0),
        ] {
            let mut m = AlertMachine::new(AlertConfig::preset(s));
            assert_eq!(run(&mut m, &span(0.0, 30.0, bad())), vec![onset]);
        }
    }

    #[test]
    fn nan_time_is_ignored() {
        let mut m = AlertMachine::new(AlertConfig::default());
        assert_eq!(m.update(f64::NAN, &bad()), None);
        assert_eq!(m.banner(), &Banner::Good);
    }
}
