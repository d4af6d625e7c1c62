/**
 * Reading data back to JS and moving tensors between devices. GPU memory can only be read
 * asynchronously, so the synchronous readers throw on GPU tensors with the async alternative.
 */
import { backendForDevice, dispatch } from '../engine.js';
import type { NestedArray, Tensor } from '../tensor.js';
import { wrap } from '../tensor.js';
import { assertDevice, type DataArray, type Device } from '../types.js';
import { checkTensor } from './validate.js';

function checkDevice(fn: string, device: unknown): asserts device is Device {
  try {
    assertDevice(device);
  } catch (e) {
    throw new TypeError(`${fn}: ${(e as Error).message}`);
  }
}

function gpuSyncError(what: string, t: Tensor, alternative: string): Error {
  return new Error(`${what}: tensor #${t.id} is on the GPU and GPU memory can only be read asynchronously; use \`${alternative}\``);
}

/**
 * Elements in row-major order (synchronous; CPU tensors only): a new typed array, or `out` when
 * given — a Float32Array / Int32Array / Uint8Array (float32 / int32 / bool) of exactly `t.size`
 * elements, filled without allocating (for loops that read every step).
 */
export function dataSync(t: Tensor, out?: DataArray): DataArray {
  checkTensor('dataSync', 't', t);
  if (t.device === 'gpu') throw gpuSyncError('dataSync', t, 'await t.data()');
  if (out === undefined) return dispatch('read', [t], (b) => b.readSync(t));
  checkOut(t, out);
  // Its own op name, so a profile tells reads into a reused array from reads that allocate (rules/fresh-reads.ts).
  return dispatch('readInto', [t], (b) => b.readSync(t, out));
}

const ARRAY_FOR: Readonly<Record<string, string>> = { float32: 'Float32Array', int32: 'Int32Array', bool: 'Uint8Array' };

function checkOut(t: Tensor, out: DataArray): void {
  const want = ARRAY_FOR[t.dtype]!;
  if (out?.constructor?.name !== want) {
    throw new TypeError(`dataSync: out must be a ${want} for a ${t.dtype} tensor, got ${out?.constructor?.name ?? typeof out}`);
  }
  if (out.length !== t.size) {
    throw new RangeError(`dataSync: out has ${out.length} elements, the tensor has ${t.size} (shape [${t.shape.join(', ')}])`);
  }
}

/** Elements as a new row-major typed array. */
export function data(t: Tensor): Promise<DataArray> {
  try {
    checkTensor('data', 't', t);
    return dispatch('read', [t], (b) => b.read(t));
  } catch (e) {
    return Promise.reject(e);
  }
}

function nest(flat: DataArray, shape: readonly number[], bool: boolean): NestedArray {
  if (shape.length === 0) return bool ? flat[0] === 1 : flat[0]!;
  const build = (dim: number, at: number): NestedArray[] => {
    const n = shape[dim]!;
    const step = shape.slice(dim + 1).reduce((a, b) => a * b, 1);
    const out: NestedArray[] = new Array(n);
    for (let i = 0; i < n; i++) {
      out[i] = dim === shape.length - 1 ? (bool ? flat[at + i] === 1 : flat[at + i]!) : build(dim + 1, at + i * step);
    }
    return out;
  };
  return build(0, 0);
}

/** Elements as nested JS arrays (booleans for bool tensors); synchronous, CPU tensors only. */
export function toArray(t: Tensor): NestedArray {
  checkTensor('toArray', 't', t);
  // Named for the call the user made (the error said `dataSync` for a toArray()).
  if (t.device === 'gpu') throw gpuSyncError('toArray', t, 'await t.array()');
  return nest(dataSync(t), t.shape, t.dtype === 'bool');
}

/** Elements as nested JS arrays. */
export async function array(t: Tensor): Promise<NestedArray> {
  return nest(await data(t), t.shape, t.dtype === 'bool');
}

/** The single element of a one-element tensor (synchronous; CPU only). */
export function item(t: Tensor): number {
  checkTensor('item', 't', t);
  if (t.size !== 1) throw new RangeError(`item: tensor has ${t.size} elements (shape [${t.shape.join(', ')}]); item() needs exactly 1`);
  if (t.device === 'gpu') throw gpuSyncError('item', t, '(await t.data())[0]');
  return dataSync(t)[0]!;
}

/**
 * The tensor on `device` ('cpu' or 'gpu'). Returns `t` itself when already there.
 * Moving from the GPU needs `await t.toAsync('cpu')`.
 */
export function to(t: Tensor, device: Device): Tensor {
  checkTensor('to', 't', t);
  checkDevice('to', device);
  if (t.device === device) return t;
  if (t.device === 'gpu') throw gpuSyncError('to', t, "await t.toAsync('cpu')");
  const target = backendForDevice(device);
  const source = t.backendImpl;
  // Dispatched on the target so a GPU backend attributes the upload (bytes, time) to this op.
  return dispatch('to', [t], () => wrap(target, target.upload(source.readSync(t), t.dtype), t.shape, t.dtype), target);
}

/** Like {@link to}, for any direction (GPU → CPU included). */
export async function toAsync(t: Tensor, device: Device): Promise<Tensor> {
  checkTensor('toAsync', 't', t);
  checkDevice('toAsync', device);
  if (t.device === device) return t;
  const target = backendForDevice(device);
  const host = await dispatch('to', [t], (b) => b.read(t));
  return wrap(target, target.upload(host, t.dtype), t.shape, t.dtype);
}
