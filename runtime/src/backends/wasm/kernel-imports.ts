/**
 * What the kernel module imports (kernels-rust/src/random.rs): the host's own `Math` functions,
 * so `rand`/`randn` drawn in wasm equal, bit for bit, the TypeScript writers the js backend runs.
 * V8 recognises imported `Math` functions and calls them directly from wasm code. Every thread
 * that instantiates the kernels (the main one, matmul workers) passes this object.
 */
export const KERNEL_IMPORTS = {
  math: { log_f64: Math.log, sin_f64: Math.sin, cos_f64: Math.cos, sqrt_f64: Math.sqrt },
} as const;
