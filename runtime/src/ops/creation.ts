/**
 * Tensor creation: from nested arrays or typed arrays, constants, ranges, and seeded random
 * numbers. Data is built on the host and uploaded in one `upload` call, dispatched as op
 * `tensor` (or the creation function's name) so the profiler sees the transfer.
 */
import { backendForDevice, dispatch, getDefaultBackend } from '../engine.js';
import type { OpName } from '../backends/op-table.js';
import { fmtShape, sizeOf } from '../shape.js';
import { type Tensor, wrap } from '../tensor.js';
import { allocHostArray, assertDevice, assertDType, type DataArray, type Device, type DType } from '../types.js';

/** Nested arrays of numbers/booleans, or a flat typed array. */
export type TensorInput = number | boolean | readonly TensorInput[] | Float32Array | Int32Array | Uint8Array;

/** Where and how to create a tensor. */
export interface CreateOptions {
  /** Element type; inferred from the data when omitted (float32 for numbers, bool for booleans). */
  readonly dtype?: DType;
  /** Shape for flat typed-array input (defaults to [length]). */
  readonly shape?: readonly number[];
  /** 'cpu' or 'gpu'; defaults to the current backend's device. */
  readonly device?: Device;
}

function backendFor(options: CreateOptions | undefined) {
  if (options?.device === undefined) return getDefaultBackend();
  assertDevice(options.device);
  return backendForDevice(options.device);
}

/** Creates a tensor from `data` laid out row-major in `shape`. */
export function fromData(op: OpName, data: DataArray, shape: readonly number[], dtype: DType, options?: CreateOptions): Tensor {
  const backend = backendFor(options);
  return dispatch(op, [], (b) => wrap(b, b.upload(data, dtype), shape, dtype), backend);
}

/**
 * Infers the shape of nested arrays, checking they are rectangular and hold numbers/booleans.
 * The path named in errors (`[2][0]`) is built from an index stack only when one is thrown: building
 * it per element made `cp.tensor(array of 1e5 numbers)` spend ~30 ns per element on strings.
 */
function inferShape(value: TensorInput, shape: number[]): void {
  const at: number[] = [];
  const path = (depth: number): string => at.slice(0, depth).map((i) => `[${i}]`).join('');
  const walk = (v: unknown, depth: number): void => {
    if (Array.isArray(v)) {
      if (depth === shape.length) shape.push(v.length);
      else if (shape[depth] !== v.length) {
        throw new RangeError(`tensor: ragged nested array at ${path(depth) || 'the top level'}: expected ${shape[depth]} elements, found ${v.length}`);
      }
      const n = v.length;
      if (n > 0 && !Array.isArray(v[0]) && shape.length === depth + 1) {
        // A level of leaves (the common case, and all of a flat array): no recursion per element.
        for (let i = 0; i < n; i++) {
          const x: unknown = v[i];
          if (typeof x === 'number' || typeof x === 'boolean') continue;
          at[depth] = i;
          if (Array.isArray(x)) throw new RangeError(`tensor: ragged nested array at ${path(depth + 1)}: expected a number or boolean, found an array of ${x.length} elements`);
          walk(x, depth + 1);
        }
        return;
      }
      for (let i = 0; i < n; i++) { at[depth] = i; walk(v[i], depth + 1); }
    } else if (depth !== shape.length) {
      throw new RangeError(`tensor: ragged nested array at ${path(depth)}: expected an array of ${shape[depth]} elements, found ${JSON.stringify(v)}`);
    } else if (typeof v !== 'number' && typeof v !== 'boolean') {
      throw new TypeError(`tensor: element at ${path(depth) || 'the top level'} is ${v === null ? 'null' : typeof v}; expected a number or boolean`);
    }
  };
  walk(value, 0);
}

/** Writes nested arrays (already checked by inferShape) into `out` row-major; returns the next index. */
function flattenInto(value: TensorInput, out: DataArray, at: number): number {
  if (!Array.isArray(value)) {
    out[at] = value === true ? 1 : value === false ? 0 : (value as number);
    return at + 1;
  }
  const n = value.length;
  if (n > 0 && !Array.isArray(value[0])) {
    // A level of leaves: one tight loop (booleans are rare; `+` maps true/false to 1/0).
    for (let i = 0; i < n; i++) out[at + i] = +(value[i] as number | boolean);
    return at + n;
  }
  for (let i = 0; i < n; i++) at = flattenInto(value[i] as TensorInput, out, at);
  return at;
}

