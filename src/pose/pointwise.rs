//! A pointwise (1×1, stride 1) convolution of our own, for MoveNet's
//! MobileNetV2 expansion / projection layers and its feature-pyramid and
//! head 1×1 convolutions, put in place of tract's matrix multiply by graph
//! surgery at load time (no fork of tract), like [`super::dwconv`].
//!
//! Why: after our depthwise kernel, tract 0.23.9's `OptMatMul` for the 50
//! pointwise convolutions was 8.9 ms of Lightning's 13.8 ms (22–32 GFLOP/s
//! on these small shapes) plus 1.3 ms packing their operands on every run
//! (`posturecam bench --profile`, issue 6).
//!
//! What: in the decluttered graph each of these is an `EinSum` of a
//! channels-first activation `[ci, h, w]` (the first, after the stem:
//! channels-last `[h, w, ci]`) with a constant `[co, ci]`, so
//! with `p` = pixel, `out[co, p] = bias[co] + Σ_ci W[co, ci] · in[ci, p]`,
//! followed by the bias `Add`, often a ReLU6 (`Max` 0, `Min` 6) or ReLU
//! (`Max` 0), and in the residual blocks an `Add` of the block's input.
//! All of that becomes one op.
//!
//! How: the weights are packed once, at load time, into panels of `MR`
//! output channels (`[ci][MR]`, zero-padded when `co` is not a multiple of
//! `MR`). Each block of 16 pixels of the input is copied into a contiguous
//! `[ci][16]` buffer (a channels-last input is transposed 8 × 8 in
//! registers on the way; each input row is prefetched four blocks ahead),
//! and every panel then passes over it. The register-blocked micro-kernel
//! keeps an `MR` channels × up to `NV` vectors of pixels tile of
//! accumulators in registers; for each input channel it loads `NV` vectors
//! of the packed block and does `MR × NV` broadcast FMAs. Bias, clamp and
//! residual are applied when the tile is stored. AVX2+FMA (6 channels × 2 × 8 pixels, 12 ymm
//! accumulators) and a plain fallback. An AVX-512 kernel (8 channels × 3 ×
//! 16 pixels, 24 zmm) was written and measured slower on the development
//! AMD EPYC (which splits 512-bit FMAs in two): 38–50 GFLOP/s against
//! 44–87 for AVX2 on every MoveNet shape, so AVX-512 CPUs run the AVX2
//! kernel. Loads and stores are plain (masked ones are microcoded on Zen
//! and cost 5–10% of the op); only the partial last vector of a row of
//! output is stored masked. Lightning's 49 take 5.9 ms (`bench --nodes`),
//! 95–110 GFLOP/s on friendly shapes, 57–80 on the 6 × 6 layers (a
//! quarter-full last tile) and the 96² one (memory).
//!
//! Every variant is tested against a direct triple loop on random inputs
//! (odd pixel counts, channel counts not multiples of the vector width,
//! with and without bias, clamp and residual), and the whole model against
//! onnxruntime in `tests/parity.rs`.

use std::cell::RefCell;
use std::sync::Arc;

use tract_onnx::prelude::*;
use tract_onnx::tract_core::internal::*;
use tract_onnx::tract_core::ops::einsum::EinSum;

use super::dwconv::{scalar_successor, Isa};
use super::surgery::{replace_with, same_bits, same_clamp};

/// Output channels per register panel for a kernel variant.
fn panel_rows(isa: Isa) -> usize {
    match isa {
        Isa::Scalar => 1,
        // AVX-512 CPUs run the AVX2 kernel (see the module notes).
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2Fma | Isa::Avx512 => 6,
    }
}

/// Weights packed for one kernel variant, with the bias and fused clamp.
#[derive(Clone, Debug)]
pub struct Packed {
    pub isa: Isa,
    /// Input channels (`ci`).
    pub k: usize,
    /// Output channels (`co`).
    pub m: usize,
    /// `ceil(m / MR)` panels of `[k][MR]`.
    panels: Arc<[f32]>,
    /// `bias[co]`, zero-padded to a whole number of panels.
    bias: Arc<[f32]>,
    /// The clamp of a fused ReLU6 / ReLU, applied after the bias.
    pub clamp: Option<(f32, f32)>,
}

impl PartialEq for Packed {
    fn eq(&self, other: &Self) -> bool {
        self.isa == other.isa
            && self.k == other.k
            && self.m == other.m
            && same_bits(&self.panels, &other.panels)
            && same_bits(&self.bias, &other.bias)
            && same_clamp(self.clamp, other.clamp)
    }
}
impl Eq for Packed {}

impl Packed {
    /// Packs `weights` (`[m][k]`, row-major, i.e. `W[co][ci]`) and `bias`
    /// (`[m]`, or empty for none) for `isa`.
    pub fn new(
        isa: Isa,
        m: usize,
        k: usize,
        weights: &[f32],
        bias: &[f32],
        clamp: Option<(f32, f32)>,
    ) -> TractResult<Packed> {
        ensure!(m > 0 && k > 0, "empty convolution: {m} × {k}");
        ensure!(
            weights.len() == m * k,
            "weights hold {} values, expected {m} × {k}",
            weights.len()
        );
        ensure!(
            bias.is_empty() || bias.len() == m,
            "bias holds {} values, expected {m}",
            bias.len()
        );
        if let Some((lo, hi)) = clamp {
            ensure!(lo <= hi, "clamp {lo} > {hi}");
        }
        let mr = panel_rows(isa);
        let np = m.div_ceil(mr);
        let mut panels = vec![0f32; np * k * mr];
        for co in 0..m {
            let (j, r) = (co / mr, co % mr);
            for ci in 0..k {
                panels[(j * k + ci) * mr + r] = weights[co * k + ci];
            }
        }
        let mut b = vec![0f32; np * mr];
        b[..bias.len()].copy_from_slice(bias);
        Ok(Packed {
            isa,
            k,
            m,
            panels: panels.into(),
            bias: b.into(),
            clamp,
        })
    }
}

/// `output[co][p] = clamp(bias[co] + Σ_ci W[co][ci] · input[ci][p]) (+
/// residual[co][p])` for `n` pixels, all buffers channels-first. Errors on
/// inconsistent sizes.
pub fn pointwise(
    p: &Packed,
    n: usize,
    input: &[f32],
    residual: Option<&[f32]>,
    output: &mut [f32],
) -> TractResult<()> {
    pointwise_from(p, n, input, false, residual, output)
}

