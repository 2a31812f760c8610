//! What our own tract ops ([`super::stem`], [`super::dwconv`],
//! [`super::pointwise`], [`super::fused`], [`super::upsample`],
//! [`super::decode`]) share: putting one node in place of a chain at load
//! time, comparing packed weights bit for bit, and (in tests) a small
//! deterministic generator.

use tract_onnx::prelude::*;
use tract_onnx::tract_core::internal::*;

/// Wires `op` (named `name`) on `inputs` and makes every consumer of
/// `replaced` read its output instead; the nodes left without consumers
/// go when the model is compacted.
pub(crate) fn replace_with<O: Into<Box<dyn TypedOp>>>(
    model: &mut TypedModel,
    name: String,
    op: O,
    inputs: &[OutletId],
    replaced: OutletId,
) -> TractResult<()> {
    let mut patch = TypedModelPatch::default();
    let taps = inputs
        .iter()
        .map(|i| patch.tap_model(model, *i))
        .collect::<TractResult<TVec<_>>>()?;
    let wire = patch.wire_node(name, op, &taps)?;
    patch.shunt_outside(model, replaced, wire[0])?;
    patch.apply(model)
}

/// An op's evaluation: `f` gets the one f32 input's values and a new,
/// uninitialised output of `shape` (no pass to zero it first).
///
/// # Safety
/// When `f` returns `Ok`, it must have written every element of the
/// output.
pub(crate) unsafe fn eval_into_new(
    inputs: &[TValue],
    shape: &[usize],
    f: impl FnOnce(&[f32], &mut [f32]) -> TractResult<()>,
) -> TractResult<TVec<TValue>> {
    ensure!(inputs.len() == 1, "one input");
    let x = inputs[0].try_as_plain_ram()?;
    let x = x.as_slice::<f32>()?;
    let mut out = Tensor::uninitialized::<f32>(shape)?;
    {
        let mut view = out.try_as_plain_ram_mut()?;
        f(x, view.as_slice_mut::<f32>()?)?;
    }
    Ok(tvec!(out.into_tvalue()))
}

/// The same floats, bit for bit (so NaN equals NaN and 0 differs from -0).
pub(crate) fn same_bits(a: &[f32], b: &[f32]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
}

/// The same clamp bounds, bit for bit.
pub(crate) fn same_clamp(a: Option<(f32, f32)>, b: Option<(f32, f32)>) -> bool {
    let bits = |c: Option<(f32, f32)>| c.map(|(lo, hi)| (lo.to_bits(), hi.to_bits()));
    bits(a) == bits(b)
}

/// A small deterministic generator (xorshift), values in -1..1.
#[cfg(test)]
pub(crate) struct Rng(pub u64);

#[cfg(test)]
impl Rng {
    pub fn next(&mut self) -> f32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        ((self.0 >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
    }

    pub fn vec(&mut self, n: usize) -> Vec<f32> {
        (0..n).map(|_| self.next()).collect()
    }
}

/// A shipped model (`LIGHTNING_ONNX`, `THUNDER_ONNX`) as tract's
/// decluttered graph, where the replacements start from.
#[cfg(test)]
pub(crate) fn decluttered(onnx: &[u8]) -> TypedModel {
    tract_onnx::onnx()
        .model_for_read(&mut &onnx[..])
        .unwrap()
        .into_typed()
        .unwrap()
        .into_decluttered()
        .unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_compare_nan_and_signed_zero_exactly() {
        assert!(same_bits(&[f32::NAN, 1.0], &[f32::NAN, 1.0]));
        assert!(!same_bits(&[0.0], &[-0.0]));
        assert!(!same_bits(&[1.0], &[1.0, 2.0]));
        assert!(same_clamp(Some((0.0, 6.0)), Some((0.0, 6.0))));
        assert!(!same_clamp(Some((0.0, 6.0)), None));
        assert!(!same_clamp(Some((-0.0, 6.0)), Some((0.0, 6.0))));
    }

    #[test]
    fn the_generator_is_deterministic_and_in_range() {
        let (a, b) = (Rng(7).vec(1000), Rng(7).vec(1000));
        assert!(same_bits(&a, &b));
        assert!(a.iter().all(|v| (-1.0..1.0).contains(v)));
        assert!(a.iter().any(|v| *v < -0.5) && a.iter().any(|v| *v > 0.5));
    }
}
