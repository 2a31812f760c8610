//! A depthwise 3×3 convolution of our own, for the MobileNetV2 blocks of
//! MoveNet, put in place of tract's `DepthWiseConv` by graph surgery at
//! load time (no fork of tract).
//!
//! Why: tract 0.23.9 runs MoveNet Lightning's 24 depthwise convolutions at
//! 0.9–3 GFLOP/s, a third of the whole inference (its own profiler, issue
//! 6). These convolutions are all 3×3, dilation 1, stride 1 or 2, one
//! filter per channel, each followed by a ReLU6 (Max 0, Min 6), in the
//! channels-first layout tract chooses for most of them.
//!
//! How: each channel's plane is copied once into a zero-padded scratch
//! plane (for stride 2, split into its even and odd columns), so that
//! every tap of the 3×3 window is an unaligned vector load from it. With
//! AVX2+FMA (explicit intrinsics, `simd`) each output row is then computed
//! four 8-wide vectors at a time, the nine taps multiply-added in
//! registers, bias and ReLU6 clamp applied, and stored straight into the
//! output; channels-last planes (NHWC, HWC; MoveNet's first depthwise
//! convolution) are vectorised across channels instead, two pixels at a
//! time. On AVX-512 CPUs the same code is compiled with AVX-512VL, for its
//! 32 registers. Without AVX2, a plain version that the compiler
//! vectorises (nine long multiply-adds over the scratch plane) runs.
//! The explicit kernels took Lightning's 24 from 3.0 to about 2.0 ms (`bench
//! --nodes`; e.g. 144 channels of 48² from 0.22 to 0.15 ms, 960 of 6² from
//! 0.15 to 0.08 ms, the channels-last 32 of 96² from 0.36 to 0.22 ms).
//! Small planes (stride 1, up to 32², all but the first and last plane)
//! skip the scratch copy: they are read in place as one flat row, the
//! taps that fall in the padding masked to zero (`simd::small_planes`),
//! (`bench --nodes`, per node: Lightning's 384 channels of 12² from 0.067
//! to 0.031 ms, 960 of 6² from 0.079 to 0.023; Thunder's 672 of 16² from
//! 0.156 to 0.086, 1680 of 8² from 0.18 to 0.056), bit for bit the same
//! result. Stride-2 planes with their
//! padding after (all of MoveNet's) are read in place too, each row's even
//! and odd columns split by shuffles in registers (`simd::stride2_row`):
//! Lightning's 12² → 6² from 0.095 to 0.021 ms, Thunder's first fused
//! block from 3.4 to 2.7 ms. Larger stride-1 planes are read in place
//! row by row (`simd::stride1_row`), the padding lanes masked: Thunder's
//! 24 channels of 64² from 0.047 to 0.037 ms each. In all, the depthwise
//! nodes not fused with a 1×1 took 1.43 → 0.70–0.78 ms on Lightning (22
//! nodes) and 2.63 → 1.35–1.58 ms on Thunder (20 nodes).
//!
//! Every path is tested against a direct six-loop reference on random
//! inputs (odd sizes, both strides, both paddings, both layouts), and the
//! whole model against onnxruntime in `tests/parity.rs`.

use std::cell::RefCell;
use std::sync::Arc;

use tract_onnx::prelude::*;
use tract_onnx::tract_core::internal::*;
use tract_onnx::tract_core::ops::cnn::{Conv, KernelFormat};
use tract_onnx::tract_core::ops::nn::DataFormat;

use super::surgery::{eval_into_new, replace_with, same_bits, same_clamp};

/// The shape of one depthwise 3×3 convolution over a batch of `c` planes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Geometry {
    pub batch: usize,
    pub channels: usize,
    pub h: usize,
    pub w: usize,
    /// 1 or 2, the same on both axes.
    pub stride: usize,
    /// Zero rows above / columns left of the input; the padding after is
    /// whatever completes `out_h` × `out_w`.
    pub pad_top: usize,
    pub pad_left: usize,
    pub out_h: usize,
    pub out_w: usize,
    /// NCHW / CHW (false) or NHWC / HWC (true).
    pub channels_last: bool,
}

impl Geometry {
    fn check(&self) -> TractResult<()> {
        ensure!(
            self.stride == 1 || self.stride == 2,
            "stride {}",
            self.stride
        );
        ensure!(self.pad_top <= 2 && self.pad_left <= 2, "padding {self:?}");
        ensure!(self.out_h > 0 && self.out_w > 0 && self.h > 0 && self.w > 0);
        // The last window must start inside the padded input.
        ensure!((self.out_h - 1) * self.stride <= self.h + self.pad_top + 2);
        ensure!((self.out_w - 1) * self.stride <= self.w + self.pad_left + 2);
        Ok(())
    }

    fn input_len(&self) -> usize {
        self.batch * self.channels * self.h * self.w
    }

    fn output_len(&self) -> usize {
        self.batch * self.channels * self.out_h * self.out_w
    }
}

/// Weights `[c][9]` (row-major 3×3 per channel), bias `[c]`, and the clamp
/// of a fused ReLU6 (or none).
#[derive(Clone, Debug)]
pub struct Params {
    pub weights: Arc<[f32]>,
    pub bias: Arc<[f32]>,
    pub clamp: Option<(f32, f32)>,
}

impl PartialEq for Params {
    fn eq(&self, other: &Self) -> bool {
        same_bits(&self.weights, &other.weights)
            && same_bits(&self.bias, &other.bias)
            && same_clamp(self.clamp, other.clamp)
    }
}
impl Eq for Params {}

/// Which compiled copy of the kernels to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Isa {
    Scalar,
    #[cfg(target_arch = "x86_64")]
    Avx2Fma,
    #[cfg(target_arch = "x86_64")]
    Avx512,
}

impl Isa {
    /// The best this CPU can run.
    pub fn detect() -> Isa {
        #[cfg(target_arch = "x86_64")]
        {
            if is_x86_feature_detected!("avx512f")
                && is_x86_feature_detected!("avx512vl")
                && is_x86_feature_detected!("avx2")
                && is_x86_feature_detected!("fma")
            {
                return Isa::Avx512;
            }
            if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
                return Isa::Avx2Fma;
            }
        }
        Isa::Scalar
    }

    /// Every variant this CPU can run (for tests).
    pub fn available() -> Vec<Isa> {
        #[allow(unused_mut)]
        let mut v = vec![Isa::Scalar];
        #[cfg(target_arch = "x86_64")]
        {
            if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
                v.push(Isa::Avx2Fma);
            }
            if Isa::detect() == Isa::Avx512 {
                v.push(Isa::Avx512);
            }
        }
        v
    }
}

thread_local! {
    /// Padded planes, reused from call to call on each thread.
    static SCRATCH: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
}

