//! The session database's schema: versioned with `PRAGMA user_version` and
//! upgraded by [`MIGRATIONS`], in order, in one transaction. A database
//! written by a newer posturecam (a higher version) is refused and left
//! untouched.

use super::store::{version_from_sql, Store, StoreError};

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

impl Store {
    pub(super) fn check_version(&self, found: u32) -> Result<(), StoreError> {
        if found > SCHEMA_VERSION {
            return Err(StoreError::TooNew {
                path: self.path.clone(),
                found,
                known: SCHEMA_VERSION,
            });
        }
        Ok(())
    }

    pub(super) fn migrate(&self) -> Result<(), StoreError> {
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
}
