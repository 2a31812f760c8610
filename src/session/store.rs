//! SQLite storage for live coaching sessions, written while the session
//! runs: each batch of samples is committed at once (write-ahead log,
//! `synchronous=NORMAL`), so a crash or `kill -9` loses at most the batch
//! not yet written. A session that never ended is still listed, its length
//! taken from its last sample.
//!
//! The schema is versioned with `PRAGMA user_version` and upgraded by
//! [`MIGRATIONS`], in order, each in a transaction. A database written by a
//! newer posturecam (a higher version) is refused and left untouched.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{
    params, Connection, ErrorCode, OptionalExtension, Row, Transaction, TransactionBehavior,
};
use serde::{Deserialize, Serialize};

use crate::assess::Baseline;

pub type SessionId = i64;

/// [`Sample::state`] when nobody is in front of the camera.
pub const STATE_AWAY: &str = "away";
/// [`Sample::state`] while coaching is paused.
pub const STATE_PAUSED: &str = "paused";

/// How long other connections' locks are waited for before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// What one sample stands for in [`DayTrend::tracked_s`]: samples are taken
/// once a second.
const SAMPLE_PERIOD_S: f64 = 1.0;

const DAY_S: f64 = 86_400.0;

/// Schema migrations: the database's `user_version` is how many of these it
/// has had. Append only; never edit one that has shipped.
pub const MIGRATIONS: &[&str] = &[
    // 1: sessions, their per-second samples and alerts; named baselines.
    "CREATE TABLE sessions (
        id INTEGER PRIMARY KEY,
        started_at REAL NOT NULL,
        ended_at REAL,
        profile TEXT,
        source TEXT NOT NULL,
        model TEXT NOT NULL
    );
    CREATE INDEX sessions_started_at ON sessions (started_at);
    CREATE TABLE samples (
        session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        t REAL NOT NULL,
        state TEXT NOT NULL,
        score INTEGER,
        rula INTEGER,
        trunk_inclination REAL,
        neck_inclination REAL,
        shoulder_tilt REAL,
        head_drop REAL
    );
    CREATE INDEX samples_session_t ON samples (session_id, t);
    CREATE TABLE alerts (
        session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        t REAL NOT NULL,
        code TEXT NOT NULL,
        message TEXT NOT NULL
    );
    CREATE INDEX alerts_session_t ON alerts (session_id, t);
    CREATE TABLE profiles (
        name TEXT PRIMARY KEY,
        baseline TEXT NOT NULL,
        saved_at REAL NOT NULL
    );",
];

/// The schema version this program writes.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

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

