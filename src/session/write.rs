//! Writing a session as it runs: its start, batches of per-second samples
//! (one transaction each), alerts, its end, and named sitting baselines.

use rusqlite::params;

use super::store::{
    is_foreign_key_error, sql_error, AlertRow, Sample, SessionId, Store, StoreError,
};
use crate::assess::Baseline;

impl Store {
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
}
