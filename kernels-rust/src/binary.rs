//! Elementwise binary kernels with broadcasting by strides, and `where`.
//!
//! `out[i] = op(a[map_a(i)], b[map_b(i)])` where `map_x` is the strided index map of the operand
//! (stride 0 on broadcast dims). The walk in [`crate::nd`] hands each innermost row to
//! [`row2`], which picks a vector loop when the output and both inputs are contiguous or one
//! input is a broadcast scalar (stride 0) — that also covers row broadcasting, whose outer
//! stride is 0 and inner stride contiguous — and a strided scalar loop otherwise.

use crate::lanes::Lane;
use crate::math;
use crate::nd::walk;
#[cfg(target_feature = "simd128")]
use core::arch::wasm32::*;

/// A same-type binary op on one element and on four lanes.
pub trait Map2<T> {
    fn s(a: T, b: T) -> T;
    #[cfg(target_feature = "simd128")]
    fn v(a: v128, b: v128) -> v128;
}

/// A comparison: a bool per element, an all-ones lane mask per four lanes.
pub trait Cmp2<T> {
    fn s(a: T, b: T) -> bool;
    #[cfg(target_feature = "simd128")]
    fn v(a: v128, b: v128) -> v128;
}

macro_rules! op2 {
    ($tr:ident, $name:ident, $t:ty, $ret:ty, |$a:ident, $b:ident| $s:expr, |$va:ident, $vb:ident| $v:expr) => {
        pub struct $name;
        impl $tr<$t> for $name {
            #[inline(always)]
            fn s($a: $t, $b: $t) -> $ret {
                $s
            }
            #[cfg(target_feature = "simd128")]
            #[inline(always)]
            fn v($va: v128, $vb: v128) -> v128 {
                $v
            }
        }
    };
}

#[inline(always)]
fn nan_or(a: f32, b: f32, pick_a: bool) -> f32 {
    if a != a || b != b { f32::NAN } else if pick_a { a } else { b }
}

/// `Math.pow(x, y) | 0` for int32: exact square-and-multiply, wrapping on overflow.
fn ipow(x: i32, y: i32) -> i32 {
    if y < 0 {
        return match x { 1 => 1, -1 => if y & 1 == 0 { 1 } else { -1 }, _ => 0 };
    }
    let (mut base, mut n, mut acc) = (x, y as u32, 1i32);
    while n > 0 {
        if n & 1 == 1 {
            acc = acc.wrapping_mul(base);
        }
        base = base.wrapping_mul(base);
        n >>= 1;
    }
    acc
}

op2!(Map2, AddF, f32, f32, |a, b| a + b, |a, b| f32x4_add(a, b));
op2!(Map2, SubF, f32, f32, |a, b| a - b, |a, b| f32x4_sub(a, b));
op2!(Map2, MulF, f32, f32, |a, b| a * b, |a, b| f32x4_mul(a, b));
op2!(Map2, DivF, f32, f32, |a, b| a / b, |a, b| f32x4_div(a, b));
op2!(Map2, PowF, f32, f32, |a, b| math::pow(a, b), |a, b| crate::lanes::map_lanes_f32(a, b, math::pow));
op2!(Map2, MaxF, f32, f32, |a, b| nan_or(a, b, a > b || (a == b && b.to_bits() == 0x8000_0000)), |a, b| f32x4_max(a, b));
op2!(Map2, MinF, f32, f32, |a, b| nan_or(a, b, a < b || (a == b && a.to_bits() == 0x8000_0000)), |a, b| f32x4_min(a, b));
op2!(Cmp2, EqF, f32, bool, |a, b| a == b, |a, b| f32x4_eq(a, b));
op2!(Cmp2, LtF, f32, bool, |a, b| a < b, |a, b| f32x4_lt(a, b));
op2!(Cmp2, GtF, f32, bool, |a, b| a > b, |a, b| f32x4_gt(a, b));
op2!(Map2, AddI, i32, i32, |a, b| a.wrapping_add(b), |a, b| i32x4_add(a, b));
op2!(Map2, SubI, i32, i32, |a, b| a.wrapping_sub(b), |a, b| i32x4_sub(a, b));
op2!(Map2, MulI, i32, i32, |a, b| a.wrapping_mul(b), |a, b| i32x4_mul(a, b));
op2!(Map2, DivI, i32, i32, |a, b| if b == 0 { 0 } else { a.wrapping_div(b) },
    |a, b| crate::lanes::map_lanes_i32(a, b, |x, y| if y == 0 { 0 } else { x.wrapping_div(y) }));
