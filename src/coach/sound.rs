//! The alert chime: two soft sine tones synthesised in code (no audio file
//! to ship or decode), played on a background thread through rodio (cpal →
//! ALSA) when `--sound` is on. No audio device → one warning, then silence.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::sync::Arc;

/// The chime's sample rate (Hz); rodio's mixer resamples it to the
/// device's rate.
pub const CHIME_RATE: u32 = 44_100;
/// The two tones (Hz): E5 then A5, a rising perfect fourth, the interval of
/// the classic two-tone "ding-dong" door chime, pleasant rather than urgent.
pub const CHIME_TONES: [f32; 2] = [659.25, 880.0];
/// Each tone lasts this long (s); the chime is the two in turn, 0.4 s.
pub const TONE_S: f32 = 0.2;
/// Peak amplitude (full scale = 1.0): −14 dBFS, well below the level of
/// ordinary system sounds, so the cue is noticed without startling.
pub const CHIME_PEAK: f32 = 0.2;
/// Attack (s): a 5 ms ramp avoids an audible click at each tone's start.
const ATTACK_S: f32 = 0.005;
/// Decay time constant (s) of each tone after the attack (a struck-bell
/// shape).
const DECAY_TAU_S: f32 = 0.08;
/// Release (s): the last 10 ms of each tone fade linearly to exactly zero,
/// so the tone ends without a click.
const RELEASE_S: f32 = 0.01;

/// The chime as mono samples at `sample_rate` Hz: [`CHIME_TONES`] in turn,
/// [`TONE_S`] each, with an attack–decay–release envelope peaking at
/// [`CHIME_PEAK`]. Rates below 8 kHz cannot carry the tones' harmonics
/// cleanly and are refused.
pub fn chime(sample_rate: u32) -> Result<Vec<f32>, String> {
    if sample_rate < 8_000 {
        return Err(format!(
            "sample rate {sample_rate} Hz is too low for the chime (8000 Hz or more)"
        ));
    }
    let rate = sample_rate as f32;
    let per_tone = (TONE_S * rate).round() as usize;
    let mut out = Vec::with_capacity(per_tone * CHIME_TONES.len());
    for freq in CHIME_TONES {
        for i in 0..per_tone {
            let t = i as f32 / rate;
            out.push(CHIME_PEAK * envelope(t, TONE_S) * (std::f32::consts::TAU * freq * t).sin());
        }
    }
    Ok(out)
}

/// The envelope of one tone at time `t` of `len` seconds, in [0, 1].
fn envelope(t: f32, len: f32) -> f32 {
    let attack = (t / ATTACK_S).min(1.0);
    let decay = (-(t - ATTACK_S).max(0.0) / DECAY_TAU_S).exp();
    let release = ((len - t) / RELEASE_S).clamp(0.0, 1.0);
    attack * decay * release
}

/// Plays one sound (mono samples at [`CHIME_RATE`]); made on the player's
/// thread, as audio streams may not move between threads.
pub type PlayFn = Box<dyn FnMut(&[f32])>;
/// Opens the output, on the player's thread.
pub type OpenFn = Box<dyn FnOnce() -> Result<PlayFn, String> + Send>;

/// Plays the chime on request without blocking the caller: a background
/// thread owns the audio device (opened once, at start).
pub struct ChimePlayer {
    tx: SyncSender<()>,
    failed: Arc<AtomicBool>,
}

impl ChimePlayer {
    /// Starts the player on the default output device. If there is none (or
    /// this build has no `sound` feature) it prints one warning and stays
    /// silent; it never retries.
    pub fn start() -> ChimePlayer {
        ChimePlayer::with_output(Box::new(open_device))
    }

    /// Starts the player on the output `open` gives (tests record instead).
    pub fn with_output(open: OpenFn) -> ChimePlayer {
        // One pending chime at most: alerts are already rare, and a chime
        // queued behind another adds nothing.
        let (tx, rx) = mpsc::sync_channel(1);
        let failed = Arc::new(AtomicBool::new(false));
        let failed2 = failed.clone();
        let spawned = std::thread::Builder::new()
            .name("posturecam-chime".into())
            .spawn(move || {
                if let Err(e) = play_loop(rx, open) {
                    failed2.store(true, Ordering::SeqCst);
                    eprintln!("posturecam: warning: no alert sound: {e}");
                }
            });
        if let Err(e) = spawned {
            failed.store(true, Ordering::SeqCst);
            eprintln!("posturecam: warning: no alert sound: cannot start its thread: {e}");
        }
        ChimePlayer { tx, failed }
    }

    /// Asks for the chime; returns at once. Dropped if one is still pending
    /// or the player has failed.
    pub fn play(&self) {
        let _ = self.tx.try_send(());
    }

    /// The player has given up (no device, or no sound support built in):
    /// callers may fall back (the terminal bell).
    pub fn failed(&self) -> bool {
        self.failed.load(Ordering::SeqCst)
    }
}

