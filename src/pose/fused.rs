//! An expansion 1×1 convolution and the depthwise 3×3 convolution after it,
//! run strip by strip so that the expanded image never leaves the cache:
//! MobileNetV2's inverted-residual blocks, as MoveNet has them, fused at
//! load time from our own [`PointwiseConv`] and [`DepthwiseConv3x3`] nodes.
//!
//! Why: the expansion multiplies the channels by six at the block's input
//! resolution, so its output is the largest tensor of the block (Thunder's
//! first: 192 channels of 128², 12.6 MB; Lightning's: 96 of 96², 3.5 MB),
//! written to memory by the 1×1 and read back by the depthwise. Both were
//! bound by that traffic (`posturecam bench --nodes`: Thunder's 32 → 192
//! at 56 GFLOP/s, where the same kernel reaches 90–100 on shapes that fit
//! in cache). Fused, Thunder's first block takes 3.3–3.6 ms instead of
//! 4.7–5.1, Lightning's 0.58–0.66 instead of 0.76–0.90 (A/B runs of
//! `bench --nodes` with `POSTURECAM_FUSE=no`). Smaller expanded images
//! gained nothing (they stay in the L3), so only those of at least
//! `MIN_FUSED_BYTES` are fused: one block in Lightning, three in Thunder.
//!
//! What: for each horizontal strip of output rows, the expanded rows its
//! 3×3 windows need are computed by the pointwise kernel into a buffer of
//! at most `STRIP_BYTES` (a share of a 1 MiB L2), then the depthwise
//! kernel reads them from there and writes the strip's output rows. The
//! rows a strip shares with the next (two for stride 1, one for stride 2)
//! are moved to the top of the buffer, not computed again. Both kernels
//! are the unfused ones ([`super::pointwise`], [`super::dwconv`]) applied
//! to sub-ranges, so the result is bit for bit the unfused one.
//!
//! The same idea the other way round, [`DepthwiseProject`]: MoveNet's
//! first depthwise convolution (channels last, after the stem) and the
//! 1×1 projection after it, strip by strip through 256 KB, so that the
//! depthwise output (Thunder: 3.7 MB) stays in L2: Thunder 1.7-1.9 →
//! 1.2-1.4 ms for the pair, Lightning 0.26-0.36 → 0.23-0.26 ms (64 to
//! 256 KB strips measured alike, 512 KB slower).

use std::cell::RefCell;

use tract_onnx::prelude::*;
use tract_onnx::tract_core::internal::*;

use super::dwconv::{depthwise3x3, depthwise_strip, DepthwiseConv3x3, Geometry, Isa, Params};
use super::pointwise::{pointwise_last_span, pointwise_span, Packed, PointwiseConv};
use super::surgery::{eval_into_new, replace_with};

/// The evaluation of a fused op of one f32 input whose `run(x, out)`
/// writes its whole `output_shape`: the same for both ops here.
macro_rules! strip_op_evaluation {
    ($op:ty) => {
        impl EvalOp for $op {
            op_out_of_plan!();

            fn eval(&self, _ctx: &EvalContext, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
                // SAFETY: `run` writes every element (every output row of
                // every channel belongs to one strip) or returns an error.
                unsafe { eval_into_new(&inputs, &self.output_shape, |x, y| self.run(x, y)) }
            }
        }

        impl TypedOp for $op {
            fn output_facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
                ensure!(inputs.len() == 1 && inputs[0].datum_type == f32::datum_type());
                Ok(tvec!(f32::fact(&*self.output_shape)))
            }

            as_op!();
        }
    };
}

/// Bytes of expanded rows per strip (a share of the 1 MB L2; 256 KB gave
/// strips of one or two rows, whose overhead ate the gain, 2 MB was
/// slower on Lightning).
const STRIP_BYTES: usize = 512 * 1024;

/// Only expanded images at least this large are fused: below it the
/// unfused pair was as fast or faster (the tensor stays in the 32 MB L3,
/// and the strips cost their own overhead).
const MIN_FUSED_BYTES: usize = 3 * 1024 * 1024;

