//! The pose models: which ones ship, how they are loaded and optimised with
//! tract, and one raw inference call.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;

use image::RgbImage;
use tract_onnx::prelude::*;
use tract_onnx::tract_hir::infer::Factoid;
use tract_onnx::tract_hir::internal::DimLike;

use super::keypoints::NUM_KEYPOINTS;
use super::PoseError;

/// MoveNet SinglePose Lightning v4 (192×192), converted to ONNX by
/// `scripts/convert_models.sh`; see `models/README.md`.
pub(crate) static LIGHTNING_ONNX: &[u8] = include_bytes!("../../models/movenet_lightning.onnx");
/// MoveNet SinglePose Thunder v4 (256×256); see `models/README.md`.
pub(crate) static THUNDER_ONNX: &[u8] = include_bytes!("../../models/movenet_thunder.onnx");

/// Which model to run: one of the two shipped MoveNet models (built into the
/// binary, so nothing is read or downloaded at run time), or an ONNX file
/// with the same input/output signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ModelSpec {
    Lightning,
    Thunder,
    File(PathBuf),
}

impl FromStr for ModelSpec {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "lightning" | "movenet-lightning" => Ok(ModelSpec::Lightning),
            "thunder" | "movenet-thunder" => Ok(ModelSpec::Thunder),
            _ if s.to_ascii_lowercase().ends_with(".onnx") => Ok(ModelSpec::File(s.into())),
            _ => Err(format!(
                "unknown model '{s}': expected lightning, thunder or a path to an .onnx file"
            )),
        }
    }
}

impl fmt::Display for ModelSpec {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            ModelSpec::Lightning => f.write_str("lightning"),
            ModelSpec::Thunder => f.write_str("thunder"),
            ModelSpec::File(p) => write!(f, "{}", p.display()),
        }
    }
}

/// Declutters the model, puts our own kernels in place of tract's stem
/// convolution ([`super::stem`]), depthwise 3×3 convolutions
/// ([`super::dwconv`]), pointwise 1×1 convolutions ([`super::pointwise`])
/// and 2× bilinear upsamplings ([`super::upsample`]) and scalar constants
/// in place of uniform ones (set `POSTURECAM_DEPTHWISE=tract` to keep
/// tract's own graph, e.g. to compare, or `POSTURECAM_POINTWISE=tract` /
/// `POSTURECAM_STEM=tract` to keep only tract's pointwise convolutions /
/// stem convolution), fuses the largest expansion 1×1 and the depthwise
/// convolution after it, and the first depthwise convolution and the 1×1
/// after it, into strips ([`super::fused`]; `POSTURECAM_FUSE=no` keeps
/// them apart), lets the heads reach the decoding channels first, puts one op of ours in place of MoveNet's keypoint
/// decoding after the heads ([`super::decode`]; `POSTURECAM_DECODE=tract`
/// keeps tract's nodes), then lets tract optimise the rest.
fn optimise(model: InferenceModel) -> TractResult<Plan> {
    optimise_with(
        model,
        std::env::var("POSTURECAM_DECODE").as_deref() != Ok("tract"),
    )
}

/// [`optimise`], with our keypoint decoding or tract's.
fn optimise_with(model: InferenceModel, our_decode: bool) -> TractResult<Plan> {
    let mut typed = model.into_typed()?.into_decluttered()?;
    if std::env::var("POSTURECAM_DEPTHWISE").as_deref() != Ok("tract") {
        if our_decode {
            super::decode::replace_decode(&mut typed)?;
        }
        let isa = super::dwconv::Isa::detect();
        if std::env::var("POSTURECAM_STEM").as_deref() != Ok("tract") {
            super::stem::replace_stem(&mut typed, isa)?;
        }
        super::dwconv::replace_depthwise(&mut typed, isa)?;
        if std::env::var("POSTURECAM_POINTWISE").as_deref() != Ok("tract") {
            super::pointwise::replace_pointwise(&mut typed, isa)?;
            if std::env::var("POSTURECAM_FUSE").as_deref() != Ok("no") {
                super::fused::fuse_expand_depthwise(&mut typed)?;
                super::fused::fuse_depthwise_project(&mut typed)?;
            }
            super::decode::heads_channels_first(&mut typed)?;
        }
        uniform_operands_to_scalars(&mut typed)?;
        super::upsample::replace_upsampling(&mut typed)?;
    }
    typed.into_optimized()?.into_runnable()
}

