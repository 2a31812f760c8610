//! posturecam: posture and lifting-technique assessment from a webcam,
//! videos or photos. A frame flows one way:
//! source ([`capture`]) → pose ([`pose`]) → geometry ([`analysis`]) →
//! judgements ([`assess`]) → records ([`score`]).
//! [`eval`] measures keypoint accuracy; [`cli`] is the command line.

pub mod analysis;
pub mod assess;
pub mod bench;
pub mod capture;
pub mod cli;
pub mod coach;
pub mod eval;
#[doc(hidden)]
pub mod fuzzing;
pub mod live;
pub mod pose;
pub mod report;
pub mod review;
pub mod score;
pub mod session;
pub mod ui;
