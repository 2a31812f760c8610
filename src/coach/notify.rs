//! Announcing alerts beyond the banner: which alerts to announce
//! ([`AlertEpisodes`]: one per episode) and the desktop notification
//! ([`Notifier`], over D-Bus with notify-rust, on a background thread).

use std::sync::mpsc::{self, Receiver, SyncSender};

use super::alerts::{AlertEvent, Banner};

/// Decides which alerts are announced (sound, desktop notification): the
/// first of each alert episode, i.e. each stretch of bad posture that
/// reached the onset delay. The coach repeats an alert every few minutes
/// while bad posture goes on; those repeats flash the banner but are not
/// announced again, so a notification never nags.
///
/// It is fed by polling the live view (the window's repaints, the terminal
/// loop), so it works from the alert count, which only grows, and the
/// banner: an episode is identified by the start of its bad stretch
/// (`Banner::Alert::since`).
#[derive(Clone, Debug, Default)]
pub struct AlertEpisodes {
    seen: u32,
    /// `since` of the episode last announced, while it lasts.
    episode: Option<f64>,
    announced: u32,
}

impl AlertEpisodes {
    pub fn new() -> AlertEpisodes {
        AlertEpisodes::default()
    }

    /// Episodes announced so far.
    pub fn announced(&self) -> u32 {
        self.announced
    }

    /// Feeds the coach's alert count, banner and last alert; returns the
    /// cue to announce when a new alert starts a new episode.
    pub fn update(
        &mut self,
        alerts: u32,
        banner: &Banner,
        last: Option<&AlertEvent>,
    ) -> Option<String> {
        let new_alert = alerts > self.seen;
        self.seen = self.seen.max(alerts);
        let cue = match banner {
            Banner::Alert { message, since, .. } => {
                let same = self.episode == Some(*since);
                self.episode = Some(*since);
                (new_alert && !same).then(|| message.clone())
            }
            _ => {
                self.episode = None;
                // The alert came and went between two polls: it was still
                // an episode of its own.
                if new_alert {
                    last.map(|e| e.message.clone())
                } else {
                    None
                }
            }
        };
        if cue.is_some() {
            self.announced += 1;
        }
        cue
    }
}

/// The notification's text: "posturecam: " and the cue, capitalised.
pub fn notification_text(cue: &str) -> String {
    let mut c = cue.trim().chars();
    let cue = match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => "Check your posture".to_string(),
    };
    format!("posturecam: {cue}")
}

/// Sends desktop notifications without blocking the caller: a background
/// thread talks to the session bus. The first failure (no session bus, no
/// notification server, or a build without the `notify` feature) prints
/// one warning and ends the thread; later cues are dropped silently, so it
/// never retries in a loop.
pub struct Notifier {
    tx: SyncSender<String>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// Sends one notification text; an error ends the notifier.
pub type SendFn = Box<dyn FnMut(&str) -> Result<(), String> + Send>;

impl Notifier {
    /// A notifier on the desktop's session bus.
    pub fn start() -> Notifier {
        Notifier::with_sender(Box::new(send_desktop))
    }

    /// A notifier that hands each text to `send` on its own thread (tests
    /// use a recording sender).
    pub fn with_sender(send: SendFn) -> Notifier {
        // A few pending cues at most; announcements are one per episode.
        let (tx, rx) = mpsc::sync_channel(4);
        let spawned = std::thread::Builder::new()
            .name("posturecam-notify".into())
            .spawn(move || {
                if let Err(e) = send_loop(rx, send) {
                    eprintln!("posturecam: warning: no desktop notifications: {e}");
                }
            });
        let thread = spawned
            .map_err(|e| {
                eprintln!(
                    "posturecam: warning: no desktop notifications: cannot start its thread: {e}"
                )
            })
            .ok();
        Notifier { tx, thread }
    }

