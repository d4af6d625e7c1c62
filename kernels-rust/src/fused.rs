//! Fused elementwise programs: the kernel behind `cp.jit` (contract:
//! `runtime/src/backends/fused.ts`, reference implementation: `backends/js/fused.ts`).
//!
//! A program is a short list of register instructions `[opcode, dst, a, b, c]`. The N-d walk of
//! [`crate::nd`] hands each innermost row of the output shape to [`row`], which evaluates the
//! program over blocks of up to [`BLOCK`] elements: every register is one block of f32 (1 KiB),
//! so a chain of ops touches memory once to load its inputs and once to store (or reduce) its
//! value, with every intermediate staying in L1. A contiguous float32 input is read in place
//! (its register points into the input), a broadcast scalar is splatted, other strides gather.
//!
//! Per instruction the interpretation costs one `match` per block, amortised over 256 elements;
//! the op loops themselves are the same SIMD lane functions the eager kernels use
//! ([`crate::binary`], [`crate::unary`]), so each op rounds exactly as its eager kernel does.

use crate::binary::{self, Cmp2, Map2};
use crate::nd::walk;
use crate::unary::{self, Map1};
#[cfg(target_feature = "simd128")]
use core::arch::wasm32::*;

/// Elements per register block.
const BLOCK: usize = 1024;
/// Most external inputs (operands 1..=MAX_IN of the walk; operand 0 is the output).
const MAX_IN: usize = 8;
/// Most registers (`MAX_FUSED_REGS` on the TypeScript side).
const MAX_REGS: usize = 32;
/// Words per instruction.
const W: usize = 5;

const OP_LOAD: i32 = 0;
const OP_CONST: i32 = 1;
const OP_TOBOOL: i32 = 2;
const OP_WHERE: i32 = 3;
const BINARY_BASE: i32 = 10;
const UNARY_BASE: i32 = 30;

#[repr(C, align(16))]
struct Regs([[f32; BLOCK]; MAX_REGS]);

/// The register file. wasm32 is single-threaded, and kernels never re-enter each other.
static mut REGS: Regs = Regs([[0.0; BLOCK]; MAX_REGS]);

/// Where the program's value goes.
#[derive(Clone, Copy, PartialEq)]
enum Sink {
    StoreF32,
    StoreBool,
    Sum,
    Min,
    Max,
}

struct Program {
    code: *const i32,
    n_instr: usize,
    /// Input element types: 0 float32, 1 int32, 2 bool.
    dtypes: [i32; MAX_IN],
    result: usize,
    sink: Sink,
    /// Bit r set: register r is a constant (filled once, never written).
    is_const: u32,
}

/// `d = O(a, b)` over n elements; `SA`/`SB`: that operand is a constant register (one value,
/// splatted once instead of loaded per vector).
#[inline(always)]
unsafe fn map2s<O: Map2<f32>, const SA: bool, const SB: bool>(n: usize, d: *mut f32, a: *const f32, b: *const f32) {
    let mut i = 0;
    #[cfg(target_feature = "simd128")]
    // SAFETY: every register pointer addresses at least n (≤ BLOCK) floats.
    unsafe {
        let (sa, sb) = (v128_load32_splat(a as *const u32), v128_load32_splat(b as *const u32));
        while i + 8 <= n {
            let (a0, a1) = if SA { (sa, sa) } else { (v128_load(a.add(i) as *const v128), v128_load(a.add(i + 4) as *const v128)) };
            let (b0, b1) = if SB { (sb, sb) } else { (v128_load(b.add(i) as *const v128), v128_load(b.add(i + 4) as *const v128)) };
            v128_store(d.add(i) as *mut v128, O::v(a0, b0));
            v128_store(d.add(i + 4) as *mut v128, O::v(a1, b1));
            i += 8;
        }
        while i + 4 <= n {
            let va = if SA { sa } else { v128_load(a.add(i) as *const v128) };
            let vb = if SB { sb } else { v128_load(b.add(i) as *const v128) };
            v128_store(d.add(i) as *mut v128, O::v(va, vb));
            i += 4;
        }
    }
    while i < n {
        // SAFETY: as above (a constant register holds BLOCK copies of its value).
        unsafe { *d.add(i) = O::s(*a.add(i), *b.add(i)) };
        i += 1;
    }
}