op2!(Map2, PowI, i32, i32, |a, b| ipow(a, b), |a, b| crate::lanes::map_lanes_i32(a, b, ipow));
op2!(Map2, MaxI, i32, i32, |a, b| a.max(b), |a, b| i32x4_max(a, b));
op2!(Map2, MinI, i32, i32, |a, b| a.min(b), |a, b| i32x4_min(a, b));
op2!(Cmp2, EqI, i32, bool, |a, b| a == b, |a, b| i32x4_eq(a, b));
op2!(Cmp2, LtI, i32, bool, |a, b| a < b, |a, b| i32x4_lt(a, b));
op2!(Cmp2, GtI, i32, bool, |a, b| a > b, |a, b| i32x4_gt(a, b));

/// Scalar loops: the whole kernel in the fallback build, the tails in the SIMD build.
mod fallback {
    use super::{Cmp2, Map2};
    /// `SA`/`SB`: the operand is a broadcast scalar (read once) instead of contiguous.
    #[inline(always)]
    pub unsafe fn map<T: Copy, O: Map2<T>, const SA: bool, const SB: bool>(n: usize, o: *mut T, a: *const T, b: *const T) {
        for i in 0..n {
            // SAFETY: the caller guarantees n contiguous elements at o (and at a/b unless scalar).
            unsafe { *o.add(i) = O::s(*a.add(if SA { 0 } else { i }), *b.add(if SB { 0 } else { i })) };
        }
    }
    #[inline(always)]
    pub unsafe fn cmp<T: Copy, C: Cmp2<T>, const SA: bool, const SB: bool>(n: usize, o: *mut u8, a: *const T, b: *const T) {
        for i in 0..n {
            // SAFETY: as for `map`.
            unsafe { *o.add(i) = C::s(*a.add(if SA { 0 } else { i }), *b.add(if SB { 0 } else { i })) as u8 };
        }
    }
}

#[cfg(target_feature = "simd128")]
mod simd {
    use super::{fallback, Cmp2, Lane, Map2};
    use core::arch::wasm32::*;

    #[inline(always)]
    unsafe fn ld<T: Lane, const S: bool>(p: *const T, i: usize, splat: v128) -> v128 {
        // SAFETY: the caller guarantees 4 readable elements at p + i when the operand is not a scalar.
        if S { splat } else { unsafe { v128_load(p.add(i) as *const v128) } }
    }

    #[inline(always)]
    pub unsafe fn map<T: Lane, O: Map2<T>, const SA: bool, const SB: bool>(n: usize, o: *mut T, a: *const T, b: *const T) {
        // SAFETY (whole body): n contiguous elements at o, a, b (a/b: 1 element when scalar).
        unsafe {
            let (va, vb) = (if SA { (*a).splat() } else { i32x4_splat(0) }, if SB { (*b).splat() } else { i32x4_splat(0) });
            let mut i = 0;
            // 16 elements per trip: one loop increment and branch per four vectors.
            while i + 16 <= n {
                let r0 = O::v(ld::<T, SA>(a, i, va), ld::<T, SB>(b, i, vb));
                let r1 = O::v(ld::<T, SA>(a, i + 4, va), ld::<T, SB>(b, i + 4, vb));
                let r2 = O::v(ld::<T, SA>(a, i + 8, va), ld::<T, SB>(b, i + 8, vb));
                let r3 = O::v(ld::<T, SA>(a, i + 12, va), ld::<T, SB>(b, i + 12, vb));
                v128_store(o.add(i) as *mut v128, r0);
                v128_store(o.add(i + 4) as *mut v128, r1);
                v128_store(o.add(i + 8) as *mut v128, r2);
                v128_store(o.add(i + 12) as *mut v128, r3);
                i += 16;
            }
            while i + 4 <= n {
                v128_store(o.add(i) as *mut v128, O::v(ld::<T, SA>(a, i, va), ld::<T, SB>(b, i, vb)));
                i += 4;
            }
            let (ta, tb) = (if SA { a } else { a.add(i) }, if SB { b } else { b.add(i) });
            fallback::map::<T, O, SA, SB>(n - i, o.add(i), ta, tb);
        }
    }

