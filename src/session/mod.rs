//! Live coaching sessions kept on disk: a SQLite database ([`store`]) that
//! the live loop writes as it runs (per-second samples, alerts), so that a
//! crash or `kill -9` loses at most the last unwritten batch, plus the
//! named sitting baselines (profiles). `posturecam history` and
//! `posturecam export` read it back ([`write_history`], [`export_session`]).

pub mod history;
pub mod read;
pub mod schema;
pub mod store;
pub mod write;

#[cfg(test)]
mod tests;

pub use store::{
    export_session, format_utc, write_history, AlertRow, DayTrend, ExportFormat, Sample, SessionId,
    SessionRow, Store, StoreError, STATE_AWAY, STATE_PAUSED,
};
