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

    /// Floats per chunk of [`extreme`], which checks after each whether its mode changes and then
    /// redoes the chunk with one integer op per vector; the first chunk is shorter, so that the redo
    /// costs short rows little.
    const CHUNK: usize = 2048;
    const FIRST_CHUNK: usize = 256;

    /// The 8 vectors of a 32-float block folded by `f` as a tree (7 ops, no chain between them).
    #[inline(always)]
    fn tree(b: &[v128; 8], f: impl Fn(v128, v128) -> v128) -> v128 {
        f(f(f(b[0], b[1]), f(b[2], b[3])), f(f(b[4], b[5]), f(b[6], b[7])))
    }

    /// `(x, u)` folded over the bits of `nb` blocks of 32 floats at p: x by signed max when `SIGNED`,
    /// else by unsigned min; u by unsigned max.
    #[inline(always)]
    unsafe fn fold2<const SIGNED: bool>(p: *const f32, nb: usize, mut x: v128, mut u: v128) -> (v128, v128) {
        let mut q = p as *const [v128; 8];
        // SAFETY: nb blocks of 32 readable floats at p (v128 loads need no alignment in wasm).
        unsafe {
            let end = q.add(nb);
            while q != end {
                let b = &*q;
                x = if SIGNED { i32x4_max(x, tree(b, |a, c| i32x4_max(a, c))) } else { u32x4_min(x, tree(b, |a, c| u32x4_min(a, c))) };
                u = u32x4_max(u, tree(b, |a, c| u32x4_max(a, c)));
                q = q.add(1);
            }
        }
        (x, u)
    }

    /// `s` folded by signed max over the bits of `nb` blocks of 32 floats at p.
    unsafe fn fold_signed(p: *const f32, nb: usize, mut s: v128) -> v128 {
        let mut q = p as *const [v128; 8];
        // SAFETY: nb blocks of 32 readable floats at p.
        unsafe {
            let end = q.add(nb);
            while q != end {
                s = i32x4_max(s, tree(&*q, |a, c| i32x4_max(a, c)));
                q = q.add(1);
            }
        }
        s
    }

    #[inline(always)]
    fn hmax_i32(v: v128) -> i32 {
        let a = i32x4_max(v, i32x4_shuffle::<2, 3, 0, 1>(v, v));
        i32x4_extract_lane::<0>(i32x4_max(a, i32x4_shuffle::<1, 0, 3, 2>(a, a)))
    }
    #[inline(always)]
    fn hmax_u32(v: v128) -> u32 {
        let a = u32x4_max(v, i32x4_shuffle::<2, 3, 0, 1>(v, v));
        i32x4_extract_lane::<0>(u32x4_max(a, i32x4_shuffle::<1, 0, 3, 2>(a, a))) as u32
    }
    #[inline(always)]
    fn hmin_u32(v: v128) -> u32 {
        let a = u32x4_min(v, i32x4_shuffle::<2, 3, 0, 1>(v, v));
        i32x4_extract_lane::<0>(u32x4_min(a, i32x4_shuffle::<1, 0, 3, 2>(a, a))) as u32
    }

    /// Max (or min when `MIN`) with NaN propagation, equal to the scalar loop bit for bit, computed on
    /// the floats' bits with integer ops: 2 per 4 floats, which cost this machine about 0.6× what a
    /// `pmax` plus a float add (the NaN check) did: those two share its float throughput
    /// (runtime/BENCHMARKS.md, "max and min on the floats' bits").
    /// A float's bits order like the float as unsigned integers among negatives (reversed: a larger
    /// magnitude has larger bits) and as signed integers among non-negatives, and a NaN's bits
    /// lie beyond ±∞'s on its side (+NaN above 0x7f800000, −NaN above 0xff800000 unsigned).
    /// So a running unsigned max `u` gives the most negative float (min's answer once a negative was
    /// met) and shows any −NaN, and
    /// - max: until a non-negative float is met, an unsigned min gives the negative float nearest
    ///   zero (the max); from the chunk where one is met, a signed max gives the largest
    ///   non-negative, or a +NaN.
    /// - min: until a negative float is met, an unsigned min gives the smallest non-negative and
    ///   `u` shows a +NaN; from the chunk where one is met, a signed max shows a +NaN (and the NaN
    ///   test on `u` before that chunk covers those before it).
    /// Any NaN sends the whole block to the scalar loop (it returns the first NaN, as before).
    /// A zero result is resolved by [`first_zero`]: −0 and +0 have different bits here, the scalar
    /// loop keeps the block's first zero (they compare equal).
    pub unsafe fn extreme<const MIN: bool>(p: *const f32, n: usize, init: f32) -> f32 {
        let nv = n & !31;
        let (mut s, mut u, mut l) = (i32x4_splat(i32::MIN), u32x4_splat(0), u32x4_splat(u32::MAX));
        // Met a float on the far side of zero (max: a non-negative one; min: a negative one): `s` is on.
        let mut far = false;
        let mut i = 0;
        // SAFETY: n readable floats at p; chunks cover [0, nv) in whole 32-float blocks.
        unsafe {
            while i < nv {
                let step = if i == 0 { FIRST_CHUNK } else { CHUNK };
                let e = if nv - i > step { i + step } else { nv };
                let (q, nb) = (p.add(i), (e - i) / 32);
                if far {
                    (s, u) = fold2::<true>(q, nb, s, u);
                } else {
                    let (lc, uc) = fold2::<false>(q, nb, l, u);
                    // bitmask: the lanes whose top (sign) bit is set.
                    let met = if MIN { i32x4_bitmask(uc) != 0 } else { i32x4_bitmask(lc) != 0xf };
                    if met {
                        if MIN && hmax_u32(u) > 0x7f80_0000 {
                            return fallback::extreme::<MIN>(p, n, init); // a +NaN before this chunk
                        }
                        s = fold_signed(q, nb, s);
                        far = true;
                    }
                    (l, u) = (lc, uc);
                }
                i = e;
            }
            let mut r = init;
            if nv > 0 {
                let um = hmax_u32(u);
                let bits = if far {
                    let sm = hmax_i32(s);
                    if um > 0xff80_0000 || sm > 0x7f80_0000 {
                        return fallback::extreme::<MIN>(p, n, init);
                    }
                    if MIN { um } else { sm as u32 }
                } else {
                    // max: every float was negative; min: none was.
                    if um > if MIN { 0x7f80_0000 } else { 0xff80_0000 } {
                        return fallback::extreme::<MIN>(p, n, init);
                    }
                    hmin_u32(l)
                };
                r = fallback::extreme::<MIN>(&f32::from_bits(bits), 1, init);
            }
            let r = fallback::extreme::<MIN>(p.add(nv), n - nv, r);
            if r == 0.0 && nv > 0 { first_zero(p, n).unwrap_or(r) } else { r }
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
