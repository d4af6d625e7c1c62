/**
 * Attaches the ops as Tensor methods (`a.add(b)` ≡ `cp.add(a, b)`). Declaration merging gives
 * the methods their types; the implementations are the free functions in ops/.
 */
import { Tensor } from './tensor.js';
import * as B from './ops/binary.js';
import * as U from './ops/unary.js';
import * as R from './ops/reduce.js';
import * as S from './ops/shape-ops.js';
import * as T from './ops/transfer.js';
import { matmul } from './ops/matmul.js';
import type { TensorLike } from './ops/util.js';
import type { DataArray, Device, DType } from './types.js';

declare module './tensor.js' {
  interface Tensor {
    add(b: TensorLike): Tensor;
    sub(b: TensorLike): Tensor;
    mul(b: TensorLike): Tensor;
    div(b: TensorLike): Tensor;
    pow(b: TensorLike): Tensor;
    maximum(b: TensorLike): Tensor;
    minimum(b: TensorLike): Tensor;
    eq(b: TensorLike): Tensor;
    lt(b: TensorLike): Tensor;
    gt(b: TensorLike): Tensor;
    neg(): Tensor;
    abs(): Tensor;
    exp(): Tensor;
    log(): Tensor;
    sqrt(): Tensor;
    tanh(): Tensor;
    sigmoid(): Tensor;
    relu(): Tensor;
    cast(dtype: DType): Tensor;
    sum(axis?: R.Axis, keepdims?: boolean): Tensor;
    mean(axis?: R.Axis, keepdims?: boolean): Tensor;
    var(axis?: R.Axis, keepdims?: boolean, ddof?: number): Tensor;
    std(axis?: R.Axis, keepdims?: boolean, ddof?: number): Tensor;
    min(axis?: R.Axis, keepdims?: boolean): Tensor;
    max(axis?: R.Axis, keepdims?: boolean): Tensor;
    argmax(axis?: R.Axis, keepdims?: boolean): Tensor;
    moments(axis?: R.Axis, keepdims?: boolean, ddof?: number): R.Moments;
    matmul(b: Tensor): Tensor;
    reshape(shape: readonly number[]): Tensor;
    unsqueeze(axis: number): Tensor;
    squeeze(axis?: number | readonly number[]): Tensor;
    transpose(perm?: readonly number[]): Tensor;
    permute(...dims: number[]): Tensor;
    slice(specs: readonly S.SliceSpec[]): Tensor;
    flatten(): Tensor;
    contiguous(): Tensor;
    clone(): Tensor;
    to(device: Device): Tensor;
    toAsync(device: Device): Promise<Tensor>;
    dataSync(out?: DataArray): DataArray;
    data(): Promise<DataArray>;
    toArray(): NestedArray;
    array(): Promise<NestedArray>;
    item(): number;
  }
}

const P = Tensor.prototype;
P.add = function (b) { return B.add(this, b); };
P.sub = function (b) { return B.sub(this, b); };
P.mul = function (b) { return B.mul(this, b); };
P.div = function (b) { return B.div(this, b); };
P.pow = function (b) { return B.pow(this, b); };
P.maximum = function (b) { return B.maximum(this, b); };
P.minimum = function (b) { return B.minimum(this, b); };
P.eq = function (b) { return B.eq(this, b); };
P.lt = function (b) { return B.lt(this, b); };
P.gt = function (b) { return B.gt(this, b); };
P.neg = function () { return U.neg(this); };
P.abs = function () { return U.abs(this); };
P.exp = function () { return U.exp(this); };
P.log = function () { return U.log(this); };
P.sqrt = function () { return U.sqrt(this); };
P.tanh = function () { return U.tanh(this); };
P.sigmoid = function () { return U.sigmoid(this); };
P.relu = function () { return U.relu(this); };
P.cast = function (dtype) { return U.cast(this, dtype); };
P.sum = function (axis, keepdims) { return R.sum(this, axis, keepdims); };
P.mean = function (axis, keepdims) { return R.mean(this, axis, keepdims); };
P.var = function (axis, keepdims, ddof) { return R.variance(this, axis, keepdims, ddof); };
P.std = function (axis, keepdims, ddof) { return R.std(this, axis, keepdims, ddof); };
P.min = function (axis, keepdims) { return R.min(this, axis, keepdims); };
P.max = function (axis, keepdims) { return R.max(this, axis, keepdims); };
P.argmax = function (axis, keepdims) { return R.argmax(this, axis, keepdims); };
P.moments = function (axis, keepdims, ddof) { return R.moments(this, axis, keepdims, ddof); };
P.matmul = function (b) { return matmul(this, b); };
P.reshape = function (shape) { return S.reshape(this, shape); };
P.unsqueeze = function (axis) { return S.unsqueeze(this, axis); };
P.squeeze = function (axis) { return S.squeeze(this, axis); };
P.transpose = function (perm) { return S.transpose(this, perm); };
P.permute = function (...dims) { return S.permute(this, ...dims); };
P.slice = function (specs) { return S.slice(this, specs); };
P.flatten = function () { return S.flatten(this); };
P.contiguous = function () { return S.contiguous(this); };
P.clone = function () { return S.clone(this); };
P.to = function (device) { return T.to(this, device); };
P.toAsync = function (device) { return T.toAsync(this, device); };
P.dataSync = function (out) { return T.dataSync(this, out); };
P.data = function () { return T.data(this); };
P.toArray = function () { return T.toArray(this); };
P.array = function () { return T.array(this); };
P.item = function () { return T.item(this); };
