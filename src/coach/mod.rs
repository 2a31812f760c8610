//! Live coaching logic: when to alert ([`alerts`]), how a session went
//! ([`summary`]), and how alerts are announced beyond the banner: a desktop
//! notification ([`notify`]) and a chime ([`sound`]), once per episode.

pub mod alerts;
pub mod notify;
pub mod sound;
pub mod summary;

pub use alerts::{AlertConfig, AlertEvent, AlertMachine, Banner, Posture, Sensitivity};
pub use notify::{AlertEpisodes, Notifier};
pub use sound::ChimePlayer;
pub use summary::{SessionSummary, SummaryBuilder};
