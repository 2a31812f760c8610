//! Turning an image of any size and aspect ratio into the square model input,
//! and mapping the model's normalised outputs back to the image's pixels.

use image::imageops::{self, FilterType};
use image::RgbImage;

/// An axis-aligned rectangle of the source image, in source pixels. It may
/// reach past the image's edges: that part of the model input is padded with
/// black, as MoveNet's reference preprocessing (`tf.image.resize_with_pad`)
/// does.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Region {
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
}

impl Region {
    /// The centred square whose side is the image's longer side: the whole
    /// image, padded top and bottom (or left and right) to a square.
    pub fn letterbox(width: u32, height: u32) -> Region {
        let side = width.max(height) as f32;
        Region {
            x: (width as f32 - side) / 2.0,
            y: (height as f32 - side) / 2.0,
            width: side,
            height: side,
        }
    }

    /// The square of side `2 * half` centred on (`cx`, `cy`).
    pub fn square(cx: f32, cy: f32, half: f32) -> Region {
        Region {
            x: cx - half,
            y: cy - half,
            width: 2.0 * half,
            height: 2.0 * half,
        }
    }
}

/// Maps a point of the model input back to the source image, per axis:
/// `source = offset + input_pixel * scale`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct InputTransform {
    /// Side of the square model input, in pixels.
    pub size: u32,
    pub scale_x: f32,
    pub scale_y: f32,
    pub offset_x: f32,
    pub offset_y: f32,
}

impl InputTransform {
    /// Source-image pixel coordinates of a point given normalised to the
    /// model input (0..1 across its width and height), as MoveNet outputs.
    pub fn to_source(&self, x_norm: f32, y_norm: f32) -> (f32, f32) {
        let s = self.size as f32;
        (
            self.offset_x + x_norm * s * self.scale_x,
            self.offset_y + y_norm * s * self.scale_y,
        )
    }
}

/// The part of `[start, start + len)` inside `[0, limit)`, in whole pixels.
fn overlap(start: i64, len: i64, limit: i64) -> Option<(i64, i64)> {
    let a = start.max(0);
    let b = (start + len).min(limit);
    (b > a).then_some((a, b))
}

thread_local! {
    /// fast_image_resize keeps its filter coefficients and buffers (and its
    /// choice of SIMD) in the resizer: one per thread, reused every frame.
    static RESIZER: std::cell::RefCell<fast_image_resize::Resizer> =
        std::cell::RefCell::new(fast_image_resize::Resizer::new());
}

/// Resizes box `src_box` (x, y, w, h) of `img` into box `dst_box` of `out`
/// with fast_image_resize's SIMD bilinear convolution, which is Pillow's
/// `BILINEAR` (antialiased: the filter widens when shrinking).
fn resize_into(
    img: &RgbImage,
    (sx, sy, sw, sh): (i64, i64, i64, i64),
    out: &mut RgbImage,
    (dx, dy, dw, dh): (i64, i64, i64, i64),
) -> Result<(), String> {
    use fast_image_resize::images::{CroppedImageMut, ImageRef};
    use fast_image_resize::{FilterType as F, PixelType, ResizeAlg, ResizeOptions};
    let (w, h) = img.dimensions();
    let src = ImageRef::new(w, h, img.as_raw(), PixelType::U8x3).map_err(|e| e.to_string())?;
    let (ow, oh) = out.dimensions();
    let mut dst =
        fast_image_resize::images::Image::from_slice_u8(ow, oh, &mut *out, PixelType::U8x3)
            .map_err(|e| e.to_string())?;
    let mut dst = CroppedImageMut::new(&mut dst, dx as u32, dy as u32, dw as u32, dh as u32)
        .map_err(|e| e.to_string())?;
    let options = ResizeOptions::new()
        .resize_alg(ResizeAlg::Convolution(F::Bilinear))
        .crop(sx as f64, sy as f64, sw as f64, sh as f64);
    RESIZER.with(|r| {
        r.borrow_mut()
            .resize(&src, &mut dst, &options)
            .map_err(|e| e.to_string())
    })
}