    #[inline(always)]
    pub unsafe fn cmp<T: Lane, C: Cmp2<T>, const SA: bool, const SB: bool>(n: usize, o: *mut u8, a: *const T, b: *const T) {
        // SAFETY (whole body): as for `map`; 16 output bytes are written per step.
        unsafe {
            let (va, vb) = (if SA { (*a).splat() } else { i32x4_splat(0) }, if SB { (*b).splat() } else { i32x4_splat(0) });
            let mut i = 0;
            while i + 16 <= n {
                let m0 = C::v(ld::<T, SA>(a, i, va), ld::<T, SB>(b, i, vb));
                let m1 = C::v(ld::<T, SA>(a, i + 4, va), ld::<T, SB>(b, i + 4, vb));
                let m2 = C::v(ld::<T, SA>(a, i + 8, va), ld::<T, SB>(b, i + 8, vb));
                let m3 = C::v(ld::<T, SA>(a, i + 12, va), ld::<T, SB>(b, i + 12, vb));
                // Masks are 0 / -1: saturating narrows keep them, `& 1` makes bools.
                let bytes = i8x16_narrow_i16x8(i16x8_narrow_i32x4(m0, m1), i16x8_narrow_i32x4(m2, m3));
                v128_store(o.add(i) as *mut v128, v128_and(bytes, u8x16_splat(1)));
                i += 16;
            }
            let (ta, tb) = (if SA { a } else { a.add(i) }, if SB { b } else { b.add(i) });
            fallback::cmp::<T, C, SA, SB>(n - i, o.add(i), ta, tb);
        }
    }
}

#[cfg(target_feature = "simd128")]
use simd as isa;
#[cfg(not(target_feature = "simd128"))]
use fallback as isa;

/// One innermost row of a same-type op: vector loop when possible, strided scalar loop otherwise.
#[inline(always)]
unsafe fn row2<T: Lane, O: Map2<T>>(n: usize, p: [*mut u8; 3], s: [isize; 3]) {
    let w = core::mem::size_of::<T>() as isize;
    let (o, a, b) = (p[0] as *mut T, p[1] as *const T, p[2] as *const T);
    // SAFETY: the walk guarantees n elements along the given strides for each operand.
    unsafe {
        if s[0] == w {
            match (s[1] == w, s[2] == w, s[1] == 0, s[2] == 0) {
                (true, true, _, _) => return isa::map::<T, O, false, false>(n, o, a, b),
                (_, true, true, _) => return isa::map::<T, O, true, false>(n, o, a, b),
                (true, _, _, true) => return isa::map::<T, O, false, true>(n, o, a, b),
                _ => {}
            }
        }
        for i in 0..n as isize {
            *p[0].offset(i * s[0]).cast::<T>() = O::s(*p[1].offset(i * s[1]).cast::<T>(), *p[2].offset(i * s[2]).cast::<T>());
        }
    }
}

/// One innermost row of a comparison (u8 output).
#[inline(always)]
unsafe fn rowc<T: Lane, C: Cmp2<T>>(n: usize, p: [*mut u8; 3], s: [isize; 3]) {
    let w = core::mem::size_of::<T>() as isize;
    let (o, a, b) = (p[0], p[1] as *const T, p[2] as *const T);
    // SAFETY: as for `row2`.
    unsafe {
        if s[0] == 1 {
            match (s[1] == w, s[2] == w, s[1] == 0, s[2] == 0) {
                (true, true, _, _) => return isa::cmp::<T, C, false, false>(n, o, a, b),
                (_, true, true, _) => return isa::cmp::<T, C, true, false>(n, o, a, b),
                (true, _, _, true) => return isa::cmp::<T, C, false, true>(n, o, a, b),
                _ => {}
            }
        }
        for i in 0..n as isize {
            *p[0].offset(i * s[0]) = C::s(*p[1].offset(i * s[1]).cast::<T>(), *p[2].offset(i * s[2]).cast::<T>()) as u8;
        }
    }
}

unsafe fn go<T: Lane, O: Map2<T>>(nd: usize, meta: *const i32, out: *mut u8, a: *const u8, b: *const u8) {
    // SAFETY: forwarded contract of the exported kernels.
    unsafe { walk::<3, _>(nd, meta, [out, a as *mut u8, b as *mut u8], |n, p, s| row2::<T, O>(n, p, s)) }
}

unsafe fn goc<T: Lane, C: Cmp2<T>>(nd: usize, meta: *const i32, out: *mut u8, a: *const u8, b: *const u8) {
    // SAFETY: forwarded contract of the exported kernels.
    unsafe { walk::<3, _>(nd, meta, [out, a as *mut u8, b as *mut u8], |n, p, s| rowc::<T, C>(n, p, s)) }
}

