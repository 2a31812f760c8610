//! SQLite storage for live coaching sessions, written while the session
//! runs: each batch of samples is committed at once (write-ahead log,
//! `synchronous=NORMAL`), so a crash or `kill -9` loses at most the batch
//! not yet written. A session that never ended is still listed, its length
//! taken from its last sample.
//!
//! This file holds the connection ([`Store`]), its errors and the rows it
//! stores; the schema and its migrations are in [`super::schema`], writing
//! a session in [`super::write`], reading sessions back in [`super::read`],
//! and the `history` and `export` listings in [`super::history`].

use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, Transaction, TransactionBehavior};
use serde::{Deserialize, Serialize};

pub use super::history::{export_session, format_utc, write_history, ExportFormat};
pub use super::schema::{MIGRATIONS, SCHEMA_VERSION};

pub type SessionId = i64;

/// [`Sample::state`] when nobody is in front of the camera.
pub const STATE_AWAY: &str = "away";
/// [`Sample::state`] while coaching is paused.
pub const STATE_PAUSED: &str = "paused";

/// How long other connections' locks are waited for before giving up.
pub(super) const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// What one sample stands for in [`DayTrend::tracked_s`]: samples are taken
/// once a second.
pub(super) const SAMPLE_PERIOD_S: f64 = 1.0;

pub(super) const DAY_S: f64 = 86_400.0;

/// One per-second sample of a live session.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    /// Unix time, seconds.
    pub t: f64,
    /// A [`SittingClass::as_str`] name, [`STATE_AWAY`] or [`STATE_PAUSED`].
    pub state: String,
    /// 0..100.
    pub score: Option<u8>,
    pub rula: Option<u8>,
    pub trunk_inclination: Option<f32>,
    pub neck_inclination: Option<f32>,
    pub shoulder_tilt: Option<f32>,
    /// Deviation from the baseline, a fraction.
    pub head_drop: Option<f32>,
}

/// An alert given during a session.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AlertRow {
    pub t: f64,
    pub code: String,
    pub message: String,
}

/// A session with its totals.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SessionRow {
    pub id: SessionId,
    /// Unix seconds.
    pub started_at: f64,
    /// `None` if the session never closed (a crash, or still running); then
    /// `duration_s` runs to the last sample.
    pub ended_at: Option<f64>,
    pub duration_s: f64,
    pub profile: Option<String>,
    /// "camera 0" or a path.
    pub source: String,
    pub samples: u64,
    /// Upright samples over the samples that were not away, paused or
    /// unscorable; `None` if there were none.
    pub upright_share: Option<f64>,
    pub alerts: u64,
}

/// One UTC day of [`Store::daily_trend`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DayTrend {
    /// YYYY-MM-DD, UTC.
    pub day: String,
    /// Seconds of samples that were not away or paused (one per sample).
    pub tracked_s: f64,
    /// As [`SessionRow::upright_share`], over the day's samples.
    pub upright_share: Option<f64>,
    pub alerts: u64,
}

/// Why the session database could not be used.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot create the directory {0} for the session database: {1}; check its permissions or choose another database path")]
    CreateDir(PathBuf, io::Error),
    #[error("{0} is not a posturecam session database ({1}); move it aside and posturecam will start a new one there, or choose another database path")]
    NotADatabase(PathBuf, String),
    #[error("{path} was written by a newer posturecam (schema version {found}; this program knows up to {known}) and was left unchanged; upgrade posturecam to use it", path = .path.display())]
    TooNew {
        path: PathBuf,
        found: u32,
        known: u32,
    },
    #[error("the session database {0} is locked by another program (still busy after {secs} s); close other posturecam windows and try again", secs = BUSY_TIMEOUT.as_secs())]
    Busy(PathBuf),
    #[error("cannot open the session database {path} ({1}): it or its folder may be read-only or missing; check that both are writable (the permissions, `lsattr` for the immutable flag, a read-only mount), or choose another with --db PATH", path = .0.display())]
    CannotOpen(PathBuf, rusqlite::Error),
    #[error("the session database {path} cannot be written ({1}): it, or its folder, is read-only; make both writable (check the permissions, `lsattr` for the immutable flag, a read-only mount) or choose another with --db PATH; what was saved before is unchanged", path = .0.display())]
    ReadOnly(PathBuf, rusqlite::Error),
    #[error("cannot write the session database {path} ({1}): the disk is full (or the file-size limit was reached); free some space on it, or choose another with --db PATH; what was saved before is unchanged", path = .0.display())]
    Full(PathBuf, rusqlite::Error),
    #[error("session database {0}: {1}")]
    Sqlite(PathBuf, rusqlite::Error),
    #[error("no session {0}; `posturecam history` lists the sessions")]
    UnknownSession(SessionId),
    #[error("profile {name:?} in {path} cannot be read ({error}); save it again with `posturecam calibrate`", path = .path.display())]
    BadProfile {
        path: PathBuf,
        name: String,
        error: serde_json::Error,
    },
    #[error("cannot write: {0}")]
    Io(#[from] io::Error),
    #[error("cannot write CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error("cannot write JSON: {0}")]
    Json(#[from] serde_json::Error),
}

pub(super) fn sql_error(path: &Path, e: rusqlite::Error) -> StoreError {
    match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => {
            StoreError::NotADatabase(path.to_path_buf(), e.to_string())
        }
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
            StoreError::Busy(path.to_path_buf())
        }
        Some(ErrorCode::ReadOnly) => StoreError::ReadOnly(path.to_path_buf(), e),
        Some(ErrorCode::CannotOpen) => StoreError::CannotOpen(path.to_path_buf(), e),
        // SQLite reports ENOSPC and a short write as SQLITE_FULL, and a
        // write refused outright (EFBIG past the file-size limit, ENOSPC
        // on some file systems) as SQLITE_IOERR_WRITE.
        Some(ErrorCode::DiskFull) => StoreError::Full(path.to_path_buf(), e),
        _ if e
            .sqlite_error()
            .is_some_and(|f| f.extended_code == rusqlite::ffi::SQLITE_IOERR_WRITE) =>
        {
            StoreError::Full(path.to_path_buf(), e)
        }
        _ => StoreError::Sqlite(path.to_path_buf(), e),
    }
}

