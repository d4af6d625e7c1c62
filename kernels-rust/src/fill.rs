//! Creation kernels: `arange`'s ramp.
//!
//! They give exactly what the TypeScript writer they replace gave (JavaScript numbers are f64):
//! a float32 ramp stores `start + i * step`, computed in f64, rounded to nearest; an int32 ramp of
//! integer `start` and `step` stores that integer modulo 2^32, as an Int32Array store (ToInt32)
//! does, which wrapping i32 arithmetic gives directly (the caller keeps |start| + n·|step| below
//! 2^53, where the f64 value was exact). The JavaScript loop ran unoptimised on a first call
//! (4.5–7 ms for 1e6 elements, ~1.4 ms once V8 had optimised it).

#[cfg(target_feature = "simd128")]
use core::arch::wasm32::*;

/// Writes `start + i * step` (f64) for i in 0..n into `out` as float32 (round to nearest).
///
/// # Safety
/// `out` must point at `n` writable float32 elements.
#[no_mangle]
pub unsafe extern "C" fn arange_f32(out: *mut f32, n: usize, start: f64, step: f64) {
    let mut i = 0;
    #[cfg(target_feature = "simd128")]
    {
        // Four at a time: two f64x2 lanes pairs, each `start + idx * step` (the same two roundings
        // as the scalar expression; idx stays an exact integer), demoted and joined.
        let (s, st) = (f64x2_splat(start), f64x2_splat(step));
        let (mut lo, mut hi) = (f64x2(0.0, 1.0), f64x2(2.0, 3.0));
        let four = f64x2_splat(4.0);
        while i + 4 <= n {
            let a = f32x4_demote_f64x2_zero(f64x2_add(s, f64x2_mul(lo, st)));
            let b = f32x4_demote_f64x2_zero(f64x2_add(s, f64x2_mul(hi, st)));
            // SAFETY: i + 4 <= n elements at out; v128 stores need no alignment.
            unsafe { v128_store(out.add(i).cast::<v128>(), i32x4_shuffle::<0, 1, 4, 5>(a, b)) };
            lo = f64x2_add(lo, four);
            hi = f64x2_add(hi, four);
            i += 4;
        }
    }
    while i < n {
        // SAFETY: i < n and the caller guarantees n elements at out.
        unsafe { *out.add(i) = (start + i as f64 * step) as f32 };
        i += 1;
    }
}

/// Writes `start + i * step` for i in 0..n into `out` as int32, wrapping modulo 2^32.
///
/// # Safety
/// `out` must point at `n` writable int32 elements.
#[no_mangle]
pub unsafe extern "C" fn arange_i32(out: *mut i32, n: usize, start: i32, step: i32) {
    let mut i = 0;
    #[cfg(target_feature = "simd128")]
    {
        let mut v = i32x4(start, start.wrapping_add(step), start.wrapping_add(step.wrapping_mul(2)), start.wrapping_add(step.wrapping_mul(3)));
        let by4 = i32x4_splat(step.wrapping_mul(4));
        while i + 4 <= n {
            // SAFETY: i + 4 <= n elements at out; v128 stores need no alignment.
            unsafe { v128_store(out.add(i).cast::<v128>(), v) };
            v = i32x4_add(v, by4);
            i += 4;
        }
    }
    while i < n {
        // SAFETY: i < n and the caller guarantees n elements at out.
        unsafe { *out.add(i) = start.wrapping_add((i as i32).wrapping_mul(step)) };
        i += 1;
    }
}
