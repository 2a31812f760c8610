//! Security (issue 7): nothing from a file name, metadata or config is
//! executed or handed to a shell; no option is smuggled to ffmpeg through
//! a file name; no network connection is ever opened.

mod common;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::proc::{assert_exit, assert_no_panic, bin, frame_records, run};
use posturecam::score::Status;

const LIMIT_S: u64 = 300;

/// File names a careless program would run, or pass to ffmpeg as an
/// option or a protocol. Each would create `pwned` in the working folder
/// if a shell ever saw it.
const HOSTILE_VIDEO_NAMES: &[&str] = &[
    "$(touch pwned).mp4",
    ";touch pwned;.mp4",
    "`touch pwned`.mp4",
    "-i evil.mp4",
    "-y.mp4",
    "http:127.0.0.1:9.mp4",
    "a|touch pwned.mp4",
    "<img src=x onerror=alert(1)>.mp4",
    "x\" onmouseover=\"alert(1).mp4",
];
const HOSTILE_IMAGE_NAMES: &[&str] = &[
    "$(touch pwned).jpg",
    ";touch pwned;.jpg",
    "-o pwned.png",
    "x\ntouch pwned\n.png",
    "'\"&&touch pwned&&\".png",
];

fn assert_not_pwned(dir: &Path) {
    for d in [dir.to_path_buf(), std::env::current_dir().unwrap()] {
        assert!(
            !d.join("pwned").exists(),
            "a file name was run as a command in {d:?}"
        );
    }
}

#[test]
fn hostile_file_names_are_neither_run_nor_read_as_options() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let photo = common::sample("astronaut.png");
    for n in HOSTILE_IMAGE_NAMES {
        std::fs::copy(&photo, d.join(n)).unwrap();
    }
    let have_ffmpeg = common::video::have_ffmpeg();
    let videos: &[&str] = if have_ffmpeg {
        HOSTILE_VIDEO_NAMES
    } else {
        &[]
    };
    for n in videos {
        std::fs::copy(common::sample("carphone.mp4"), d.join(n)).unwrap();
    }
    // Given by relative name, so that "-i evil.mp4" reaches ffmpeg's
    // command line starting with a dash if it is passed bare.
    let names: Vec<&str> = HOSTILE_IMAGE_NAMES.iter().chain(videos).copied().collect();
    let out = run(
        bin()
            .current_dir(d)
            .args(["score", "-q", "--every", "40", "--"])
            .args(&names),
        LIMIT_S,
    );
    assert_exit(&out, 0);
    let recs = frame_records(&out.stdout);
    for n in &names {
        let mine: Vec<_> = recs.iter().filter(|r| r.source == *n).collect();
        assert!(!mine.is_empty(), "no record for {n:?}");
        assert!(
            mine.iter().all(|r| r.status == Status::Ok),
            "{n:?}: {mine:?}"
        );
    }
    assert_not_pwned(d);

    if !have_ffmpeg {
        return;
    }
    // The same names through the live source and the report.
    let out = run(
        bin()
            .current_dir(d)
            .args([
                "live",
                "--no-window",
                "--no-save",
                "--exit-after-frames",
                "2",
            ])
            .arg("--source=-i evil.mp4"),
        LIMIT_S,
    );
    assert_exit(&out, 0);
    let out = run(
        bin()
            .current_dir(d)
            .args(["report", "-q", "-o", "report.html", "--"])
            .args([
                "$(touch pwned).mp4",
                "-i evil.mp4",
                "<img src=x onerror=alert(1)>.mp4",
                "x\" onmouseover=\"alert(1).mp4",
            ]),
        LIMIT_S,
    );
    assert_exit(&out, 0);
    let html = std::fs::read_to_string(d.join("report.html")).unwrap();
    assert!(html.contains("$(touch pwned).mp4") && html.contains("-i evil.mp4"));
    // Markup in a name comes out as text, in element content and in
    // attributes alike.
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;.mp4"));
    assert!(!html.contains("<img src=x"));
    assert!(!html.contains("\" onmouseover"));
    assert!(!html.contains("<script"));
    assert_not_pwned(d);
}