/// [`pointwise`] with the input channels-last (`input[p][ci]`) when
/// `in_channels_last`; the output is channels-first either way.
pub fn pointwise_from(
    p: &Packed,
    n: usize,
    input: &[f32],
    in_channels_last: bool,
    residual: Option<&[f32]>,
    output: &mut [f32],
) -> TractResult<()> {
    ensure!(n > 0, "no pixels");
    ensure!(
        input.len() == p.k * n,
        "input holds {} values, expected {} × {n}",
        input.len(),
        p.k
    );
    ensure!(
        output.len() == p.m * n,
        "output holds {} values, expected {} × {n}",
        output.len(),
        p.m
    );
    if let Some(r) = residual {
        ensure!(
            r.len() == p.m * n,
            "residual holds {} values, expected {} × {n}",
            r.len(),
            p.m
        );
    }
    match p.isa {
        Isa::Scalar if in_channels_last => SCRATCH_IN.with(|t| {
            let mut t = t.borrow_mut();
            t.resize(p.k * n, 0.0);
            to_channels_first(input, n, p.k, &mut t);
            run_scalar(p, n, &t, n, 0, residual, output)
        }),
        Isa::Scalar => run_scalar(p, n, input, n, 0, residual, output),
        // SAFETY: these variants are only packed for when the CPU has the
        // features (Isa::detect / Isa::available), and the sizes were
        // checked above.
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2Fma | Isa::Avx512 => unsafe {
            x86::run_avx2(p, n, input, n, 0, in_channels_last, residual, output, n)
        },
    }
    Ok(())
}

/// [`pointwise`] on pixels `begin .. begin + n` of a channels-first input
/// whose channel rows are `in_stride` pixels long (a horizontal strip of
/// a larger image), into `output[co * out_stride .. + n]`; no residual.
pub(crate) fn pointwise_span(
    p: &Packed,
    input: &[f32],
    in_stride: usize,
    begin: usize,
    n: usize,
    output: &mut [f32],
    out_stride: usize,
) -> TractResult<()> {
    ensure!(n > 0, "no pixels");
    ensure!(
        begin + n <= in_stride && input.len() == p.k * in_stride,
        "pixels {begin}..{} of an input of {} × {in_stride}",
        begin + n,
        p.k
    );
    ensure!(
        out_stride >= n && output.len() >= (p.m - 1) * out_stride + n,
        "output length"
    );
    match p.isa {
        Isa::Scalar => {
            for (co, row) in output.chunks_mut(out_stride).take(p.m).enumerate() {
                let one = Packed {
                    m: 1,
                    panels: p.panels[co * p.k..(co + 1) * p.k].into(),
                    bias: p.bias[co..co + 1].into(),
                    ..p.clone()
                };
                run_scalar(&one, n, input, in_stride, begin, None, &mut row[..n]);
            }
        }
        // SAFETY: as in `pointwise_from`; the span was checked above.
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2Fma | Isa::Avx512 => unsafe {
            x86::run_avx2(
                p, n, input, in_stride, begin, false, None, output, out_stride,
            )
        },
    }
    Ok(())
}

/// [`pointwise`] of `n` pixels of a channels-last input (`input[p][ci]`),
/// into `output[co * out_stride .. + n]` (a horizontal strip of a larger
/// channels-first output); no residual.
pub(crate) fn pointwise_last_span(
    p: &Packed,
    input: &[f32],
    n: usize,
    output: &mut [f32],
    out_stride: usize,
) -> TractResult<()> {
    ensure!(n > 0 && input.len() == p.k * n, "input length");
    ensure!(
        out_stride >= n && output.len() >= (p.m - 1) * out_stride + n,
        "output length"
    );
    match p.isa {
        Isa::Scalar => SCRATCH.with(|t| {
            let mut t = t.borrow_mut();
            t.resize(p.m * n, 0.0);
            pointwise_from(p, n, input, true, None, &mut t)?;
            for (row, out) in t.chunks_exact(n).zip(output.chunks_mut(out_stride)) {
                out[..n].copy_from_slice(row);
            }
            Ok(())
        }),
        // SAFETY: as in `pointwise_from`; the sizes were checked above.
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2Fma | Isa::Avx512 => {
            unsafe { x86::run_avx2(p, n, input, n, 0, true, None, output, out_stride) };
            Ok(())
        }
    }
}