/// [`map2s`] picking the variant for which operands are constant registers.
#[inline(always)]
unsafe fn map2<O: Map2<f32>>(n: usize, d: *mut f32, a: *const f32, b: *const f32, ca: bool, cb: bool) {
    // SAFETY: forwarded.
    unsafe {
        match (ca, cb) {
            (false, true) => map2s::<O, false, true>(n, d, a, b),
            (true, false) => map2s::<O, true, false>(n, d, a, b),
            _ => map2s::<O, false, false>(n, d, a, b),
        }
    }
}

#[inline(always)]
unsafe fn cmp2<C: Cmp2<f32>>(n: usize, d: *mut f32, a: *const f32, b: *const f32) {
    let mut i = 0;
    #[cfg(target_feature = "simd128")]
    // SAFETY: as in `map2`; the lane mask is all ones or zeros, so `and` with 1.0 gives 1.0 / 0.0.
    unsafe {
        let one = f32x4_splat(1.0);
        while i + 4 <= n {
            let m = C::v(v128_load(a.add(i) as *const v128), v128_load(b.add(i) as *const v128));
            v128_store(d.add(i) as *mut v128, v128_and(m, one));
            i += 4;
        }
    }
    while i < n {
        // SAFETY: as in `map2`.
        unsafe { *d.add(i) = if C::s(*a.add(i), *b.add(i)) { 1.0 } else { 0.0 } };
        i += 1;
    }
}

#[inline(always)]
unsafe fn map1<O: Map1<f32>>(n: usize, d: *mut f32, a: *const f32) {
    let mut i = 0;
    #[cfg(target_feature = "simd128")]
    // SAFETY: as in `map2`.
    unsafe {
        while i + 8 <= n {
            let (a0, a1) = (v128_load(a.add(i) as *const v128), v128_load(a.add(i + 4) as *const v128));
            v128_store(d.add(i) as *mut v128, O::v(a0));
            v128_store(d.add(i + 4) as *mut v128, O::v(a1));
            i += 8;
        }
        while i + 4 <= n {
            v128_store(d.add(i) as *mut v128, O::v(v128_load(a.add(i) as *const v128)));
            i += 4;
        }
    }
    while i < n {
        // SAFETY: as in `map2`.
        unsafe { *d.add(i) = O::s(*a.add(i)) };
        i += 1;
    }
}

/// Reads element `i` of an input row (`p` + i·`s` bytes) as f32.
#[inline(always)]
unsafe fn load_one(dtype: i32, p: *const u8) -> f32 {
    // SAFETY: the caller passes an in-bounds element address of the input's type.
    unsafe {
        match dtype {
            0 => *(p as *const f32),
            1 => *(p as *const i32) as f32,
            _ => (*p != 0) as i32 as f32,
        }
    }
}