#[test]
fn shell_syntax_in_video_metadata_is_never_run() {
    if !common::video::have_ffmpeg() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let clip = common::video::make_clip(
        d,
        "tagged.mp4",
        &[("astronaut.png", 6)],
        10,
        &[
            "-metadata",
            "title=$(touch pwned)`touch pwned`",
            "-metadata",
            "comment=; touch pwned; <script>alert(1)</script>",
            "-metadata:s:v:0",
            "handler_name=|touch pwned",
        ],
    );
    let out = run(
        bin().current_dir(d).args(["score", "-q"]).arg(&clip),
        LIMIT_S,
    );
    assert_no_panic(&out);
    assert_eq!(out.status.code(), Some(0));
    assert!(!frame_records(&out.stdout).is_empty());
    let out = run(
        bin()
            .current_dir(d)
            .args(["report", "-q", "-o", "r.html"])
            .arg(&clip),
        LIMIT_S,
    );
    assert_no_panic(&out);
    assert_eq!(out.status.code(), Some(0));
    let html = std::fs::read_to_string(d.join("r.html")).unwrap();
    assert!(!html.contains("<script>"));
    assert_not_pwned(d);
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Every program the crate starts, from its source: the argument of each
/// `Command::new(…)`.
fn programs_started() -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    rust_files(&common::repo().join("src"), &mut files);
    files.sort();
    let mut found = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for (i, _) in text.match_indices("Command::new(") {
            let rest = &text[i + "Command::new(".len()..];
            let mut depth = 1;
            let end = rest
                .char_indices()
                .find(|&(_, c)| {
                    depth += match c {
                        '(' => 1,
                        ')' => -1,
                        _ => 0,
                    };
                    depth == 0
                })
                .map(|(j, _)| j)
                .unwrap();
            found.push((f.clone(), rest[..end].trim().to_string()));
        }
    }
    found
}

#[test]
fn the_crate_starts_only_ffmpeg_and_ffprobe_and_never_a_shell() {
    let started = programs_started();
    let progs: Vec<&str> = started.iter().map(|(_, p)| p.as_str()).collect();
    eprintln!("programs started by src/: {started:?}");
    assert!(
        !progs.is_empty(),
        "the scan found nothing: is it looking in src/?"
    );
    for (file, p) in &started {
        assert!(
            [r#"tool("ffmpeg")"#, r#"tool("ffprobe")"#].contains(&p.as_str()),
            "{}: starts {p}",
            file.display()
        );
    }
    // `tool` only joins a fixed name to an optional folder.
    let video = std::fs::read_to_string(common::repo().join("src/capture/video.rs")).unwrap();
    assert!(video.contains("fn tool(name: &'static str) -> PathBuf"));
    // No shell, no other way to start a process.
    let mut files = Vec::new();
    rust_files(&common::repo().join("src"), &mut files);
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for bad in [
            "\"sh\"",
            "\"bash\"",
            "\"/bin/sh\"",
            "\"cmd\"",
            "\"-c\"",
            "libc::system",
            "libc::exec",
            "libc::fork",
            "posix_spawn",
            "CommandExt",
        ] {
            assert!(!text.contains(bad), "{} contains {bad}", f.display());
        }
    }
    // Each ffmpeg/ffprobe input is a `file:` URL under a file-only
    // protocol whitelist, so a name is never an option or a protocol.
    assert_eq!(
        video.matches("\"-protocol_whitelist\", \"file\"").count(),
        2
    );
    assert_eq!(video.matches(".arg(file_url(path))").count(), 2);
}

