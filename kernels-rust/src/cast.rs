//! Dtype conversion and strided copies.
//!
//! Casts follow the reference backend: float32 → int32 truncates toward zero and saturates
//! (NaN → 0), which is exactly Rust's `as` and wasm's `i32x4.trunc_sat_f32x4_s`; anything →
//! bool is `x != 0` (NaN counts as nonzero).

use crate::nd::walk;
#[cfg(target_feature = "simd128")]
use core::arch::wasm32::*;

/// dtype codes shared with the TypeScript side.
const F32: u32 = 0;
const I32: u32 = 1;
const BOOL: u32 = 2;

#[inline(always)]
unsafe fn load(code: u32, p: *const u8) -> f64 {
    // SAFETY: the caller guarantees p points at one element of dtype `code`.
    unsafe {
        match code {
            F32 => *p.cast::<f32>() as f64,
            I32 => *p.cast::<i32>() as f64,
            BOOL => *p as f64,
            _ => crate::bad_code(),
        }
    }
}

#[inline(always)]
unsafe fn store(code: u32, p: *mut u8, x: f64) {
    // SAFETY: the caller guarantees p points at one writable element of dtype `code`.
    unsafe {
        match code {
            F32 => *p.cast::<f32>() = x as f32,
            I32 => *p.cast::<i32>() = x as i32,
            BOOL => *p = (x != 0.0) as u8,
            _ => crate::bad_code(),
        }
    }
}

/// Converts `a` (dtype `from`) into `out` (dtype `to`); codes 0 float32, 1 int32, 2 bool (others trap).
/// Going through f64 is exact for every source value, so one scalar path serves all nine
/// pairs; the two hot pairs get vector loops. Meta rows: out, a.
///
/// # Safety
/// `meta` and the pointers must describe valid, in-bounds views (see the crate docs).
#[no_mangle]
pub unsafe extern "C" fn cast(from: u32, to: u32, nd: usize, meta: *const i32, out: *mut u8, a: *const u8) {
    if from > BOOL || to > BOOL {
        crate::bad_code();
    }
    let (wi, wo) = (if from < 2 { 4 } else { 1 }, if to < 2 { 4 } else { 1 });
    // SAFETY: forwarded contract.
    unsafe {
        walk::<2, _>(nd, meta, [out, a as *mut u8], |n, p, s| {
            let mut i = 0usize;
            #[cfg(target_feature = "simd128")]
            if s[0] == wo && s[1] == wi && from != to && from < 2 && to < 2 {
                while i + 4 <= n {
                    let v = v128_load(p[1].add(4 * i) as *const v128);
                    let r = if from == F32 { i32x4_trunc_sat_f32x4(v) } else { f32x4_convert_i32x4(v) };
                    v128_store(p[0].add(4 * i) as *mut v128, r);
                    i += 4;
                }
            }
            let _ = (wi, wo);
            while i < n {
                store(to, p[0].offset(i as isize * s[0]), load(from, p[1].offset(i as isize * s[1])));
                i += 1;
            }
        });
    }
}

/// Copies `width`-byte elements (4 or 1; others trap) from a strided `src` into a strided `out`.
/// Meta rows: out, src. Contiguous rows are copied 16 bytes at a time.
///
/// # Safety
/// As [`cast`]; `out` and `src` must not overlap.
#[no_mangle]
pub unsafe extern "C" fn copy_strided(width: u32, nd: usize, meta: *const i32, out: *mut u8, src: *const u8) {
    if width != 4 && width != 1 {
        crate::bad_code();
    }
    let w = width as isize;
    // SAFETY: forwarded contract.
    unsafe {
        walk::<2, _>(nd, meta, [out, src as *mut u8], |n, p, s| {
            if s[0] == w && s[1] == w {
                return copy_bytes(p[0], p[1], n * width as usize);
            }
            if w == 4 {
                for i in 0..n as isize {
                    *p[0].offset(i * s[0]).cast::<u32>() = *p[1].offset(i * s[1]).cast::<u32>();
                }
            } else {
                for i in 0..n as isize {
                    *p[0].offset(i * s[0]) = *p[1].offset(i * s[1]);
                }
            }
        });
    }
}

/// `n` bytes from `src` to `dst` (non-overlapping).
#[inline(always)]
unsafe fn copy_bytes(dst: *mut u8, src: *const u8, n: usize) {
    let mut i = 0;
    // SAFETY: the caller guarantees n readable bytes at src and n writable bytes at dst.
    unsafe {
        #[cfg(target_feature = "simd128")]
        while i + 16 <= n {
            v128_store(dst.add(i) as *mut v128, v128_load(src.add(i) as *const v128));
            i += 16;
        }
        while i + 4 <= n {
            (dst.add(i) as *mut u32).write_unaligned((src.add(i) as *const u32).read_unaligned());
            i += 4;
        }
        while i < n {
            *dst.add(i) = *src.add(i);
            i += 1;
        }
    }
}

/// `where` row for 4-byte elements over contiguous conditions and output: 16 conditions per step,
/// widened to lane masks. `A_ONE` / `B_ONE`: that operand is one element broadcast along the row
/// (stride 0, as `where(c, x, 0)` makes it), splatted once instead of loaded per step.
#[cfg(target_feature = "simd128")]
#[inline(always)]
pub unsafe fn select_rows_u32<const A_ONE: bool, const B_ONE: bool>(n: usize, o: *mut u32, c: *const u8, a: *const u32, b: *const u32) {
    let mut i = 0;
    // SAFETY: the caller guarantees n contiguous elements at o and c, and at a and b unless they
    // are broadcast (then one element each).
    unsafe {
        // Only a broadcast operand is read here: a full one may hold no element at all when n is 0.
        let sa = if A_ONE { u32x4_splat(*a) } else { u32x4_splat(0) };
        let sb = if B_ONE { u32x4_splat(*b) } else { u32x4_splat(0) };
        while i + 16 <= n {
            let m8 = v128_not(i8x16_eq(v128_load(c.add(i) as *const v128), u8x16_splat(0)));
            let (lo, hi) = (i16x8_extend_low_i8x16(m8), i16x8_extend_high_i8x16(m8));
            let masks = [i32x4_extend_low_i16x8(lo), i32x4_extend_high_i16x8(lo), i32x4_extend_low_i16x8(hi), i32x4_extend_high_i16x8(hi)];
            for (j, m) in masks.iter().enumerate() {
                let k = i + 4 * j;
                let va = if A_ONE { sa } else { v128_load(a.add(k) as *const v128) };
                let vb = if B_ONE { sb } else { v128_load(b.add(k) as *const v128) };
                v128_store(o.add(k) as *mut v128, v128_bitselect(va, vb, *m));
            }
            i += 16;
        }
        while i < n {
            let va = if A_ONE { *a } else { *a.add(i) };
            let vb = if B_ONE { *b } else { *b.add(i) };
            *o.add(i) = if *c.add(i) != 0 { va } else { vb };
            i += 1;
        }
    }
}