/// Runs the convolution of `input` into `output` (both in the layout
/// `g` says) with the given kernel variant. Errors on inconsistent sizes.
pub fn depthwise3x3(
    isa: Isa,
    g: &Geometry,
    p: &Params,
    input: &[f32],
    output: &mut [f32],
) -> TractResult<()> {
    g.check()?;
    ensure!(input.len() == g.input_len(), "input length");
    ensure!(output.len() == g.output_len(), "output length");
    ensure!(p.weights.len() == g.channels * 9 && p.bias.len() == g.channels);
    SCRATCH.with(|s| {
        let mut scratch = s.borrow_mut();
        match isa {
            Isa::Scalar => run::<false>(g, p, input, output, &mut scratch),
            // SAFETY: these variants are only chosen when the CPU has the
            // features (Isa::detect / Isa::available).
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2Fma => unsafe { run_avx2(g, p, input, output, &mut scratch) },
            #[cfg(target_arch = "x86_64")]
            Isa::Avx512 => unsafe { run_avx512(g, p, input, output, &mut scratch) },
        }
    });
    Ok(())
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn run_avx2(g: &Geometry, p: &Params, i: &[f32], o: &mut [f32], s: &mut Vec<f32>) {
    run_simd(g, p, i, o, s)
}

/// The same AVX2 code, compiled with AVX-512VL so that it has 32 vector
/// registers instead of 16.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512vl,avx2,fma")]
unsafe fn run_avx512(g: &Geometry, p: &Params, i: &[f32], o: &mut [f32], s: &mut Vec<f32>) {
    run_simd(g, p, i, o, s)
}

/// The convolution of a horizontal strip of channels-first planes (batch
/// 1): `g` describes the strip (its `h` input rows, `pad_top` relative to
/// them, its `out_h` output rows), `input` holds its `g.channels` planes
/// of `g.h × g.w`, `in_plane` apart; output row `y` of channel `c` goes to `output[c *
/// out_plane + out_offset + y * g.out_w ..]` (`out_plane` ≥ the strip's
/// rows). The strips of a plane must be computed top to bottom.
#[allow(clippy::too_many_arguments)]
pub(crate) fn depthwise_strip(
    isa: Isa,
    g: &Geometry,
    p: &Params,
    input: &[f32],
    in_plane: usize,
    output: &mut [f32],
    out_plane: usize,
    out_offset: usize,
    scratch: &mut Vec<f32>,
) -> TractResult<()> {
    g.check()?;
    ensure!(
        g.batch == 1 && !g.channels_last,
        "strips are of one channels-first image"
    );
    ensure!(
        in_plane >= g.h * g.w && input.len() >= (g.channels - 1) * in_plane + g.h * g.w,
        "input length"
    );
    ensure!(p.weights.len() == g.channels * 9 && p.bias.len() == g.channels);
    let strip = g.out_h * g.out_w;
    ensure!(
        out_plane >= strip
            && out_offset + strip <= out_plane
            && output.len() >= (g.channels - 1) * out_plane + out_offset + strip,
        "output too small for the strip"
    );
    match isa {
        // SAFETY: chosen only when the CPU has the features; the sizes
        // were checked above.
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2Fma | Isa::Avx512 => unsafe {
            strip_avx2(
                g, p, input, in_plane, output, out_plane, out_offset, scratch,
            )
        },
        _ => {
            // Contiguous planes in and out, then the rows moved into place.
            let hw = g.h * g.w;
            let mut contiguous = vec![0f32; g.input_len()];
            for (c, dst) in contiguous.chunks_exact_mut(hw).enumerate() {
                dst.copy_from_slice(&input[c * in_plane..c * in_plane + hw]);
            }
            let mut planes = vec![0f32; g.output_len()];
            run::<false>(g, p, &contiguous, &mut planes, scratch);
            for (c, plane) in planes.chunks_exact(strip).enumerate() {
                let at = c * out_plane + out_offset;
                output[at..at + strip].copy_from_slice(plane);
            }
        }
    }
    Ok(())
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
#[allow(clippy::too_many_arguments)]
unsafe fn strip_avx2(
    g: &Geometry,
    p: &Params,
    input: &[f32],
    in_plane: usize,
    output: &mut [f32],
    out_plane: usize,
    out_offset: usize,
    scratch: &mut Vec<f32>,
) {
    let out = simd::Out {
        ptr: output.as_mut_ptr(),
        len: output.len(),
        plane: out_plane,
        offset: out_offset,
        in_plane,
        // The row after a strip's last one, in the same plane, belongs to
        // the next strip (written later), but after the plane's last row
        // comes the next plane's first, written already.
        last_row_may_spill: false,
    };
    simd::planes(g, p, input, &out, scratch, 0..g.channels, true)
}

/// The explicit AVX2+FMA kernels where they apply, else the compiler's
/// vectorisation of [`run`].
#[cfg(target_arch = "x86_64")]
#[inline(always)]
unsafe fn run_simd(g: &Geometry, p: &Params, i: &[f32], o: &mut [f32], s: &mut Vec<f32>) {
    if !g.channels_last {
        simd::channels_first(g, p, i, o, s)
    } else if g.channels.is_multiple_of(8) {
        simd::channels_last(g, p, i, o, s)
    } else {
        run::<true>(g, p, i, o, s)
    }
}

/// Channels-first planes with explicit AVX2+FMA: each plane is copied
/// once into a zero-padded scratch plane (for stride 2, split into its
/// even and odd columns), then every output row is computed a few 8-wide
/// vectors at a time, the nine taps multiply-added in registers from
/// unaligned loads of the scratch rows, the bias and clamp applied, and
/// the vector stored straight into the output. A row whose width is not a
/// multiple of 8 stores its last vector whole: the extra lanes land on the
/// start of the next row (or plane), which is computed, and overwritten,
/// after it; only the very end of the output goes through a small buffer.
/// No masked stores (microcoded, slow, on AMD's Zen).
#[cfg(target_arch = "x86_64")]
mod simd {
    use super::{Geometry, Params};
    use std::arch::x86_64::*;

    /// Vectors of output computed together in one row: four, two
    /// accumulators each, keep eight FMA chains in flight.
    const GROUP: usize = 4;

    #[inline(always)]
    pub(super) unsafe fn channels_first(
        g: &Geometry,
        p: &Params,
        input: &[f32],
        output: &mut [f32],
        scratch: &mut Vec<f32>,
    ) {
        let out = Out {
            ptr: output.as_mut_ptr(),
            len: output.len(),
            plane: g.out_h * g.out_w,
            offset: 0,
            in_plane: g.h * g.w,
            // The planes are computed in order, so a row may spill into
            // the next plane's first row.
            last_row_may_spill: true,
        };
        let n = g.batch * g.channels;
        if small_planes_apply(g) {
            // The first and the last plane padded as usual: the small-plane
            // kernel reads a row and a vector past each side of a plane.
            planes(g, p, input, &out, scratch, 0..1, true);
            // (Taken out of the thread-local rather than used in a
            // closure: a closure is not compiled with the caller's AVX2.)
            let mut masks = SMALL_MASKS.with(|m| std::mem::take(&mut *m.borrow_mut()));
            small_planes(g, p, input, output, 1..n - 1, &mut masks);
            SMALL_MASKS.with(|m| *m.borrow_mut() = masks);
            planes(g, p, input, &out, scratch, n - 1..n, true);
        } else {
            planes(g, p, input, &out, scratch, 0..n, true);
        }
    }

    /// Planes of at most this many pixels go through [`small_planes`].
    const SMALL_PLANE: usize = 1024;

    thread_local! {
        /// [`small_planes`]' tap masks, reused per thread.
        static SMALL_MASKS: std::cell::RefCell<Vec<f32>> = const { std::cell::RefCell::new(Vec::new()) };
    }

    /// Whether [`small_planes`] runs `g`: stride 1, "same" padding,
    /// channels first, small planes, at least three of them, and (so that
    /// its reads past a plane stay in the neighbouring one) `(h - 1) w ≥ 8`.
    #[inline(always)]
    pub(super) fn small_planes_apply(g: &Geometry) -> bool {
        !g.channels_last
            && g.stride == 1
            && (g.pad_top, g.pad_left) == (1, 1)
            && (g.out_h, g.out_w) == (g.h, g.w)
            && g.h * g.w <= SMALL_PLANE
            && (g.h - 1) * g.w >= 8
            && g.batch * g.channels >= 3
    }

    /// The "same" 3×3 convolution of small planes (MoveNet's 6², 8², 12²,
    /// 16², 32²), planes `range` of `input` into `output`, none of them
    /// the first or the last.
    ///
    /// Why: padding each plane into scratch and then working row by row
    /// (as [`planes`] does) costs more than the convolution itself when a
    /// row is one or two vectors: 1.2-2.3 ns per output on these planes
    /// against 0.5 on large ones.
    ///
    /// How: each plane is read in place as one flat row of `h · w`
    /// values, 8 outputs at a time; tap (ky, kx) of the 8 outputs from
    /// flat index `i` is the unaligned vector at `i + (ky - 1) w + kx - 1`,
    /// with its lanes that fall in the padding (across a row's end, above
    /// the first row, below the last) zeroed by a mask computed once per
    /// call for all planes. Those reads reach at most `w + 1` values
    /// before the plane and `w + 8` after it, inside the neighbouring
    /// planes, never outside the input. The taps are summed in the order
    /// of [`vectors`] (even taps onto the bias, odd taps apart, then the
    /// two added), with the padding as zeros, so the result is the same,
    /// bit for bit. The last vector of a plane spills into the next one's
    /// first outputs, written after it.
    #[inline(always)]
    unsafe fn small_planes(
        g: &Geometry,
        p: &Params,
        input: &[f32],
        output: &mut [f32],
        range: std::ops::Range<usize>,
        masks: &mut Vec<f32>,
    ) {
        let (h, w) = (g.h, g.w);
        let hw = h * w;
        let nvec = hw.div_ceil(8);
        // masks[v][tap][lane], the centre tap left out.
        const MASKED: [usize; 8] = [0, 1, 2, 3, 5, 6, 7, 8];
        masks.clear();
        masks.resize(nvec * 8 * 8, 0.0);
        for (m, slot) in masks.iter_mut().enumerate() {
            let (v, t, lane) = (m / 64, m / 8 % 8, m % 8);
            let (i, k) = (8 * v + lane, MASKED[t]);
            let (y, x) = (i / w, i % w);
            let inside = |at: usize, ko: usize, len: usize| at + ko >= 1 && at + ko - 1 < len;
            if i < hw && inside(y, k / 3, h) && inside(x, k % 3, w) {
                *slot = f32::from_bits(u32::MAX);
            }
        }
        let offset: [isize; 9] =
            std::array::from_fn(|k| (k as isize / 3 - 1) * w as isize + (k as isize % 3 - 1));
        let (lo, hi) = p.clamp.unwrap_or((f32::NEG_INFINITY, f32::INFINITY));
        let (lo, hi) = (_mm256_set1_ps(lo), _mm256_set1_ps(hi));
        debug_assert!(range.start >= 1 && range.end < g.batch * g.channels);
        debug_assert!(input.len() >= (range.end + 1) * hw && output.len() >= (range.end + 1) * hw);
        for plane in range {
            let c = plane % g.channels;
            let wk: [__m256; 9] = std::array::from_fn(|k| _mm256_set1_ps(p.weights[c * 9 + k]));
            let bias = _mm256_set1_ps(p.bias[c]);
            let src = input.as_ptr().add(plane * hw);
            let dst = output.as_mut_ptr().add(plane * hw);
            let mut mask = masks.as_ptr();
            for v in 0..nvec {
                let at = src.add(8 * v);
                let mut a = bias;
                let mut b = _mm256_setzero_ps();
                let mut t = 0;
                for k in 0..9 {
                    let mut x = _mm256_loadu_ps(at.offset(offset[k]));
                    if k != 4 {
                        x = _mm256_and_ps(x, _mm256_loadu_ps(mask.add(8 * t)));
                        t += 1;
                    }
                    if k % 2 == 0 {
                        a = _mm256_fmadd_ps(wk[k], x, a);
                    } else {
                        b = _mm256_fmadd_ps(wk[k], x, b);
                    }
                }
                let y = _mm256_min_ps(_mm256_max_ps(_mm256_add_ps(a, b), lo), hi);
                _mm256_storeu_ps(dst.add(8 * v), y);
                mask = mask.add(64);
            }
        }
    }

    /// Where [`planes`] writes: output plane `i` (of `batch × channels`)
    /// row `y` at `ptr + i * plane + offset + y * out_w`, `len` floats in
    /// all from `ptr`.
    pub(super) struct Out {
        pub ptr: *mut f32,
        pub len: usize,
        pub plane: usize,
        pub offset: usize,
        /// Input plane `i` starts at `i * in_plane` (≥ `h × w`).
        pub in_plane: usize,
        /// The last row of each plane's rows may store its whole last
        /// vector (spilling past the row) because what follows it is
        /// written later.
        pub last_row_may_spill: bool,
    }

    /// Planes `range` (of `batch × channels`) of `input` into `o`; with
    /// `in_place`, stride-2 planes are read in place where they can be
    /// (tests compare that with the padded path).
    #[inline(always)]
    pub(super) unsafe fn planes(
        g: &Geometry,
        p: &Params,
        input: &[f32],
        o: &Out,
        scratch: &mut Vec<f32>,
        range: std::ops::Range<usize>,
        in_place: bool,
    ) {
        let (lo, hi) = p.clamp.unwrap_or((f32::NEG_INFINITY, f32::INFINITY));
        let (lo, hi) = (_mm256_set1_ps(lo), _mm256_set1_ps(hi));
        let nvec = g.out_w.div_ceil(8);
        // Stride 1: the padded plane, rows `pw` wide, `out_h + 2` high;
        // tap (ky, kx) of output (y, x) at row y + ky, column x + kx.
        // Stride 2: even / odd columns of the padded plane, rows `pw` wide,
        // `2 out_h + 1` high; tap (ky, kx) at row 2y + ky, column x of the
        // even (kx 0), odd (kx 1) or even shifted by one (kx 2) half.
        let pw = nvec * 8 + 2;
        let rows = if g.stride == 1 {
            g.out_h + 2
        } else {
            2 * g.out_h + 1
        };
        let halves = g.stride;
        let plane_len = halves * rows * pw;
        // Plus a padded input row (stride 2) and a row of output.
        let need = plane_len + 2 * pw + 8 * nvec;
        if scratch.len() < need {
            scratch.resize(need, 0.0);
        }
        let (pad, rest) = scratch.split_at_mut(plane_len);
        let (row_buf, tail_buf) = rest.split_at_mut(2 * pw);
        let (inp, hw) = (o.in_plane, g.h * g.w);
        let (out, out_len) = (o.ptr, o.len);
        let spill_ok = g.out_w.is_multiple_of(8) || o.last_row_may_spill;
        // Stride 2 with no padding before and "same" width: read in place
        // ([`stride2_row`]) where its loads stay inside `input`.
        let s2_in_place = in_place
            && g.stride == 2
            && (g.pad_top, g.pad_left) == (0, 0)
            && g.w.is_multiple_of(2)
            && g.out_w == g.w / 2;
        let s2_last_row = (2 * (g.out_h - 1) + 2).min(g.h - 1);
        let s2_reach = s2_last_row * g.w + 16 * (nvec - 1) + 18;
        // Stride 1 with one column of padding each side: read in place
        // ([`stride1_row`]) where its loads, from one value before the
        // first row it reads to one past its last vector, stay inside.
        let s1_in_place =
            in_place && g.stride == 1 && g.pad_left == 1 && g.out_w == g.w && g.pad_top <= 2;
        let s1_last_row = (g.out_h + 1).saturating_sub(g.pad_top).min(g.h - 1);
        let s1_reach = s1_last_row * g.w + 8 * nvec + 1;
        for plane in range {
            let c = plane % g.channels;
            let src = &input[plane * inp..plane * inp + hw];
            let s2 = s2_in_place && plane * inp + s2_reach <= input.len();
            let s1 = s1_in_place && plane * inp >= 1 && plane * inp + s1_reach <= input.len();
            if !s2 && !s1 {
                fill_padded(g, src, pad, row_buf, pw, rows);
            }
            let w: [__m256; 9] = std::array::from_fn(|k| _mm256_set1_ps(p.weights[c * 9 + k]));
            let bias = _mm256_set1_ps(p.bias[c]);
            let base = pad.as_ptr();
            for y in 0..g.out_h {
                let row_off = plane * o.plane + o.offset + y * g.out_w;
                let direct = row_off + nvec * 8 <= out_len && (spill_ok || y + 1 < g.out_h);
                let dst = if direct {
                    out.add(row_off)
                } else {
                    tail_buf.as_mut_ptr()
                };
                if s2 {
                    let at = input.as_ptr().add(plane * inp);
                    stride2_row(g, at, y, nvec, &w, bias, lo, hi, dst);
                } else if s1 {
                    let at = input.as_ptr().add(plane * inp);
                    stride1_row(g, at, y, nvec, &w, bias, lo, hi, dst);
                } else {
                    // The nine taps' scratch positions for output column 0.
                    let taps: [*const f32; 9] = std::array::from_fn(|k| {
                        let (ky, kx) = (k / 3, k % 3);
                        if g.stride == 1 {
                            base.add((y + ky) * pw + kx)
                        } else {
                            let half = kx % 2;
                            base.add((half * rows + 2 * y + ky) * pw + kx / 2)
                        }
                    });
                    let mut v = 0;
                    while v + GROUP <= nvec {
                        vectors::<GROUP>(&taps, v * 8, &w, bias, lo, hi, dst);
                        v += GROUP;
                    }
                    match nvec - v {
                        0 => {}
                        1 => vectors::<1>(&taps, v * 8, &w, bias, lo, hi, dst),
                        2 => vectors::<2>(&taps, v * 8, &w, bias, lo, hi, dst),
                        _ => vectors::<3>(&taps, v * 8, &w, bias, lo, hi, dst),
                    }
                }
                if !direct {
                    std::ptr::copy_nonoverlapping(tail_buf.as_ptr(), out.add(row_off), g.out_w);
                }
            }
        }
    }

    /// Channels last (`c` a multiple of 8): two output pixels at a time,
    /// up to 32 channels of each, the nine taps multiply-added in
    /// registers; a tap outside the input reads a row of zeros instead, so
    /// the border needs no other case.
    #[inline(always)]
    pub(super) unsafe fn channels_last(
        g: &Geometry,
        p: &Params,
        input: &[f32],
        output: &mut [f32],
        scratch: &mut Vec<f32>,
    ) {
        let c = g.channels;
        let (lo, hi) = p.clamp.unwrap_or((f32::NEG_INFINITY, f32::INFINITY));
        let (lo, hi) = (_mm256_set1_ps(lo), _mm256_set1_ps(hi));
        // Weights per tap, channels contiguous ([9][c]), a row of zeros
        // and an output pixel to throw away.
        if scratch.len() < 11 * c {
            scratch.resize(11 * c, 0.0);
        }
        let (wt, rest) = scratch.split_at_mut(9 * c);
        let (zeros, dummy) = rest.split_at_mut(c);
        for ch in 0..c {
            for k in 0..9 {
                wt[k * c + ch] = p.weights[ch * 9 + k];
            }
        }
        zeros.fill(0.0);
        let (inp, outp) = (g.h * g.w * c, g.out_h * g.out_w * c);
        let tap = |src: *const f32, oy: usize, ox: usize, k: usize| -> *const f32 {
            let iy = (oy * g.stride + k / 3).checked_sub(g.pad_top);
            let ix = (ox * g.stride + k % 3).checked_sub(g.pad_left);
            match (iy, ix) {
                (Some(y), Some(x)) if y < g.h && x < g.w => src.add((y * g.w + x) * c),
                _ => zeros.as_ptr(),
            }
        };
        for n in 0..g.batch {
            let src = input.as_ptr().add(n * inp);
            let dst = output.as_mut_ptr().add(n * outp);
            for oy in 0..g.out_h {
                let mut ox = 0;
                while ox < g.out_w {
                    if g.stride == 1
                        && ox + 8 <= g.out_w
                        && ox >= g.pad_left
                        && ox + 10 <= g.w + g.pad_left
                    {
                        eight_pixels(g, src, oy, ox, wt.as_ptr(), p.bias.as_ptr(), lo, hi, dst);
                        ox += 8;
                        continue;
                    }
                    let t0: [*const f32; 9] = std::array::from_fn(|k| tap(src, oy, ox, k));
                    let o0 = dst.add((oy * g.out_w + ox) * c);
                    let (t1, o1) = if ox + 1 < g.out_w {
                        (
                            std::array::from_fn(|k| tap(src, oy, ox + 1, k)),
                            dst.add((oy * g.out_w + ox + 1) * c),
                        )
                    } else {
                        ([zeros.as_ptr(); 9], dummy.as_mut_ptr())
                    };
                    let mut cv = 0;
                    while cv < c {
                        let b = p.bias.as_ptr().add(cv);
                        let w = wt.as_ptr().add(cv);
                        match ((c - cv) / 8).min(4) {
                            4 => pixel_pair::<4>(&t0, &t1, cv, w, c, b, lo, hi, o0, o1),
                            3 => pixel_pair::<3>(&t0, &t1, cv, w, c, b, lo, hi, o0, o1),
                            2 => pixel_pair::<2>(&t0, &t1, cv, w, c, b, lo, hi, o0, o1),
                            _ => pixel_pair::<1>(&t0, &t1, cv, w, c, b, lo, hi, o0, o1),
                        }
                        cv += 8 * ((c - cv) / 8).min(4);
                    }
                    ox += 2;
                }
            }
        }
    }

    /// Eight output pixels of row `oy` from column `ox`, all channels,
    /// stride 1, every window inside the row (channels last, `c` a
    /// multiple of 8). Each input row's 10 pixels are loaded once and
    /// serve the three taps of every output pixel they meet (pixel `i`
    /// meets pixel `j` as tap `kx = j - i`, so each pixel's taps are
    /// summed in [`pixel_pair`]'s order): 30 loads per 72 FMAs, where a
    /// pair of pixels takes 27 per 18. Lightning's first depthwise
    /// convolution (32 channels of 96²) 0.25 → 0.09-0.19 ms; Thunder's (56
    /// of 128², 3.7 MB each way) stays at 0.65-0.74, bound by memory.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    unsafe fn eight_pixels(
        g: &Geometry,
        src: *const f32,
        oy: usize,
        ox: usize,
        wt: *const f32,
        bias: *const f32,
        lo: __m256,
        hi: __m256,
        dst: *mut f32,
    ) {
        let c = g.channels;
        let rows: [Option<*const f32>; 3] = std::array::from_fn(|ky| {
            (oy + ky)
                .checked_sub(g.pad_top)
                .filter(|&y| y < g.h)
                .map(|y| src.add((y * g.w + ox - g.pad_left) * c))
        });
        let out = dst.add((oy * g.out_w + ox) * c);
        for cv in (0..c).step_by(8) {
            let mut acc = [_mm256_loadu_ps(bias.add(cv)); 8];
            for (ky, row) in rows.iter().enumerate() {
                let wk: [__m256; 3] =
                    std::array::from_fn(|kx| _mm256_loadu_ps(wt.add((3 * ky + kx) * c + cv)));
                for j in 0..10 {
                    let x = match row {
                        Some(r) => _mm256_loadu_ps(r.add(j * c + cv)),
                        None => _mm256_setzero_ps(),
                    };
                    for i in j.saturating_sub(2)..(j + 1).min(8) {
                        acc[i] = _mm256_fmadd_ps(wk[j - i], x, acc[i]);
                    }
                }
            }
            for (i, a) in acc.iter().enumerate() {
                let y = _mm256_min_ps(_mm256_max_ps(*a, lo), hi);
                _mm256_storeu_ps(out.add(i * c + cv), y);
            }
        }
    }

    /// Channels `cv .. cv + 8 NV` of two output pixels whose taps start at
    /// `t0`, `t1`; weights `w[k * c + i]`, bias `b[i]` (both from `cv`).
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    unsafe fn pixel_pair<const NV: usize>(
        t0: &[*const f32; 9],
        t1: &[*const f32; 9],
        cv: usize,
        w: *const f32,
        c: usize,
        b: *const f32,
        lo: __m256,
        hi: __m256,
        o0: *mut f32,
        o1: *mut f32,
    ) {
        let mut a0: [__m256; NV] = std::array::from_fn(|v| _mm256_loadu_ps(b.add(8 * v)));
        let mut a1 = a0;
        for k in 0..9 {
            for v in 0..NV {
                let wv = _mm256_loadu_ps(w.add(k * c + 8 * v));
                a0[v] = _mm256_fmadd_ps(wv, _mm256_loadu_ps(t0[k].add(cv + 8 * v)), a0[v]);
                a1[v] = _mm256_fmadd_ps(wv, _mm256_loadu_ps(t1[k].add(cv + 8 * v)), a1[v]);
            }
        }
        for v in 0..NV {
            let y0 = _mm256_min_ps(_mm256_max_ps(a0[v], lo), hi);
            let y1 = _mm256_min_ps(_mm256_max_ps(a1[v], lo), hi);
            _mm256_storeu_ps(o0.add(cv + 8 * v), y0);
            _mm256_storeu_ps(o1.add(cv + 8 * v), y1);
        }
    }

    /// Output row `y` of a stride-2 convolution with no padding before
    /// (MoveNet's: the padding is one row and column after), read in
    /// place from the plane at `src` (`g.w` even, `g.out_w` = `g.w / 2`),
    /// `nvec` vectors stored at `dst`.
    ///
    /// Why: the padded path copies every input row into scratch and splits
    /// it into even and odd columns before any arithmetic: 1.4-4.6 ns per
    /// output on MoveNet's stride-2 layers, against 0.5 for stride 1.
    ///
    /// How: for 8 outputs from column `x0`, each of the three input rows
    /// gives the 16 values from column `2 x0` as two loads, split by two
    /// shuffles into the even (tap kx 0) and odd (kx 1) columns, and the
    /// even columns of the 16 from `2 x0 + 2` (kx 2), whose last valid
    /// lane (output column `out_w - 1`, input column `w`) is the padding
    /// and masked to zero, as is a row past the input. Lanes past
    /// `out_w` read whatever follows and are never kept. The taps are
    /// summed in [`vectors`]' order with the padding as zeros, so the
    /// result is the padded path's, bit for bit. The caller checks that
    /// the last load (`s2_reach`) stays inside the input.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    unsafe fn stride2_row(
        g: &Geometry,
        src: *const f32,
        y: usize,
        nvec: usize,
        w: &[__m256; 9],
        bias: __m256,
        lo: __m256,
        hi: __m256,
        dst: *mut f32,
    ) {
        // Even and odd lanes of (a, b), each in column order.
        #[inline(always)]
        unsafe fn split(a: __m256, b: __m256) -> (__m256, __m256) {
            let order =
                |v: __m256| _mm256_castpd_ps(_mm256_permute4x64_pd::<0xD8>(_mm256_castps_pd(v)));
            (
                order(_mm256_shuffle_ps::<0x88>(a, b)),
                order(_mm256_shuffle_ps::<0xDD>(a, b)),
            )
        }
        let lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
        for v in 0..nvec {
            let x0 = 8 * v;
            // Lanes below out_w - 1 - x0 have a real kx 2 tap.
            let real = _mm256_castsi256_ps(_mm256_cmpgt_epi32(
                _mm256_set1_epi32((g.out_w - 1 - x0) as i32),
                lanes,
            ));
            // Input row r's taps (kx 0, 1, 2) for these 8 outputs.
            #[inline(always)]
            unsafe fn taps(
                g: &Geometry,
                src: *const f32,
                r: usize,
                x0: usize,
                real: __m256,
            ) -> [__m256; 3] {
                if r >= g.h {
                    return [_mm256_setzero_ps(); 3];
                }
                let at = src.add(r * g.w + 2 * x0);
                let (e, o) = split(_mm256_loadu_ps(at), _mm256_loadu_ps(at.add(8)));
                let (e2, _) = split(_mm256_loadu_ps(at.add(2)), _mm256_loadu_ps(at.add(10)));
                [e, o, _mm256_and_ps(e2, real)]
            }
            let rows = [
                taps(g, src, 2 * y, x0, real),
                taps(g, src, 2 * y + 1, x0, real),
                taps(g, src, 2 * y + 2, x0, real),
            ];
            _mm256_storeu_ps(dst.add(x0), sum_taps(w, bias, lo, hi, rows));
        }
    }

    /// Output row `y` of a stride-1 convolution with one column of
    /// padding each side ("same" width), read in place from the plane at
    /// `src`: `nvec` vectors stored at `dst`.
    ///
    /// Why: the padded path copies the plane into scratch first, one more
    /// read and write of every input value.
    ///
    /// How: tap (ky, kx) of 8 outputs from column `x0` is the unaligned
    /// vector of input row `y + ky - pad_top` from column `x0 + kx - 1`;
    /// the lanes in the padding (column −1 of the first vector, column `w`
    /// of the last real output) are masked to zero, and a row outside the
    /// input is a vector of zeros. Lanes past `out_w` read whatever follows
    /// and are never kept. Summed in [`vectors`]' order with the padding
    /// as zeros: the padded path's result, bit for bit. The caller checks
    /// that the loads (one value before the plane's first row, one past
    /// the last vector of its last) stay inside the input.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    unsafe fn stride1_row(
        g: &Geometry,
        src: *const f32,
        y: usize,
        nvec: usize,
        w: &[__m256; 9],
        bias: __m256,
        lo: __m256,
        hi: __m256,
        dst: *mut f32,
    ) {
        let lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
        let rows: [Option<*const f32>; 3] = std::array::from_fn(|ky| {
            (y + ky)
                .checked_sub(g.pad_top)
                .filter(|&r| r < g.h)
                .map(|r| src.add(r * g.w))
        });
        for v in 0..nvec {
            let x0 = 8 * v;
            // Lane 0 of the first vector has no left neighbour; lanes at
            // and past column w - 1 have no right one.
            let left = _mm256_castsi256_ps(_mm256_cmpgt_epi32(
                lanes,
                _mm256_set1_epi32(if v == 0 { 0 } else { -1 }),
            ));
            let right = _mm256_castsi256_ps(_mm256_cmpgt_epi32(
                _mm256_set1_epi32((g.w - 1 - x0) as i32),
                lanes,
            ));
            // A row's taps (kx 0, 1, 2) for these 8 outputs.
            #[inline(always)]
            unsafe fn taps(
                row: Option<*const f32>,
                x0: usize,
                left: __m256,
                right: __m256,
            ) -> [__m256; 3] {
                let Some(r) = row else {
                    return [_mm256_setzero_ps(); 3];
                };
                let at = r.add(x0);
                [
                    _mm256_and_ps(_mm256_loadu_ps(at.sub(1)), left),
                    _mm256_loadu_ps(at),
                    _mm256_and_ps(_mm256_loadu_ps(at.add(1)), right),
                ]
            }
            let taps = [
                taps(rows[0], x0, left, right),
                taps(rows[1], x0, left, right),
                taps(rows[2], x0, left, right),
            ];
            _mm256_storeu_ps(dst.add(x0), sum_taps(w, bias, lo, hi, taps));
        }
    }

    /// 8 outputs from their nine taps (`taps[ky][kx]`), summed as
    /// [`vectors`] sums them (the even taps onto the bias, the odd ones
    /// apart, then the two added), so that every path gives the same bits,
    /// and clamped to `lo ..= hi`. (The taps come as values, not from a
    /// closure: a closure is not compiled with the caller's AVX2, and was
    /// measured 2-7× slower.)
    #[inline(always)]
    unsafe fn sum_taps(
        w: &[__m256; 9],
        bias: __m256,
        lo: __m256,
        hi: __m256,
        taps: [[__m256; 3]; 3],
    ) -> __m256 {
        let mut a = bias;
        let mut b = _mm256_setzero_ps();
        for (ky, row) in taps.into_iter().enumerate() {
            for (kx, x) in row.into_iter().enumerate() {
                let k = 3 * ky + kx;
                if k % 2 == 0 {
                    a = _mm256_fmadd_ps(w[k], x, a);
                } else {
                    b = _mm256_fmadd_ps(w[k], x, b);
                }
            }
        }
        _mm256_min_ps(_mm256_max_ps(_mm256_add_ps(a, b), lo), hi)
    }

    /// `NV` vectors of one output row from column `x0`, stored at `dst + x0`.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    unsafe fn vectors<const NV: usize>(
        taps: &[*const f32; 9],
        x0: usize,
        w: &[__m256; 9],
        bias: __m256,
        lo: __m256,
        hi: __m256,
        dst: *mut f32,
    ) {
        let mut a = [bias; NV];
        let mut b = [_mm256_setzero_ps(); NV];
        for k in 0..9 {
            for v in 0..NV {
                let x = _mm256_loadu_ps(taps[k].add(x0 + 8 * v));
                if k % 2 == 0 {
                    a[v] = _mm256_fmadd_ps(w[k], x, a[v]);
                } else {
                    b[v] = _mm256_fmadd_ps(w[k], x, b[v]);
                }
            }
        }
        for v in 0..NV {
            let y = _mm256_min_ps(_mm256_max_ps(_mm256_add_ps(a[v], b[v]), lo), hi);
            _mm256_storeu_ps(dst.add(x0 + 8 * v), y);
        }
    }

    /// The scratch plane(s) for one input plane: zero where the padding
    /// is, the input elsewhere; for stride 2 split into even columns (rows
    /// `0..rows`) and odd columns (rows `rows..2 rows`).
    #[inline(always)]
    unsafe fn fill_padded(
        g: &Geometry,
        src: &[f32],
        pad: &mut [f32],
        row_buf: &mut [f32],
        pw: usize,
        rows: usize,
    ) {
        for r in 0..rows {
            let iy = r.checked_sub(g.pad_top).filter(|y| *y < g.h);
            if g.stride == 1 {
                let row = &mut pad[r * pw..(r + 1) * pw];
                match iy {
                    Some(y) => {
                        let take = g.w.min(pw - g.pad_left);
                        row[..g.pad_left].fill(0.0);
                        row[g.pad_left..g.pad_left + take]
                            .copy_from_slice(&src[y * g.w..y * g.w + take]);
                        row[g.pad_left + take..].fill(0.0);
                    }
                    None => row.fill(0.0),
                }
            } else {
                let (even, odd) = pad.split_at_mut(rows * pw);
                let (e, o) = (
                    &mut even[r * pw..(r + 1) * pw],
                    &mut odd[r * pw..(r + 1) * pw],
                );
                match iy {
                    Some(y) => {
                        // The padded input row, 2 pw wide, then its even
                        // and odd columns.
                        let take = g.w.min(2 * pw - g.pad_left);
                        row_buf[..g.pad_left].fill(0.0);
                        row_buf[g.pad_left..g.pad_left + take]
                            .copy_from_slice(&src[y * g.w..y * g.w + take]);
                        row_buf[g.pad_left + take..2 * pw].fill(0.0);
                        // Eight even and eight odd columns at a time: two
                        // in-lane shuffles, then the 64-bit quarters put
                        // in order (shuffle_ps works within 128-bit lanes).
                        let whole = pw / 8 * 8;
                        for x in (0..whole).step_by(8) {
                            let a = _mm256_loadu_ps(row_buf.as_ptr().add(2 * x));
                            let b = _mm256_loadu_ps(row_buf.as_ptr().add(2 * x + 8));
                            let ev = _mm256_shuffle_ps::<0x88>(a, b);
                            let od = _mm256_shuffle_ps::<0xDD>(a, b);
                            let ev = _mm256_castpd_ps(_mm256_permute4x64_pd::<0xD8>(
                                _mm256_castps_pd(ev),
                            ));
                            let od = _mm256_castpd_ps(_mm256_permute4x64_pd::<0xD8>(
                                _mm256_castps_pd(od),
                            ));
                            _mm256_storeu_ps(e.as_mut_ptr().add(x), ev);
                            _mm256_storeu_ps(o.as_mut_ptr().add(x), od);
                        }
                        for x in whole..pw {
                            e[x] = row_buf[2 * x];
                            o[x] = row_buf[2 * x + 1];
                        }
                    }
                    None => {
                        e.fill(0.0);
                        o.fill(0.0);
                    }
                }
            }
        }
    }
}