fn sql_error(path: &Path, e: rusqlite::Error) -> StoreError {
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

fn is_foreign_key_error(e: &rusqlite::Error) -> bool {
    e.sqlite_error()
        .is_some_and(|f| f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY)
}

/// `user_version` is a signed 32-bit integer: a negative one is from some
/// other program, and treated as newer than anything known.
fn version_from_sql(v: i64) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

/// Counts from SQL (never negative) as `u64`.
fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

fn share(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// The session database: one connection. Open one `Store` per thread; any
/// number of them (and processes) may share a file.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

/// Totals per session; the caller appends a WHERE clause (or none), then
/// [`SESSION_ORDER`].
const SESSION_SELECT: &str = "SELECT s.id, s.started_at, s.ended_at, s.profile, s.source,
        COUNT(p.t), MAX(p.t),
        COALESCE(SUM(p.state = 'upright'), 0),
        COALESCE(SUM(p.state NOT IN ('away', 'paused', 'unscorable')), 0),
        (SELECT COUNT(*) FROM alerts a WHERE a.session_id = s.id)
    FROM sessions s LEFT JOIN samples p ON p.session_id = s.id";
const SESSION_ORDER: &str = "GROUP BY s.id ORDER BY s.started_at DESC, s.id DESC";

fn session_row(r: &Row<'_>) -> rusqlite::Result<SessionRow> {
    let started_at: f64 = r.get(1)?;
    let ended_at: Option<f64> = r.get(2)?;
    let last_sample: Option<f64> = r.get(6)?;
    let end = ended_at.or(last_sample).unwrap_or(started_at);
    Ok(SessionRow {
        id: r.get(0)?,
        started_at,
        ended_at,
        duration_s: (end - started_at).max(0.0),
        profile: r.get(3)?,
        source: r.get(4)?,
        samples: count(r.get(5)?),
        upright_share: share(r.get(7)?, r.get(8)?),
        alerts: count(r.get(9)?),
    })
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

    fn db<T>(&self, r: rusqlite::Result<T>) -> Result<T, StoreError> {
        r.map_err(|e| sql_error(&self.path, e))
    }

    /// A write transaction, taking the write lock at once (waiting up to
    /// the busy timeout for it).
    fn begin_write(&self) -> Result<Transaction<'_>, StoreError> {
        self.db(Transaction::new_unchecked(
            &self.conn,
            TransactionBehavior::Immediate,
        ))
    }

    fn check_version(&self, found: u32) -> Result<(), StoreError> {
        if found > SCHEMA_VERSION {
            return Err(StoreError::TooNew {
                path: self.path.clone(),
                found,
                known: SCHEMA_VERSION,
            });
        }
        Ok(())
    }

    fn migrate(&self) -> Result<(), StoreError> {
        if self.schema_version()? == SCHEMA_VERSION {
            return Ok(());
        }
        let tx = self.begin_write()?;
        // Again under the write lock: another process may have migrated.
        let version = self.schema_version()?;
        self.check_version(version)?;
        for (done, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            self.db(tx.execute_batch(sql))?;
            self.db(tx.pragma_update(None, "user_version", done as i64 + 1))?;
        }
        self.db(tx.commit())
    }

    /// The database's schema version (`PRAGMA user_version`).
    pub fn schema_version(&self) -> Result<u32, StoreError> {
        let v: i64 = self.db(self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0)))?;
        Ok(version_from_sql(v))
    }

    /// Records the start of a session; returns its id.
    pub fn start_session(
        &self,
        started_at: f64,
        profile: Option<&str>,
        source: &str,
        model: &str,
    ) -> Result<SessionId, StoreError> {
        self.db(self.conn.execute(
            "INSERT INTO sessions (started_at, profile, source, model) VALUES (?1, ?2, ?3, ?4)",
            params![started_at, profile, source, model],
        ))?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Appends samples to a session, all in one transaction.
    pub fn add_samples(&self, session: SessionId, samples: &[Sample]) -> Result<(), StoreError> {
        if samples.is_empty() {
            return Ok(());
        }
        let tx = self.begin_write()?;
        {
            let mut insert = self.db(tx.prepare_cached(
                "INSERT INTO samples (session_id, t, state, score, rula, trunk_inclination,
                    neck_inclination, shoulder_tilt, head_drop)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            ))?;
            for s in samples {
                insert
                    .execute(params![
                        session,
                        s.t,
                        s.state,
                        s.score,
                        s.rula,
                        s.trunk_inclination,
                        s.neck_inclination,
                        s.shoulder_tilt,
                        s.head_drop,
                    ])
                    .map_err(|e| self.insert_error(session, e))?;
            }
        }
        self.db(tx.commit())
    }

    fn insert_error(&self, session: SessionId, e: rusqlite::Error) -> StoreError {
        if is_foreign_key_error(&e) {
            StoreError::UnknownSession(session)
        } else {
            sql_error(&self.path, e)
        }
    }

    /// Records an alert given during a session.
    pub fn add_alert(&self, session: SessionId, alert: &AlertRow) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT INTO alerts (session_id, t, code, message) VALUES (?1, ?2, ?3, ?4)",
                params![session, alert.t, alert.code, alert.message],
            )
            .map_err(|e| self.insert_error(session, e))?;
        Ok(())
    }

    /// Records the end of a session.
    pub fn end_session(&self, session: SessionId, ended_at: f64) -> Result<(), StoreError> {
        let changed = self.db(self.conn.execute(
            "UPDATE sessions SET ended_at = ?2 WHERE id = ?1",
            params![session, ended_at],
        ))?;
        if changed == 0 {
            return Err(StoreError::UnknownSession(session));
        }
        Ok(())
    }

    /// All sessions, newest first.
    pub fn sessions(&self) -> Result<Vec<SessionRow>, StoreError> {
        let mut stmt = self.db(self
            .conn
            .prepare(&format!("{SESSION_SELECT} {SESSION_ORDER}")))?;
        let rows = self.db(stmt.query_map([], session_row))?;
        self.db(rows.collect())
    }

    /// One session, if there is one with that id.
    pub fn session(&self, id: SessionId) -> Result<Option<SessionRow>, StoreError> {
        self.db(self
            .conn
            .query_row(
                &format!("{SESSION_SELECT} WHERE s.id = ?1 {SESSION_ORDER}"),
                [id],
                session_row,
            )
            .optional())
    }

    /// A session's samples in time order.
    pub fn samples(&self, id: SessionId) -> Result<Vec<Sample>, StoreError> {
        let mut stmt = self.db(self.conn.prepare(
            "SELECT t, state, score, rula, trunk_inclination, neck_inclination, shoulder_tilt,
                head_drop
             FROM samples WHERE session_id = ?1 ORDER BY t, rowid",
        ))?;
        let rows = self.db(stmt.query_map([id], |r| {
            Ok(Sample {
                t: r.get(0)?,
                state: r.get(1)?,
                score: r.get(2)?,
                rula: r.get(3)?,
                trunk_inclination: r.get(4)?,
                neck_inclination: r.get(5)?,
                shoulder_tilt: r.get(6)?,
                head_drop: r.get(7)?,
            })
        }))?;
        self.db(rows.collect())
    }

    /// A session's alerts in time order.
    pub fn alerts(&self, id: SessionId) -> Result<Vec<AlertRow>, StoreError> {
        let mut stmt = self.db(self.conn.prepare(
            "SELECT t, code, message FROM alerts WHERE session_id = ?1 ORDER BY t, rowid",
        ))?;
        let rows = self.db(stmt.query_map([id], |r| {
            Ok(AlertRow {
                t: r.get(0)?,
                code: r.get(1)?,
                message: r.get(2)?,
            })
        }))?;
        self.db(rows.collect())
    }

    /// Saves a named baseline, replacing one of the same name.
    pub fn save_profile(
        &self,
        name: &str,
        baseline: &Baseline,
        saved_at: f64,
    ) -> Result<(), StoreError> {
        let json = serde_json::to_string(baseline)?;
        self.db(self.conn.execute(
            "INSERT INTO profiles (name, baseline, saved_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (name) DO UPDATE SET baseline = excluded.baseline,
                saved_at = excluded.saved_at",
            params![name, json, saved_at],
        ))?;
        Ok(())
    }

    /// A named baseline and when it was saved.
    pub fn profile(&self, name: &str) -> Result<Option<(Baseline, f64)>, StoreError> {
        let row: Option<(String, f64)> = self.db(self
            .conn
            .query_row(
                "SELECT baseline, saved_at FROM profiles WHERE name = ?1",
                [name],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional())?;
        let Some((json, saved_at)) = row else {
            return Ok(None);
        };
        let baseline = serde_json::from_str(&json).map_err(|error| StoreError::BadProfile {
            path: self.path.clone(),
            name: name.into(),
            error,
        })?;
        Ok(Some((baseline, saved_at)))
    }

    /// The profiles' names, sorted.
    pub fn profiles(&self) -> Result<Vec<String>, StoreError> {
        let mut stmt = self.db(self.conn.prepare("SELECT name FROM profiles ORDER BY name"))?;
        let rows = self.db(stmt.query_map([], |r| r.get(0)))?;
        self.db(rows.collect())
    }

    /// Per UTC day, the `days` days ending on `now`'s day, oldest first;
    /// days without data are included (tracked 0 s).
    pub fn daily_trend(&self, days: u32, now: f64) -> Result<Vec<DayTrend>, StoreError> {
        if days == 0 {
            return Ok(Vec::new());
        }
        let last_day = (now / DAY_S).floor() as i64;
        let first_day = last_day - (i64::from(days) - 1);
        let mut trend: Vec<DayTrend> = (first_day..=last_day)
            .map(|d| DayTrend {
                day: format_day(d),
                tracked_s: 0.0,
                upright_share: None,
                alerts: 0,
            })
            .collect();
        let (from, to) = (first_day as f64 * DAY_S, (last_day + 1) as f64 * DAY_S);
        // Only sessions that can overlap the range, to use the indexes on
        // (session_id, t); t >= from, so the CAST truncates to the day.
        let in_range = "session_id IN (SELECT id FROM sessions
                WHERE started_at < ?2 AND (ended_at IS NULL OR ended_at >= ?1))
            AND t >= ?1 AND t < ?2";
        let mut stmt = self.db(self.conn.prepare(&format!(
            "SELECT CAST((t - ?1) / {DAY_S:.1} AS INTEGER) AS d,
                SUM(state NOT IN ('away', 'paused')),
                SUM(state = 'upright'),
                SUM(state NOT IN ('away', 'paused', 'unscorable'))
             FROM samples WHERE {in_range} GROUP BY d"
        )))?;
        let rows = self.db(stmt.query_map([from, to], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, i64>(3)?,
            ))
        }))?;
        for row in rows {
            let (d, tracked, upright, scored) = self.db(row)?;
            if let Some(day) = usize::try_from(d).ok().and_then(|d| trend.get_mut(d)) {
                day.tracked_s = tracked as f64 * SAMPLE_PERIOD_S;
                day.upright_share = share(upright, scored);
            }
        }
        let mut stmt = self.db(self.conn.prepare(&format!(
            "SELECT CAST((t - ?1) / {DAY_S:.1} AS INTEGER) AS d, COUNT(*)
             FROM alerts WHERE {in_range} GROUP BY d"
        )))?;
        let rows = self.db(stmt.query_map([from, to], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?))
        }))?;
        for row in rows {
            let (d, n) = self.db(row)?;
            if let Some(day) = usize::try_from(d).ok().and_then(|d| trend.get_mut(d)) {
                day.alerts = count(n);
            }
        }
        Ok(trend)
    }
}