thread_local! {
    /// The strip of expanded rows, `[m][cap rows][w]`, reused per thread.
    static EXPANDED: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
    /// The depthwise kernel's own scratch.
    static DW_SCRATCH: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
}

/// The fused op: input `[k, h, w]` (any axes of size 1 around), output the
/// depthwise convolution's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpandDepthwise {
    /// The 1×1 convolution `k → m`, with its bias and clamp.
    pub expand: Packed,
    /// The depthwise convolution of the whole expanded image (batch 1,
    /// channels first, `m` channels).
    pub geometry: Geometry,
    pub params: Params,
    pub isa: Isa,
    pub output_shape: TVec<usize>,
    /// Output rows per strip.
    pub strip_rows: usize,
}

impl ExpandDepthwise {
    pub fn new(
        expand: Packed,
        geometry: Geometry,
        params: Params,
        isa: Isa,
        output_shape: TVec<usize>,
    ) -> TractResult<ExpandDepthwise> {
        let g = &geometry;
        ensure!(
            g.batch == 1 && !g.channels_last && g.channels == expand.m,
            "not a channels-first depthwise convolution of the {} expanded channels: {g:?}",
            expand.m
        );
        ensure!(g.stride == 1 || g.stride == 2, "stride {}", g.stride);
        // Every output row's window starts inside the image, so that each
        // strip has rows of input.
        ensure!(
            g.out_h > 0 && (g.out_h - 1) * g.stride < g.h + g.pad_top && g.pad_top <= 2,
            "windows outside the image: {g:?}"
        );
        ensure!(
            output_shape.iter().product::<usize>() == g.channels * g.out_h * g.out_w,
            "output shape {output_shape:?}"
        );
        let row_bytes = expand.m * g.w * std::mem::size_of::<f32>();
        let rows = (STRIP_BYTES / row_bytes.max(1)).max(3);
        // Output rows whose windows fit in `rows` input rows.
        let strip_rows = (rows - 3) / g.stride + 1;
        Ok(ExpandDepthwise {
            expand,
            geometry,
            params,
            isa,
            output_shape,
            strip_rows,
        })
    }

    /// Input rows a strip of `strip_rows` output rows needs, at most.
    fn cap_rows(&self) -> usize {
        ((self.strip_rows - 1) * self.geometry.stride + 3).min(self.geometry.h)
    }

    /// The whole convolution of `x` (`[k][h][w]`) into `out`.
    pub fn run(&self, x: &[f32], out: &mut [f32]) -> TractResult<()> {
        let g = &self.geometry;
        let (h, w, s, m) = (g.h, g.w, g.stride, self.expand.m);
        ensure!(x.len() == self.expand.k * h * w, "input length");
        ensure!(out.len() == m * g.out_h * g.out_w, "output length");
        ensure!(self.strip_rows > 0, "empty strips");
        let cap = self.cap_rows();
        EXPANDED.with(|e| {
            DW_SCRATCH.with(|d| {
                let (mut e, mut d) = (e.borrow_mut(), d.borrow_mut());
                if e.len() < m * cap * w {
                    e.resize(m * cap * w, 0.0);
                }
                let e = &mut e[..m * cap * w];
                // Expanded rows have_lo .. have_hi are in the buffer, row
                // r at (r - have_lo) of each channel's `cap` rows.
                let (mut have_lo, mut have_hi) = (0, 0);
                let mut oy0 = 0;
                while oy0 < g.out_h {
                    let oy1 = (oy0 + self.strip_rows).min(g.out_h);
                    // The strip's windows cover rows top .. bottom of the
                    // expanded image (padding outside 0 .. h).
                    let top = (oy0 * s) as isize - g.pad_top as isize;
                    let bottom = ((oy1 - 1) * s + 3) as isize - g.pad_top as isize;
                    let lo = top.max(0) as usize;
                    let hi = (bottom.min(h as isize)).max(0) as usize;
                    ensure!(lo < hi && hi - lo <= cap, "strip rows {lo}..{hi} of {cap}");
                    // Rows shared with the previous strip move to the top.
                    let keep = if lo >= have_lo && lo < have_hi {
                        have_hi - lo
                    } else {
                        0
                    };
                    if keep > 0 && lo > have_lo {
                        let from = (lo - have_lo) * w;
                        for c in 0..m {
                            let base = c * cap * w;
                            e.copy_within(base + from..base + from + keep * w, base);
                        }
                    }
                    if hi > lo + keep {
                        let (first, n) = (lo + keep, (hi - lo - keep) * w);
                        pointwise_span(
                            &self.expand,
                            x,
                            h * w,
                            first * w,
                            n,
                            &mut e[keep * w..],
                            cap * w,
                        )?;
                    }
                    (have_lo, have_hi) = (lo, hi);
                    let strip = Geometry {
                        batch: 1,
                        channels: m,
                        h: hi - lo,
                        w,
                        stride: s,
                        pad_top: (lo as isize - top) as usize,
                        pad_left: g.pad_left,
                        out_h: oy1 - oy0,
                        out_w: g.out_w,
                        channels_last: false,
                    };
                    depthwise_strip(
                        self.isa,
                        &strip,
                        &self.params,
                        e,
                        cap * w,
                        out,
                        g.out_h * g.out_w,
                        oy0 * g.out_w,
                        &mut d,
                    )?;
                    oy0 = oy1;
                }
                Ok(())
            })
        })
    }
}

