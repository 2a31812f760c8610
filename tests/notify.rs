//! End to end: `posturecam live --no-window --notify --sound` on a recorded
//! slouch sends the alert's cue to the desktop over D-Bus. A private session
//! bus (`dbus-daemon`) stands in for the desktop's and `dbus-monitor`
//! captures the `org.freedesktop.Notifications.Notify` call. No notification
//! server runs on that bus, so the call itself fails: the coach must say so
//! once and carry on. Skips when dbus-daemon or dbus-monitor is missing
//! (Debian package `dbus`; scripts/setup.sh installs it).

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Kills and reaps a helper process when the test ends, even on failure.
struct Reaped(Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(tool).is_file()))
}

/// Collects a child's stdout lines in the background.
fn collect(child: &mut Child) -> Arc<Mutex<String>> {
    let out = Arc::new(Mutex::new(String::new()));
    let out2 = out.clone();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let mut g = out2.lock().unwrap();
            g.push_str(&line);
            g.push('\n');
        }
    });
    out
}

fn wait_for(out: &Arc<Mutex<String>>, what: &str, secs: u64) -> bool {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(secs) {
        if out.lock().unwrap().contains(what) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

/// 1 s upright, 3 s bent forward over the desk, 1 s upright.
fn slouch_frames(dir: &Path) {
    let runs = [
        ("astronaut.png", 10),
        ("camera.png", 30),
        ("astronaut.png", 10),
    ];
    let mut i = 0;
    for (photo, n) in runs {
        for _ in 0..n {
            let to = dir.join(format!("{i:04}.png"));
            let from = common::sample(photo);
            std::fs::hard_link(&from, &to)
                .or_else(|_| std::fs::copy(&from, &to).map(|_| ()))
                .unwrap();
            i += 1;
        }
    }
}

#[test]
fn an_alert_sends_its_cue_as_a_desktop_notification_over_dbus() {
    if !on_path("dbus-daemon") || !on_path("dbus-monitor") {
        eprintln!("SKIPPED: dbus-daemon / dbus-monitor not installed (Debian package dbus)");
        return;
    }
    let mut bus = Reaped(
        Command::new("dbus-daemon")
            .args(["--session", "--print-address", "--nofork"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut address = String::new();
    BufReader::new(bus.0.stdout.take().unwrap())
        .read_line(&mut address)
        .unwrap();
    let address = address.trim().to_string();
    assert!(address.starts_with("unix:"), "bus address {address:?}");

    let mut monitor = Reaped(
        Command::new("dbus-monitor")
            .args([
                "--address",
                &address,
                "type='method_call',interface='org.freedesktop.Notifications',member='Notify'",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let seen = collect(&mut monitor.0);
    // dbus-monitor prints its own NameLost once it has become a monitor.
    assert!(
        wait_for(&seen, "NameLost", 10),
        "dbus-monitor did not start"
    );

    let dir = tempfile::tempdir().unwrap();
    slouch_frames(dir.path());
    let out = Command::new(env!("CARGO_BIN_EXE_posturecam"))
        .args(["live", "--no-window", "--no-save", "--notify", "--sound"])
        .args(["--fps", "10", "--onset", "0.5", "--source"])
        .arg(dir.path())
        .env("DBUS_SESSION_BUS_ADDRESS", &address)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");

    // The coach alerted once, with a cue...
    let alert_lines: Vec<&str> = stdout.lines().filter(|l| l.contains("ALERT: ")).collect();
    assert_eq!(alert_lines.len(), 1, "{stdout}");
    let cue = alert_lines[0].split("ALERT: ").nth(1).unwrap().trim();
    let mut c = cue.chars();
    let capitalised = c.next().unwrap().to_uppercase().collect::<String>() + c.as_str();
    // ...and that cue reached the bus as a notification, exactly once.
    let expected = format!("string \"posturecam: {capitalised}\"");
    assert!(
        wait_for(&seen, &expected, 5),
        "no Notify call with {expected:?} on the bus:\n{}\nposturecam said:\n{stdout}\n{stderr}",
        seen.lock().unwrap()
    );
    let calls = seen.lock().unwrap().matches("member=Notify").count();
    assert_eq!(calls, 1, "one notification per alert episode");
    eprintln!("captured on the bus: {expected}");

    // No notification server on this bus: one warning, and the run went on.
    assert_eq!(
        stderr.matches("no desktop notifications").count(),
        1,
        "{stderr}"
    );
    // The chime: on a machine without audio, one warning and the terminal
    // bell instead; with audio, the chime replaces the bell.
    let no_sound = stderr.matches("no alert sound").count();
    assert!(no_sound <= 1, "{stderr}");
    assert_eq!(alert_lines[0].contains('\x07'), no_sound == 1, "{stderr}");
    drop(monitor);
    drop(bus);
}