/// Evaluates one block of `n` elements whose inputs start at `ins` (byte strides `st`).
/// Returns the register holding the value.
#[inline(always)]
unsafe fn block(p: &Program, n: usize, ins: &[*const u8; MAX_IN], st: &[isize; MAX_IN], direct: *mut f32) -> *const f32 {
    // SAFETY: REGS is only touched by this kernel, which never re-enters.
    let regs = unsafe { &mut *core::ptr::addr_of_mut!(REGS) };
    let mut rp: [*const f32; MAX_REGS] = [core::ptr::null(); MAX_REGS];
    for (r, slot) in rp.iter_mut().enumerate() {
        *slot = regs.0[r].as_ptr();
    }
    for k in 0..p.n_instr {
        // SAFETY: the program holds n_instr × W words; register indices are < MAX_REGS
        // (checked by the TypeScript side before calling).
        let ins_w = unsafe { core::slice::from_raw_parts(p.code.add(k * W), W) };
        let (op, dst, a, b, c) = (ins_w[0], ins_w[1] as usize, ins_w[2] as usize, ins_w[3] as usize, ins_w[4] as usize);
        // The last instruction writes straight into the output row when it produces the value.
        let d: *mut f32 = if k + 1 == p.n_instr && dst == p.result && !direct.is_null() { direct } else { regs.0[dst].as_mut_ptr() };
        // SAFETY (whole match): register pointers address BLOCK floats (or n floats of a
        // contiguous float32 input row); input addresses are in bounds per the walk's contract.
        unsafe {
            match op {
                OP_LOAD => {
                    let (src, s, t) = (ins[a], st[a], p.dtypes[a]);
                    if t == 0 && s == 4 {
                        rp[dst] = src as *const f32;
                        continue;
                    }
                    if s == 0 {
                        let v = load_one(t, src);
                        for i in 0..n {
                            *d.add(i) = v;
                        }
                    } else {
                        for i in 0..n {
                            *d.add(i) = load_one(t, src.offset(i as isize * s));
                        }
                    }
                }
                OP_CONST => {} // filled once before the walk; constant registers are never written
                OP_TOBOOL => {
                    let x = rp[a];
                    for i in 0..n {
                        *d.add(i) = if *x.add(i) != 0.0 { 1.0 } else { 0.0 };
                    }
                }
                OP_WHERE => {
                    let (cr, ar, br) = (rp[a], rp[b], rp[c]);
                    for i in 0..n {
                        *d.add(i) = if *cr.add(i) != 0.0 { *ar.add(i) } else { *br.add(i) };
                    }
                }
                _ if op >= UNARY_BASE => {
                    let x = rp[a];
                    match op - UNARY_BASE {
                        0 => map1::<unary::NegF>(n, d, x),
                        1 => map1::<unary::AbsF>(n, d, x),
                        2 => map1::<unary::ExpF>(n, d, x),
                        3 => map1::<unary::LogF>(n, d, x),
                        4 => map1::<unary::SqrtF>(n, d, x),
                        5 => map1::<unary::TanhF>(n, d, x),
                        6 => map1::<unary::SigmoidF>(n, d, x),
                        _ => map1::<unary::ReluF>(n, d, x),
                    }
                }
                _ => {
                    let (x, y) = (rp[a], rp[b]);
                    let (ca, cb) = (p.is_const & (1 << a) != 0, p.is_const & (1 << b) != 0);
                    match op - BINARY_BASE {
                        0 => map2::<binary::AddF>(n, d, x, y, ca, cb),
                        1 => map2::<binary::SubF>(n, d, x, y, ca, cb),
                        2 => map2::<binary::MulF>(n, d, x, y, ca, cb),
                        3 => map2::<binary::DivF>(n, d, x, y, ca, cb),
                        4 => map2::<binary::PowF>(n, d, x, y, ca, cb),
                        5 => map2::<binary::MaxF>(n, d, x, y, ca, cb),
                        6 => map2::<binary::MinF>(n, d, x, y, ca, cb),
                        7 => cmp2::<binary::EqF>(n, d, x, y),
                        8 => cmp2::<binary::LtF>(n, d, x, y),
                        _ => cmp2::<binary::GtF>(n, d, x, y),
                    }
                }
            }
        }
        rp[dst] = d;
    }
    rp[p.result]
}