/// `a * b + c`, fused where the CPU has FMA (a plain `mul_add` without it
/// would be a slow library call).
#[inline(always)]
fn madd<const FMA: bool>(a: f32, b: f32, c: f32) -> f32 {
    if FMA {
        a.mul_add(b, c)
    } else {
        a * b + c
    }
}

#[inline(always)]
fn run<const FMA: bool>(
    g: &Geometry,
    p: &Params,
    input: &[f32],
    output: &mut [f32],
    scratch: &mut Vec<f32>,
) {
    let (lo, hi) = p.clamp.unwrap_or((f32::NEG_INFINITY, f32::INFINITY));
    if g.channels_last {
        let (inp, outp) = (g.h * g.w * g.channels, g.out_h * g.out_w * g.channels);
        for n in 0..g.batch {
            let (src, dst) = (
                &input[n * inp..(n + 1) * inp],
                &mut output[n * outp..(n + 1) * outp],
            );
            if g.stride == 1 {
                channels_last_stride1::<FMA>(g, p, (lo, hi), src, dst, scratch);
            } else {
                channels_last::<FMA>(g, p, (lo, hi), src, dst);
            }
        }
        return;
    }
    let (inp, outp) = (g.h * g.w, g.out_h * g.out_w);
    for plane in 0..g.batch * g.channels {
        let c = plane % g.channels;
        let w: &[f32; 9] = p.weights[c * 9..c * 9 + 9].try_into().expect("9 taps");
        let src = &input[plane * inp..(plane + 1) * inp];
        let dst = &mut output[plane * outp..(plane + 1) * outp];
        if g.stride == 1 {
            plane_stride1::<FMA>(g, w, p.bias[c], (lo, hi), src, dst, scratch);
        } else {
            plane_stride2::<FMA>(g, w, p.bias[c], (lo, hi), src, dst, scratch);
        }
    }
}

