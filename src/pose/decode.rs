//! MoveNet's keypoint decoding (the part of the graph after the four heads)
//! as one op of our own, put in place of tract's nodes at load time.
//!
//! Why: after the heads the ONNX graph decodes the keypoints with about
//! fifty small nodes (Reshape, Mul, ArgMax, Cast, Div, Sub, Concat,
//! GatherND, Square, Sqrt, Recip, ...) that each pay tract's per-node cost,
//! and two broadcasting `Sub`s over `[S, S, 17]`: 64 nodes in the plan,
//! 0.31 ms of Lightning's inference and 0.49 ms of Thunder's, against
//! 0.044 ms and 0.074 ms for this op (`posturecam bench --nodes`, the
//! nodes after the last `Sigmoid`, medians of 40 runs, three runs each).
//!
//! What (S = 48 for Lightning, 64 for Thunder; K = 17 keypoints):
//! - the centre heatmap `[S, S]` times a constant weight map (read from the
//!   graph), first maximum → (cy, cx);
//! - the regression `[S, S, 2K]` at (cy, cx) → (dy, dx) per keypoint,
//!   regressed position (ry, rx) = (cy + dy, cx + dx);
//! - per keypoint, heat / (sqrt((gy − ry)² + (gx − rx)²) + c) with the
//!   graph's coordinate grids gy, gx and constant c, first maximum →
//!   (ky, kx);
//! - the offsets `[S, S, 2K]` at (ky, kx) → (oy, ox); the output is
//!   ((ky + oy) · sy, (kx + ox) · sx, heat[ky, kx, k]), `[1, 1, K, 3]`.
//!
//! How: the same float operations in the same order as tract's decluttered
//! graph (the division is a multiplication by the reciprocal, as tract's
//! declutter makes it; the maximum is tract's: strictly greater from
//! `f32::MIN`, so NaN never wins and ties keep the first), so the result is
//! bit-identical to tract's tail. [`replace_decode`] recognises the tail by
//! walking back from the output, reads the constants from the graph, and
//! keeps our op only if it gives bit-identical outputs to the original tail
//! on random, tied and NaN heads (the check adds nothing measurable to the
//! 120 / 180 ms load of Lightning / Thunder); anything else is left to
//! tract. The keypoint
//! loop runs cells outer and keypoints inner without branches, so it
//! vectorises, and is also compiled for AVX2 (0.106 ms → 0.070 → 0.046 ms
//! on Lightning). Once our pointwise op computes the heads,
//! [`heads_channels_first`] lets them arrive channels first, as that op
//! computes them (it used to transpose them for the graph: 0.45 ms of
//! Thunder); the keypoint loop then runs keypoints outer and cells in 16
//! interleaved lanes, with the same first-maximum result.

use std::collections::HashSet;
use std::sync::Arc;

use tract_onnx::prelude::*;
use tract_onnx::tract_core::internal::*;
use tract_onnx::tract_core::ops::array::{GatherNd, TypedConcat};
use tract_onnx::tract_core::ops::change_axes::AxisOp;
use tract_onnx::tract_core::ops::element_wise::ElementWiseOp;
use tract_onnx::tract_core::ops::konst::Const;
use tract_onnx::tract_core::ops::nn::{Reduce, Reducer};

use super::pointwise::PointwiseConv;
use super::surgery::same_bits;

/// The constants of one model's decoding, read from its graph.
#[derive(Clone, Debug)]
pub struct DecodeParams {
    /// Side of the heatmaps (S).
    pub side: usize,
    /// Number of keypoints (K).
    pub keypoints: usize,
    /// Weight map the centre heatmap is multiplied by, `S × S`, row-major.
    pub center_weights: Arc<Vec<f32>>,
    /// Row coordinate of each cell, `S × S` (0, 0, ..., 1, 1, ...).
    pub grid_y: Arc<Vec<f32>>,
    /// Column coordinate of each cell, `S × S` (0, 1, ..., 0, 1, ...).
    pub grid_x: Arc<Vec<f32>>,
    /// Added to the distance before dividing the heatmap by it.
    pub distance_bias: f32,
    /// (y, x) scale from heatmap cells to the normalised input square.
    pub scale: [f32; 2],
}

/// Equal when every constant has the same bits (so an op equals itself).
impl PartialEq for DecodeParams {
    fn eq(&self, other: &Self) -> bool {
        self.side == other.side
            && self.keypoints == other.keypoints
            && same_bits(&self.center_weights, &other.center_weights)
            && same_bits(&self.grid_y, &other.grid_y)
            && same_bits(&self.grid_x, &other.grid_x)
            && same_bits(&[self.distance_bias], &[other.distance_bias])
            && same_bits(&self.scale, &other.scale)
    }
}

impl Eq for DecodeParams {}

/// tract's ArgMax (first of the strictly greatest, starting from
/// `f32::MIN`: NaN and −∞ never win, index 0 if nothing beats `f32::MIN`).
fn first_max(values: impl Iterator<Item = f32>) -> usize {
    let mut best = (0usize, f32::MIN);
    for (i, v) in values.enumerate() {
        if v > best.1 {
            best = (i, v);
        }
    }
    best.0
}

/// How the heads' values are laid out in memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HeadLayout {
    /// `[S, S, C]`, as the ONNX graph has them.
    ChannelsLast,
    /// `[C, S, S]`, as our pointwise kernel computes them: the heads then
    /// need no transpose ([`heads_channels_first`]).
    ChannelsFirst,
}

impl HeadLayout {
    /// Where channel `ch` of cell `cell` is, in a head of `channels`
    /// channels over `cells` cells.
    #[inline(always)]
    fn at(self, cells: usize, channels: usize, cell: usize, ch: usize) -> usize {
        match self {
            HeadLayout::ChannelsLast => cell * channels + ch,
            HeadLayout::ChannelsFirst => ch * cells + cell,
        }
    }
}

