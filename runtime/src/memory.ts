/**
 * Tensor lifetime helpers for users: `tidy` scopes, `keep`, and `memory()` statistics.
 * A scope records every tensor created while it is open and disposes those not returned.
 */
import { getBackendImpl, getDefaultBackend, liveStats, readyBackends } from './engine.js';
import type { BackendMemory } from './backends/backend.js';
import type { Tensor } from './tensor.js';

const scopes: Set<Tensor>[] = [];
const kept = new WeakSet<Tensor>();

/** @internal Called by every Tensor constructor; true when a `tidy` scope took the tensor. */
export function onTensorCreated(t: Tensor): boolean {
  if (scopes.length === 0) return false;
  scopes[scopes.length - 1]!.add(t);
  return true;
}

/** @internal Called by Tensor.dispose. */
export function onTensorDisposed(t: Tensor): void {
  if (scopes.length !== 0) scopes[scopes.length - 1]!.delete(t);
}

/** Marks a tensor so no enclosing `tidy` disposes it. Returns it. */
export function keep<T extends Tensor>(t: T): T {
  kept.add(t);
  return t;
}

/** Every tensor reachable from a tidy result (arrays, Maps, Sets, plain objects; cycles visited once). */
function collectTensors(value: unknown, into: Set<Tensor>, seen: Set<object>): void {
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  if ('assertAlive' in value && 'shape' in value) {
    into.add(value as Tensor);
    return;
  }
  const items = Array.isArray(value) ? value : value instanceof Map || value instanceof Set ? [...value.values()] : Object.values(value);
  for (const item of items) collectTensors(item, into, seen);
}

/**
 * Runs `fn` and disposes every tensor it created except those it returns (directly, or nested at
 * any depth in arrays, objects, Maps and Sets) and those passed to `keep`. Scopes nest. `fn` must be synchronous.
 */
export function tidy<T>(fn: () => T): T;
export function tidy<T>(name: string, fn: () => T): T;
export function tidy<T>(a: string | (() => T), b?: () => T): T {
  const fn = typeof a === 'function' ? a : b;
  if (typeof fn !== 'function') throw new TypeError('tidy: expected a function');
  const scope = new Set<Tensor>();
  scopes.push(scope);
  let result: T | undefined;
  try {
    result = fn();
    if (result instanceof Promise) {
      throw new TypeError('tidy: the function returned a Promise; tidy only supports synchronous functions');
    }
  } finally {
    // On success the returned tensors survive into the parent scope; on error nothing does.
    scopes.pop();
    // Most tidy bodies return nothing or a number: no walk (and no allocation) for those.
    const survivors = new Set<Tensor>();
    if (result !== null && typeof result === 'object') collectTensors(result, survivors, new Set());
    for (const t of scope) {
      if (survivors.has(t) || kept.has(t)) {
        if (scopes.length !== 0) scopes[scopes.length - 1]!.add(t);
        else {
          t.releaseWhenCollected(); // escapes every scope: a forgotten dispose is now the collector's
          // The profiler counts what tidy returned per line, so a leak of returned results is not told to use tidy.
          const ref = survivors.has(t) ? t.refOrNull : null;
          if (ref !== null && ref.owner !== null) ref.owner.returnedFromTidy(ref);
        }
      } else {
        t.dispose();
      }
    }
  }
  return result as T;
}

/** Memory held by tensors right now. */
export interface MemoryInfo {
  /** Live (undisposed) tensor objects, views included. */
  readonly tensors: number;
  /** Bytes of the storages live tensors hold (a storage shared by views counts once). */
  readonly bytes: number;
  /** Per initialised backend (the default one always): bytes in use and reserved. */
  readonly backends: Readonly<Record<string, BackendMemory>>;
}

/** Live tensors and bytes, overall and per backend. */
export function memory(): MemoryInfo {
  const { tensors, bytes } = liveStats();
  // The default backend is created on first use (backends/register.ts); asking about memory is one.
  getDefaultBackend();
  const backends: Record<string, BackendMemory> = {};
  for (const b of readyBackends()) backends[b.name] = b.memory();
  return { tensors, bytes, backends };
}

/**
 * Reserves `bytes` of the wasm backend's linear memory now (default backend `wasm`), so that
 * tensors up to that many bytes in all are created without growing memory or faulting in fresh
 * pages inside a timed op. The work is recorded as the one-time cost "reserve wasm memory +N MB".
 * The same at start-up: COREPY_WASM_RESERVE_MB. Returns the bytes added (0 when already reserved).
 */
export function reserveMemory(bytes: number): number {
  const b = getBackendImpl('wasm') as unknown as { reserve?: (n: number) => number };
  if (typeof b.reserve !== 'function') throw new Error('reserveMemory: the wasm backend is not available');
  return b.reserve(bytes);
}