/// One output channel at a time: a row of bias, then one multiply-add of
/// each input channel's row (which the compiler vectorises).
/// The input's channel rows are `in_stride` long, read from `begin`.
fn run_scalar(
    p: &Packed,
    n: usize,
    input: &[f32],
    in_stride: usize,
    begin: usize,
    residual: Option<&[f32]>,
    output: &mut [f32],
) {
    let (lo, hi) = p.clamp.unwrap_or((f32::NEG_INFINITY, f32::INFINITY));
    for (co, out) in output.chunks_exact_mut(n).enumerate() {
        out.fill(p.bias[co]);
        // Panels of one row: W[co][ci] at co * k + ci.
        let w = &p.panels[co * p.k..(co + 1) * p.k];
        for (wv, x) in w.iter().zip(input.chunks_exact(in_stride)) {
            for (o, x) in out.iter_mut().zip(&x[begin..begin + n]) {
                *o += wv * x;
            }
        }
        if p.clamp.is_some() {
            for o in out.iter_mut() {
                *o = o.max(lo).min(hi);
            }
        }
        if let Some(r) = residual {
            for (o, r) in out.iter_mut().zip(&r[co * n..(co + 1) * n]) {
                *o += r;
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::Packed;
    use std::arch::x86_64::*;

    thread_local! {
        /// The input block being multiplied, reused per thread.
        static PACK: std::cell::RefCell<Vec<f32>> = const { std::cell::RefCell::new(Vec::new()) };
    }

    /// Copies pixels `p0 .. p0 + width` of every input channel into
    /// `pack` as `[k][W256]`, so the micro-kernel reads one contiguous
    /// block: read in place, the channel rows are `n` floats apart, and for
    /// the large layers (n = 96², 48²) that stride maps them onto a few L1
    /// cache sets. A channels-last input (`input[p][ci]`) is transposed on
    /// the way, 8 × 8 at a time where it can be.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    unsafe fn pack_block(
        input: &[f32],
        in_stride: usize,
        begin: usize,
        k: usize,
        in_channels_last: bool,
        p0: usize,
        width: usize,
        pack: &mut [f32],
    ) {
        if !in_channels_last {
            let p0 = begin + p0;
            for (dst, src) in pack
                .chunks_exact_mut(W256)
                .zip(input.chunks_exact(in_stride))
                .take(k)
            {
                dst[..width].copy_from_slice(&src[p0..p0 + width]);
                // The rows are read a cache line per block, k streams at
                // once: more than the hardware prefetcher follows (Thunder's
                // 240 → 40 on 64² ran at 62 GFLOP/s), so ask for the line
                // four blocks ahead.
                if p0 + PREFETCH < src.len() {
                    _mm_prefetch::<_MM_HINT_T0>(src.as_ptr().add(p0 + PREFETCH) as *const i8);
                }
            }
        } else if width == W256 && k.is_multiple_of(8) {
            for half in 0..2 {
                for c0 in (0..k).step_by(8) {
                    let src = input.as_ptr().add((p0 + 8 * half) * k + c0);
                    let rows: [__m256; 8] =
                        std::array::from_fn(|i| _mm256_loadu_ps(src.add(i * k)));
                    let cols = transpose8(rows);
                    for (j, col) in cols.iter().enumerate() {
                        _mm256_storeu_ps(pack.as_mut_ptr().add((c0 + j) * W256 + 8 * half), *col);
                    }
                }
            }
        } else {
            for (ci, dst) in pack.chunks_exact_mut(W256).take(k).enumerate() {
                for (j, d) in dst[..width].iter_mut().enumerate() {
                    *d = input[(p0 + j) * k + ci];
                }
            }
        }
    }

    /// The 8 × 8 transpose: `out[j]` lane `i` = `rows[i]` lane `j`.
    #[inline(always)]
    unsafe fn transpose8(r: [__m256; 8]) -> [__m256; 8] {
        let t0 = _mm256_unpacklo_ps(r[0], r[1]);
        let t1 = _mm256_unpackhi_ps(r[0], r[1]);
        let t2 = _mm256_unpacklo_ps(r[2], r[3]);
        let t3 = _mm256_unpackhi_ps(r[2], r[3]);
        let t4 = _mm256_unpacklo_ps(r[4], r[5]);
        let t5 = _mm256_unpackhi_ps(r[4], r[5]);
        let t6 = _mm256_unpacklo_ps(r[6], r[7]);
        let t7 = _mm256_unpackhi_ps(r[6], r[7]);
        let u0 = _mm256_shuffle_ps::<0x44>(t0, t2);
        let u1 = _mm256_shuffle_ps::<0xEE>(t0, t2);
        let u2 = _mm256_shuffle_ps::<0x44>(t1, t3);
        let u3 = _mm256_shuffle_ps::<0xEE>(t1, t3);
        let u4 = _mm256_shuffle_ps::<0x44>(t4, t6);
        let u5 = _mm256_shuffle_ps::<0xEE>(t4, t6);
        let u6 = _mm256_shuffle_ps::<0x44>(t5, t7);
        let u7 = _mm256_shuffle_ps::<0xEE>(t5, t7);
        [
            _mm256_permute2f128_ps::<0x20>(u0, u4),
            _mm256_permute2f128_ps::<0x20>(u1, u5),
            _mm256_permute2f128_ps::<0x20>(u2, u6),
            _mm256_permute2f128_ps::<0x20>(u3, u7),
            _mm256_permute2f128_ps::<0x31>(u0, u4),
            _mm256_permute2f128_ps::<0x31>(u1, u5),
            _mm256_permute2f128_ps::<0x31>(u2, u6),
            _mm256_permute2f128_ps::<0x31>(u3, u7),
        ]
    }

    /// One register tile: `rows` (≤ MR) output channels × `NV` vectors of
    /// pixels, the last vector masked.
    struct Tile {
        k: usize,
        /// Row stride (pixels) of the packed input block.
        ldb: usize,
        /// Row stride (pixels) of output and residual.
        n: usize,
        a: *const f32,
        b: *const f32,
        bias: *const f32,
        c: *mut f32,
        res: *const f32,
        rows: usize,
        /// The last vector of pixels is whole (no mask needed).
        last_whole: bool,
        clamp: bool,
        lo: f32,
        hi: f32,
    }

    /// Pixels per AVX2 tile: up to two 8-wide vectors.
    const W256: usize = 16;
    const MR256: usize = 6;
    /// How far ahead (pixels) each input row is prefetched.
    const PREFETCH: usize = 4 * W256;

    /// `n` pixels from `begin` of an input whose rows (channels-first) are
    /// `in_stride` long; a channels-last input is whole (`begin` 0).
    #[target_feature(enable = "avx2,fma")]
    #[allow(clippy::too_many_arguments)]
    pub(super) unsafe fn run_avx2(
        p: &Packed,
        n: usize,
        input: &[f32],
        in_stride: usize,
        begin: usize,
        in_channels_last: bool,
        residual: Option<&[f32]>,
        output: &mut [f32],
        out_stride: usize,
    ) {
        let panels = p.m.div_ceil(MR256);
        let (lo, hi) = p.clamp.unwrap_or((f32::NEG_INFINITY, f32::INFINITY));
        let res = residual.map_or(std::ptr::null(), |r| r.as_ptr());
        let mut pack = PACK.with(|b| std::mem::take(&mut *b.borrow_mut()));
        if pack.len() < p.k * W256 {
            pack.resize(p.k * W256, 0.0);
        }
        let lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
        // Block by block of pixels, each packed once and then met by every
        // panel of weights while it is in L1. (Packing many blocks and
        // passing each panel over all of them, to read large weights
        // fewer times, was measured 2-20% slower on every MoveNet shape:
        // the panels stream from L2 well enough.)
        let mut p0 = 0;
        while p0 < n {
            let width = (n - p0).min(W256);
            let nv = width.div_ceil(8);
            let last = width - (nv - 1) * 8;
            // Lanes below `last` have their sign bit set.
            let mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(last as i32), lanes);
            pack_block(
                input,
                in_stride,
                begin,
                p.k,
                in_channels_last,
                p0,
                width,
                &mut pack,
            );
            for j in 0..panels {
                let rows = (p.m - j * MR256).min(MR256);
                let t = Tile {
                    k: p.k,
                    ldb: W256,
                    n: out_stride,
                    a: p.panels.as_ptr().add(j * p.k * MR256),
                    b: pack.as_ptr(),
                    bias: p.bias.as_ptr().add(j * MR256),
                    c: output.as_mut_ptr().add(j * MR256 * out_stride + p0),
                    res: if res.is_null() {
                        res
                    } else {
                        res.add(j * MR256 * out_stride + p0)
                    },
                    rows,
                    last_whole: last == 8,
                    clamp: p.clamp.is_some(),
                    lo,
                    hi,
                };
                match (nv, rows) {
                    (1, MR256) => tile256::<1, MR256>(&t, mask),
                    (_, MR256) => tile256::<2, MR256>(&t, mask),
                    _ => partial_panel(&t, nv, mask),
                }
            }
            p0 += width;
        }
        PACK.with(|b| *b.borrow_mut() = pack);
    }

    /// A last panel of fewer than `MR256` rows: only its real rows are
    /// computed (MoveNet's 17, 34 and 1-channel heads and its 32, 40 and
    /// 56-channel projections would otherwise spend up to five sixths of
    /// that panel's FMAs on zero weights). Kept out of line, so that the
    /// full panels' loop is compiled as before: inlined into it, these ten
    /// variants made the full tiles 3-10% slower.
    #[target_feature(enable = "avx2,fma")]
    #[inline(never)]
    unsafe fn partial_panel(t: &Tile, nv: usize, mask: __m256i) {
        match (nv, t.rows) {
            (1, 5) => tile256::<1, 5>(t, mask),
            (1, 4) => tile256::<1, 4>(t, mask),
            (1, 3) => tile256::<1, 3>(t, mask),
            (1, 2) => tile256::<1, 2>(t, mask),
            (1, _) => tile256::<1, 1>(t, mask),
            (_, 5) => tile256::<2, 5>(t, mask),
            (_, 4) => tile256::<2, 4>(t, mask),
            (_, 3) => tile256::<2, 3>(t, mask),
            (_, 2) => tile256::<2, 2>(t, mask),
            (_, _) => tile256::<2, 1>(t, mask),
        }
    }

    #[inline(always)]
    unsafe fn tile256<const NV: usize, const R: usize>(t: &Tile, mask: __m256i) {
        debug_assert!(R == t.rows && R <= MR256);
        let mut acc = [[_mm256_setzero_ps(); NV]; R];
        for (r, row) in acc.iter_mut().enumerate() {
            let bv = _mm256_set1_ps(*t.bias.add(r));
            for v in row.iter_mut() {
                *v = bv;
            }
        }
        let mut a = t.a;
        let mut b = t.b;
        for _ in 0..t.k {
            // Plain loads, even for a partial last vector: the lanes past
            // the block's width in the packed block are left over from
            // earlier blocks and only reach output lanes that are never
            // stored. (A masked load here, even with a full mask, made the
            // whole op 5–10% slower on Zen 4.)
            let x: [__m256; NV] = std::array::from_fn(|v| _mm256_loadu_ps(b.add(8 * v)));
            for (r, row) in acc.iter_mut().enumerate() {
                let w = _mm256_set1_ps(*a.add(r));
                for (v, acc) in row.iter_mut().enumerate() {
                    *acc = _mm256_fmadd_ps(w, x[v], *acc);
                }
            }
            a = a.add(MR256);
            b = b.add(t.ldb);
        }
        // Row by row, written out: as a loop over the rows (which the
        // compiler chose once the row count was a constant) the
        // accumulators were spilled to the stack and read back, 3-14%
        // slower on the shapes of small k.
        macro_rules! store_rows {
            ($($r:literal)+) => {
                $(
                    if let Some(row) = acc.get($r) {
                        store_row::<NV>(t, $r, *row, mask);
                    }
                )+
            };
        }
        store_rows!(0 1 2 3 4 5);
    }

    /// Row `r` of a tile: clamp, residual, store.
    #[inline(always)]
    unsafe fn store_row<const NV: usize>(t: &Tile, r: usize, row: [__m256; NV], mask: __m256i) {
        let (lo, hi) = (_mm256_set1_ps(t.lo), _mm256_set1_ps(t.hi));
        for (v, acc) in row.iter().enumerate() {
            let mut y = *acc;
            if t.clamp {
                y = _mm256_min_ps(_mm256_max_ps(y, lo), hi);
            }
            let off = r * t.n + 8 * v;
            // A masked store is microcoded and slow on AMD CPUs (Zen),
            // so only the partial last vector of a row uses one.
            if v + 1 < NV || t.last_whole {
                if !t.res.is_null() {
                    y = _mm256_add_ps(y, _mm256_loadu_ps(t.res.add(off)));
                }
                _mm256_storeu_ps(t.c.add(off), y);
            } else {
                if !t.res.is_null() {
                    y = _mm256_add_ps(y, _mm256_maskload_ps(t.res.add(off), mask));
                }
                _mm256_maskstore_ps(t.c.add(off), mask, y);
            }
        }
    }
}

thread_local! {
    /// The channels-first result before its transpose, reused per thread.
    static SCRATCH: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
    /// A channels-last input transposed to channels-first.
    static SCRATCH_IN: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
}

/// `y[p][c] = s[c][p]` for `m` channels of `n` pixels, in 16 × 16 tiles
/// so that neither side is read or written a whole row apart (the rows of
/// `s` are `4 n` bytes apart: 9 KB for MoveNet's heads, which alone would
/// map a column onto a few cache sets).
fn to_channels_last(s: &[f32], m: usize, n: usize, y: &mut [f32]) {
    const T: usize = 16;
    for c0 in (0..m).step_by(T) {
        let c1 = (c0 + T).min(m);
        for p0 in (0..n).step_by(T) {
            let p1 = (p0 + T).min(n);
            for p in p0..p1 {
                let row = &mut y[p * m + c0..p * m + c1];
                for (c, v) in (c0..c1).zip(row.iter_mut()) {
                    *v = s[c * n + p];
                }
            }
        }
    }
}

/// `t[c][p] = x[p][c]` for `n` pixels of `k` channels, a block of pixels at
/// a time so that both sides stay in cache.
fn to_channels_first(x: &[f32], n: usize, k: usize, t: &mut [f32]) {
    const BLOCK: usize = 16;
    for p0 in (0..n).step_by(BLOCK) {
        let end = (p0 + BLOCK).min(n);
        let rows = &x[p0 * k..end * k];
        for (c, dst) in t.chunks_exact_mut(n).enumerate().take(k) {
            for (d, px) in dst[p0..end].iter_mut().zip(rows.chunks_exact(k)) {
                *d = px[c];
            }
        }
    }
}

/// The tract op: input `[ci, h, w]` (and, with a fused residual, a second
/// input `[co, h, w]`), output `[co, h, w]`, f32.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PointwiseConv {
    pub params: Packed,
    /// Pixels, `h · w`.
    pub pixels: usize,
    pub residual: bool,
    /// The input is `[h, w, ci]`: transposed to channels-first first.
    pub in_channels_last: bool,
    /// The output is `[h, w, co]` (MoveNet's heads): computed channels
    /// first, then transposed.
    pub out_channels_last: bool,
    pub output_shape: TVec<usize>,
}