/// Decodes the four heads (`heat` `[S, S, K]`, `center` `[S, S]`,
/// `regression` and `offsets` `[S, S, 2K]`, all row-major; with
/// [`HeadLayout::ChannelsFirst`], `[K, S, S]` and `[2K, S, S]`) into
/// `out`, `K × (y, x, score)`.
pub fn decode(
    p: &DecodeParams,
    layout: HeadLayout,
    heat: &[f32],
    center: &[f32],
    regression: &[f32],
    offsets: &[f32],
    out: &mut [f32],
) -> TractResult<()> {
    let (s, k) = (p.side, p.keypoints);
    let cells = s * s;
    ensure!(s > 0 && k > 0, "empty decode");
    ensure!(cells <= u32::MAX as usize, "heatmaps too large");
    ensure!(
        p.center_weights.len() == cells && p.grid_y.len() == cells && p.grid_x.len() == cells,
        "decode constants do not match S = {s}"
    );
    ensure!(
        heat.len() == cells * k
            && center.len() == cells
            && regression.len() == cells * 2 * k
            && offsets.len() == cells * 2 * k
            && out.len() == k * 3,
        "decode input sizes do not match S = {s}, K = {k}"
    );
    // The centre: weighted centre heatmap, first maximum.
    let c = first_max(
        center
            .iter()
            .zip(p.center_weights.iter())
            .map(|(a, w)| a * w),
    );
    // As the graph does it: integer division and remainder, then to f32.
    let (cy, cx) = ((c / s) as f32, (c % s) as f32);
    let two = |head: &[f32], cell: usize, j: usize| {
        (
            head[layout.at(cells, 2 * k, cell, 2 * j)],
            head[layout.at(cells, 2 * k, cell, 2 * j + 1)],
        )
    };
    let (ry, rx): (Vec<f32>, Vec<f32>) = (0..k)
        .map(|j| {
            let (dy, dx) = two(regression, c, j);
            (cy + dy, cx + dx)
        })
        .unzip();
    let mut best_i = vec![0u32; k];
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2, checked just above.
        unsafe { maxima_avx2(layout, p, heat, &ry, &rx, &mut best_i) };
    } else {
        maxima(layout, p, heat, &ry, &rx, &mut best_i);
    }
    #[cfg(not(target_arch = "x86_64"))]
    maxima(layout, p, heat, &ry, &rx, &mut best_i);
    for (j, (&cell, o)) in best_i.iter().zip(out.chunks_exact_mut(3)).enumerate() {
        let cell = cell as usize;
        let (ky, kx) = ((cell / s) as f32, (cell % s) as f32);
        let (oy, ox) = two(offsets, cell, j);
        o[0] = (ky + oy) * p.scale[0];
        o[1] = (kx + ox) * p.scale[1];
        o[2] = heat[layout.at(cells, k, cell, j)];
    }
    Ok(())
}

/// Per keypoint, the first cell of the greatest score, into `best_i`.
#[inline(always)]
fn maxima(
    layout: HeadLayout,
    p: &DecodeParams,
    heat: &[f32],
    ry: &[f32],
    rx: &[f32],
    best_i: &mut [u32],
) {
    match layout {
        HeadLayout::ChannelsLast => keypoint_maxima(p, heat, ry, rx, best_i),
        HeadLayout::ChannelsFirst => keypoint_maxima_channels_first(p, heat, ry, rx, best_i),
    }
}

/// Per keypoint, the first cell of the greatest heat / (distance to the
/// regressed position (`ry`, `rx`) + bias), into `best_i`. Cells outer,
/// keypoints inner and branch-free, so the compiler vectorises across
/// keypoints.
#[inline(always)]
fn keypoint_maxima(p: &DecodeParams, heat: &[f32], ry: &[f32], rx: &[f32], best_i: &mut [u32]) {
    let k = p.keypoints;
    let mut best_v = vec![f32::MIN; k];
    for (cell, h) in heat.chunks_exact(k).enumerate() {
        let (gy, gx) = (p.grid_y[cell], p.grid_x[cell]);
        let cell = cell as u32;
        for ((((bv, bi), &h), &ry), &rx) in best_v
            .iter_mut()
            .zip(best_i.iter_mut())
            .zip(h)
            .zip(ry)
            .zip(rx)
        {
            let dy = gy - ry;
            let dx = gx - rx;
            let v = h * ((dy * dy + dx * dx).sqrt() + p.distance_bias).recip();
            let better = v > *bv;
            *bv = if better { v } else { *bv };
            *bi = if better { cell } else { *bi };
        }
    }
}

/// [`keypoint_maxima`] for channels-first heat (`[K][S·S]`): keypoints
/// outer, and the cells of each in `LANES` interleaved running maxima
/// (lane `l` sees cells `l, l + LANES, ...`), which the compiler
/// vectorises, then merged: the greatest value, and of equal values the
/// lowest cell, which is the first maximum the plain loop finds. The cells
/// past the last whole group of lanes come after all the others, so they
/// win only when strictly greater, as in the plain loop.
#[inline(always)]
fn keypoint_maxima_channels_first(
    p: &DecodeParams,
    heat: &[f32],
    ry: &[f32],
    rx: &[f32],
    best_i: &mut [u32],
) {
    const LANES: usize = 16;
    let cells = p.grid_y.len();
    let whole = cells / LANES * LANES;
    let score = |h: f32, gy: f32, gx: f32, ry: f32, rx: f32| {
        let dy = gy - ry;
        let dx = gx - rx;
        h * ((dy * dy + dx * dx).sqrt() + p.distance_bias).recip()
    };
    for (j, ((bi, &ry), &rx)) in best_i.iter_mut().zip(ry).zip(rx).enumerate() {
        let h = &heat[j * cells..(j + 1) * cells];
        let mut lane_v = [f32::MIN; LANES];
        let mut lane_i = [0u32; LANES];
        let groups = h[..whole]
            .chunks_exact(LANES)
            .zip(p.grid_y[..whole].chunks_exact(LANES))
            .zip(p.grid_x[..whole].chunks_exact(LANES));
        for (g, ((hs, gys), gxs)) in groups.enumerate() {
            let base = (g * LANES) as u32;
            for l in 0..LANES {
                let v = score(hs[l], gys[l], gxs[l], ry, rx);
                let better = v > lane_v[l];
                lane_v[l] = if better { v } else { lane_v[l] };
                lane_i[l] = if better { base + l as u32 } else { lane_i[l] };
            }
        }
        let (mut best_v, mut best) = (f32::MIN, 0u32);
        for (&v, &i) in lane_v.iter().zip(&lane_i) {
            if v > best_v || (v == best_v && i < best) {
                (best_v, best) = (v, i);
            }
        }
        for (cell, &hv) in h.iter().enumerate().skip(whole) {
            let v = score(hv, p.grid_y[cell], p.grid_x[cell], ry, rx);
            if v > best_v {
                (best_v, best) = (v, cell as u32);
            }
        }
        *bi = best;
    }
}

/// [`maxima`] compiled for AVX2 (8 lanes per instruction instead of 4;
/// the same IEEE operations, so the same bits: Rust does not contract a
/// multiply and an add into an FMA).
///
/// # Safety
/// The CPU must support AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn maxima_avx2(
    layout: HeadLayout,
    p: &DecodeParams,
    heat: &[f32],
    ry: &[f32],
    rx: &[f32],
    best_i: &mut [u32],
) {
    maxima(layout, p, heat, ry, rx, best_i)
}

