//! corepy's compute kernels for `wasm32-unknown-unknown`.
//!
//! Contract shared by every export (the TypeScript side in `runtime/src/backends/wasm/` keeps it):
//! - Pointers are byte addresses in this module's linear memory, already advanced to the view's
//!   first element. The TypeScript allocator owns all memory above `__heap_base`; kernels never
//!   allocate.
//! - Strided kernels take `nd` and `meta`, a pointer to `nd` extents followed by one row of `nd`
//!   **byte** strides per operand (output first, then inputs in argument order). Strides may be
//!   0 (broadcast) or negative (reversed views). `nd <= MAX_RANK`.
//! - The only imports are two of the host's `Math` functions, module `math` (random.rs); the
//!   TypeScript side passes them (runtime/src/backends/wasm/kernel-imports.ts).
//! - Every kernel exists twice: a `simd128` implementation behind
//!   `cfg(target_feature = "simd128")` and a scalar fallback that is always compiled. The build
//!   produces two modules and the loader picks one with `WebAssembly.validate`.
#![no_std]
// Every unsafe operation sits in an explicit `unsafe {}` block with its `// SAFETY:` argument.
#![deny(unsafe_op_in_unsafe_fn)]

mod binary;
mod cast;
mod fill;
mod fused;
mod gemm_kernel;
mod lanes;
mod math;
mod matmul;
mod moments;
mod nd;
mod random;
mod reduce;
mod reduce_cols;
mod unary;
mod ziggurat_tables;

/// Kernels never panic on valid input; a panic (a bug) traps instead of unwinding.
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}

/// An op, dtype or width code the TypeScript side never sends (its op table,
/// runtime/src/backends/op-table.ts, is checked against these kernels by a test): trap instead
/// of running some other kernel on the caller's memory.
#[cold]
#[inline(never)]
pub(crate) fn bad_code() -> ! {
    core::arch::wasm32::unreachable()
}

/// 1 when this module was built with `simd128`, 0 for the scalar fallback build.
#[no_mangle]
pub extern "C" fn simd_enabled() -> u32 {
    cfg!(target_feature = "simd128") as u32
}

/// Largest `nd` a strided kernel accepts (the TypeScript side coalesces dims before calling).
#[no_mangle]
pub extern "C" fn max_rank() -> u32 {
    nd::MAX_RANK as u32
}
