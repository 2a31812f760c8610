//! Bilinear 2× upsampling (ONNX `Resize`, mode `linear`, coordinate
//! transformation `half_pixel`) of the two last axes, put in place of
//! tract's general `Resize` at load time.
//!
//! Why: MoveNet's feature pyramid upsamples three maps by 2× and tract's
//! general resampler took 1.1 ms of Lightning's inference for 83 k output
//! values (`posturecam bench --profile`). At exactly 2× with half-pixel
//! centres every output is 0.75 of its nearest input plus 0.25 of the next
//! one out, per axis, with the edge sample repeated (the input coordinate
//! clamped to the image, as onnxruntime does), so the op is two short
//! vectorisable passes per plane.

use std::cell::RefCell;

use tract_onnx::prelude::*;
use tract_onnx::tract_core::internal::*;
use tract_onnx::tract_core::ops::nn::resize::{CoordTransformer, Interpolator, Resize};

use super::surgery::replace_with;

thread_local! {
    static ROWS: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
}

/// Upsamples `planes` planes of `h`×`w` in `src` to `2h`×`2w` in `dst`.
pub fn upsample2x(
    planes: usize,
    h: usize,
    w: usize,
    src: &[f32],
    dst: &mut [f32],
) -> TractResult<()> {
    ensure!(h > 0 && w > 0, "empty plane");
    ensure!(
        src.len() == planes * h * w && dst.len() == planes * 4 * h * w,
        "sizes"
    );
    ROWS.with(|rows| {
        let mut tmp = rows.borrow_mut();
        tmp.resize(h * 2 * w, 0.0);
        for (s, d) in src.chunks_exact(h * w).zip(dst.chunks_exact_mut(4 * h * w)) {
            // Along rows: h x 2w.
            for (row, t) in s.chunks_exact(w).zip(tmp.chunks_exact_mut(2 * w)) {
                for k in 0..w {
                    let c = row[k];
                    let left = row[k.saturating_sub(1)];
                    let right = row[(k + 1).min(w - 1)];
                    t[2 * k] = 0.25 * left + 0.75 * c;
                    t[2 * k + 1] = 0.75 * c + 0.25 * right;
                }
            }
            // Along columns: 2h x 2w.
            for k in 0..h {
                let c = &tmp[k * 2 * w..(k + 1) * 2 * w];
                let up = &tmp[k.saturating_sub(1) * 2 * w..(k.saturating_sub(1) + 1) * 2 * w];
                let kd = (k + 1).min(h - 1);
                let down = &tmp[kd * 2 * w..(kd + 1) * 2 * w];
                let (even, odd) = d[2 * k * 2 * w..(2 * k + 2) * 2 * w].split_at_mut(2 * w);
                for (((e, o), (u, c)), dn) in even
                    .iter_mut()
                    .zip(odd.iter_mut())
                    .zip(up.iter().zip(c))
                    .zip(down)
                {
                    *e = 0.25 * u + 0.75 * c;
                    *o = 0.75 * c + 0.25 * dn;
                }
            }
        }
        Ok(())
    })
}

/// The tract op: `[.., h, w]` f32 to `[.., 2h, 2w]`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Upsample2x {
    pub input_shape: TVec<usize>,
}

impl Upsample2x {
    fn output_shape(&self) -> TVec<usize> {
        let mut s = self.input_shape.clone();
        let r = s.len();
        s[r - 2] *= 2;
        s[r - 1] *= 2;
        s
    }
}

impl Op for Upsample2x {
    fn name(&self) -> StaticName {
        "PosturecamUpsample2x".into()
    }

    fn validation(&self) -> Validation {
        Validation::Rounding
    }

    op_as_typed_op!();
}

impl EvalOp for Upsample2x {
    op_out_of_plan!();

    fn eval(&self, _ctx: &EvalContext, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
        ensure!(inputs.len() == 1, "one input");
        ensure!(inputs[0].shape() == &*self.input_shape, "input shape");
        let r = self.input_shape.len();
        let (h, w) = (self.input_shape[r - 2], self.input_shape[r - 1]);
        let planes = self.input_shape[..r - 2].iter().product();
        let x = inputs[0].try_as_plain_ram()?;
        let x = x.as_slice::<f32>()?;
        let mut out = Tensor::zero::<f32>(&self.output_shape())?;
        {
            let mut view = out.try_as_plain_ram_mut()?;
            upsample2x(planes, h, w, x, view.as_slice_mut::<f32>()?)?;
        }
        Ok(tvec!(out.into_tvalue()))
    }
}

impl TypedOp for Upsample2x {
    fn output_facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
        ensure!(inputs.len() == 1 && inputs[0].datum_type == f32::datum_type());
        Ok(tvec!(f32::fact(&*self.output_shape())))
    }

    as_op!();
}

