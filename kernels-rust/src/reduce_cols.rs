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

/// Rows folded per pass over the accumulators of [`extreme_cols`].
#[cfg(target_feature = "simd128")]
const GROUP: usize = 8;
/// Columns per tile of [`extreme_cols`] (its three folds: 12 KiB).
#[cfg(target_feature = "simd128")]
const TILE: usize = 1024;

/// Min or max over the middle axis of one [r, inner] block (r ≥ 1) into `out`, equal to the
/// scalar loop ([`extreme_row`]) bit for bit, on the floats' bits with integer ops as
/// `crate::reduce`'s `extreme` (see there: negatives order as unsigned integers, reversed,
/// non-negatives as signed ones, and NaNs lie past ±∞ on their side). A column cannot change mode
/// as a row does, so each keeps all three folds: an unsigned max `u` (any −NaN; min's answer once a
/// negative was met), an unsigned min `l` (max's answer while every float is negative; min's
/// while none is) and a signed max `s` (max's answer once a non-negative was met; shows a +NaN):
/// 3 integer ops per 4 floats (2 once every column of a tile met a float across zero), where
/// [`extreme_row`] runs `pmax`, a NaN mask and a select and loads and stores the running row per
/// input row. The folds sit in `out` (u) and `ws` (l, s), loaded and stored once per [`GROUP`]
/// rows, a tile of [`TILE`] columns at a time. A column with a NaN is redone by the scalar loop
/// (the first NaN), one with a ±0 answer by a scan for its first zero.
#[cfg(target_feature = "simd128")]
unsafe fn extreme_cols<const MIN: bool>(out: *mut f32, blk: *const f32, r: usize, inner: usize, ws: *mut u8) {
    let n4 = inner & !3;
    let (u, l, s) = (out as *mut v128, ws as *mut v128, ws.wrapping_add(n4 * 4) as *mut v128);
    // SAFETY: out holds inner floats, ws 2·inner u32s; the block holds r rows of inner floats.
    unsafe {
        // Column tiles of TILE floats: the three folds of a tile stay in L1 while its rows stream by.
        let mut j0 = 0;
        while j0 < n4 {
            let w = if n4 - j0 < TILE { n4 - j0 } else { TILE };
            let (u, l, s, blk) = (u.add(j0 / 4), l.add(j0 / 4), s.add(j0 / 4), blk.add(j0));
            for k in 0..w / 4 {
                let x = v128_load(blk.add(4 * k) as *const v128);
                v128_store(u.add(k), x);
                v128_store(l.add(k), x);
                v128_store(s.add(k), x);
            }
            // Every column of the tile met a float on the far side of zero (max: a non-negative one,
            // min: a negative one): `l` is no longer read, 2 ops per 4 floats.
            let mut far = false;
            let mut i = 1;
            while i + GROUP <= r {
                let rows = blk.add(i * inner);
                if far {
                    fold_rows::<GROUP, true>(u, l, s, rows, inner, w);
                } else {
                    let (any, all) = fold_rows::<GROUP, false>(u, l, s, rows, inner, w);
                    // bitmask: the lanes whose sign bit is set (s: a column still all negative; u: one that met a negative).
                    far = if MIN { i32x4_bitmask(all) == 0xf } else { i32x4_bitmask(any) == 0 };
                }
                i += GROUP;
            }
            while i < r {
                fold_rows::<1, false>(u, l, s, blk.add(i * inner), inner, w);
                i += 1;
            }
            j0 += w;
        }
        // The answer's bits per lane: min: u once a negative was met, else l; max: s once a
        // non-negative was met, else l. A NaN anywhere shows in u (−NaN) or s (+NaN, whose bits
        // dominate s once met, in either mode); those columns, and ±0 answers, go one by one.
        let (nan_neg, nan_pos, abs) = (u32x4_splat(0xff80_0000), i32x4_splat(0x7f80_0000), i32x4_splat(0x7fff_ffff));
        for k in 0..n4 / 4 {
            let (a, b, c) = (v128_load(u.add(k)), v128_load(l.add(k)), v128_load(s.add(k)));
            let bits = if MIN { v128_bitselect(a, b, i32x4_shr(a, 31)) } else { v128_bitselect(b, c, i32x4_shr(c, 31)) };
            let nan = v128_or(u32x4_gt(a, nan_neg), i32x4_gt(c, nan_pos));
            v128_store(out.add(4 * k) as *mut v128, bits);
            if v128_any_true(v128_or(nan, i32x4_eq(v128_and(bits, abs), i32x4_splat(0)))) {
                let nans = i32x4_bitmask(nan);
                for j in 4 * k..4 * k + 4 {
                    let b = *out.add(j);
                    *out.add(j) = if nans & (1 << (j - 4 * k)) != 0 {
                        column_extreme::<MIN>(blk.add(j), r, inner)
                    } else if b == 0.0 {
                        // ±0: the column's first zero (−0 and +0 compare equal, the scalar loop keeps it).
                        (0..r).map(|i| *blk.add(i * inner + j)).find(|&x| x == 0.0).unwrap_or(b)
                    } else {
                        b
                    };
                }
            }
        }
        for j in n4..inner {
            *out.add(j) = column_extreme::<MIN>(blk.add(j), r, inner);
        }
    }
}

/// Folds G rows of `inner` floats at `rows` (the first n4 columns) into the running u, l, s (not l
/// when `FAR`). Returns the OR of the new s and the AND of the new u over the columns.
#[cfg(target_feature = "simd128")]
#[inline(always)]
unsafe fn fold_rows<const G: usize, const FAR: bool>(u: *mut v128, l: *mut v128, s: *mut v128, rows: *const f32, inner: usize, n4: usize) -> (v128, v128) {
    let (mut any, mut all) = (i32x4_splat(0), i32x4_splat(-1));
    // SAFETY: the caller guarantees n4 / 4 vectors at u, l, s, and G rows of inner ≥ n4 floats at rows.
    unsafe {
        for k in 0..n4 / 4 {
            let (mut a, mut c) = (v128_load(u.add(k)), v128_load(s.add(k)));
            let mut b = if FAR { a } else { v128_load(l.add(k)) };
            for t in 0..G {
                let x = v128_load(rows.add(t * inner + 4 * k) as *const v128);
                a = u32x4_max(a, x);
                if !FAR {
                    b = u32x4_min(b, x);
                }
                c = i32x4_max(c, x);
            }
            v128_store(u.add(k), a);
            v128_store(s.add(k), c);
            if !FAR {
                v128_store(l.add(k), b);
                any = v128_or(any, c);
                all = v128_and(all, a);
            }
        }
    }
    (any, all)
}

/// The scalar loop over one column of r floats `inner` apart (as [`extreme_row`]'s tail).
#[cfg(target_feature = "simd128")]
unsafe fn column_extreme<const MIN: bool>(col: *const f32, r: usize, inner: usize) -> f32 {
    let mut m = if MIN { f32::INFINITY } else { f32::NEG_INFINITY };
    for i in 0..r {
        // SAFETY: r floats `inner` apart at col.
        let x = unsafe { *col.add(i * inner) };
        if m == m && (x != x || (if MIN { x < m } else { x > m })) {
            m = x;
        }
    }
    m
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
                // Fewer rows than a group and a pass: the running row costs less than three folds and their resolve
                // ([4, 250000]: 0.5× the time).
                #[cfg(target_feature = "simd128")]
                2 | 3 if r > GROUP => {
                    if op == 2 { extreme_cols::<true>(orow.cast(), blk, r, inner, ws) } else { extreme_cols::<false>(orow.cast(), blk, r, inner, ws) }
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
