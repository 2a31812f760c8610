//! The webcam, through nokhwa (V4L2 on Linux, AVFoundation on macOS, Media
//! Foundation on Windows). Built only with the `camera` feature (default).

use std::time::Instant;

use nokhwa::pixel_format::RgbFormat;
use nokhwa::utils::{
    ApiBackend, CameraFormat, CameraIndex, FrameFormat, RequestedFormat, RequestedFormatType,
    Resolution,
};
use nokhwa::Camera;

use super::source::{Frame, FrameSource, SourceError};

/// The cameras the system reports: (index, name).
pub fn list_cameras() -> Result<Vec<(u32, String)>, SourceError> {
    let found = nokhwa::query(ApiBackend::Auto)
        .map_err(|e| SourceError::Other(format!("cannot list cameras: {e}")))?;
    Ok(found
        .into_iter()
        .map(|c| {
            let index = match c.index() {
                CameraIndex::Index(i) => *i,
                CameraIndex::String(_) => 0,
            };
            (index, c.human_name())
        })
        .collect())
}

/// A webcam streaming RGB frames. Open it on the thread that reads it.
pub struct CameraSource {
    camera: Camera,
    index: u32,
    start: Instant,
    count: u64,
}

impl CameraSource {
    /// Opens camera `index`, asking for `resolution` and `fps` when given
    /// (MJPEG or YUYV, whichever the camera offers closest), else its
    /// highest frame rate.
    pub fn open(
        index: u32,
        resolution: Option<(u32, u32)>,
        fps: Option<u32>,
    ) -> Result<CameraSource, SourceError> {
        let requested = match (resolution, fps) {
            (Some((w, h)), f) => RequestedFormat::new::<RgbFormat>(RequestedFormatType::Closest(
                CameraFormat::new(Resolution::new(w, h), FrameFormat::MJPEG, f.unwrap_or(30)),
            )),
            (None, Some(f)) => {
                RequestedFormat::new::<RgbFormat>(RequestedFormatType::HighestFrameRate(f))
            }
            (None, None) => {
                RequestedFormat::new::<RgbFormat>(RequestedFormatType::AbsoluteHighestFrameRate)
            }
        };
        let listed = list_cameras().unwrap_or_default();
        let mut camera = Camera::new(CameraIndex::Index(index), requested).map_err(|e| {
            if listed.is_empty() {
                SourceError::NoCamera
            } else {
                SourceError::CameraUnavailable {
                    index,
                    reason: e.to_string(),
                }
            }
        })?;
        camera
            .open_stream()
            .map_err(|e| SourceError::CameraUnavailable {
                index,
                reason: e.to_string(),
            })?;
        Ok(CameraSource {
            camera,
            index,
            start: Instant::now(),
            count: 0,
        })
    }
}

impl FrameSource for CameraSource {
    fn next_frame(&mut self) -> Result<Option<Frame>, SourceError> {
        let buffer = self
            .camera
            .frame()
            .map_err(|e| SourceError::Disconnected(e.to_string()))?;
        let image = buffer
            .decode_image::<RgbFormat>()
            .map_err(|e| SourceError::Disconnected(format!("cannot decode the frame: {e}")))?;
        let frame = Frame {
            image,
            t: self.start.elapsed().as_secs_f64(),
            index: self.count,
            label: format!("camera {}", self.index),
        };
        self.count += 1;
        Ok(Some(frame))
    }

    fn describe(&self) -> String {
        let f = self.camera.camera_format();
        format!(
            "camera {} ({}x{} {} at {} fps)",
            self.index,
            f.width(),
            f.height(),
            f.format(),
            f.frame_rate()
        )
    }

    fn fps(&self) -> Option<f64> {
        None
    }
}

impl Drop for CameraSource {
    fn drop(&mut self) {
        // Release the device (the pause / privacy switch relies on this).
        let _ = self.camera.stop_stream();
    }
}