impl Op for PointwiseConv {
    fn name(&self) -> StaticName {
        "PosturecamPointwise".into()
    }

    fn info(&self) -> TractResult<Vec<String>> {
        Ok(vec![format!(
            "{} → {} channels × {} pixels{}, clamp {:?}, residual {}, {:?}",
            self.params.k,
            self.params.m,
            self.pixels,
            if self.in_channels_last {
                ", channels-last input"
            } else {
                ""
            },
            self.params.clamp,
            self.residual,
            self.params.isa
        )])
    }

    fn validation(&self) -> Validation {
        Validation::Rounding
    }

    op_as_typed_op!();
}

impl EvalOp for PointwiseConv {
    op_out_of_plan!();

    fn eval(&self, _ctx: &EvalContext, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
        ensure!(
            inputs.len() == 1 + self.residual as usize,
            "{} inputs",
            inputs.len()
        );
        let x = inputs[0].try_as_plain_ram()?;
        let x = x.as_slice::<f32>()?;
        let r = match inputs.get(1) {
            Some(r) => Some(r.try_as_plain_ram()?),
            None => None,
        };
        let r = match &r {
            Some(r) => Some(r.as_slice::<f32>()?),
            None => None,
        };
        // SAFETY: every element is written by `pointwise` (or the
        // transpose) before it is read.
        let mut out = unsafe { Tensor::uninitialized::<f32>(&self.output_shape)? };
        {
            let mut view = out.try_as_plain_ram_mut()?;
            let y = view.as_slice_mut::<f32>()?;
            if self.out_channels_last {
                let (m, n) = (self.params.m, self.pixels);
                ensure!(y.len() == m * n, "output length");
                SCRATCH.with(|s| -> TractResult<()> {
                    let mut s = s.borrow_mut();
                    s.resize(m * n, 0.0);
                    pointwise_from(&self.params, n, x, self.in_channels_last, r, &mut s)?;
                    to_channels_last(&s, m, n, y);
                    Ok(())
                })?;
            } else {
                pointwise_from(&self.params, self.pixels, x, self.in_channels_last, r, y)?;
            }
        }
        Ok(tvec!(out.into_tvalue()))
    }
}

