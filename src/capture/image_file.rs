//! Reading still images safely: format from the content, EXIF orientation
//! applied, and memory bounded on hostile files (decompression bombs).

use std::fs::File;
use std::io::{Cursor, Read};
use std::path::Path;

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits, RgbImage};

/// Largest width or height accepted (a 32768-pixel side is far beyond any
/// camera; a file that declares more is refused before decoding).
pub const MAX_SIDE: u32 = 32_768;
/// Most memory one decoded image may take, with its conversion to RGB:
/// enough for a 108-megapixel phone photo (12000×9000 RGB, 324 MB), far
/// below what a decompression bomb declares.
pub const MAX_DECODED_BYTES: u64 = 1024 * 1024 * 1024;

/// Why an image could not be read. The message says what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot open: {0}")]
    Open(std::io::Error),
    #[error("the file is {0} bytes, over the limit of 512 MiB for one image")]
    FileTooLarge(u64),
    #[error("the file is empty (0 bytes)")]
    Empty,
    #[error("not a supported image (JPEG, PNG, WebP, BMP or TIFF)")]
    UnknownFormat,
    /// A format recognised from its content that posturecam does not read
    /// (GIF, animated or not, AVIF, …): refused, never half-read.
    #[error("{0} images are not supported; convert it to JPEG or PNG (posturecam reads JPEG, PNG, WebP, BMP and TIFF)")]
    UnsupportedFormat(String),
    /// A FIFO, device or socket named like an image: opening it could
    /// block forever or read without end.
    #[error("not a regular file ({0}); only image files are read")]
    NotAFile(&'static str),
    #[error("image is {width}x{height} pixels, over the limit of {} MiB decoded; refusing to decode it", limit >> 20)]
    TooLarge { width: u32, height: u32, limit: u64 },
    #[error("image is {width}x{height} pixels, over the limit of {MAX_SIDE} pixels a side; refusing to decode it")]
    TooWide { width: u32, height: u32 },
    #[error("image too large to decode safely ({0}): over {MAX_SIDE} pixels a side or {mib} MiB decoded", mib = MAX_DECODED_BYTES >> 20)]
    OverLimits(String),
    #[error("corrupt or truncated image: {0}")]
    Decode(String),
}

/// Largest file read (a photo that big is far beyond any camera's).
pub const MAX_FILE_BYTES: u64 = 512 * 1024 * 1024;

/// Reads an image file as 8-bit RGB, rotated/flipped upright as its EXIF
/// orientation says. Never panics and never allocates more than
/// [`MAX_FILE_BYTES`] for the file plus [`MAX_DECODED_BYTES`] for the
/// decoded pixels.
pub fn load_rgb(path: &Path) -> Result<RgbImage, LoadError> {
    // Checked before opening: opening a FIFO for reading blocks until
    // someone writes to it.
    let kind = std::fs::metadata(path)
        .map_err(LoadError::Open)?
        .file_type();
    if !kind.is_file() {
        return Err(LoadError::NotAFile(file_kind(&kind)));
    }
    let file = File::open(path).map_err(LoadError::Open)?;
    let len = file.metadata().map_err(LoadError::Open)?.len();
    if len > MAX_FILE_BYTES {
        return Err(LoadError::FileTooLarge(len));
    }
    let mut bytes = Vec::with_capacity(len as usize);
    file.take(MAX_FILE_BYTES)
        .read_to_end(&mut bytes)
        .map_err(LoadError::Open)?;
    decode_rgb(&bytes)
}

fn file_kind(t: &std::fs::FileType) -> &'static str {
    if t.is_dir() {
        return "a folder";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a named pipe";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
    }
    "not a plain file"
}

