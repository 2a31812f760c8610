//! Faults during a live session, on the real program and the real model:
//! `kill -9`, a read-only database, a full disk, a file-size limit, two
//! instances on one database, and a camera lost mid-session. Each checks
//! that coaching goes on, the user is told, and nothing saved is lost.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use posturecam::assess::Assessor;
use posturecam::capture::{Frame, FrameSource, SourceError};
use posturecam::coach::AlertConfig;
use posturecam::live::engine::{unix_now, FLUSH_EVERY_S};
use posturecam::live::{self, LiveEngine};
use posturecam::pose::{ModelSpec, PoseModel};
use posturecam::session::store::{Sample, SessionRow, Store};
use rusqlite::{Connection, OpenFlags};

const BIN: &str = env!("CARGO_BIN_EXE_posturecam");

/// What a crash may lose: the samples not yet flushed (up to
/// [`FLUSH_EVERY_S`]), the second in progress, and the span of the last
/// saved sample's own second; plus a margin for a slow frame on a loaded
/// machine.
const MAY_LOSE_S: f64 = FLUSH_EVERY_S + 1.0 + 1.0 + 1.5;

/// `posturecam live` without a window on the sample frames, looping at
/// 10 fps, saving to `db`; stderr is collected line by line.
fn live_child(db: &Path, extra: &[&str]) -> (Child, Arc<Mutex<Vec<String>>>) {
    let mut child = Command::new(BIN)
        .args(["live", "--no-window", "--loop", "--fps", "10", "--source"])
        .arg(common::repo().join("sample_frames"))
        .arg("--db")
        .arg(db)
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let lines = Arc::new(Mutex::new(Vec::new()));
    let err = child.stderr.take().unwrap();
    let sink = lines.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(err).lines().map_while(Result::ok) {
            sink.lock().unwrap().push(line);
        }
    });
    (child, lines)
}

/// The newest open session's saved samples and the time of the last one,
/// read without writing anything (0 while there is none).
fn saved(db: &Path) -> (i64, Option<f64>) {
    let Ok(c) = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY) else {
        return (0, None);
    };
    c.query_row(
        "SELECT COUNT(*), MAX(t) FROM samples
         WHERE session_id = (SELECT MAX(id) FROM sessions WHERE ended_at IS NULL)",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .unwrap_or((0, None))
}

fn wait_for(what: &str, timeout_s: u64, f: impl FnMut() -> bool) {
    wait_or(what, timeout_s, f, String::new);
}

