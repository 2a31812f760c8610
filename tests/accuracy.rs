//! Keypoint accuracy on real, hand-annotated photos (../shared/frames/coco17,
//! not part of the repository). Skips with a message when it is absent.

mod common;

use posturecam::eval::coco;
use posturecam::pose::{EstimatorConfig, ModelSpec, MoveNet, PoseModel};

/// onnxruntime, single pass, whole image letterboxed (../shared/README.md).
const REFERENCE: [(ModelSpec, f32, f32); 2] = [
    (ModelSpec::Lightning, 0.712, 0.770),
    (ModelSpec::Thunder, 0.829, 0.874),
];

#[test]
fn pipeline_reaches_the_onnxruntime_reference_on_coco17() {
    let Some(ann) = common::shared_coco17() else {
        eprintln!("SKIPPED: ../shared/frames/coco17 is absent; accuracy not measured");
        return;
    };
    for (spec, ref_oks, ref_pck) in REFERENCE {
        let model = PoseModel::load(&spec).unwrap();
        let mut est = MoveNet::new(model, EstimatorConfig::default()).unwrap();
        let report = coco::evaluate(&ann, &mut est, 5).unwrap();
        assert_eq!(report.images.len(), 14);
        assert!(report.images.iter().all(|i| i.error.is_none()));
        let (o, p) = (report.mean_oks(), report.mean_pck());
        eprintln!(
            "{spec}: mean OKS {o:.3} (reference {ref_oks}), PCK@0.2 {p:.3} (reference {ref_pck})"
        );
        assert!(
            o >= ref_oks,
            "{spec}: mean OKS {o:.3} below the reference {ref_oks}"
        );
        assert!(
            p >= ref_pck,
            "{spec}: PCK@0.2 {p:.3} below the reference {ref_pck}"
        );
    }
}