/// Gives arithmetic nodes whose constant operand holds one value repeated
/// (MoveNet's input scaling multiplies by a `[1, 1, 1, 3]` constant of
/// three equal 1/127.5) a single-element constant instead, which tract
/// then runs as a by-scalar op: its broadcasting path took 1.7 ms of
/// Lightning's 20 (`posturecam bench --profile`). Returns how many.
fn uniform_operands_to_scalars(model: &mut TypedModel) -> TractResult<usize> {
    use tract_onnx::tract_core::internal::*;
    let mut count = 0;
    for id in model.eval_order()? {
        let node = model.node(id);
        if !["Mul", "Add", "Sub", "Div"].contains(&&*node.op.name()) || node.inputs.len() != 2 {
            continue;
        }
        let out_shape = model.outlet_fact(OutletId::new(id, 0))?.shape.clone();
        let mut inputs = node.inputs.clone();
        let mut changed = None;
        for (slot, input) in node.inputs.iter().enumerate() {
            let fact = model.outlet_fact(*input)?;
            let other = model.outlet_fact(node.inputs[1 - slot])?;
            let Some(k) = fact.konst.clone() else {
                continue;
            };
            if k.len() <= 1 || k.datum_type() != f32::datum_type() || other.shape != out_shape {
                continue;
            }
            let values = k.try_as_plain_ram()?;
            let values = values.as_slice::<f32>()?;
            if values.iter().any(|v| v.to_bits() != values[0].to_bits()) {
                continue;
            }
            let scalar = tensor0(values[0]).broadcast_into_rank(k.rank())?;
            changed = Some((slot, scalar));
        }
        let Some((slot, scalar)) = changed else {
            continue;
        };
        let mut patch = TypedModelPatch::default();
        let other = patch.tap_model(model, inputs[1 - slot])?;
        let konst = patch.add_const(format!("{}.scalar", node.name), scalar)?;
        inputs[1 - slot] = other;
        inputs[slot] = konst;
        let name = node.name.clone();
        let wire = patch.wire_node(name, node.op.clone(), &inputs)?;
        patch.shunt_outside(model, OutletId::new(id, 0), wire[0])?;
        patch.apply(model)?;
        count += 1;
    }
    model.compact()?;
    Ok(count)
}

/// The element type the model's input wants; the pixel values are 0..255
/// RGB in every case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum InputType {
    I32,
    F32,
    U8,
}

type Plan = Arc<TypedRunnableModel>;

/// A loaded, optimised single-person pose model with a fixed square input.
/// Cheap to clone and share between threads: each thread runs it through its
/// own [`ModelState`].
#[derive(Clone)]
pub struct PoseModel {
    name: String,
    input_size: u32,
    input_type: InputType,
    plan: Plan,
}

impl fmt::Debug for PoseModel {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.debug_struct("PoseModel")
            .field("name", &self.name)
            .field("input_size", &self.input_size)
            .finish()
    }
}

/// Per-thread working memory for running a [`PoseModel`].
pub struct ModelState {
    state: TypedSimpleState,
}

/// Raw model output: per keypoint (y, x, confidence), with y and x
/// normalised to the model input square.
pub type RawKeypoints = [[f32; 3]; NUM_KEYPOINTS];

