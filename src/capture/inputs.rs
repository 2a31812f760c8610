//! Expanding the paths given on a command line into the list of files to
//! score, in a deterministic order.

use std::path::{Path, PathBuf};

/// File extensions (lower case) picked up when a folder is scanned. Files
/// named explicitly are always tried, whatever their name.
pub const IMAGE_EXTENSIONS: [&str; 7] = ["jpg", "jpeg", "png", "webp", "bmp", "tif", "tiff"];

/// One item to score: a file, or a path that could not be listed (it then
/// becomes an error record, and the run goes on).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Input {
    /// The path as given, or as found under a folder that was given.
    pub path: PathBuf,
    /// Why the path cannot be scored, found while listing.
    pub error: Option<String>,
}

/// Whether `p` is named like an image file.
pub fn is_image_name(p: &Path) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .map(|e| IMAGE_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
        .unwrap_or(false)
}

fn is_media_name(p: &Path) -> bool {
    is_image_name(p) || super::video::is_video(p)
}

/// Files first, in the order given; each folder expands in place to its
/// image files, recursively, sorted by path (byte order of the file names,
/// so the same tree always gives the same order). Hidden files and folders
/// (names starting with '.') inside a folder are skipped.
pub fn collect_inputs(paths: &[PathBuf]) -> Vec<Input> {
    let mut out = Vec::new();
    for path in paths {
        match std::fs::metadata(path) {
            Err(e) => out.push(Input {
                path: path.clone(),
                error: Some(format!("cannot read path: {e}")),
            }),
            Ok(m) if m.is_dir() => {
                let walker = walkdir::WalkDir::new(path)
                    .follow_links(true)
                    .sort_by_file_name()
                    .into_iter()
                    .filter_entry(|e| {
                        e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.')
                    });
                for entry in walker {
                    match entry {
                        Ok(e) if e.file_type().is_file() && is_media_name(e.path()) => {
                            out.push(Input {
                                path: e.into_path(),
                                error: None,
                            })
                        }
                        Ok(_) => {}
                        Err(e) => out.push(Input {
                            path: e
                                .path()
                                .map(Path::to_path_buf)
                                .unwrap_or_else(|| path.clone()),
                            error: Some(format!("cannot list folder: {e}")),
                        }),
                    }
                }
            }
            Ok(_) => out.push(Input {
                path: path.clone(),
                error: None,
            }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_expand_recursively_sorted_and_files_keep_their_place() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir_all(d.join("b/inner")).unwrap();
        std::fs::create_dir_all(d.join(".hidden")).unwrap();
        for f in [
            "b/inner/z.JPG",
            "b/a.png",
            "c.webp",
            "notes.txt",
            ".hidden/x.png",
            "a.tiff",
        ] {
            std::fs::write(d.join(f), b"x").unwrap();
        }
        let explicit = d.join("notes.txt");
        let got = collect_inputs(&[explicit.clone(), d.to_path_buf(), d.join("missing.jpg")]);
        let names: Vec<String> = got
            .iter()
            .map(|i| {
                i.path
                    .strip_prefix(d)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        assert_eq!(
            names,
            [
                "notes.txt",
                "a.tiff",
                "b/a.png",
                "b/inner/z.JPG",
                "c.webp",
                "missing.jpg"
            ]
        );
        assert!(got[..5].iter().all(|i| i.error.is_none()));
        assert!(got[5].error.as_ref().unwrap().contains("cannot read path"));
    }
}
