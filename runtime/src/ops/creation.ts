/**
 * Tensor creation: from nested arrays or typed arrays, constants, ranges, and seeded random
 * numbers. Data is built on the host and uploaded in one `upload` call, dispatched as op
 * `tensor` (or the creation function's name) so the profiler sees the transfer.
 */
import { backendForDevice, dispatch, getDefaultBackend } from '../engine.js';
import type { Backend, Storage } from '../backends/backend.js';
import type { OpName } from '../backends/op-table.js';
import { fmtShape, MAX_ELEMENTS, sizeOf } from '../shape.js';
import { type Tensor, wrap } from '../tensor.js';
import { allocHostArray, assertDevice, type DataArray, type Device, type DType } from '../types.js';
import { checkDType, checkFinite, checkInt, checkOptions, checkShape, describeValue } from './validate.js';

/**
 * Typed arrays `tensor()` accepts, and the dtype each becomes when no dtype is given. Values are
 * converted (never reinterpreted): a Float64Array becomes float32 by rounding each value.
 */
export type TypedInput = Float32Array | Float64Array | Int32Array | Int16Array | Int8Array | Uint16Array | Uint8Array;

const TYPED_DTYPES: ReadonlyMap<string, DType> = new Map<string, DType>([
  ['Float32Array', 'float32'], ['Float64Array', 'float32'],
  ['Int32Array', 'int32'], ['Int16Array', 'int32'], ['Int8Array', 'int32'], ['Uint16Array', 'int32'],
  ['Uint8Array', 'bool'],
]);
const TYPED_ALLOWED = 'Float32Array or Float64Array (float32), Int32Array, Int16Array, Int8Array or Uint16Array (int32), Uint8Array (bool)';

/** Nested arrays of numbers/booleans, or a flat typed array. */
export type TensorInput = number | boolean | readonly TensorInput[] | TypedInput;

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

/** Checks the options argument of a creation function `fn` (an object, with a valid dtype/device if given). */
export function checkCreateOptions<T extends CreateOptions>(fn: string, options: unknown): T | undefined {
  // A dtype alone stands for { dtype } (`cp.zeros([3], 'int32')`, as `cp.tensor(data, 'int32')`).
  if (typeof options === 'string') return { dtype: checkDType(fn, options) } as T;
  const o = checkOptions<T>(fn, 'options', options);
  if (o?.dtype !== undefined) checkDType(fn, o.dtype);
  if (o?.device !== undefined) {
    try {
      assertDevice(o.device);
    } catch (e) {
      throw new TypeError(`${fn}: ${(e as Error).message}`);
    }
  }
  return o;
}

/**
 * Creates a tensor of `shape` whose elements `write` sets, row-major, into `dst`: the new storage's
 * own memory on CPU backends ({@link Backend.uploadWith}), else a host array then uploaded. Either
 * way inside the op, so the report's creation time includes the conversion it did. `kernel`, when
 * given, is tried first: a backend's own kernel for the same values, or undefined where it has none.
 */
export function fromWriter(
  op: OpName, dtype: DType, shape: readonly number[], write: (dst: DataArray) => void, options?: CreateOptions,
  kernel?: (b: Backend) => Storage | undefined,
): Tensor {
  return dispatch(op, [], (b) => {
    const made = kernel?.(b);
    return made !== undefined ? wrap(b, made, shape, dtype) : createWith(b, dtype, shape, write);
  }, backendFor(options));
}

/** A tensor on `b` that `write` fills: into the backend's own memory where it can, else through a host array. */
function createWith(b: Backend, dtype: DType, shape: readonly number[], write: (dst: DataArray) => void): Tensor {
  const size = sizeOf(shape);
  if (b.uploadWith !== undefined) return wrap(b, b.uploadWith(dtype, size, write), shape, dtype);
  const host = allocHostArray(dtype, size);
  write(host);
  return wrap(b, b.upload(host, dtype), shape, dtype);
}