function firstLeaf(value: TensorInput): unknown {
  let v: unknown = value;
  while (Array.isArray(v) && v.length > 0) v = v[0];
  return v;
}

/**
 * Creates a tensor from nested arrays (`[[1, 2], [3, 4]]`), a scalar, or a typed array.
 * Ragged arrays are an error naming the path of the first mismatch.
 */
export function tensor(data: TensorInput, options?: CreateOptions | DType): Tensor {
  const opts: CreateOptions | undefined = typeof options === 'string' ? { dtype: options } : options;
  if (opts?.dtype !== undefined) assertDType(opts.dtype);
  if (ArrayBuffer.isView(data)) {
    const shape = opts?.shape ?? [data.length];
    if (sizeOf(shape) !== data.length) throw new RangeError(`tensor: shape ${fmtShape(shape)} needs ${sizeOf(shape)} elements, the array has ${data.length}`);
    const dtype = opts?.dtype ?? (data instanceof Float32Array ? 'float32' : data instanceof Int32Array ? 'int32' : 'bool');
    const host = allocHostArray(dtype, data.length);
    host.set(data);
    return fromData('tensor', host, shape, dtype, opts);
  }
  const shape: number[] = [];
  inferShape(data, shape);
  const leaf = firstLeaf(data);
  const dtype = opts?.dtype ?? (typeof leaf === 'boolean' ? 'bool' : 'float32');
  const host = allocHostArray(dtype, sizeOf(shape));
  flattenInto(data, host, 0);
  if (opts?.shape) throw new TypeError('tensor: `shape` applies only to typed-array input; nested arrays carry their shape');
  return fromData('tensor', host, shape, dtype, opts);
}

function checkShape(op: string, shape: readonly number[]): void {
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new RangeError(`${op}: shape must be a list of non-negative integers, got ${JSON.stringify(shape)}`);
  }
}

/** A tensor of `shape` filled with `value`. */
export function full(shape: readonly number[], value: number | boolean, options?: CreateOptions): Tensor {
  checkShape('full', shape);
  const dtype = options?.dtype ?? (typeof value === 'boolean' ? 'bool' : 'float32');
  assertDType(dtype);
  const host = allocHostArray(dtype, sizeOf(shape));
  host.fill(value === true ? 1 : value === false ? 0 : value);
  return fromData('full', host, shape, dtype, options);
}

/** Zeros of `shape`. */
export const zeros = (shape: readonly number[], options?: CreateOptions): Tensor => full(shape, 0, options);
/** Ones of `shape`. */
export const ones = (shape: readonly number[], options?: CreateOptions): Tensor => full(shape, 1, options);

/** Values start, start+step, … below stop (int32 when all arguments are integers). */
export function arange(start: number, stop?: number, step = 1, options?: CreateOptions): Tensor {
  if (stop === undefined) [start, stop] = [0, start];
  if (step === 0 || !Number.isFinite(step)) throw new RangeError(`arange: step must be finite and non-zero, got ${step}`);
  const n = Math.max(0, Math.ceil((stop - start) / step));
  const dtype = options?.dtype ?? ([start, stop, step].every(Number.isInteger) ? 'int32' : 'float32');
  const host = allocHostArray(dtype, n);
  for (let i = 0; i < n; i++) host[i] = start + i * step;
  return fromData('arange', host, [n], dtype, options);
}

/** `num` evenly spaced float32 values from start to stop inclusive. */
export function linspace(start: number, stop: number, num: number, options?: CreateOptions): Tensor {
  if (!Number.isInteger(num) || num < 0) throw new RangeError(`linspace: num must be a non-negative integer, got ${num}`);
  const host = new Float32Array(num);
  for (let i = 0; i < num; i++) host[i] = num === 1 ? start : start + ((stop - start) * i) / (num - 1);
  return fromData('linspace', host, [num], 'float32', options);
}
