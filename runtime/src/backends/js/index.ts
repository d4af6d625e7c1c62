/**
 * The `js` reference backend: plain TypeScript over typed arrays, float64 accumulation.
 * Every other backend is tested against this one, so every kernel here is the simplest
 * correct loop (strided indexing per element, no fast paths).
 */
import type { Backend, BinaryOp, MomentsResult, ReduceOp, Storage, UnaryOp, View } from '../backend.js';
import { allocHostArray, BYTES_PER_ELEMENT, type DataArray, type DType } from '../../types.js';
import { sizeOf } from '../../shape.js';
import { offsetOf, pick, splitAxes } from './strided.js';
import { binaryScalar, castScalar, unaryScalar } from './math.js';
import { outputDtype } from '../op-table.js';
import { assertViewFits } from '../view-check.js';
import { runFused } from './fused.js';

/** Host-array storage of the js backend. */
export interface JsStorage extends Storage {
  readonly data: DataArray;
}

let bytesInUse = 0;
let storages = 0;

function make(dtype: DType, size: number): JsStorage {
  bytesInUse += size * BYTES_PER_ELEMENT[dtype];
  storages++;
  return { backend: 'js', dtype, size, bytes: size * BYTES_PER_ELEMENT[dtype], data: allocHostArray(dtype, size) };
}

/** The storage's array, after asserting the view stays inside it (typed arrays would read undefined → NaN silently). */
function dataOf(v: View): DataArray {
  assertViewFits('js backend', v);
  return (v.storage as JsStorage).data;
}

/** Calls `fn(o, r, off)` for every output index o and reduced index r, with the element offset. */
function forEachReduced(a: View, axes: readonly number[], fn: (o: number, r: number, off: number) => void): number {
  const { kept, reduced } = splitAxes(a.shape.length, axes);
  const keptShape = pick(a.shape, kept), keptStrides = pick(a.strides, kept);
  const redShape = pick(a.shape, reduced), redStrides = pick(a.strides, reduced);
  const outSize = sizeOf(keptShape), redSize = sizeOf(redShape);
  for (let o = 0; o < outSize; o++) {
    const base = offsetOf(o, keptShape, keptStrides, a.offset);
    for (let r = 0; r < redSize; r++) fn(o, r, offsetOf(r, redShape, redStrides, base));
  }
  return redSize;
}

function outSizeOf(a: View, axes: readonly number[]): number {
  let n = 1;
  for (let d = 0; d < a.shape.length; d++) if (!axes.includes(d)) n *= a.shape[d]!;
  return n;
}