impl TypedOp for PointwiseConv {
    fn output_facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
        ensure!(inputs.len() == 1 + self.residual as usize);
        ensure!(inputs.iter().all(|i| i.datum_type == f32::datum_type()));
        Ok(tvec!(f32::fact(&*self.output_shape)))
    }

    as_op!();
}

/// How an `EinSum` is a pointwise convolution: `x` channels-first
/// (`[ci, h, w]`, with any axes of size 1 around) or channels-last (`[h, w,
/// ci]`, the first one after MoveNet's stem), `W` `[co, ci]` or
/// `[ci, co]` or `[ci]` (one output channel), output `[co, h, w]` or `[h,
/// w, co]` (again with any axes of size 1).
#[derive(Debug, PartialEq)]
struct Layout {
    k: usize,
    m: usize,
    pixels: usize,
    w_co_first: bool,
    in_channels_last: bool,
    out_channels_last: bool,
    /// Where `co` sits in the output shape (none for one channel without
    /// an axis of its own).
    out_channel_axis: Option<usize>,
}

impl Layout {
    fn of(
        op: &EinSum,
        x_shape: &[usize],
        w_shape: &[usize],
        out_shape: &[usize],
    ) -> Option<Layout> {
        let (ins, outs) = op.axes.to_strs();
        let chars = |s: &str| s.chars().collect::<Vec<char>>();
        let (x_ax, w_ax, o_ax) = (
            chars(ins.first()?),
            chars(ins.get(1)?),
            chars(outs.first()?),
        );
        if x_ax.len() != x_shape.len()
            || w_ax.len() != w_shape.len()
            || o_ax.len() != out_shape.len()
        {
            return None;
        }
        let unique = |v: &[char]| (1..v.len()).all(|i| !v[..i].contains(&v[i]));
        if !unique(&x_ax) || !unique(&w_ax) || !unique(&o_ax) {
            return None;
        }
        // The contracted axis (in x and W, not in the output) and the
        // output-channel axis (in W and the output, not in x).
        let (c, d, w_co_first) = match w_ax[..] {
            [c] => (c, None, true),
            [a, b] if x_ax.contains(&b) && !x_ax.contains(&a) => (b, Some(a), true),
            [a, b] if x_ax.contains(&a) && !x_ax.contains(&b) => (a, Some(b), false),
            _ => return None,
        };
        if o_ax.contains(&c) || !x_ax.contains(&c) || d.is_some_and(|d| !o_ax.contains(&d)) {
            return None;
        }
        let size = |ax: &[char], shape: &[usize], l: char| {
            shape[ax.iter().position(|a| *a == l).unwrap_or(0)]
        };
        let k = size(&x_ax, x_shape, c);
        let m = d.map_or(1, |d| size(&w_ax, w_shape, d));
        if k != size(&w_ax, w_shape, c) || d.is_some_and(|d| size(&o_ax, out_shape, d) != m) {
            return None;
        }
        // Drop the axes of size 1 (other than the channel axes): x must be
        // [c, spatial...], the output [d, spatial...] or [spatial..., d].
        let x_keep: Vec<char> = x_ax
            .iter()
            .zip(x_shape)
            .filter(|(a, s)| **a == c || **s != 1)
            .map(|(a, _)| *a)
            .collect();
        let o_keep: Vec<char> = o_ax
            .iter()
            .zip(out_shape)
            .filter(|(a, s)| Some(**a) == d || **s != 1)
            .map(|(a, _)| *a)
            .collect();
        let (spatial, in_channels_last) = if x_keep.first() == Some(&c) {
            (&x_keep[1..], false)
        } else if x_keep.last() == Some(&c) {
            (&x_keep[..x_keep.len() - 1], true)
        } else {
            return None;
        };
        let out_channels_last = match d {
            None => {
                if o_keep != spatial {
                    return None;
                }
                false
            }
            Some(d) => {
                if o_keep.first() == Some(&d) && o_keep[1..] == *spatial {
                    false
                } else if o_keep.last() == Some(&d) && o_keep[..o_keep.len() - 1] == *spatial {
                    !spatial.is_empty()
                } else {
                    return None;
                }
            }
        };
        // The spatial axes must have the same sizes in and out.
        if spatial
            .iter()
            .any(|a| size(&x_ax, x_shape, *a) != size(&o_ax, out_shape, *a))
        {
            return None;
        }
        let pixels: usize = spatial.iter().map(|a| size(&x_ax, x_shape, *a)).product();
        if k == 0 || m == 0 || pixels == 0 {
            return None;
        }
        Some(Layout {
            k,
            m,
            pixels,
            w_co_first,
            in_channels_last,
            out_channels_last,
            out_channel_axis: d.and_then(|d| o_ax.iter().position(|a| *a == d)),
        })
    }
}

