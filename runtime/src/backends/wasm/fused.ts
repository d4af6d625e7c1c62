/**
 * `Backend.fused` for the wasm backend: one call of the `fused_f32` kernel
 * (kernels-rust/src/fused.rs) per fused group. The program, its constants and the walk are
 * written into one scratch block of linear memory, released when the call returns.
 */
import { FUSED_REDUCE, INSTR_WORDS, MAX_FUSED_INPUTS, MAX_FUSED_REGS, type FusedProgram } from '../fused.js';
import type { Storage, View } from '../backend.js';
import { BYTES_PER_ELEMENT, type DType } from '../../types.js';
import { sizeOf } from '../../shape.js';
import type { KernelExports } from './loader.js';
import type { LinearHeap } from './memory.js';
import { MAX_RANK } from './layout.js';
import { codegenSupports, compileKernel, type CodegenInput, type CodegenSink, type GeneratedKernel } from './codegen.js';

/** What the fused kernel needs from the backend that owns the memory. */
export interface WasmFusedContext {
  readonly k: KernelExports;
  readonly heap: LinearHeap;
  /** Byte address of a view's first element. */
  addr(v: View): number;
  /** New output storage. */
  make(dtype: DType, size: number): Storage & { readonly ptr: number };
  /** Runs `fill`, releasing `outs` if it throws. */
  filled<T>(outs: readonly Storage[], fill: () => T): T;
}

/** Operands of the walk: the output and MAX_FUSED_INPUTS inputs (unused ones stride 0). */
const OPERANDS = 1 + MAX_FUSED_INPUTS;
const DTYPE_CODES: Readonly<Record<DType, number>> = { float32: 0, int32: 1, bool: 2 };

/**
 * Writes the coalesced walk (extents, then one row of byte strides per operand) at int32 index
 * `at` of `meta`; dims of extent 1 are dropped and neighbours merged when every operand allows.
 */
function writeFusedWalk(meta: Int32Array, at: number, shape: readonly number[], strides: readonly (readonly number[])[],
  widths: readonly number[]): number {
  const dims: number[] = [];
  const rows: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    const n = shape[d]!;
    if (n === 1) continue;
    const last = dims.length - 1;
    if (last >= 0 && strides.every((s, k) => rows[k]![last] === s[d]! * n)) {
      dims[last]! *= n;
      strides.forEach((s, k) => { rows[k]![last] = s[d]!; });
      continue;
    }
    dims.push(n);
    strides.forEach((s, k) => rows[k]!.push(s[d]!));
  }
  if (dims.length > MAX_RANK) throw new RangeError(`wasm backend: ${dims.length} non-mergeable dims exceed the kernels' ${MAX_RANK}`);
  const nd = dims.length;
  dims.forEach((n, i) => { meta[at + i] = n; });
  rows.forEach((row, k) => row.forEach((s, i) => { meta[at + nd * (1 + k) + i] = s * widths[k]!; }));
  return nd;
}

let codegenEnabled = true;
/** Turns run-time code generation for flat programs on or off (tests use it to cover both paths); returns the previous setting. */
export function setFusedCodegen(enabled: boolean): boolean {
  const before = codegenEnabled;
  codegenEnabled = enabled;
  return before;
}

/** Generated kernels per program and input layout (programs live as long as their jit plan). */
const generated = new WeakMap<FusedProgram, Map<string, GeneratedKernel | null>>();

/**
 * Runs `p` with a generated kernel (codegen.ts) when the group is flat: inputs contiguous at
 * `shape` or single broadcast elements, float32/int32, and a float32 store or a reduction over
 * every axis. Returns null when it does not apply.
 */
function runGenerated(ctx: WasmFusedContext, p: FusedProgram, inputs: readonly View[], shape: readonly number[], size: number): Storage | null {
  const ep = p.epilogue;
  if (!codegenEnabled || size === 0 || (ep ? ep.axes.length !== shape.length : p.outDtype !== 'float32')) return null;
  if (inputs.some((v) => v.dtype === 'bool')) return null;
  const layout = rowsLayout(shape, inputs.map((v) => v.strides), !ep);
  if (layout === null) return null;
  const kinds: CodegenInput[] = inputs.map((v, k) => ({ dtype: v.dtype as 'float32' | 'int32', scalar: layout.inner[k] === 0 }));
  const sink: CodegenSink = ep ? (ep.op === 'mean' ? 'sum' : ep.op) : 'store';
  const key = `${sink}|${kinds.map((x) => `${x.dtype}${x.scalar ? 's' : 'c'}`).join(',')}`;
  let byKey = generated.get(p);
  if (!byKey) generated.set(p, (byKey = new Map()));
  let fn = byKey.get(key);
  if (fn === undefined) {
    fn = codegenSupports(p) ? compileKernel(p, kinds, sink, ctx.k.memory) : null;
    byKey.set(key, fn);
  }
  if (fn === null) return null;
  const run = fn;
  const out = ctx.make('float32', ep ? 1 : size);
  return ctx.filled([out], () => {
    const args: number[] = [];
    inputs.forEach((v, k) => args.push(ctx.addr(v), layout.outer[k]! * BYTES_PER_ELEMENT[v.dtype]));
    const n = layout.cols;
    const acc = run(layout.rows, n - (n % 16), n, out.ptr, ...args);
    if (ep) new Float32Array(ctx.heap.u8.buffer, out.ptr, 1)[0] = ep.op === 'mean' ? acc / size : acc;
    return out;
  });
}

