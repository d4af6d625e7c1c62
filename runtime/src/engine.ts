/**
 * THE dispatch point. Every op reaches a backend through {@link dispatch}; the profiler observes
 * only this call. With profiling off the added cost is one `observer === null` test.
 *
 * The engine also owns the backend registry, the default backend, and tensor lifetime
 * bookkeeping (live tensors, bytes, tidy scopes) — see memory.ts for the user-facing side.
 */
import type { Backend, Storage } from './backends/backend.js';
import type { FusedOpName, OpName } from './backends/op-table.js';
import type { BackendName, Device } from './types.js';
import { BACKENDS } from './types.js';
import type { Tensor } from './tensor.js';

/**
 * Something that wraps every dispatch while installed (the profiler's recorder).
 * `observe` must call `run(backend)` exactly once and return its result (or rethrow its error).
 */
export interface DispatchObserver {
  observe<T>(op: OpName | FusedOpName, inputs: readonly Tensor[], backend: Backend, run: (backend: Backend) => T): T;
}

let observer: DispatchObserver | null = null;

/** Installs (or, with null, removes) the dispatch observer. Used by the profiler. */
export function setDispatchObserver(o: DispatchObserver | null): void {
  observer = o;
}

/** The observer installed now, if any. */
export function getDispatchObserver(): DispatchObserver | null {
  return observer;
}

/**
 * Runs one op. `inputs` decide the backend (all must live on one backend and be undisposed);
 * ops without tensor inputs (creation) pass `backend` explicitly.
 *
 * @param op user-visible op name, as the profiler reports it (`add`, `std`, `matmul`, …): a key of the op table
 * @param inputs tensor operands (checked for disposal and for a common backend)
 * @param kernel the work: validation is done, it only calls the backend
 * @param backend backend for ops with no tensor inputs; defaults to the current default backend
 */
export function dispatch<T>(
  op: OpName | FusedOpName, inputs: readonly Tensor[], kernel: (backend: Backend) => T, backend?: Backend,
): T {
  const b = backend ?? backendOfInputs(op, inputs);
  if (observer === null) return kernel(b);
  return observer.observe(op, inputs, b, kernel);
}

function backendOfInputs(op: string, inputs: readonly Tensor[]): Backend {
  if (inputs.length === 0) return getDefaultBackend();
  const first = inputs[0]!;
  first.assertAlive(op);
  const b = first.backendImpl;
  for (let i = 1; i < inputs.length; i++) {
    const t = inputs[i]!;
    t.assertAlive(op);
    if (t.backendImpl !== b) {
      throw new Error(
        `${op}: inputs live on different backends (input 0 on ${b.name}/${b.device}, ` +
        `input ${i} on ${t.backendImpl.name}/${t.backendImpl.device}); move one with .to('${b.device}')`,
      );
    }
  }
  return b;
}

// ---------------------------------------------------------------- backend registry

type BackendFactory = () => Backend | Promise<Backend>;
const factories = new Map<BackendName, BackendFactory>();
const ready = new Map<BackendName, Backend>();
let defaultBackendName: BackendName = 'wasm';
let cpuBackendName: BackendName = 'wasm';

/** Registers how to create a backend. Sync factories are created on first use. */
export function registerBackend(name: BackendName, factory: BackendFactory): void {
  factories.set(name, factory);
}

/** Backend `name`, creating it if its factory is synchronous; throws with guidance otherwise. */
export function getBackendImpl(name: BackendName): Backend {
  const existing = ready.get(name);
  if (existing) return existing;
  const factory = factories.get(name);
  if (!factory) throw new Error(`Backend '${name}' is not available; registered: ${[...factories.keys()].join(', ')}`);
  const made = factory();
  if (made instanceof Promise) {
    throw new Error(
      `Backend '${name}' needs asynchronous initialisation: call \`await cp.setBackend('${name}')\` ` +
      `or \`await cp.initGpu()\` first`,
    );
  }
  ready.set(name, made);
  return made;
}

/** Creates backend `name` (awaiting async factories such as webgpu's adapter request). */
export async function initBackend(name: BackendName): Promise<Backend> {
  const existing = ready.get(name);
  if (existing) return existing;
  const factory = factories.get(name);
  if (!factory) throw new Error(`Backend '${name}' is not available; registered: ${[...factories.keys()].join(', ')}`);
  const made = await factory();
  ready.set(name, made);
  return made;
}