/// (year, month 1..=12, day 1..=31) of a count of days since 1970-01-01
/// (H. Hinnant's civil_from_days).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11], March first
    let day = doy - (153 * mp + 2) / 5 + 1; // [1, 31]
    let month = if mp < 10 { mp + 3 } else { mp - 9 }; // [1, 12]
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month as u32, day as u32)
}

fn format_day(days: i64) -> String {
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Unix seconds as "YYYY-MM-DD HH:MM:SS" UTC (rounded down to the second).
pub fn format_utc(t: f64) -> String {
    let secs = t.floor() as i64;
    let sod = secs.rem_euclid(86_400);
    format!(
        "{} {:02}:{:02}:{:02}",
        format_day(secs.div_euclid(86_400)),
        sod / 3600,
        sod / 60 % 60,
        sod % 60
    )
}

/// Unix seconds as RFC 3339 UTC with milliseconds: "2026-11-27T09:00:00.500Z".
fn format_utc_millis(t: f64) -> String {
    let ms = (t * 1000.0).round() as i64;
    let secs = ms.div_euclid(1000);
    let sod = secs.rem_euclid(86_400);
    format!(
        "{}T{:02}:{:02}:{:02}.{:03}Z",
        format_day(secs.div_euclid(86_400)),
        sod / 3600,
        sod / 60 % 60,
        sod % 60,
        ms.rem_euclid(1000)
    )
}

/// "1h 02m 03s", "4m 10s" or "45s", to the nearest second.
fn format_duration(secs: f64) -> String {
    let total = secs.max(0.0).round() as u64;
    let (h, m, s) = (total / 3600, total / 60 % 60, total % 60);
    if h > 0 {
        format!("{h}h {m:02}m {s:02}s")
    } else if m > 0 {
        format!("{m}m {s:02}s")
    } else {
        format!("{s}s")
    }
}

/// `posturecam history`: a header, then one line per session, newest first:
/// id, start (UTC), duration, share upright, alerts. "no sessions yet" when
/// there are none.
pub fn write_history(store: &Store, out: &mut dyn Write) -> Result<(), StoreError> {
    let sessions = store.sessions()?;
    if sessions.is_empty() {
        writeln!(out, "no sessions yet")?;
        return Ok(());
    }
    let w = sessions
        .iter()
        .map(|s| s.id.to_string().len())
        .max()
        .unwrap_or(0)
        .max(2);
    writeln!(
        out,
        "{:>w$}  {:<19}  {:>10}  {:>7}  {:>6}",
        "id", "started (UTC)", "duration", "upright", "alerts"
    )?;
    for s in &sessions {
        let upright = s
            .upright_share
            .map_or_else(|| "-".to_string(), |u| format!("{:.0}%", u * 100.0));
        writeln!(
            out,
            "{:>w$}  {:<19}  {:>10}  {:>7}  {:>6}",
            s.id,
            format_utc(s.started_at),
            format_duration(s.duration_s),
            upright,
            s.alerts
        )?;
    }
    Ok(())
}

/// The format of [`export_session`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    /// One row per sample, with a header.
    Csv,
    /// `{"session": ..., "samples": [...], "alerts": [...]}`.
    Json,
}

