//! Drawing on key frames: the skeleton coloured by lifting status, the
//! trunk and knee angles beside their joints, and a caption. Anti-aliased
//! by pixel coverage; text in the Hack font egui already ships.

use ab_glyph::{point, Font, FontRef, PxScale, ScaleFont};
use image::RgbImage;

use crate::analysis::pair_mid;
use crate::assess::status::{lifting_part_status, BONES};
use crate::assess::{AssessConfig, Assessment};
use crate::pose::{Joint, Keypoints};

/// Outline drawn under bones, joints and label boxes so they stand out on
/// any background.
const DARK: [u8; 3] = [20, 20, 20];
const WHITE: [u8; 3] = [255, 255, 255];

/// Mixes `colour` into pixel (x, y) with weight `alpha` (0..1); pixels
/// outside the image are ignored.
fn blend(img: &mut RgbImage, x: i64, y: i64, colour: [u8; 3], alpha: f32) {
    if x < 0 || y < 0 || x >= i64::from(img.width()) || y >= i64::from(img.height()) {
        return;
    }
    let a = alpha.clamp(0.0, 1.0);
    if a.is_nan() || a <= 0.0 {
        return;
    }
    let p = img.get_pixel_mut(x as u32, y as u32);
    for (c, &n) in p.0.iter_mut().zip(colour.iter()) {
        *c = (f32::from(*c) * (1.0 - a) + f32::from(n) * a).round() as u8;
    }
}

/// The pixel range `lo..=hi` (pixel indices) that can hold coordinates
/// `lo`..`hi`, clipped to `0..size`; None when it is empty.
fn span(lo: f32, hi: f32, size: u32) -> Option<(i64, i64)> {
    let lo = lo.floor().max(0.0);
    let hi = hi.ceil().min(size as f32 - 1.0);
    (lo <= hi).then_some((lo as i64, hi as i64))
}

