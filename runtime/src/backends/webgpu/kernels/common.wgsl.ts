/**
 * WGSL building blocks shared by every kernel: element types, the parameter ("meta") buffer, the
 * flat-index → strided-offset mapping and the 2-D dispatch grid.
 *
 * Meta layout of elementwise kernels (i32 words): `[n, nanBits, shape[R], (offset, strides[R]) × k]`
 * where tensor k's block starts at word `2 + R + k·(R + 1)`. Strides may be 0 or negative.
 */
import type { DType } from '../../../types.js';

/** Threads per workgroup of the 1-D kernels (lavapipe runs 64-wide well; real GPUs too). */
export const WG = 64;
/** Most workgroups along one grid dimension (WebGPU's default maxComputeWorkgroupsPerDimension). */
export const MAX_GROUPS_X = 65535;

/** WGSL element type holding one element of `dtype` (bool is stored as u32 0/1 on the GPU). */
export function wgslType(dtype: DType): 'f32' | 'i32' | 'u32' {
  return dtype === 'float32' ? 'f32' : dtype === 'int32' ? 'i32' : 'u32';
}

/** Bit pattern of a quiet NaN; passed in meta because a NaN constant is a WGSL compile error. */
export const NAN_BITS = 0x7fc00000 | 0;

/** Declares the meta buffer (binding 0) and the `nanf()` helper. */
export const META = /* wgsl */ `
@group(0) @binding(0) var<storage, read> prm: array<i32>;
// NaN comes from meta at run time: WGSL rejects NaN constant expressions.
fn nanf() -> f32 { return bitcast<f32>(prm[1]); }
`;

/**
 * `fn at(i, base) -> u32`: storage offset of flat row-major index `i` for the tensor whose
 * (offset, strides) block starts at meta word `base`; the shared shape starts at word 2.
 */
export function indexFn(rank: number): string {
  return /* wgsl */ `
fn at(i: u32, base: u32) -> u32 {
  var rem = i;
  var off = prm[base];
  for (var d = ${rank}; d > 0; d--) {
    let e = u32(prm[1 + d]);
    let q = rem % e;
    rem = rem / e;
    off += i32(q) * prm[base + u32(d)];
  }
  return u32(off);
}
`;
}

/** Entry point header giving `idx`, the flat invocation index over a 2-D grid of WG-wide groups. */
export const ENTRY_1D = /* wgsl */ `
@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let idx = gid.y * nwg.x * ${WG}u + gid.x;
`;

/** Grid [x, y] covering `groups` workgroups without exceeding the per-dimension limit. */
export function grid(groups: number): [number, number] {
  if (groups <= MAX_GROUPS_X) return [groups, 1];
  return [MAX_GROUPS_X, Math.ceil(groups / MAX_GROUPS_X)];
}

/**
 * Merges adjacent dimensions that are contiguous with each other in every operand (and drops
 * extent-1 dimensions), so a plain contiguous op runs at rank 1 and needs one div/mod per element.
 * Returns the reduced shape and each operand's strides at that rank.
 */
export function coalesce(shape: readonly number[], strides: readonly (readonly number[])[]): { shape: number[]; strides: number[][] } {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    const e = shape[d]!;
    if (e === 1) continue;
    const last = outShape.length - 1;
    if (last >= 0 && strides.every((s, k) => outStrides[k]![last] === s[d]! * e)) {
      outShape[last] = outShape[last]! * e;
      strides.forEach((s, k) => { outStrides[k]![last] = s[d]!; });
    } else {
      outShape.push(e);
      strides.forEach((s, k) => outStrides[k]!.push(s[d]!));
    }
  }
  return { shape: outShape, strides: outStrides };
}
