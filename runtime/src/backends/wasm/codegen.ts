/**
 * Run-time wasm code generation for flat fused programs: one small module per program whose loop
 * keeps every intermediate in SIMD registers (wasm locals), so a chain of n ops over contiguous
 * float32 data costs one load per input and one store or accumulate per 4 elements — instead of
 * the interpreter's load/op/store per op (kernels-rust/src/fused.rs), which stays the path for
 * everything else (strided or broadcast inputs, partial reductions, bool outputs, exp/log/tanh/
 * sigmoid/pow, whose approximations live in the Rust crate).
 *
 * "Flat" means: the group's shape coalesces to at most [rows, cols] where every input, float32
 * or int32, is contiguous along cols or one element broadcast along them (any row stride, 0
 * included: `[100,1] + [1,n]` qualifies); the output is float32, or the epilogue reduces over
 * every axis. The module imports the kernels' memory, so it reads and writes the same linear
 * memory as every kernel.
 *
 * Semantics match the eager SIMD kernels lane for lane (same wasm instructions: f32x4.add … max,
 * relu as x & ~(x ≤ 0), comparisons as mask & 1.0); min/max epilogues run pmin/pmax chains plus a NaN
 * mask, as the eager reductions do. Sums keep 16 f32 lanes per block of
 * {@link SUM_BLOCK} elements and add the block sums in float64, like the interpreter.
 */
import { FUSED_BINARY, FUSED_UNARY, INSTR_WORDS, OP, type FusedProgram } from '../fused.js';
import { timeOneTimeCost } from '../../one-time-costs.js';

/** Elements per float64 fold of the running f32 lanes (bounds the f32 rounding of long sums). */
const SUM_BLOCK = 1024;

/** How the generated function's value leaves: stored, or reduced over everything. */
export type CodegenSink = 'store' | 'sum' | 'min' | 'max';
/** One input as the generated code reads it: contiguous along a row, or one element per row (`scalar`). */
export interface CodegenInput { readonly dtype: 'float32' | 'int32'; readonly scalar: boolean }

/**
 * `(rows, n16, n, out, in0, rowStride0, in1, rowStride1, ...) => acc`: `n` elements per row
 * (n16 = n rounded down to 16), input row strides in bytes; returns the reduction (f64).
 */
export type GeneratedKernel = (rows: number, n16: number, n: number, out: number, ...inputs: number[]) => number;

const SIMD_BINARY: Partial<Record<number, number>> = {
  [FUSED_BINARY.add]: 0xe4, [FUSED_BINARY.sub]: 0xe5, [FUSED_BINARY.mul]: 0xe6, [FUSED_BINARY.div]: 0xe7,
  [FUSED_BINARY.minimum]: 0xe8, [FUSED_BINARY.maximum]: 0xe9,
};
const SIMD_COMPARE: Partial<Record<number, number>> = { [FUSED_BINARY.eq]: 0x41, [FUSED_BINARY.lt]: 0x43, [FUSED_BINARY.gt]: 0x44 };
const SIMD_UNARY: Partial<Record<number, number>> = { [FUSED_UNARY.neg]: 0xe1, [FUSED_UNARY.abs]: 0xe0, [FUSED_UNARY.sqrt]: 0xe3 };

/** True when every instruction of `p` has a direct SIMD form here. */
export function codegenSupports(p: FusedProgram): boolean {
  for (let pc = 0; pc < p.code.length; pc += INSTR_WORDS) {
    const op = p.code[pc]!;
    if (op === OP.load || op === OP.const || op === OP.tobool || op === OP.where) continue;
    if (op >= OP.unaryBase) {
      const u = op - OP.unaryBase;
      if (SIMD_UNARY[u] === undefined && u !== FUSED_UNARY.relu) return false;
    } else if (SIMD_BINARY[op - OP.binaryBase] === undefined && SIMD_COMPARE[op - OP.binaryBase] === undefined) {
      return false;
    }
  }
  return true;
}

/** Unsigned LEB128 bytes of `n` (wasm's integer encoding). */
export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) { out.push(b); return out; }
    out.push(b | 0x80);
  }
}

