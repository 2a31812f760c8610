//! The pose pipeline end to end on real photos: persons found where there
//! are people, none where there are not, and keypoints in the photo's own
//! pixels whatever its size, shape or EXIF orientation.

mod common;

use image::{imageops, Rgb, RgbImage};
use posturecam::pose::{EstimatorConfig, Joint, ModelSpec, MoveNet, PoseEstimator, PoseModel};

fn estimator(spec: ModelSpec, refine: bool) -> MoveNet {
    MoveNet::new(
        PoseModel::load(&spec).unwrap(),
        EstimatorConfig {
            refine,
            ..EstimatorConfig::default()
        },
    )
    .unwrap()
}

fn no_person_frames() -> Vec<(String, RgbImage)> {
    let mut frames: Vec<(String, RgbImage)> =
        std::fs::read_dir(common::repo().join("tests/fixtures/no_person"))
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "png" || e == "jpg"))
            .map(|p| (p.display().to_string(), common::load(&p)))
            .collect();
    assert!(frames.len() >= 4);
    frames.push(("black".into(), RgbImage::new(640, 480)));
    frames.push((
        "white".into(),
        RgbImage::from_pixel(640, 480, Rgb([255, 255, 255])),
    ));
    let mut seed = 12345u32;
    frames.push((
        "noise".into(),
        RgbImage::from_fn(320, 240, |_, _| {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let b = seed.to_le_bytes();
            Rgb([b[1], b[2], b[3]])
        }),
    ));
    frames
}

#[test]
fn frames_without_a_person_are_not_given_a_skeleton() {
    for spec in [ModelSpec::Lightning, ModelSpec::Thunder] {
        let mut est = estimator(spec.clone(), true);
        for (name, img) in no_person_frames() {
            let e = est.estimate(&img).unwrap();
            assert!(
                !e.is_person,
                "{spec}: {name} has no person but scored {:.3} with {} keypoints >= 0.2",
                e.pose.score,
                e.pose.keypoints.count_confident(0.2)
            );
        }
    }
}

/// Where a few clearly visible keypoints are in the sample photos, marked by
/// eye on the images (within about 5 px).
const MARKED: [(&str, Joint, f32, f32); 8] = [
    ("astronaut.png", Joint::Nose, 222.0, 123.0),
    ("astronaut.png", Joint::LeftEye, 244.0, 102.0),
    ("astronaut.png", Joint::RightEye, 203.0, 101.0),
    ("astronaut.png", Joint::RightEar, 177.0, 112.0),
    // The cameraman faces the image's right: his right side is towards us.
    ("camera.png", Joint::Nose, 247.0, 163.0),
    ("camera.png", Joint::RightEye, 234.0, 148.0),
    ("camera.png", Joint::RightEar, 190.0, 137.0),
    ("camera.png", Joint::RightShoulder, 95.0, 170.0),
];

#[test]
fn sample_photos_hold_a_person_with_keypoints_where_they_are_marked() {
    for spec in [ModelSpec::Lightning, ModelSpec::Thunder] {
        for refine in [false, true] {
            let mut est = estimator(spec.clone(), refine);
            for name in ["camera.png", "astronaut.png"] {
                let img = common::load(&common::sample(name));
                let e = est.estimate(&img).unwrap();
                assert!(e.is_person, "{spec} {name}: score {}", e.pose.score);
                for (_, joint, x, y) in MARKED.iter().filter(|m| m.0 == name) {
                    let k = e.pose.keypoints.get(*joint);
                    let d = (k.x - x).hypot(k.y - y);
                    // 4% of the 512 px photo.
                    assert!(
                        d < 20.0,
                        "{spec} {name} {joint:?}: at ({}, {}), marked ({x}, {y})",
                        k.x,
                        k.y
                    );
                    assert!(
                        k.confidence > 0.4,
                        "{spec} {name} {joint:?}: confidence {}",
                        k.confidence
                    );
                }
            }
        }
    }
}

/// Keypoints land on the same spot of the person however the photo is
/// framed: padded to a wide or tall shape, scaled, or stored rotated with an
/// EXIF orientation tag.
#[test]
fn keypoints_follow_the_person_through_padding_scaling_and_exif_rotation() {
    let photo = common::load(&common::sample("astronaut.png"));
    let mut est = estimator(ModelSpec::Thunder, false);
    let base = est.estimate(&photo).unwrap().pose.keypoints;
    let tol = 512.0 * 0.03;
    let check =
        |what: &str, got: &posturecam::pose::Keypoints, map: &dyn Fn(f32, f32) -> (f32, f32)| {
            for j in [Joint::Nose, Joint::LeftEye, Joint::RightEye] {
                let (bx, by) = map(base.get(j).x, base.get(j).y);
                let g = got.get(j);
                assert!(
                    (g.x - bx).abs() < tol && (g.y - by).abs() < tol,
                    "{what} {j:?}: got ({}, {}), expected ({bx}, {by})",
                    g.x,
                    g.y
                );
            }
        };

    // Wide: 300 px of grey on the left and 200 on the right.
    let mut wide = RgbImage::from_pixel(1012, 512, Rgb([90, 90, 90]));
    imageops::replace(&mut wide, &photo, 300, 0);
    let got = est.estimate(&wide).unwrap().pose.keypoints;
    check("wide", &got, &|x, y| (x + 300.0, y));

    // Tall and half size.
    let small = imageops::resize(&photo, 256, 256, imageops::FilterType::Triangle);
    let mut tall = RgbImage::from_pixel(256, 400, Rgb([30, 30, 30]));
    imageops::replace(&mut tall, &small, 0, 100);
    let got = est.estimate(&tall).unwrap().pose.keypoints;
    let half = 0.5;
    for j in [Joint::Nose, Joint::LeftEye] {
        let g = got.get(j);
        let b = base.get(j);
        assert!(
            (g.x - b.x * half).abs() < tol * half
                && (g.y - (b.y * half + 100.0)).abs() < tol * half,
            "tall {j:?}"
        );
    }

    // Stored rotated 90° anticlockwise, with EXIF orientation 6 ("rotate 90°
    // clockwise to display"): read upright, so the same keypoints.
    let dir = tempfile::tempdir().unwrap();
    let stored = imageops::rotate270(&photo);
    let path = dir.path().join("rotated.jpg");
    std::fs::write(
        &path,
        common::with_exif_orientation(&common::jpeg_bytes(&stored, 95), 6),
    )
    .unwrap();
    let upright = common::load(&path);
    assert_eq!(upright.dimensions(), (512, 512));
    let got = est.estimate(&upright).unwrap().pose.keypoints;
    check("exif", &got, &|x, y| (x, y));

    // And a non-square rotated one: dimensions come out upright.
    let crop = imageops::crop_imm(&photo, 0, 0, 512, 300).to_image();
    let path = dir.path().join("rotated_crop.jpg");
    std::fs::write(
        &path,
        common::with_exif_orientation(&common::jpeg_bytes(&imageops::rotate270(&crop), 95), 6),
    )
    .unwrap();
    assert_eq!(common::load(&path).dimensions(), (512, 300));
}
