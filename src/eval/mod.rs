//! Measurements of posturecam against labelled data: keypoint accuracy
//! against hand-annotated photos ([`coco`]) and repetition counts against
//! labelled counts ([`counting`]).

pub mod coco;
pub mod counting;