/// Stride 1: the padded plane, `out_w + 2` wide and `out_h + 2` high, is
/// one flat buffer; output (y, x) sits at flat index `y * pw + x` and its
/// tap (ky, kx) at that index plus `ky * pw + kx`, so each tap is a
/// contiguous run. The two extra columns per row are computed and dropped.
#[inline(always)]
fn plane_stride1<const FMA: bool>(
    g: &Geometry,
    w: &[f32; 9],
    bias: f32,
    (lo, hi): (f32, f32),
    src: &[f32],
    dst: &mut [f32],
    scratch: &mut Vec<f32>,
) {
    let pw = g.out_w + 2;
    let ph = g.out_h + 2;
    let n = g.out_h * pw - 2;
    if scratch.len() < ph * pw + n {
        scratch.resize(ph * pw + n, 0.0);
    }
    let (pad, acc) = scratch.split_at_mut(ph * pw);
    for r in 0..ph {
        let row = &mut pad[r * pw..(r + 1) * pw];
        match r.checked_sub(g.pad_top).filter(|y| *y < g.h) {
            Some(y) => {
                // Columns pad_left .. pad_left + w hold the input row (as
                // much of it as fits), the others are zero.
                let take = g.w.min(pw - g.pad_left);
                row[..g.pad_left].fill(0.0);
                row[g.pad_left..g.pad_left + take].copy_from_slice(&src[y * g.w..y * g.w + take]);
                row[g.pad_left + take..].fill(0.0);
            }
            None => row.fill(0.0),
        }
    }
    let t = |k: usize| &pad[(k / 3) * pw + k % 3..(k / 3) * pw + k % 3 + n];
    let (t0, t1, t2, t3, t4, t5, t6, t7, t8) =
        (t(0), t(1), t(2), t(3), t(4), t(5), t(6), t(7), t(8));
    let acc = &mut acc[..n];
    for j in 0..n {
        let mut a = madd::<FMA>(w[0], t0[j], bias);
        a = madd::<FMA>(w[1], t1[j], a);
        a = madd::<FMA>(w[2], t2[j], a);
        a = madd::<FMA>(w[3], t3[j], a);
        a = madd::<FMA>(w[4], t4[j], a);
        a = madd::<FMA>(w[5], t5[j], a);
        a = madd::<FMA>(w[6], t6[j], a);
        a = madd::<FMA>(w[7], t7[j], a);
        a = madd::<FMA>(w[8], t8[j], a);
        acc[j] = a;
    }
    for (y, out_row) in dst.chunks_exact_mut(g.out_w).enumerate() {
        for (o, a) in out_row.iter_mut().zip(&acc[y * pw..]) {
            *o = a.max(lo).min(hi);
        }
    }
}