impl PoseModel {
    /// Loads and optimises a model once, at its fixed input shape.
    pub fn load(spec: &ModelSpec) -> Result<PoseModel, PoseError> {
        match spec {
            ModelSpec::Lightning => Self::from_onnx_bytes("movenet-lightning", LIGHTNING_ONNX),
            ModelSpec::Thunder => Self::from_onnx_bytes("movenet-thunder", THUNDER_ONNX),
            ModelSpec::File(path) => {
                let bytes = std::fs::read(path).map_err(|e| PoseError::Model {
                    model: path.display().to_string(),
                    message: format!("cannot read the file: {e}"),
                })?;
                let name = path
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_else(|| "custom".into());
                Self::from_onnx_bytes(&name, &bytes)
            }
        }
    }

    /// Loads an ONNX model whose input is `[1, S, S, 3]` RGB (int32, float32
    /// or uint8, values 0..255) and whose output ends in `[17, 3]`
    /// (y, x, confidence), like MoveNet SinglePose.
    pub fn from_onnx_bytes(name: &str, bytes: &[u8]) -> Result<PoseModel, PoseError> {
        let err = |message: String| PoseError::Model {
            model: name.to_string(),
            message,
        };
        let model = tract_onnx::onnx()
            .model_for_read(&mut &bytes[..])
            .map_err(|e| err(format!("not a readable ONNX model: {e:#}")))?;
        let fact = model
            .input_fact(0)
            .map_err(|e| err(format!("no input: {e:#}")))?
            .clone();
        let dims: Option<Vec<usize>> = fact
            .shape
            .concretize()
            .and_then(|d| d.iter().map(|d| d.to_usize().ok()).collect());
        let Some(dims) = dims else {
            return Err(err(format!(
                "the input shape must be fixed [1, S, S, 3]; it is {:?}",
                fact.shape
            )));
        };
        if dims.len() != 4 || dims[0] != 1 || dims[3] != 3 || dims[1] != dims[2] || dims[1] == 0 {
            return Err(err(format!(
                "the input shape must be [1, S, S, 3]; it is {dims:?}"
            )));
        }
        let input_type = match fact.datum_type.concretize() {
            Some(DatumType::I32) => InputType::I32,
            Some(DatumType::F32) => InputType::F32,
            Some(DatumType::U8) => InputType::U8,
            other => return Err(err(format!("unsupported input type {other:?}"))),
        };
        let plan = optimise(model).map_err(|e| err(format!("tract cannot optimise it: {e:#}")))?;
        let output_len: Option<usize> = plan
            .model()
            .output_fact(0)
            .ok()
            .and_then(|f| f.shape.as_concrete().map(|s| s.iter().product()));
        if output_len != Some(NUM_KEYPOINTS * 3) {
            return Err(err(format!(
                "the output must hold 17 × (y, x, confidence) values; it holds {output_len:?}"
            )));
        }
        Ok(PoseModel {
            name: name.to_string(),
            input_size: dims[1] as u32,
            input_type,
            plan,
        })
    }

    /// The model's name as written in records, e.g. `movenet-lightning`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Side of the square input, in pixels.
    pub fn input_size(&self) -> u32 {
        self.input_size
    }

    /// Working memory for one thread.
    pub fn new_state(&self) -> Result<ModelState, PoseError> {
        let state = self
            .plan
            .spawn()
            .map_err(|e| PoseError::Inference(format!("{e:#}")))?;
        Ok(ModelState { state })
    }

    /// Runs the model once on an image that is already `input_size` square.
    pub fn infer(
        &self,
        state: &mut ModelState,
        input: &RgbImage,
    ) -> Result<RawKeypoints, PoseError> {
        let s = self.input_size as usize;
        if input.dimensions() != (self.input_size, self.input_size) {
            return Err(PoseError::Inference(format!(
                "input is {}x{}, the model takes {s}x{s}",
                input.width(),
                input.height()
            )));
        }
        let tensor = self.input_tensor(input)?;
        let outputs = state
            .state
            .run(tvec!(tensor.into()))
            .map_err(|e| PoseError::Inference(format!("{e:#}")))?;
        let view = outputs[0]
            .to_plain_array_view::<f32>()
            .map_err(|e| PoseError::Inference(format!("{e:#}")))?;
        let mut out = [[0f32; 3]; NUM_KEYPOINTS];
        for (i, v) in view.iter().enumerate().take(NUM_KEYPOINTS * 3) {
            out[i / 3][i % 3] = *v;
        }
        Ok(out)
    }

