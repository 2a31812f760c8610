//! Live coaching logic, free of I/O: when to alert ([`alerts`]) and how a
//! session went ([`summary`]).

pub mod alerts;
pub mod summary;

pub use alerts::{AlertConfig, AlertEvent, AlertMachine, Banner, Posture, Sensitivity};
pub use summary::{SessionSummary, SummaryBuilder};