/**
 * Infers the shape of nested arrays, checking they are rectangular and hold numbers/booleans.
 * The path named in errors (`[2][0]`) is built from an index stack only when one is thrown: building
 * it per element made `cp.tensor(array of 1e5 numbers)` spend ~30 ns per element on strings.
 */
function inferShape(value: TensorInput, shape: number[]): { numbers: boolean; booleans: boolean } {
  const at: number[] = [];
  let numbers = false, booleans = false;
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
          if (typeof x === 'number') { numbers = true; continue; }
          if (typeof x === 'boolean') { booleans = true; continue; }
          at[depth] = i;
          if (Array.isArray(x)) throw new RangeError(`tensor: ragged nested array at ${path(depth + 1)}: expected a number or boolean, found an array of ${x.length} elements`);
          walk(x, depth + 1);
        }
        return;
      }
      for (let i = 0; i < n; i++) { at[depth] = i; walk(v[i], depth + 1); }
    } else if (depth !== shape.length) {
      throw new RangeError(`tensor: ragged nested array at ${path(depth)}: expected an array of ${shape[depth]} elements, found ${JSON.stringify(v)}`);
    } else if (typeof v === 'number') {
      numbers = true;
    } else if (typeof v === 'boolean') {
      booleans = true;
    } else {
      throw new TypeError(`tensor: element at ${path(depth) || 'the top level'} is ${v === null ? 'null' : typeof v}; expected a number or boolean`);
    }
  };
  walk(value, 0);
  return { numbers, booleans };
}

/** Writes nested arrays (already checked by inferShape) into `out` row-major; returns the next index. */
function flattenInto(value: TensorInput, out: DataArray, at: number): number {
  if (!Array.isArray(value)) {
    out[at] = value === true ? 1 : value === false ? 0 : (value as number);
    return at + 1;
  }
  const n = value.length;
  if (n > 0 && !Array.isArray(value[0])) {
    // A level of leaves: the typed array's own `set` (ToNumber per element: true/false → 1/0, as
    // inferShape checked every leaf is a number or boolean). A JS loop here stored through a
    // generic keyed store, ~19 ns per element for an array of small integers (10× `set`).
    out.set(value as unknown as ArrayLike<number>, at);
    return at + n;
  }
  for (let i = 0; i < n; i++) at = flattenInto(value[i] as TensorInput, out, at);
  return at;
}

/**
 * Throws unless every value of `src` fits in int32. A typed array's store wraps modulo 2^32 (3e10 became
 * −64771072) and turns NaN into 0 without a word (audit 17); fractions are truncated toward zero, as `cast` does.
 */
function checkInt32(fn: string, src: ArrayLike<number>, shape: readonly number[]): void {
  for (let i = 0; i < src.length; i++) {
    const x = src[i]!;
    if (x >= -2147483648 && x < 2147483648) continue;
    const index: number[] = [];
    for (let d = shape.length - 1, rest = i; d >= 0; d--) { index.unshift(rest % shape[d]!); rest = Math.floor(rest / shape[d]!); }
    throw new RangeError(`${fn}: ${shape.length > 0 ? `the value at [${index.join(', ')}]` : 'the value'} is ${x}, which int32 cannot hold ` +
      '(integers from -2147483648 to 2147483647; NaN and ±Infinity have none). Use float32, or clamp the values first');
  }
}

/** Writes `src`'s values into `dst` as `dtype`; bool is x ≠ 0 (as `cast`), never the low byte. */
function convertInto(src: ArrayLike<number>, dst: DataArray, dtype: DType): void {
  if (dtype === 'bool') {
    for (let i = 0; i < src.length; i++) dst[i] = src[i] !== 0 ? 1 : 0;
  } else {
    dst.set(src);
  }
}

