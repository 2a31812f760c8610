//! Accuracy against hand-annotated keypoints.

pub mod coco;