/// Puts [`Upsample2x`] in place of every decluttered `Resize` that is a
/// linear, half-pixel, exact 2× upsampling of the two last axes of an f32
/// tensor; returns how many. Others are left to tract.
pub fn replace_upsampling(model: &mut TypedModel) -> TractResult<usize> {
    let mut count = 0;
    for id in model.eval_order()? {
        let node = model.node(id);
        let Some(op) = node.op_as::<Resize>() else {
            continue;
        };
        if op.coord_transformer != CoordTransformer::HalfPixel
            || op.interpolator != Interpolator::Linear
        {
            continue;
        }
        let in_fact = model.outlet_fact(node.inputs[0])?;
        let out_fact = model.outlet_fact(OutletId::new(id, 0))?;
        let (Some(i), Some(o)) = (in_fact.shape.as_concrete(), out_fact.shape.as_concrete()) else {
            continue;
        };
        let r = i.len();
        if in_fact.datum_type != f32::datum_type()
            || r < 2
            || o.len() != r
            || i[..r - 2] != o[..r - 2]
            || o[r - 2] != 2 * i[r - 2]
            || o[r - 1] != 2 * i[r - 1]
            || i[r - 2] == 0
            || i[r - 1] == 0
        {
            continue;
        }
        let op = Upsample2x {
            input_shape: i.into(),
        };
        let (name, input) = (node.name.clone(), node.inputs[0]);
        replace_with(model, name, op, &[input], OutletId::new(id, 0))?;
        count += 1;
    }
    model.compact()?;
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// ONNX Resize linear / half_pixel by its definition: output (y, x)
    /// samples the input at ((y + 0.5) / 2 - 0.5, (x + 0.5) / 2 - 0.5),
    /// clamped to the image, bilinearly.
    fn reference(h: usize, w: usize, src: &[f32]) -> Vec<f32> {
        let coord = |o: usize, len: usize| {
            let x = ((o as f64 + 0.5) / 2.0 - 0.5).clamp(0.0, (len - 1) as f64);
            let x0 = x.floor() as usize;
            let x1 = (x0 + 1).min(len - 1);
            (x0, x1, x - x0 as f64)
        };
        let mut out = vec![0f32; 4 * h * w];
        for y in 0..2 * h {
            let (y0, y1, fy) = coord(y, h);
            for x in 0..2 * w {
                let (x0, x1, fx) = coord(x, w);
                let v = |yy: usize, xx: usize| src[yy * w + xx] as f64;
                let top = v(y0, x0) * (1.0 - fx) + v(y0, x1) * fx;
                let bottom = v(y1, x0) * (1.0 - fx) + v(y1, x1) * fx;
                out[y * 2 * w + x] = (top * (1.0 - fy) + bottom * fy) as f32;
            }
        }
        out
    }

    #[test]
    fn matches_the_onnx_definition_on_odd_sizes() {
        let mut seed = 0x2545_F491_4F6C_DD1Du64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 40) as f32 / (1u64 << 24) as f32 * 4.0 - 2.0
        };
        for (planes, h, w) in [(1, 1, 1), (2, 1, 5), (3, 6, 6), (2, 7, 3), (1, 12, 13)] {
            let src: Vec<f32> = (0..planes * h * w).map(|_| next()).collect();
            let mut dst = vec![f32::NAN; planes * 4 * h * w];
            upsample2x(planes, h, w, &src, &mut dst).unwrap();
            for p in 0..planes {
                let want = reference(h, w, &src[p * h * w..(p + 1) * h * w]);
                let got = &dst[p * 4 * h * w..(p + 1) * 4 * h * w];
                for (i, (a, b)) in got.iter().zip(&want).enumerate() {
                    assert!(
                        (a - b).abs() < 1e-5,
                        "{planes}x{h}x{w} plane {p} at {i}: {a} vs {b}"
                    );
                }
            }
        }
        assert!(upsample2x(1, 2, 2, &[0.0; 3], &mut [0.0; 16]).is_err());
        assert!(upsample2x(1, 0, 2, &[], &mut []).is_err());
    }

    #[test]
    fn the_three_pyramid_upsamplings_of_both_models_are_replaced() {
        for bytes in [
            crate::pose::model::LIGHTNING_ONNX,
            crate::pose::model::THUNDER_ONNX,
        ] {
            let mut typed = crate::pose::surgery::decluttered(bytes);
            assert_eq!(replace_upsampling(&mut typed).unwrap(), 3);
            assert!(typed.nodes().iter().all(|n| n.op_as::<Resize>().is_none()));
        }
    }
}
