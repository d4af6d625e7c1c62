/**
 * Retained raw events and context spans as columns (typed arrays, no object per event): what the
 * flame model, and through it every timeline export, is built from. Reading a 1e6-event ring into
 * one {@link ProfileEvent} object per event (plus arrays for its shapes and ids) made garbage
 * collection the largest cost of a timeline export (12 s of 22 s in a CPU profile at 2e5 events);
 * the recorder fills these straight from its ring instead (ring.ts `toColumns`).
 *
 * Units as in types.ts: times in ms on the process's `performance.now()` clock; indexes 0-based.
 */
import type { ContextSpan, ProfileEvent } from './types.js';

/** Raw op events, oldest first, one entry per index in every array. */
export interface EventColumns {
  readonly length: number;
  /** Op name of each event: index into {@link names}. */
  readonly op: Int32Array;
  /** Backend name of each event: index into {@link names}. */
  readonly backend: Int32Array;
  /** Index into {@link ProfileData.sites}, or -1. */
  readonly site: Int32Array;
  /** Index into {@link ProfileData.contexts}; 0 is the root (no context). */
  readonly context: Int32Array;
  /** The user's call stack: node id in {@link ProfileData.stacks}, or -1 (none captured). */
  readonly stack: Int32Array;
  /** Worker thread id (0 = main thread). */
  readonly thread: Int32Array;
  /** Start and end, ms. */
  readonly startMs: Float64Array;
  readonly endMs: Float64Array;
  /** GPU execution interval, ms; NaN when the backend reported none. */
  readonly gpuStartMs: Float64Array;
  readonly gpuEndMs: Float64Array;
  /** Op and backend names referenced by index. */
  readonly names: readonly string[];
}

/** Closed context/function spans, one entry per index in every array. */
export interface SpanColumns {
  readonly length: number;
  /** Index into {@link ProfileData.contexts}. */
  readonly context: Int32Array;
  /** Start and end, ms. */
  readonly startMs: Float64Array;
  readonly endMs: Float64Array;
  /** Worker thread id (0 = main thread). */
  readonly thread: Int32Array;
  /**
   * The profiler's own time inside each span (captures of its ops), ms: its wall time in the report's statistics is
   * end − start − this (the flame graph draws clock times). Zero where not known.
   */
  readonly profilerMs: Float64Array;
}

/** The events and spans of a snapshot as columns. */
export interface TimelineColumns {
  readonly events: EventColumns;
  readonly spans: SpanColumns;
}

/** Event columns for `n` events, to be filled in (GPU times start as NaN: none reported). */
export function allocEventColumns(n: number, names: readonly string[]): EventColumns {
  return {
    length: n, op: new Int32Array(n), backend: new Int32Array(n), site: new Int32Array(n), context: new Int32Array(n), stack: new Int32Array(n), thread: new Int32Array(n),
    startMs: new Float64Array(n), endMs: new Float64Array(n), gpuStartMs: new Float64Array(n).fill(NaN), gpuEndMs: new Float64Array(n).fill(NaN), names,
  };
}

/** Empty span columns of `n` spans, to be filled in. */
export function allocSpanColumns(n: number): SpanColumns {
  return { length: n, context: new Int32Array(n), startMs: new Float64Array(n), endMs: new Float64Array(n), thread: new Int32Array(n), profilerMs: new Float64Array(n) };
}

/** Columns of event records (snapshots that hold objects: merged worker data, tests). */
export function eventColumns(events: readonly ProfileEvent[]): EventColumns {
  const names: string[] = [], ids = new Map<string, number>();
  const id = (s: string): number => {
    let k = ids.get(s);
    if (k === undefined) { k = names.length; names.push(s); ids.set(s, k); }
    return k;
  };
  const c = allocEventColumns(events.length, names);
  events.forEach((e, i) => {
    c.op[i] = id(e.op); c.backend[i] = id(e.backend); c.site[i] = e.site; c.context[i] = e.context; c.stack[i] = e.stack ?? -1; c.thread[i] = e.thread;
    c.startMs[i] = e.startMs; c.endMs[i] = e.endMs;
    if (e.gpuStartMs !== undefined) { c.gpuStartMs[i] = e.gpuStartMs; c.gpuEndMs[i] = e.gpuEndMs!; }
  });
  return c;
}

/** Columns of span records. */
export function spanColumns(spans: readonly ContextSpan[]): SpanColumns {
  const c = allocSpanColumns(spans.length);
  spans.forEach((s, i) => { c.context[i] = s.context; c.startMs[i] = s.startMs; c.endMs[i] = s.endMs; c.thread[i] = s.thread; c.profilerMs[i] = s.profilerMs ?? 0; });
  return c;
}
