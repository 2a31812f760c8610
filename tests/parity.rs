//! tract against onnxruntime on the same ONNX files and the same input
//! tensors (tests/fixtures/parity, made by scripts/make_parity_fixtures.py).

mod common;

use posturecam::pose::preprocess::{sample_region, Region};
use posturecam::pose::{ModelSpec, PoseModel};
use serde::Deserialize;

#[derive(Deserialize)]
struct Reference {
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    model: String,
    photo: String,
    input_png: String,
    yxc: Vec<[f32; 3]>,
}

fn reference() -> Reference {
    let text = std::fs::read_to_string(common::repo().join("tests/fixtures/parity/reference.json"))
        .expect("parity fixtures (run scripts/make_parity_fixtures.py)");
    serde_json::from_str(&text).unwrap()
}

fn model(name: &str) -> PoseModel {
    PoseModel::load(
        &name
            .trim_start_matches("movenet-")
            .parse::<ModelSpec>()
            .unwrap(),
    )
    .unwrap()
}

#[test]
fn tract_single_pass_matches_onnxruntime_within_1e_3() {
    let reference = reference();
    assert!(
        reference.cases.len() >= 4,
        "a case per sample photo and model"
    );
    for case in &reference.cases {
        let model = model(&case.model);
        assert_eq!(model.name(), case.model);
        let input = image::open(common::repo().join(&case.input_png))
            .unwrap()
            .to_rgb8();
        let mut state = model.new_state().unwrap();
        let got = model.infer(&mut state, &input).unwrap();
        assert_eq!(case.yxc.len(), 17);
        for (k, (g, want)) in got.iter().zip(&case.yxc).enumerate() {
            for c in 0..3 {
                assert!(
                    (g[c] - want[c]).abs() <= 1e-3,
                    "{} {} keypoint {k} component {c}: tract {} onnxruntime {}",
                    case.model,
                    case.photo,
                    g[c],
                    want[c]
                );
            }
        }
    }
}

/// The Rust letterbox is not PIL's byte for byte (both are antialiased
/// bilinear), but close enough that the model sees the same picture.
#[test]
fn rust_letterbox_is_close_to_pils() {
    for case in &reference().cases {
        let pil = image::open(common::repo().join(&case.input_png))
            .unwrap()
            .to_rgb8();
        let photo = common::load(&common::repo().join(&case.photo));
        let (ours, _) = sample_region(
            &photo,
            Region::letterbox(photo.width(), photo.height()),
            pil.width(),
        );
        let diffs: Vec<f32> = ours
            .as_raw()
            .iter()
            .zip(pil.as_raw())
            .map(|(a, b)| (*a as f32 - *b as f32).abs())
            .collect();
        let mean = diffs.iter().sum::<f32>() / diffs.len() as f32;
        assert!(
            mean < 2.0,
            "{} at {}: mean abs difference {mean}",
            case.photo,
            pil.width()
        );
    }
}