/// Stride 2: six sub-planes, one per kernel row `ky` and column parity,
/// each `out_h` × `q` (q = out_w + 1) with sub-plane (ky, parity) at
/// (y, x) = padded input (2y + ky, 2x + parity). Output (y, x) at flat
/// index `y * q + x` then reads taps (ky, 0), (ky, 1), (ky, 2) at index j,
/// j and j + 1 of sub-planes (ky, even), (ky, odd), (ky, even).
#[inline(always)]
fn plane_stride2<const FMA: bool>(
    g: &Geometry,
    w: &[f32; 9],
    bias: f32,
    (lo, hi): (f32, f32),
    src: &[f32],
    dst: &mut [f32],
    scratch: &mut Vec<f32>,
) {
    let q = g.out_w + 1;
    let m = g.out_h * q;
    let n = m - 1;
    if scratch.len() < 7 * m + 2 * q {
        scratch.resize(7 * m + 2 * q, 0.0);
    }
    let (subs, rest) = scratch.split_at_mut(6 * m);
    let (acc, padded_row) = rest.split_at_mut(m);
    let padded_row = &mut padded_row[..2 * q];
    padded_row.fill(0.0);
    // Each input row, zero-padded on the left by pad_left and on the right
    // up to 2q, is split into its even and odd columns: sub-plane (ky,
    // parity) row y column x = padded row 2y + ky, column 2x + parity.
    let take = g.w.min(2 * q - g.pad_left);
    for ky in 0..3 {
        let (even, rest) = subs[ky * 2 * m..].split_at_mut(m);
        let odd = &mut rest[..m];
        for y in 0..g.out_h {
            let (e_row, o_row) = (&mut even[y * q..(y + 1) * q], &mut odd[y * q..(y + 1) * q]);
            let Some(iy) = (2 * y + ky).checked_sub(g.pad_top).filter(|r| *r < g.h) else {
                e_row.fill(0.0);
                o_row.fill(0.0);
                continue;
            };
            padded_row[g.pad_left..g.pad_left + take]
                .copy_from_slice(&src[iy * g.w..iy * g.w + take]);
            for ((e, o), pair) in e_row
                .iter_mut()
                .zip(o_row.iter_mut())
                .zip(padded_row.chunks_exact(2))
            {
                *e = pair[0];
                *o = pair[1];
            }
        }
    }
    let s = |ky: usize, par: usize, off: usize| {
        let base = (ky * 2 + par) * m + off;
        &subs[base..base + n]
    };
    let (e0, o0, f0) = (s(0, 0, 0), s(0, 1, 0), s(0, 0, 1));
    let (e1, o1, f1) = (s(1, 0, 0), s(1, 1, 0), s(1, 0, 1));
    let (e2, o2, f2) = (s(2, 0, 0), s(2, 1, 0), s(2, 0, 1));
    let acc = &mut acc[..n];
    for j in 0..n {
        let mut a = madd::<FMA>(w[0], e0[j], bias);
        a = madd::<FMA>(w[1], o0[j], a);
        a = madd::<FMA>(w[2], f0[j], a);
        a = madd::<FMA>(w[3], e1[j], a);
        a = madd::<FMA>(w[4], o1[j], a);
        a = madd::<FMA>(w[5], f1[j], a);
        a = madd::<FMA>(w[6], e2[j], a);
        a = madd::<FMA>(w[7], o2[j], a);
        a = madd::<FMA>(w[8], f2[j], a);
        acc[j] = a;
    }
    for (y, out_row) in dst.chunks_exact_mut(g.out_w).enumerate() {
        for (o, a) in out_row.iter_mut().zip(&acc[y * q..]) {
            *o = a.max(lo).min(hi);
        }
    }
}