/// Distance from `c` to the segment `p`–`q`.
fn seg_dist(c: (f32, f32), p: (f32, f32), q: (f32, f32)) -> f32 {
    let (dx, dy) = (q.0 - p.0, q.1 - p.1);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (((c.0 - p.0) * dx + (c.1 - p.1) * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    (c.0 - (p.0 + t * dx)).hypot(c.1 - (p.1 + t * dy))
}

/// A line `width` pixels wide with round ends, anti-aliased over one pixel.
fn line(img: &mut RgbImage, p: (f32, f32), q: (f32, f32), width: f32, colour: [u8; 3]) {
    let r = width / 2.0;
    let Some((x0, x1)) = span(p.0.min(q.0) - r - 1.0, p.0.max(q.0) + r + 1.0, img.width()) else {
        return;
    };
    let Some((y0, y1)) = span(p.1.min(q.1) - r - 1.0, p.1.max(q.1) + r + 1.0, img.height()) else {
        return;
    };
    for y in y0..=y1 {
        for x in x0..=x1 {
            let d = seg_dist((x as f32 + 0.5, y as f32 + 0.5), p, q);
            blend(img, x, y, colour, r + 0.5 - d);
        }
    }
}

fn disc(img: &mut RgbImage, c: (f32, f32), radius: f32, colour: [u8; 3]) {
    line(img, c, c, 2.0 * radius, colour);
}

fn fill_rect(img: &mut RgbImage, x: f32, y: f32, w: f32, h: f32, colour: [u8; 3], alpha: f32) {
    let (Some((x0, x1)), Some((y0, y1))) = (
        span(x, x + w - 1.0, img.width()),
        span(y, y + h - 1.0, img.height()),
    ) else {
        return;
    };
    for yy in y0..=y1 {
        for xx in x0..=x1 {
            blend(img, xx, yy, colour, alpha);
        }
    }
}

/// Width and height of the box [`label`] draws for `text`.
fn label_size(font: &FontRef, size: f32, text: &str) -> (f32, f32) {
    let sf = font.as_scaled(PxScale::from(size));
    let width: f32 = text.chars().map(|c| sf.h_advance(font.glyph_id(c))).sum();
    let pad = (size * 0.25).round();
    (width + 2.0 * pad, sf.ascent() - sf.descent() + 2.0 * pad)
}

/// Text on a dark box whose top-left corner is at (x, y), moved inside the
/// image where it would spill over; what does not fit is clipped.
fn label(img: &mut RgbImage, font: &FontRef, size: f32, x: f32, y: f32, text: &str) {
    let scale = PxScale::from(size);
    let sf = font.as_scaled(scale);
    let pad = (size * 0.25).round();
    let (bw, bh) = label_size(font, size, text);
    let (iw, ih) = (img.width() as f32, img.height() as f32);
    let x = x.min(iw - bw).max(0.0).round();
    let y = y.min(ih - bh).max(0.0).round();
    fill_rect(img, x, y, bw, bh, DARK, 0.7);
    let mut pen = x + pad;
    let baseline = y + pad + sf.ascent();
    for c in text.chars() {
        let id = font.glyph_id(c);
        let glyph = id.with_scale_and_position(scale, point(pen, baseline));
        pen += sf.h_advance(id);
        if let Some(g) = font.outline_glyph(glyph) {
            let b = g.px_bounds();
            g.draw(|gx, gy, cov| {
                blend(
                    img,
                    b.min.x as i64 + i64::from(gx),
                    b.min.y as i64 + i64::from(gy),
                    WHITE,
                    cov,
                );
            });
        }
    }
}

/// Draws the skeleton of `kps` onto `image`, each bone coloured by
/// [`lifting_part_status`] (green good, amber watch, red correct), with the
/// trunk flexion beside the hips and the knee flexion beside the knees
/// when `assessment` has them, and `caption` (if not empty) in the top-left
/// corner. Keypoints under `cfg.gate_confidence`, or not finite, are not
/// drawn. Line widths and text size follow the image size. Never panics;
/// an empty image is left alone.
pub fn annotate_frame(
    image: &mut RgbImage,
    kps: &Keypoints,
    assessment: Option<&Assessment>,
    cfg: &AssessConfig,
    caption: &str,
) {
    let (w, h) = image.dimensions();
    if w == 0 || h == 0 {
        return;
    }
    let short = w.min(h) as f32;
    let width = (short / 128.0).round().max(2.0);
    let min = cfg.gate_confidence;
    let seen = |j: Joint| {
        let k = kps.get(j);
        (k.confidence >= min && k.x.is_finite() && k.y.is_finite()).then_some((k.x, k.y))
    };
    let bones: Vec<_> = BONES
        .iter()
        .filter_map(|&(a, b, part)| Some((seen(a)?, seen(b)?, part)))
        .collect();
    for &(p, q, _) in &bones {
        line(image, p, q, width + 2.0, DARK);
    }
    for &(p, q, part) in &bones {
        let colour = lifting_part_status(assessment, cfg, part).rgb();
        line(image, p, q, width, colour);
    }
    let r = width * 0.9 + 1.0;
    for j in Joint::ALL {
        if let Some(c) = seen(j) {
            disc(image, c, r + 1.0, DARK);
            disc(image, c, r, WHITE);
        }
    }
    let Ok(font) = FontRef::try_from_slice(epaint_default_fonts::HACK_REGULAR) else {
        return;
    };
    let size = (h as f32 / 26.0).max(12.0).round();
    if let Some(a) = assessment {
        // Seen from the side, the trunk label goes behind the hips and the
        // knee label in front of the knees, where a lift leaves free space;
        // otherwise both go to the right of their joint.
        let facing = a.view.view.facing_sign().unwrap_or(1.0);
        let offset = 3.0 * width + 2.0;
        let labels = [
            (
                pair_mid(kps, Joint::LeftHip, Joint::RightHip, min),
                a.lifting.trunk_flexion,
                "trunk",
                -facing,
            ),
            (
                pair_mid(kps, Joint::LeftKnee, Joint::RightKnee, min),
                a.lifting.knee_flexion,
                "knee",
                facing,
            ),
        ];
        for (at, value, name, side) in labels {
            if let (Some((x, y)), Some(v)) = (at, value.filter(|v| v.is_finite())) {
                let text = format!("{name} {:.0}°", v.round() + 0.0);
                let (bw, bh) = label_size(&font, size, &text);
                let left = if side > 0.0 {
                    x + offset
                } else {
                    x - offset - bw
                };
                label(image, &font, size, left, y - bh / 2.0, &text);
            }
        }
    }
    if !caption.is_empty() {
        label(image, &font, size, 0.0, 0.0, caption);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_cover_their_centre_fully_and_fade_at_the_edge() {
        let mut img = RgbImage::new(20, 20);
        line(&mut img, (2.0, 10.0), (18.0, 10.0), 3.0, [200, 100, 50]);
        // Pixel row 9 spans y 9..10: centre 9.5, 0.5 from the line: covered.
        assert_eq!(img.get_pixel(10, 9).0, [200, 100, 50]);
        assert_eq!(img.get_pixel(10, 10).0, [200, 100, 50]);
        // Row 11 (centre 11.5) is 1.5 away = the half width: half covered.
        assert_eq!(img.get_pixel(10, 11).0, [100, 50, 25]);
        assert_eq!(img.get_pixel(10, 13).0, [0, 0, 0]);
    }

    #[test]
    fn drawing_far_outside_the_image_is_harmless() {
        let mut img = RgbImage::new(8, 8);
        line(&mut img, (-1e30, -1e30), (-1e29, 5.0), 3.0, [255, 0, 0]);
        line(&mut img, (1e9, 1e9), (2e9, 2e9), 3.0, [255, 0, 0]);
        fill_rect(&mut img, 100.0, 100.0, 5.0, 5.0, [255, 0, 0], 1.0);
        assert!(img.pixels().all(|p| p.0 == [0, 0, 0]));
    }
}