    /// Runs the model `runs` times on `input` (already `input_size`
    /// square), timing every node; returns per kind of op its node count
    /// and median milliseconds per run, slowest first.
    pub fn profile(
        &self,
        state: &mut ModelState,
        input: &RgbImage,
        runs: usize,
    ) -> Result<Vec<OpProfile>, PoseError> {
        use std::collections::BTreeMap;
        let nodes = self.node_times(state, input, runs)?;
        // op kind -> (node count, per-run totals)
        let mut per_kind: BTreeMap<&str, (usize, Vec<f64>)> = BTreeMap::new();
        for (node, times) in &nodes {
            let entry = per_kind.entry(node.op.as_str()).or_default();
            entry.0 += 1;
            entry.1.resize(times.len(), 0.0);
            for (total, t) in entry.1.iter_mut().zip(times) {
                *total += t;
            }
        }
        let mut v: Vec<OpProfile> = per_kind
            .into_iter()
            .map(|(op, (nodes, mut ms))| OpProfile {
                op: op.to_string(),
                nodes,
                ms: crate::bench::median(&mut ms),
            })
            .collect();
        v.sort_by(|a, b| b.ms.total_cmp(&a.ms));
        Ok(v)
    }

    /// Like [`Self::profile`], one entry per node, in the order the plan
    /// runs them, with tract's description of each (for our own ops: the
    /// shape and what is fused).
    pub fn profile_nodes(
        &self,
        state: &mut ModelState,
        input: &RgbImage,
        runs: usize,
    ) -> Result<Vec<NodeProfile>, PoseError> {
        Ok(self
            .node_times(state, input, runs)?
            .into_iter()
            .map(|(mut node, mut ms)| {
                node.ms = crate::bench::median(&mut ms);
                node
            })
            .collect())
    }

    /// Each node's milliseconds in each of `runs` runs (after one warm-up),
    /// in plan order.
    fn node_times(
        &self,
        state: &mut ModelState,
        input: &RgbImage,
        runs: usize,
    ) -> Result<Vec<(NodeProfile, Vec<f64>)>, PoseError> {
        use std::collections::HashMap;
        use std::time::Instant;
        let fail = |e: TractError| PoseError::Inference(format!("{e:#}"));
        self.infer(state, input)?;
        let mut order: Vec<usize> = vec![];
        let mut times: HashMap<usize, Vec<f64>> = HashMap::new();
        for run in 0..runs.max(1) {
            let tensor = self.input_tensor(input)?;
            state
                .state
                .run_plan_with_eval(tvec!(tensor.into()), |ctx, op_state, node, inputs| {
                    let start = Instant::now();
                    let out = tract_onnx::tract_core::plan::eval(ctx, op_state, node, inputs);
                    let ms = start.elapsed().as_secs_f64() * 1e3;
                    let t = times.entry(node.id).or_insert_with(|| {
                        order.push(node.id);
                        vec![]
                    });
                    t.resize(run + 1, 0.0);
                    t[run] += ms;
                    out
                })
                .map_err(fail)?;
        }
        let model = self.plan.model();
        Ok(order
            .into_iter()
            .map(|id| {
                let node = model.node(id);
                let mut ms = times.remove(&id).unwrap_or_default();
                ms.resize(runs.max(1), 0.0);
                let info = node.op().info().unwrap_or_default().join("; ");
                (
                    NodeProfile {
                        id,
                        name: node.name.clone(),
                        op: node.op().name().to_string(),
                        info,
                        ms: 0.0,
                    },
                    ms,
                )
            })
            .collect())
    }

