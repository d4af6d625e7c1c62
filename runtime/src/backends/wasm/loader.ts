/**
 * Loads the Rust kernels (runtime/kernels/corepy_kernels_{simd,scalar}.wasm) synchronously.
 *
 * Synchronous on purpose: the engine creates CPU backends on first use from a sync factory, so
 * there is no top-level await. The path is resolved relative to this file, which sits at the
 * same depth under src/ (tsx) and dist/ (compiled), so both find runtime/kernels/.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Which build of the kernels to load: with WebAssembly SIMD128 or the scalar fallback. */
export type KernelFlavour = 'simd' | 'scalar';

/**
 * The slice of the WebAssembly JS API used here, typed locally: the project's TypeScript lib
 * settings (ES2023, no DOM) do not declare the `WebAssembly` namespace.
 */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: unknown };
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** A `WebAssembly.Memory`: `buffer` is replaced (the old one detached) by every `grow`. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  /** Grows by `pages` of 64 KiB; returns the old size in pages; throws RangeError when it cannot. */
  grow(pages: number): number;
}

/** The kernel module's exports (pointers are byte addresses in `memory`; see kernels-rust/src/lib.rs). */
export interface KernelExports {
  readonly memory: WasmMemory;
  readonly __heap_base: { readonly value: number };
  simd_enabled(): number;
  max_rank(): number;
  binary_f32(op: number, nd: number, meta: number, out: number, a: number, b: number): void;
  binary_i32(op: number, nd: number, meta: number, out: number, a: number, b: number): void;
  where_select(width: number, nd: number, meta: number, out: number, cond: number, a: number, b: number): void;
  unary_f32(op: number, nd: number, meta: number, out: number, a: number): void;
  unary_i32(op: number, nd: number, meta: number, out: number, a: number): void;
  cast(from: number, to: number, nd: number, meta: number, out: number, a: number): void;
  copy_strided(width: number, nd: number, meta: number, out: number, src: number): void;
  reduce_f32(op: number, outer: number, inner: number, out: number, a: number): void;
  reduce_i32(op: number, outer: number, inner: number, out: number, a: number): void;
  reduce_cols_f32(op: number, outer: number, r: number, inner: number, out: number, a: number, ws: number): void;
  moments_f32(outer: number, inner: number, meanOut: number, varOut: number, a: number): void;
  matmul_workspace_bytes(): number;
  matmul_f32(
    nb: number, meta: number, m: number, n: number, k: number, a: number, b: number, out: number,
    sam: number, sak: number, sbk: number, sbn: number, ws: number,
  ): void;
  fused_f32(
    code: number, nInstr: number, consts: number, nIn: number, dtypes: number, ins: number, result: number, sink: number,
    nd: number, meta: number, out: number, acc: number, nOut: number, count: number,
  ): void;
}

/**
 * Smallest module using a SIMD128 instruction (i8x16.popcnt), as in wasm-feature-detect:
 * `WebAssembly.validate` on it tells whether this engine runs the simd build.
 */
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
]);

/** True when this JavaScript engine supports WebAssembly SIMD128. */
export function simdSupported(): boolean {
  return WA.validate(SIMD_PROBE);
}

/** Absolute path of a kernel flavour's .wasm file. */
export function kernelPath(flavour: KernelFlavour): string {
  return fileURLToPath(new URL(`../../../kernels/corepy_kernels_${flavour}.wasm`, import.meta.url));
}

const modules = new Map<KernelFlavour, object>();

/**
 * Instantiates a fresh copy of the kernels (its own linear memory). `auto` picks `simd` when
 * the engine validates SIMD128, else `scalar`. Compiled modules are cached per flavour.
 */
export function loadKernels(flavour: KernelFlavour | 'auto' = 'auto'): { exports: KernelExports; flavour: KernelFlavour } {
  const chosen: KernelFlavour = flavour === 'auto' ? (simdSupported() ? 'simd' : 'scalar') : flavour;
  let module = modules.get(chosen);
  if (!module) {
    const path = kernelPath(chosen);
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch (e) {
      throw new Error(
        `wasm backend: kernel file ${path} is missing; build it with \`bash scripts/build.d/10-kernels.sh\` ` +
        `(or \`npm run build\`)`, { cause: e },
      );
    }
    module = new WA.Module(bytes);
    modules.set(chosen, module);
  }
  const instance = new WA.Instance(module, {});
  return { exports: instance.exports as unknown as KernelExports, flavour: chosen };
}