impl Op for ExpandDepthwise {
    fn name(&self) -> StaticName {
        "PosturecamExpandDepthwise".into()
    }

    fn info(&self) -> TractResult<Vec<String>> {
        Ok(vec![format!(
            "{} → {} channels, clamp {:?}; {:?}, clamp {:?}; {} output rows per strip, {:?}",
            self.expand.k,
            self.expand.m,
            self.expand.clamp,
            self.geometry,
            self.params.clamp,
            self.strip_rows,
            self.isa
        )])
    }

    fn validation(&self) -> Validation {
        Validation::Rounding
    }

    op_as_typed_op!();
}

strip_op_evaluation!(ExpandDepthwise);

/// Bytes of depthwise output per strip of [`DepthwiseProject`].
const PROJECT_STRIP_BYTES: usize = 256 * 1024;

thread_local! {
    /// [`DepthwiseProject`]'s strip of depthwise output, reused per thread.
    static DEPTHWISE_ROWS: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
}

/// A channels-last depthwise convolution and the 1×1 convolution after it
/// (MoveNet's first block after the stem), run strip by strip: the
/// depthwise output rows of a strip go to a buffer of `PROJECT_STRIP_BYTES`
/// that stays in L2, and the 1×1 reads them from there and writes its
/// channels-first output rows.
///
/// Why: Thunder's depthwise output is 3.7 MB (56 channels of 128²), written
/// by one op and read back by the next: both ran at memory speed
/// (`bench --nodes`: 0.65-0.74 ms and 0.8-1.1 ms).
///
/// Both kernels are the unfused ones on sub-ranges (the depthwise on the
/// strip's input rows, its padding above and below as the whole image has
/// it), so the result is the unfused one, bit for bit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DepthwiseProject {
    /// The depthwise convolution of the whole image (batch 1, channels
    /// last).
    pub geometry: Geometry,
    pub params: Params,
    pub isa: Isa,
    /// The 1×1 convolution, `geometry.channels` → `project.m`.
    pub project: Packed,
    pub output_shape: TVec<usize>,
    /// Output rows per strip.
    pub strip_rows: usize,
}

impl DepthwiseProject {
    pub fn new(
        geometry: Geometry,
        params: Params,
        isa: Isa,
        project: Packed,
        output_shape: TVec<usize>,
    ) -> TractResult<DepthwiseProject> {
        let g = &geometry;
        ensure!(
            g.batch == 1 && g.channels_last && g.channels == project.k,
            "not a channels-last depthwise convolution of the 1×1's {} channels: {g:?}",
            project.k
        );
        ensure!(
            output_shape.iter().product::<usize>() == project.m * g.out_h * g.out_w,
            "output shape {output_shape:?}"
        );
        let row_bytes = g.out_w * g.channels * std::mem::size_of::<f32>();
        let strip_rows = (PROJECT_STRIP_BYTES / row_bytes.max(1)).clamp(1, g.out_h.max(1));
        Ok(DepthwiseProject {
            geometry,
            params,
            isa,
            project,
            output_shape,
            strip_rows,
        })
    }