/// Decodes an in-memory image (same rules as [`load_rgb`]).
pub fn decode_rgb(bytes: &[u8]) -> Result<RgbImage, LoadError> {
    if bytes.is_empty() {
        return Err(LoadError::Empty);
    }
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(LoadError::Open)?;
    match reader.format() {
        None => return Err(LoadError::UnknownFormat),
        Some(f) if !f.reading_enabled() => {
            let name = f.extensions_str().first().copied().unwrap_or("this format");
            return Err(LoadError::UnsupportedFormat(name.to_ascii_uppercase()));
        }
        // The JPEG decoder fills in a truncated file's missing rows instead
        // of failing; a frame that is partly grey must not be scored.
        Some(ImageFormat::Jpeg) if !jpeg_is_complete(bytes) => {
            return Err(LoadError::Decode(
                "truncated JPEG: the file ends before its end-of-image marker".into(),
            ))
        }
        Some(_) => {}
    }
    decode(reader, bytes)
}

/// The size an image's header declares, for the message when the decoder
/// refused it: read without the size limits but with allocations still
/// capped (only headers are read; a hostile TIFF directory must not get
/// unbounded memory either).
fn header_dims(bytes: &[u8]) -> Option<(u32, u32)> {
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .ok()?;
    let mut limits = Limits::no_limits();
    limits.max_alloc = Some(HEADER_ALLOC_BYTES);
    reader.limits(limits);
    reader.into_dimensions().ok()
}

/// Most memory the header-only read in [`header_dims`] may allocate.
const HEADER_ALLOC_BYTES: u64 = 64 * 1024 * 1024;

/// Walks a JPEG's marker segments and entropy-coded scans and says whether
/// the end-of-image marker is reached inside the data. Segment lengths are
/// followed (so markers inside an EXIF thumbnail do not count); inside a
/// scan, 0xFF is always followed by a stuffed 0x00 or a restart marker until
/// the next real marker.
pub fn jpeg_is_complete(data: &[u8]) -> bool {
    if data.len() < 4 || data[0] != 0xFF || data[1] != 0xD8 {
        return false;
    }
    let mut i = 2;
    loop {
        // Find the next marker, skipping fill bytes.
        while i < data.len() && data[i] != 0xFF {
            i += 1;
        }
        while i < data.len() && data[i] == 0xFF {
            i += 1;
        }
        let Some(&marker) = data.get(i) else {
            return false;
        };
        i += 1;
        match marker {
            0xD9 => return true,
            0x01 | 0xD0..=0xD7 => continue,
            _ => {}
        }
        let Some(len) = data
            .get(i..i + 2)
            .map(|b| usize::from(u16::from_be_bytes([b[0], b[1]])))
        else {
            return false;
        };
        if len < 2 || i + len > data.len() {
            return false;
        }
        i += len;
        if marker == 0xDA {
            // Entropy-coded data up to the next marker that is not a
            // stuffed byte or a restart marker.
            loop {
                if i + 1 >= data.len() {
                    return false;
                }
                if data[i] == 0xFF && data[i + 1] != 0x00 && !(0xD0..=0xD7).contains(&data[i + 1]) {
                    break;
                }
                i += 1;
            }
        }
    }
}

