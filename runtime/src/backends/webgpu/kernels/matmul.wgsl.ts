/**
 * WGSL for batched float32 matmul, tiled through workgroup memory: each 16×16 workgroup computes
 * a 16×16 block of C, staging 16×16 tiles of A and B per step of K so every element loaded from
 * storage is used 16 times. Grid: x = ⌈N/16⌉, y = ⌈M/16⌉, z = batch index.
 *
 * Meta (i32 words): [M, nanBits, N, K, offA, saM, saK, offB, sbK, sbN,
 *                    batchShape[RB], batchStridesA[RB], batchStridesB[RB]] (strides in elements,
 * batch strides 0 where broadcast).
 */
import { META } from './common.wgsl.js';

/** Tile edge (workgroup is TILE × TILE threads). */
export const TILE = 16;

/** Matmul shader for `rb` batch dimensions. */
export function matmulWgsl(rb: number): string {
  return META + /* wgsl */ `
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;
@group(0) @binding(3) var<storage, read_write> O: array<f32>;
var<workgroup> tA: array<f32, ${TILE * TILE}>;
var<workgroup> tB: array<f32, ${TILE * TILE}>;
@compute @workgroup_size(${TILE}, ${TILE})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let M = u32(prm[0]);
  let N = u32(prm[2]);
  let K = u32(prm[3]);
  let row = wid.y * ${TILE}u + lid.y;
  let col = wid.x * ${TILE}u + lid.x;
  var rem = wid.z;
  var oa = prm[4];
  var ob = prm[7];
  for (var d = ${rb}u; d > 0u; d--) {
    let e = u32(prm[9u + d]);
    let q = i32(rem % e);
    rem = rem / e;
    oa += q * prm[${9 + rb}u + d];
    ob += q * prm[${9 + 2 * rb}u + d];
  }
  var acc = 0.0;
  for (var k0 = 0u; k0 < K; k0 += ${TILE}u) {
    let ka = k0 + lid.x;
    var va = 0.0;
    if (row < M && ka < K) { va = A[u32(oa + i32(row) * prm[5] + i32(ka) * prm[6])]; }
    tA[lid.y * ${TILE}u + lid.x] = va;
    let kb = k0 + lid.y;
    var vb = 0.0;
    if (kb < K && col < N) { vb = B[u32(ob + i32(kb) * prm[8] + i32(col) * prm[9])]; }
    tB[lid.y * ${TILE}u + lid.x] = vb;
    workgroupBarrier();
    for (var k = 0u; k < ${TILE}u; k++) { acc += tA[lid.y * ${TILE}u + k] * tB[k * ${TILE}u + lid.x]; }
    workgroupBarrier();
  }
  if (row < M && col < N) { O[wid.z * M * N + row * N + col] = acc; }
}
`;
}
