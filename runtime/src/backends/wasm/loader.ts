/**
 * Loads the Rust kernels (runtime/kernels/corepy_kernels_{simd,scalar}.wasm) synchronously.
 *
 * Synchronous on purpose: the engine creates CPU backends on first use from a sync factory, so
 * there is no top-level await. The path is resolved relative to this file, which sits at the
 * same depth under src/ (tsx) and dist/ (compiled), so both find runtime/kernels/.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { oneTimeCostsAhead, recordOneTimeCost } from '../../one-time-costs.js';
import { KERNEL_IMPORTS } from './kernel-imports.js';

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
  arange_f32(out: number, n: number, start: number, step: number): void;
  arange_i32(out: number, n: number, start: number, step: number): void;
  rand_f32(out: number, n: number, state: number): void;
  randn_f32(out: number, n: number, state: number): void;
  reduce_f32(op: number, outer: number, inner: number, out: number, a: number): void;
  reduce_i32(op: number, outer: number, inner: number, out: number, a: number): void;
  reduce_cols_f32(op: number, outer: number, r: number, inner: number, out: number, a: number, ws: number): void;
  moments_f32(outer: number, inner: number, meanOut: number, varOut: number, a: number): void;
  matmul_workspace_bytes(): number;
  matmul_workspace_bytes_for(m: number, n: number, k: number): number;
  matmul_f32(
    nb: number, meta: number, m: number, n: number, k: number, a: number, b: number, out: number,
    sam: number, sak: number, sbk: number, sbn: number, ws: number, scb: number,
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

/** The kernel file `flavour` would load when it is missing (a checkout not built yet), else null. */
export function missingKernelFile(flavour: KernelFlavour | 'auto' = 'auto'): string | null {
  const path = kernelPath(flavour === 'auto' ? (simdSupported() ? 'simd' : 'scalar') : flavour);
  return existsSync(path) ? null : path;
}

/**
 * When the kernels' machine code is made. V8's default (`lazy`) compiles each wasm function on its
 * first call (2–3 ms per kernel here, charged to whichever op called it first) and optimises it only
 * once it is hot, so a first call over 1e6 elements runs in baseline code throughout (5–20× its warm
 * time). `baseline` (default): baseline code for every function at load, no first-call compiles; V8
 * optimises a function in the background once it is hot. `optimised`: optimised code for every
 * function before the compile returns (0.3–0.5 s of CPU, 0.3 s of wall time on 2 cores, less with
 * more: V8's compile workers help the main thread), so every call, the first included, runs the code
 * a warm process runs, and nothing compiles in the background afterwards; what a script gets whose
 * `enableProfiling()` comes before its first op (the warm-up creates the backend, so the compile is a
 * one-time cost recorded before the first op, never inside it). `eager`: baseline code at load, then
 * optimised code for every function on background threads at once; the process waits for that work
 * at exit. Launches by `corepy profile` and the VS Code adapter use `eager` (see launch.ts): their
 * preload compiles while the script itself loads. In-process it competed with the script's first ops
 * (on 2 cores at load 15 a `randn` right after `enableProfiling()` took 57 ms, 3.7 ms `optimised`).
 * The environment variable COREPY_WASM_COMPILE selects a mode for a whole process.
 *
 * A former mode, `tiered` (V8's tiering budget set to 1 so that a function is optimised from its first
 * call), never optimised anything on Node 20: V8 11.3's Liftoff caps a tier-up check's budget use at
 * budget / 4, which is 0 for a budget under 4, so the budget never ran out (audit 24 N1: `mul` on 1e5
 * float32 at 0.05–0.07 ms for good, 0.017–0.02 ms optimised). Newer V8 caps at max(1, budget / 4),
 * where a budget of 1 calls into the runtime at every loop back edge instead.
 */
export type KernelCompile = 'optimised' | 'eager' | 'baseline' | 'lazy';
const COMPILE_MODES: readonly KernelCompile[] = ['optimised', 'eager', 'baseline', 'lazy'];

