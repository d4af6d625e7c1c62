/**
 * WGSL for reductions and one-pass moments: a tree reduction in workgroup memory.
 *
 * One workgroup reduces one (output element, chunk) pair: each of its WG threads folds a strided
 * subset of the chunk sequentially, then the WG partial states are merged pairwise in workgroup
 * memory (log2 WG steps). With one chunk per output this is the final pass; for long reductions
 * into few outputs, pass 1 writes per-chunk states (4 words each) and pass 2 merges them.
 *
 * States carry (v, i, m, n): sum/min/max/mean use v; argmax uses v and the index i (ties → the
 * smaller index); moments use Chan et al.'s merge of (count n, mean m, M2 in v):
 *   n = na + nb, δ = mb − ma, m = ma + δ·nb/n, M2 = M2a + M2b + δ²·na·nb/n.
 * Moments are shifted: each value enters as x − K, where K is the first element of its output's
 * reduced block (its bits ride in the otherwise unused i), and K is added back to the mean at the
 * end. Without the shift, float32 Welford updates of a mean near 1e6 round every increment to the
 * mean's ulp (0.0625) and std of 1e6 values with mean 1e6 and std 1 came out 6e-3 off; shifted
 * values are of the order of the spread, so the error falls to the wasm kernel's level.
 *
 * Meta (i32 words): [outSize, nanBits, redSize, chunks, chunkLen, count, offset,
 *                    keptShape[RK], keptStrides[RK], redShape[RR], redStrides[RR]]
 * where redSize is what this pass folds per output and count the original reduced element count.
 */
import type { ReduceOp } from '../../backend.js';
import type { DType } from '../../../types.js';
import { META, wgslType } from './common.wgsl.js';

/** Threads per reduction workgroup (a power of two: the tree halves it each step). */
export const REDUCE_WG = 64;
/** Words per partial state in the pass-1 output. */
export const STATE_WORDS = 4;

/** A reduction kernel: the op, or 'moments' (mean and population variance, float32). */
export type ReduceKind = ReduceOp | 'moments';

const MERGE: Record<ReduceKind, string> = {
  sum: 'r.v = a.v + b.v;', mean: 'r.v = a.v + b.v;',
  min: 'r.v = min(a.v, b.v);', max: 'r.v = max(a.v, b.v);',
  argmax: 'if (b.v > a.v || (b.v == a.v && b.i < a.i)) { r = b; }',
  moments: `let n = a.n + b.n; let d = b.m - a.m;
  r.n = n; r.m = a.m + d * (b.n / n); r.v = a.v + b.v + d * d * (a.n * b.n / n);`,
};

const EMIT: Record<ReduceKind, string> = {
  sum: 'O[o] = s.v;', min: 'O[o] = s.v;', max: 'O[o] = s.v;',
  mean: 'O[o] = s.v / f32(prm[5]);', argmax: 'O[o] = s.i;',
  moments: 'O[o] = s.m + bitcast<f32>(s.i); O2[o] = s.v / s.n;',
};

/**
 * Reduction shader. `source` 'tensor' reads the strided input (ranks rk kept, rr reduced);
 * 'partials' reads pass-1 states. `final` writes outputs, otherwise states.
 */
