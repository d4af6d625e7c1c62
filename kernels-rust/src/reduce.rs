//! Reductions over contiguous blocks: `out[o] = reduce(a[o·inner .. (o+1)·inner])`.
//!
//! The TypeScript side moves the reduced axes innermost (a strided permuted copy when the view
//! is not already laid out that way), so every reduction here reads one contiguous block.
//!
//! float32 `sum`/`mean` are pairwise: blocks of [`BLOCK`] elements are summed in 16 lanes
//! (SIMD) or sequentially, and block sums are combined by recursive halving, so the rounding
//! error grows like O(ε·log n) instead of O(ε·n). Exact for integer-valued data below 2^24 per
//! block sum: the sum of 1e7 ones is exactly 1e7. `min`/`max` propagate NaN; `argmax` returns
//! the first maximum (the first NaN if any), -1 for an empty block. int32 sums wrap.

#[cfg(target_feature = "simd128")]
use core::arch::wasm32::*;

/// Leaf size of the pairwise summation (elements).
const BLOCK: usize = 256;

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

    /// 16 running lanes (4 vectors, enough to hide the add latency), then a lane tree.
    pub unsafe fn sum_leaf(p: *const f32, n: usize) -> f32 {
        let z = f32x4_splat(0.0);
        let (mut s0, mut s1, mut s2, mut s3) = (z, z, z, z);
        let mut i = 0;
        // SAFETY: n readable elements at p; each step reads [i, i + 16).
        unsafe {
            while i + 16 <= n {
                s0 = f32x4_add(s0, v128_load(p.add(i) as *const v128));
                s1 = f32x4_add(s1, v128_load(p.add(i + 4) as *const v128));
                s2 = f32x4_add(s2, v128_load(p.add(i + 8) as *const v128));
                s3 = f32x4_add(s3, v128_load(p.add(i + 12) as *const v128));
                i += 16;
            }
            hsum(f32x4_add(f32x4_add(s0, s1), f32x4_add(s2, s3))) + fallback::sum_leaf(p.add(i), n - i)
        }
    }

    /// NaN-propagating max/min: wasm's `f32x4.max`/`min` already propagate NaN.
    pub unsafe fn extreme<const MIN: bool>(p: *const f32, n: usize, init: f32) -> f32 {
        let mut m = f32x4_splat(init);
        let mut i = 0;
        // SAFETY: n readable elements at p.
        unsafe {
            while i + 4 <= n {
                let x = v128_load(p.add(i) as *const v128);
                m = if MIN { f32x4_min(m, x) } else { f32x4_max(m, x) };
                i += 4;
            }
            let lanes = [f32x4_extract_lane::<0>(m), f32x4_extract_lane::<1>(m), f32x4_extract_lane::<2>(m), f32x4_extract_lane::<3>(m)];
            let r = fallback::extreme::<MIN>(lanes.as_ptr(), 4, init);
            fallback::extreme::<MIN>(p.add(i), n - i, r)
        }
    }
}

#[cfg(target_feature = "simd128")]
use simd as isa;
#[cfg(not(target_feature = "simd128"))]
use fallback as isa;

/// Pairwise sum: split in halves (multiples of 16) until a leaf fits in [`BLOCK`].
unsafe fn sum_pairwise(p: *const f32, n: usize) -> f32 {
    if n <= BLOCK {
        // SAFETY: n readable elements at p.
        return unsafe { isa::sum_leaf(p, n) };
    }
    let half = (n / 2) & !15;
    // SAFETY: both halves lie within the n elements at p.
    unsafe { sum_pairwise(p, half) + sum_pairwise(p.add(half), n - half) }
}

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