/** The reference backend instance. */
export const jsBackend: Backend = {
  name: 'js',
  device: 'cpu',

  fused(program, inputs, shape) {
    return runFused(program, inputs, shape, make, dataOf);
  },

  upload(data, dtype) {
    const s = make(dtype, data.length);
    s.data.set(data);
    return s;
  },
  uploadWith(dtype, size, write) {
    const s = make(dtype, size);
    try {
      write(s.data);
    } catch (e) {
      this.free(s);
      throw e;
    }
    return s;
  },
  alloc(dtype, size) {
    // Typed arrays always start zeroed; the contract only promises unspecified contents.
    return make(dtype, size);
  },
  readSync(v, into) {
    const out = into ?? allocHostArray(v.dtype, sizeOf(v.shape));
    const src = dataOf(v);
    for (let i = 0; i < out.length; i++) out[i] = src[offsetOf(i, v.shape, v.strides, v.offset)]!;
    return out;
  },
  read(v) {
    return Promise.resolve(this.readSync(v));
  },
  free(s) {
    bytesInUse -= s.bytes;
    storages--;
  },
  memory() {
    return { bytesInUse, bytesReserved: bytesInUse, storages };
  },

  binary(op: BinaryOp, a, b, outShape) {
    const size = sizeOf(outShape);
    const outDtype = outputDtype(op, a.dtype);
    const out = make(outDtype, size);
    const da = dataOf(a), db = dataOf(b);
    for (let i = 0; i < size; i++) {
      const x = da[offsetOf(i, outShape, a.strides, a.offset)]!;
      const y = db[offsetOf(i, outShape, b.strides, b.offset)]!;
      out.data[i] = binaryScalar(op, x, y, a.dtype);
    }
    return out;
  },
  where(cond, a, b, outShape) {
    const size = sizeOf(outShape);
    const out = make(a.dtype, size);
    const dc = dataOf(cond), da = dataOf(a), db = dataOf(b);
    for (let i = 0; i < size; i++) {
      const c = dc[offsetOf(i, outShape, cond.strides, cond.offset)]!;
      out.data[i] = c ? da[offsetOf(i, outShape, a.strides, a.offset)]! : db[offsetOf(i, outShape, b.strides, b.offset)]!;
    }
    return out;
  },
  unary(op: UnaryOp, a) {
    const src = this.readSync(a);
    const out = make(a.dtype, src.length);
    for (let i = 0; i < src.length; i++) out.data[i] = unaryScalar(op, src[i]!, a.dtype);
    return out;
  },
  cast(a, dtype) {
    const src = this.readSync(a);
    const out = make(dtype, src.length);
    for (let i = 0; i < src.length; i++) out.data[i] = castScalar(src[i]!, dtype);
    return out;
  },
  copy(a) {
    const out = make(a.dtype, sizeOf(a.shape));
    out.data.set(this.readSync(a));
    return out;
  },
  copyInto(src, dst) {
    const values = this.readSync(src);
    const d = dataOf(dst);
    for (let i = 0; i < values.length; i++) d[offsetOf(i, dst.shape, dst.strides, dst.offset)] = values[i]!;
  },

  reduce(op: ReduceOp, a, axes) {
    const outSize = outSizeOf(a, axes);
    const outDtype: DType = op === 'argmax' ? 'int32' : op === 'mean' ? 'float32' : a.dtype;
    const out = make(outDtype, outSize);
    const src = dataOf(a);
    const acc = new Float64Array(outSize).fill(op === 'min' ? Infinity : op === 'max' || op === 'argmax' ? -Infinity : 0);
    const arg = new Int32Array(outSize).fill(-1);
    const n = forEachReduced(a, axes, (o, r, off) => {
      const x = src[off]!;
      if (op === 'sum' || op === 'mean') acc[o] += x;
      else if (op === 'min') acc[o] = Number.isNaN(x) || x < acc[o]! ? x : acc[o]!;
      else if (op === 'max') acc[o] = Number.isNaN(x) || x > acc[o]! ? x : acc[o]!;
      else if (arg[o] === -1 || (!Number.isNaN(acc[o]!) && (Number.isNaN(x) || x > acc[o]!))) {
        acc[o] = x;
        arg[o] = r;
      }
    });
    for (let o = 0; o < outSize; o++) {
      if (op === 'argmax') out.data[o] = arg[o]!;
      else if (op === 'mean') out.data[o] = acc[o]! / n;
      else out.data[o] = a.dtype === 'int32' && op === 'sum' ? acc[o]! | 0 : acc[o]!;
    }
    return out;
  },
  moments(a, axes): MomentsResult {
    const outSize = outSizeOf(a, axes);
    const src = dataOf(a);
    const sum = new Float64Array(outSize);
    const n = forEachReduced(a, axes, (o, _r, off) => { sum[o] += src[off]!; });
    const mean = sum.map((s) => s / n);
    const sq = new Float64Array(outSize);
    forEachReduced(a, axes, (o, _r, off) => { const d = src[off]! - mean[o]!; sq[o] += d * d; });
    const m = make('float32', outSize), v = make('float32', outSize);
    for (let o = 0; o < outSize; o++) {
      m.data[o] = mean[o]!;
      v.data[o] = sq[o]! / n;
    }
    return { mean: m, variance: v };
  },
  matmul(a, b, outShape) {
    const rank = outShape.length;
    const M = outShape[rank - 2]!, N = outShape[rank - 1]!, K = a.shape[rank - 1]!;
    const batchShape = outShape.slice(0, rank - 2);
    const batches = sizeOf(batchShape);
    const out = make('float32', batches * M * N);
    const da = dataOf(a), db = dataOf(b);
    const [saM, saK] = [a.strides[rank - 2]!, a.strides[rank - 1]!];
    const [sbK, sbN] = [b.strides[rank - 2]!, b.strides[rank - 1]!];
    for (let bi = 0; bi < batches; bi++) {
      const offA = offsetOf(bi, batchShape, a.strides.slice(0, rank - 2), a.offset);
      const offB = offsetOf(bi, batchShape, b.strides.slice(0, rank - 2), b.offset);
      for (let i = 0; i < M; i++) {
        for (let j = 0; j < N; j++) {
          let acc = 0;
          for (let k = 0; k < K; k++) acc += da[offA + i * saM + k * saK]! * db[offB + k * sbK + j * sbN]!;
          out.data[bi * M * N + i * N + j] = acc;
        }
      }
    }
    return out;
  },
};