    /// The model's input tensor for an `input_size` square RGB image.
    fn input_tensor(&self, input: &RgbImage) -> Result<Tensor, PoseError> {
        let s = self.input_size as usize;
        let raw = input.as_raw();
        if input.dimensions() != (self.input_size, self.input_size) {
            return Err(PoseError::Inference(format!(
                "input is {}x{}, the model takes {s}x{s}",
                input.width(),
                input.height()
            )));
        }
        Ok(match self.input_type {
            InputType::I32 => tract_ndarray::Array4::from_shape_fn((1, s, s, 3), |(_, y, x, c)| {
                raw[(y * s + x) * 3 + c] as i32
            })
            .into(),
            InputType::F32 => tract_ndarray::Array4::from_shape_fn((1, s, s, 3), |(_, y, x, c)| {
                raw[(y * s + x) * 3 + c] as f32
            })
            .into(),
            InputType::U8 => tract_ndarray::Array4::from_shape_vec((1, s, s, 3), raw.clone())
                .map_err(|e| PoseError::Inference(e.to_string()))?
                .into(),
        })
    }
}

/// One node in [`PoseModel::profile_nodes`].
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct NodeProfile {
    /// The node's id in the optimised model.
    pub id: usize,
    pub name: String,
    /// tract's name for the op, e.g. `PosturecamPointwise`.
    pub op: String,
    /// tract's description of the op (shapes, fused steps).
    pub info: String,
    /// Median milliseconds per model run.
    pub ms: f64,
}

