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
  // Hover documentation for the method style (`x.matmul(x).relu()`, `await t.data()`): each entry
  // states what its function form in ops/ does, since the editor shows only these comments here
  // (test/unit/tensor-hover-docs.test.ts fails for a member without one).
  interface Tensor {
    /**
     * `this + b` elementwise, with NumPy broadcasting.
     * @param b a tensor on the same backend, or a JS number/boolean (a weak scalar: an int32 tensor plus `2` stays int32, plus `0.5` is float32)
     * @returns float32 when either operand is float32, else int32 (bool + bool is int32)
     * @throws RangeError when the shapes cannot be broadcast; Error when `b` lives on another backend
     */
    add(b: TensorLike): Tensor;
    /**
     * `this - b` elementwise, with NumPy broadcasting.
     * @param b a tensor on the same backend, or a JS number/boolean (weak scalar, as in {@link Tensor.add})
     * @returns float32 when either operand is float32, else int32
     * @throws RangeError when the shapes cannot be broadcast; Error when `b` lives on another backend
     */
    sub(b: TensorLike): Tensor;
    /**
     * `this * b` elementwise, with NumPy broadcasting.
     * @param b a tensor on the same backend, or a JS number/boolean (weak scalar, as in {@link Tensor.add})
     * @returns float32 when either operand is float32, else int32
     * @throws RangeError when the shapes cannot be broadcast; Error when `b` lives on another backend
     */
    mul(b: TensorLike): Tensor;
    /**
     * `this / b` elementwise: true division, always float32 (int32 `7 / 2` is 3.5), with NumPy broadcasting.
     * @param b a tensor on the same backend, or a JS number/boolean
     * @throws RangeError when the shapes cannot be broadcast; Error when `b` lives on another backend
     */
    div(b: TensorLike): Tensor;
    /**
     * `this ** b` elementwise, with NumPy broadcasting.
     * @param b the exponent: a tensor on the same backend, or a JS number/boolean (weak scalar, as in {@link Tensor.add})
     * @returns float32 when either operand is float32, else int32
     * @throws RangeError when the shapes cannot be broadcast; Error when `b` lives on another backend
     */
    pow(b: TensorLike): Tensor;
    /**
     * Elementwise maximum of `this` and `b` (NaN propagates), with NumPy broadcasting.
     * @param b a tensor on the same backend, or a JS number/boolean (weak scalar, as in {@link Tensor.add})
     * @returns float32 when either operand is float32, else int32
     * @throws RangeError when the shapes cannot be broadcast; Error when `b` lives on another backend
     */
    maximum(b: TensorLike): Tensor;
    /**
     * Elementwise minimum of `this` and `b` (NaN propagates), with NumPy broadcasting.
     * @param b a tensor on the same backend, or a JS number/boolean (weak scalar, as in {@link Tensor.add})
     * @returns float32 when either operand is float32, else int32
     * @throws RangeError when the shapes cannot be broadcast; Error when `b` lives on another backend
     */
    minimum(b: TensorLike): Tensor;
    /**
     * `this == b` elementwise as a bool tensor, with NumPy broadcasting (compared after dtype promotion).
     * @param b a tensor on the same backend, or a JS number/boolean
     * @throws RangeError when the shapes cannot be broadcast; Error when `b` lives on another backend
     */
    eq(b: TensorLike): Tensor;
    /**
     * `this < b` elementwise as a bool tensor, with NumPy broadcasting (compared after dtype promotion).
     * @param b a tensor on the same backend, or a JS number/boolean
     * @throws RangeError when the shapes cannot be broadcast; Error when `b` lives on another backend
     */
    lt(b: TensorLike): Tensor;
    /**
     * `this > b` elementwise as a bool tensor, with NumPy broadcasting (compared after dtype promotion).
     * @param b a tensor on the same backend, or a JS number/boolean
     * @throws RangeError when the shapes cannot be broadcast; Error when `b` lives on another backend
     */
    gt(b: TensorLike): Tensor;
    /** `-x` elementwise; float32 stays float32, int32 and bool give int32. */
    neg(): Tensor;
    /** `|x|` elementwise; float32 stays float32, int32 and bool give int32. */
    abs(): Tensor;
    /** `e^x` elementwise, in float32 (int32/bool inputs are converted). */
    exp(): Tensor;
    /** Natural logarithm elementwise, in float32 (int32/bool inputs are converted). */
    log(): Tensor;
    /** Square root elementwise, in float32 (int32/bool inputs are converted). */
    sqrt(): Tensor;
    /** Hyperbolic tangent elementwise, in float32 (int32/bool inputs are converted). */
    tanh(): Tensor;
    /** `1 / (1 + e^-x)` elementwise, in float32 (int32/bool inputs are converted). */
    sigmoid(): Tensor;
    /** `max(x, 0)` elementwise; float32 stays float32, int32 and bool give int32. */
    relu(): Tensor;
    /**
     * The elements converted to `dtype`, same shape: float → int32 truncates toward zero; → bool is `x ≠ 0`; bool → numbers is 0/1.
     * @param dtype 'float32', 'int32' or 'bool'
     * @throws TypeError for any other dtype
     */
    cast(dtype: DType): Tensor;
    /**
     * Sum over `axis` (all axes by default); float32 stays float32, int32 and bool sum to int32.
     * @param axis an axis or a list of axes (negative counts from the end; each at most once); undefined = all
     * @param keepdims keep reduced axes as size 1 (default false: they are removed)
     * @throws RangeError for an axis out of range or repeated
     */
    sum(axis?: R.Axis, keepdims?: boolean): Tensor;
    /**
     * Arithmetic mean over `axis` (all axes by default), always float32 (NaN over zero elements).
     * @param axis an axis or a list of axes (negative counts from the end; each at most once); undefined = all
     * @param keepdims keep reduced axes as size 1 (default false: they are removed)
     * @throws RangeError for an axis out of range or repeated
     */
    mean(axis?: R.Axis, keepdims?: boolean): Tensor;
    /**
     * Variance over `axis` (all axes by default), float32; the function form is `cp.variance` (or `cp.var`).
     * @param axis an axis or a list of axes (negative counts from the end; each at most once); undefined = all
     * @param keepdims keep reduced axes as size 1 (default false: they are removed)
     * @param ddof delta degrees of freedom, an integer ≥ 0: the divisor is `n - ddof` (0 = population, the default as in NumPy; 1 = sample); `ddof ≥ n` gives Infinity (NaN for zero spread)
     * @throws RangeError for an axis out of range or repeated, or a negative ddof; TypeError for a non-integer ddof
     */
    var(axis?: R.Axis, keepdims?: boolean, ddof?: number): Tensor;
    /**
     * Standard deviation over `axis` (all axes by default), float32: the square root of {@link Tensor.var}.
     * @param axis an axis or a list of axes (negative counts from the end; each at most once); undefined = all
     * @param keepdims keep reduced axes as size 1 (default false: they are removed)
     * @param ddof delta degrees of freedom, an integer ≥ 0: the divisor is `n - ddof` (0 = population, the default as in NumPy; 1 = sample)
     * @throws RangeError for an axis out of range or repeated, or a negative ddof; TypeError for a non-integer ddof
     */
    std(axis?: R.Axis, keepdims?: boolean, ddof?: number): Tensor;
    /**
     * Minimum over `axis` (all axes by default; NaN propagates); float32 and int32 keep their dtype, bool gives int32.
     * @param axis an axis or a list of axes (negative counts from the end; each at most once); undefined = all
     * @param keepdims keep reduced axes as size 1 (default false: they are removed)
     * @throws RangeError when reducing over zero elements, or for an axis out of range or repeated
     */
    min(axis?: R.Axis, keepdims?: boolean): Tensor;
    /**
     * Maximum over `axis` (all axes by default; NaN propagates); float32 and int32 keep their dtype, bool gives int32.
     * @param axis an axis or a list of axes (negative counts from the end; each at most once); undefined = all
     * @param keepdims keep reduced axes as size 1 (default false: they are removed)
     * @throws RangeError when reducing over zero elements, or for an axis out of range or repeated
     */
    max(axis?: R.Axis, keepdims?: boolean): Tensor;
    /**
     * Index of the maximum over `axis` as int32 (0-based; ties give the first). Over several axes
     * (or all, the default) it is the row-major index within the reduced block.
     * @param axis an axis or a list of axes (negative counts from the end; each at most once); undefined = all
     * @param keepdims keep reduced axes as size 1 (default false: they are removed)
     * @throws RangeError when reducing over zero elements, or for an axis out of range or repeated
     */
    argmax(axis?: R.Axis, keepdims?: boolean): Tensor;
    /**
     * Mean and variance over `axis` in one pass over the data, as `{ mean, variance }` (two float32
     * tensors, both to dispose). Cheaper than `mean()` plus `var()`.
     * @param axis an axis or a list of axes (negative counts from the end; each at most once); undefined = all
     * @param keepdims keep reduced axes as size 1 (default false: they are removed)
     * @param ddof delta degrees of freedom of the variance, an integer ≥ 0 (0 = population, the default; 1 = sample)
     * @throws RangeError for an axis out of range or repeated, or a negative ddof; TypeError for a non-integer ddof
     */
    moments(axis?: R.Axis, keepdims?: boolean, ddof?: number): R.Moments;
    /**
     * Matrix product `this @ b` as NumPy's matmul, always float32 (int32/bool operands are converted).
     * 2-D: `[M, K] @ [K, N]` → `[M, N]`; more dimensions: a batch of matrices over the leading
     * dimensions, which broadcast; a 1-D operand is a row on the left or a column on the right and
     * that dimension is dropped from the result (1-D @ 1-D is a 0-D dot product).
     * @param b a tensor on the same backend (not a number)
     * @throws RangeError for a 0-D operand, inner dimensions that differ, or batch dimensions that cannot be broadcast
     */
    matmul(b: Tensor): Tensor;
    /**
     * The same elements in a new shape: a view sharing storage when this tensor is contiguous, else one copy.
     * @param shape the new dimensions as one array (e.g. `[2, -1]`); one entry may be -1, inferred from the element count
     * @throws RangeError when the element count differs or the shape is invalid; TypeError when `shape` is not an array
     */
    reshape(shape: readonly number[]): Tensor;
    /**
     * A view with a size-1 dimension inserted at `axis` (no copy): shape `[2, 3]` with `unsqueeze(0)` becomes `[1, 2, 3]`.
     * @param axis position in the result, -rank-1..rank (negative counts from the end: -1 appends)
     * @throws RangeError for an axis out of range
     */
    unsqueeze(axis: number): Tensor;
    /**
     * A view without size-1 dimensions (no copy): all of them, or only those in `axis`.
     * @param axis an axis or a list of axes to remove (negative counts from the end); each must have size 1
     * @throws RangeError when a given axis is out of range or its size is not 1
     */
    squeeze(axis?: number | readonly number[]): Tensor;
    /**
     * A view with the dimensions reordered (no copy): output dimension i is input dimension `perm[i]`.
     * @param perm a permutation of the axes (negatives count from the end); default reverses them (the matrix transpose for 2-D)
     * @throws RangeError when `perm` is not a permutation of all the axes
     */
    transpose(perm?: readonly number[]): Tensor;
    /**
     * {@link Tensor.transpose} with the permutation as arguments: `x.permute(0, 2, 1)` swaps the last two of three axes (a view, no copy).
     * @param dims output dimension i is input dimension `dims[i]`
     * @throws RangeError when `dims` is not a permutation of all the axes
     */
    permute(...dims: number[]): Tensor;
    /**
     * NumPy-style basic slicing as a view (no copy): `x.slice([0, [1, null, 2]])` is NumPy's `x[0, 1::2]`.
     * @param specs one entry per leading axis (later axes are kept whole): a number picks one index and
     * removes the axis (negative counts from the end); `[start, end, step]` keeps a range (each optional or
     * null, negatives count from the end, bounds are clamped, end exclusive, step ≠ 0, negative steps go backwards); null keeps the axis whole
     * @throws RangeError for an index out of range or not an integer, a zero step, or more entries than axes; TypeError for an entry of another form
     */
    slice(specs: readonly S.SliceSpec[]): Tensor;
    /** The elements as one dimension of `size`, in row-major order: a view when contiguous, else one copy. */
    flatten(): Tensor;
    /** The elements laid out row-major with no gaps: a copy, or a view of the same storage when already contiguous (a new Tensor either way). */
    contiguous(): Tensor;
    /** A copy with its own storage (same shape, dtype and backend); disposing either leaves the other intact. */
    clone(): Tensor;
    /**
     * This tensor on `device`, synchronously: `this` itself (not a copy) when already there; CPU → GPU
     * uploads a copy (call `await cp.initGpu()` first). GPU → CPU needs `await t.toAsync('cpu')`.
     * @param device 'cpu' or 'gpu'
     * @throws Error for a GPU tensor moved to the CPU (GPU memory can only be read asynchronously), or when the GPU backend is not initialised; TypeError for another device name
     */
    to(device: Device): Tensor;
    /**
     * This tensor on `device`, in any direction (GPU → CPU included): resolves to `this` itself when
     * already there, else to a copy.
     * @param device 'cpu' or 'gpu' ('gpu' needs `await cp.initGpu()` first)
     */
    toAsync(device: Device): Promise<Tensor>;
    /**
     * The elements in row-major order as a typed array, synchronously; CPU tensors only (on the GPU use `await t.data()`).
     * Float32Array / Int32Array / Uint8Array for float32 / int32 / bool (bool as 0/1). A new array each call, or `out`.
     * @param out an array of the matching type with exactly `size` elements to fill and return without allocating (for loops that read every step)
     * @throws Error for a GPU tensor; TypeError when `out` has the wrong type; RangeError when its length is not `size`
     */
    dataSync(out?: DataArray): DataArray;
    /**
     * The elements in row-major order as a new typed array (Float32Array / Int32Array / Uint8Array
     * for float32 / int32 / bool); works on any device, the way to read a GPU tensor.
     */
    data(): Promise<DataArray>;
    /**
     * The elements as nested JS arrays (a number for a 0-D tensor; booleans for bool), synchronously;
     * CPU tensors only (on the GPU use `await t.array()`).
     * @throws Error for a GPU tensor
     */
    toArray(): NestedArray;
    /** The elements as nested JS arrays (a number for a 0-D tensor; booleans for bool); works on any device. */
    array(): Promise<NestedArray>;
    /**
     * The single element of a one-element tensor (any shape: `[]`, `[1]`, `[1, 1]`) as a JS number
     * (bool gives 1 or 0), synchronously; CPU tensors only (on the GPU use `(await t.data())[0]`).
     * @throws RangeError when the tensor does not have exactly 1 element; Error for a GPU tensor
     */
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