/// `out = op(a, b)` over float32. `op`: 0 add, 1 sub, 2 mul, 3 div, 4 pow, 5 maximum,
/// 6 minimum, 7 eq, 8 lt, 9 gt (comparisons write one byte per element); any other code traps.
/// Meta rows: out, a, b.
///
/// # Safety
/// `meta` and the pointers must describe valid, in-bounds views (see the crate docs).
#[no_mangle]
pub unsafe extern "C" fn binary_f32(op: u32, nd: usize, meta: *const i32, out: *mut u8, a: *const u8, b: *const u8) {
    // SAFETY: forwarded contract.
    unsafe {
        match op {
            0 => go::<f32, AddF>(nd, meta, out, a, b),
            1 => go::<f32, SubF>(nd, meta, out, a, b),
            2 => go::<f32, MulF>(nd, meta, out, a, b),
            3 => go::<f32, DivF>(nd, meta, out, a, b),
            4 => go::<f32, PowF>(nd, meta, out, a, b),
            5 => go::<f32, MaxF>(nd, meta, out, a, b),
            6 => go::<f32, MinF>(nd, meta, out, a, b),
            7 => goc::<f32, EqF>(nd, meta, out, a, b),
            8 => goc::<f32, LtF>(nd, meta, out, a, b),
            9 => goc::<f32, GtF>(nd, meta, out, a, b),
            _ => crate::bad_code(),
        }
    }
}

/// `out = op(a, b)` over int32 (wrapping arithmetic; `div` truncates, x/0 = 0). Codes as
/// [`binary_f32`].
///
/// # Safety
/// As [`binary_f32`].
#[no_mangle]
pub unsafe extern "C" fn binary_i32(op: u32, nd: usize, meta: *const i32, out: *mut u8, a: *const u8, b: *const u8) {
    // SAFETY: forwarded contract.
    unsafe {
        match op {
            0 => go::<i32, AddI>(nd, meta, out, a, b),
            1 => go::<i32, SubI>(nd, meta, out, a, b),
            2 => go::<i32, MulI>(nd, meta, out, a, b),
            3 => go::<i32, DivI>(nd, meta, out, a, b),
            4 => go::<i32, PowI>(nd, meta, out, a, b),
            5 => go::<i32, MaxI>(nd, meta, out, a, b),
            6 => go::<i32, MinI>(nd, meta, out, a, b),
            7 => goc::<i32, EqI>(nd, meta, out, a, b),
            8 => goc::<i32, LtI>(nd, meta, out, a, b),
            9 => goc::<i32, GtI>(nd, meta, out, a, b),
            _ => crate::bad_code(),
        }
    }
}

/// `out = cond ? a : b` for elements of `width` bytes (4: float32/int32, 1: bool; others trap).
/// Meta rows: out, cond, a, b. Selection is by bits, so one kernel serves every 4-byte dtype.
///
/// # Safety
/// As [`binary_f32`].
#[no_mangle]
pub unsafe extern "C" fn where_select(width: u32, nd: usize, meta: *const i32, out: *mut u8, cond: *const u8, a: *const u8, b: *const u8) {
    if width != 4 && width != 1 {
        crate::bad_code();
    }
    let ptrs = [out, cond as *mut u8, a as *mut u8, b as *mut u8];
    // SAFETY: forwarded contract; each row's addresses are in bounds per the walk's contract.
    unsafe {
        if width == 4 {
            walk::<4, _>(nd, meta, ptrs, |n, p, s| {
                #[cfg(target_feature = "simd128")]
                if s[0] == 4 && s[1] == 1 && (s[2] == 4 || s[2] == 0) && (s[3] == 4 || s[3] == 0) {
                    let (o, c, a, b) = (p[0] as *mut u32, p[1], p[2] as *const u32, p[3] as *const u32);
                    return match (s[2] == 0, s[3] == 0) {
                        (false, false) => crate::cast::select_rows_u32::<false, false>(n, o, c, a, b),
                        (false, true) => crate::cast::select_rows_u32::<false, true>(n, o, c, a, b),
                        (true, false) => crate::cast::select_rows_u32::<true, false>(n, o, c, a, b),
                        (true, true) => crate::cast::select_rows_u32::<true, true>(n, o, c, a, b),
                    };
                }
                // Both operands read and one kept: a select, not a branch on data (random
                // conditions would mispredict about every other element).
                for i in 0..n as isize {
                    let c = *p[1].offset(i * s[1]) != 0;
                    let va = *p[2].offset(i * s[2]).cast::<u32>();
                    let vb = *p[3].offset(i * s[3]).cast::<u32>();
                    *p[0].offset(i * s[0]).cast::<u32>() = if c { va } else { vb };
                }
            });
        } else {
            walk::<4, _>(nd, meta, ptrs, |n, p, s| {
                for i in 0..n as isize {
                    let c = *p[1].offset(i * s[1]) != 0;
                    let (va, vb) = (*p[2].offset(i * s[2]), *p[3].offset(i * s[3]));
                    *p[0].offset(i * s[0]) = if c { va } else { vb };
                }
            });
        }
    }
}