/// Resamples `region` of `img` into a `size`×`size` image, padding with
/// black where the region leaves the image, and returns the transform that
/// maps points of that image back to `img`.
///
/// The region is first snapped to whole source pixels; the part that lies
/// inside the image is resized (bilinear with antialiasing, like PIL's
/// `BILINEAR`, by fast_image_resize's SIMD code) into the matching part of
/// the output. The transform is exact
/// for that resize, whatever rounding the placement needed.
pub fn sample_region(img: &RgbImage, region: Region, size: u32) -> (RgbImage, InputTransform) {
    let size = size.max(1);
    let (w, h) = (img.width() as i64, img.height() as i64);
    let rx = region.x.round() as i64;
    let ry = region.y.round() as i64;
    let rw = (region.width.round() as i64).max(1);
    let rh = (region.height.round() as i64).max(1);
    let mut out = RgbImage::new(size, size);
    let s = size as i64;

    let (Some((cx0, cx1)), Some((cy0, cy1))) = (overlap(rx, rw, w), overlap(ry, rh, h)) else {
        // Nothing of the image is inside the region: an all-black input.
        let t = InputTransform {
            size,
            scale_x: rw as f32 / size as f32,
            scale_y: rh as f32 / size as f32,
            offset_x: rx as f32,
            offset_y: ry as f32,
        };
        return (out, t);
    };
    // Where the visible part lands in the output, in whole output pixels.
    let place = |c0: i64, c1: i64, r0: i64, rlen: i64| {
        let p0 = (((c0 - r0) * s) as f64 / rlen as f64).round() as i64;
        let p1 = (((c1 - r0) * s) as f64 / rlen as f64).round() as i64;
        let p0 = p0.clamp(0, s - 1);
        let p1 = p1.clamp(p0 + 1, s);
        (p0, p1)
    };
    let (px0, px1) = place(cx0, cx1, rx, rw);
    let (py0, py1) = place(cy0, cy1, ry, rh);
    let (cw, ch) = (cx1 - cx0, cy1 - cy0);
    let (pw, ph) = (px1 - px0, py1 - py0);

    if cw == pw && ch == ph {
        let view = imageops::crop_imm(img, cx0 as u32, cy0 as u32, cw as u32, ch as u32);
        imageops::replace(&mut out, &*view, px0, py0);
    } else if let Err(e) = resize_into(img, (cx0, cy0, cw, ch), &mut out, (px0, py0, pw, ph)) {
        // Unreachable with the boxes computed above (both lie inside their
        // images); fall back to the image crate rather than fail a frame.
        debug_assert!(false, "fast_image_resize: {e}");
        let view = imageops::crop_imm(img, cx0 as u32, cy0 as u32, cw as u32, ch as u32);
        let resized = imageops::resize(&*view, pw as u32, ph as u32, FilterType::Triangle);
        imageops::replace(&mut out, &resized, px0, py0);
    }

    let scale_x = cw as f32 / pw as f32;
    let scale_y = ch as f32 / ph as f32;
    let t = InputTransform {
        size,
        scale_x,
        scale_y,
        offset_x: cx0 as f32 - px0 as f32 * scale_x,
        offset_y: cy0 as f32 - py0 as f32 * scale_y,
    };
    (out, t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Rgb;

    fn approx(a: (f32, f32), b: (f32, f32)) {
        assert!(
            (a.0 - b.0).abs() < 1e-3 && (a.1 - b.1).abs() < 1e-3,
            "{a:?} != {b:?}"
        );
    }

    #[test]
    fn letterbox_of_landscape_pads_top_and_bottom() {
        let r = Region::letterbox(640, 480);
        assert_eq!(
            r,
            Region {
                x: 0.0,
                y: -80.0,
                width: 640.0,
                height: 640.0
            }
        );
        let img = RgbImage::from_pixel(640, 480, Rgb([200, 100, 50]));
        let (out, t) = sample_region(&img, r, 192);
        assert_eq!(out.dimensions(), (192, 192));
        // 80 px of padding at 192/640 scale = 24 rows of black each side.
        assert_eq!(out.get_pixel(96, 23), &Rgb([0, 0, 0]));
        assert_eq!(out.get_pixel(96, 24), &Rgb([200, 100, 50]));
        assert_eq!(out.get_pixel(96, 167), &Rgb([200, 100, 50]));
        assert_eq!(out.get_pixel(96, 168), &Rgb([0, 0, 0]));
        // Corners of the input map to the corners of the padded square, and
        // the image's own corners to where they were placed.
        approx(t.to_source(0.0, 0.0), (0.0, -80.0));
        approx(t.to_source(1.0, 1.0), (640.0, 560.0));
        approx(t.to_source(0.5, 0.5), (320.0, 240.0));
        approx(t.to_source(0.0, 24.0 / 192.0), (0.0, 0.0));
    }

    #[test]
    fn letterbox_of_portrait_pads_left_and_right() {
        let img = RgbImage::from_pixel(300, 600, Rgb([9, 9, 9]));
        let (out, t) = sample_region(&img, Region::letterbox(300, 600), 256);
        assert_eq!(out.get_pixel(63, 128), &Rgb([0, 0, 0]));
        assert_eq!(out.get_pixel(64, 128), &Rgb([9, 9, 9]));
        assert_eq!(out.get_pixel(191, 128), &Rgb([9, 9, 9]));
        assert_eq!(out.get_pixel(192, 128), &Rgb([0, 0, 0]));
        approx(t.to_source(0.25, 0.0), (0.0, 0.0));
        approx(t.to_source(0.75, 1.0), (300.0, 600.0));
    }

    #[test]
    fn a_marked_pixel_maps_back_to_where_it_was() {
        // A white dot on black at (410, 130) of an 800x200 image, any region.
        let mut img = RgbImage::new(800, 200);
        for y in 128..132 {
            for x in 408..412 {
                img.put_pixel(x, y, Rgb([255, 255, 255]));
            }
        }
        for region in [
            Region::letterbox(800, 200),
            Region::square(400.0, 100.0, 60.0),
        ] {
            let (out, t) = sample_region(&img, region, 192);
            let (mut sx, mut sy, mut n) = (0.0, 0.0, 0.0);
            for (x, y, p) in out.enumerate_pixels() {
                let v = p.0[0] as f32;
                sx += (x as f32 + 0.5) * v;
                sy += (y as f32 + 0.5) * v;
                n += v;
            }
            let (cx, cy) = t.to_source(sx / n / 192.0, sy / n / 192.0);
            assert!(
                (cx - 410.0).abs() < 1.0 && (cy - 130.0).abs() < 1.0,
                "{region:?}: {cx},{cy}"
            );
        }
    }

    #[test]
    fn a_region_fully_outside_gives_black_input_and_a_valid_transform() {
        let img = RgbImage::from_pixel(100, 100, Rgb([255, 255, 255]));
        let (out, t) = sample_region(&img, Region::square(500.0, 500.0, 50.0), 64);
        assert!(out.pixels().all(|p| p.0 == [0, 0, 0]));
        approx(t.to_source(0.5, 0.5), (500.0, 500.0));
    }

    #[test]
    fn tiny_images_and_regions_do_not_panic() {
        let img = RgbImage::from_pixel(1, 1, Rgb([1, 2, 3]));
        let (out, _) = sample_region(&img, Region::letterbox(1, 1), 192);
        assert_eq!(out.get_pixel(100, 100), &Rgb([1, 2, 3]));
        let img = RgbImage::from_pixel(5000, 3, Rgb([1, 2, 3]));
        let (out, t) = sample_region(&img, Region::letterbox(5000, 3), 192);
        assert_eq!(out.dimensions(), (192, 192));
        assert!(t.scale_y.is_finite());
        let (_, t) = sample_region(&img, Region::square(10.0, 1.0, 0.0), 16);
        assert!(t.scale_x.is_finite() && t.scale_x > 0.0);
    }
}