    /// The whole pair on `x` (`[h][w][c]`) into `out` (`[m][out_h][out_w]`).
    pub fn run(&self, x: &[f32], out: &mut [f32]) -> TractResult<()> {
        let g = &self.geometry;
        let (h, w, c, s) = (g.h, g.w, g.channels, g.stride);
        let plane = g.out_h * g.out_w;
        ensure!(x.len() == h * w * c, "input length");
        ensure!(out.len() == self.project.m * plane, "output length");
        ensure!(self.strip_rows > 0, "empty strips");
        DEPTHWISE_ROWS.with(|b| {
            let mut buf = b.borrow_mut();
            let cap = self.strip_rows * g.out_w * c;
            if buf.len() < cap {
                buf.resize(cap, 0.0);
            }
            let mut oy0 = 0;
            while oy0 < g.out_h {
                let oy1 = (oy0 + self.strip_rows).min(g.out_h);
                // The input rows the strip's windows cover (padding
                // outside 0 .. h).
                let top = (oy0 * s) as isize - g.pad_top as isize;
                let bottom = ((oy1 - 1) * s + 3) as isize - g.pad_top as isize;
                let lo = top.max(0) as usize;
                let hi = (bottom.min(h as isize)).max(0) as usize;
                ensure!(lo < hi, "strip rows {lo}..{hi}");
                let strip = Geometry {
                    h: hi - lo,
                    pad_top: (lo as isize - top) as usize,
                    out_h: oy1 - oy0,
                    ..*g
                };
                let n = (oy1 - oy0) * g.out_w;
                let rows = &mut buf[..n * c];
                depthwise3x3(
                    self.isa,
                    &strip,
                    &self.params,
                    &x[lo * w * c..hi * w * c],
                    rows,
                )?;
                pointwise_last_span(&self.project, rows, n, &mut out[oy0 * g.out_w..], plane)?;
                oy0 = oy1;
            }
            Ok(())
        })
    }
}

impl Op for DepthwiseProject {
    fn name(&self) -> StaticName {
        "PosturecamDepthwiseProject".into()
    }

    fn info(&self) -> TractResult<Vec<String>> {
        Ok(vec![format!(
            "{:?}, clamp {:?}; {} → {} channels, clamp {:?}; {} output rows per strip, {:?}",
            self.geometry,
            self.params.clamp,
            self.project.k,
            self.project.m,
            self.project.clamp,
            self.strip_rows,
            self.isa
        )])
    }

    fn validation(&self) -> Validation {
        Validation::Rounding
    }

    op_as_typed_op!();
}

strip_op_evaluation!(DepthwiseProject);

/// Puts [`DepthwiseProject`] in place of every channels-last
/// [`DepthwiseConv3x3`] (one image) whose only successor is a
/// [`PointwiseConv`] reading it channels-last with no residual and
/// writing channels first; returns how many pairs it fused.
pub fn fuse_depthwise_project(model: &mut TypedModel) -> TractResult<usize> {
    fuse_pairs(model, |node, next| {
        let dw = node.op_as::<DepthwiseConv3x3>()?;
        let pw = next.op_as::<PointwiseConv>()?;
        let g = dw.geometry;
        if !g.channels_last || pw.residual || !pw.in_channels_last || pw.out_channels_last {
            return None;
        }
        if pw.pixels != g.out_h * g.out_w {
            return None;
        }
        DepthwiseProject::new(
            g,
            dw.params.clone(),
            dw.isa,
            pw.params.clone(),
            pw.output_shape.clone(),
        )
        .ok()
    })
}