/// Channels last, stride 1: an output row is `out_w * c` contiguous
/// values, and for each tap the input pixels it reads along that row are
/// contiguous too; with the tap's weights tiled along a row, each tap is
/// one long multiply-add over the valid part of the row.
#[inline(always)]
fn channels_last_stride1<const FMA: bool>(
    g: &Geometry,
    p: &Params,
    (lo, hi): (f32, f32),
    src: &[f32],
    dst: &mut [f32],
    scratch: &mut Vec<f32>,
) {
    let c = g.channels;
    let row_len = g.out_w * c;
    let in_row_len = g.w * c;
    if scratch.len() < 10 * row_len {
        scratch.resize(10 * row_len, 0.0);
    }
    let (taps, bias_row) = scratch.split_at_mut(9 * row_len);
    let bias_row = &mut bias_row[..row_len];
    for (k, tap) in taps.chunks_exact_mut(row_len).enumerate() {
        for px in tap.chunks_exact_mut(c) {
            for (ch, v) in px.iter_mut().enumerate() {
                *v = p.weights[ch * 9 + k];
            }
        }
    }
    for px in bias_row.chunks_exact_mut(c) {
        px.copy_from_slice(&p.bias);
    }
    for (oy, out) in dst.chunks_exact_mut(row_len).enumerate() {
        out.copy_from_slice(bias_row);
        for ky in 0..3 {
            let Some(iy) = (oy + ky).checked_sub(g.pad_top).filter(|y| *y < g.h) else {
                continue;
            };
            let in_row = &src[iy * in_row_len..(iy + 1) * in_row_len];
            for kx in 0..3 {
                // Output columns whose input column ox + kx - pad_left is
                // inside the row.
                let ox_lo = g.pad_left.saturating_sub(kx);
                let ox_hi = (g.w + g.pad_left).saturating_sub(kx).min(g.out_w);
                if ox_lo >= ox_hi {
                    continue;
                }
                let ix_lo = ox_lo + kx - g.pad_left;
                let len = (ox_hi - ox_lo) * c;
                let o = &mut out[ox_lo * c..ox_lo * c + len];
                let x = &in_row[ix_lo * c..ix_lo * c + len];
                let k = ky * 3 + kx;
                let wt = &taps[k * row_len + ox_lo * c..k * row_len + ox_lo * c + len];
                for ((o, x), w) in o.iter_mut().zip(x).zip(wt) {
                    *o = madd::<FMA>(*w, *x, *o);
                }
            }
        }
        for o in out.iter_mut() {
            *o = o.max(lo).min(hi);
        }
    }
}

/// Channels last: each output pixel is `c` contiguous values; the taps
/// inside the input are multiply-added across channels, with the weights
/// laid out `[c][9]` read per tap.
#[inline(always)]
fn channels_last<const FMA: bool>(
    g: &Geometry,
    p: &Params,
    (lo, hi): (f32, f32),
    src: &[f32],
    dst: &mut [f32],
) {
    let c = g.channels;
    // Weights per tap, channels contiguous: [9][c].
    let mut wt = vec![0f32; 9 * c];
    for ch in 0..c {
        for k in 0..9 {
            wt[k * c + ch] = p.weights[ch * 9 + k];
        }
    }
    for oy in 0..g.out_h {
        for ox in 0..g.out_w {
            let out = &mut dst[(oy * g.out_w + ox) * c..(oy * g.out_w + ox + 1) * c];
            out.copy_from_slice(&p.bias);
            for ky in 0..3 {
                let Some(iy) = (oy * g.stride + ky)
                    .checked_sub(g.pad_top)
                    .filter(|y| *y < g.h)
                else {
                    continue;
                };
                for kx in 0..3 {
                    let Some(ix) = (ox * g.stride + kx)
                        .checked_sub(g.pad_left)
                        .filter(|x| *x < g.w)
                    else {
                        continue;
                    };
                    let px = &src[(iy * g.w + ix) * c..(iy * g.w + ix + 1) * c];
                    let wk = &wt[(ky * 3 + kx) * c..(ky * 3 + kx + 1) * c];
                    for ((o, x), wv) in out.iter_mut().zip(px).zip(wk) {
                        *o = madd::<FMA>(*wv, *x, *o);
                    }
                }
            }
            for o in out.iter_mut() {
                *o = o.max(lo).min(hi);
            }
        }
    }
}

/// The tract op: input `[n?, c, h, w]` or `[n?, h, w, c]`, f32.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DepthwiseConv3x3 {
    pub geometry: Geometry,
    pub params: Params,
    pub output_shape: TVec<usize>,
    pub isa: Isa,
}

impl Op for DepthwiseConv3x3 {
    fn name(&self) -> StaticName {
        "PosturecamDepthwise3x3".into()
    }

    fn info(&self) -> TractResult<Vec<String>> {
        Ok(vec![format!(
            "{:?}, clamp {:?}, {:?}",
            self.geometry, self.params.clamp, self.isa
        )])
    }

    fn validation(&self) -> Validation {
        Validation::Rounding
    }

    op_as_typed_op!();
}

impl EvalOp for DepthwiseConv3x3 {
    op_out_of_plan!();

    fn eval(&self, _ctx: &EvalContext, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
        // SAFETY: `depthwise3x3` writes every element or returns an error.
        unsafe {
            eval_into_new(&inputs, &self.output_shape, |x, y| {
                depthwise3x3(self.isa, &self.geometry, &self.params, x, y)
            })
        }
    }
}

impl TypedOp for DepthwiseConv3x3 {
    fn output_facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
        ensure!(inputs.len() == 1 && inputs[0].datum_type == f32::datum_type());
        Ok(tvec!(f32::fact(&*self.output_shape)))
    }

    as_op!();
}

/// A constant scalar (of any shape holding one value) feeding `outlet`.
fn const_scalar(model: &TypedModel, outlet: OutletId) -> Option<f32> {
    let k = model.outlet_fact(outlet).ok()?.konst.clone()?;
    if k.len() != 1 {
        return None;
    }
    let k = k.cast_to::<f32>().ok()?;
    let v = k
        .try_as_plain_ram()
        .ok()?
        .as_slice::<f32>()
        .ok()?
        .first()
        .copied();
    v
}

