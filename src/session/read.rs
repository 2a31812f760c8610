//! Reading sessions back: the session list with its totals, one session's
//! samples and alerts, the named baselines and the day-by-day trend.

use rusqlite::{OptionalExtension, Row};

use super::history::format_day;

use super::store::{
    count, share, AlertRow, DayTrend, Sample, SessionId, SessionRow, Store, StoreError, DAY_S,
    SAMPLE_PERIOD_S,
};
use crate::assess::Baseline;

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
