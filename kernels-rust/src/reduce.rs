//! Reductions over contiguous blocks: `out[o] = reduce(a[o·inner .. (o+1)·inner])`.
//!
//! The TypeScript side moves the reduced axes innermost (a strided permuted copy when the view
//! is not already laid out that way), so every reduction here reads one contiguous block.
//!
//! float32 `sum`/`mean` are pairwise: blocks of [`BLOCK`] elements are summed in 32 lanes
//! (SIMD: 32 sequential adds per lane) or sequentially, and block sums are combined by recursive
//! halving (in 4 lanes with SIMD), so the rounding error grows like O(ε·log n) instead of O(ε·n). Exact for integer-valued data below 2^24 per
//! block sum: the sum of 1e7 ones is exactly 1e7. `min`/`max` propagate NaN; `argmax` returns
//! the first maximum (the first NaN if any), -1 for an empty block. int32 sums wrap.

#[cfg(target_feature = "simd128")]
use core::arch::wasm32::*;

/// Leaf size of the pairwise summation (elements). 1024, not 256: at 256 the recursion's calls
/// cost about as much as the leaf's loads (`npm run bench:jit -- --limit`, `sum` row).
const BLOCK: usize = 1024;

mod fallback {
    /// Sequential sum of a leaf block.
    pub unsafe fn sum_leaf(p: *const f32, n: usize) -> f32 {
        let mut s = 0.0f32;
        for i in 0..n {
            // SAFETY: n readable elements at p.
            s += unsafe { *p.add(i) };
        }
        s
    }
    /// Max (or min when `MIN`) with NaN propagation.
    pub unsafe fn extreme<const MIN: bool>(p: *const f32, n: usize, init: f32) -> f32 {
        let mut m = init;
        for i in 0..n {
            // SAFETY: n readable elements at p.
            let x = unsafe { *p.add(i) };
            if x != x || (if MIN { x < m } else { x > m }) {
                m = x;
            }
        }
        m
    }
}

#[cfg(target_feature = "simd128")]
mod simd {
    use super::fallback;
    use core::arch::wasm32::*;

    #[inline(always)]
    fn hsum(v: v128) -> f32 {
        f32x4_extract_lane::<0>(v) + f32x4_extract_lane::<1>(v) + f32x4_extract_lane::<2>(v) + f32x4_extract_lane::<3>(v)
    }

    /// 32 running lanes (8 vectors: a chain of float adds has a latency of 3–4 cycles, so fewer
    /// chains leave the loads waiting), folded to 4; the tail (fewer than 16 elements) goes into lane 0.
    unsafe fn sum_leaf(p: *const f32, n: usize) -> v128 {
        let z = f32x4_splat(0.0);
        let (mut s0, mut s1, mut s2, mut s3) = (z, z, z, z);
        let (mut s4, mut s5, mut s6, mut s7) = (z, z, z, z);
        let mut i = 0;
        // SAFETY: n readable elements at p; each step reads [i, i + 32) or [i, i + 16).
        unsafe {
            let ld = |i: usize| v128_load(p.add(i) as *const v128);
            while i + 32 <= n {
                s0 = f32x4_add(s0, ld(i));
                s1 = f32x4_add(s1, ld(i + 4));
                s2 = f32x4_add(s2, ld(i + 8));
                s3 = f32x4_add(s3, ld(i + 12));
                s4 = f32x4_add(s4, ld(i + 16));
                s5 = f32x4_add(s5, ld(i + 20));
                s6 = f32x4_add(s6, ld(i + 24));
                s7 = f32x4_add(s7, ld(i + 28));
                i += 32;
            }
            if i + 16 <= n {
                s0 = f32x4_add(s0, ld(i));
                s1 = f32x4_add(s1, ld(i + 4));
                s2 = f32x4_add(s2, ld(i + 8));
                s3 = f32x4_add(s3, ld(i + 12));
                i += 16;
            }
            let v = f32x4_add(f32x4_add(f32x4_add(s0, s4), f32x4_add(s1, s5)), f32x4_add(f32x4_add(s2, s6), f32x4_add(s3, s7)));
            if i == n { v } else { f32x4_add(v, f32x4(fallback::sum_leaf(p.add(i), n - i), 0.0, 0.0, 0.0)) }
        }
    }