/// Every node that is not an output and has a single successor, with
/// which `fuse` makes one op: that op in place of the two (reading the
/// first one's input); returns how many pairs it fused.
fn fuse_pairs<O: Into<Box<dyn TypedOp>>>(
    model: &mut TypedModel,
    fuse: impl Fn(&TypedNode, &TypedNode) -> Option<O>,
) -> TractResult<usize> {
    let mut count = 0;
    for id in model.eval_order()? {
        if model.outputs.iter().any(|o| o.node == id) {
            continue;
        }
        let node = model.node(id);
        let Some(next) = model.single_succ(id)? else {
            continue;
        };
        let Some(op) = fuse(node, next) else {
            continue;
        };
        let (input, replaced, name) =
            (node.inputs[0], OutletId::new(next.id, 0), next.name.clone());
        replace_with(model, name, op, &[input], replaced)?;
        count += 1;
    }
    model.compact()?;
    Ok(count)
}

/// Puts [`ExpandDepthwise`] in place of every [`PointwiseConv`] (channels
/// first, no residual) whose only successor is a [`DepthwiseConv3x3`] of
/// one channels-first image, when the expanded image is at least
/// `MIN_FUSED_BYTES`; returns how many pairs it fused.
pub fn fuse_expand_depthwise(model: &mut TypedModel) -> TractResult<usize> {
    fuse_pairs(model, |node, next| {
        let pw = node.op_as::<PointwiseConv>()?;
        let dw = next.op_as::<DepthwiseConv3x3>()?;
        if pw.residual || pw.in_channels_last || pw.out_channels_last {
            return None;
        }
        let g = dw.geometry;
        if g.h * g.w != pw.pixels || g.channels != pw.params.m {
            return None;
        }
        if g.channels * g.h * g.w * std::mem::size_of::<f32>() < MIN_FUSED_BYTES {
            return None;
        }
        ExpandDepthwise::new(
            pw.params.clone(),
            g,
            dw.params.clone(),
            dw.isa,
            dw.output_shape.clone(),
        )
        .ok()
    })
}

#[cfg(test)]
mod tests {
    use super::super::pointwise::{pointwise, pointwise_from};
    use super::*;

    use crate::pose::surgery::{same_bits, Rng};

    /// One image of `c` channels, `h × w`, the same padding `pad` above and
    /// left, `after` below and right.
    fn geometry(
        c: usize,
        (h, w): (usize, usize),
        stride: usize,
        (pad, after): (usize, usize),
        channels_last: bool,
    ) -> Geometry {
        Geometry {
            batch: 1,
            channels: c,
            h,
            w,
            stride,
            pad_top: pad,
            pad_left: pad,
            out_h: (h + pad + after - 3) / stride + 1,
            out_w: (w + pad + after - 3) / stride + 1,
            channels_last,
        }
    }

    #[test]
    fn strips_give_the_unfused_result_bit_for_bit() {
        let mut rng = Rng(0x2545_F491_4F6C_DD1D);
        let mut cases = 0;
        for isa in Isa::available() {
            // (k, m, h, w, stride, pad_top/left, pad after): MoveNet's SAME
            // paddings (1,1 for stride 1; 0,1 for stride 2 on even sizes),
            // odd sizes, widths on and off the vector width.
            for (k, m, h, w, stride, pad, after) in [
                (3, 8, 9, 11, 1, 1, 1),
                (4, 12, 10, 16, 2, 0, 1),
                (5, 6, 13, 7, 2, 1, 1),
                (2, 17, 6, 24, 1, 0, 0),
                (16, 24, 12, 12, 2, 0, 1),
            ] {
                let g = geometry(m, (h, w), stride, (pad, after), false);
                let (out_h, out_w) = (g.out_h, g.out_w);
                let expand =
                    Packed::new(isa, m, k, &rng.vec(m * k), &rng.vec(m), Some((0.0, 0.5))).unwrap();
                let params = Params {
                    weights: rng.vec(9 * m).into(),
                    bias: rng.vec(m).into(),
                    clamp: Some((0.0, 0.6)),
                };
                let x = rng.vec(k * h * w);
                // Unfused: the whole expanded image, then the depthwise.
                let mut e = vec![0f32; m * h * w];
                pointwise(&expand, h * w, &x, None, &mut e).unwrap();
                let mut want = vec![0f32; m * out_h * out_w];
                depthwise3x3(isa, &g, &params, &e, &mut want).unwrap();
                let mut op =
                    ExpandDepthwise::new(expand, g, params, isa, tvec![m, out_h, out_w]).unwrap();
                // One strip (what these small images get), then strips of
                // one, two and three output rows.
                for strip_rows in [op.strip_rows, 1, 2, 3] {
                    op.strip_rows = strip_rows;
                    let mut got = vec![f32::NAN; want.len()];
                    op.run(&x, &mut got).unwrap();
                    for (i, (a, b)) in got.iter().zip(&want).enumerate() {
                        assert_eq!(
                            a.to_bits(),
                            b.to_bits(),
                            "{isa:?} {g:?} strips of {strip_rows} at {i}: {a} vs {b}"
                        );
                    }
                    cases += 1;
                }
            }
        }
        assert!(cases >= 20, "{cases}");
    }