/// The tract op: inputs heat `[1, S, S, K]`, centre `[1, S, S, 1]`,
/// regression and offsets `[1, S, S, 2K]` (channels first: `[1, K, S, S]`,
/// `[1, 1, S, S]`, `[1, 2K, S, S]`); output `[1, 1, K, 3]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MoveNetDecode {
    pub params: DecodeParams,
    pub layout: HeadLayout,
}

impl MoveNetDecode {
    fn input_shapes(&self) -> [[usize; 4]; 4] {
        let (s, k) = (self.params.side, self.params.keypoints);
        [k, 1, 2 * k, 2 * k].map(|c| match self.layout {
            HeadLayout::ChannelsLast => [1, s, s, c],
            HeadLayout::ChannelsFirst => [1, c, s, s],
        })
    }
}

impl Op for MoveNetDecode {
    fn name(&self) -> StaticName {
        "PosturecamMoveNetDecode".into()
    }

    fn info(&self) -> TractResult<Vec<String>> {
        let p = &self.params;
        Ok(vec![format!(
            "{}×{} heads {:?}, {} keypoints, distance + {}, scale {:?}",
            p.side, p.side, self.layout, p.keypoints, p.distance_bias, p.scale
        )])
    }

    op_as_typed_op!();
}

impl EvalOp for MoveNetDecode {
    op_out_of_plan!();

    fn eval(&self, _ctx: &EvalContext, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
        self.run(inputs)
    }
}

impl MoveNetDecode {
    fn run(&self, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
        ensure!(inputs.len() == 4, "decode takes four inputs");
        let mut views = vec![];
        for (input, shape) in inputs.iter().zip(self.input_shapes()) {
            ensure!(
                input.shape() == shape,
                "decode input shape {:?}, expected {shape:?}",
                input.shape()
            );
            views.push(input.try_as_plain_ram()?);
        }
        let mut out = Tensor::zero::<f32>(&[1, 1, self.params.keypoints, 3])?;
        {
            let mut view = out.try_as_plain_ram_mut()?;
            decode(
                &self.params,
                self.layout,
                views[0].as_slice::<f32>()?,
                views[1].as_slice::<f32>()?,
                views[2].as_slice::<f32>()?,
                views[3].as_slice::<f32>()?,
                view.as_slice_mut::<f32>()?,
            )?;
        }
        Ok(tvec!(out.into_tvalue()))
    }
}

impl TypedOp for MoveNetDecode {
    fn output_facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
        ensure!(inputs.len() == 4, "decode takes four inputs");
        for (fact, shape) in inputs.iter().zip(self.input_shapes()) {
            ensure!(fact.datum_type == f32::datum_type(), "decode takes f32");
            ensure!(
                fact.shape.as_concrete() == Some(&shape[..]),
                "decode input {:?}, expected {shape:?}",
                fact.shape
            );
        }
        Ok(tvec!(f32::fact([1, 1, self.params.keypoints, 3])))
    }

    as_op!();
}

/// What [`recognise`] found: the four head outlets (heat, centre,
/// regression, offsets), the nodes of the tail, and the constants.
struct Tail {
    heads: [OutletId; 4],
    nodes: Vec<usize>,
    params: DecodeParams,
}

/// The node behind `outlet`, skipping axis and reshape ops.
fn through_axes(model: &TypedModel, mut outlet: OutletId) -> OutletId {
    loop {
        let node = model.node(outlet.node);
        if node.op_as::<AxisOp>().is_none() || node.inputs.len() != 1 {
            return outlet;
        }
        outlet = node.inputs[0];
    }
}

fn op_is(model: &TypedModel, outlet: OutletId, name: &str) -> bool {
    model.node(outlet.node).op.name() == name
}

/// The constant value of `outlet` as f32, if it is one.
fn konst(model: &TypedModel, outlet: OutletId) -> Option<Vec<f32>> {
    let k = model.outlet_fact(outlet).ok()?.konst.clone()?;
    if k.datum_type() != f32::datum_type() {
        return None;
    }
    let view = k.try_as_plain_ram().ok()?;
    Some(view.as_slice::<f32>().ok()?.to_vec())
}

/// Of a binary node's two inputs, (the constant values, the other input).
fn split_const(model: &TypedModel, node: usize) -> Option<(Vec<f32>, OutletId)> {
    let n = model.node(node);
    if n.inputs.len() != 2 {
        return None;
    }
    match (konst(model, n.inputs[0]), konst(model, n.inputs[1])) {
        (Some(k), None) => Some((k, n.inputs[1])),
        (None, Some(k)) => Some((k, n.inputs[0])),
        _ => None,
    }
}

fn concrete_shape(model: &TypedModel, outlet: OutletId) -> Option<Vec<usize>> {
    let fact = model.outlet_fact(outlet).ok()?;
    if fact.datum_type != f32::datum_type() {
        return None;
    }
    fact.shape.as_concrete().map(|s| s.to_vec())
}

/// Ids of the nodes `outlet` depends on, itself included.
fn ancestors(model: &TypedModel, outlets: &[OutletId]) -> HashSet<usize> {
    let mut seen = HashSet::new();
    let mut todo: Vec<usize> = outlets.iter().map(|o| o.node).collect();
    while let Some(id) = todo.pop() {
        if seen.insert(id) {
            todo.extend(model.node(id).inputs.iter().map(|i| i.node));
        }
    }
    seen
}

