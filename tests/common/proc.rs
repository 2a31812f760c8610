//! Running the real binary as a user would, with a deadline (a hang is a
//! failure, not a stuck test run), and checking that it did not panic.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use posturecam::score::FrameRecord;

pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_posturecam"))
}

/// Runs `cmd` to completion, killing it and failing the test if it takes
/// longer than `limit_s` seconds.
pub fn run(cmd: &mut Command, limit_s: u64) -> Output {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {cmd:?}: {e}"));
    let mut so = child.stdout.take().unwrap();
    let mut se = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut v = Vec::new();
        so.read_to_end(&mut v).ok();
        v
    });
    let err = std::thread::spawn(move || {
        let mut v = Vec::new();
        se.read_to_end(&mut v).ok();
        v
    });
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > Duration::from_secs(limit_s) {
            child.kill().ok();
            child.wait().ok();
            panic!("hung: {cmd:?} still running after {limit_s} s");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    Output {
        status,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    }
}

/// The process ended by itself (no signal), not with Rust's panic exit
/// status 101, and printed no panic message.
pub fn assert_no_panic(out: &Output) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.code().is_some(),
        "killed by a signal ({:?}): {err}",
        out.status
    );
    assert_ne!(out.status.code(), Some(101), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

/// The `"type": "frame"` records of JSON Lines output (video summaries
/// left out).
pub fn frame_records(stdout: &[u8]) -> Vec<FrameRecord> {
    String::from_utf8_lossy(stdout)
        .lines()
        .filter(|l| !l.contains("\"type\":\"summary\""))
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// `/usr/bin/time -v`-style peak resident set size of `cmd`, in KiB, from
/// GNU time (`-f %M`); `None` (with a message) when GNU time is missing.
pub fn peak_rss_kib(
    program: &Path,
    args: &[&std::ffi::OsStr],
    limit_s: u64,
) -> Option<(Output, u64)> {
    let time = Path::new("/usr/bin/time");
    if !time.exists() {
        eprintln!("skipping the memory measurement: /usr/bin/time (GNU time) is not installed");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("rss");
    let out = run(
        Command::new(time)
            .arg("-f")
            .arg("%M")
            .arg("-o")
            .arg(&report)
            .arg(program)
            .args(args),
        limit_s,
    );
    let text = std::fs::read_to_string(&report).unwrap();
    let kib = text
        .lines()
        .last()
        .and_then(|l| l.trim().parse().ok())
        .unwrap_or_else(|| panic!("unexpected GNU time output: {text:?}"));
    Some((out, kib))
}

/// No panic (as [`assert_no_panic`]) and the exit status `code`; stderr
/// is shown when the status differs.
pub fn assert_exit(out: &Output, code: i32) {
    assert_no_panic(out);
    assert_eq!(
        out.status.code(),
        Some(code),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