/// Node `id`'s only successor, if it is a `name` op (Max, Min) with a
/// constant scalar for its other operand: (successor id, that scalar).
pub(crate) fn scalar_successor(model: &TypedModel, id: usize, name: &str) -> Option<(usize, f32)> {
    if model.outputs.iter().any(|o| o.node == id) {
        return None;
    }
    let succ = model.single_succ(id).ok()??;
    if succ.op.name() != name || succ.inputs.len() != 2 {
        return None;
    }
    let other = succ.inputs.iter().find(|i| i.node != id)?;
    let v = const_scalar(model, *other)?;
    let same_shape = model.outlet_fact(succ.id.into()).ok()?.shape
        == model.outlet_fact(OutletId::new(id, 0)).ok()?.shape;
    same_shape.then_some((succ.id, v))
}

/// What `node` would become, if it is a depthwise 3×3 convolution this
/// module runs: the op, and the outlet it replaces (the convolution's, or
/// that of the ReLU6 clamp after it, which the op then applies).
fn plan_for(
    model: &TypedModel,
    node: &TypedNode,
    isa: Isa,
) -> TractResult<Option<(DepthwiseConv3x3, OutletId)>> {
    let Some(conv) = node.op_as::<Conv>() else {
        return Ok(None);
    };
    let ps = &conv.pool_spec;
    if conv.q_params.is_some()
        || node.inputs.len() != 3
        || conv.kernel_fmt != KernelFormat::OIHW
        || ps.kernel_shape.as_slice() != [3, 3]
        || ps.dilations().iter().any(|d| *d != 1)
        || ps.input_channels != ps.output_channels
        || conv.group != ps.input_channels
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
    let Some(out_shape) = model
        .outlet_fact(OutletId::new(node.id, 0))?
        .shape
        .as_concrete()
        .map(|s| s.to_vec())
    else {
        return Ok(None);
    };
    let (Some(kernel), Some(bias)) = (
        model.outlet_fact(node.inputs[1])?.konst.clone(),
        model.outlet_fact(node.inputs[2])?.konst.clone(),
    ) else {
        return Ok(None);
    };
    let c = ps.input_channels;
    if kernel.shape() != [c, 1, 3, 3] || !(bias.len() == c || bias.len() == 1) {
        return Ok(None);
    }
    let shape = ps.data_format.shape(&in_shape)?;
    let out = ps.data_format.shape(&out_shape)?;
    let (h, w) = (shape.hw_dims()[0], shape.hw_dims()[1]);
    let padding = ps.computed_padding(&[h, w]);
    let (pad_top, pad_left) = (padding[0].pad_before, padding[1].pad_before);
    let batch = if ps.data_format.has_n() {
        *shape.n().unwrap_or(&1)
    } else {
        1
    };
    let geometry = Geometry {
        batch,
        channels: c,
        h,
        w,
        stride: strides[0],
        pad_top,
        pad_left,
        out_h: out.hw_dims()[0],
        out_w: out.hw_dims()[1],
        channels_last: matches!(ps.data_format, DataFormat::NHWC | DataFormat::HWC),
    };
    if *shape.c() != c || *out.c() != c || geometry.check().is_err() {
        return Ok(None);
    }
    // The padding after must be what completes the output, no more.
    if padding[0].convoluted != geometry.out_h || padding[1].convoluted != geometry.out_w {
        return Ok(None);
    }
    let kernel = kernel.cast_to::<f32>()?;
    let weights: Arc<[f32]> = kernel.try_as_plain_ram()?.as_slice::<f32>()?.into();
    let bias = bias.cast_to::<f32>()?;
    let bias = bias.try_as_plain_ram()?.as_slice::<f32>()?.to_vec();
    let bias: Arc<[f32]> = if bias.len() == 1 {
        vec![bias[0]; c].into()
    } else {
        bias.into()
    };

    // Fold a following ReLU6 (Max with a constant, then Min with one).
    let mut replaced = OutletId::new(node.id, 0);
    let mut clamp = None;
    if let Some((max_id, lo)) = scalar_successor(model, node.id, "Max") {
        if let Some((min_id, hi)) = scalar_successor(model, max_id, "Min") {
            if lo <= hi {
                clamp = Some((lo, hi));
                replaced = OutletId::new(min_id, 0);
            }
        }
    }
    let op = DepthwiseConv3x3 {
        geometry,
        params: Params {
            weights,
            bias,
            clamp,
        },
        output_shape: out_shape.into(),
        isa,
    };
    Ok(Some((op, replaced)))
}