/// A constant's values as f32, if `outlet` is one.
fn const_values(
    model: &TypedModel,
    outlet: OutletId,
) -> TractResult<Option<(Vec<usize>, Vec<f32>)>> {
    let Some(k) = model.outlet_fact(outlet)?.konst.clone() else {
        return Ok(None);
    };
    if k.datum_type() != f32::datum_type() {
        return Ok(None);
    }
    let v = k.try_as_plain_ram()?.as_slice::<f32>()?.to_vec();
    Ok(Some((k.shape().to_vec(), v)))
}

/// Node `id`'s only successor, if it is not a model output itself.
fn only_successor(model: &TypedModel, id: usize) -> Option<&TypedNode> {
    if model.outputs.iter().any(|o| o.node == id) {
        return None;
    }
    model.single_succ(id).ok()?
}

/// What `node` would become, if it is a pointwise convolution this module
/// runs: the op, its inputs, and the outlet it replaces (that of the last
/// node folded in).
fn plan_for(
    model: &TypedModel,
    node: &TypedNode,
    order: &[usize],
    isa: Isa,
) -> TractResult<Option<(PointwiseConv, TVec<OutletId>, OutletId)>> {
    let Some(op) = node.op_as::<EinSum>() else {
        return Ok(None);
    };
    if op.q_params.is_some() || op.operating_dt != f32::datum_type() || node.inputs.len() != 2 {
        return Ok(None);
    }
    let x_fact = model.outlet_fact(node.inputs[0])?;
    if x_fact.datum_type != f32::datum_type() || x_fact.konst.is_some() {
        return Ok(None);
    }
    let Some(x_shape) = x_fact.shape.as_concrete().map(|s| s.to_vec()) else {
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
    let Some((w_shape, weights)) = const_values(model, node.inputs[1])? else {
        return Ok(None);
    };
    let Some(layout) = Layout::of(op, &x_shape, &w_shape, &out_shape) else {
        return Ok(None);
    };
    let (k, m, pixels) = (layout.k, layout.m, layout.pixels);
    // W[co][ci] row-major, whichever way round the constant holds it.
    let weights = if layout.w_co_first {
        weights
    } else {
        (0..m * k).map(|i| weights[(i % k) * m + i / k]).collect()
    };

    // Fold the bias Add, a ReLU6 / ReLU, and a residual Add after them.
    let mut last = node.id;
    let mut bias = vec![];
    if let Some(add) = only_successor(model, last).filter(|s| s.op.name() == "Add") {
        let other = add.inputs.iter().find(|i| i.node != last).copied();
        if let Some(other) = other.filter(|_| add.inputs.len() == 2) {
            if let Some((_, b)) = const_values(model, other)? {
                let b_shape = model
                    .outlet_fact(other)?
                    .shape
                    .as_concrete()
                    .map(|s| s.to_vec());
                // One value per output channel, along the output's channel
                // axis (any axis when there is a single channel).
                let per_channel = b_shape.is_some_and(|bs| {
                    bs.len() == out_shape.len()
                        && bs.iter().enumerate().all(|(i, d)| {
                            *d == 1 || (Some(i) == layout.out_channel_axis && *d == m)
                        })
                });
                if per_channel && b.len() == m {
                    bias = b;
                    last = add.id;
                }
            }
        }
    }
    let mut clamp = None;
    if let Some((max_id, lo)) = scalar_successor(model, last, "Max") {
        match scalar_successor(model, max_id, "Min") {
            Some((min_id, hi)) if lo <= hi => {
                clamp = Some((lo, hi));
                last = min_id;
            }
            _ => {
                clamp = Some((lo, f32::INFINITY));
                last = max_id;
            }
        }
    }
    let mut inputs = tvec!(node.inputs[0]);
    if let Some(add) = only_successor(model, last).filter(|s| s.op.name() == "Add") {
        let pos = |id: usize| order.iter().position(|o| *o == id);
        let other = add.inputs.iter().find(|i| i.node != last).copied();
        if let Some(other) = other.filter(|_| add.inputs.len() == 2) {
            let fact = model.outlet_fact(other)?;
            // The residual must be computed before this convolution (so it
            // cannot depend on it) and have the output's exact shape.
            let before = matches!((pos(other.node), pos(node.id)), (Some(a), Some(b)) if a < b);
            if before
                && !layout.out_channels_last
                && fact.datum_type == f32::datum_type()
                && fact.shape.as_concrete() == Some(&out_shape[..])
                && model
                    .outlet_fact(OutletId::new(add.id, 0))?
                    .shape
                    .as_concrete()
                    == Some(&out_shape[..])
            {
                inputs.push(other);
                last = add.id;
            }
        }
    }
    let params = Packed::new(isa, m, k, &weights, &bias, clamp)?;
    let residual = inputs.len() == 2;
    let op = PointwiseConv {
        params,
        pixels,
        residual,
        in_channels_last: layout.in_channels_last,
        out_channels_last: layout.out_channels_last,
        output_shape: out_shape.into(),
    };
    Ok(Some((op, inputs, OutletId::new(last, 0))))
}

/// Puts [`PointwiseConv`] in place of every pointwise convolution of a
/// decluttered model that it can run (with the bias, ReLU6 / ReLU and
/// residual Add after it); returns how many it replaced. Anything else is
/// left to tract.
pub fn replace_pointwise(model: &mut TypedModel, isa: Isa) -> TractResult<usize> {
    let mut count = 0;
    for id in model.eval_order()? {
        let node = model.node(id);
        if node.op_as::<EinSum>().is_none() {
            continue;
        }
        // Fresh each time: it must hold the nodes earlier patches added
        // (a residual is often the output of one of ours).
        let order = model.eval_order()?;
        let Some((op, inputs, replaced)) = plan_for(model, node, &order, isa)? else {
            continue;
        };
        let name = node.name.clone();
        replace_with(model, name, op, &inputs, replaced)?;
        count += 1;
    }
    model.compact()?;
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::pose::surgery::Rng;

    /// The definition, in f64: out[co][p] = clamp(b[co] + Σ W[co][ci] ·
    /// x[ci][p]) + r[co][p].
    #[allow(clippy::too_many_arguments)]
    fn reference(
        m: usize,
        k: usize,
        n: usize,
        w: &[f32],
        b: &[f32],
        clamp: Option<(f32, f32)>,
        x: &[f32],
        r: Option<&[f32]>,
    ) -> Vec<f32> {
        let (lo, hi) = clamp.unwrap_or((f32::NEG_INFINITY, f32::INFINITY));
        let mut out = vec![0f32; m * n];
        for co in 0..m {
            for p in 0..n {
                let mut a = b.get(co).copied().unwrap_or(0.0) as f64;
                for ci in 0..k {
                    a += w[co * k + ci] as f64 * x[ci * n + p] as f64;
                }
                let mut y = (a as f32).max(lo).min(hi);
                if let Some(r) = r {
                    y += r[co * n + p];
                }
                out[co * n + p] = y;
            }
        }
        out
    }

    #[test]
    fn every_variant_matches_the_reference_on_random_inputs() {
        let mut rng = Rng(0x2545_F491_4F6C_DD1D);
        let mut cases = 0;
        for isa in Isa::available() {
            // Channel counts on and off the panel heights (8, 6), with a
            // last panel of every height 1-6, and vector widths (16, 8);
            // pixel counts below, at, and across one tile (48 / 16) and
            // one vector, as in MoveNet (36 = 6×6, 144).
            for (m, k) in [
                (1, 1),
                (5, 3),
                (9, 5),
                (8, 16),
                (24, 96),
                (17, 33),
                (34, 7),
                (96, 24),
                // Weights too large for L1 (164 KB).
                (64, 640),
                // k a multiple of 8: channels-last input transposed 8 × 8.
                (16, 32),
            ] {
                for n in [1, 7, 15, 16, 17, 36, 47, 48, 49, 64, 100, 144] {
                    for (bias, clamp, residual) in [
                        (false, None, false),
                        (true, None, false),
                        (true, Some((0.0, 6.0)), false),
                        (true, Some((0.0, 0.3)), false),
                        (true, None, true),
                        (false, Some((-0.2, f32::INFINITY)), true),
                    ] {
                        let w = rng.vec(m * k);
                        let b = if bias { rng.vec(m) } else { vec![] };
                        let x = rng.vec(k * n);
                        let r = residual.then(|| rng.vec(m * n));
                        let want = reference(m, k, n, &w, &b, clamp, &x, r.as_deref());
                        let p = Packed::new(isa, m, k, &w, &b, clamp).unwrap();
                        // The same input channels-last: x_cl[p][ci].
                        let x_cl: Vec<f32> = (0..n * k).map(|i| x[(i % k) * n + i / k]).collect();
                        for (input, channels_last) in [(&x, false), (&x_cl, true)] {
                            let mut got = vec![f32::NAN; m * n];
                            pointwise_from(&p, n, input, channels_last, r.as_deref(), &mut got)
                                .unwrap();
                            for (i, (a, e)) in got.iter().zip(&want).enumerate() {
                                assert!(
                                    (a - e).abs() <= 1e-5 * (1.0 + k as f32).sqrt(),
                                    "{isa:?} m {m} k {k} n {n} channels-last {channels_last} \
                                     bias {bias} clamp {clamp:?} residual {residual} at {i}: \
                                     {a} vs {e}"
                                );
                            }
                            cases += 1;
                        }
                    }
                }
            }
        }
        assert!(cases >= 9 * 12 * 6 * 2, "{cases} cases");
    }

    #[test]
    fn a_clamp_that_cuts_everything_gives_its_bounds() {
        // All products positive and large: every output is the upper bound.
        for isa in Isa::available() {
            let p = Packed::new(isa, 3, 2, &[1.0; 6], &[0.5; 3], Some((0.0, 6.0))).unwrap();
            let mut out = vec![0.0; 3 * 20];
            pointwise(&p, 20, &[10.0; 40], None, &mut out).unwrap();
            assert!(out.iter().all(|v| *v == 6.0), "{isa:?} {out:?}");
            let p = Packed::new(isa, 3, 2, &[1.0; 6], &[], Some((0.0, 6.0))).unwrap();
            pointwise(&p, 20, &[-10.0; 40], None, &mut out).unwrap();
            assert!(out.iter().all(|v| *v == 0.0), "{isa:?} {out:?}");
        }
    }

    #[test]
    fn inconsistent_sizes_are_errors_not_panics() {
        let isa = Isa::detect();
        assert!(Packed::new(isa, 2, 3, &[0.0; 5], &[], None).is_err());
        assert!(Packed::new(isa, 2, 3, &[0.0; 6], &[0.0; 3], None).is_err());
        assert!(Packed::new(isa, 0, 3, &[], &[], None).is_err());
        assert!(Packed::new(isa, 2, 3, &[0.0; 6], &[], Some((1.0, 0.0))).is_err());
        let p = Packed::new(isa, 2, 3, &[0.0; 6], &[], None).unwrap();
        let mut out = vec![0.0; 8];
        assert!(pointwise(&p, 4, &[0.0; 11], None, &mut out).is_err());
        assert!(pointwise(&p, 4, &[0.0; 12], None, &mut out[..7]).is_err());
        assert!(pointwise(&p, 4, &[0.0; 12], Some(&[0.0; 7]), &mut out).is_err());
        assert!(pointwise(&p, 0, &[], None, &mut []).is_err());
        assert!(pointwise(&p, 4, &[0.0; 12], Some(&[0.0; 8]), &mut out).is_ok());
    }

    /// A model of one EinSum `axes` (input `x_shape`, constant weights
    /// `w_shape`), run by tract as it is and with ours in its place, on
    /// random input: both outputs.
    fn ours_and_tracts(axes: &str, x_shape: &[usize], w_shape: &[usize]) -> (Vec<f32>, Vec<f32>) {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let mut model = TypedModel::default();
        let x = model.add_source("x", f32::fact(x_shape)).unwrap();
        let w = tract_ndarray::ArrayD::from_shape_vec(w_shape, rng.vec(w_shape.iter().product()))
            .unwrap();
        let w = model.add_const("w", Tensor::from(w)).unwrap();
        let y = model
            .wire_node(
                "pw",
                EinSum::new(axes.parse().unwrap(), f32::datum_type()),
                &[x, w],
            )
            .unwrap();
        model.select_output_outlets(&y).unwrap();
        let input =
            tract_ndarray::ArrayD::from_shape_vec(x_shape, rng.vec(x_shape.iter().product()))
                .unwrap();
        let run = |m: TypedModel| -> Vec<f32> {
            let out = m
                .into_optimized()
                .unwrap()
                .into_runnable()
                .unwrap()
                .run(tvec!(Tensor::from(input.clone()).into()))
                .unwrap();
            out[0]
                .to_plain_array_view::<f32>()
                .unwrap()
                .iter()
                .copied()
                .collect()
        };
        let tracts = run(model.clone());
        let mut ours = model;
        let isa = *Isa::available().last().unwrap();
        assert_eq!(replace_pointwise(&mut ours, isa).unwrap(), 1, "{axes}");
        (run(ours), tracts)
    }

    #[test]
    fn channels_last_inputs_and_outputs_give_what_tract_gives() {
        for (axes, x, w) in [
            // MoveNet's first after the stem, at small sizes.
            ("abcd,ed->ebc", &[1, 9, 7, 32][..], &[16, 32][..]),
            ("abcd,ed->ebc", &[1, 5, 5, 3], &[7, 3]),
            // Channels-last in and out.
            ("abc,dc->abd", &[6, 5, 12], &[9, 12]),
            // Channels-last out, as MoveNet's heads: 34 channels, 380
            // pixels (whole and partial 16 × 16 tiles of the transpose).
            ("abc,da->bcd", &[24, 20, 19], &[34, 24]),
            // Channels-first, for comparison.
            ("abc,da->dbc", &[12, 6, 5], &[9, 12]),
        ] {
            let (ours, tracts) = ours_and_tracts(axes, x, w);
            assert_eq!(ours.len(), tracts.len());
            for (a, b) in ours.iter().zip(&tracts) {
                assert!(
                    (a - b).abs() <= 1e-4 * (1.0 + b.abs()),
                    "{axes}: {a} vs {b}"
                );
            }
        }
    }

    #[test]
    fn layouts_are_read_from_the_einsum_axes() {
        let of = |axes: &str, x: &[usize], w: &[usize], o: &[usize]| {
            Layout::of(
                &EinSum::new(axes.parse().unwrap(), f32::datum_type()),
                x,
                w,
                o,
            )
        };
        let l = |k, m, pixels, w_co_first, out_channels_last, out_channel_axis| {
            Some(Layout {
                k,
                m,
                pixels,
                w_co_first,
                in_channels_last: false,
                out_channels_last,
                out_channel_axis,
            })
        };
        // The backbone: [ci, h, w] × [co, ci] → [co, h, w].
        assert_eq!(
            of("abc,da->dbc", &[24, 48, 48], &[96, 24], &[96, 48, 48]),
            l(24, 96, 2304, true, false, Some(0))
        );
        // The feature pyramid: a leading axis of size 1 in or out.
        assert_eq!(
            of(
                "eabc,da->edbc",
                &[1, 64, 12, 12],
                &[32, 64],
                &[1, 32, 12, 12]
            ),
            l(64, 32, 144, true, false, Some(1))
        );
        // The heads: channels-last output, and a single channel.
        assert_eq!(
            of("abc,da->ebcd", &[96, 48, 48], &[34, 96], &[1, 48, 48, 34]),
            l(96, 34, 2304, true, true, Some(3))
        );
        assert_eq!(
            of("abc,a->ebcf", &[96, 48, 48], &[96], &[1, 48, 48, 1]),
            l(96, 1, 2304, true, false, None)
        );
        // Weights stored [ci, co].
        assert_eq!(
            of("abc,ad->dbc", &[5, 3, 2], &[5, 7], &[7, 3, 2]),
            l(5, 7, 6, false, false, Some(0))
        );
        // The first after the stem: channels-last input.
        assert_eq!(
            of("abcd,ed->ebc", &[1, 9, 9, 32], &[16, 32], &[16, 9, 9]),
            Some(Layout {
                in_channels_last: true,
                ..l(32, 16, 81, true, false, Some(0)).unwrap()
            })
        );
        // Not ours: channels in the middle, spatial axes summed or
        // swapped, sizes that disagree.
        assert_eq!(of("bac,da->dbc", &[3, 4, 5], &[2, 4], &[2, 3, 5]), None);
        assert_eq!(of("abc,da->d", &[4, 3, 3], &[2, 4], &[2]), None);
        assert_eq!(of("abc,da->dcb", &[4, 3, 5], &[2, 4], &[2, 5, 3]), None);
        assert_eq!(of("abc,da->dbc", &[4, 3, 3], &[2, 5], &[2, 3, 3]), None);
    }

    #[test]
    fn the_pointwise_convolutions_of_both_models_are_replaced_with_what_follows() {
        for (bytes, name) in [
            (crate::pose::model::LIGHTNING_ONNX, "lightning"),
            (crate::pose::model::THUNDER_ONNX, "thunder"),
        ] {
            let mut typed = crate::pose::surgery::decluttered(bytes);
            super::super::dwconv::replace_depthwise(&mut typed, Isa::detect()).unwrap();
            let count = |m: &TypedModel, what: &str| {
                m.nodes().iter().filter(|n| n.op.name() == what).count()
            };
            let einsums = count(&typed, "EinSum");
            let replaced = replace_pointwise(&mut typed, Isa::detect()).unwrap();
            let ours: Vec<&PointwiseConv> = typed
                .nodes()
                .iter()
                .filter_map(|n| n.op_as::<PointwiseConv>())
                .collect();
            let with =
                |clamp: Option<(f32, f32)>| ours.iter().filter(|o| o.params.clamp == clamp).count();
            // 49 EinSums after declutter, all ours: the first with a
            // channels-last input; 17 with the backbone's ReLU6, 7 with a
            // ReLU (pyramid and heads), 13 with a residual or pyramid Add, 3
            // head outputs (17 and 34 channels) channels-last.
            assert_eq!((einsums, replaced), (49, 49), "{name}");
            assert_eq!(
                ours.iter().filter(|o| o.in_channels_last).count(),
                1,
                "{name}"
            );
            assert_eq!(with(Some((0.0, 6.0))), 17, "{name}");
            assert_eq!(with(Some((0.0, f32::INFINITY))), 7, "{name}");
            assert_eq!(ours.iter().filter(|o| o.residual).count(), 13, "{name}");
            assert_eq!(
                ours.iter().filter(|o| o.out_channels_last).count(),
                3,
                "{name}"
            );
            assert_eq!(ours.len(), replaced);
            assert_eq!(count(&typed, "EinSum"), einsums - replaced);
        }
    }
}
