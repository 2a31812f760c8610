//! The listings for people: `posturecam history` (one line per session)
//! and `posturecam export` (one session's samples as CSV or JSON), with the
//! UTC date and duration formatting they share.

use std::io::Write;

use serde::Serialize;

use super::store::{AlertRow, Sample, SessionId, SessionRow, Store, StoreError};

/// (year, month 1..=12, day 1..=31) of a count of days since 1970-01-01
/// (H. Hinnant's civil_from_days).
pub(super) fn civil_from_days(days: i64) -> (i64, u32, u32) {
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

pub(super) fn format_day(days: i64) -> String {
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
pub(super) fn format_utc_millis(t: f64) -> String {
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
pub(super) fn format_duration(secs: f64) -> String {
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