    /// Lets the queued notifications go out (waiting at most `wait`), for
    /// a process about to exit; a stuck bus is left behind.
    pub fn finish(self, wait: std::time::Duration) {
        let Notifier { tx, thread } = self;
        drop(tx);
        let start = std::time::Instant::now();
        if let Some(t) = thread {
            while !t.is_finished() && start.elapsed() < wait {
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
        }
    }

    /// Queues a notification for `cue`; returns at once. Dropped when the
    /// queue is full or the notifier has given up.
    pub fn notify(&self, cue: &str) {
        let _ = self.tx.try_send(notification_text(cue));
    }
}

/// Sends each queued text until the first error, which it returns; ends
/// quietly when the [`Notifier`] is dropped.
fn send_loop(rx: Receiver<String>, mut send: SendFn) -> Result<(), String> {
    while let Ok(text) = rx.recv() {
        send(&text)?;
    }
    Ok(())
}

#[cfg(feature = "notify")]
fn send_desktop(text: &str) -> Result<(), String> {
    notify_rust::Notification::new()
        .appname("posturecam")
        .summary(text)
        .icon("dialog-information")
        .timeout(notify_rust::Timeout::Milliseconds(8_000))
        .show()
        .map(|_| ())
        .map_err(|e| format!("{e}; alerts stay in the window and terminal"))
}

#[cfg(not(feature = "notify"))]
fn send_desktop(_text: &str) -> Result<(), String> {
    Err("this build has no notification support (built without the `notify` feature)".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, Instant};

    fn alert(since: f64, message: &str) -> Banner {
        Banner::Alert {
            code: "forward_head".into(),
            message: message.into(),
            since,
        }
    }

    fn event(t: f64, message: &str) -> AlertEvent {
        AlertEvent {
            t,
            code: "forward_head".into(),
            message: message.into(),
        }
    }

    #[test]
    fn one_announcement_per_episode_not_per_repeat() {
        let mut e = AlertEpisodes::new();
        let drifting = Banner::Drifting {
            code: "forward_head".into(),
            message: "bring your head back".into(),
            since: 0.0,
        };
        assert_eq!(e.update(0, &Banner::Good, None), None);
        assert_eq!(e.update(0, &drifting, None), None);
        // The alert at onset is announced once, however often it is polled.
        let a = alert(0.0, "bring your head back");
        let ev = event(10.0, "bring your head back");
        assert_eq!(
            e.update(1, &a, Some(&ev)).as_deref(),
            Some("bring your head back")
        );
        for _ in 0..10 {
            assert_eq!(e.update(1, &a, Some(&ev)), None);
        }
        // The coach repeats the alert 5 min on, same episode: not announced.
        assert_eq!(e.update(2, &a, Some(&event(310.0, "x"))), None);
        assert_eq!(e.announced(), 1);
        // Good again, then a new bad stretch reaching the onset: announced.
        assert_eq!(e.update(2, &Banner::Good, None), None);
        let b = alert(400.0, "sit back against the chair");
        assert_eq!(
            e.update(3, &b, Some(&event(410.0, "sit back against the chair")))
                .as_deref(),
            Some("sit back against the chair")
        );
        assert_eq!(e.announced(), 2);
    }

    #[test]
    fn a_new_stretch_is_a_new_episode_even_unseen_in_between() {
        // Polled too rarely to see the good moment between two episodes:
        // the stretch's start tells them apart.
        let mut e = AlertEpisodes::new();
        assert!(e.update(1, &alert(0.0, "a"), None).is_some());
        assert!(e.update(2, &alert(50.0, "b"), None).is_some());
        assert_eq!(e.announced(), 2);
    }

    #[test]
    fn an_alert_missed_by_the_poll_is_still_announced() {
        // The alert fired and cleared between two polls (the user sat up
        // within the poll interval): announce the last alert's cue.
        let mut e = AlertEpisodes::new();
        assert_eq!(
            e.update(1, &Banner::Good, Some(&event(10.0, "lift your chin")))
                .as_deref(),
            Some("lift your chin")
        );
        assert_eq!(e.update(1, &Banner::Good, None), None);
    }

    #[test]
    fn away_and_paused_announce_nothing() {
        let mut e = AlertEpisodes::new();
        for b in [Banner::Away, Banner::Paused, Banner::Good] {
            assert_eq!(e.update(0, &b, None), None);
        }
        assert_eq!(e.announced(), 0);
    }

    #[test]
    fn notification_text_names_the_app_and_capitalises_the_cue() {
        assert_eq!(
            notification_text("bring your head back"),
            "posturecam: Bring your head back"
        );
        assert_eq!(notification_text("  "), "posturecam: Check your posture");
    }

    /// A sender that records what it was given and fails from the
    /// `fail_from`-th call on.
    fn recorder(fail_from: usize) -> (SendFn, Arc<Mutex<Vec<String>>>) {
        let got = Arc::new(Mutex::new(Vec::new()));
        let got2 = got.clone();
        let send: SendFn = Box::new(move |t: &str| {
            let mut g = got2.lock().unwrap();
            g.push(t.to_string());
            if g.len() > fail_from {
                Err("no session bus".into())
            } else {
                Ok(())
            }
        });
        (send, got)
    }

    fn wait_for(got: &Arc<Mutex<Vec<String>>>, n: usize) {
        let t = Instant::now();
        while got.lock().unwrap().len() < n && t.elapsed() < Duration::from_secs(5) {
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    #[test]
    fn the_notifier_sends_the_text_on_its_own_thread() {
        let (send, got) = recorder(usize::MAX);
        let n = Notifier::with_sender(send);
        n.notify("bring your head back");
        wait_for(&got, 1);
        assert_eq!(
            *got.lock().unwrap(),
            vec!["posturecam: Bring your head back".to_string()]
        );
    }

    #[test]
    fn after_a_failure_the_notifier_gives_up_without_blocking_or_retrying() {
        let (send, got) = recorder(0);
        let n = Notifier::with_sender(send);
        n.notify("first");
        wait_for(&got, 1);
        std::thread::sleep(Duration::from_millis(50));
        let t = Instant::now();
        for i in 0..100 {
            n.notify(&format!("cue {i}"));
        }
        assert!(t.elapsed() < Duration::from_millis(200));
        std::thread::sleep(Duration::from_millis(50));
        // Tried once; never again.
        assert_eq!(got.lock().unwrap().len(), 1);
    }

    #[test]
    fn a_stuck_bus_does_not_block_the_caller() {
        // A sender that hangs (a notification server that never answers).
        let gate = Arc::new(Mutex::new(()));
        let held = gate.lock().unwrap();
        let gate2 = gate.clone();
        let n = Notifier::with_sender(Box::new(move |_| {
            let _g = gate2.lock();
            Ok(())
        }));
        let t = Instant::now();
        for i in 0..100 {
            n.notify(&format!("cue {i}"));
        }
        assert!(t.elapsed() < Duration::from_millis(200));
        drop(held);
    }
}