    /// Pairwise sum kept in 4 lanes up the tree (one horizontal add at the root, not one per
    /// leaf: at 1e6 elements the per-leaf lane folds cost about as much as the loads).
    unsafe fn sum_tree(p: *const f32, n: usize) -> v128 {
        if n <= super::BLOCK {
            // SAFETY: n readable elements at p.
            return unsafe { sum_leaf(p, n) };
        }
        let half = (n / 2) & !15;
        // SAFETY: both halves lie within the n elements at p.
        unsafe { f32x4_add(sum_tree(p, half), sum_tree(p.add(half), n - half)) }
    }

    /// Pairwise sum of n floats.
    pub unsafe fn sum(p: *const f32, n: usize) -> f32 {
        // SAFETY: n readable elements at p.
        hsum(unsafe { sum_tree(p, n) })
    }

    /// Max (or min when `MIN`) with NaN propagation, equal to the scalar loop bit for bit. Four
    /// running vectors of `pmax`/`pmin` (one instruction each on x86, and independent chains) plus a
    /// running sum of the inputs, which is NaN when an input is (or, rarely, when ±∞ meet): then the
    /// scalar loop redoes the block. (wasm's NaN-propagating `f32x4.max` costs V8 about eight
    /// dependent instructions.) Four chains bound this loop's latency and its 2 vector ops per 4
    /// floats (the extreme and the NaN sum, at about 2 per cycle here) its throughput, at the same
    /// time. Measured (runtime/BENCHMARKS.md, "Kernels vs their limits, session 6"): 6 chains are no
    /// faster, 8 slower (TurboFan spills accumulators to the stack), integer NaN checks no faster;
    /// without any NaN check (wrong on NaN) the loop takes 0.65× the time.
    /// A zero result is resolved by [`first_zero`]: lanes keep their own first zero, the scalar loop
    /// keeps the block's first one (−0 and +0 compare equal).
    pub unsafe fn extreme<const MIN: bool>(p: *const f32, n: usize, init: f32) -> f32 {
        let e = f32x4_splat(init);
        let (mut m0, mut m1, mut m2, mut m3) = (e, e, e, e);
        let mut nan = f32x4_splat(0.0); // NaN once an input was NaN (see above)
        let mut i = 0;
        // `pmax(m, x)` = `m < x ? x : m`: x replaces m only when strictly greater, as the scalar loop.
        let pick = |m: v128, x: v128| if MIN { f32x4_pmin(m, x) } else { f32x4_pmax(m, x) };
        // SAFETY: n readable elements at p; each step reads [i, i + 16).
        unsafe {
            while i + 16 <= n {
                let (x0, x1) = (v128_load(p.add(i) as *const v128), v128_load(p.add(i + 4) as *const v128));
                let (x2, x3) = (v128_load(p.add(i + 8) as *const v128), v128_load(p.add(i + 12) as *const v128));
                m0 = pick(m0, x0);
                m1 = pick(m1, x1);
                m2 = pick(m2, x2);
                m3 = pick(m3, x3);
                nan = f32x4_add(nan, f32x4_add(f32x4_add(x0, x1), f32x4_add(x2, x3)));
                i += 16;
            }
            if v128_any_true(f32x4_ne(nan, nan)) {
                return fallback::extreme::<MIN>(p, n, init);
            }
            let m = pick(pick(m0, m1), pick(m2, m3));
            let lanes = [f32x4_extract_lane::<0>(m), f32x4_extract_lane::<1>(m), f32x4_extract_lane::<2>(m), f32x4_extract_lane::<3>(m)];
            let r = fallback::extreme::<MIN>(lanes.as_ptr(), 4, init);
            let r = fallback::extreme::<MIN>(p.add(i), n - i, r);
            if r == 0.0 && i > 0 { first_zero(p, n).unwrap_or(r) } else { r }
        }
    }

    /// The first element of the n floats at p that equals zero (keeping its sign), if any.
    unsafe fn first_zero(p: *const f32, n: usize) -> Option<f32> {
        let z = f32x4_splat(0.0);
        let mut i = 0;
        // SAFETY: n readable elements at p; each step reads [i, i + 16).
        unsafe {
            while i + 16 <= n {
                let hit = v128_or(
                    v128_or(f32x4_eq(v128_load(p.add(i) as *const v128), z), f32x4_eq(v128_load(p.add(i + 4) as *const v128), z)),
                    v128_or(f32x4_eq(v128_load(p.add(i + 8) as *const v128), z), f32x4_eq(v128_load(p.add(i + 12) as *const v128), z)),
                );
                if v128_any_true(hit) {
                    break;
                }
                i += 16;
            }
            (i..n).map(|k| *p.add(k)).find(|&x| x == 0.0)
        }
    }
}