export function reduceWgsl(kind: ReduceKind, dtype: DType, rk: number, rr: number, source: 'tensor' | 'partials', final: boolean): string {
  const t = kind === 'moments' || kind === 'mean' ? 'f32' : wgslType(dtype);
  const outT = kind === 'argmax' ? 'i32' : t;
  const leafFromTensor = kind === 'moments'
    ? 'S(0.0, bitcast<i32>(K), f32(x) - K, 1.0, 1u)'
    : kind === 'mean' ? 'S(f32(x), i32(r), 0.0, 1.0, 1u)' : `S(x, i32(r), 0.0, 1.0, 1u)`;
  // Moments' shift K: the block's first element (r = 0), so every state of output o shares it.
  const shift = kind === 'moments' ? '\n  let K = f32(A[u32(base)]);' : '';
  const input = source === 'tensor'
    ? `@group(0) @binding(1) var<storage, read> A: array<${wgslType(dtype)}>;
fn leaf(o: u32, r: u32) -> S {
  let base = prm[6] + mapDims(o, 7u, ${rk}u);
  let x = A[u32(base + mapDims(r, ${7 + 2 * rk}u, ${rr}u))];${shift}
  return ${leafFromTensor};
}`
    : `@group(0) @binding(1) var<storage, read> P: array<u32>;
fn leaf(o: u32, r: u32) -> S {
  let p = (o * u32(prm[2]) + r) * ${STATE_WORDS}u;
  return S(bitcast<${t}>(P[p]), bitcast<i32>(P[p + 1u]), bitcast<f32>(P[p + 2u]), bitcast<f32>(P[p + 3u]), 1u);
}`;
  const output = final
    ? `@group(0) @binding(2) var<storage, read_write> O: array<${outT}>;` +
      (kind === 'moments' ? '\n@group(0) @binding(3) var<storage, read_write> O2: array<f32>;' : '') +
      `\nfn emit(o: u32, c: u32, s: S) { ${EMIT[kind]} }`
    : `@group(0) @binding(2) var<storage, read_write> O: array<u32>;
fn emit(o: u32, c: u32, s: S) {
  let p = (o * u32(prm[3]) + c) * ${STATE_WORDS}u;
  O[p] = bitcast<u32>(s.v); O[p + 1u] = bitcast<u32>(s.i); O[p + 2u] = bitcast<u32>(s.m); O[p + 3u] = bitcast<u32>(s.n);
}`;
  // min/max of floats propagate NaN like the js reference; NaN is tested by its bits because WGSL
  // lets compilers assume `x != x` is false (lavapipe's min/max drop NaN operands).
  const merge = t === 'f32' && (kind === 'min' || kind === 'max')
    ? `r.v = select(${kind}(a.v, b.v), nanf(), isNan(a.v) || isNan(b.v));`
    : MERGE[kind];
  return META + /* wgsl */ `
fn isNan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
struct S { v: ${t}, i: i32, m: f32, n: f32, ok: u32 }
// Offset of flat index i over the dims described at prm[base] (shape) and prm[base + rank] (strides).
fn mapDims(i: u32, base: u32, rank: u32) -> i32 {
  var rem = i;
  var off = 0;
  for (var d = rank; d > 0u; d--) {
    let e = u32(prm[base + d - 1u]);
    let q = rem % e;
    rem = rem / e;
    off += i32(q) * prm[base + rank + d - 1u];
  }
  return off;
}
fn merge(a: S, b: S) -> S {
  if (a.ok == 0u) { return b; }
  if (b.ok == 0u) { return a; }
  var r = a;
  ${merge}
  return r;
}
${input}
${output}
var<workgroup> sh: array<S, ${REDUCE_WG}>;
@compute @workgroup_size(${REDUCE_WG})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) t: u32) {
  let w = wid.y * nwg.x + wid.x;
  let chunks = u32(prm[3]);
  if (w >= u32(prm[0]) * chunks) { return; }
  let o = w / chunks;
  let c = w % chunks;
  let len = u32(prm[4]);
  let end = min((c + 1u) * len, u32(prm[2]));
  var acc = S(${t}(0), -1, 0.0, 0.0, 0u);
  for (var r = c * len + t; r < end; r += ${REDUCE_WG}u) { acc = merge(acc, leaf(o, r)); }
  sh[t] = acc;
  workgroupBarrier();
  for (var s = ${REDUCE_WG / 2}u; s > 0u; s >>= 1u) {
    if (t < s) { sh[t] = merge(sh[t], sh[t + s]); }
    workgroupBarrier();
  }
  if (t == 0u) { emit(o, c, sh[0]); }
}
`;
}
