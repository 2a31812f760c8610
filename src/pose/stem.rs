//! MoveNet's stem convolution as an op of our own, put in place of tract's
//! by graph surgery at load time (no fork of tract), like
//! [`super::dwconv`] and [`super::pointwise`].
//!
//! Why: the first convolution on the image (3×3, stride 2, 3 → 32
//! channels, bias, ReLU6, channels-last) cost about 1.0 ms of Lightning's
//! 11.5 ms in tract 0.23.9 (`posturecam bench --nodes`): a `Pad` copy of
//! the whole input (0.23 ms), an im2col matrix multiply with only 27
//! values per output pixel (`OptMatMul`, 0.51 ms) and the ReLU6 as a
//! separate `Max`/`Min` pass over the 1.2 MB output (0.24 ms).
//!
//! What: in the decluttered graph this is a `Conv` (group 1, 3×3, dilation
//! 1, stride 1 or 2, a few input channels, NHWC / HWC data) with a
//! constant kernel and bias, its padding explicit or SAME, optionally fed
//! by a constant-zero `Pad` of the spatial axes and followed by a ReLU6
//! (`Max` 0, `Min` 6) or ReLU (`Max` 0). All of that becomes one node with
//! the same output; the padding is implicit zeros.
//!
//! How: a direct convolution. The weights are packed once, at load time,
//! as `[ky][kx][ci][co]` in panels of up to 32 output channels (4 ymm),
//! zero-padded. For each output row the three input rows it reads are
//! copied into a zero-padded scratch (so borders need no special case and
//! each window row is `3·ci` contiguous values); then for each of those
//! `9·ci` values of up to three neighbouring output pixels it broadcasts
//! the value and multiply-adds it into that pixel's output-channel
//! accumulators (AVX2+FMA: 3 pixels × 4 ymm = 12 accumulators). Bias and
//! clamp are applied at the store; a panel with fewer channels than its
//! width stores with a mask; a last panel narrower than 32 channels
//! computes only the vectors it needs. A plain loop runs on other CPUs.
//! AVX-512 CPUs run the AVX2 kernel: it already reaches 84–90 GFLOP/s
//! here, near the ~96 GFLOP/s single-core FMA peak, and the development
//! EPYC splits 512-bit FMAs in two (see [`super::pointwise`]), so no
//! AVX-512 variant was written.
//!
//! Measured (`posturecam bench --model lightning --iterations 40
//! --profile`, run twice each way, alternating with `POSTURECAM_STEM=tract`
//! on the loaded 2-core development machine): Lightning's stem 0.19 ms
//! against tract's 0.76 ms (`Pad` 0.13, its share of `OptMatMul` 0.38–0.41,
//! `Max`/`Min` 0.24), inference 10.8–11.2 ms against 11.7–11.9 ms;
//! Thunder's (256², 3 → 56 channels) 0.55–0.67 ms against 2.25–2.36 ms,
//! inference 39.4–39.9 ms against 40.8–42.8 ms.
//!
//! Every variant is tested against a direct seven-loop reference on random
//! inputs (odd sizes, 1–4 input channels, output channel counts that are
//! not multiples of 8, both strides, several paddings, with and without a
//! clamp), small graphs against tract's own result, and the whole model
//! against onnxruntime in `tests/parity.rs`.

use std::cell::RefCell;
use std::sync::Arc;

use tract_onnx::prelude::*;
use tract_onnx::tract_core::internal::*;
use tract_onnx::tract_core::ops::array::{Pad, PadMode};
use tract_onnx::tract_core::ops::cnn::{Conv, KernelFormat};
use tract_onnx::tract_core::ops::nn::DataFormat;

use super::dwconv::{scalar_successor, Isa};
use super::surgery::{eval_into_new, replace_with, same_bits, same_clamp};

/// The most input channels this op takes; wider convolutions are tract's
/// (its im2col matrix multiply does well once `k = 9·ci` is large).
pub const MAX_INPUT_CHANNELS: usize = 4;

/// Output channels per 8-wide vector, and vectors per panel at most.
const LANES: usize = 8;
const MAX_VECTORS: usize = 4;

/// The shape of one stem convolution, channels last: input `[batch, h, w,
/// ci]`, output `[batch, out_h, out_w, co]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Geometry {
    pub batch: usize,
    pub h: usize,
    pub w: usize,
    pub ci: usize,
    pub co: usize,
    /// 1 or 2, the same on both axes.
    pub stride: usize,
    /// Zero rows above / columns left of the input; every tap outside the
    /// input (after, too) reads zero.
    pub pad_top: usize,
    pub pad_left: usize,
    pub out_h: usize,
    pub out_w: usize,
}

impl Geometry {
    fn check(&self) -> TractResult<()> {
        ensure!(
            self.stride == 1 || self.stride == 2,
            "stride {}",
            self.stride
        );
        ensure!(
            (1..=MAX_INPUT_CHANNELS).contains(&self.ci),
            "{} input channels",
            self.ci
        );
        ensure!(self.co > 0, "no output channels");
        ensure!(
            self.batch > 0 && self.h > 0 && self.w > 0 && self.out_h > 0 && self.out_w > 0,
            "empty geometry {self:?}"
        );
        // Wider padding would make windows of zeros only: left to tract.
        ensure!(self.pad_top <= 2 && self.pad_left <= 2, "padding {self:?}");
        ensure!(
            (self.out_h - 1) * self.stride < self.h + self.pad_top
                && (self.out_w - 1) * self.stride < self.w + self.pad_left,
            "the last window starts outside the input: {self:?}"
        );
        Ok(())
    }