/// Sum of n floats: 16 running lanes within the block (enough to hide the add latency, like
/// the eager leaf sums), then f64.
#[inline(always)]
unsafe fn block_sum(n: usize, x: *const f32) -> f64 {
    let mut i = 0;
    let mut s = 0.0f64;
    #[cfg(target_feature = "simd128")]
    // SAFETY: x addresses n floats; each step reads [i, i + 16).
    unsafe {
        let z = f32x4_splat(0.0);
        let (mut s0, mut s1, mut s2, mut s3) = (z, z, z, z);
        while i + 16 <= n {
            s0 = f32x4_add(s0, v128_load(x.add(i) as *const v128));
            s1 = f32x4_add(s1, v128_load(x.add(i + 4) as *const v128));
            s2 = f32x4_add(s2, v128_load(x.add(i + 8) as *const v128));
            s3 = f32x4_add(s3, v128_load(x.add(i + 12) as *const v128));
            i += 16;
        }
        let t = f32x4_add(f32x4_add(s0, s1), f32x4_add(s2, s3));
        s += (f32x4_extract_lane::<0>(t) + f32x4_extract_lane::<1>(t)) as f64
            + (f32x4_extract_lane::<2>(t) + f32x4_extract_lane::<3>(t)) as f64;
    }
    while i < n {
        // SAFETY: as above.
        s += unsafe { *x.add(i) } as f64;
        i += 1;
    }
    s
}

/// Folds n floats into the running extreme `m`: wasm's `f32x4.min`/`max` propagate NaN.
#[inline(always)]
unsafe fn block_extreme(m: f64, n: usize, x: *const f32, min: bool) -> f64 {
    let mut i = 0;
    let mut m = m;
    #[cfg(target_feature = "simd128")]
    // SAFETY: x addresses n floats; each step reads [i, i + 8).
    unsafe {
        if n >= 8 {
            let (mut e0, mut e1) = (v128_load(x as *const v128), v128_load(x.add(4) as *const v128));
            i = 8;
            while i + 8 <= n {
                let (a, b) = (v128_load(x.add(i) as *const v128), v128_load(x.add(i + 4) as *const v128));
                if min { e0 = f32x4_min(e0, a); e1 = f32x4_min(e1, b); } else { e0 = f32x4_max(e0, a); e1 = f32x4_max(e1, b); }
                i += 8;
            }
            let e = if min { f32x4_min(e0, e1) } else { f32x4_max(e0, e1) };
            m = extreme(m, f32x4_extract_lane::<0>(e), min);
            m = extreme(m, f32x4_extract_lane::<1>(e), min);
            m = extreme(m, f32x4_extract_lane::<2>(e), min);
            m = extreme(m, f32x4_extract_lane::<3>(e), min);
        }
    }
    while i < n {
        // SAFETY: as above.
        m = extreme(m, unsafe { *x.add(i) }, min);
        i += 1;
    }
    m
}

/// Folds `x` into the running extreme `m` (NaN propagates: once NaN, always NaN).
#[inline(always)]
fn extreme(m: f64, x: f32, min: bool) -> f64 {
    let x = x as f64;
    if m != m {
        m
    } else if x != x || (if min { x < m } else { x > m }) {
        x
    } else {
        m
    }
}

/// One walk row: `n` elements; `ptr[0]`/`st[0]` the output (or f64 accumulator) row.
unsafe fn row(p: &Program, n: usize, ptr: [*mut u8; 1 + MAX_IN], st: [isize; 1 + MAX_IN]) {
    let mut ins = [core::ptr::null::<u8>(); MAX_IN];
    let mut ist = [0isize; MAX_IN];
    let mut j = 0;
    while j < n {
        let m = if n - j < BLOCK { n - j } else { BLOCK };
        for k in 0..MAX_IN {
            ins[k] = ptr[1 + k].wrapping_offset(j as isize * st[1 + k]);
            ist[k] = st[1 + k];
        }
        let out = ptr[0].wrapping_offset(j as isize * st[0]);
        let direct = if p.sink == Sink::StoreF32 && st[0] == 4 { out as *mut f32 } else { core::ptr::null_mut() };
        // SAFETY: forwarded contract of `fused_f32`.
        unsafe {
            let v = block(p, m, &ins, &ist, direct);
            match p.sink {
                Sink::StoreF32 => {
                    if v != direct as *const f32 {
                        for i in 0..m {
                            *(out.offset(i as isize * st[0]) as *mut f32) = *v.add(i);
                        }
                    }
                }
                Sink::StoreBool => {
                    for i in 0..m {
                        *out.offset(i as isize * st[0]) = (*v.add(i) != 0.0) as u8;
                    }
                }
                _ if st[0] == 0 => {
                    // The row is reduced into one accumulator.
                    let acc = out as *mut f64;
                    match p.sink {
                        Sink::Sum => *acc += block_sum(m, v),
                        Sink::Min => *acc = block_extreme(*acc, m, v, true),
                        _ => *acc = block_extreme(*acc, m, v, false),
                    }
                }
                _ => {
                    // The row runs along a kept axis: one accumulator per element.
                    for i in 0..m {
                        let acc = out.offset(i as isize * st[0]) as *mut f64;
                        *acc = match p.sink {
                            Sink::Sum => *acc + *v.add(i) as f64,
                            Sink::Min => extreme(*acc, *v.add(i), true),
                            _ => extreme(*acc, *v.add(i), false),
                        };
                    }
                }
            }
        }
        j += m;
    }
}

