//! The N-dimensional strided walk every elementwise kernel is built on.
//!
//! A walk visits the row-major index space of `shape` and calls an inner function once per
//! innermost row with the row's length, one pointer per operand and the operands' innermost byte
//! strides. Kernels specialise the inner function (contiguous, scalar-broadcast, strided), so
//! broadcasting is pure index mapping: no broadcast copy is ever materialised.

/// Largest rank a strided kernel accepts.
pub const MAX_RANK: usize = 16;

/// Walks `nd` dims described by `meta` (see the crate docs) over `K` operands.
///
/// # Safety
/// `meta` must hold `nd * (1 + K)` readable `i32`s, and every address the walk forms
/// (`ptrs[k] + Σ index[d] * stride[k][d]`) must be valid for the operand's element type.
#[inline(always)]
pub unsafe fn walk<const K: usize, F>(nd: usize, meta: *const i32, mut ptrs: [*mut u8; K], mut inner: F)
where
    F: FnMut(usize, [*mut u8; K], [isize; K]),
{
    if nd == 0 {
        inner(1, ptrs, [0; K]);
        return;
    }
    if nd > MAX_RANK {
        core::arch::wasm32::unreachable();
    }
    // SAFETY: the caller guarantees `meta` holds nd * (1 + K) i32s.
    let shape = unsafe { core::slice::from_raw_parts(meta, nd * (1 + K)) };
    for d in 0..nd {
        if shape[d] <= 0 {
            return;
        }
    }
    let stride = |k: usize, d: usize| shape[nd * (1 + k) + d] as isize;
    let last = nd - 1;
    let n = shape[last] as usize;
    let mut inner_strides = [0isize; K];
    for (k, s) in inner_strides.iter_mut().enumerate() {
        *s = stride(k, last);
    }
    let mut idx = [0i32; MAX_RANK];
    loop {
        inner(n, ptrs, inner_strides);
        // Odometer increment over the outer dims, moving every operand pointer by its stride.
        let mut d = last;
        loop {
            if d == 0 {
                return;
            }
            d -= 1;
            idx[d] += 1;
            if idx[d] < shape[d] {
                for (k, p) in ptrs.iter_mut().enumerate() {
                    *p = p.wrapping_offset(stride(k, d));
                }
                break;
            }
            idx[d] = 0;
            let back = shape[d] as isize - 1;
            for (k, p) in ptrs.iter_mut().enumerate() {
                *p = p.wrapping_offset(-stride(k, d) * back);
            }
        }
    }
}
