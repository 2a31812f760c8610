//! Where frames come from. Still images for now ([`image_file`]); the
//! camera, video files and a `FrameSource` trait join them with the live
//! window.

pub mod image_file;
pub mod inputs;

pub use image_file::{decode_rgb, load_rgb, LoadError};
pub use inputs::{collect_inputs, Input};
