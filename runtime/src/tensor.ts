/**
 * Tensor: shape, dtype, device, and a reference-counted handle to backend storage.
 * Views (reshape of contiguous data, unsqueeze, squeeze, transpose/permute, slice) share the
 * storage and differ only in shape/strides/offset. Ops live in ops/ and are attached as methods
 * in tensor-methods.ts (which avoids an import cycle between this file and the ops).
 */
import type { Backend, View } from './backends/backend.js';
import { assertViewFits } from './backends/view-check.js';
import { StorageRef, trackTensor } from './engine.js';
import { onTensorCreated, onTensorDisposed } from './memory.js';
import { contiguousStrides, fmtShape, isContiguous, sizeOf } from './shape.js';
import type { BackendName, DType, Device } from './types.js';

/** Nested JS arrays as `toArray()` returns them (a number for a scalar). */
export type NestedArray = number | boolean | NestedArray[];

// When user code forgets dispose(), the storage is released once the Tensor is collected.
const finalizer = new FinalizationRegistry<StorageRef>((ref) => {
  trackTensor(-1);
  ref.release();
});

let nextId = 0;

/** The id the next Tensor will get (ids increase in creation order); `cp.jit` uses it to tell captured tensors from new ones. */
export function nextTensorId(): number {
  return nextId;
}

/** An n-dimensional array on one backend. Create with `cp.tensor`, `cp.zeros`, … */
export class Tensor implements View {
  /** Unique id, increasing in creation order. */
  readonly id = nextId++;
  /** Number of elements. */
  readonly size: number;
  private ref: StorageRef | null;
  /** Whether `finalizer` holds this tensor (see {@link Tensor.releaseWhenCollected}). */
  private finalizable = false;

  /** @internal Use the creation functions; this wraps storage a backend returned. */
  constructor(
    ref: StorageRef,
    readonly shape: readonly number[],
    /** Element type: 'float32', 'int32' or 'bool'. */
    readonly dtype: DType,
    readonly strides: readonly number[] = contiguousStrides(shape),
    readonly offset = 0,
  ) {
    this.ref = ref;
    // Second line of defence: no tensor exists whose shape or view reaches outside its storage.
    assertViewFits('Tensor', this);
    this.size = sizeOf(shape);
    trackTensor(1);
    // A tensor made inside `tidy` is disposed by its scope, or registered when it escapes the
    // outermost scope (memory.ts): registering every tensor cost ≈ 2 µs per small op, mostly in GC.
    if (!onTensorCreated(this)) this.releaseWhenCollected();
  }

  /** @internal Releases the storage when this tensor is garbage-collected undisposed (once; no-op after dispose). */
  releaseWhenCollected(): void {
    if (this.ref === null || this.finalizable) return;
    this.finalizable = true;
    finalizer.register(this, this.ref, this);
  }

  /** Number of dimensions. */
  get rank(): number {
    return this.shape.length;
  }

  /** 'cpu' or 'gpu'. */
  get device(): Device {
    return this.backendImpl.device;
  }

  /** Name of the backend holding the data. */
  get backend(): BackendName {
    return this.backendImpl.name;
  }

  /** True once dispose() ran. */
  get isDisposed(): boolean {
    return this.ref === null;
  }

  /** @internal The storage this tensor views (View interface for backends). */
  get storage() {
    return this.liveRef('read').storage;
  }

  /** @internal The owning backend. */
  get backendImpl(): Backend {
    return this.liveRef('use').backend;
  }

  /** @internal Shared storage handle, for making views. */
  get storageRef(): StorageRef {
    return this.liveRef('view');
  }

  /** @internal The storage handle, null once disposed (the profiler's held-memory count; no throw). */
  get refOrNull(): StorageRef | null {
    return this.ref;
  }

  /** True when elements are laid out row-major with no gaps from `offset`. */
  get isContiguous(): boolean {
    return isContiguous(this.shape, this.strides);
  }

  /** Throws a clear error when the tensor was disposed. */
  assertAlive(op: string): void {
    if (this.ref === null) {
      throw new Error(`${op}: tensor #${this.id} (shape ${fmtShape(this.shape)}, ${this.dtype}) was disposed and cannot be used`);
    }
  }

  /** Releases the memory (views keep it alive until they are disposed too). Safe to call twice. */
  dispose(): void {
    const ref = this.ref;
    if (ref === null) return;
    this.ref = null;
    if (this.finalizable) finalizer.unregister(this);
    trackTensor(-1);
    onTensorDisposed(this);
    ref.release();
  }

  /** Short description, e.g. `Tensor(float32 [2, 3] wasm)`. */
  toString(): string {
    return `Tensor(${this.dtype} ${fmtShape(this.shape)} ${this.ref ? this.ref.backend.name : 'disposed'})`;
  }

  private liveRef(what: string): StorageRef {
    if (this.ref === null) this.assertAlive(what);
    return this.ref!;
  }
}

/** Wraps new contiguous storage in a Tensor. */
export function wrap(backend: Backend, storage: import('./backends/backend.js').Storage, shape: readonly number[], dtype: DType): Tensor {
  return new Tensor(new StorageRef(storage, backend), shape, dtype);
}

/** Told of each view as it is made (views dispatch nothing, so no dispatch observer sees them). */
export type ViewObserver = (view: Tensor, base: Tensor) => void;
let viewObserver: ViewObserver | null = null;

/** @internal The installed view observer (`cp.jit` installs one while it traces, to name a view in a fallback reason). */
export function getViewObserver(): ViewObserver | null {
  return viewObserver;
}

/** @internal Installs (or, with null, removes) the view observer. */
export function setViewObserver(o: ViewObserver | null): void {
  viewObserver = o;
}

/** A view sharing `base`'s storage with another shape/strides/offset (no copy). */
export function viewOf(base: Tensor, shape: readonly number[], strides: readonly number[], offset: number): Tensor {
  const ref = base.storageRef;
  ref.refs++;
  const view = new Tensor(ref, shape, base.dtype, strides, offset);
  if (viewObserver !== null) viewObserver(view, base);
  return view;
}