/// Runs a fused program over the walk `nd`/`meta` (operand 0: the output, or with a reduction
/// the f64 accumulators `acc` seen at full rank with stride 0 on reduced axes; operands 1..=8:
/// the inputs at `ins[k]`, element types `dtypes[k]`).
///
/// `sink`: 0 store float32, 1 store bool, 2 sum, 3 mean, 4 min, 5 max. With a reduction the
/// `n_out` accumulators are initialised here and finally written to `out` as float32
/// (mean: divided by `count`).
///
/// # Safety
/// `code` holds `n_instr` instructions whose registers are < 32 and inputs < `n_in` ≤ 8;
/// `consts`, `dtypes` and `ins` hold what the program reads; `meta` and the pointers describe
/// valid, in-bounds views (see the crate docs); `acc` holds `n_out` f64 when reducing.
#[no_mangle]
pub unsafe extern "C" fn fused_f32(
    code: *const i32, n_instr: usize, consts: *const f32, n_in: usize, dtypes: *const i32, ins: *const u32,
    result: usize, sink: u32, nd: usize, meta: *const i32, out: *mut u8, acc: *mut f64, n_out: usize, count: f64,
) {
    if n_in > MAX_IN {
        core::arch::wasm32::unreachable();
    }
    let mut p = Program {
        code,
        n_instr,
        dtypes: [0; MAX_IN],
        result,
        is_const: 0,
        sink: match sink { 0 => Sink::StoreF32, 1 => Sink::StoreBool, 2 | 3 => Sink::Sum, 4 => Sink::Min, _ => Sink::Max },
    };
    let mut ptrs = [core::ptr::null_mut::<u8>(); 1 + MAX_IN];
    // SAFETY: forwarded contract: n_in entries in `dtypes` and `ins`, n_instr instructions,
    // n_out accumulators.
    unsafe {
        for k in 0..n_in {
            p.dtypes[k] = *dtypes.add(k);
            ptrs[1 + k] = *ins.add(k) as usize as *mut u8;
        }
        let regs = &mut *core::ptr::addr_of_mut!(REGS);
        for k in 0..n_instr {
            let w = core::slice::from_raw_parts(code.add(k * W), W);
            if w[0] == OP_CONST {
                let v = *consts.add(w[2] as usize);
                regs.0[w[1] as usize] = [v; BLOCK];
                p.is_const |= 1 << w[1];
            }
        }
        let reducing = sink >= 2;
        if reducing {
            let init = match p.sink { Sink::Min => f64::INFINITY, Sink::Max => f64::NEG_INFINITY, _ => 0.0 };
            for i in 0..n_out {
                *acc.add(i) = init;
            }
            ptrs[0] = acc as *mut u8;
        } else {
            ptrs[0] = out;
        }
        walk::<{ 1 + MAX_IN }, _>(nd, meta, ptrs, |n, pt, s| row(&p, n, pt, s));
        if reducing {
            let o = out as *mut f32;
            for i in 0..n_out {
                let v = *acc.add(i);
                *o.add(i) = (if sink == 3 { v / count } else { v }) as f32;
            }
        }
    }
}
