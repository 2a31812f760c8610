//! Image bytes → decode → MoveNet Lightning (the shipped model, loaded
//! once) → analysis → assessment → JSON record; see
//! `posturecam::fuzzing::image_pipeline` for the invariants.
#![no_main]

use std::sync::{Mutex, OnceLock};

use libfuzzer_sys::fuzz_target;
use posturecam::pose::{EstimatorConfig, ModelSpec, MoveNet, PoseModel};

fn estimator() -> &'static Mutex<MoveNet> {
    static EST: OnceLock<Mutex<MoveNet>> = OnceLock::new();
    EST.get_or_init(|| {
        let model = PoseModel::load(&ModelSpec::Lightning).expect("the shipped Lightning model");
        Mutex::new(MoveNet::new(model, EstimatorConfig::default()).expect("model state"))
    })
}

fuzz_target!(|data: &[u8]| {
    let mut est = estimator().lock().unwrap_or_else(|p| p.into_inner());
    posturecam::fuzzing::image_pipeline(&mut est, data);
});
