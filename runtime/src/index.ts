/**
 * corepy — a tensor runtime with a built-in profiler.
 *
 * ```ts
 * import * as cp from 'corepy';
 * const x = cp.tensor([1, 2, 3]);
 * console.log(x.sub(x.mean()).div(x.std()).toArray());
 * ```
 */
// lib.esnext.disposable (which profiler/api.ts references for `Disposable`) uses Symbol.toStringTag
// without referencing the lib that declares it, so a user's `tsc` with no options (TypeScript 5.x:
// target ES5) failed inside it. Kept (preserve) in the emitted index.d.ts for that user.
/// <reference lib="es2015.symbol.wellknown" preserve="true" />
import './backends/register.js';
import './tensor-methods.js';

export { Tensor, type NestedArray } from './tensor.js';
export type { DType, Device, BackendName, DataArray } from './types.js';
export { DTYPES, DEVICES, BACKENDS } from './types.js';
export { getBackend, setBackend } from './engine.js';
export { tidy, keep, memory, reserveMemory, type MemoryInfo } from './memory.js';
export { tensor, full, zeros, ones, arange, linspace, type TensorInput, type CreateOptions } from './ops/creation.js';
export { seed, rand, randn, type RandomOptions } from './ops/random.js';
export { add, sub, mul, div, pow, maximum, minimum, eq, lt, gt, where } from './ops/binary.js';
export { neg, abs, exp, log, sqrt, tanh, sigmoid, relu, cast } from './ops/unary.js';
export { sum, mean, variance, variance as var, std, min, max, argmax, moments, type Axis, type Moments } from './ops/reduce.js';
export { matmul } from './ops/matmul.js';
export { jit, type JitFunction, type JitGroupInfo, type JitOptions, type JitSignature } from './jit/jit.js';
export { reshape, unsqueeze, squeeze, transpose, permute, slice, flatten, contiguous, clone, type SliceSpec } from './ops/shape-ops.js';
export { concat, stack } from './ops/join.js';
export { dataSync, data, toArray, array, item, to, toAsync } from './ops/transfer.js';
export type { TensorLike } from './ops/util.js';
export { initGpu, calibrate, GpuUnavailableError, type GpuOptions, type GpuInitResult, type CalibrateOptions } from './backends/webgpu/public.js';
export * from './io/index.js';
export * from './profiler/index.js';
export { enableOpenTelemetry, disableOpenTelemetry, isOpenTelemetryEnabled, type OpenTelemetryOptions } from './otel/index.js';
export { prometheusViews, type PrometheusView } from './otel/prometheus.js';
export { createMetricProducer, type CorepyMetricProducer } from './otel/metric-producer.js';

// One runtime per process: CommonJS callers (require.cts) get the first copy that loaded.
import * as self from './index.js';
(globalThis as unknown as Record<symbol, unknown>)[Symbol.for('corepy.runtime')] ??= self;