#[cfg(target_feature = "simd128")]
use simd as isa;
#[cfg(not(target_feature = "simd128"))]
use fallback as isa;

/// Pairwise sum: split in halves (multiples of 16) until a leaf fits in [`BLOCK`].
#[cfg(not(target_feature = "simd128"))]
unsafe fn sum_pairwise(p: *const f32, n: usize) -> f32 {
    if n <= BLOCK {
        // SAFETY: n readable elements at p.
        return unsafe { fallback::sum_leaf(p, n) };
    }
    let half = (n / 2) & !15;
    // SAFETY: both halves lie within the n elements at p.
    unsafe { sum_pairwise(p, half) + sum_pairwise(p.add(half), n - half) }
}
#[cfg(target_feature = "simd128")]
use simd::sum as sum_pairwise;

/// Index of the first maximum (first NaN if any): one vector max pass, then a scan for it.
unsafe fn argmax_f32(p: *const f32, n: usize) -> i32 {
    if n == 0 {
        return -1;
    }
    // SAFETY: n readable elements at p.
    unsafe {
        let m = isa::extreme::<false>(p, n, f32::NEG_INFINITY);
        for i in 0..n {
            let x = *p.add(i);
            if x == m || (m != m && x != x) {
                return i as i32;
            }
        }
    }
    0
}

/// float32 reduction of `outer` contiguous blocks of `inner` elements. `op`: 0 sum, 1 mean,
/// 2 min, 3 max, 4 argmax (writes int32); others trap. Empty blocks: sum 0, mean NaN, min +∞, max −∞.
///
/// # Safety
/// `a` must hold outer·inner floats and `out` outer elements.
#[no_mangle]
pub unsafe extern "C" fn reduce_f32(op: u32, outer: usize, inner: usize, out: *mut u8, a: *const f32) {
    for o in 0..outer {
        // SAFETY: block o lies within a, element o within out.
        unsafe {
            let p = a.add(o * inner);
            let r = match op {
                0 => sum_pairwise(p, inner),
                1 => (sum_pairwise(p, inner) as f64 / inner as f64) as f32,
                2 => isa::extreme::<true>(p, inner, f32::INFINITY),
                3 => isa::extreme::<false>(p, inner, f32::NEG_INFINITY),
                4 => {
                    *out.cast::<i32>().add(o) = argmax_f32(p, inner);
                    continue;
                }
                _ => crate::bad_code(),
            };
            *out.cast::<f32>().add(o) = r;
        }
    }
}

/// Wrapping int32 sum, with 4 lanes when SIMD is on.
unsafe fn sum_i32(p: *const i32, n: usize) -> i32 {
    let mut i = 0;
    let mut s = 0i32;
    // SAFETY: n readable elements at p.
    unsafe {
        #[cfg(target_feature = "simd128")]
        {
            let mut v = i32x4_splat(0);
            while i + 4 <= n {
                v = i32x4_add(v, v128_load(p.add(i) as *const v128));
                i += 4;
            }
            s = s.wrapping_add(i32x4_extract_lane::<0>(v)).wrapping_add(i32x4_extract_lane::<1>(v))
                .wrapping_add(i32x4_extract_lane::<2>(v)).wrapping_add(i32x4_extract_lane::<3>(v));
        }
        while i < n {
            s = s.wrapping_add(*p.add(i));
            i += 1;
        }
    }
    s
}

/// int32 reduction, codes as [`reduce_f32`] (mean is not defined for int32). Empty blocks give
/// 0 for sum/min/max (the reference stores ±∞ into an Int32Array, which is 0) and -1 for argmax.
///
/// # Safety
/// As [`reduce_f32`].
#[no_mangle]
pub unsafe extern "C" fn reduce_i32(op: u32, outer: usize, inner: usize, out: *mut i32, a: *const i32) {
    for o in 0..outer {
        // SAFETY: block o lies within a, element o within out.
        unsafe {
            let p = a.add(o * inner);
            let blk = core::slice::from_raw_parts(p, inner);
            *out.add(o) = match op {
                0 | 1 => sum_i32(p, inner),
                2 => blk.iter().copied().min().unwrap_or(0),
                3 => blk.iter().copied().max().unwrap_or(0),
                4 => {
                    let mut best = 0usize;
                    for (i, &x) in blk.iter().enumerate() {
                        if x > blk[best] {
                            best = i;
                        }
                    }
                    if inner == 0 { -1 } else { best as i32 }
                }
                _ => crate::bad_code(),
            };
        }
    }
}