/// Puts [`DepthwiseConv3x3`] in place of every depthwise 3×3 convolution
/// of a decluttered model that it can run (and of the ReLU6 after it);
/// returns how many it replaced. Anything else is left to tract.
pub fn replace_depthwise(model: &mut TypedModel, isa: Isa) -> TractResult<usize> {
    let mut count = 0;
    for id in model.eval_order()? {
        let node = model.node(id);
        let Some((op, replaced)) = plan_for(model, node, isa)? else {
            continue;
        };
        let (name, input) = (node.name.clone(), node.inputs[0]);
        replace_with(model, name, op, &[input], replaced)?;
        count += 1;
    }
    model.compact()?;
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::pose::surgery::Rng;

    /// The direct definition: out[n,c,y,x] = b[c] + Σ w[c,ky,kx] ·
    /// in[n,c,y·s+ky−pt, x·s+kx−pl] over taps inside the input, clamped.
    fn reference(g: &Geometry, p: &Params, input: &[f32]) -> Vec<f32> {
        let mut out = vec![0f32; g.output_len()];
        let (lo, hi) = p.clamp.unwrap_or((f32::NEG_INFINITY, f32::INFINITY));
        let idx_in = |n: usize, c: usize, y: usize, x: usize| {
            if g.channels_last {
                ((n * g.h + y) * g.w + x) * g.channels + c
            } else {
                ((n * g.channels + c) * g.h + y) * g.w + x
            }
        };
        let idx_out = |n: usize, c: usize, y: usize, x: usize| {
            if g.channels_last {
                ((n * g.out_h + y) * g.out_w + x) * g.channels + c
            } else {
                ((n * g.channels + c) * g.out_h + y) * g.out_w + x
            }
        };
        for n in 0..g.batch {
            for c in 0..g.channels {
                for y in 0..g.out_h {
                    for x in 0..g.out_w {
                        let mut a = p.bias[c] as f64;
                        for ky in 0..3 {
                            for kx in 0..3 {
                                let iy = (y * g.stride + ky) as i64 - g.pad_top as i64;
                                let ix = (x * g.stride + kx) as i64 - g.pad_left as i64;
                                if iy < 0 || ix < 0 || iy >= g.h as i64 || ix >= g.w as i64 {
                                    continue;
                                }
                                a += p.weights[c * 9 + ky * 3 + kx] as f64
                                    * input[idx_in(n, c, iy as usize, ix as usize)] as f64;
                            }
                        }
                        out[idx_out(n, c, y, x)] = (a as f32).max(lo).min(hi);
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
            for channels_last in [false, true] {
                for (stride, pad_before, pad_after) in
                    [(1, 1, 1), (2, 0, 1), (2, 1, 1), (1, 0, 0), (2, 0, 0)]
                {
                    for (h, w, c, batch) in [
                        (1, 1, 1, 1),
                        (5, 7, 3, 1),
                        (6, 6, 17, 2),
                        (13, 9, 8, 1),
                        (24, 24, 5, 1),
                        (3, 40, 2, 1),
                        // Rows of 1 to 5 vectors, with and without a
                        // partial last one, as in MoveNet (12, 24, 48).
                        (12, 12, 3, 1),
                        (7, 33, 2, 1),
                        (5, 48, 2, 2),
                        // Small planes read in place (stride 1, "same"),
                        // MoveNet's 8², 16², and the smallest allowed.
                        (8, 8, 9, 1),
                        (16, 16, 4, 1),
                        (2, 9, 3, 1),
                        (3, 4, 3, 1),
                        (5, 3, 4, 1),
                        // Channels-last vectors of 8 channels: 1 to 5 of
                        // them (MoveNet's first has 32), odd widths.
                        (10, 11, 32, 1),
                        (6, 5, 24, 2),
                        (7, 9, 40, 1),
                        // Several groups of 8 pixels in a row, with pairs
                        // before and after them.
                        (9, 30, 16, 1),
                    ] {
                        if h + pad_before + pad_after < 3 || w + pad_before + pad_after < 3 {
                            continue;
                        }
                        let g = Geometry {
                            batch,
                            channels: c,
                            h,
                            w,
                            stride,
                            pad_top: pad_before,
                            pad_left: pad_before,
                            out_h: out_dim(h, stride, pad_before, pad_after),
                            out_w: out_dim(w, stride, pad_before, pad_after),
                            channels_last,
                        };
                        for clamp in [None, Some((0.0, 0.6))] {
                            let p = Params {
                                weights: rng.vec(9 * c).into(),
                                bias: rng.vec(c).into(),
                                clamp,
                            };
                            let input = rng.vec(g.input_len());
                            let want = reference(&g, &p, &input);
                            let mut got = vec![f32::NAN; g.output_len()];
                            depthwise3x3(isa, &g, &p, &input, &mut got).unwrap();
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
        }
        assert!(cases >= 100, "{cases} cases");
    }

    /// The row-by-row kernel on every plane, reading stride-1 and stride-2
    /// planes in place where it can (`in_place`) or always from a padded
    /// copy.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn planes_with(
        g: &Geometry,
        p: &Params,
        input: &[f32],
        output: &mut [f32],
        in_place: bool,
    ) {
        let out = simd::Out {
            ptr: output.as_mut_ptr(),
            len: output.len(),
            plane: g.out_h * g.out_w,
            offset: 0,
            in_plane: g.h * g.w,
            last_row_may_spill: true,
        };
        let all = 0..g.batch * g.channels;
        simd::planes(g, p, input, &out, &mut vec![], all, in_place);
    }

    /// [`planes_with`] from a padded copy only (what runs where the
    /// kernels that read in place do not).
    #[cfg(target_arch = "x86_64")]
    unsafe fn padded_planes(g: &Geometry, p: &Params, input: &[f32], output: &mut [f32]) {
        planes_with(g, p, input, output, false)
    }

    /// Whether the CPU runs the AVX2 kernels; says so when it does not.
    #[cfg(target_arch = "x86_64")]
    fn has_avx2() -> bool {
        let yes = Isa::available().contains(&Isa::Avx2Fma);
        if !yes {
            eprintln!("skipped: this CPU has no AVX2");
        }
        yes
    }

    /// `batch × c` channels-first planes of `h × w`, padding (top, left),
    /// output `out_h × out_w`.
    #[cfg(target_arch = "x86_64")]
    fn planes(
        batch: usize,
        c: usize,
        (h, w): (usize, usize),
        stride: usize,
        (pad_top, pad_left): (usize, usize),
        (out_h, out_w): (usize, usize),
    ) -> Geometry {
        Geometry {
            batch,
            channels: c,
            h,
            w,
            stride,
            pad_top,
            pad_left,
            out_h,
            out_w,
            channels_last: false,
        }
    }

    /// For both clamps: random weights and input (with the `poison`
    /// values set), `ours` against the padded path, bit for bit, and
    /// against the reference; returns each (input, output). The caller
    /// has checked that the CPU has AVX2 and FMA.
    #[cfg(target_arch = "x86_64")]
    fn same_as_padded(
        g: &Geometry,
        rng: &mut Rng,
        poison: &[(usize, f32)],
        ours: impl Fn(&Params, &[f32], &mut [f32]),
    ) -> Vec<(Vec<f32>, Vec<f32>)> {
        let c = g.channels;
        [None, Some((0.0, 0.6))]
            .into_iter()
            .map(|clamp| {
                let p = Params {
                    weights: rng.vec(9 * c).into(),
                    bias: rng.vec(c).into(),
                    clamp,
                };
                let mut input = rng.vec(g.input_len());
                for &(i, v) in poison {
                    input[i] = v;
                }
                let mut got = vec![f32::NAN; g.output_len()];
                ours(&p, &input, &mut got);
                let mut padded = vec![f32::NAN; g.output_len()];
                // SAFETY: AVX2 and FMA are available (the caller checked).
                unsafe { padded_planes(g, &p, &input, &mut padded) };
                assert!(same_bits(&got, &padded), "{g:?} clamp {clamp:?}");
                let want = reference(g, &p, &input);
                for (i, (a, b)) in got.iter().zip(&want).enumerate() {
                    assert!(
                        a == b || (a - b).abs() <= 1e-5 || a.is_nan() && b.is_nan(),
                        "{g:?} clamp {clamp:?} at {i}: {a} vs {b}"
                    );
                }
                (input, got)
            })
            .collect()
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn stride_1_rows_read_in_place_give_the_padded_kernels_bits() {
        if !has_avx2() {
            return;
        }
        let mut rng = Rng(0x51DE_0001);
        // Planes above the small-plane size, rows of one to five vectors
        // with and without a partial last one, and strips as the fused op
        // cuts them (no padding row above, two rows, rows past the input).
        for (h, w, c, pad_top, out_h) in [
            (40, 40, 3, 1, 40),
            (50, 24, 2, 1, 50),
            (9, 33, 4, 1, 9),
            (7, 16, 3, 0, 5),
            (6, 12, 3, 2, 6),
            (5, 9, 3, 1, 5),
            (4, 64, 3, 0, 3),
        ] {
            let g = planes(1, c, (h, w), 1, (pad_top, 1), (out_h, w));
            g.check().unwrap();
            let poison = [(h * w + w - 1, f32::NAN), (h * w + w, f32::INFINITY)];
            same_as_padded(&g, &mut rng, &poison, |p, x, y| {
                // SAFETY: AVX2 and FMA are available, checked above.
                unsafe { planes_with(&g, p, x, y, true) }
            });
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn stride_2_read_in_place_gives_the_padded_kernels_bits() {
        if !has_avx2() {
            return;
        }
        let mut rng = Rng(0x2B1D_E57A);
        // MoveNet's (16 → 8, 12 → 6, 24 → 12, 48 → 24), odd heights,
        // rows of several vectors with and without a partial last one,
        // and an output row past the input (out_h 3 of h 4 reads row 4).
        for (h, w, c, out_h) in [
            (16, 16, 5, 8),
            (12, 12, 4, 6),
            (24, 24, 3, 12),
            (48, 48, 2, 24),
            (5, 48, 3, 2),
            (7, 34, 3, 3),
            (4, 40, 3, 2),
            (4, 6, 3, 2),
        ] {
            let g = planes(1, c, (h, w), 2, (0, 0), (out_h, w / 2));
            g.check().unwrap();
            same_as_padded(&g, &mut rng, &[(h * w + 1, f32::NAN)], |p, x, y| {
                depthwise3x3(Isa::Avx2Fma, &g, p, x, y).unwrap()
            });
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn small_planes_give_the_padded_kernels_bits_and_keep_nan_in_its_plane() {
        if !has_avx2() {
            return;
        }
        let mut rng = Rng(0x5EED_0DDC);
        for (h, w, c, batch) in [
            (6, 6, 7, 1),
            (8, 8, 5, 2),
            (12, 12, 3, 1),
            (16, 16, 6, 1),
            (32, 32, 3, 1),
            (3, 4, 3, 1),
            (7, 5, 4, 1),
        ] {
            let g = planes(batch, c, (h, w), 1, (1, 1), (h, w));
            assert!(simd::small_planes_apply(&g), "{g:?}");
            // Non-finite values in the first, a middle and the last plane:
            // they must not reach the planes beside them.
            let hw = h * w;
            let poison = [
                (hw - 1, f32::NAN),
                (hw + w, f32::INFINITY),
                (g.input_len() - hw, f32::NEG_INFINITY),
            ];
            let runs = same_as_padded(&g, &mut rng, &poison, |p, x, y| {
                depthwise3x3(Isa::Avx2Fma, &g, p, x, y).unwrap()
            });
            let finite = |v: &[f32], plane: usize| {
                v[plane * hw..(plane + 1) * hw]
                    .iter()
                    .all(|x| x.is_finite())
            };
            for (input, flat) in runs {
                for plane in 0..batch * c {
                    if finite(&input, plane) {
                        assert!(finite(&flat, plane), "{g:?} plane {plane}");
                    }
                }
            }
        }
    }

    #[test]
    fn inconsistent_sizes_are_errors_not_panics() {
        let g = Geometry {
            batch: 1,
            channels: 2,
            h: 4,
            w: 4,
            stride: 1,
            pad_top: 1,
            pad_left: 1,
            out_h: 4,
            out_w: 4,
            channels_last: false,
        };
        let p = Params {
            weights: vec![0.0; 18].into(),
            bias: vec![0.0; 2].into(),
            clamp: None,
        };
        let mut out = vec![0.0; 32];
        assert!(depthwise3x3(Isa::Scalar, &g, &p, &[0.0; 31], &mut out).is_err());
        assert!(depthwise3x3(Isa::Scalar, &g, &p, &[0.0; 32], &mut out[..30]).is_err());
        let bad = Geometry { stride: 3, ..g };
        assert!(depthwise3x3(Isa::Scalar, &bad, &p, &[0.0; 32], &mut out).is_err());
        let bad = Geometry { out_h: 9, ..g };
        assert!(depthwise3x3(Isa::Scalar, &bad, &p, &[0.0; 32], &mut vec![0.0; 72]).is_err());
        assert!(depthwise3x3(Isa::Scalar, &g, &p, &[0.0; 32], &mut out).is_ok());
    }

    #[test]
    fn every_depthwise_conv_of_both_models_is_replaced_with_its_relu6() {
        for (bytes, name) in [
            (crate::pose::model::LIGHTNING_ONNX, "lightning"),
            (crate::pose::model::THUNDER_ONNX, "thunder"),
        ] {
            let mut typed = crate::pose::surgery::decluttered(bytes);
            let count = |m: &TypedModel, what: &str| {
                m.nodes().iter().filter(|n| n.op.name() == what).count()
            };
            let depthwise = |m: &TypedModel| {
                m.nodes()
                    .iter()
                    .filter(|n| n.op_as::<Conv>().is_some_and(|c| c.group > 1))
                    .count()
            };
            let (max_before, min_before) = (count(&typed, "Max"), count(&typed, "Min"));
            // The ONNX graphs hold 24 Conv nodes with group > 1, all 3x3:
            // 17 in the MobileNetV2 backbone (with a bias, then Clip 0..6)
            // and 7 in the keypoint heads (no bias, then a 1x1 Conv).
            assert_eq!(depthwise(&typed), 24, "{name}");
            assert_eq!(replace_depthwise(&mut typed, Isa::detect()).unwrap(), 24);
            assert_eq!(depthwise(&typed), 0, "{name}");
            let ours: Vec<&DepthwiseConv3x3> = typed
                .nodes()
                .iter()
                .filter_map(|n| n.op_as::<DepthwiseConv3x3>())
                .collect();
            assert_eq!(ours.len(), 24);
            let fused = ours
                .iter()
                .filter(|o| o.params.clamp == Some((0.0, 6.0)))
                .count();
            assert_eq!(fused, 17, "{name}");
            assert_eq!(count(&typed, "Max"), max_before - 17);
            assert_eq!(count(&typed, "Min"), min_before - 17);
            assert_eq!(ours.iter().filter(|o| o.geometry.stride == 2).count(), 4);
        }
    }

    #[test]
    fn the_detected_variant_is_among_the_available_ones() {
        assert!(Isa::available().contains(&Isa::detect()));
    }
}