/// Finds MoveNet's decoding between the heads and the single output, or
/// `None` if the graph is not shaped like it.
fn recognise(model: &TypedModel) -> Option<Tail> {
    let outputs = model.output_outlets().ok()?;
    if outputs.len() != 1 {
        return None;
    }
    let output = outputs[0];
    let out_shape = concrete_shape(model, output)?;
    if out_shape.len() != 4 || out_shape[..2] != [1, 1] || out_shape[3] != 3 {
        return None;
    }
    let k = out_shape[2];
    let upstream = ancestors(model, &[output]);
    let argmaxes: Vec<usize> = upstream
        .iter()
        .copied()
        .filter(|&id| {
            model
                .node(id)
                .op_as::<Reduce>()
                .is_some_and(|r| r.reducer == Reducer::ArgMax(false) && r.axes.len() == 1)
        })
        .collect();
    if argmaxes.len() != 2 {
        return None;
    }
    // The centre argmax reads (weights × centre); the keypoint one reads
    // heat × recip(sqrt(Δy² + Δx²) + c).
    let mut center = None;
    let mut keypoint = None;
    for &a in &argmaxes {
        let m = through_axes(model, model.node(a).inputs[0]);
        if !op_is(model, m, "Mul") {
            return None;
        }
        let mn = model.node(m.node);
        let recip = mn
            .inputs
            .iter()
            .position(|i| op_is(model, through_axes(model, *i), "Recip"));
        if let Some(slot) = recip {
            keypoint = Some((a, mn.inputs[1 - slot], through_axes(model, mn.inputs[slot])));
        } else {
            let (weights, head) = split_const(model, m.node)?;
            center = Some((a, head, weights));
        }
    }
    let (center_argmax, center_head, center_weights) = center?;
    let (keypoint_argmax, heat_head, recip) = keypoint?;
    let heat_shape = concrete_shape(model, heat_head)?;
    if heat_shape.len() != 4 || heat_shape[0] != 1 || heat_shape[3] != k {
        return None;
    }
    let s = heat_shape[1];
    if heat_shape[2] != s || concrete_shape(model, center_head)? != [1, s, s, 1] {
        return None;
    }
    if center_weights.len() != s * s {
        return None;
    }
    // recip(Add(Sqrt(Add(Square(Sub(grid, ..)), Square(Sub(grid, ..)))), c))
    let add_c = through_axes(model, model.node(recip.node).inputs[0]);
    if !op_is(model, add_c, "Add") {
        return None;
    }
    let (c, sqrt) = split_const(model, add_c.node)?;
    let sqrt = through_axes(model, sqrt);
    if c.len() != 1 || !op_is(model, sqrt, "Sqrt") {
        return None;
    }
    let sum = through_axes(model, model.node(sqrt.node).inputs[0]);
    if !op_is(model, sum, "Add") || model.node(sum.node).inputs.len() != 2 {
        return None;
    }
    let mut grids = vec![];
    for &sq in &model.node(sum.node).inputs {
        let sq = through_axes(model, sq);
        if !op_is(model, sq, "Square") {
            return None;
        }
        let sub = through_axes(model, model.node(sq.node).inputs[0]);
        if !op_is(model, sub, "Sub") {
            return None;
        }
        let grid = konst(model, model.node(sub.node).inputs[0])?;
        if grid.len() != s * s {
            return None;
        }
        grids.push(grid);
    }
    // Which grid is the row coordinate: the one constant along rows.
    let along_rows = |g: &[f32]| g.chunks_exact(s).all(|r| r.iter().all(|v| *v == r[0]));
    let (grid_y, grid_x) = match (along_rows(&grids[0]), along_rows(&grids[1])) {
        (true, false) => (grids[0].clone(), grids[1].clone()),
        (false, true) => (grids[1].clone(), grids[0].clone()),
        _ => return None,
    };
    // The three gathers of [1, S, S, 2K] or heat tensors: the regression is
    // gathered at the centre only, the offsets at the keypoints.
    let mut regression = None;
    let mut offsets = None;
    for &g in &upstream {
        let node = model.node(g);
        if node.op_as::<GatherNd>().is_none() || node.inputs.len() != 2 {
            continue;
        }
        let data = node.inputs[0];
        if data == heat_head || model.node(data.node).op_as::<GatherNd>().is_some() {
            continue;
        }
        let data_up = through_axes(model, data);
        if model.node(data_up.node).op_as::<GatherNd>().is_some() {
            continue;
        }
        if concrete_shape(model, data)? != [1, s, s, 2 * k] {
            return None;
        }
        let index_up = ancestors(model, &[node.inputs[1]]);
        match (
            index_up.contains(&center_argmax),
            index_up.contains(&keypoint_argmax),
        ) {
            (true, false) if regression.is_none() => regression = Some(data),
            (_, true) if offsets.is_none() => offsets = Some(data),
            _ => return None,
        }
    }
    let (regression, offsets) = (regression?, offsets?);
    // The scale: the constant the coordinates are multiplied by before the
    // final concatenation.
    let last = model.node(output.node);
    last.op_as::<TypedConcat>()?;
    let mut scale = None;
    for i in &last.inputs {
        let i = through_axes(model, *i);
        if op_is(model, i, "Mul") {
            if let Some((k, _)) = split_const(model, i.node) {
                scale = match k[..] {
                    [a] => Some([a, a]),
                    [a, b] => Some([a, b]),
                    _ => None,
                };
            }
        }
    }
    let scale = scale?;
    // The tail: what the output depends on beyond the heads. It must read
    // nothing else but constants, and feed nothing else.
    let heads = [heat_head, center_head, regression, offsets];
    let before = ancestors(model, &heads);
    let tail: HashSet<usize> = upstream.difference(&before).copied().collect();
    for &id in &tail {
        let node = model.node(id);
        for i in &node.inputs {
            let konst = model.node(i.node).op_as::<Const>().is_some();
            if !tail.contains(&i.node) && !heads.contains(i) && !konst {
                return None;
            }
        }
        for o in &node.outputs {
            if o.successors.iter().any(|s| !tail.contains(&s.node)) {
                return None;
            }
        }
    }
    let mut nodes: Vec<usize> = tail.into_iter().collect();
    nodes.sort_unstable();
    Some(Tail {
        heads,
        nodes,
        params: DecodeParams {
            side: s,
            keypoints: k,
            center_weights: Arc::new(center_weights),
            grid_y: Arc::new(grid_y),
            grid_x: Arc::new(grid_x),
            distance_bias: c[0],
            scale,
        },
    })
}

/// The original tail as a model of its own, the heads as its inputs.
fn tail_model(model: &TypedModel, tail: &Tail) -> TractResult<TypedModel> {
    use std::collections::HashMap;
    let mut sub = TypedModel::default();
    let mut map: HashMap<OutletId, OutletId> = HashMap::new();
    for (i, head) in tail.heads.iter().enumerate() {
        let fact = model.outlet_fact(*head)?.without_value();
        map.insert(*head, sub.add_source(format!("head.{i}"), fact)?);
    }
    let order = model.eval_order()?;
    let in_tail: HashSet<usize> = tail.nodes.iter().copied().collect();
    for id in order {
        if !in_tail.contains(&id) {
            continue;
        }
        let node = model.node(id);
        let mut inputs = tvec!();
        for i in &node.inputs {
            if let Some(o) = map.get(i) {
                inputs.push(*o);
            } else {
                let k = model.outlet_fact(*i)?.konst.clone().context("constant")?;
                let name = format!("{}.{}.{}", model.node(i.node).name, i.slot, id);
                inputs.push(sub.add_const(name, k)?);
            }
        }
        let wires = sub.wire_node(&node.name, node.op.clone(), &inputs)?;
        for (slot, w) in wires.into_iter().enumerate() {
            map.insert(OutletId::new(id, slot), w);
        }
    }
    let out = *map
        .get(&model.output_outlets()?[0])
        .context("output not in the tail")?;
    sub.select_output_outlets(&[out])?;
    Ok(sub)
}