/**
 * The compile mode from COREPY_WASM_COMPILE, else `optimised` once profiling was asked for (one-time-costs.ts
 * {@link oneTimeCostsAhead}), else `baseline`; anything else is an error naming the allowed values.
 */
export function compileModeFromEnv(): KernelCompile {
  const v = process.env['COREPY_WASM_COMPILE'];
  if (v === undefined || v === '') return oneTimeCostsAhead() ? 'optimised' : 'baseline';
  if (!COMPILE_MODES.includes(v as KernelCompile)) {
    const removed = v === 'tiered' ? ' (\'tiered\' was removed: on Node 20 it never reached optimised code; \'optimised\' is what enableProfiling() now picks)' : '';
    throw new Error(`COREPY_WASM_COMPILE must be one of ${COMPILE_MODES.map((m) => `'${m}'`).join(', ')}, got ${JSON.stringify(v)}${removed}`);
  }
  return v as KernelCompile;
}

/**
 * V8 flags turned off around a compile, per mode. `wasm-lazy-compilation`: without it every function
 * gets code before the compile returns. `wasm-dynamic-tiering`: without it V8 also starts optimising
 * (TurboFan) every function at once, on background threads, instead of waiting for a function to get
 * hot; with it, a kernel's first call over 1e6 elements ran entirely in baseline code (cold Example 1
 * ops up to 18–50 ms; see runtime/BENCHMARKS.md, "First runs"). `liftoff`: without it the code made
 * before the compile returns is the optimised code (V8 implies `--no-wasm-dynamic-tiering` from
 * `--no-liftoff`, so both are turned off and back on by name).
 */
const FLAGS_OFF: Readonly<Record<KernelCompile, readonly string[]>> = {
  optimised: ['wasm-lazy-compilation', 'wasm-dynamic-tiering', 'liftoff'],
  eager: ['wasm-lazy-compilation', 'wasm-dynamic-tiering'],
  baseline: ['wasm-lazy-compilation'],
  lazy: [],
};

/**
 * Compiles the module in `mode`. V8 exposes no per-module switch for these, so the flags
 * are turned off around this one synchronous compile and back on at once: modules compiled
 * elsewhere in the process keep V8's defaults. The time on the main thread is recorded as the
 * one-time cost "compile wasm kernels"; in `eager` and `baseline` the optimising tier then
 * finishes in the background, in `optimised` it is done when the compile returns.
 */
function compile(bytes: Uint8Array, flavour: KernelFlavour, mode: KernelCompile): object {
  const t0 = performance.now();
  let module: object;
  const flags = FLAGS_OFF[mode];
  for (const flag of flags) setFlagsFromString(`--no-${flag}`);
  try {
    module = new WA.Module(bytes);
  } finally {
    // Back to V8's defaults, unless the process was started with a flag on purpose (in reverse order:
    // `--liftoff` first, then `--wasm-dynamic-tiering`, which `--no-liftoff` had turned off too).
    for (const flag of [...flags].reverse()) if (!process.execArgv.includes(`--no-${flag}`)) setFlagsFromString(`--${flag}`);
  }
  recordOneTimeCost(`compile wasm kernels (${flavour}, ${mode})`, 'compile', t0, performance.now(), bytes.byteLength);
  return module;
}

/**
 * Instantiates a fresh copy of the kernels (its own linear memory). `auto` picks `simd` when
 * the engine validates SIMD128, else `scalar`. Compiled modules are cached per flavour (the
 * first compile mode asked for a flavour is the one it keeps). `module` is the compiled
 * WebAssembly.Module, which worker threads instantiate for themselves (matmul-threads.ts).
 */
export function loadKernels(
  flavour: KernelFlavour | 'auto' = 'auto', mode: KernelCompile = compileModeFromEnv(),
): { exports: KernelExports; flavour: KernelFlavour; module: object } {
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
    module = compile(bytes, chosen, mode);
    modules.set(chosen, module);
  }
  const instance = new WA.Instance(module, KERNEL_IMPORTS);
  return { exports: instance.exports as unknown as KernelExports, flavour: chosen, module };
}
