//! `posturecam cameras`: the cameras the system reports.

use super::EXIT_OK;

/// Lists the cameras, one `index<TAB>name` line each.
pub fn run() -> anyhow::Result<i32> {
    #[cfg(feature = "camera")]
    {
        let cams = crate::capture::camera::list_cameras()?;
        if cams.is_empty() {
            println!("no cameras found");
        }
        for (i, name) in cams {
            println!("{i}\t{name}");
        }
        Ok(EXIT_OK)
    }
    #[cfg(not(feature = "camera"))]
    anyhow::bail!("this build has no camera support (built without the `camera` feature)")
}