/// As [`wait_for`], with `context()` in the failure message.
fn wait_or(what: &str, timeout_s: u64, mut f: impl FnMut() -> bool, context: impl Fn() -> String) {
    let start = Instant::now();
    while !f() {
        assert!(
            start.elapsed() < Duration::from_secs(timeout_s),
            "timed out waiting for {what}; {}",
            context()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn integrity(db: &Path) -> String {
    let c = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    c.query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap()
}

/// Every session with its samples, to compare before and after a fault.
fn snapshot(db: &Path) -> Vec<(SessionRow, Vec<Sample>)> {
    let s = Store::open(db).unwrap();
    s.sessions()
        .unwrap()
        .into_iter()
        .map(|r| {
            let samples = s.samples(r.id).unwrap();
            (r, samples)
        })
        .collect()
}

/// One complete, closed session of 20 analysed frames in `db`: what a
/// fault must not damage.
fn earlier_session(db: &Path) -> Vec<(SessionRow, Vec<Sample>)> {
    let out = Command::new(BIN)
        .args(["live", "--no-window", "--loop", "--fps", "10"])
        .args(["--exit-after-frames", "20", "--source"])
        .arg(common::repo().join("sample_frames"))
        .arg("--db")
        .arg(db)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let snap = snapshot(db);
    assert_eq!(snap.len(), 1);
    assert!(snap[0].0.ended_at.is_some() && snap[0].1.len() >= 2);
    snap
}

/// The seconds saved run without a hole longer than `max_gap_s`.
fn assert_contiguous(samples: &[Sample], max_gap_s: f64) {
    for w in samples.windows(2) {
        assert!(
            w[1].t - w[0].t <= max_gap_s,
            "a hole in the saved samples from {} to {}",
            w[0].t,
            w[1].t
        );
    }
}

#[test]
fn kill_9_mid_session_loses_at_most_the_last_seconds() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.sqlite3");
    let (mut child, _err) = live_child(&db, &[]);
    wait_for("saved samples", 60, || saved(&db).0 >= 4);
    // Kill between two flushes, not right after one.
    std::thread::sleep(Duration::from_millis(1300));
    let killed_at = unix_now();
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();

    assert_eq!(integrity(&db), "ok");
    let out = Command::new(BIN)
        .args(["history", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), 2, "header and one session:\n{text}");

    let snap = snapshot(&db);
    let (row, samples) = &snap[0];
    assert!(row.ended_at.is_none(), "killed, never closed: {row:?}");
    let last = samples.last().unwrap().t;
    assert!(
        killed_at - last <= MAY_LOSE_S,
        "the last saved second began {:.1} s before the kill (at most {MAY_LOSE_S} s may be lost)",
        killed_at - last
    );
    // Its length is the time to its last sample: the run, less what was
    // lost.
    let ran = killed_at - row.started_at;
    assert!(
        row.duration_s >= ran - MAY_LOSE_S - 1.0 && row.duration_s <= ran,
        "{row:?}, ran {ran:.1} s"
    );
    assert_contiguous(samples, 2.0);
    // "never ended" shows the time to the last sample, not zero.
    assert!(!text.contains(" 0s "), "{text}");

    // The database takes a new session as usual, and the killed one stays.
    let out = Command::new(BIN)
        .args(["live", "--no-window", "--loop", "--exit-after-frames", "5"])
        .arg("--source")
        .arg(common::repo().join("sample_frames"))
        .arg("--db")
        .arg(&db)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let after = snapshot(&db);
    assert_eq!(after.len(), 2);
    assert_eq!(&after[1], &snap[0], "the killed session is unchanged");
    assert_eq!(integrity(&db), "ok");
}

/// Runs `cmd`; false (and why, on stderr) when it cannot.
fn try_run(cmd: &mut Command) -> bool {
    match cmd.output() {
        Ok(o) if o.status.success() => true,
        Ok(o) => {
            eprintln!("{cmd:?}: {}", String::from_utf8_lossy(&o.stderr).trim());
            false
        }
        Err(e) => {
            eprintln!("{cmd:?}: {e}");
            false
        }
    }
}

/// `chattr -i` on drop, so the temporary directory can be removed.
struct Immutable(PathBuf);

impl Drop for Immutable {
    fn drop(&mut self) {
        let _ = Command::new("chattr").arg("-i").arg(&self.0).output();
    }
}

/// Tests run as root in CI, and a mode of 0444 does not stop root: the
/// immutable attribute does (it needs CAP_LINUX_IMMUTABLE and a file system
/// that has it, such as ext4; otherwise the test says so and skips).
#[test]
fn a_read_only_database_warns_keeps_coaching_and_is_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.sqlite3");
    let before = earlier_session(&db);
    // Both the file and its folder: SQLite also needs the -wal and -shm
    // files beside it.
    if !try_run(Command::new("chattr").arg("+i").arg(&db)) {
        eprintln!("SKIPPED: cannot set the immutable attribute here (not root, or the file system lacks it)");
        return;
    }
    let _file = Immutable(db.clone());
    assert!(try_run(Command::new("chattr").arg("+i").arg(dir.path())));
    let _dir = Immutable(dir.path().to_path_buf());

    let out = Command::new(BIN)
        .args(["live", "--no-window", "--loop", "--fps", "10"])
        .args(["--exit-after-frames", "15", "--source"])
        .arg(common::repo().join("sample_frames"))
        .arg("--db")
        .arg(&db)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    // Coaching went on: every frame analysed, the cues printed.
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(stdout.contains("frames 15,"), "{stdout}");
    assert!(stdout.contains("good posture") || stdout.contains("drifting"));
    // A warning that names the file and says what to do.
    assert!(
        err.contains("warning")
            && err.contains(&db.display().to_string())
            && err.contains("read-only")
            && err.contains("cannot open")
            && err.contains("--db PATH"),
        "{err}"
    );
    drop(_dir);
    drop(_file);
    assert_eq!(snapshot(&db), before, "nothing saved was changed");
    assert_eq!(integrity(&db), "ok");
}

/// What a fault during a session must leave: the warning given while it
/// lasted, coaching through it, and once it is over, the samples kept in
/// memory saved, so the session has no hole; the earlier session intact.
fn fault_mid_session(
    db: &Path,
    inject: impl FnOnce(u32),
    recover: impl FnOnce(u32),
    warning: &str,
) {
    let before = earlier_session(db);
    let (mut child, err) = live_child(db, &[]);
    let stderr = || format!("stderr: {:?}", err.lock().unwrap());
    wait_or("saved samples", 60, || saved(db).0 >= 3, stderr);
    inject(child.id());
    let faulted_at = unix_now();
    wait_or(
        "the warning",
        20,
        || {
            // Killed by SIGXFSZ, say, rather than told.
            if let Some(status) = child.try_wait().unwrap() {
                panic!("the program died ({status}); {}", stderr());
            }
            err.lock().unwrap().iter().any(|l| l.contains(warning))
        },
        stderr,
    );
    let (n_during, last_during) = saved(db);
    // The fault lasts a few seconds, during which nothing more is saved
    // and the program keeps running.
    std::thread::sleep(Duration::from_secs(4));
    assert!(
        child.try_wait().unwrap().is_none(),
        "the program died: {}",
        stderr()
    );
    assert_eq!(
        saved(db),
        (n_during, last_during),
        "nothing saved during the fault; {}",
        stderr()
    );
    recover(child.id());
    let recovered_at = unix_now();
    wait_or(
        "saving again",
        30,
        || saved(db).1.is_some_and(|t| t > recovered_at + 1.0),
        || format!("{:?}, {}", saved(db), stderr()),
    );
    child.kill().unwrap();
    child.wait().unwrap();

    assert_eq!(integrity(db), "ok");
    let after = snapshot(db);
    assert_eq!(after.len(), 2);
    assert_eq!(after[1], before[0], "the earlier session is unchanged");
    let samples = &after[0].1;
    // Frames were analysed all through the fault (a person in the states,
    // not "away") and saved once it was over.
    let during: Vec<&Sample> = samples
        .iter()
        .filter(|s| s.t > faulted_at && s.t < recovered_at - 1.0)
        .collect();
    assert!(
        during.len() >= 3 && during.iter().all(|s| s.state != "away"),
        "{during:?}"
    );
    assert_contiguous(samples, 2.0);
    let lines = err.lock().unwrap();
    let w = lines.iter().find(|l| l.contains(warning)).unwrap();
    assert!(w.contains(&db.display().to_string()), "{w}");
}

/// `umount` on drop.
struct Mounted(PathBuf);

impl Drop for Mounted {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).output();
    }
}

