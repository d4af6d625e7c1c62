//! Elementwise unary kernels: `out[i] = op(a[map_a(i)])`, output contiguous.
//!
//! float32: neg, abs, exp, log, sqrt, tanh, sigmoid, relu. int32: neg, abs, relu (wrapping:
//! |i32::MIN| = i32::MIN, as `Math.abs(x) | 0`). Accuracy of the transcendental ones: see
//! [`crate::math`].

use crate::lanes::Lane;
use crate::math;
use crate::nd::walk;
#[cfg(target_feature = "simd128")]
use core::arch::wasm32::*;

/// A unary op on one element and on four lanes.
pub trait Map1<T> {
    fn s(a: T) -> T;
    #[cfg(target_feature = "simd128")]
    fn v(a: v128) -> v128;
}

macro_rules! op1 {
    ($name:ident, $t:ty, |$a:ident| $s:expr, |$va:ident| $v:expr) => {
        pub struct $name;
        impl Map1<$t> for $name {
            #[inline(always)]
            fn s($a: $t) -> $t {
                $s
            }
            #[cfg(target_feature = "simd128")]
            #[inline(always)]
            fn v($va: v128) -> v128 {
                $v
            }
        }
    };
}

op1!(NegF, f32, |a| -a, |a| f32x4_neg(a));
op1!(AbsF, f32, |a| math::abs(a), |a| f32x4_abs(a));
op1!(ExpF, f32, |a| math::exp(a), |a| math::exp4(a));
op1!(LogF, f32, |a| math::log(a), |a| math::log4(a));
op1!(SqrtF, f32, |a| math::sqrt(a), |a| f32x4_sqrt(a));
op1!(TanhF, f32, |a| math::tanh(a), |a| math::tanh4(a));
op1!(SigmoidF, f32, |a| math::sigmoid(a), |a| math::sigmoid4(a));
// relu keeps NaN and maps -0 to +0, like the reference. SIMD: clear the lanes where a ≤ 0 (false
// for NaN): two instructions, where `f32x4.max` costs V8 eight on x86 (its NaN and ±0 fix-ups).
op1!(ReluF, f32, |a| if a > 0.0 || a != a { a } else { 0.0 }, |a| v128_andnot(a, f32x4_le(a, f32x4_splat(0.0))));
op1!(NegI, i32, |a| a.wrapping_neg(), |a| i32x4_neg(a));
op1!(AbsI, i32, |a| a.wrapping_abs(), |a| i32x4_abs(a));
op1!(ReluI, i32, |a| a.max(0), |a| i32x4_max(a, i32x4_splat(0)));

/// Contiguous rows: scalar loop (fallback build and SIMD tails).
#[inline(always)]
unsafe fn row_scalar<T: Copy, O: Map1<T>>(n: usize, o: *mut T, a: *const T) {
    for i in 0..n {
        // SAFETY: the caller guarantees n contiguous elements at o and a.
        unsafe { *o.add(i) = O::s(*a.add(i)) };
    }
}

#[cfg(target_feature = "simd128")]
#[inline(always)]
unsafe fn row_contig<T: Copy, O: Map1<T>>(n: usize, o: *mut T, a: *const T) {
    let mut i = 0;
    // SAFETY: n contiguous elements at o and a; each step touches [i, i + 4).
    unsafe {
        // 16 elements per trip: one loop increment and branch per four vectors.
        while i + 16 <= n {
            let (x0, x1) = (v128_load(a.add(i) as *const v128), v128_load(a.add(i + 4) as *const v128));
            let (x2, x3) = (v128_load(a.add(i + 8) as *const v128), v128_load(a.add(i + 12) as *const v128));
            v128_store(o.add(i) as *mut v128, O::v(x0));
            v128_store(o.add(i + 4) as *mut v128, O::v(x1));
            v128_store(o.add(i + 8) as *mut v128, O::v(x2));
            v128_store(o.add(i + 12) as *mut v128, O::v(x3));
            i += 16;
        }
        while i + 4 <= n {
            v128_store(o.add(i) as *mut v128, O::v(v128_load(a.add(i) as *const v128)));
            i += 4;
        }
        row_scalar::<T, O>(n - i, o.add(i), a.add(i));
    }
}

#[cfg(not(target_feature = "simd128"))]
use row_scalar as row_contig;

unsafe fn go<T: Lane, O: Map1<T>>(nd: usize, meta: *const i32, out: *mut u8, a: *const u8) {
    let w = core::mem::size_of::<T>() as isize;
    // SAFETY: forwarded contract of the exported kernels.
    unsafe {
        walk::<2, _>(nd, meta, [out, a as *mut u8], |n, p, s| {
            if s[0] == w && s[1] == w {
                return row_contig::<T, O>(n, p[0] as *mut T, p[1] as *const T);
            }
            for i in 0..n as isize {
                *p[0].offset(i * s[0]).cast::<T>() = O::s(*p[1].offset(i * s[1]).cast::<T>());
            }
        })
    }
}

/// float32 unary op. `op`: 0 neg, 1 abs, 2 exp, 3 log, 4 sqrt, 5 tanh, 6 sigmoid, 7 relu; others trap.
/// Meta rows: out, a.
///
/// # Safety
/// `meta` and the pointers must describe valid, in-bounds views (see the crate docs).
#[no_mangle]
pub unsafe extern "C" fn unary_f32(op: u32, nd: usize, meta: *const i32, out: *mut u8, a: *const u8) {
    // SAFETY: forwarded contract.
    unsafe {
        match op {
            0 => go::<f32, NegF>(nd, meta, out, a),
            1 => go::<f32, AbsF>(nd, meta, out, a),
            2 => go::<f32, ExpF>(nd, meta, out, a),
            3 => go::<f32, LogF>(nd, meta, out, a),
            4 => go::<f32, SqrtF>(nd, meta, out, a),
            5 => go::<f32, TanhF>(nd, meta, out, a),
            6 => go::<f32, SigmoidF>(nd, meta, out, a),
            7 => go::<f32, ReluF>(nd, meta, out, a),
            _ => crate::bad_code(),
        }
    }
}

/// int32 unary op, codes as [`unary_f32`] (only 0 neg, 1 abs, 7 relu are defined; others trap).
///
/// # Safety
/// As [`unary_f32`].
#[no_mangle]
pub unsafe extern "C" fn unary_i32(op: u32, nd: usize, meta: *const i32, out: *mut u8, a: *const u8) {
    // SAFETY: forwarded contract.
    unsafe {
        match op {
            0 => go::<i32, NegI>(nd, meta, out, a),
            1 => go::<i32, AbsI>(nd, meta, out, a),
            7 => go::<i32, ReluI>(nd, meta, out, a),
            _ => crate::bad_code(),
        }
    }
}
