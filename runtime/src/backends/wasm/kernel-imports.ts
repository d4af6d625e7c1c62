/**
 * What the kernel module imports (kernels-rust/src/random.rs): the host's own `Math.log` and
 * `Math.exp` (for `randn`'s rare tail and wedge draws), so `randn` drawn in wasm equals, bit for
 * bit, the TypeScript writer the js backend runs. V8 recognises imported `Math` functions and calls them directly from wasm code. Every thread
 * that instantiates the kernels (the main one, matmul workers) passes this object.
 */
export const KERNEL_IMPORTS = {
  math: { log_f64: Math.log, exp_f64: Math.exp },
} as const;