/// A real full disk: a 2 MB tmpfs holding the database, filled up mid-
/// session, then emptied. Mounting needs CAP_SYS_ADMIN (root in CI);
/// without it the test says so and skips (the file-size-limit test below
/// covers the same path without privileges).
#[test]
fn a_full_disk_warns_keeps_coaching_and_saves_again_once_there_is_room() {
    let dir = tempfile::tempdir().unwrap();
    let mnt = dir.path().join("disk");
    std::fs::create_dir(&mnt).unwrap();
    if !try_run(
        Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=2m", "posturecam-test"])
            .arg(&mnt),
    ) {
        eprintln!("SKIPPED: cannot mount a small tmpfs here (needs CAP_SYS_ADMIN)");
        return;
    }
    let _mounted = Mounted(mnt.clone());
    let db = mnt.join("s.sqlite3");
    let filler = mnt.join("filler");
    let fill = |_pid| {
        let mut f = std::fs::File::create(&filler).unwrap();
        let chunk = vec![0u8; 4096];
        // Until the disk is full.
        while f.write_all(&chunk).and_then(|_| f.flush()).is_ok() {}
    };
    let free = |_pid| std::fs::remove_file(&filler).unwrap();
    fault_mid_session(&db, fill, free, "the disk is full");
}

fn set_file_size_limit(pid: u32, limit: libc::rlim_t) {
    let lim = libc::rlimit {
        rlim_cur: limit,
        rlim_max: libc::RLIM_INFINITY,
    };
    // SAFETY: prlimit reads `lim` and writes nothing (old limit: null).
    let rc = unsafe {
        libc::prlimit(
            pid as libc::pid_t,
            libc::RLIMIT_FSIZE,
            &lim,
            std::ptr::null_mut(),
        )
    };
    assert_eq!(rc, 0, "prlimit: {}", std::io::Error::last_os_error());
}

/// A full disk without privileges: the running program's file-size limit
/// (RLIMIT_FSIZE) is lowered to the write-ahead log's current size, so the
/// next commit cannot grow it. By default that would kill the program with
/// SIGXFSZ; it ignores the signal, so the write fails (EFBIG) and is
/// reported like a full disk.
#[test]
fn a_file_size_limit_mid_session_is_reported_and_does_not_kill() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.sqlite3");
    let wal = dir.path().join("s.sqlite3-wal");
    let limit = |pid| {
        let size = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
        set_file_size_limit(pid, size as libc::rlim_t);
    };
    let lift = |pid| set_file_size_limit(pid, libc::RLIM_INFINITY);
    fault_mid_session(&db, limit, lift, "the disk is full");
}