    #[test]
    fn bad_shapes_are_errors_not_panics() {
        let isa = Isa::Scalar;
        let expand = Packed::new(isa, 4, 2, &[0.5; 8], &[], None).unwrap();
        let params = Params {
            weights: vec![0.1; 36].into(),
            bias: vec![0.0; 4].into(),
            clamp: None,
        };
        let g = Geometry {
            batch: 1,
            channels: 4,
            h: 5,
            w: 5,
            stride: 1,
            pad_top: 1,
            pad_left: 1,
            out_h: 5,
            out_w: 5,
            channels_last: false,
        };
        let op =
            ExpandDepthwise::new(expand.clone(), g, params.clone(), isa, tvec![4, 5, 5]).unwrap();
        let mut out = vec![0f32; 100];
        assert!(op.run(&[0.0; 49], &mut out).is_err());
        assert!(op.run(&[0.0; 50], &mut out[..99]).is_err());
        assert!(op.run(&[0.0; 50], &mut out).is_ok());
        // Channels that disagree, channels-last, a wrong output shape.
        let wrong = Geometry { channels: 5, ..g };
        assert!(
            ExpandDepthwise::new(expand.clone(), wrong, params.clone(), isa, tvec![125]).is_err()
        );
        let last = Geometry {
            channels_last: true,
            ..g
        };
        assert!(
            ExpandDepthwise::new(expand.clone(), last, params.clone(), isa, tvec![100]).is_err()
        );
        assert!(ExpandDepthwise::new(expand, g, params, isa, tvec![99]).is_err());
    }