    fn input_len(&self) -> usize {
        self.batch * self.h * self.w * self.ci
    }

    fn output_len(&self) -> usize {
        self.batch * self.out_h * self.out_w * self.co
    }

    /// Width of a padded scratch row, in pixels: every column a window
    /// reads.
    fn padded_w(&self) -> usize {
        (self.out_w - 1) * self.stride + 3
    }
}

/// Weights packed for the kernels, with the bias and the fused clamp.
#[derive(Clone, Debug)]
pub struct Packed {
    pub isa: Isa,
    pub ci: usize,
    pub co: usize,
    /// Vectors of [`LANES`] channels per panel (1–4).
    vectors: usize,
    /// `ceil(co / (vectors · LANES))` panels of `[ky][kx][ci][vectors ·
    /// LANES]`, zero beyond `co`.
    panels: Arc<[f32]>,
    /// `bias[co]`, zero-padded to a whole number of panels.
    bias: Arc<[f32]>,
    /// The clamp of a fused ReLU6 / ReLU, applied after the bias.
    pub clamp: Option<(f32, f32)>,
}

impl PartialEq for Packed {
    fn eq(&self, other: &Self) -> bool {
        self.isa == other.isa
            && self.ci == other.ci
            && self.co == other.co
            && self.vectors == other.vectors
            && same_bits(&self.panels, &other.panels)
            && same_bits(&self.bias, &other.bias)
            && same_clamp(self.clamp, other.clamp)
    }
}
impl Eq for Packed {}

impl Packed {
    /// Packs `weights` given as `[ky][kx][ci][co]` (3×3) and `bias[co]`
    /// (or empty for none).
    pub fn new(
        isa: Isa,
        ci: usize,
        co: usize,
        weights: &[f32],
        bias: &[f32],
        clamp: Option<(f32, f32)>,
    ) -> TractResult<Packed> {
        ensure!(
            (1..=MAX_INPUT_CHANNELS).contains(&ci) && co > 0,
            "{ci} → {co} channels"
        );
        ensure!(weights.len() == 9 * ci * co, "weights length");
        ensure!(bias.is_empty() || bias.len() == co, "bias length");
        if let Some((lo, hi)) = clamp {
            ensure!(lo <= hi, "clamp {lo} > {hi}");
        }
        let vectors = co.div_ceil(LANES).min(MAX_VECTORS);
        let pw = vectors * LANES;
        let n_panels = co.div_ceil(pw);
        let taps = 9 * ci;
        let mut panels = vec![0f32; n_panels * taps * pw];
        for (t, row) in weights.chunks_exact(co).enumerate() {
            for (c, w) in row.iter().enumerate() {
                panels[((c / pw) * taps + t) * pw + c % pw] = *w;
            }
        }
        let mut b = vec![0f32; n_panels * pw];
        b[..bias.len()].copy_from_slice(bias);
        Ok(Packed {
            isa,
            ci,
            co,
            vectors,
            panels: panels.into(),
            bias: b.into(),
            clamp,
        })
    }
}

thread_local! {
    /// The three zero-padded input rows of an output row, reused per thread.
    static ROWS: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
}

/// Runs the convolution of `input` into `output` (both channels last, as
/// `g` says). Errors on inconsistent sizes.
pub fn stem_conv(g: &Geometry, p: &Packed, input: &[f32], output: &mut [f32]) -> TractResult<()> {
    g.check()?;
    ensure!(
        p.ci == g.ci && p.co == g.co,
        "packed for {} → {} channels, geometry {g:?}",
        p.ci,
        p.co
    );
    ensure!(input.len() == g.input_len(), "input length");
    ensure!(output.len() == g.output_len(), "output length");
    let row_len = g.padded_w() * g.ci;
    let (in_img, out_img, out_row) = (g.h * g.w * g.ci, g.out_h * g.out_w * g.co, g.out_w * g.co);
    ROWS.with(|r| {
        let mut rows = r.borrow_mut();
        rows.resize(3 * row_len, 0.0);
        for n in 0..g.batch {
            let src = &input[n * in_img..(n + 1) * in_img];
            for oy in 0..g.out_h {
                fill_rows(g, src, oy, &mut rows);
                let dst = &mut output[n * out_img + oy * out_row..n * out_img + (oy + 1) * out_row];
                match p.isa {
                    Isa::Scalar => row_scalar(g, p, &rows, dst),
                    // SAFETY: these variants are only chosen when the CPU
                    // has AVX2 and FMA (Isa::detect / Isa::available); the
                    // lengths were checked above.
                    #[cfg(target_arch = "x86_64")]
                    Isa::Avx2Fma | Isa::Avx512 => unsafe { avx2::row(g, p, &rows, dst) },
                }
            }
        }
    });
    Ok(())
}