pub(super) fn is_foreign_key_error(e: &rusqlite::Error) -> bool {
    e.sqlite_error()
        .is_some_and(|f| f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY)
}

/// `user_version` is a signed 32-bit integer: a negative one is from some
/// other program, and treated as newer than anything known.
pub(super) fn version_from_sql(v: i64) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

/// Counts from SQL (never negative) as `u64`.
pub(super) fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

pub(super) fn share(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// The session database: one connection. Open one `Store` per thread; any
/// number of them (and processes) may share a file.
pub struct Store {
    pub(super) conn: Connection,
    pub(super) path: PathBuf,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

impl Store {
    /// The platform data directory's `posturecam/posturecam.sqlite3`
    /// (`~/.local/share/posturecam/posturecam.sqlite3` on Linux); `None` if
    /// there is no home directory.
    pub fn default_path() -> Option<PathBuf> {
        directories::ProjectDirs::from("", "", "posturecam")
            .map(|d| d.data_dir().join("posturecam.sqlite3"))
    }

    /// Opens the database at `path`, or creates it (and its parent
    /// directories), and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .map_err(|e| StoreError::CreateDir(parent.to_path_buf(), e))?;
        }
        let conn = Connection::open(path).map_err(|e| sql_error(path, e))?;
        Store::init(conn, path.to_path_buf())
    }

    /// A private database in memory, gone when dropped.
    pub fn open_in_memory() -> Result<Store, StoreError> {
        let path = PathBuf::from(":memory:");
        let conn = Connection::open_in_memory().map_err(|e| sql_error(&path, e))?;
        Store::init(conn, path)
    }

    fn init(conn: Connection, path: PathBuf) -> Result<Store, StoreError> {
        let store = Store { conn, path };
        store.db(store.conn.busy_timeout(BUSY_TIMEOUT))?;
        // Read before writing anything (even the journal mode): a file that
        // is not a database fails here, and a newer or foreign one is left
        // untouched. One statement, so one snapshot: another posturecam may
        // be creating the schema right now.
        let (version, objects): (i64, i64) = store.db(store.conn.query_row(
            "SELECT user_version, (SELECT COUNT(*) FROM sqlite_schema) FROM pragma_user_version",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        ))?;
        let version = version_from_sql(version);
        store.check_version(version)?;
        // Ours get their tables and their version in one transaction.
        if version == 0 && objects > 0 {
            return Err(StoreError::NotADatabase(
                store.path.clone(),
                "an SQLite database of another program".into(),
            ));
        }
        // In memory the journal mode stays "memory"; elsewhere WAL lets
        // readers and one writer work at once.
        let _mode: String =
            store.db(store
                .conn
                .pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0)))?;
        store.db(store.conn.pragma_update(None, "synchronous", "NORMAL"))?;
        store.db(store.conn.pragma_update(None, "foreign_keys", true))?;
        store.migrate()?;
        Ok(store)
    }

    /// Where the database is (":memory:" in memory).
    pub fn path(&self) -> &Path {
        &self.path
    }

    pub(super) fn db<T>(&self, r: rusqlite::Result<T>) -> Result<T, StoreError> {
        r.map_err(|e| sql_error(&self.path, e))
    }

    /// A write transaction, taking the write lock at once (waiting up to
    /// the busy timeout for it).
    pub(super) fn begin_write(&self) -> Result<Transaction<'_>, StoreError> {
        self.db(Transaction::new_unchecked(
            &self.conn,
            TransactionBehavior::Immediate,
        ))
    }
}