#[test]
fn two_instances_on_one_database_both_save_whole_sessions() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.sqlite3");
    let run = ["--exit-after-frames", "60"];
    let (a, a_err) = live_child(&db, &run);
    let (b, b_err) = live_child(&db, &run);
    for (child, err) in [(a, a_err), (b, b_err)] {
        let out = child.wait_with_output().unwrap();
        let err = err.lock().unwrap().join("\n");
        assert_eq!(out.status.code(), Some(0), "{err}");
        assert!(!err.contains("warning"), "{err}");
        assert!(String::from_utf8_lossy(&out.stdout).contains("frames 6"));
    }
    assert_eq!(integrity(&db), "ok");
    let snap = snapshot(&db);
    assert_eq!(snap.len(), 2);
    for (row, samples) in &snap {
        let end = row.ended_at.expect("closed");
        // One sample a second, from the start to the end: nothing lost to
        // the other writer.
        assert!(samples.len() >= 5, "{row:?}");
        assert_contiguous(samples, 2.0);
        assert!(
            end - samples.last().unwrap().t <= 1.5 && samples[0].t - row.started_at <= 1.5,
            "{row:?}"
        );
        assert_eq!(row.samples as usize, samples.len());
    }
}

/// A camera that delivers `frames` frames at 20 fps, then is unplugged.
struct Flaky {
    image: image::RgbImage,
    frames: u64,
    next: u64,
    /// Ends (rather than failing) after its frames.
    ends: bool,
}

impl FrameSource for Flaky {
    fn next_frame(&mut self) -> Result<Option<Frame>, SourceError> {
        if self.next == self.frames {
            return if self.ends {
                Ok(None)
            } else {
                Err(SourceError::Disconnected("test: unplugged".into()))
            };
        }
        self.next += 1;
        Ok(Some(Frame {
            image: self.image.clone(),
            t: self.next as f64 / 20.0,
            index: self.next,
            label: "flaky camera".into(),
        }))
    }

    fn describe(&self) -> String {
        "flaky camera".into()
    }

    fn fps(&self) -> Option<f64> {
        Some(20.0)
    }
}

/// Fault injection on the source: frames, then the camera is unplugged,
/// cannot be opened once, and is back.
#[test]
fn a_camera_lost_mid_session_closes_the_session_which_is_kept_and_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.sqlite3");
    let model = PoseModel::load(&ModelSpec::Lightning).unwrap();
    let mut engine =
        LiveEngine::new(model, Assessor::default(), AlertConfig::default(), "test").unwrap();
    engine
        .attach_store(Store::open(&db).unwrap(), "flaky camera")
        .unwrap();
    let image = common::load(&common::sample("astronaut.png"));
    let opens = Arc::new(AtomicUsize::new(0));
    let n = opens.clone();
    let open: live::SourceOpener = Box::new(move || match n.fetch_add(1, Ordering::SeqCst) {
        0 => Ok(Box::new(Flaky {
            image: image.clone(),
            frames: 50,
            next: 0,
            ends: false,
        })),
        1 => Err(SourceError::NoCamera),
        _ => Ok(Box::new(Flaky {
            image: image.clone(),
            frames: 50,
            next: 0,
            ends: true,
        })),
    });
    let handle = live::start(open, engine, Arc::new(|| {}));
    let view = || handle.view();
    wait_for("frames", 60, || view().pose.is_some());
    // The notice says why, and nothing stale is shown.
    wait_for("the loss", 30, || {
        let v = view();
        v.notice
            .is_some_and(|n| n.contains("stopped delivering frames"))
            && v.pose.is_none()
            && v.state == "away"
    });
    // The first session is closed and kept while the camera is away.
    wait_for("the first session closed", 10, || {
        Store::open(&db).unwrap().sessions().unwrap()[0]
            .ended_at
            .is_some()
    });
    wait_for("the failed reopening", 30, || {
        view().notice.is_some_and(|n| n.contains("no camera found"))
    });
    wait_for("the camera back", 30, || {
        view().notice.is_none() && view().pose.is_some()
    });
    wait_for("the end", 60, || view().ended);
    handle.stop();
    assert_eq!(opens.load(Ordering::SeqCst), 3, "retried until it opened");

    let snap = snapshot(&db);
    assert_eq!(snap.len(), 2, "{snap:?}");
    let (second, first) = (&snap[0], &snap[1]);
    for (row, samples) in [first, second] {
        assert!(row.ended_at.is_some(), "{row:?}");
        assert!(!samples.is_empty() && samples.iter().all(|s| s.state != "away"));
        assert_eq!(row.source, "flaky camera");
    }
    // The second starts after the first ended, after the two retries.
    let gap = second.0.started_at - first.0.ended_at.unwrap();
    assert!(gap >= 2.0 * live::RETRY_S as f64 - 0.5, "gap {gap:.2} s");
    assert_eq!(integrity(&db), "ok");
}
