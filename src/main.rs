fn main() {
    ignore_sigxfsz();
    std::process::exit(posturecam::cli::run(std::env::args_os()));
}

/// A write past the file-size limit (`ulimit -f`, RLIMIT_FSIZE) raises
/// SIGXFSZ, whose default action kills the process, mid-session, without
/// closing it. Ignored, the write fails with EFBIG instead: SQLite reports
/// it, the session database says it cannot save, and coaching goes on (as on
/// a full disk). tests/faults.rs runs the program under such a limit.
#[cfg(unix)]
fn ignore_sigxfsz() {
    // SAFETY: setting a signal's disposition to SIG_IGN before any other
    // thread starts; no handler runs.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
}

#[cfg(not(unix))]
fn ignore_sigxfsz() {}