/// Pseudo-random heads for the load-time check: heatmaps in [0, 1),
/// regression and offsets in [−S/2, S/2), with a few ties and NaN.
fn random_heads(p: &DecodeParams, seed: u64, variant: usize) -> [Tensor; 4] {
    let (s, k) = (p.side, p.keypoints);
    let mut state = seed | 1;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 40) as f32 / (1u64 << 24) as f32
    };
    let mut heat: Vec<f32> = (0..s * s * k).map(|_| next()).collect();
    let mut center: Vec<f32> = (0..s * s).map(|_| next()).collect();
    let half = s as f32 / 2.0;
    let regression: Vec<f32> = (0..s * s * 2 * k)
        .map(|_| (next() - 0.5) * 2.0 * half)
        .collect();
    let offsets: Vec<f32> = (0..s * s * 2 * k).map(|_| (next() - 0.5) * 2.0).collect();
    if variant == 1 {
        // Ties everywhere.
        heat.iter_mut().for_each(|v| *v = 0.5);
        center.iter_mut().for_each(|v| *v = 0.25);
    } else if variant == 2 {
        heat[(s * s / 2) * k] = f32::NAN;
        center[s * s / 3] = f32::NAN;
    }
    let t = |v: Vec<f32>, c: usize| tract_ndarray::Array4::from_shape_vec((1, s, s, c), v);
    [
        t(heat, k).map(Tensor::from).unwrap_or_default(),
        t(center, 1).map(Tensor::from).unwrap_or_default(),
        t(regression, 2 * k).map(Tensor::from).unwrap_or_default(),
        t(offsets, 2 * k).map(Tensor::from).unwrap_or_default(),
    ]
}

fn same_tensor_bits(a: &Tensor, b: &Tensor) -> bool {
    let (Ok(a), Ok(b)) = (a.try_as_plain_ram(), b.try_as_plain_ram()) else {
        return false;
    };
    match (a.as_slice::<f32>(), b.as_slice::<f32>()) {
        (Ok(a), Ok(b)) => {
            a.len() == b.len()
                && a.iter()
                    .zip(b)
                    .all(|(x, y)| x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()))
        }
        _ => false,
    }
}

/// Runs the original tail and our op on each set of heads; true if they
/// agree bit for bit (NaN matching NaN) on all of them.
fn agrees(model: &TypedModel, tail: &Tail, op: &MoveNetDecode, head_sets: &[[Tensor; 4]]) -> bool {
    let Ok(plan) = tail_model(model, tail).and_then(|sub| sub.into_runnable()) else {
        return false;
    };
    head_sets.iter().all(|heads| {
        let inputs: TVec<TValue> = heads.iter().map(|t| t.clone().into_tvalue()).collect();
        match (plan.run(inputs.clone()), op.run(inputs)) {
            (Ok(theirs), Ok(ours)) => {
                theirs.len() == 1 && ours.len() == 1 && same_tensor_bits(&theirs[0], &ours[0])
            }
            _ => false,
        }
    })
}

/// Puts [`MoveNetDecode`] in place of MoveNet's decoding tail of a
/// decluttered model (everything between the heatmap, centre, regression
/// and offset heads and the output); returns 1 if it did, 0 if the graph is
/// not recognised or our op does not reproduce tract's tail bit for bit on
/// random heads (then the model is untouched).
pub fn replace_decode(model: &mut TypedModel) -> TractResult<usize> {
    let Some(tail) = recognise(model) else {
        return Ok(0);
    };
    let op = MoveNetDecode {
        params: tail.params.clone(),
        layout: HeadLayout::ChannelsLast,
    };
    // Random heads, then all ties, then NaN in both maps.
    let head_sets: Vec<[Tensor; 4]> = (0..3)
        .map(|variant| random_heads(&op.params, 0x9E37_79B9 * (variant as u64 + 1), variant))
        .collect();
    if !agrees(model, &tail, &op, &head_sets) {
        return Ok(0);
    }
    let mut patch = TypedModelPatch::default();
    let mut taps = tvec!();
    for head in tail.heads {
        taps.push(patch.tap_model(model, head)?);
    }
    let output = model.output_outlets()?[0];
    let name = format!("{}.posturecam_decode", model.node(output.node).name);
    let wire = patch.wire_node(name, op, &taps)?;
    patch.shunt_outside(model, output, wire[0])?;
    patch.apply(model)?;
    model.compact()?;
    Ok(1)
}

/// The same random, tied and NaN heads as the load-time check, channels
/// last (as the graph has them) and channels first.
fn head_sets_both_layouts(p: &DecodeParams) -> Vec<([Tensor; 4], [Tensor; 4])> {
    (0..3)
        .map(|variant| {
            let last = random_heads(p, 0x51_7CC1 * (variant as u64 + 1), variant);
            let first = last
                .clone()
                .map(|t| t.permute_axes(&[0, 3, 1, 2]).unwrap_or_default());
            (last, first)
        })
        .collect()
}

/// True if `a` on the channels-last heads and `b` on the same heads
/// channels first give the same bits.
fn same_decodes(a: &MoveNetDecode, b: &MoveNetDecode) -> bool {
    head_sets_both_layouts(&a.params)
        .into_iter()
        .all(|(last, first)| {
            let run = |op: &MoveNetDecode, heads: [Tensor; 4]| {
                op.run(heads.into_iter().map(|t| t.into_tvalue()).collect())
            };
            match (run(a, last), run(b, first)) {
                (Ok(x), Ok(y)) => x.len() == 1 && y.len() == 1 && same_tensor_bits(&x[0], &y[0]),
                _ => false,
            }
        })
}