function fromTyped(data: ArrayBufferView, opts: CreateOptions | undefined): Tensor {
  const kind = data.constructor?.name ?? '';
  const inferred = TYPED_DTYPES.get(kind);
  if (inferred === undefined) {
    throw new TypeError(`tensor: data is ${describeValue(data)}; typed arrays allowed: ${TYPED_ALLOWED}. Convert it first, e.g. Float32Array.from(data)`);
  }
  const arr = data as TypedInput;
  const shape = opts?.shape === undefined ? [arr.length] : checkShape('tensor', 'options.shape', opts.shape);
  if (sizeOf(shape) !== arr.length) throw new RangeError(`tensor: shape ${fmtShape(shape)} needs ${sizeOf(shape)} elements, the array has ${arr.length}`);
  const dtype = opts?.dtype ?? inferred;
  if (dtype === 'int32' && (arr instanceof Float32Array || arr instanceof Float64Array)) checkInt32('tensor', arr, shape);
  // A Uint8Array read as bool keeps only 0/1: other bytes map to 1 (x ≠ 0), as cast(…, 'bool') does.
  return fromWriter('tensor', dtype, shape, (dst) => convertInto(arr, dst, dtype), opts);
}

/**
 * Creates a tensor from nested arrays (`[[1, 2], [3, 4]]`), a scalar, or a typed array.
 * Ragged arrays are an error naming the path of the first mismatch. Without a dtype, data with
 * any number is float32 (booleans among numbers count as 0/1, as in NumPy); booleans only are
 * bool. Typed arrays: see {@link TypedInput}; others (Uint32Array, BigInt64Array, …) are refused.
 */
export function tensor(data: TensorInput, options?: CreateOptions | DType): Tensor {
  const opts = checkCreateOptions<CreateOptions>('tensor', options);
  if (ArrayBuffer.isView(data)) return fromTyped(data, opts);
  if (typeof data !== 'number' && typeof data !== 'boolean' && !Array.isArray(data)) {
    throw new TypeError(`tensor: data must be a number, a boolean, nested arrays of them or a typed array, got ${describeValue(data)}`);
  }
  if (opts?.shape !== undefined) throw new TypeError('tensor: `shape` applies only to typed-array input; nested arrays carry their shape');
  const shape: number[] = [];
  const kinds = inferShape(data, shape);
  checkShape('tensor', 'the shape of data', shape);
  const dtype = opts?.dtype ?? (kinds.booleans && !kinds.numbers ? 'bool' : 'float32');
  if (dtype === 'bool' && kinds.numbers) {
    // Numbers into bool: x ≠ 0 per element (a Uint8Array store would keep 2 as 2 and 0.5 as 0).
    const wide = new Float64Array(sizeOf(shape));
    flattenInto(data, wide as unknown as DataArray, 0);
    return fromWriter('tensor', dtype, shape, (dst) => convertInto(wide, dst, 'bool'), opts);
  }
  if (dtype === 'int32' && kinds.numbers) {
    // Through float64 first: an Int32Array store would wrap out-of-range values before they could be checked.
    const wide = new Float64Array(sizeOf(shape));
    flattenInto(data, wide as unknown as DataArray, 0);
    checkInt32('tensor', wide, shape);
    return fromWriter('tensor', dtype, shape, (dst) => convertInto(wide, dst, dtype), opts);
  }
  return fromWriter('tensor', dtype, shape, (dst) => { flattenInto(data, dst, 0); }, opts);
}

/** A tensor of `shape` filled with `value`; `options` may be a dtype alone. */
export function full(shape: readonly number[], value: number | boolean, options?: CreateOptions | DType): Tensor {
  return fill('full', shape, value, options);
}

function fill(fn: string, shapeArg: readonly number[], value: number | boolean, options: CreateOptions | DType | undefined): Tensor {
  const shape = checkShape(fn, 'shape', shapeArg);
  if (typeof value !== 'number' && typeof value !== 'boolean') throw new TypeError(`${fn}: value must be a number or a boolean, got ${describeValue(value)}`);
  const opts = checkCreateOptions<CreateOptions>(fn, options);
  const dtype = opts?.dtype ?? (typeof value === 'boolean' ? 'bool' : 'float32');
  const v = value === true ? 1 : value === false ? 0 : dtype === 'bool' ? (value !== 0 ? 1 : 0) : value;
  if (dtype === 'int32') checkInt32(fn, [v], []);
  // zeros/ones are recorded as op 'full' (their one kernel: a filled upload), as before.
  return fromWriter('full', dtype, shape, (dst) => { dst.fill(v); }, opts);
}

