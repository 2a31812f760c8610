//! Where frames come from: still images ([`image_file`], [`inputs`]) and
//! timed frame streams behind [`FrameSource`] ([`source`]).

#[cfg(feature = "camera")]
pub mod camera;
pub mod image_file;
pub mod inputs;
pub mod source;
pub mod video;

pub use image_file::{decode_rgb, load_rgb, LoadError};
pub use inputs::{collect_inputs, Input};
pub use source::{FolderSource, Frame, FrameSource, SourceError};
pub use video::{
    is_video, VideoError, VideoFrame, VideoInfo, VideoOptions, VideoReader, VideoSource,
};