/// The three input rows output row `oy` reads, each zero-padded to
/// [`Geometry::padded_w`] pixels with the input at column `pad_left`.
fn fill_rows(g: &Geometry, src: &[f32], oy: usize, rows: &mut [f32]) {
    let pw = g.padded_w();
    let take = g.w.min(pw.saturating_sub(g.pad_left));
    for (ky, row) in rows.chunks_exact_mut(pw * g.ci).enumerate() {
        match (oy * g.stride + ky)
            .checked_sub(g.pad_top)
            .filter(|y| *y < g.h)
        {
            Some(iy) => {
                let (before, rest) = row.split_at_mut(g.pad_left * g.ci);
                before.fill(0.0);
                let (mid, after) = rest.split_at_mut(take * g.ci);
                mid.copy_from_slice(&src[iy * g.w * g.ci..(iy * g.w + take) * g.ci]);
                after.fill(0.0);
            }
            None => row.fill(0.0),
        }
    }
}

/// One output row, plain code.
fn row_scalar(g: &Geometry, p: &Packed, rows: &[f32], dst: &mut [f32]) {
    let pw = p.vectors * LANES;
    let taps = 9 * g.ci;
    let k3 = 3 * g.ci;
    let row_len = g.padded_w() * g.ci;
    let (lo, hi) = p.clamp.unwrap_or((f32::NEG_INFINITY, f32::INFINITY));
    let mut acc = [0f32; MAX_VECTORS * LANES];
    for (ox, out) in dst.chunks_exact_mut(g.co).enumerate() {
        for (j, out) in out.chunks_mut(pw).enumerate() {
            let acc = &mut acc[..pw];
            acc.copy_from_slice(&p.bias[j * pw..(j + 1) * pw]);
            let panel = &p.panels[j * taps * pw..(j + 1) * taps * pw];
            for ky in 0..3 {
                let start = ky * row_len + ox * g.stride * g.ci;
                let window = &rows[start..start + k3];
                for (t, x) in window.iter().enumerate() {
                    let w = &panel[(ky * k3 + t) * pw..(ky * k3 + t + 1) * pw];
                    for (a, w) in acc.iter_mut().zip(w) {
                        *a += w * x;
                    }
                }
            }
            for (o, a) in out.iter_mut().zip(acc.iter()) {
                *o = a.max(lo).min(hi);
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use super::*;
    use std::arch::x86_64::*;

    /// One output row, panel by panel.
    ///
    /// # Safety
    /// The CPU must have AVX2 and FMA; `rows` must hold the three padded
    /// rows of `g` and `dst` its `out_w · co` outputs (as `stem_conv`
    /// checks).
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn row(g: &Geometry, p: &Packed, rows: &[f32], dst: &mut [f32]) {
        let pw = p.vectors * LANES;
        let taps = 9 * g.ci;
        let (lo, hi) = p.clamp.unwrap_or((f32::NEG_INFINITY, f32::INFINITY));
        let lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
        for j in 0..g.co.div_ceil(pw) {
            // Lanes of each vector that are real channels.
            let valid = (g.co - j * pw).min(pw);
            let mut masks = [_mm256_set1_epi32(-1); MAX_VECTORS];
            for (v, m) in masks.iter_mut().enumerate() {
                let n = valid.saturating_sub(v * LANES).min(LANES) as i32;
                *m = _mm256_cmpgt_epi32(_mm256_set1_epi32(n), lanes);
            }
            let t = Tile {
                w: p.panels.as_ptr().add(j * taps * pw),
                bias: p.bias.as_ptr().add(j * pw),
                rows: rows.as_ptr(),
                row_len: g.padded_w() * g.ci,
                k3: 3 * g.ci,
                step: g.stride * g.ci,
                ld: pw,
                out: dst.as_mut_ptr().add(j * pw),
                co: g.co,
                clamp: p.clamp.is_some(),
                lo,
                hi,
            };
            // A last panel narrower than the others computes only the
            // vectors that hold channels (e.g. Thunder's 56 = 32 + 24).
            match valid.div_ceil(LANES) {
                1 => row_panel::<1>(&t, g.out_w, valid, &masks),
                2 => row_panel::<2>(&t, g.out_w, valid, &masks),
                3 => row_panel::<3>(&t, g.out_w, valid, &masks),
                _ => row_panel::<4>(&t, g.out_w, valid, &masks),
            }
        }
    }

    /// Pointers and sizes of one panel of one row.
    struct Tile {
        /// The panel's weights, `[9 · ci][ld]`.
        w: *const f32,
        bias: *const f32,
        /// Padded rows, `row_len` apart.
        rows: *const f32,
        row_len: usize,
        /// `3 · ci`: the values of one window row.
        k3: usize,
        /// `stride · ci`: from one pixel's window to the next.
        step: usize,
        /// Floats per tap in the panel (its full width, `vectors · 8`).
        ld: usize,
        /// The panel's first channel of output pixel 0.
        out: *mut f32,
        co: usize,
        clamp: bool,
        lo: f32,
        hi: f32,
    }

    /// One panel of one row: tiles of three pixels, then the one or two
    /// left.
    #[inline(always)]
    unsafe fn row_panel<const NV: usize>(
        t: &Tile,
        out_w: usize,
        valid: usize,
        masks: &[__m256i; MAX_VECTORS],
    ) {
        let full = valid == NV * LANES;
        let mut ox = 0;
        while ox + 3 <= out_w {
            tile::<NV, 3>(t, ox, full, masks);
            ox += 3;
        }
        match out_w - ox {
            2 => tile::<NV, 2>(t, ox, full, masks),
            1 => tile::<NV, 1>(t, ox, full, masks),
            _ => {}
        }
    }

    /// `NP` output pixels from `ox` on, `NV` vectors of channels each.
    #[inline(always)]
    #[allow(clippy::needless_range_loop)] // acc[p][v]: both indices needed
    unsafe fn tile<const NV: usize, const NP: usize>(
        t: &Tile,
        ox: usize,
        full: bool,
        masks: &[__m256i; MAX_VECTORS],
    ) {
        let pw = t.ld;
        let mut acc = [[_mm256_setzero_ps(); NV]; NP];
        for px in acc.iter_mut() {
            for (v, a) in px.iter_mut().enumerate() {
                *a = _mm256_loadu_ps(t.bias.add(v * LANES));
            }
        }
        for ky in 0..3 {
            let src = t.rows.add(ky * t.row_len + ox * t.step);
            let w = t.w.add(ky * t.k3 * pw);
            for k in 0..t.k3 {
                let mut x = [_mm256_setzero_ps(); NP];
                for (p, x) in x.iter_mut().enumerate() {
                    *x = _mm256_broadcast_ss(&*src.add(p * t.step + k));
                }
                for v in 0..NV {
                    let wv = _mm256_loadu_ps(w.add(k * pw + v * LANES));
                    for p in 0..NP {
                        acc[p][v] = _mm256_fmadd_ps(wv, x[p], acc[p][v]);
                    }
                }
            }
        }
        let (lo, hi) = (_mm256_set1_ps(t.lo), _mm256_set1_ps(t.hi));
        for (p, px) in acc.iter().enumerate() {
            let out = t.out.add((ox + p) * t.co);
            for (v, a) in px.iter().enumerate() {
                let mut y = *a;
                if t.clamp {
                    y = _mm256_min_ps(_mm256_max_ps(y, lo), hi);
                }
                if full {
                    _mm256_storeu_ps(out.add(v * LANES), y);
                } else {
                    _mm256_maskstore_ps(out.add(v * LANES), masks[v], y);
                }
            }
        }
    }
}

/// The tract op: input `[n?, h, w, ci]` f32, output `[n?, out_h, out_w,
/// co]` f32.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StemConv {
    pub geometry: Geometry,
    pub params: Packed,
    pub output_shape: TVec<usize>,
}

impl Op for StemConv {
    fn name(&self) -> StaticName {
        "PosturecamStemConv".into()
    }

    fn info(&self) -> TractResult<Vec<String>> {
        Ok(vec![format!(
            "{:?}, clamp {:?}, {:?}",
            self.geometry, self.params.clamp, self.params.isa
        )])
    }

    fn validation(&self) -> Validation {
        Validation::Rounding
    }

    op_as_typed_op!();
}

impl EvalOp for StemConv {
    op_out_of_plan!();

    fn eval(&self, _ctx: &EvalContext, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
        // SAFETY: `stem_conv` writes every element (each channel of each
        // pixel) or returns an error, and then the tensor is dropped.
        unsafe {
            eval_into_new(&inputs, &self.output_shape, |x, y| {
                stem_conv(&self.geometry, &self.params, x, y)
            })
        }
    }
}

impl TypedOp for StemConv {
    fn output_facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
        ensure!(inputs.len() == 1 && inputs[0].datum_type == f32::datum_type());
        Ok(tvec!(f32::fact(&*self.output_shape)))
    }

    as_op!();
}

/// The values of a constant f32 outlet (cast if need be).
fn const_values(model: &TypedModel, outlet: OutletId) -> TractResult<Option<Vec<f32>>> {
    let Some(k) = model.outlet_fact(outlet)?.konst.clone() else {
        return Ok(None);
    };
    let Ok(k) = k.cast_to::<f32>() else {
        return Ok(None);
    };
    let v = k.try_as_plain_ram()?.as_slice::<f32>()?.to_vec();
    Ok(Some(v))
}

/// If `outlet` is made by a constant-zero `Pad` of the spatial axes only
/// (of a channels-last tensor of rank `rank`), that Pad's input and its
/// padding (top, bottom, left, right).
fn zero_pad_before(
    model: &TypedModel,
    outlet: OutletId,
    rank: usize,
) -> TractResult<Option<(OutletId, [usize; 4])>> {
    let node = model.node(outlet.node);
    let Some(pad) = node.op_as::<Pad>() else {
        return Ok(None);
    };
    let PadMode::Constant(value) = &pad.mode else {
        return Ok(None);
    };
    let zero = value.len() == 1
        && value
            .cast_to_scalar::<f32>()
            .is_ok_and(|v| v == 0.0 && v.is_sign_positive());
    if !zero || rank < 3 || pad.pads.len() != rank || node.inputs.len() != 1 {
        return Ok(None);
    }
    // [n?, h, w, c]: only h and w padded.
    let (h, w) = (rank - 3, rank - 2);
    let spatial_only = pad
        .pads
        .iter()
        .enumerate()
        .all(|(i, p)| i == h || i == w || *p == (0, 0));
    if !spatial_only {
        return Ok(None);
    }
    let ([top, bottom], [left, right]) = (
        [pad.pads[h].0, pad.pads[h].1],
        [pad.pads[w].0, pad.pads[w].1],
    );
    Ok(Some((node.inputs[0], [top, bottom, left, right])))
}

/// Which way round a kernel constant holds the 3×3 weights: the index of
/// (co, ci, ky, kx) in it.
fn kernel_index(
    fmt: KernelFormat,
    ci: usize,
    co: usize,
) -> impl Fn(usize, usize, usize, usize) -> usize {
    move |o, i, ky, kx| match fmt {
        KernelFormat::OIHW => ((o * ci + i) * 3 + ky) * 3 + kx,
        KernelFormat::HWIO => ((ky * 3 + kx) * ci + i) * co + o,
        KernelFormat::OHWI => ((o * 3 + ky) * 3 + kx) * ci + i,
    }
}

/// What `node` would become, if it is a stem convolution this module runs:
/// the op, its input (before a folded `Pad`) and the outlet it replaces
/// (the convolution's, or that of the ReLU6 / ReLU after it).
fn plan_for(
    model: &TypedModel,
    node: &TypedNode,
    isa: Isa,
) -> TractResult<Option<(StemConv, OutletId, OutletId)>> {
    let Some(conv) = node.op_as::<Conv>() else {
        return Ok(None);
    };
    let ps = &conv.pool_spec;
    let (ci, co) = (ps.input_channels, ps.output_channels);
    if conv.q_params.is_some()
        || conv.group != 1
        || !(2..=3).contains(&node.inputs.len())
        || !matches!(ps.data_format, DataFormat::NHWC | DataFormat::HWC)
        || ps.kernel_shape.as_slice() != [3, 3]
        || ps.dilations().iter().any(|d| *d != 1)
        || !(1..=MAX_INPUT_CHANNELS).contains(&ci)
        || co == 0
    {
        return Ok(None);
    }
    let strides = ps.strides();
    if strides[0] != strides[1] || !(strides[0] == 1 || strides[0] == 2) {
        return Ok(None);
    }
    let in_fact = model.outlet_fact(node.inputs[0])?;
    if in_fact.datum_type != f32::datum_type() {
        return Ok(None);
    }
    let Some(in_shape) = in_fact.shape.as_concrete().map(|s| s.to_vec()) else {
        return Ok(None);
    };
    let out_fact = model.outlet_fact(OutletId::new(node.id, 0))?;
    let Some(out_shape) = out_fact.shape.as_concrete().map(|s| s.to_vec()) else {
        return Ok(None);
    };
    if out_fact.datum_type != f32::datum_type() {
        return Ok(None);
    }
    let Some(kernel) = const_values(model, node.inputs[1])? else {
        return Ok(None);
    };
    let bias = match node.inputs.get(2) {
        Some(b) => match const_values(model, *b)? {
            Some(b) => b,
            None => return Ok(None),
        },
        None => vec![],
    };
    if kernel.len() != 9 * ci * co || !(bias.is_empty() || bias.len() == 1 || bias.len() == co) {
        return Ok(None);
    }
    let bias = if bias.len() == 1 {
        vec![bias[0]; co]
    } else {
        bias
    };
    let shape = ps.data_format.shape(&in_shape)?;
    let out = ps.data_format.shape(&out_shape)?;
    if *shape.c() != ci || *out.c() != co {
        return Ok(None);
    }
    let (h, w) = (shape.hw_dims()[0], shape.hw_dims()[1]);
    let padding = ps.computed_padding(&[h, w]);
    let (out_h, out_w) = (out.hw_dims()[0], out.hw_dims()[1]);
    if padding[0].convoluted != out_h || padding[1].convoluted != out_w {
        return Ok(None);
    }
    let mut input = node.inputs[0];
    let (mut h0, mut w0) = (h, w);
    let (mut pad_top, mut pad_left) = (padding[0].pad_before, padding[1].pad_before);
    if let Some((before, [top, bottom, left, right])) =
        zero_pad_before(model, input, in_shape.len())?
    {
        if model.outlet_fact(before)?.datum_type == f32::datum_type()
            && top + bottom < h
            && left + right < w
        {
            input = before;
            (h0, w0) = (h - top - bottom, w - left - right);
            pad_top += top;
            pad_left += left;
        }
    }
    let batch = if ps.data_format.has_n() {
        *shape.n().unwrap_or(&1)
    } else {
        1
    };
    let geometry = Geometry {
        batch,
        h: h0,
        w: w0,
        ci,
        co,
        stride: strides[0],
        pad_top,
        pad_left,
        out_h,
        out_w,
    };
    if geometry.check().is_err() {
        return Ok(None);
    }
    // [ky][kx][ci][co]
    let idx = kernel_index(conv.kernel_fmt, ci, co);
    let mut weights = vec![0f32; 9 * ci * co];
    for ky in 0..3 {
        for kx in 0..3 {
            for i in 0..ci {
                for o in 0..co {
                    weights[((ky * 3 + kx) * ci + i) * co + o] = kernel[idx(o, i, ky, kx)];
                }
            }
        }
    }

    // Fold a following ReLU6 (Max then Min with constants) or ReLU (Max).
    let mut replaced = OutletId::new(node.id, 0);
    let mut clamp = None;
    if let Some((max_id, lo)) = scalar_successor(model, node.id, "Max") {
        match scalar_successor(model, max_id, "Min") {
            Some((min_id, hi)) if lo <= hi => {
                clamp = Some((lo, hi));
                replaced = OutletId::new(min_id, 0);
            }
            _ if !lo.is_nan() => {
                clamp = Some((lo, f32::INFINITY));
                replaced = OutletId::new(max_id, 0);
            }
            _ => {}
        }
    }
    let params = Packed::new(isa, ci, co, &weights, &bias, clamp)?;
    let op = StemConv {
        geometry,
        params,
        output_shape: out_shape.into(),
    };
    Ok(Some((op, input, replaced)))
}

/// Puts [`StemConv`] in place of every convolution of a decluttered model
/// that it can run (with a zero `Pad` before it and the ReLU6 / ReLU after
/// it); returns how many it replaced. Anything else is left to tract.
pub fn replace_stem(model: &mut TypedModel, isa: Isa) -> TractResult<usize> {
    let mut count = 0;
    for id in model.eval_order()? {
        let node = model.node(id);
        let Some((op, input, replaced)) = plan_for(model, node, isa)? else {
            continue;
        };
        let name = node.name.clone();
        replace_with(model, name, op, &[input], replaced)?;
        count += 1;
    }
    model.compact()?;
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tract_onnx::tract_core::ops::cnn::{PaddingSpec, PoolSpec};
    use tract_onnx::tract_core::ops::math::{max, min};

    use crate::pose::surgery::Rng;

    /// The direct definition: out[n,y,x,o] = b[o] + Σ w[ky,kx,i,o] ·
    /// in[n, y·s+ky−pt, x·s+kx−pl, i] over taps inside the input, clamped.
    fn reference(
        g: &Geometry,
        weights: &[f32],
        bias: &[f32],
        clamp: Option<(f32, f32)>,
        input: &[f32],
    ) -> Vec<f32> {
        let (lo, hi) = clamp.unwrap_or((f32::NEG_INFINITY, f32::INFINITY));
        let mut out = vec![0f32; g.output_len()];
        for n in 0..g.batch {
            for y in 0..g.out_h {
                for x in 0..g.out_w {
                    for o in 0..g.co {
                        let mut a = bias.get(o).copied().unwrap_or(0.0) as f64;
                        for ky in 0..3 {
                            for kx in 0..3 {
                                let iy = (y * g.stride + ky) as i64 - g.pad_top as i64;
                                let ix = (x * g.stride + kx) as i64 - g.pad_left as i64;
                                if iy < 0 || ix < 0 || iy >= g.h as i64 || ix >= g.w as i64 {
                                    continue;
                                }
                                for i in 0..g.ci {
                                    let px = ((n * g.h + iy as usize) * g.w + ix as usize) * g.ci;
                                    a += weights[((ky * 3 + kx) * g.ci + i) * g.co + o] as f64
                                        * input[px + i] as f64;
                                }
                            }
                        }
                        out[((n * g.out_h + y) * g.out_w + x) * g.co + o] =
                            (a as f32).max(lo).min(hi);
                    }
                }
            }
        }
        out
    }

    fn out_dim(len: usize, stride: usize, before: usize, after: usize) -> usize {
        (len + before + after - 3) / stride + 1
    }

    #[test]
    fn every_variant_matches_the_reference_on_random_inputs() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let mut cases = 0;
        for isa in Isa::available() {
            for (stride, pad_before, pad_after) in [
                (2, 0, 1),
                (2, 1, 1),
                (1, 1, 1),
                (1, 0, 0),
                (2, 0, 0),
                (1, 2, 0),
            ] {
                for (h, w, ci, co, batch) in [
                    (1, 1, 1, 1, 1),
                    (5, 7, 3, 32, 1),
                    (9, 13, 3, 35, 2),
                    (6, 6, 4, 8, 1),
                    (7, 11, 2, 13, 1),
                    (4, 20, 1, 70, 1),
                    (11, 5, 3, 5, 1),
                    (3, 3, 3, 64, 1),
                ] {
                    if h + pad_before + pad_after < 3 || w + pad_before + pad_after < 3 {
                        continue;
                    }
                    let g = Geometry {
                        batch,
                        h,
                        w,
                        ci,
                        co,
                        stride,
                        pad_top: pad_before,
                        pad_left: pad_before,
                        out_h: out_dim(h, stride, pad_before, pad_after),
                        out_w: out_dim(w, stride, pad_before, pad_after),
                    };
                    for clamp in [None, Some((0.0, 0.6)), Some((0.0, f32::INFINITY))] {
                        let weights = rng.vec(9 * ci * co);
                        let bias = if cases % 4 == 3 { vec![] } else { rng.vec(co) };
                        let p = Packed::new(isa, ci, co, &weights, &bias, clamp).unwrap();
                        let input = rng.vec(g.input_len());
                        let want = reference(&g, &weights, &bias, clamp, &input);
                        let mut got = vec![f32::NAN; g.output_len()];
                        stem_conv(&g, &p, &input, &mut got).unwrap();
                        for (i, (a, b)) in got.iter().zip(&want).enumerate() {
                            assert!(
                                (a - b).abs() <= 1e-5,
                                "{isa:?} {g:?} clamp {clamp:?} at {i}: {a} vs {b}"
                            );
                        }
                        cases += 1;
                    }
                }
            }
        }
        assert!(cases >= 100, "{cases} cases");
    }

    #[test]
    fn inconsistent_sizes_are_errors_not_panics() {
        let g = Geometry {
            batch: 1,
            h: 4,
            w: 4,
            ci: 3,
            co: 8,
            stride: 2,
            pad_top: 0,
            pad_left: 0,
            out_h: 2,
            out_w: 2,
        };
        let p = Packed::new(Isa::detect(), 3, 8, &[0.5; 216], &[0.0; 8], None).unwrap();
        let mut out = vec![0.0; 32];
        assert!(stem_conv(&g, &p, &[0.0; 47], &mut out).is_err());
        assert!(stem_conv(&g, &p, &[0.0; 48], &mut out[..31]).is_err());
        let bad = Geometry { stride: 3, ..g };
        assert!(stem_conv(&bad, &p, &[0.0; 48], &mut out).is_err());
        let bad = Geometry { out_h: 9, ..g };
        assert!(stem_conv(&bad, &p, &[0.0; 48], &mut vec![0.0; 144]).is_err());
        let bad = Geometry { co: 9, ..g };
        assert!(stem_conv(&bad, &p, &[0.0; 48], &mut [0.0; 36]).is_err());
        let bad = Geometry { pad_top: 5, ..g };
        assert!(stem_conv(&bad, &p, &[0.0; 48], &mut out).is_err());
        assert!(Packed::new(Isa::Scalar, 5, 8, &[0.0; 360], &[], None).is_err());
        assert!(Packed::new(Isa::Scalar, 3, 0, &[], &[], None).is_err());
        assert!(Packed::new(Isa::Scalar, 3, 8, &[0.0; 215], &[], None).is_err());
        assert!(Packed::new(Isa::Scalar, 3, 8, &[0.0; 216], &[0.0; 7], None).is_err());
        assert!(Packed::new(Isa::Scalar, 3, 8, &[0.0; 216], &[], Some((1.0, 0.0))).is_err());
        assert!(stem_conv(&g, &p, &[0.0; 48], &mut out).is_ok());
        assert!(out.iter().all(|v| *v == 0.0));
    }

    /// One small graph: input `[1, h, w, ci]` → optional zero Pad → Conv →
    /// Max 0 → Min 6.
    fn graph(
        rng: &mut Rng,
        (h, w, ci, co): (usize, usize, usize, usize),
        pads: Option<[(usize, usize); 2]>,
        padding: PaddingSpec,
        stride: usize,
        kernel_fmt: KernelFormat,
    ) -> TypedModel {
        let mut m = TypedModel::default();
        let mut x = m.add_source("x", f32::fact([1, h, w, ci])).unwrap();
        if let Some([ph, pw]) = pads {
            let pad = Pad::new(
                vec![(0, 0), ph, pw, (0, 0)],
                PadMode::Constant(tensor0(0f32).into()),
            );
            x = m.wire_node("pad", pad, &[x]).unwrap()[0];
        }
        let kshape: [usize; 4] = match kernel_fmt {
            KernelFormat::OIHW => [co, ci, 3, 3],
            KernelFormat::HWIO => [3, 3, ci, co],
            KernelFormat::OHWI => [co, 3, 3, ci],
        };
        let k = tract_ndarray::ArrayD::from_shape_vec(&kshape[..], rng.vec(9 * ci * co)).unwrap();
        let k = m.add_const("k", Tensor::from(k)).unwrap();
        let b = m
            .add_const("b", Tensor::from(tract_ndarray::arr1(&rng.vec(co))))
            .unwrap();
        let conv = Conv {
            pool_spec: PoolSpec {
                data_format: DataFormat::NHWC,
                kernel_shape: tvec!(3, 3),
                padding,
                dilations: None,
                strides: Some(tvec!(stride, stride)),
                input_channels: ci,
                output_channels: co,
            },
            kernel_fmt,
            group: 1,
            q_params: None,
        };
        let y = m.wire_node("conv", conv, &[x, k, b]).unwrap()[0];
        let zero = m
            .add_const("zero", tensor0(0f32).broadcast_into_rank(4).unwrap())
            .unwrap();
        let six = m
            .add_const("six", tensor0(6f32).broadcast_into_rank(4).unwrap())
            .unwrap();
        let y = m.wire_node("max", max(), &[y, zero]).unwrap()[0];
        let y = m.wire_node("min", min(), &[y, six]).unwrap()[0];
        m.select_output_outlets(&[y]).unwrap();
        m
    }

    #[test]
    fn small_graphs_give_tracts_result_after_replacement() {
        let mut rng = Rng(0x1234_5678_9ABC_DEF1);
        type Case = (
            (usize, usize, usize, usize),
            Option<[(usize, usize); 2]>,
            PaddingSpec,
            usize,
            KernelFormat,
        );
        let cases: Vec<Case> = vec![
            // MoveNet's stem: explicit (0, 1) padding, stride 2.
            (
                (12, 12, 3, 32),
                None,
                PaddingSpec::Explicit(tvec!(0, 0), tvec!(1, 1)),
                2,
                KernelFormat::OIHW,
            ),
            // The same with the padding as a Pad node before.
            (
                (12, 12, 3, 32),
                Some([(0, 1), (0, 1)]),
                PaddingSpec::Valid,
                2,
                KernelFormat::OIHW,
            ),
            (
                (9, 13, 3, 20),
                Some([(1, 0), (0, 2)]),
                PaddingSpec::Explicit(tvec!(0, 1), tvec!(1, 0)),
                2,
                KernelFormat::HWIO,
            ),
            (
                (7, 10, 4, 5),
                None,
                PaddingSpec::SameUpper,
                1,
                KernelFormat::OHWI,
            ),
            (
                (11, 8, 1, 40),
                None,
                PaddingSpec::SameUpper,
                2,
                KernelFormat::OIHW,
            ),
            (
                (6, 9, 2, 16),
                None,
                PaddingSpec::SameLower,
                2,
                KernelFormat::HWIO,
            ),
            (
                (8, 8, 3, 33),
                None,
                PaddingSpec::Valid,
                1,
                KernelFormat::OIHW,
            ),
        ];
        for (dims, pads, padding, stride, fmt) in cases {
            let what = format!("{dims:?} {pads:?} {padding:?} {stride} {fmt:?}");
            let m = graph(&mut rng, dims, pads, padding, stride, fmt);
            let input: Tensor = tract_ndarray::ArrayD::from_shape_vec(
                &[1, dims.0, dims.1, dims.2][..],
                (0..dims.0 * dims.1 * dims.2)
                    .map(|_| rng.next() * 4.0)
                    .collect(),
            )
            .unwrap()
            .into();
            let want = m
                .clone()
                .into_runnable()
                .unwrap()
                .run(tvec!(input.clone().into()))
                .unwrap();
            for isa in Isa::available() {
                let mut ours = m.clone();
                assert_eq!(replace_stem(&mut ours, isa).unwrap(), 1, "{what}");
                let names: Vec<_> = ours
                    .nodes()
                    .iter()
                    .map(|n| n.op.name().to_string())
                    .collect();
                assert!(
                    !names
                        .iter()
                        .any(|n| ["Conv", "Pad", "Max", "Min"].contains(&n.as_str())),
                    "{what}: {names:?}"
                );
                let got = ours
                    .into_runnable()
                    .unwrap()
                    .run(tvec!(input.clone().into()))
                    .unwrap();
                assert_eq!(got[0].shape(), want[0].shape(), "{what}");
                let (g, w) = (
                    got[0].to_plain_array_view::<f32>().unwrap(),
                    want[0].to_plain_array_view::<f32>().unwrap(),
                );
                for (i, (a, b)) in g.iter().zip(w.iter()).enumerate() {
                    assert!((a - b).abs() <= 1e-4, "{what} {isa:?} at {i}: {a} vs {b}");
                }
            }
        }
    }

    #[test]
    fn graphs_it_does_not_run_are_left_alone() {
        let mut rng = Rng(7);
        // Too many input channels, and a dilation-free but 5-wide input
        // with a non-zero Pad.
        let mut m = graph(
            &mut rng,
            (8, 8, 5, 8),
            None,
            PaddingSpec::SameUpper,
            2,
            KernelFormat::OIHW,
        );
        assert_eq!(replace_stem(&mut m, Isa::detect()).unwrap(), 0);
        let mut m = graph(
            &mut rng,
            (8, 8, 3, 8),
            Some([(1, 1), (1, 1)]),
            PaddingSpec::Valid,
            2,
            KernelFormat::OIHW,
        );
        for n in m.nodes.iter_mut() {
            if let Some(p) = n.op_as_mut::<Pad>() {
                p.mode = PadMode::Edge;
            }
        }
        // The Conv itself is still ours; the Edge Pad stays tract's.
        assert_eq!(replace_stem(&mut m, Isa::detect()).unwrap(), 1);
        assert!(m.nodes().iter().any(|n| n.op.name() == "Pad"));
    }

    #[test]
    fn the_stem_of_both_models_is_replaced_with_its_relu6() {
        for (bytes, name, side, co) in [
            (crate::pose::model::LIGHTNING_ONNX, "lightning", 192, 32),
            (crate::pose::model::THUNDER_ONNX, "thunder", 256, 56),
        ] {
            let mut typed = crate::pose::surgery::decluttered(bytes);
            let count = |m: &TypedModel, what: &str| {
                m.nodes().iter().filter(|n| n.op.name() == what).count()
            };
            let (max_before, min_before) = (count(&typed, "Max"), count(&typed, "Min"));
            assert_eq!(
                replace_stem(&mut typed, Isa::detect()).unwrap(),
                1,
                "{name}"
            );
            let ours: Vec<&StemConv> = typed
                .nodes()
                .iter()
                .filter_map(|n| n.op_as::<StemConv>())
                .collect();
            assert_eq!(ours.len(), 1);
            let g = ours[0].geometry;
            assert_eq!(
                (g.h, g.w, g.ci, g.co, g.stride, g.pad_top, g.pad_left, g.out_h, g.out_w),
                (side, side, 3, co, 2, 0, 0, side / 2, side / 2),
                "{name}"
            );
            assert_eq!(ours[0].params.clamp, Some((0.0, 6.0)));
            assert_eq!(count(&typed, "Max"), max_before - 1);
            assert_eq!(count(&typed, "Min"), min_before - 1);
            assert_eq!(
                replace_stem(&mut typed, Isa::detect()).unwrap(),
                0,
                "{name}"
            );
        }
    }
}
