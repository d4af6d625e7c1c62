/**
 * Shared set-up for the webgpu-*.test.ts files: one device per file (skipped, with the reason
 * printed, only when no adapter can be created), and helpers that build the same strided views
 * on the webgpu backend and on the js reference.
 */
import type { Backend, Storage, View } from '../../runtime/src/backends/backend.js';
import { jsBackend } from '../../runtime/src/backends/js/index.js';
import { createWebGpuBackend, GpuUnavailableError, type WebGpuBackend } from '../../runtime/src/backends/webgpu/index.js';
import type { DataArray, DType } from '../../runtime/src/types.js';

export { jsBackend };

/**
 * Opens a webgpu backend for a suite, or skips it with the reason when there is no adapter.
 * Call in `before(async function () { gpu = await openOrSkip(this); })`.
 */
export async function openOrSkip(ctx: Mocha.Context, opts: Parameters<typeof createWebGpuBackend>[0] = {}): Promise<WebGpuBackend> {
  try {
    return await createWebGpuBackend(opts);
  } catch (e) {
    if (!(e instanceof GpuUnavailableError)) throw e;
    console.log(`    skipping webgpu suite: ${e.message}`);
    ctx.skip();
  }
}

/** Host array of `dtype` from numbers. */
export function host(dtype: DType, xs: readonly number[]): DataArray {
  return dtype === 'float32' ? Float32Array.from(xs) : dtype === 'int32' ? Int32Array.from(xs) : Uint8Array.from(xs);
}

/** Row-major strides. */
export function contiguous(shape: readonly number[]): number[] {
  return shape.map((_, d) => shape.slice(d + 1).reduce((p, e) => p * e, 1));
}

/** A view over `storage`; default contiguous. */
export function viewOf(storage: Storage, shape: readonly number[], strides = contiguous(shape), offset = 0): View {
  return { storage, dtype: storage.dtype, shape, strides, offset };
}

/**
 * Describes a view over a base buffer of `base` elements: `shape` with `strides` and `offset`
 * (so tests can express transposes, reversed and sliced views once for both backends).
 */
export interface ViewSpec {
  readonly base: number;
  readonly shape: readonly number[];
  readonly strides?: readonly number[];
  readonly offset?: number;
}

/** Contiguous spec of `shape`. */
export function dense(shape: readonly number[]): ViewSpec {
  return { base: shape.reduce((p, e) => p * e, 1), shape };
}

/** Transposed (last two dims swapped) view of a contiguous [..., a, b] base. */
export function transposed(shape: readonly number[]): ViewSpec {
  const r = shape.length;
  const baseShape = [...shape.slice(0, r - 2), shape[r - 1]!, shape[r - 2]!];
  const s = contiguous(baseShape);
  return { base: baseShape.reduce((p, e) => p * e, 1), shape, strides: [...s.slice(0, r - 2), s[r - 1]!, s[r - 2]!] };
}

/** Uploads `data` on `b` and returns the view `spec` over it. */
export function make(b: Backend, dtype: DType, data: readonly number[], spec: ViewSpec): View {
  const s = b.upload(host(dtype, data.slice(0, spec.base)), dtype);
  return viewOf(s, spec.shape, spec.strides ? [...spec.strides] : contiguous(spec.shape), spec.offset ?? 0);
}

/** Broadcast view of `v` at `outShape` (strides 0 on broadcast dims), as the front end passes it. */
export function broadcastTo(v: View, outShape: readonly number[]): View {
  const r = outShape.length, k = v.shape.length;
  const strides = outShape.map((_, d) => {
    const i = d - (r - k);
    return i < 0 || v.shape[i] === 1 ? 0 : v.strides[i]!;
  });
  return { ...v, shape: outShape, strides };
}

/** Reads a contiguous result of `shape` from either backend. */
export function readOut(b: Backend, s: Storage, shape: readonly number[]): Promise<DataArray> {
  return b.read(viewOf(s, shape));
}

/** Deterministic pseudo-random values in [lo, hi) (LCG), rounded to `step` when given. */
export function rng(n: number, lo: number, hi: number, seed = 7, step = 0): number[] {
  let s = seed >>> 0;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const x = lo + (s / 2 ** 32) * (hi - lo);
    out.push(step ? Math.round(x / step) * step : x);
  }
  return out;
}