/** Forgets an initialised backend (after device loss); its factory stays registered. */
export function dropBackend(name: BackendName): void {
  ready.delete(name);
  if (defaultBackendName === name) defaultBackendName = cpuBackendName;
}

/** The backend new tensors are created on. */
export function getDefaultBackend(): Backend {
  return getBackendImpl(defaultBackendName);
}

/** Name of the backend new tensors are created on. */
export function getBackend(): BackendName {
  return defaultBackendName;
}

/**
 * Chooses the backend for new tensors: `wasm` (default), `js` (reference) or `webgpu`.
 * CPU choices take effect immediately; the returned promise settles once the backend is ready.
 */
export function setBackend(name: BackendName): Promise<void> {
  if (!BACKENDS.includes(name)) {
    return Promise.reject(new TypeError(`Unknown backend ${JSON.stringify(name)}; allowed: ${BACKENDS.join(', ')}`));
  }
  const factory = factories.get(name);
  if (!factory) return Promise.reject(new Error(`Backend '${name}' is not available in this build`));
  if (ready.has(name) || name !== 'webgpu') {
    try {
      const b = getBackendImpl(name);
      defaultBackendName = name;
      if (b.device === 'cpu') cpuBackendName = name;
      return Promise.resolve();
    } catch (e) {
      return Promise.reject(e);
    }
  }
  return initBackend(name).then((b) => {
    defaultBackendName = name;
    if (b.device === 'cpu') cpuBackendName = name;
  });
}

/** The backend that serves `device`: the current CPU backend for 'cpu', webgpu for 'gpu'. */
export function backendForDevice(device: Device): Backend {
  return getBackendImpl(device === 'cpu' ? cpuBackendName : 'webgpu');
}

/** True when backend `name` was initialised. */
export function isBackendReady(name: BackendName): boolean {
  return ready.has(name);
}

// ---------------------------------------------------------------- storage lifetime

/**
 * Who is told when a storage it marked is freed: the profiler's recorder, which counts per call
 * site the results still held (profiler/held.ts), so a report can say which line's tensors were
 * never disposed.
 */
export interface StorageOwner {
  /** A storage this owner marked (its `origin` and `weight` are the owner's) was freed. */
  freed(ref: StorageRef): void;
  /**
   * A storage this owner marked was returned out of the outermost `tidy` scope (memory.ts): tidy kept
   * it alive for its caller, whose dispose it now waits for. Called from inside `tidy`, once per
   * returned tensor that leaves the outermost scope (never on an op's path).
   */
  returnedFromTidy(ref: StorageRef): void;
}

/** Shared, reference-counted ownership of one storage (views share their base's). */
export class StorageRef {
  /** Number of live tensors using this storage. */
  refs = 1;
  /** The profiler's recorder that counted this storage as held at `origin` (null: not counted). */
  owner: StorageOwner | null = null;
  /** The owner's id for where the storage was created (a call site), -1 when not counted. */
  origin = -1;
  /** How many results the owner counted this storage for (it samples; profiler/held.ts). */
  weight = 0;
  constructor(readonly storage: Storage, readonly backend: Backend) {
    liveBytes += storage.bytes;
    if (liveBytes > peakBytes) peakBytes = liveBytes;
  }
  /** Drops one reference; frees the storage at zero. */
  release(): void {
    if (--this.refs === 0) {
      liveBytes -= this.storage.bytes;
      if (this.owner !== null) this.owner.freed(this);
      this.backend.free(this.storage);
    }
  }
}

let liveBytes = 0;
let peakBytes = 0;
let liveTensors = 0;

/** Most bytes live at once since the last {@link resetPeakBytes} (or since load). */
export function peakLiveBytes(): number {
  return peakBytes;
}

/** Starts a new peak from the bytes live now (the profiler does at enable and clear). */
export function resetPeakBytes(): void {
  peakBytes = liveBytes;
}

/** Counts live tensor objects (called by Tensor's constructor and dispose). */
export function trackTensor(delta: 1 | -1): void {
  liveTensors += delta;
}

/** Live tensors and the bytes of the storages they hold. */
export function liveStats(): { tensors: number; bytes: number } {
  return { tensors: liveTensors, bytes: liveBytes };
}

/** Initialised backends, for memory reports. */
export function readyBackends(): Backend[] {
  return [...ready.values()];
}