    #[test]
    fn depthwise_project_strips_give_the_unfused_result_bit_for_bit() {
        let mut rng = Rng(0x00DD_BA11);
        let mut cases = 0;
        for isa in Isa::available() {
            // (c, m, h, w, stride, pad before, pad after): MoveNet's first
            // (stride 1, "same"), stride 2, no padding, channels on and off
            // the vector width, widths on and off the 8 pixels of the
            // depthwise kernel's fast path.
            for (c, m, h, w, stride, pad, after) in [
                (16, 8, 9, 20, 1, 1, 1),
                (8, 6, 7, 11, 2, 0, 1),
                (24, 17, 6, 9, 1, 0, 0),
                (5, 7, 8, 13, 1, 1, 1),
                (32, 16, 12, 12, 2, 1, 1),
            ] {
                let g = geometry(c, (h, w), stride, (pad, after), true);
                let (out_h, out_w) = (g.out_h, g.out_w);
                let params = Params {
                    weights: rng.vec(9 * c).into(),
                    bias: rng.vec(c).into(),
                    clamp: Some((0.0, 0.6)),
                };
                let project = Packed::new(isa, m, c, &rng.vec(m * c), &rng.vec(m), None).unwrap();
                let x = rng.vec(h * w * c);
                // Unfused: the whole depthwise output, then the 1×1.
                let n = out_h * out_w;
                let mut d = vec![0f32; n * c];
                depthwise3x3(isa, &g, &params, &x, &mut d).unwrap();
                let mut want = vec![0f32; m * n];
                pointwise_from(&project, n, &d, true, None, &mut want).unwrap();
                let mut op =
                    DepthwiseProject::new(g, params, isa, project, tvec![1, m, out_h, out_w])
                        .unwrap();
                for strip_rows in [op.strip_rows, 1, 2, 3] {
                    op.strip_rows = strip_rows;
                    let mut got = vec![f32::NAN; want.len()];
                    op.run(&x, &mut got).unwrap();
                    assert!(
                        same_bits(&got, &want),
                        "{isa:?} {g:?} strips of {strip_rows}"
                    );
                    cases += 1;
                }
            }
        }
        assert!(cases >= 20, "{cases}");
        // Sizes that do not fit are errors.
        let g = Geometry {
            batch: 1,
            channels: 4,
            h: 5,
            w: 5,
            stride: 1,
            pad_top: 1,
            pad_left: 1,
            out_h: 5,
            out_w: 5,
            channels_last: true,
        };
        let params = Params {
            weights: vec![0.1; 36].into(),
            bias: vec![0.0; 4].into(),
            clamp: None,
        };
        let isa = Isa::Scalar;
        let project = Packed::new(isa, 3, 4, &[0.5; 12], &[], None).unwrap();
        let op = DepthwiseProject::new(g, params.clone(), isa, project.clone(), tvec![75]).unwrap();
        let mut out = vec![0f32; 75];
        assert!(op.run(&[0.0; 99], &mut out).is_err());
        assert!(op.run(&[0.0; 100], &mut out[..74]).is_err());
        assert!(op.run(&[0.0; 100], &mut out).is_ok());
        let first = Geometry {
            channels_last: false,
            ..g
        };
        assert!(
            DepthwiseProject::new(first, params.clone(), isa, project.clone(), tvec![75]).is_err()
        );
        assert!(DepthwiseProject::new(g, params, isa, project, tvec![76]).is_err());
    }

    #[test]
    fn the_large_expansions_of_both_models_are_fused() {
        // Lightning: 96 channels of 96² (3.4 MiB); Thunder: 192 of 128²
        // (12 MiB) and twice 240 of 64² (3.75 MiB). The other 15 / 13
        // expansions are smaller and stay apart.
        for (bytes, name, want) in [
            (crate::pose::model::LIGHTNING_ONNX, "lightning", 1),
            (crate::pose::model::THUNDER_ONNX, "thunder", 3),
        ] {
            let mut typed = crate::pose::surgery::decluttered(bytes);
            let isa = Isa::detect();
            super::super::dwconv::replace_depthwise(&mut typed, isa).unwrap();
            super::super::pointwise::replace_pointwise(&mut typed, isa).unwrap();
            let count = |m: &TypedModel, what: &str| {
                m.nodes().iter().filter(|n| n.op.name() == what).count()
            };
            let (dw, pw) = (
                count(&typed, "PosturecamDepthwise3x3"),
                count(&typed, "PosturecamPointwise"),
            );
            let fused = fuse_expand_depthwise(&mut typed).unwrap();
            assert_eq!(fused, want, "{name}");
            assert_eq!(count(&typed, "PosturecamExpandDepthwise"), fused);
            assert_eq!(count(&typed, "PosturecamDepthwise3x3"), dw - fused);
            assert_eq!(count(&typed, "PosturecamPointwise"), pw - fused);
            // And the first depthwise (channels-last, after the stem) with
            // the 1×1 after it.
            assert_eq!(fuse_depthwise_project(&mut typed).unwrap(), 1, "{name}");
            assert_eq!(count(&typed, "PosturecamDepthwiseProject"), 1);
            assert_eq!(count(&typed, "PosturecamDepthwise3x3"), dw - fused - 1);
            assert_eq!(count(&typed, "PosturecamPointwise"), pw - fused - 1);
            assert!(!typed
                .nodes()
                .iter()
                .filter_map(|n| n.op_as::<PointwiseConv>())
                .any(|p| p.in_channels_last));
            assert_eq!(fuse_depthwise_project(&mut typed).unwrap(), 0);
        }
    }
}
