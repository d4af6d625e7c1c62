//! The sgemm micro-kernel: one MR×NR tile of C from packed panels of A and B.
//!
//! Maths: C[r][j] (+)= Σ_{k<kc} A[r][k] · B[k][j], with A packed k-major in MR-row panels
//! (`a[k·MR + r]`) and B packed k-major in NR-column panels (`b[k·NR + j]`), both zero-padded to
//! full panels. The tile stays in registers for the whole k loop: with SIMD that is MR×2
//! `f32x4` accumulators (MR = 4 → 8 accumulators + 2 B vectors + 1 A splat, within the 16
//! vector registers V8 has on x86-64); each k step costs 2 loads of B, MR splat-loads of A
//! and 2·MR multiply-adds (no FMA in wasm SIMD128).

/// Rows of the register tile.
pub const MR: usize = 4;
/// Columns of the register tile (two f32x4).
pub const NR: usize = 8;

/// Always-compiled scalar kernel (the whole gemm in the fallback build).
pub mod fallback {
    use super::{MR, NR};

    /// Writes (or adds, when `acc`) the MR×NR tile to `c` with row stride `ldc` (elements).
    ///
    /// # Safety
    /// `a` holds kc·MR and `b` kc·NR floats; `c` is an MR×NR writable tile with stride ldc.
    // Unused in the SIMD build, but always compiled so both builds keep it type-checked.
    #[allow(dead_code)]
    #[inline(always)]
    pub unsafe fn kernel(kc: usize, a: *const f32, b: *const f32, c: *mut f32, ldc: usize, acc: bool) {
        let mut t = [[0.0f32; NR]; MR];
        for k in 0..kc {
            // SAFETY: k < kc, so both panel rows are in bounds.
            let (ak, bk) = unsafe { (a.add(k * MR), b.add(k * NR)) };
            for (r, row) in t.iter_mut().enumerate() {
                // SAFETY: r < MR.
                let x = unsafe { *ak.add(r) };
                for (j, cell) in row.iter_mut().enumerate() {
                    // SAFETY: j < NR.
                    *cell += x * unsafe { *bk.add(j) };
                }
            }
        }
        for (r, row) in t.iter().enumerate() {
            for (j, v) in row.iter().enumerate() {
                // SAFETY: the tile is MR×NR at stride ldc.
                unsafe {
                    let p = c.add(r * ldc + j);
                    *p = if acc { *p + v } else { *v };
                }
            }
        }
    }
}

/// SIMD128 kernel: MR×2 f32x4 accumulators.
#[cfg(target_feature = "simd128")]
pub mod simd {
    use super::{MR, NR};
    use core::arch::wasm32::*;

    /// As [`super::fallback::kernel`].
    ///
    /// # Safety
    /// As [`super::fallback::kernel`].
    #[inline(always)]
    pub unsafe fn kernel(kc: usize, a: *const f32, b: *const f32, c: *mut f32, ldc: usize, acc: bool) {
        let z = f32x4_splat(0.0);
        let mut t = [[z; 2]; MR];
        let (mut a, mut b) = (a, b);
        // SAFETY (whole body): panels hold kc steps; the tile is MR×NR at stride ldc.
        unsafe {
            for _ in 0..kc {
                let b0 = v128_load(b as *const v128);
                let b1 = v128_load(b.add(4) as *const v128);
                for (r, row) in t.iter_mut().enumerate() {
                    let x = v128_load32_splat(a.add(r) as *const u32);
                    row[0] = f32x4_add(row[0], f32x4_mul(x, b0));
                    row[1] = f32x4_add(row[1], f32x4_mul(x, b1));
                }
                a = a.add(MR);
                b = b.add(NR);
            }
            for (r, row) in t.iter().enumerate() {
                let p = c.add(r * ldc);
                let (mut v0, mut v1) = (row[0], row[1]);
                if acc {
                    v0 = f32x4_add(v0, v128_load(p as *const v128));
                    v1 = f32x4_add(v1, v128_load(p.add(4) as *const v128));
                }
                v128_store(p as *mut v128, v0);
                v128_store(p.add(4) as *mut v128, v1);
            }
        }
    }
}

#[cfg(target_feature = "simd128")]
pub use simd::kernel;
#[cfg(not(target_feature = "simd128"))]
pub use fallback::kernel;
