//! Batched float32 matmul: packed, cache-blocked GEMM around [`crate::gemm_kernel`].
//!
//! C = A·B with A m×k, B k×n read through arbitrary element strides, C contiguous m×n.
//! Blocking (Goto/BLIS): for each NC-column block of B and KC-deep slice, pack B into NR-wide
//! panels (KC·NR·4 = 8 KiB: stays in L1 while used); for each MC-row block of A pack it into
//! MR-tall panels (MC·KC·4 = 64 KiB: L2), then sweep micro-tiles. Packing reads the strided
//! inputs once per block, so transposed or broadcast operands cost no extra copy; edge panels
//! are zero-padded and edge tiles go through a small buffer.

use crate::gemm_kernel::{kernel, MR, NR};
use crate::nd::walk;

const KC: usize = 256;
const MC: usize = 64;
const NC: usize = 1024;

/// Bytes of scratch [`matmul_f32`] needs at `ws` for any shape (packed A block + packed B block).
#[no_mangle]
pub extern "C" fn matmul_workspace_bytes() -> usize {
    (MC * KC + KC * NC) * 4
}

/// Floats of the packed A and B blocks an m×n×k product uses: a block never holds more rows,
/// depth or columns than the operands have (edge panels padded to MR rows / NR columns).
fn block_floats(m: usize, n: usize, k: usize) -> (usize, usize) {
    let kc = KC.min(k);
    ((MC.min(m) + MR - 1) / MR * MR * kc, kc * ((NC.min(n) + NR - 1) / NR * NR))
}

/// Bytes of scratch [`matmul_f32`] needs at `ws` for an m×n×k product: at most
/// [`matmul_workspace_bytes`], and far less for small ones, so a small matmul does not hold a
/// 1 MiB block it never touches.
#[no_mangle]
pub extern "C" fn matmul_workspace_bytes_for(m: usize, n: usize, k: usize) -> usize {
    let (a, b) = block_floats(m, n, k);
    (a + b) * 4
}

/// A strided matrix operand: element (i, j) is at `p + i·rs + j·cs`.
#[derive(Clone, Copy)]
struct Mat {
    p: *const f32,
    rs: isize,
    cs: isize,
}

impl Mat {
    #[inline(always)]
    unsafe fn at(&self, i: usize, j: usize) -> f32 {
        // SAFETY: the caller keeps (i, j) within the matrix's extents.
        unsafe { *self.p.offset(i as isize * self.rs + j as isize * self.cs) }
    }
}

/// Packs rows [i0, i0+mc) × cols [k0, k0+kc) of A into MR-row panels (`dst[(p·kc + k)·MR + r]`).
unsafe fn pack_a(dst: *mut f32, a: Mat, i0: usize, mc: usize, k0: usize, kc: usize) {
    for p in 0..(mc + MR - 1) / MR {
        // SAFETY: dst holds ceil(mc/MR)·MR·kc floats; reads stay within rows < i0 + mc.
        unsafe {
            let panel = dst.add(p * kc * MR);
            for r in 0..MR {
                let i = p * MR + r;
                for k in 0..kc {
                    *panel.add(k * MR + r) = if i < mc { a.at(i0 + i, k0 + k) } else { 0.0 };
                }
            }
        }
    }
}

/// Packs rows [k0, k0+kc) × cols [j0, j0+nc) of B into NR-column panels (`dst[(q·kc + k)·NR + j]`).
unsafe fn pack_b(dst: *mut f32, b: Mat, k0: usize, kc: usize, j0: usize, nc: usize) {
    for q in 0..(nc + NR - 1) / NR {
        let jn = NR.min(nc - q * NR);
        // SAFETY: dst holds ceil(nc/NR)·NR·kc floats; reads stay within cols < j0 + nc.
        unsafe {
            let panel = dst.add(q * kc * NR);
            for k in 0..kc {
                let row = panel.add(k * NR);
                for j in 0..NR {
                    *row.add(j) = if j < jn { b.at(k0 + k, j0 + q * NR + j) } else { 0.0 };
                }
            }
        }
    }
}

/// One m×n×k GEMM into contiguous `c` (row stride n).
unsafe fn gemm(m: usize, n: usize, k: usize, a: Mat, b: Mat, c: *mut f32, ws: *mut f32) {
    if k == 0 {
        for i in 0..m * n {
            // SAFETY: c holds m·n floats.
            unsafe { *c.add(i) = 0.0 };
        }
        return;
    }
    // SAFETY (whole body): ws holds matmul_workspace_bytes_for(m, n, k) bytes; tiles address c within m×n.
    unsafe {
        let (pa, pb) = (ws, ws.add(block_floats(m, n, k).0));
        let mut tmp = [0.0f32; MR * NR];
        for jc in (0..n).step_by(NC) {
            let nc = NC.min(n - jc);
            for pc in (0..k).step_by(KC) {
                let kc = KC.min(k - pc);
                pack_b(pb, b, pc, kc, jc, nc);
                for ic in (0..m).step_by(MC) {
                    let mc = MC.min(m - ic);
                    pack_a(pa, a, ic, mc, pc, kc);
                    for jr in (0..nc).step_by(NR) {
                        let nr = NR.min(nc - jr);
                        let bp = pb.add(jr * kc);
                        for ir in (0..mc).step_by(MR) {
                            let mr = MR.min(mc - ir);
                            let ap = pa.add(ir * kc);
                            let cp = c.add((ic + ir) * n + jc + jr);
                            if mr == MR && nr == NR {
                                kernel(kc, ap, bp, cp, n, pc > 0);
                                continue;
                            }
                            kernel(kc, ap, bp, tmp.as_mut_ptr(), NR, false);
                            for r in 0..mr {
                                for j in 0..nr {
                                    let d = cp.add(r * n + j);
                                    let v = tmp[r * NR + j];
                                    *d = if pc > 0 { *d + v } else { v };
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Batched matmul. The batch index space has `nb` dims; `meta` holds the batch extents, then
/// the byte strides of A's and B's batch dims. C's rows are contiguous (row stride n) and batch
/// t's block starts at `out + t·scb` (elements): `scb = m·n` for a whole contiguous C; a larger
/// `scb` lets a caller compute a band of rows of every batch straight into a taller C (the
/// threaded path splits C's rows this way, runtime/src/backends/wasm/matmul-threads.ts).
/// Within a batch, A(i, kk) is at `a + i·sam + kk·sak` and B(kk, j) at `b + kk·sbk + j·sbn`
/// (element strides, any sign). `ws` must hold [`matmul_workspace_bytes_for`]`(m, n, k)` bytes.
///
/// # Safety
/// Every address formed must be in bounds; `out` holds (batches − 1)·scb + m·n floats.
#[no_mangle]
pub unsafe extern "C" fn matmul_f32(
    nb: usize, meta: *const i32, m: usize, n: usize, k: usize,
    a: *const f32, b: *const f32, out: *mut f32,
    sam: isize, sak: isize, sbk: isize, sbn: isize, ws: *mut f32, scb: usize,
) {
    let mut c = out;
    // SAFETY: forwarded contract; batch blocks of C are scb ≥ m·n elements apart.
    unsafe {
        walk::<2, _>(nb, meta, [a as *mut u8, b as *mut u8], |len, p, s| {
            for t in 0..len as isize {
                let am = Mat { p: p[0].offset(t * s[0]) as *const f32, rs: sam, cs: sak };
                let bm = Mat { p: p[1].offset(t * s[1]) as *const f32, rs: sbk, cs: sbn };
                gemm(m, n, k, am, bm, c, ws);
                c = c.add(scb);
            }
        });
    }
}