const f32Bytes = (v: number): number[] => [...new Uint8Array(Float32Array.of(v).buffer)];
const f64Bytes = (v: number): number[] => [...new Uint8Array(Float64Array.of(v).buffer)];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];

/** Builds the module bytes for `p` with `inputs` and `sink`. */
export function buildModule(p: FusedProgram, inputs: readonly CodegenInput[], sink: CodegenSink): Uint8Array {
  const K = inputs.length;
  // Params: rows, n16, n, out, (in_k, rowStride_k)… Locals: i, end, r, outRow, rowPtr_k (i32);
  // acc (f64); then v128 locals.
  const P_ROWS = 0, P_N16 = 1, P_N = 2, P_OUT = 3, P_IN = (k: number) => 4 + 2 * k, P_RS = (k: number) => 5 + 2 * k;
  const L_I = 4 + 2 * K, L_END = L_I + 1, L_R = L_END + 1, L_OUTROW = L_R + 1, L_ROW = (k: number) => L_OUTROW + 1 + k;
  const L_ACC = L_OUTROW + 1 + K, V0 = L_ACC + 1;
  const COPIES = 5; // four unrolled vectors + the scalar tail
  const nRegs = p.nRegs;
  const regLocal = (copy: number, r: number) => V0 + copy * nRegs + r;
  const S_BASE = V0 + COPIES * nRegs; // 4 running sums (or extremes)
  const L_NAN = S_BASE + 4; // min/max: lanes that saw a NaN (pmin/pmax drop NaNs; the result must not)
  const nV128 = COPIES * nRegs + 5;

  const code: number[] = [];
  const e = (...b: number[]) => { code.push(...b); };
  const simd = (op: number, ...imm: number[]) => e(0xfd, ...uleb(op), ...imm);
  const get = (l: number) => e(0x20, ...uleb(l));
  const set = (l: number) => e(0x21, ...uleb(l));
  const i32c = (v: number) => e(0x41, ...sleb(v));
  const memarg = (offset: number) => [0, ...uleb(offset)];
  const constRegs = new Map<number, number>(); // reg -> const value
  const scalarLoads = new Map<number, number>(); // reg -> input index (broadcast element)
  for (let pc = 0; pc < p.code.length; pc += INSTR_WORDS) {
    const op = p.code[pc]!, dst = p.code[pc + 1]!, a = p.code[pc + 2]!;
    if (op === OP.const) constRegs.set(dst, p.consts[a]!);
    if (op === OP.load && inputs[a]!.scalar) scalarLoads.set(dst, a);
  }
  // Loop-invariant registers live in copy 0's locals and are read by every copy.
  const invariant = (r: number) => constRegs.has(r) || scalarLoads.has(r);
  const reg = (copy: number, r: number) => (invariant(r) ? regLocal(0, r) : regLocal(copy, r));
  const convertIfInt = (k: number) => { if (inputs[k]!.dtype === 'int32') simd(0xfa); };
  for (const [r, v] of constRegs) { simd(0x0c, ...f32Bytes(v), ...f32Bytes(v), ...f32Bytes(v), ...f32Bytes(v)); set(regLocal(0, r)); }

  /** The program for one copy: `copy` 0..3 reads 4 lanes at element i + 4·copy; 4 reads one element at i (splatted). */
  const body = (copy: number) => {
    for (let pc = 0; pc < p.code.length; pc += INSTR_WORDS) {
      const op = p.code[pc]!, dst = p.code[pc + 1]!, a = p.code[pc + 2]!, b = p.code[pc + 3]!, c = p.code[pc + 4]!;
      if (op === OP.const || (op === OP.load && inputs[a]!.scalar)) continue;
      if (op === OP.load) {
        get(L_ROW(a)); get(L_I); i32c(2); e(0x74); e(0x6a); // row_a + i·4
        if (copy < 4) simd(0x00, ...memarg(16 * copy)); else simd(0x09, ...memarg(0));
        convertIfInt(a);
      } else if (op === OP.tobool) {
        get(reg(copy, a)); simd(0x0c, ...new Array(16).fill(0)); simd(0x42); // ne 0
        simd(0x0c, ...f32Bytes(1), ...f32Bytes(1), ...f32Bytes(1), ...f32Bytes(1)); simd(0x4e);
      } else if (op === OP.where) {
        get(reg(copy, b)); get(reg(copy, c));
        get(reg(copy, a)); simd(0x0c, ...new Array(16).fill(0)); simd(0x42); // mask = cond ≠ 0
        simd(0x52); // bitselect(b, c, mask)
      } else if (op >= OP.unaryBase) {
        const u = op - OP.unaryBase;
        get(reg(copy, a));
        // relu: a & ~(a ≤ 0) (v128.andnot of f32x4.le), as the eager kernel: keeps NaN, maps -0 to +0.
        if (u === FUSED_UNARY.relu) { get(reg(copy, a)); simd(0x0c, ...new Array(16).fill(0)); simd(0x45); simd(0x4f); } else simd(SIMD_UNARY[u]!);
      } else {
        const bo = op - OP.binaryBase;
        get(reg(copy, a)); get(reg(copy, b));
        const cmp = SIMD_COMPARE[bo];
        if (cmp !== undefined) { simd(cmp); simd(0x0c, ...f32Bytes(1), ...f32Bytes(1), ...f32Bytes(1), ...f32Bytes(1)); simd(0x4e); }
        else simd(SIMD_BINARY[bo]!);
      }
      set(regLocal(copy, dst));
    }
  };
  const result = (copy: number) => get(reg(copy, p.result));
  const addr = () => { get(L_OUTROW); get(L_I); i32c(2); e(0x74); e(0x6a); };
  // min/max combine with pmin/pmax (one instruction each in V8, against ~8 for the NaN-propagating
  // f32x4.min/max) and track NaNs in L_NAN instead: pmax(s, x) = s < x ? x : s keeps s for a NaN x.
  const combine = sink === 'sum' ? 0xe4 : sink === 'min' ? 0xea : 0xeb;
  const foldF64 = sink === 'sum' ? 0xa0 : sink === 'min' ? 0xa4 : 0xa5;
  const init = sink === 'min' ? Infinity : sink === 'max' ? -Infinity : 0;

  // acc = init; r = 0; for each row: row pointers, row-broadcast elements, then i = 0 …
  e(0x44, ...f64Bytes(init)); set(L_ACC);
  if (sink === 'min' || sink === 'max') { simd(0x0c, ...new Array(16).fill(0)); set(L_NAN); }
  i32c(0); set(L_R);
  e(0x02, 0x40); e(0x03, 0x40);
  get(L_R); get(P_ROWS); e(0x4f); e(0x0d, 1);
  for (let k = 0; k < K; k++) { get(P_IN(k)); get(L_R); get(P_RS(k)); e(0x6c); e(0x6a); set(L_ROW(k)); }
  get(P_OUT); get(L_R); get(P_N); e(0x6c); i32c(2); e(0x74); e(0x6a); set(L_OUTROW);
  for (const [r, k] of scalarLoads) { get(L_ROW(k)); simd(0x09, ...memarg(0)); convertIfInt(k); set(regLocal(0, r)); }
  i32c(0); set(L_I);
  // Outer loop over blocks of SUM_BLOCK elements (only the fold needs the blocks).
  e(0x02, 0x40); e(0x03, 0x40);
  get(L_I); get(P_N16); e(0x4f); e(0x0d, 1); // if i >= n16 break
  // end = min(i + SUM_BLOCK, n16)
  get(L_I); i32c(SUM_BLOCK); e(0x6a); get(P_N16); get(L_I); i32c(SUM_BLOCK); e(0x6a); get(P_N16); e(0x49); e(0x1b); set(L_END);
  if (sink !== 'store') {
    for (let s = 0; s < 4; s++) { simd(0x0c, ...f32Bytes(init), ...f32Bytes(init), ...f32Bytes(init), ...f32Bytes(init)); set(S_BASE + s); }
  }
  e(0x03, 0x40); // inner loop: 16 elements per step
  for (let copy = 0; copy < 4; copy++) {
    body(copy);
    if (sink === 'store') { addr(); result(copy); simd(0x0b, ...memarg(16 * copy)); }
    else { get(S_BASE + copy); result(copy); simd(combine); set(S_BASE + copy); }
    if (sink === 'min' || sink === 'max') { get(L_NAN); result(copy); result(copy); simd(0x42); simd(0x50); set(L_NAN); } // |= (x ≠ x)
  }
  get(L_I); i32c(16); e(0x6a); set(L_I);
  get(L_I); get(L_END); e(0x49); e(0x0d, 0); // br_if inner (i < end)
  e(0x0b);
  if (sink !== 'store') {
    // acc = fold(acc, lanes of (s0 ∘ s1) ∘ (s2 ∘ s3)) in float64
    get(S_BASE); get(S_BASE + 1); simd(combine); get(S_BASE + 2); get(S_BASE + 3); simd(combine); simd(combine); set(S_BASE);
    for (let lane = 0; lane < 4; lane++) { get(L_ACC); get(S_BASE); simd(0x1f, lane); e(0xbb); e(foldF64); set(L_ACC); }
  }
  e(0x0c, 0); // continue outer
  e(0x0b); e(0x0b);
  // Tail: one element at a time, splatted.
  e(0x02, 0x40); e(0x03, 0x40);
  get(L_I); get(P_N); e(0x4f); e(0x0d, 1);
  body(4);
  if (sink === 'store') { addr(); result(4); simd(0x1f, 0); e(0x38, 2, 0); }
  else { get(L_ACC); result(4); simd(0x1f, 0); e(0xbb); e(foldF64); set(L_ACC); }
  get(L_I); i32c(1); e(0x6a); set(L_I);
  e(0x0c, 0);
  e(0x0b); e(0x0b);
  get(L_R); i32c(1); e(0x6a); set(L_R);
  e(0x0c, 0); // next row
  e(0x0b); e(0x0b);
  // A NaN seen by the vector loop makes the result NaN (the tail's f64 min/max propagate it themselves).
  if (sink === 'min' || sink === 'max') { get(L_NAN); simd(0x53); e(0x04, 0x40); e(0x44, ...f64Bytes(NaN)); set(L_ACC); e(0x0b); }
  get(L_ACC);
  e(0x0b);

  const locals = vec([[...uleb(4 + K), 0x7f], [...uleb(1), 0x7c], [...uleb(nV128), 0x7b]]);
  const fn = [...locals, ...code];
  const params = new Array(4 + 2 * K).fill(0x7f);
  return Uint8Array.from([
    0, 97, 115, 109, 1, 0, 0, 0,
    ...section(1, vec([[0x60, ...vec(params.map((x) => [x])), 1, 0x7c]])),
    ...section(2, vec([[...uleb(3), ...'env'.split('').map((ch) => ch.charCodeAt(0)), ...uleb(6), ...'memory'.split('').map((ch) => ch.charCodeAt(0)), 2, 0, 0]])),
    ...section(3, vec([[0]])),
    ...section(7, vec([[...uleb(3), 114, 117, 110, 0, 0]])),
    ...section(10, vec([[...uleb(fn.length), ...fn]])),
  ]);
}

interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (m: object, imports: object) => { exports: Record<string, unknown> };
}

/**
 * Compiles `p` for `inputs`/`sink` against `memory` (the kernels' linear memory). Recorded as the
 * one-time cost "compile fused wasm kernel", so the first fused call's op time is the kernel's run.
 */
export function compileKernel(p: FusedProgram, inputs: readonly CodegenInput[], sink: CodegenSink, memory: object): GeneratedKernel {
  // The runtime's tsconfig has no wasm lib types: name the two constructors used.
  const wa = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
  const bytes = buildModule(p, inputs, sink);
  return timeOneTimeCost('compile fused wasm kernel', 'compile', () => {
    const inst = new wa.Instance(new wa.Module(bytes), { env: { memory } });
    return inst.exports.run as GeneratedKernel;
  }, bytes.byteLength);
}
