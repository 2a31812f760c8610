//! The one way a test skips for something missing on this machine (a tool
//! such as ffmpeg or Xvfb, a privilege, `../shared`): it says why on
//! stderr, and when `POSTURECAM_STRICT_TESTS=1` is set (as `.ci/run` sets
//! it) it fails instead, so that a green strict run means every test ran.
//!
//! ```ignore
//! let Some(ffmpeg) = common::video::ffmpeg() else {
//!     return common::skip::skip("ffmpeg is not installed (scripts/setup.sh installs it)");
//! };
//! ```

/// The environment variable that turns skips into failures.
pub const STRICT_ENV: &str = "POSTURECAM_STRICT_TESTS";

/// True when skips must fail (`POSTURECAM_STRICT_TESTS=1`).
pub fn strict() -> bool {
    std::env::var(STRICT_ENV).is_ok_and(|v| v == "1")
}

/// Skips the rest of the calling test (the caller returns right after), or
/// panics with the same reason under `POSTURECAM_STRICT_TESTS=1`.
#[track_caller]
pub fn skip(why: &str) {
    if strict() {
        panic!("{STRICT_ENV}=1 and this test would skip: {why}");
    }
    let at = std::panic::Location::caller();
    eprintln!("SKIPPED ({}:{}): {why}", at.file(), at.line());
}

/// `Some(value)`, or a skip (see [`skip`]) and `None` when `value` is
/// `None`: `let Some(x) = skip::unless(find(), "why") else { return };`
#[track_caller]
pub fn unless<T>(value: Option<T>, why: &str) -> Option<T> {
    if value.is_none() {
        skip(why);
    }
    value
}