impl std::str::FromStr for ExportFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "csv" => Ok(ExportFormat::Csv),
            "json" => Ok(ExportFormat::Json),
            _ => Err(format!("unknown export format {s:?}; use csv or json")),
        }
    }
}

/// `posturecam export SESSION --format csv|json`.
pub fn export_session(
    store: &Store,
    id: SessionId,
    format: ExportFormat,
    out: &mut dyn Write,
) -> Result<(), StoreError> {
    let session = store.session(id)?.ok_or(StoreError::UnknownSession(id))?;
    let samples = store.samples(id)?;
    match format {
        ExportFormat::Csv => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record([
                "t",
                "time_utc",
                "state",
                "score",
                "rula",
                "trunk_inclination",
                "neck_inclination",
                "shoulder_tilt",
                "head_drop",
            ])?;
            fn cell<T: ToString>(v: Option<T>) -> String {
                v.map_or_else(String::new, |v| v.to_string())
            }
            for s in &samples {
                w.write_record([
                    s.t.to_string(),
                    format_utc_millis(s.t),
                    s.state.clone(),
                    cell(s.score),
                    cell(s.rula),
                    cell(s.trunk_inclination),
                    cell(s.neck_inclination),
                    cell(s.shoulder_tilt),
                    cell(s.head_drop),
                ])?;
            }
            w.flush()?;
        }
        ExportFormat::Json => {
            #[derive(Serialize)]
            struct Export<'a> {
                session: &'a SessionRow,
                samples: &'a [Sample],
                alerts: &'a [AlertRow],
            }
            let alerts = store.alerts(id)?;
            serde_json::to_writer_pretty(
                &mut *out,
                &Export {
                    session: &session,
                    samples: &samples,
                    alerts: &alerts,
                },
            )?;
            writeln!(out)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assess::baseline::FrontMeasures;

    const DAY0: f64 = 1_795_737_600.0; // 2026-11-27 00:00:00 UTC

    fn sample(t: f64, state: &str) -> Sample {
        Sample {
            t,
            state: state.into(),
            score: Some(80),
            rula: Some(3),
            trunk_inclination: Some(4.5),
            neck_inclination: Some(12.25),
            shoulder_tilt: Some(-1.5),
            head_drop: Some(0.03),
        }
    }

    fn bare(t: f64, state: &str) -> Sample {
        Sample {
            t,
            state: state.into(),
            score: None,
            rula: None,
            trunk_inclination: None,
            neck_inclination: None,
            shoulder_tilt: None,
            head_drop: None,
        }
    }

    fn alert(t: f64, code: &str) -> AlertRow {
        AlertRow {
            t,
            code: code.into(),
            message: format!("{code}: sit back, \"chin\" up"),
        }
    }

    fn baseline(head: f32, frames: usize) -> Baseline {
        Baseline {
            kind: "posturecam-baseline".into(),
            version: 1,
            frames,
            measures: FrontMeasures {
                head_height_px: head,
                inter_ear_px: 60.0,
                shoulder_width_px: 180.5,
                shoulder_tilt_deg: -0.75,
            },
        }
    }

    fn temp_db() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("posturecam.sqlite3");
        (dir, path)
    }

    #[test]
    fn round_trip() {
        let (_dir, path) = temp_db();
        let store = Store::open(&path).unwrap();
        let id = store
            .start_session(DAY0 + 100.0, Some("desk"), "camera 0", "movenet-lightning")
            .unwrap();
        let samples = vec![
            sample(DAY0 + 100.0, "upright"),
            bare(DAY0 + 101.0, STATE_AWAY),
            Sample {
                score: Some(0),
                rula: None,
                head_drop: None,
                ..sample(DAY0 + 102.5, "slouched")
            },
        ];
        store.add_samples(id, &samples[..2]).unwrap();
        store.add_samples(id, &samples[2..]).unwrap();
        store.add_samples(id, &[]).unwrap();
        store.add_alert(id, &alert(DAY0 + 102.0, "slouch")).unwrap();
        store.end_session(id, DAY0 + 103.0).unwrap();
        let other = store
            .start_session(DAY0 + 200.0, None, "clips/a.mp4", "movenet-thunder")
            .unwrap();
        drop(store);

        let store = Store::open(&path).unwrap();
        assert_eq!(store.samples(id).unwrap(), samples);
        assert_eq!(
            store.alerts(id).unwrap(),
            vec![alert(DAY0 + 102.0, "slouch")]
        );
        let row = store.session(id).unwrap().unwrap();
        assert_eq!(
            row,
            SessionRow {
                id,
                started_at: DAY0 + 100.0,
                ended_at: Some(DAY0 + 103.0),
                duration_s: 3.0,
                profile: Some("desk".into()),
                source: "camera 0".into(),
                samples: 3,
                upright_share: Some(0.5),
                alerts: 1,
            }
        );
        let empty = SessionRow {
            id: other,
            started_at: DAY0 + 200.0,
            ended_at: None,
            duration_s: 0.0,
            profile: None,
            source: "clips/a.mp4".into(),
            samples: 0,
            upright_share: None,
            alerts: 0,
        };
        assert_eq!(store.sessions().unwrap(), vec![empty, row]);
        assert_eq!(store.session(9999).unwrap(), None);
        assert!(store.samples(9999).unwrap().is_empty());

        assert_eq!(store.profiles().unwrap(), Vec::<String>::new());
        assert!(store.profile("desk").unwrap().is_none());
        store
            .save_profile("desk", &baseline(40.0, 30), 1.5)
            .unwrap();
        store
            .save_profile("home", &baseline(38.0, 12), 2.0)
            .unwrap();
        assert_eq!(
            store.profile("desk").unwrap(),
            Some((baseline(40.0, 30), 1.5))
        );
        store
            .save_profile("desk", &baseline(42.5, 45), 3.0)
            .unwrap();
        assert_eq!(
            store.profile("desk").unwrap(),
            Some((baseline(42.5, 45), 3.0))
        );
        assert_eq!(
            store.profile("home").unwrap(),
            Some((baseline(38.0, 12), 2.0))
        );
        assert_eq!(store.profiles().unwrap(), vec!["desk", "home"]);
    }

    #[test]
    fn writes_to_unknown_sessions_are_refused() {
        let store = Store::open_in_memory().unwrap();
        assert!(matches!(
            store.add_samples(7, &[bare(1.0, "upright")]),
            Err(StoreError::UnknownSession(7))
        ));
        assert!(matches!(
            store.add_alert(7, &alert(1.0, "slouch")),
            Err(StoreError::UnknownSession(7))
        ));
        assert!(matches!(
            store.end_session(7, 2.0),
            Err(StoreError::UnknownSession(7))
        ));
        // The failed batch left nothing behind.
        let count: i64 = store
            .conn
            .query_row("SELECT COUNT(*) FROM samples", [], |r| r.get(0))
            .unwrap();
        assert_eq!(count, 0);
    }

    #[test]
    fn a_failed_batch_is_rolled_back_whole() {
        let store = Store::open_in_memory().unwrap();
        let id = store.start_session(0.0, None, "camera 0", "m").unwrap();
        store
            .conn
            .execute_batch(
                "CREATE TRIGGER no_reclined BEFORE INSERT ON samples
                 WHEN NEW.state = 'reclined' BEGIN SELECT RAISE(ABORT, 'no'); END;",
            )
            .unwrap();
        let batch = [bare(1.0, "upright"), bare(2.0, "reclined")];
        assert!(matches!(
            store.add_samples(id, &batch),
            Err(StoreError::Sqlite(..))
        ));
        assert!(store.samples(id).unwrap().is_empty());
    }

    #[test]
    fn migrations_bring_a_fresh_db_up_to_date_and_reopening_is_idempotent() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a").join("b").join("sessions.sqlite3");
        let store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        assert_eq!(SCHEMA_VERSION as usize, MIGRATIONS.len());
        let id = store.start_session(5.0, None, "camera 0", "m").unwrap();
        drop(store);
        for _ in 0..2 {
            let store = Store::open(&path).unwrap();
            assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
            assert_eq!(store.sessions().unwrap().len(), 1);
            assert_eq!(store.sessions().unwrap()[0].id, id);
        }
        let mem = Store::open_in_memory().unwrap();
        assert_eq!(mem.schema_version().unwrap(), SCHEMA_VERSION);
    }

    #[test]
    fn a_newer_db_is_refused_and_left_unchanged() {
        let (dir, path) = temp_db();
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch("CREATE TABLE future (x); PRAGMA user_version = 99;")
                .unwrap();
        }
        let before = std::fs::read(&path).unwrap();
        let err = Store::open(&path).unwrap_err();
        match &err {
            StoreError::TooNew {
                path: p,
                found,
                known,
            } => {
                assert_eq!(p, &path);
                assert_eq!(*found, 99);
                assert_eq!(*known, SCHEMA_VERSION);
            }
            other => panic!("expected TooNew, got {other:?}"),
        }
        let msg = err.to_string();
        assert!(msg.contains("schema version 99"), "{msg}");
        assert!(msg.contains(&path.display().to_string()), "{msg}");
        assert_eq!(std::fs::read(&path).unwrap(), before);
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec!["posturecam.sqlite3"]);
    }

    #[test]
    fn another_programs_database_is_refused() {
        let (_dir, path) = temp_db();
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch("CREATE TABLE sessions (x);").unwrap();
        }
        let before = std::fs::read(&path).unwrap();
        let err = Store::open(&path).unwrap_err();
        assert!(matches!(err, StoreError::NotADatabase(..)), "{err:?}");
        assert_eq!(std::fs::read(&path).unwrap(), before);
    }

    #[test]
    fn a_file_that_is_not_a_database_gives_a_clear_error() {
        let (_dir, path) = temp_db();
        let garbage: Vec<u8> = (0..4096u32).map(|i| (i * 7919 % 251) as u8).collect();
        std::fs::write(&path, &garbage).unwrap();
        let err = Store::open(&path).unwrap_err();
        assert!(matches!(err, StoreError::NotADatabase(..)), "{err:?}");
        let msg = err.to_string();
        assert!(msg.contains(&path.display().to_string()), "{msg}");
        assert!(msg.contains("not a posturecam session database"), "{msg}");
        assert_eq!(std::fs::read(&path).unwrap(), garbage);
    }

    #[test]
    fn wal_and_pragmas_are_on() {
        let (_dir, path) = temp_db();
        let store = Store::open(&path).unwrap();
        let pragma = |name: &str| -> String {
            store
                .conn
                .pragma_query_value(None, name, |r| r.get::<_, rusqlite::types::Value>(0))
                .map(|v| match v {
                    rusqlite::types::Value::Integer(i) => i.to_string(),
                    rusqlite::types::Value::Text(s) => s,
                    other => format!("{other:?}"),
                })
                .unwrap()
        };
        assert_eq!(pragma("journal_mode"), "wal");
        assert_eq!(pragma("synchronous"), "1"); // NORMAL
        assert_eq!(pragma("foreign_keys"), "1");
        assert_eq!(pragma("busy_timeout"), "5000");
    }

    #[test]
    fn two_stores_write_one_file_concurrently() {
        let (_dir, path) = temp_db();
        const BATCHES: usize = 200;
        const PER_BATCH: usize = 5;
        let barrier = std::sync::Arc::new(std::sync::Barrier::new(2));
        let writers: Vec<_> = (0..2)
            .map(|w| {
                let path = path.clone();
                let barrier = barrier.clone();
                std::thread::spawn(move || -> Result<SessionId, StoreError> {
                    barrier.wait();
                    // Both open (and migrate) at the same moment too.
                    let store = Store::open(&path)?;
                    let id = store.start_session(w as f64, None, "camera 0", "m")?;
                    for b in 0..BATCHES {
                        let batch: Vec<Sample> = (0..PER_BATCH)
                            .map(|i| sample((b * PER_BATCH + i) as f64, "upright"))
                            .collect();
                        store.add_samples(id, &batch)?;
                        if b % 50 == 0 {
                            store.add_alert(id, &alert(b as f64, "slouch"))?;
                        }
                    }
                    store.end_session(id, (BATCHES * PER_BATCH) as f64)?;
                    Ok(id)
                })
            })
            .collect();
        let ids: Vec<SessionId> = writers
            .into_iter()
            .map(|h| h.join().unwrap().unwrap())
            .collect();
        assert_ne!(ids[0], ids[1]);
        let store = Store::open(&path).unwrap();
        let sessions = store.sessions().unwrap();
        assert_eq!(sessions.len(), 2);
        for id in ids {
            let samples = store.samples(id).unwrap();
            assert_eq!(samples.len(), BATCHES * PER_BATCH);
            assert!(samples.windows(2).all(|w| w[0].t < w[1].t));
            assert_eq!(store.alerts(id).unwrap().len(), BATCHES / 50);
        }
    }

    #[test]
    fn read_only_cannot_open_and_full_disk_errors_name_the_file_and_what_to_do() {
        let path = Path::new("/data/s.sqlite3");
        let err = |code| {
            sql_error(
                path,
                rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(code), None),
            )
        };
        let full = err(rusqlite::ffi::SQLITE_FULL);
        assert!(matches!(full, StoreError::Full(..)), "{full:?}");
        // A write refused by the file-size limit (EFBIG) or ENOSPC.
        let refused = err(rusqlite::ffi::SQLITE_IOERR_WRITE);
        assert!(matches!(refused, StoreError::Full(..)), "{refused:?}");
        let ro = err(rusqlite::ffi::SQLITE_READONLY);
        assert!(matches!(ro, StoreError::ReadOnly(..)), "{ro:?}");
        let cant = err(rusqlite::ffi::SQLITE_CANTOPEN);
        assert!(matches!(cant, StoreError::CannotOpen(..)), "{cant:?}");
        for (e, says) in [
            (full, "the disk is full"),
            (refused, "the disk is full"),
            (ro, "read-only"),
            (cant, "read-only or missing"),
        ] {
            let m = e.to_string();
            assert!(m.contains("/data/s.sqlite3") && m.contains(says), "{m}");
            assert!(m.contains("--db PATH"), "{m}");
        }
        // Other I/O errors stay as SQLite says them.
        let other = err(rusqlite::ffi::SQLITE_IOERR_READ);
        assert!(matches!(other, StoreError::Sqlite(..)), "{other:?}");
    }

    #[test]
    fn a_session_that_never_ended_lasts_until_its_last_sample() {
        let (_dir, path) = temp_db();
        let store = Store::open(&path).unwrap();
        let id = store.start_session(DAY0, None, "camera 0", "m").unwrap();
        let batch: Vec<Sample> = (0..=42)
            .map(|i| sample(DAY0 + i as f64, "upright"))
            .collect();
        store.add_samples(id, &batch).unwrap();
        // Like kill -9: the connection is never closed (no checkpoint).
        std::mem::forget(store);

        let store = Store::open(&path).unwrap();
        let row = store.session(id).unwrap().unwrap();
        assert_eq!(row.ended_at, None);
        assert_eq!(row.duration_s, 42.0);
        assert_eq!(row.samples, 43);
        assert_eq!(store.sessions().unwrap(), vec![row]);
    }

    #[test]
    fn upright_share_counts_only_scored_samples() {
        let store = Store::open_in_memory().unwrap();
        let id = store.start_session(0.0, None, "camera 0", "m").unwrap();
        let states = [
            "upright",
            "upright",
            "slouched",
            "upright",
            STATE_AWAY,
            STATE_AWAY,
            STATE_PAUSED,
            "unscorable",
            "unscorable",
        ];
        let batch: Vec<Sample> = states
            .iter()
            .enumerate()
            .map(|(i, s)| bare(i as f64, s))
            .collect();
        store.add_samples(id, &batch).unwrap();
        let row = store.session(id).unwrap().unwrap();
        assert_eq!(row.upright_share, Some(0.75));
        assert_eq!(row.samples, 9);

        let away = store.start_session(100.0, None, "camera 0", "m").unwrap();
        store
            .add_samples(away, &[bare(100.0, STATE_AWAY), bare(101.0, "unscorable")])
            .unwrap();
        assert_eq!(store.session(away).unwrap().unwrap().upright_share, None);
    }

    #[test]
    fn daily_trend_buckets_by_utc_day_with_empty_days() {
        let store = Store::open_in_memory().unwrap();
        // Across the midnight between 25 and 26 November.
        let late = store
            .start_session(DAY0 - DAY_S - 2.0, None, "camera 0", "m")
            .unwrap();
        let across: Vec<Sample> = [
            (-2.0, "upright"),
            (-1.0, "slouched"),
            (0.0, "upright"),
            (1.0, STATE_AWAY),
        ]
        .iter()
        .map(|&(dt, s)| bare(DAY0 - DAY_S + dt, s))
        .collect();
        store.add_samples(late, &across).unwrap();
        store
            .add_alert(late, &alert(DAY0 - DAY_S - 1.0, "slouch"))
            .unwrap();
        store.end_session(late, DAY0 - DAY_S + 2.0).unwrap();
        // Today, never ended.
        let today = store
            .start_session(DAY0 + 3600.0, None, "camera 0", "m")
            .unwrap();
        let batch: Vec<Sample> = [
            "upright",
            "upright",
            "upright",
            "reclined",
            STATE_PAUSED,
            "unscorable",
        ]
        .iter()
        .enumerate()
        .map(|(i, s)| bare(DAY0 + 3600.0 + i as f64, s))
        .collect();
        store.add_samples(today, &batch).unwrap();
        store
            .add_alert(today, &alert(DAY0 + 3601.0, "slouch"))
            .unwrap();
        store
            .add_alert(today, &alert(DAY0 + 3602.0, "lean"))
            .unwrap();
        // Long before the range.
        let old = store
            .start_session(DAY0 - 30.0 * DAY_S, None, "camera 0", "m")
            .unwrap();
        store
            .add_samples(old, &[bare(DAY0 - 30.0 * DAY_S, "upright")])
            .unwrap();
        store.end_session(old, DAY0 - 30.0 * DAY_S + 1.0).unwrap();

        let trend = store.daily_trend(4, DAY0 + 12.0 * 3600.0).unwrap();
        let day = |day: &str, tracked_s: f64, upright_share: Option<f64>, alerts: u64| DayTrend {
            day: day.into(),
            tracked_s,
            upright_share,
            alerts,
        };
        assert_eq!(
            trend,
            vec![
                day("2026-11-24", 0.0, None, 0),
                day("2026-11-25", 2.0, Some(0.5), 1),
                day("2026-11-26", 1.0, Some(1.0), 0),
                day("2026-11-27", 5.0, Some(0.75), 2),
            ]
        );
        assert!(store.daily_trend(0, DAY0).unwrap().is_empty());
        // The last second of a day still belongs to it.
        let one = store.daily_trend(1, DAY0 - 0.5).unwrap();
        assert_eq!(one, vec![day("2026-11-26", 1.0, Some(1.0), 0)]);
    }

    /// A database with three sessions: ended, empty, and crashed.
    fn history_db() -> Store {
        let store = Store::open_in_memory().unwrap();
        let first = store
            .start_session(DAY0 + 9.0 * 3600.0, Some("desk"), "camera 0", "m")
            .unwrap();
        let states = ["upright", "upright", "slouched", "upright", STATE_AWAY];
        let batch: Vec<Sample> = states
            .iter()
            .enumerate()
            .map(|(i, s)| bare(DAY0 + 9.0 * 3600.0 + i as f64, s))
            .collect();
        store.add_samples(first, &batch).unwrap();
        store
            .add_alert(first, &alert(DAY0 + 9.0 * 3600.0 + 2.0, "slouch"))
            .unwrap();
        store
            .add_alert(first, &alert(DAY0 + 9.0 * 3600.0 + 3.0, "slouch"))
            .unwrap();
        store
            .end_session(first, DAY0 + 9.0 * 3600.0 + 3723.0)
            .unwrap();
        let second = store
            .start_session(DAY0 + 14.0 * 3600.0, None, "clip.mp4", "m")
            .unwrap();
        store
            .end_session(second, DAY0 + 14.0 * 3600.0 + 250.4)
            .unwrap();
        let third = store
            .start_session(DAY0 + 15.5 * 3600.0, None, "camera 0", "m")
            .unwrap();
        let batch: Vec<Sample> = ["upright", "slouched", "upright"]
            .iter()
            .enumerate()
            .map(|(i, s)| bare(DAY0 + 15.5 * 3600.0 + 22.5 * i as f64, s))
            .collect();
        store.add_samples(third, &batch).unwrap();
        store
    }

    #[test]
    fn history_lists_sessions_newest_first() {
        let mut out = Vec::new();
        write_history(&history_db(), &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "\
id  started (UTC)          duration  upright  alerts
 3  2026-11-27 15:30:00         45s      67%       0
 2  2026-11-27 14:00:00      4m 10s        -       0
 1  2026-11-27 09:00:00  1h 02m 03s      75%       2
"
        );

        let mut out = Vec::new();
        write_history(&Store::open_in_memory().unwrap(), &mut out).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "no sessions yet\n");
    }

    /// A session of two samples (one with nothing measured) and an alert.
    fn export_db() -> (Store, SessionId) {
        let store = Store::open_in_memory().unwrap();
        let id = store
            .start_session(DAY0 + 9.0 * 3600.0, Some("desk"), "camera 0", "m")
            .unwrap();
        let t = DAY0 + 9.0 * 3600.0;
        store
            .add_samples(
                id,
                &[
                    Sample {
                        score: Some(92),
                        rula: Some(2),
                        ..sample(t, "upright")
                    },
                    bare(t + 1.5, STATE_AWAY),
                ],
            )
            .unwrap();
        store
            .add_alert(
                id,
                &AlertRow {
                    t: t + 1.0,
                    code: "slouch".into(),
                    message: "Sit back, \"chin\" up".into(),
                },
            )
            .unwrap();
        store.end_session(id, t + 2.0).unwrap();
        (store, id)
    }

    #[test]
    fn export_csv() {
        let (store, id) = export_db();
        let mut out = Vec::new();
        export_session(&store, id, ExportFormat::Csv, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "\
t,time_utc,state,score,rula,trunk_inclination,neck_inclination,shoulder_tilt,head_drop
1795770000,2026-11-27T09:00:00.000Z,upright,92,2,4.5,12.25,-1.5,0.03
1795770001.5,2026-11-27T09:00:01.500Z,away,,,,,,
"
        );
    }

    #[test]
    fn export_json() {
        let (store, id) = export_db();
        let mut out = Vec::new();
        export_session(&store, id, ExportFormat::Json, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#"{
  "session": {
    "id": 1,
    "started_at": 1795770000.0,
    "ended_at": 1795770002.0,
    "duration_s": 2.0,
    "profile": "desk",
    "source": "camera 0",
    "samples": 2,
    "upright_share": 1.0,
    "alerts": 1
  },
  "samples": [
    {
      "t": 1795770000.0,
      "state": "upright",
      "score": 92,
      "rula": 2,
      "trunk_inclination": 4.5,
      "neck_inclination": 12.25,
      "shoulder_tilt": -1.5,
      "head_drop": 0.03
    },
    {
      "t": 1795770001.5,
      "state": "away",
      "score": null,
      "rula": null,
      "trunk_inclination": null,
      "neck_inclination": null,
      "shoulder_tilt": null,
      "head_drop": null
    }
  ],
  "alerts": [
    {
      "t": 1795770001.0,
      "code": "slouch",
      "message": "Sit back, \"chin\" up"
    }
  ]
}
"#
        );
    }

    #[test]
    fn exporting_an_unknown_session_is_an_error() {
        let (store, _) = export_db();
        for format in [ExportFormat::Csv, ExportFormat::Json] {
            let mut out = Vec::new();
            let err = export_session(&store, 42, format, &mut out).unwrap_err();
            assert!(matches!(err, StoreError::UnknownSession(42)), "{err:?}");
            assert!(err.to_string().contains("posturecam history"));
            assert!(out.is_empty());
        }
        assert_eq!("CSV".parse::<ExportFormat>(), Ok(ExportFormat::Csv));
        assert_eq!("json".parse::<ExportFormat>(), Ok(ExportFormat::Json));
        assert!("xml".parse::<ExportFormat>().is_err());
    }

    #[test]
    fn dates_and_durations() {
        assert_eq!(format_utc(0.0), "1970-01-01 00:00:00");
        assert_eq!(format_utc(-1.0), "1969-12-31 23:59:59");
        assert_eq!(format_utc(951_782_400.0), "2000-02-29 00:00:00");
        assert_eq!(format_utc(951_868_799.9), "2000-02-29 23:59:59");
        assert_eq!(format_utc(DAY0 + 45_296.0), "2026-11-27 12:34:56");
        assert_eq!(format_utc(4_107_542_400.0), "2100-03-01 00:00:00");
        assert_eq!(format_utc_millis(DAY0 + 0.25), "2026-11-27T00:00:00.250Z");
        assert_eq!(format_utc_millis(DAY0 - 0.0004), "2026-11-27T00:00:00.000Z");
        assert_eq!(format_duration(0.0), "0s");
        assert_eq!(format_duration(59.4), "59s");
        assert_eq!(format_duration(59.6), "1m 00s");
        assert_eq!(format_duration(3723.0), "1h 02m 03s");
        assert_eq!(format_duration(100.0 * 3600.0), "100h 00m 00s");
        assert_eq!(format_duration(-5.0), "0s");
    }

    #[test]
    fn sitting_states_are_the_serde_names() {
        use crate::assess::SittingClass::*;
        for class in [
            Upright,
            Slouched,
            Reclined,
            LeaningLeft,
            LeaningRight,
            Unscorable,
        ] {
            assert_eq!(
                serde_json::to_value(class).unwrap(),
                serde_json::Value::String(class.as_str().into())
            );
        }
    }

    #[test]
    fn default_path_is_in_the_data_dir() {
        if let Some(p) = Store::default_path() {
            assert!(
                p.ends_with("posturecam/posturecam.sqlite3"),
                "{}",
                p.display()
            );
        }
    }
}