/// Lets the heads reach [`MoveNetDecode`] channels first: when each of its
/// four inputs is one of our [`PointwiseConv`]s (MoveNet's last 1×1 of
/// each head, whose kernel computes channels first and then transposed its
/// result to the graph's channels-last layout), possibly through
/// element-wise ops (the sigmoids), with no other consumer on the way,
/// those convolutions keep their channels-first result and the decoding
/// reads that. Returns 1 if it did, 0 if the graph is not shaped so (then
/// it is untouched).
///
/// Why: the transposes were 0.45 ms of Thunder's 31 ms and 0.2 ms of
/// Lightning's 8.5 (`bench --nodes` with and without them).
pub fn heads_channels_first(model: &mut TypedModel) -> TractResult<usize> {
    let Some(decode_id) = model
        .nodes()
        .iter()
        .find(|n| {
            n.op_as::<MoveNetDecode>()
                .is_some_and(|d| d.layout == HeadLayout::ChannelsLast)
        })
        .map(|n| n.id)
    else {
        return Ok(0);
    };
    let last = model
        .node(decode_id)
        .op_as::<MoveNetDecode>()
        .context("decode op")?
        .clone();
    let first = MoveNetDecode {
        params: last.params.clone(),
        layout: HeadLayout::ChannelsFirst,
    };
    let (s, k) = (last.params.side, last.params.keypoints);
    let channels = [k, 1, 2 * k, 2 * k];
    // Per head: the convolution, and the element-wise ops after it, last
    // one first.
    let mut chains: Vec<(usize, Vec<usize>)> = vec![];
    for (&input, &c) in model.node(decode_id).inputs.iter().zip(&channels) {
        let mut elementwise = vec![];
        let mut outlet = input;
        loop {
            if model.outlet_successors(outlet).len() != 1 {
                return Ok(0);
            }
            let node = model.node(outlet.node);
            if node.op_as::<ElementWiseOp>().is_some() && node.inputs.len() == 1 {
                elementwise.push(node.id);
                outlet = node.inputs[0];
                continue;
            }
            let Some(pw) = node.op_as::<PointwiseConv>() else {
                return Ok(0);
            };
            // One channel is laid out the same either way.
            if pw.params.m != c || pw.pixels != s * s || !(pw.out_channels_last || c == 1) {
                return Ok(0);
            }
            chains.push((node.id, elementwise));
            break;
        }
    }
    if !same_decodes(&last, &first) {
        return Ok(0);
    }
    let mut patch = TypedModelPatch::default();
    let mut heads = tvec!();
    for ((conv, elementwise), &c) in chains.iter().zip(&channels) {
        let node = model.node(*conv);
        let pw = node.op_as::<PointwiseConv>().context("pointwise op")?;
        let op = PointwiseConv {
            out_channels_last: false,
            output_shape: tvec![1, c, s, s],
            ..pw.clone()
        };
        let taps = node
            .inputs
            .iter()
            .map(|i| patch.tap_model(model, *i))
            .collect::<TractResult<TVec<_>>>()?;
        let mut wire = patch.wire_node(format!("{}.channels_first", node.name), op, &taps)?[0];
        for &e in elementwise.iter().rev() {
            let n = model.node(e);
            wire = patch.wire_node(format!("{}.channels_first", n.name), n.op.clone(), &[wire])?[0];
        }
        heads.push(wire);
    }
    let name = format!("{}.channels_first", model.node(decode_id).name);
    let out = patch.wire_node(name, first, &heads)?;
    patch.shunt_outside(model, OutletId::new(decode_id, 0), out[0])?;
    patch.apply(model)?;
    model.compact()?;
    Ok(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::pose::model::{LIGHTNING_ONNX as LIGHTNING, THUNDER_ONNX as THUNDER};
    use crate::pose::surgery::decluttered;

    fn params(s: usize, k: usize) -> DecodeParams {
        DecodeParams {
            side: s,
            keypoints: k,
            center_weights: Arc::new((0..s * s).map(|i| 1.0 + (i % 7) as f32 * 0.01).collect()),
            grid_y: Arc::new((0..s * s).map(|i| (i / s) as f32).collect()),
            grid_x: Arc::new((0..s * s).map(|i| (i % s) as f32).collect()),
            distance_bias: 1.8,
            scale: [1.0 / s as f32, 0.5 / s as f32],
        }
    }

    /// The decode as the model card describes it, written plainly: a true
    /// division, one keypoint at a time, the maximum found with `max_by`.
    fn reference(
        p: &DecodeParams,
        heat: &[f32],
        center: &[f32],
        reg: &[f32],
        off: &[f32],
    ) -> Vec<[f32; 3]> {
        let (s, k) = (p.side, p.keypoints);
        let argmax = |v: Vec<f32>| {
            let mut best = 0;
            for i in 0..v.len() {
                if v[i] > v[best] {
                    best = i;
                }
            }
            best
        };
        let c = argmax(
            (0..s * s)
                .map(|i| center[i] * p.center_weights[i])
                .collect(),
        );
        let (cy, cx) = (c / s, c % s);
        (0..k)
            .map(|j| {
                let ry = cy as f32 + reg[c * 2 * k + 2 * j];
                let rx = cx as f32 + reg[c * 2 * k + 2 * j + 1];
                let scores = (0..s * s)
                    .map(|i| {
                        let (y, x) = ((i / s) as f32, (i % s) as f32);
                        heat[i * k + j] / (((y - ry).powi(2) + (x - rx).powi(2)).sqrt() + 1.8)
                    })
                    .collect();
                let m = argmax(scores);
                let (ky, kx) = (m / s, m % s);
                [
                    (ky as f32 + off[m * 2 * k + 2 * j]) * p.scale[0],
                    (kx as f32 + off[m * 2 * k + 2 * j + 1]) * p.scale[1],
                    heat[m * k + j],
                ]
            })
            .collect()
    }

    fn flat(t: &Tensor) -> Vec<f32> {
        t.try_as_plain_ram()
            .unwrap()
            .as_slice::<f32>()
            .unwrap()
            .to_vec()
    }

    fn run(p: &DecodeParams, heads: &[Tensor; 4]) -> Vec<f32> {
        let mut out = vec![f32::NAN; p.keypoints * 3];
        let h: Vec<Vec<f32>> = heads.iter().map(flat).collect();
        decode(
            p,
            HeadLayout::ChannelsLast,
            &h[0],
            &h[1],
            &h[2],
            &h[3],
            &mut out,
        )
        .unwrap();
        out
    }

    #[test]
    fn known_peaks_decode_to_their_cells_plus_offsets() {
        let (s, k) = (12, 3);
        let p = params(s, k);
        let mut heat = vec![0.1f32; s * s * k];
        let mut center = vec![0.2f32; s * s];
        let mut reg = vec![0.0f32; s * s * 2 * k];
        let mut off = vec![0.0f32; s * s * 2 * k];
        center[5 * s + 7] = 0.9;
        // Keypoint 0 regressed onto (4, 9), keypoint 1 onto (10, 1).
        reg[(5 * s + 7) * 2 * k..][..4].copy_from_slice(&[-1.0, 2.0, 5.0, -6.0]);
        // Two equal peaks for keypoint 0: the one nearer (4, 9) wins.
        heat[(4 * s + 9) * k] = 0.8;
        heat[(11 * s) * k] = 0.8;
        heat[(10 * s + 1) * k + 1] = 0.7;
        off[(4 * s + 9) * 2 * k..][..2].copy_from_slice(&[0.25, -0.5]);
        off[(10 * s + 1) * 2 * k + 2..][..2].copy_from_slice(&[-0.25, 0.75]);
        let mut out = vec![0f32; k * 3];
        decode(
            &p,
            HeadLayout::ChannelsLast,
            &heat,
            &center,
            &reg,
            &off,
            &mut out,
        )
        .unwrap();
        // Keypoint 2's heatmap is flat: the cell nearest its regressed
        // position, the centre (5, 7), wins.
        let expected = [
            [4.25 / 12.0, 8.5 * 0.5 / 12.0, 0.8],
            [9.75 / 12.0, 1.75 * 0.5 / 12.0, 0.7],
            [5.0 / 12.0, 7.0 * 0.5 / 12.0, 0.1],
        ];
        for (got, want) in out.chunks_exact(3).zip(expected) {
            for (a, b) in got.iter().zip(want) {
                assert!((a - b).abs() < 1e-6, "{got:?} vs {want:?}");
            }
        }
        let want: Vec<f32> = reference(&p, &heat, &center, &reg, &off).concat();
        assert_eq!(out, want);
    }

    #[test]
    fn random_heads_match_the_plain_reference() {
        for (s, k) in [(1, 1), (5, 2), (48, 17), (64, 17)] {
            let p = params(s, k);
            for seed in 0..5u64 {
                let heads = random_heads(&p, 0xABCD + seed * 7919, 0);
                let h: Vec<Vec<f32>> = heads.iter().map(flat).collect();
                let want = reference(&p, &h[0], &h[1], &h[2], &h[3]).concat();
                let got = run(&p, &heads);
                for (i, (a, b)) in got.iter().zip(&want).enumerate() {
                    assert!(
                        (a - b).abs() <= 1e-6,
                        "S {s} seed {seed} at {i}: {a} vs {b}"
                    );
                }
            }
        }
    }

    #[test]
    fn ties_take_the_first_cell_and_nan_never_wins_or_panics() {
        let (s, k) = (6, 2);
        let mut p = params(s, k);
        p.center_weights = Arc::new(vec![1.0; s * s]);
        let heat = vec![0.5f32; s * s * k];
        let center = vec![0.5f32; s * s];
        let zeros = vec![0f32; s * s * 2 * k];
        let mut out = vec![0f32; k * 3];
        // Every centre cell ties: the first, (0, 0); every keypoint score
        // is then highest at (0, 0) too.
        decode(
            &p,
            HeadLayout::ChannelsLast,
            &heat,
            &center,
            &zeros,
            &zeros,
            &mut out,
        )
        .unwrap();
        assert_eq!(out, [0.0, 0.0, 0.5, 0.0, 0.0, 0.5]);
        // A NaN centre does not win; an all-NaN map falls back to cell 0.
        let mut center = vec![0.1f32; s * s];
        center[0] = f32::NAN;
        center[9] = 0.2;
        let mut reg = zeros.clone();
        reg[9 * 2 * k] = f32::NAN;
        decode(
            &p,
            HeadLayout::ChannelsLast,
            &heat,
            &center,
            &reg,
            &zeros,
            &mut out,
        )
        .unwrap();
        // Keypoint 0's regressed row is NaN: all its scores are NaN.
        assert_eq!(&out[..3], &[0.0, 0.0, 0.5]);
        assert_eq!(&out[3..], &[1.0 / 6.0, 1.5 / 6.0, 0.5]);
        let nan = vec![f32::NAN; s * s * 2 * k];
        decode(
            &p,
            HeadLayout::ChannelsLast,
            &nan[..s * s * k],
            &nan[..s * s],
            &nan,
            &nan,
            &mut out,
        )
        .unwrap();
        assert!(out.iter().all(|v| v.is_nan()));
    }

    #[test]
    fn the_plain_and_avx2_loops_give_the_same_cells_in_both_layouts() {
        let p = params(48, 17);
        for variant in 0..3 {
            let heads = random_heads(&p, 99 + variant as u64, variant);
            let ry: Vec<f32> = (0..17).map(|j| 10.0 + j as f32 * 1.7).collect();
            let rx: Vec<f32> = (0..17).map(|j| 40.0 - j as f32 * 2.3).collect();
            let last = flat(&heads[0]);
            let first = flat(&heads[0].clone().permute_axes(&[0, 3, 1, 2]).unwrap());
            let mut cells = vec![];
            for (layout, heat) in [
                (HeadLayout::ChannelsLast, &last),
                (HeadLayout::ChannelsFirst, &first),
            ] {
                let mut plain = vec![0u32; 17];
                maxima(layout, &p, heat, &ry, &rx, &mut plain);
                #[cfg(target_arch = "x86_64")]
                if std::arch::is_x86_feature_detected!("avx2") {
                    let mut avx2 = vec![0u32; 17];
                    // SAFETY: AVX2 is present, checked just above.
                    unsafe { maxima_avx2(layout, &p, heat, &ry, &rx, &mut avx2) };
                    assert_eq!(plain, avx2, "{layout:?} variant {variant}");
                }
                cells.push(plain);
            }
            assert_eq!(cells[0], cells[1], "variant {variant}");
        }
    }

    #[test]
    fn channels_first_heads_decode_to_the_same_bits() {
        // Cell counts below, at and past whole groups of lanes, random
        // heads, all ties, and NaN.
        for (s, k) in [(1, 1), (3, 2), (4, 17), (5, 3), (48, 17), (64, 17)] {
            let p = params(s, k);
            let op = |layout| MoveNetDecode {
                params: p.clone(),
                layout,
            };
            let (last, first) = (op(HeadLayout::ChannelsLast), op(HeadLayout::ChannelsFirst));
            assert!(same_decodes(&last, &first), "S {s} K {k}");
            // A later maximum in the cells past the last whole group wins
            // only when strictly greater; an equal one does not.
            let cells = s * s;
            for bump in [0.0f32, 1e-3] {
                let mut heat = vec![0.5f32; cells * k];
                let zeros = vec![0f32; cells * 2 * k];
                let centre = vec![0.5f32; cells];
                let mut out_l = vec![0f32; 3 * k];
                let mut out_f = out_l.clone();
                // Keypoint k - 1's last cell, channels last and first.
                heat[cells * k - 1] = 0.5 + bump;
                let mut heat_f = vec![0.5f32; cells * k];
                heat_f[cells * k - 1] = 0.5 + bump;
                decode(
                    &p,
                    HeadLayout::ChannelsLast,
                    &heat,
                    &centre,
                    &zeros,
                    &zeros,
                    &mut out_l,
                )
                .unwrap();
                decode(
                    &p,
                    HeadLayout::ChannelsFirst,
                    &heat_f,
                    &centre,
                    &zeros,
                    &zeros,
                    &mut out_f,
                )
                .unwrap();
                assert_eq!(out_l, out_f, "S {s} K {k} bump {bump}");
            }
        }
        // A channels-first op refuses channels-last shapes.
        let first = MoveNetDecode {
            params: params(4, 2),
            layout: HeadLayout::ChannelsFirst,
        };
        let last_shaped = random_heads(&first.params, 5, 0);
        assert!(first
            .run(last_shaped.into_iter().map(|t| t.into_tvalue()).collect())
            .is_err());
    }

    #[test]
    fn both_models_heads_feed_the_decoding_channels_first_with_the_same_output() {
        use crate::pose::dwconv::{replace_depthwise, Isa};
        use crate::pose::pointwise::replace_pointwise;
        for (bytes, s) in [(LIGHTNING, 192), (THUNDER, 256)] {
            let mut typed = decluttered(bytes);
            assert_eq!(replace_decode(&mut typed).unwrap(), 1);
            replace_depthwise(&mut typed, Isa::detect()).unwrap();
            replace_pointwise(&mut typed, Isa::detect()).unwrap();
            let before = typed.clone();
            assert_eq!(heads_channels_first(&mut typed).unwrap(), 1);
            let decodes: Vec<&MoveNetDecode> = typed
                .nodes()
                .iter()
                .filter_map(|n| n.op_as::<MoveNetDecode>())
                .collect();
            assert_eq!(decodes.len(), 1);
            assert_eq!(decodes[0].layout, HeadLayout::ChannelsFirst);
            assert!(!typed
                .nodes()
                .iter()
                .filter_map(|n| n.op_as::<PointwiseConv>())
                .any(|p| p.out_channels_last));
            assert_eq!(heads_channels_first(&mut typed).unwrap(), 0);
            // The same keypoints, bit for bit, on a random image.
            let mut rng = crate::pose::surgery::Rng(11);
            let image: Vec<i32> = (0..s * s * 3)
                .map(|_| ((rng.next() + 1.0) * 127.5) as i32)
                .collect();
            let input = tract_ndarray::Array4::from_shape_vec((1, s, s, 3), image)
                .unwrap()
                .into_tensor();
            let run = |m: TypedModel| {
                let out = m
                    .into_optimized()
                    .unwrap()
                    .into_runnable()
                    .unwrap()
                    .run(tvec!(input.clone().into_tvalue()))
                    .unwrap();
                flat(&out[0].clone().into_tensor())
            };
            let (a, b) = (run(before), run(typed));
            assert!(same_bits(&a, &b), "{a:?}\n{b:?}");
        }
    }

    #[test]
    fn wrong_sizes_are_errors_not_panics() {
        let p = params(4, 2);
        let ok = |n: usize| vec![0f32; n];
        let sizes = |heat: usize, centre: usize, reg: usize, off: usize, out: usize| {
            let layout = HeadLayout::ChannelsLast;
            decode(
                &p,
                layout,
                &ok(heat),
                &ok(centre),
                &ok(reg),
                &ok(off),
                &mut ok(out),
            )
            .is_ok()
        };
        assert!(sizes(32, 16, 64, 64, 6));
        assert!(!sizes(31, 16, 64, 64, 6));
        assert!(!sizes(32, 16, 64, 63, 6));
        assert!(!sizes(32, 16, 64, 64, 5));
        let op = MoveNetDecode {
            params: p,
            layout: HeadLayout::ChannelsLast,
        };
        let wrong: TVec<TValue> = tvec!(
            Tensor::zero::<f32>(&[1, 4, 4, 2]).unwrap().into_tvalue(),
            Tensor::zero::<f32>(&[1, 4, 4, 2]).unwrap().into_tvalue(),
            Tensor::zero::<f32>(&[1, 4, 4, 4]).unwrap().into_tvalue(),
            Tensor::zero::<f32>(&[1, 4, 4, 4]).unwrap().into_tvalue()
        );
        assert!(op.run(wrong).is_err());
    }

    #[test]
    fn both_models_lose_their_tail_to_one_decode_node_with_their_constants() {
        for (bytes, s, scale) in [(LIGHTNING, 48, 0.020828247f32), (THUNDER, 64, f32::NAN)] {
            let mut typed = decluttered(bytes);
            let tail = recognise(&typed).expect("recognised");
            assert_eq!(tail.params.side, s);
            assert_eq!(tail.params.keypoints, 17);
            assert_eq!(tail.params.distance_bias, 1.7998047);
            if !scale.is_nan() {
                assert_eq!(tail.params.scale, [scale, scale]);
            }
            assert_eq!(tail.params.grid_y[s + 3], 1.0);
            assert_eq!(tail.params.grid_x[s + 3], 3.0);
            // Random heads with ties and NaN, through tract's tail and ours.
            let op = MoveNetDecode {
                params: tail.params.clone(),
                layout: HeadLayout::ChannelsLast,
            };
            for variant in 0..3 {
                let heads = random_heads(&op.params, 77 + variant as u64, variant);
                assert!(agrees(&typed, &tail, &op, &[heads]), "variant {variant}");
            }
            assert_eq!(replace_decode(&mut typed).unwrap(), 1);
            let names: Vec<String> = typed
                .nodes()
                .iter()
                .map(|n| n.op.name().to_string())
                .collect();
            assert_eq!(
                names
                    .iter()
                    .filter(|n| *n == "PosturecamMoveNetDecode")
                    .count(),
                1
            );
            assert!(!names
                .iter()
                .any(|n| n == "GatherNd" || n == "Reduce<ArgMax(false)>"));
            assert!(typed.nodes().iter().all(|n| n.op_as::<Reduce>().is_none()));
            assert_eq!(replace_decode(&mut typed).unwrap(), 0);
        }
    }

    #[test]
    fn a_tail_that_decodes_differently_is_left_to_tract() {
        // The same graph, but the offsets gathered for keypoint k are
        // keypoint k + 1's: recognised, then refused by the check.
        let mut typed = decluttered(LIGHTNING);
        let diag = typed
            .nodes()
            .iter()
            .find(|n| {
                n.op_as::<Const>().is_some()
                    && typed
                        .outlet_fact(OutletId::new(n.id, 0))
                        .unwrap()
                        .shape
                        .as_concrete()
                        == Some(&[17, 2][..])
                    && typed
                        .outlet_fact(OutletId::new(n.id, 0))
                        .unwrap()
                        .datum_type
                        == i64::datum_type()
            })
            .unwrap()
            .id;
        let shifted: Vec<i64> = (0..17).flat_map(|k| [k, (k + 1) % 17]).collect();
        let mut patch = TypedModelPatch::default();
        let c = patch
            .add_const(
                "shifted",
                tract_ndarray::Array2::from_shape_vec((17, 2), shifted)
                    .unwrap()
                    .into_tensor(),
            )
            .unwrap();
        patch
            .shunt_outside(&typed, OutletId::new(diag, 0), c)
            .unwrap();
        patch.apply(&mut typed).unwrap();
        typed.compact().unwrap();
        assert!(recognise(&typed).is_some());
        let before = typed.nodes().len();
        assert_eq!(replace_decode(&mut typed).unwrap(), 0);
        assert_eq!(typed.nodes().len(), before);
        // A model that is not MoveNet at all.
        let mut other = TypedModel::default();
        let x = other.add_source("x", f32::fact([1, 1, 17, 3])).unwrap();
        other.select_output_outlets(&[x]).unwrap();
        assert_eq!(replace_decode(&mut other).unwrap(), 0);
    }
}