/** Zeros of `shape`; `options` may be a dtype alone. */
export const zeros = (shape: readonly number[], options?: CreateOptions | DType): Tensor => fill('zeros', shape, 0, options);
/** Ones of `shape`; `options` may be a dtype alone. */
export const ones = (shape: readonly number[], options?: CreateOptions | DType): Tensor => fill('ones', shape, 1, options);

/** Values 0, 1, … below `stop` (int32 for an integer stop); `options` may be a dtype alone (`arange(5, 'float32')`). */
export function arange(stop: number, options?: CreateOptions | DType): Tensor;
/** Values start, start+step, … below stop (int32 when all arguments are integers); `options` may be a dtype alone. */
export function arange(start: number, stop?: number, step?: number, options?: CreateOptions | DType): Tensor;
export function arange(start: number, stopArg?: number | CreateOptions | DType, stepArg?: number, optionsArg?: CreateOptions | DType): Tensor {
  // arange(stop, options): options in the second place.
  const shortForm = stopArg !== undefined && typeof stopArg !== 'number' && stepArg === undefined && optionsArg === undefined;
  let stop = shortForm ? undefined : stopArg as number | undefined;
  const step = stepArg ?? 1, options = shortForm ? stopArg : optionsArg;
  checkFinite('arange', stop === undefined ? 'stop' : 'start', start);
  if (stop === undefined) [start, stop] = [0, start];
  else checkFinite('arange', 'stop', stop);
  checkFinite('arange', 'step', step);
  if (step === 0) throw new RangeError('arange: step must be a finite non-zero number, got 0');
  const opts = checkCreateOptions<CreateOptions>('arange', options);
  const n = Math.max(0, Math.ceil((stop - start) / step));
  if (n > MAX_ELEMENTS) throw new RangeError(`arange: ${start}..${stop} by ${step} gives ${n} elements, more than the ${MAX_ELEMENTS} one tensor may hold`);
  const dtype = opts?.dtype ?? ([start, stop, step].every(Number.isInteger) ? 'int32' : 'float32');
  const first = start, by = step;
  const write = (dst: DataArray): void => {
    if (dtype === 'bool') for (let i = 0; i < n; i++) dst[i] = first + i * by !== 0 ? 1 : 0;
    else for (let i = 0; i < n; i++) dst[i] = first + i * by;
  };
  // A backend's ramp kernel where it has one; for int32 only with integer start and step whose values stay
  // exact in f64 (|start| + n·|step| < 2^53), where wrapping i32 arithmetic equals the Int32Array store (ToInt32).
  const kernelDtype = dtype === 'float32' ||
    (dtype === 'int32' && Number.isInteger(first) && Number.isInteger(by) && Math.abs(first) + n * Math.abs(by) < 2 ** 53) ? dtype : null;
  const backend = backendFor(opts);
  return dispatch('arange', [], (b) => {
    if (kernelDtype !== null && b.arange !== undefined) return wrap(b, b.arange(kernelDtype, n, first, by), [n], dtype);
    return createWith(b, dtype, [n], write);
  }, backend);
}

/** `num` evenly spaced float32 values from start to stop inclusive; `options` may be a dtype alone. */
export function linspace(start: number, stop: number, num: number, options?: CreateOptions | DType): Tensor {
  checkFinite('linspace', 'start', start);
  checkFinite('linspace', 'stop', stop);
  checkInt('linspace', 'num', num, 0, MAX_ELEMENTS);
  const opts = checkCreateOptions<CreateOptions>('linspace', options);
  return fromWriter('linspace', 'float32', [num], (dst) => {
    for (let i = 0; i < num; i++) dst[i] = num === 1 ? start : start + ((stop - start) * i) / (num - 1);
  }, opts);
}
