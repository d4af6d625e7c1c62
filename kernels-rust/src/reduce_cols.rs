//! Reductions over the middle axis of a contiguous [outer, r, inner] block, without moving data:
//! `out[o][j] = reduce_{i<r} a[o][i][j]`. This is the layout of "reduce the leading axes"
//! (a mean over the batch axis), which would otherwise need a transposing copy first.
//!
//! Whole rows of `inner` elements are combined at once (vector loads along `j`). `sum`/`mean`
//! accumulate in f64 (a row of `inner` doubles in the caller's workspace), so they are at least
//! as accurate as the pairwise f32 sum of [`crate::reduce`]; `min`/`max` propagate NaN;
//! `argmax` keeps the first maximum (first NaN) per column, -1 when r = 0.

#[cfg(target_feature = "simd128")]
use core::arch::wasm32::*;

/// acc[j] += row[j] in f64.
#[inline(always)]
unsafe fn add_row_f64(acc: *mut f64, row: *const f32, n: usize) {
    let mut j = 0;
    // SAFETY: the caller guarantees n elements at acc and row.
    unsafe {
        #[cfg(target_feature = "simd128")]
        while j + 4 <= n {
            let x = v128_load(row.add(j) as *const v128);
            let hi = i32x4_shuffle::<2, 3, 2, 3>(x, x);
            let p = acc.add(j) as *mut v128;
            v128_store(p, f64x2_add(v128_load(p), f64x2_promote_low_f32x4(x)));
            let q = acc.add(j + 2) as *mut v128;
            v128_store(q, f64x2_add(v128_load(q), f64x2_promote_low_f32x4(hi)));
            j += 4;
        }
        while j < n {
            *acc.add(j) += *row.add(j) as f64;
            j += 1;
        }
    }
}

/// m[j] = min or max of m[j] and row[j] as the scalar loop: NaN propagates (the first NaN stays),
/// and an equal value does not replace m[j], so a column keeps its first zero of −0 and +0.
#[inline(always)]
unsafe fn extreme_row<const MIN: bool>(m: *mut f32, row: *const f32, n: usize) {
    let mut j = 0;
    // SAFETY: the caller guarantees n elements at m and row.
    unsafe {
        // `pmax(c, x)` = `c < x ? x : c`: keeps c on ties and once c is NaN; a NaN x is then taken by
        // the select (over a NaN c too: NaN either way). (wasm's `f32x4.max` would turn max(−0, +0)
        // into +0 whatever came first, and costs V8 about eight instructions.)
        #[cfg(target_feature = "simd128")]
        while j + 4 <= n {
            let (x, p) = (v128_load(row.add(j) as *const v128), m.add(j) as *mut v128);
            let c = v128_load(p);
            let kept = if MIN { f32x4_pmin(c, x) } else { f32x4_pmax(c, x) };
            v128_store(p, v128_bitselect(x, kept, f32x4_ne(x, x)));
            j += 4;
        }
        while j < n {
            let (x, c) = (*row.add(j), *m.add(j));
            if c == c && (x != x || (if MIN { x < c } else { x > c })) {
                *m.add(j) = x;
            }
            j += 1;
        }
    }
}

/// Column-wise argmax step: where row[j] beats best[j] (greater, or the first NaN), take it.
#[inline(always)]
unsafe fn argmax_row(best: *mut f32, idx: *mut i32, row: *const f32, i: i32, n: usize) {
    for j in 0..n {
        // SAFETY: the caller guarantees n elements at best, idx and row.
        unsafe {
            let (x, b) = (*row.add(j), *best.add(j));
            if b == b && (x > b || x != x) {
                *best.add(j) = x;
                *idx.add(j) = i;
            }
        }
    }
}

/// float32 reduction over the middle axis of [outer, r, inner]; codes as `reduce_f32`
/// (0 sum, 1 mean, 2 min, 3 max, 4 argmax → int32; others trap). `ws` must hold `inner` f64s.
///
/// # Safety
/// `a` holds outer·r·inner floats, `out` outer·inner elements, `ws` inner·8 bytes.
#[no_mangle]
pub unsafe extern "C" fn reduce_cols_f32(op: u32, outer: usize, r: usize, inner: usize, out: *mut u8, a: *const f32, ws: *mut u8) {
    for o in 0..outer {
        // SAFETY: block o and output row o are in bounds; ws holds one row of f64 (or f32).
        unsafe {
            let blk = a.add(o * r * inner);
            let orow = out.add(o * inner * 4);
            match op {
                0 | 1 => {
                    let acc = ws as *mut f64;
                    for j in 0..inner {
                        *acc.add(j) = 0.0;
                    }
                    for i in 0..r {
                        add_row_f64(acc, blk.add(i * inner), inner);
                    }
                    for j in 0..inner {
                        let s = *acc.add(j);
                        *orow.cast::<f32>().add(j) = if op == 1 { (s / r as f64) as f32 } else { s as f32 };
                    }
                }
                2 | 3 => {
                    let m = orow.cast::<f32>();
                    let init = if op == 2 { f32::INFINITY } else { f32::NEG_INFINITY };
                    for j in 0..inner {
                        *m.add(j) = init;
                    }
                    for i in 0..r {
                        if op == 2 { extreme_row::<true>(m, blk.add(i * inner), inner) } else { extreme_row::<false>(m, blk.add(i * inner), inner) }
                    }
                }
                4 => {
                    let (best, idx) = (ws as *mut f32, orow.cast::<i32>());
                    for j in 0..inner {
                        *best.add(j) = if r > 0 { *blk.add(j) } else { 0.0 };
                        *idx.add(j) = if r > 0 { 0 } else { -1 };
                    }
                    for i in 1..r {
                        argmax_row(best, idx, blk.add(i * inner), i as i32, inner);
                    }
                }
                _ => crate::bad_code(),
            }
        }
    }
}