/// One kind of op in [`PoseModel::profile`].
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct OpProfile {
    /// tract's name for the op, e.g. `OptMatMul`.
    pub op: String,
    /// Nodes of that kind in the optimised model.
    pub nodes: usize,
    /// Median milliseconds per model run, all those nodes together.
    pub ms: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_input_scaling_becomes_a_by_scalar_multiply() {
        let mut typed = crate::pose::surgery::decluttered(LIGHTNING_ONNX);
        let mul_consts = |m: &TypedModel| -> Vec<usize> {
            m.nodes()
                .iter()
                .filter(|n| n.op.name() == "Mul")
                .flat_map(|n| n.inputs.iter())
                .filter_map(|i| m.outlet_fact(*i).unwrap().konst.as_ref().map(|k| k.len()))
                .collect()
        };
        // MoveNet scales its input by a [1, 1, 1, 3] constant of equal values.
        assert!(mul_consts(&typed).contains(&3));
        assert!(uniform_operands_to_scalars(&mut typed).unwrap() >= 1);
        assert!(!mul_consts(&typed).contains(&3));
        assert_eq!(uniform_operands_to_scalars(&mut typed).unwrap(), 0);
    }

    #[test]
    fn the_lightning_plan_runs_the_stem_in_one_node_of_ours() {
        if std::env::var("POSTURECAM_DEPTHWISE").as_deref() == Ok("tract")
            || std::env::var("POSTURECAM_STEM").as_deref() == Ok("tract")
        {
            return;
        }
        let model = PoseModel::load(&ModelSpec::Lightning).unwrap();
        let plan = model.plan.model();
        let stems = plan
            .nodes()
            .iter()
            .filter(|n| n.op.name() == "PosturecamStemConv")
            .count();
        assert_eq!(stems, 1);
        // Its input is the scaled image, its padding implicit.
        assert!(!plan.nodes().iter().any(|n| n.op.name() == "Pad"));
    }

    #[test]
    fn our_keypoint_decode_gives_tract_tails_outputs_on_real_frames() {
        use super::super::preprocess::{sample_region, Region};
        if std::env::var("POSTURECAM_DEPTHWISE").as_deref() == Ok("tract")
            || std::env::var("POSTURECAM_DECODE").as_deref() == Ok("tract")
        {
            return;
        }
        let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let frames: Vec<RgbImage> = ["astronaut.png", "camera.png"]
            .iter()
            .map(|f| {
                image::open(repo.join("sample_frames").join(f))
                    .unwrap()
                    .to_rgb8()
            })
            .collect();
        for (spec, bytes) in [
            (ModelSpec::Lightning, LIGHTNING_ONNX),
            (ModelSpec::Thunder, THUNDER_ONNX),
        ] {
            let ours = PoseModel::load(&spec).unwrap();
            let decodes = |m: &PoseModel| {
                m.plan
                    .model()
                    .nodes()
                    .iter()
                    .filter(|n| n.op.name() == "PosturecamMoveNetDecode")
                    .count()
            };
            assert_eq!(decodes(&ours), 1, "{spec}");
            let onnx = tract_onnx::onnx().model_for_read(&mut &bytes[..]).unwrap();
            let theirs = PoseModel {
                plan: optimise_with(onnx, false).unwrap(),
                ..ours.clone()
            };
            assert_eq!(decodes(&theirs), 0);
            let size = ours.input_size();
            let mut inputs: Vec<RgbImage> = frames
                .iter()
                .map(|f| sample_region(f, Region::letterbox(f.width(), f.height()), size).0)
                .collect();
            // A mirrored frame and noise, for other peaks.
            inputs.push(image::imageops::flip_horizontal(&inputs[0]));
            let mut seed = 0x1234_5678u32;
            inputs.push(RgbImage::from_fn(size, size, |_, _| {
                seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                image::Rgb([(seed >> 24) as u8, (seed >> 16) as u8, (seed >> 8) as u8])
            }));
            let (mut a, mut b) = (ours.new_state().unwrap(), theirs.new_state().unwrap());
            for (i, input) in inputs.iter().enumerate() {
                let got = ours.infer(&mut a, input).unwrap();
                let want = theirs.infer(&mut b, input).unwrap();
                for (g, w) in got.iter().flatten().zip(want.iter().flatten()) {
                    assert!(
                        (g - w).abs() <= 1e-6,
                        "{spec} input {i}: {got:?} vs {want:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_wrong_size_input_is_an_error() {
        let model = PoseModel::load(&ModelSpec::Lightning).unwrap();
        let mut state = model.new_state().unwrap();
        let err = model
            .infer(&mut state, &RgbImage::new(96, 384))
            .unwrap_err();
        assert!(err.to_string().contains("96x384"), "{err}");
        assert!(model
            .profile(&mut state, &RgbImage::new(10, 10), 1)
            .is_err());
        let p = model
            .profile(&mut state, &RgbImage::new(192, 192), 2)
            .unwrap();
        // The 24 depthwise convolutions: one fused with the expansion
        // before it, the first (channels last) with the 1×1 after it, 22
        // on their own.
        let nodes_of = |op: &str| p.iter().find(|o| o.op == op).map_or(0, |o| o.nodes);
        assert_eq!(nodes_of("PosturecamDepthwise3x3"), 22);
        assert_eq!(nodes_of("PosturecamExpandDepthwise"), 1);
        assert_eq!(nodes_of("PosturecamDepthwiseProject"), 1);
        assert!(p.windows(2).all(|w| w[0].ms >= w[1].ms), "slowest first");
        let nodes = model
            .profile_nodes(&mut state, &RgbImage::new(192, 192), 2)
            .unwrap();
        let dw: Vec<_> = nodes
            .iter()
            .filter(|n| {
                [
                    "PosturecamDepthwise3x3",
                    "PosturecamExpandDepthwise",
                    "PosturecamDepthwiseProject",
                ]
                .contains(&n.op.as_str())
            })
            .collect();
        assert_eq!(dw.len(), 24);
        assert!(dw.iter().all(|n| !n.info.is_empty() && n.ms >= 0.0));
        // Each node once, as the plan runs them.
        let mut ids: Vec<usize> = nodes.iter().map(|n| n.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), nodes.len());
    }
}