/**
 * `shape` coalesced to [rows, cols] (dims of extent 1 dropped, neighbours merged where every
 * operand allows; with `contiguousOut` the output's row-major strides count too), with each
 * input's element stride along cols (`inner`, 0 or 1 qualifies) and between rows (`outer`).
 * Null when more than two dims remain or an input is strided along cols.
 */
function rowsLayout(shape: readonly number[], strides: readonly (readonly number[])[], contiguousOut: boolean):
  { rows: number; cols: number; inner: number[]; outer: number[] } | null {
  const out: number[] = [];
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) { out[d] = contiguousOut ? s : 0; s *= shape[d]!; }
  const all = [out, ...strides];
  const dims: number[] = [];
  const rows: number[][] = all.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    const n = shape[d]!;
    if (n === 1) continue;
    const last = dims.length - 1;
    if (last >= 0 && all.every((st, k) => rows[k]![last] === st[d]! * n)) {
      dims[last]! *= n;
      all.forEach((st, k) => { rows[k]![last] = st[d]!; });
      continue;
    }
    dims.push(n);
    all.forEach((st, k) => rows[k]!.push(st[d]!));
  }
  if (dims.length > 2) return null;
  while (dims.length < 2) { dims.unshift(1); rows.forEach((r) => r.unshift(0)); }
  const inner = strides.map((_, k) => rows[k + 1]![1]!), outer = strides.map((_, k) => rows[k + 1]![0]!);
  if (inner.some((x) => x !== 0 && x !== 1)) return null;
  return { rows: dims[0]!, cols: dims[1]!, inner, outer };
}

/** Runs `p` over `shape` with the fused kernel. */
export function runFusedWasm(ctx: WasmFusedContext, p: FusedProgram, inputs: readonly View[], shape: readonly number[]): Storage {
  if (inputs.length > MAX_FUSED_INPUTS || p.nRegs > MAX_FUSED_REGS) {
    throw new RangeError(`wasm backend: a fused program takes at most ${MAX_FUSED_INPUTS} inputs and ${MAX_FUSED_REGS} registers`);
  }
  const { k, heap } = ctx;
  const size = sizeOf(shape);
  const ep = p.epilogue;
  // Element strides of the output seen at full rank: contiguous, or 0 on the reduced axes.
  const outStrides = shape.map(() => 0);
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    if (ep && ep.axes.includes(d)) continue;
    outStrides[d] = s;
    s *= shape[d]!;
  }
  const nOut = s;
  const fast = runGenerated(ctx, p, inputs, shape, size);
  if (fast !== null) return fast;
  const out = ep ? ctx.make('float32', nOut) : ctx.make(p.outDtype, size);
  if (!ep && size === 0) return out;
  return ctx.filled([out], () => {
    const nInstr = p.code.length / INSTR_WORDS;
    const walkInts = (1 + OPERANDS) * MAX_RANK;
    // Scratch layout (int32 slots): walk | code | dtypes | input addresses | consts, then the
    // f64 accumulators at an 8-byte boundary.
    const ints = walkInts + p.code.length + 2 * MAX_FUSED_INPUTS + p.consts.length;
    const accOff = Math.ceil(ints * 4 / 8) * 8;
    const bytes = accOff + (ep ? nOut * 8 : 0);
    const base = heap.alloc(bytes);
    try {
      const i32 = heap.i32, f32 = new Float32Array(i32.buffer);
      const at = base >> 2;
      const strides = [outStrides, ...inputs.map((v) => v.strides)];
      const widths = [ep ? 8 : BYTES_PER_ELEMENT[p.outDtype], ...inputs.map((v) => BYTES_PER_ELEMENT[v.dtype])];
      while (strides.length < OPERANDS) { strides.push(shape.map(() => 0)); widths.push(4); }
      const nd = writeFusedWalk(i32, at, shape, strides, widths);
      const codeAt = at + walkInts;
      i32.set(p.code, codeAt);
      const dtAt = codeAt + p.code.length, insAt = dtAt + MAX_FUSED_INPUTS, constAt = insAt + MAX_FUSED_INPUTS;
      inputs.forEach((v, i) => { i32[dtAt + i] = DTYPE_CODES[v.dtype]; i32[insAt + i] = ctx.addr(v); });
      f32.set(p.consts, constAt);
      const sink = ep ? 2 + FUSED_REDUCE[ep.op] : p.outDtype === 'bool' ? 1 : 0;
      k.fused_f32(codeAt * 4, nInstr, constAt * 4, inputs.length, dtAt * 4, insAt * 4, p.result, sink,
        nd, base, out.ptr, base + accOff, ep ? nOut : 0, nOut === 0 ? 1 : size / nOut);
      return out;
    } finally {
      heap.release(base, bytes);
    }
  });
}
