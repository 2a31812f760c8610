//! The assessments on real photos, asserted only where the photo is
//! unambiguous (checked by looking at each one).

mod common;

use std::path::Path;

use posturecam::analysis::View;
use posturecam::assess::{Assessor, SittingClass};
use posturecam::pose::{EstimatorConfig, ModelSpec, MoveNet, PoseEstimator, PoseModel};

fn judge(path: &Path, spec: &ModelSpec) -> posturecam::assess::Assessment {
    let mut est = MoveNet::new(PoseModel::load(spec).unwrap(), EstimatorConfig::default()).unwrap();
    let e = est.estimate(&common::load(path)).unwrap();
    let pose = e
        .person()
        .unwrap_or_else(|| panic!("{}: no person", path.display()));
    Assessor::default().assess(&pose.keypoints)
}

#[test]
fn sample_photos() {
    for spec in [ModelSpec::Lightning, ModelSpec::Thunder] {
        // Astronaut: facing the camera, shoulders level, sitting up straight.
        let a = judge(&common::sample("astronaut.png"), &spec);
        assert_eq!(a.view.view, View::Front, "{spec}: {a:?}");
        assert_eq!(a.sitting.class, SittingClass::Upright, "{spec}: {a:?}");
        assert!(a.angles.shoulder_tilt.unwrap().abs() < 5.0, "{spec}: {a:?}");
        // Cameraman: seen from his right, bent forward to the viewfinder.
        let c = judge(&common::sample("camera.png"), &spec);
        assert_eq!(c.view.view, View::Right, "{spec}: {c:?}");
        assert!(c.angles.trunk_inclination.unwrap() > 10.0, "{spec}: {c:?}");
        assert_eq!(c.sitting.class, SittingClass::Slouched, "{spec}: {c:?}");
    }
}

#[test]
fn coco17_people_standing_straight_towards_the_camera() {
    let Some(ann) = common::shared_coco17() else {
        eprintln!("SKIPPED: ../shared/frames/coco17 is absent");
        return;
    };
    let dir = ann.parent().unwrap();
    // A woman cutting a cake, and a woman walking towards the camera: both
    // upright, facing it.
    for file in [
        "coco8_pose/images/val/000000000113.jpg",
        "ochuman_mmpose/000817.jpg",
    ] {
        let a = judge(&dir.join(file), &ModelSpec::Thunder);
        assert_eq!(a.view.view, View::Front, "{file}: {a:?}");
        assert_eq!(a.sitting.class, SittingClass::Upright, "{file}: {a:?}");
        assert!(a.sitting.score.unwrap() >= 90, "{file}: {a:?}");
    }
}