/// Opens the output, then plays the chime per request until the
/// [`ChimePlayer`] is dropped.
fn play_loop(rx: Receiver<()>, open: OpenFn) -> Result<(), String> {
    let samples = chime(CHIME_RATE)?;
    let mut play = open()?;
    while rx.recv().is_ok() {
        play(&samples);
    }
    Ok(())
}

#[cfg(feature = "sound")]
fn open_device() -> Result<PlayFn, String> {
    use std::num::NonZero;
    let mut sink = rodio::DeviceSinkBuilder::open_default_sink()
        .map_err(|e| format!("cannot open the audio output ({e}); alerts stay silent"))?;
    sink.log_on_drop(false);
    let (Some(channels), Some(rate)) = (NonZero::new(1u16), NonZero::new(CHIME_RATE)) else {
        return Err("bad chime format".into());
    };
    Ok(Box::new(move |samples: &[f32]| {
        // The mixer plays it alongside anything else, resampled to the
        // device's rate; the sink lives as long as this closure.
        sink.mixer().add(rodio::buffer::SamplesBuffer::new(
            channels,
            rate,
            samples.to_vec(),
        ));
    }))
}

#[cfg(not(feature = "sound"))]
fn open_device() -> Result<PlayFn, String> {
    Err("this build has no sound support (built without the `sound` feature)".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;
    use std::time::{Duration, Instant};

    /// Sign changes, ignoring exact zeros.
    fn zero_crossings(s: &[f32]) -> usize {
        let signs: Vec<bool> = s.iter().filter(|v| **v != 0.0).map(|v| *v > 0.0).collect();
        signs.windows(2).filter(|w| w[0] != w[1]).count()
    }

    #[test]
    fn the_chime_lasts_0_4_s_at_any_rate() {
        assert_eq!(chime(44_100).unwrap().len(), 17_640);
        assert_eq!(chime(48_000).unwrap().len(), 19_200);
        assert_eq!(chime(8_000).unwrap().len(), 3_200);
    }

    #[test]
    fn the_chime_is_soft_and_starts_and_ends_silent() {
        let s = chime(CHIME_RATE).unwrap();
        let peak = s.iter().fold(0.0f32, |m, v| m.max(v.abs()));
        assert!(s.iter().all(|v| v.is_finite()));
        // The envelope peaks at 1 after the 5 ms attack; the sine's sampled
        // peak near there is within 2 % of CHIME_PEAK.
        assert!(peak <= 0.2 && peak > 0.196, "peak {peak}");
        let half = s.len() / 2;
        // No clicks: each tone starts and ends at (nearly) zero.
        for edge in [s[0], s[half - 1], s[half], s[s.len() - 1]] {
            assert!(edge.abs() < 1e-3, "edge sample {edge}");
        }
        // It decays: the last 50 ms of each tone are far quieter than its
        // first 50 ms.
        let rms = |x: &[f32]| (x.iter().map(|v| v * v).sum::<f32>() / x.len() as f32).sqrt();
        let w = (0.05 * CHIME_RATE as f32) as usize;
        for tone in [&s[..half], &s[half..]] {
            assert!(rms(&tone[tone.len() - w..]) < 0.2 * rms(&tone[..w]));
        }
    }

    #[test]
    fn the_chime_plays_e5_then_a5() {
        let s = chime(CHIME_RATE).unwrap();
        let half = s.len() / 2;
        // A sine of f Hz crosses zero 2f times a second.
        for (tone, hz) in [(&s[..half], 659.25), (&s[half..], 880.0)] {
            let f = zero_crossings(tone) as f32 / (2.0 * TONE_S);
            assert!((f - hz).abs() < 5.0, "{f} Hz, expected {hz}");
        }
    }

    #[test]
    fn too_low_a_rate_is_an_error_not_a_panic() {
        assert!(chime(0).is_err());
        assert!(chime(7_999).unwrap_err().contains("too low"));
    }

    fn wait_until(cond: impl Fn() -> bool) {
        let t = Instant::now();
        while !cond() && t.elapsed() < Duration::from_secs(5) {
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    #[test]
    fn the_player_plays_the_chime_on_its_own_thread() {
        let played = Arc::new(Mutex::new(Vec::<usize>::new()));
        let p2 = played.clone();
        let p = ChimePlayer::with_output(Box::new(move || {
            Ok(Box::new(move |s: &[f32]| p2.lock().unwrap().push(s.len())) as PlayFn)
        }));
        p.play();
        wait_until(|| !played.lock().unwrap().is_empty());
        assert_eq!(*played.lock().unwrap(), vec![17_640]);
        assert!(!p.failed());
    }

    #[test]
    fn no_device_is_one_failure_and_play_never_blocks() {
        let opened = Arc::new(Mutex::new(0));
        let o2 = opened.clone();
        let p = ChimePlayer::with_output(Box::new(move || {
            *o2.lock().unwrap() += 1;
            Err("no audio device".to_string())
        }));
        wait_until(|| p.failed());
        assert!(p.failed());
        let t = Instant::now();
        for _ in 0..100 {
            p.play();
        }
        assert!(t.elapsed() < Duration::from_millis(200));
        assert_eq!(*opened.lock().unwrap(), 1, "opened once, never retried");
    }
}