/// Runs `program args` under `strace -f` and returns the socket(2) and
/// connect(2) calls seen (the program and every child, ffmpeg included).
fn traced_socket_calls(program: &OsStr, args: &[&OsStr], cwd: &Path) -> (Output, Vec<String>) {
    let log = tempfile::NamedTempFile::new().unwrap();
    let out = run(
        Command::new("strace")
            .current_dir(cwd)
            .args(["-f", "-qq", "-e", "trace=socket,connect", "-o"])
            .arg(log.path())
            .arg(program)
            .args(args),
        LIMIT_S,
    );
    let text = std::fs::read_to_string(log.path()).unwrap();
    let calls = text
        .lines()
        .filter(|l| l.contains("socket(") || l.contains("connect("))
        .map(str::to_string)
        .collect();
    (out, calls)
}

/// Whether a traced call makes or uses a network (IPv4, IPv6, netlink)
/// socket.
fn is_network(call: &str) -> bool {
    call.contains("AF_INET") || call.contains("AF_NETLINK") || call.contains("sin_port")
}

/// The socket calls of `posturecam args` under strace; `None` when strace
/// cannot run here, or when it does not see a socket that is known to be
/// made (bash's `/dev/tcp`): a trace that sees nothing proves nothing.
fn sockets_opened(args: &[&OsStr], cwd: &Path) -> Option<Vec<String>> {
    let ok = Command::new("strace")
        .args(["-o", "/dev/null", "true"])
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if !ok {
        eprintln!(
            "skipping: strace is missing or cannot trace here (scripts/setup.sh installs it)"
        );
        return None;
    }
    let (_, control) = traced_socket_calls(
        OsStr::new("bash"),
        &[
            OsStr::new("-c"),
            OsStr::new("exec 3<>/dev/tcp/127.0.0.1/9 || true"),
        ],
        cwd,
    );
    if !control.iter().any(|c| is_network(c)) {
        eprintln!("skipping: strace did not see bash open a TCP socket here: {control:?}");
        return None;
    }
    let (out, calls) = traced_socket_calls(OsStr::new(env!("CARGO_BIN_EXE_posturecam")), args, cwd);
    assert_no_panic(&out);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(calls)
}

#[test]
fn score_report_and_live_open_no_network_socket() {
    let repo = common::repo();
    let have_ffmpeg = common::video::have_ffmpeg();
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("r.html");
    let mut runs: Vec<Vec<&OsStr>> = vec![
        ["score", "-q", "sample_frames/astronaut.png"]
            .map(OsStr::new)
            .to_vec(),
        [
            "live",
            "--no-window",
            "--no-save",
            "--source",
            "sample_frames",
            "--exit-after-frames",
            "3",
        ]
        .map(OsStr::new)
        .to_vec(),
    ];
    if have_ffmpeg {
        runs.push(
            ["score", "-q", "--every", "30", "sample_frames/carphone.mp4"]
                .map(OsStr::new)
                .to_vec(),
        );
        let mut report = ["report", "-q", "sample_frames/carphone.mp4", "-o"]
            .map(OsStr::new)
            .to_vec();
        report.push(html.as_os_str());
        runs.push(report);
    }
    for args in &runs {
        let Some(calls) = sockets_opened(args, &repo) else {
            return;
        };
        eprintln!("{args:?}: {} socket/connect calls: {calls:?}", calls.len());
        for c in &calls {
            assert!(!is_network(c), "{args:?} opened a network socket: {c}");
        }
    }
}

#[test]
fn no_http_client_is_in_the_dependency_graph() {
    let lock = std::fs::read_to_string(common::repo().join("Cargo.lock")).unwrap();
    let names: Vec<&str> = lock
        .lines()
        .filter_map(|l| l.strip_prefix("name = \""))
        .map(|l| l.trim_end_matches('"'))
        .collect();
    assert!(names.contains(&"tract-onnx"), "Cargo.lock not parsed");
    for bad in [
        "reqwest",
        "hyper",
        "ureq",
        "curl",
        "curl-sys",
        "isahc",
        "attohttpc",
        "surf",
        "minreq",
        "http-req",
        "ehttp",
        "tungstenite",
        "native-tls",
        "rustls",
    ] {
        assert!(!names.contains(&bad), "{bad} is in Cargo.lock");
    }
}