fn decode<R: std::io::BufRead + std::io::Seek>(
    mut reader: ImageReader<R>,
    bytes: &[u8],
) -> Result<RgbImage, LoadError> {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODED_BYTES);
    reader.limits(limits);
    let too_large = |(width, height): (u32, u32)| {
        if width > MAX_SIDE || height > MAX_SIDE {
            LoadError::TooWide { width, height }
        } else {
            LoadError::TooLarge {
                width,
                height,
                limit: MAX_DECODED_BYTES,
            }
        }
    };
    let decode_err = |e: image::ImageError| match e {
        image::ImageError::Limits(_) => match header_dims(bytes) {
            Some(dims) => too_large(dims),
            None => LoadError::OverLimits(e.to_string()),
        },
        image::ImageError::Unsupported(_) => LoadError::UnknownFormat,
        other => LoadError::Decode(other.to_string()),
    };
    let mut decoder = reader.into_decoder().map_err(decode_err)?;
    let dims = decoder.dimensions();
    // The decoded buffer, plus the RGB copy made from it below unless it
    // already is 8-bit RGB.
    let rgb_bytes = match decoder.color_type() {
        image::ColorType::Rgb8 => 0,
        _ => u64::from(dims.0) * u64::from(dims.1) * 3,
    };
    if dims.0 > MAX_SIDE
        || dims.1 > MAX_SIDE
        || decoder.total_bytes().saturating_add(rgb_bytes) > MAX_DECODED_BYTES
    {
        return Err(too_large(dims));
    }
    if dims.0 == 0 || dims.1 == 0 {
        return Err(LoadError::Decode(format!(
            "image declares {}x{} pixels",
            dims.0, dims.1
        )));
    }
    let orientation = decoder.orientation().ok();
    let mut img = DynamicImage::from_decoder(decoder).map_err(decode_err)?;
    if let Some(o) = orientation {
        img.apply_orientation(o);
    }
    Ok(match img {
        DynamicImage::ImageRgb8(rgb) => rgb,
        other => other.to_rgb8(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{Rgb, RgbImage};

    fn jpeg(w: u32, h: u32) -> Vec<u8> {
        let img = RgbImage::from_fn(w, h, |x, y| Rgb([(x * 7) as u8, (y * 3) as u8, 128]));
        let mut buf = Vec::new();
        img.write_with_encoder(image::codecs::jpeg::JpegEncoder::new_with_quality(
            &mut buf, 90,
        ))
        .unwrap();
        buf
    }

    #[test]
    fn complete_jpegs_pass_and_every_truncation_fails() {
        let data = jpeg(64, 48);
        assert!(jpeg_is_complete(&data));
        assert_eq!(decode_rgb(&data).unwrap().dimensions(), (64, 48));
        // Trailing bytes after the end marker (e.g. an appended video in a
        // "motion photo") are fine.
        let mut trailing = data.clone();
        trailing.extend_from_slice(b"ftypmp42 and more");
        assert!(jpeg_is_complete(&trailing));
        for cut in [3, 20, data.len() / 2, data.len() - 2, data.len() - 1] {
            assert!(!jpeg_is_complete(&data[..cut]), "cut at {cut}");
            let err = decode_rgb(&data[..cut]).unwrap_err();
            assert!(
                matches!(err, LoadError::Decode(_) | LoadError::UnknownFormat),
                "{err}"
            );
        }
    }

    #[test]
    fn an_end_marker_inside_an_exif_thumbnail_does_not_count() {
        let full = jpeg(32, 32);
        // APP1 segment holding a whole JPEG (with its own FFD9) as payload.
        let thumb = jpeg(8, 8);
        let mut app1 = vec![0xFF, 0xE1];
        app1.extend_from_slice(&((thumb.len() + 2) as u16).to_be_bytes());
        app1.extend_from_slice(&thumb);
        let mut with_thumb = full[..2].to_vec();
        with_thumb.extend_from_slice(&app1);
        with_thumb.extend_from_slice(&full[2..]);
        assert!(jpeg_is_complete(&with_thumb));
        let cut = with_thumb.len() - 40;
        assert!(!jpeg_is_complete(&with_thumb[..cut]));
    }

    #[test]
    fn truncated_png_and_odd_inputs_are_errors_not_panics() {
        let img = RgbImage::from_fn(40, 30, |x, y| Rgb([x as u8, y as u8, 0]));
        let mut png = Vec::new();
        img.write_to(&mut Cursor::new(&mut png), ImageFormat::Png)
            .unwrap();
        assert_eq!(decode_rgb(&png).unwrap().dimensions(), (40, 30));
        assert!(decode_rgb(&png[..png.len() / 2]).is_err());
        assert!(matches!(decode_rgb(b""), Err(LoadError::Empty)));
        assert!(matches!(
            decode_rgb(b"hello world"),
            Err(LoadError::UnknownFormat)
        ));
    }

    #[test]
    fn grey_and_alpha_images_become_rgb() {
        let grey = image::GrayImage::from_pixel(3, 2, image::Luma([77]));
        let mut png = Vec::new();
        grey.write_to(&mut Cursor::new(&mut png), ImageFormat::Png)
            .unwrap();
        let rgb = decode_rgb(&png).unwrap();
        assert_eq!(rgb.get_pixel(2, 1), &Rgb([77, 77, 77]));
    }
}
