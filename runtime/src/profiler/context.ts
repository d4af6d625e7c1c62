/**
 * Context tracking: which ProfileContext / @profiled function an op runs in. The current frame
 * lives in an AsyncLocalStorage so it follows `await`; `using ctx = new ProfileContext(name)`
 * enters it for the rest of the block (enterWith) and leaves it on dispose. Context nodes are
 * interned by (parent, kind, name) into a tree whose ids never change for the life of the process,
 * so a frame opened before `clearProfile()` stays valid after it.
 *
 * A closed frame is never current: lookups walk past closed frames to the nearest open ancestor.
 * That matters for `using` in an async function: enterWith there also sets the CALLER's async
 * context (they share it until the callee's first `await`), and every continuation the caller
 * schedules meanwhile keeps that frame; once the callee's context has ended, those continuations
 * are back in the caller's own context instead of charging it ops forever.
 *
 * A span's wall time leaves out the profiler's own work done inside it: the call-site and stack
 * captures of its ops (and of nested frames' ops), timed as they happen, and batches the op path
 * streams to a launcher (recorder.ts charges them with {@link chargeProfilerTime}). Op times leave
 * them out already; five entries of a context around warmed ops read 4.0 ms with sampled call sites
 * counted, against 0.9 ms with call sites off (audit 19 F10).
 * The span's start and end stay the clock's (the flame and timeline place it where it ran).
 *
 * A report made while frames are open (profileReport() inside a context, or the final report of a
 * script stopped inside one) counts each open frame once, as a span up to the report
 * ({@link openSpans}); before, a training loop stopped inside its context showed it "0×, 0 ms" with
 * 2.7 s of ops inside (audit 21 N9).
 */
import { contextStorage } from './context-storage.js';
import type { ContextInfo } from './types.js';

/** One open context instance. */
export interface Frame {
  readonly id: number;
  readonly parent: Frame | null;
  readonly startMs: number;
  /** Wall time of child spans closed so far (each less its profiler time), ms. */
  childMs: number;
  /** The profiler's own time spent inside this frame so far (its ops' and nested frames' captures), ms. */
  profilerMs: number;
  /** Set when the frame closes; a closed frame is skipped by every lookup (see the file comment). */
  closed: boolean;
}

const nodes: ContextInfo[] = [{ name: '(root)', kind: 'root', parent: -1 }];
const byKey = new Map<string, number>();
const storage = contextStorage<Frame | null>();
/**
 * Frames opened and not closed yet, for {@link openSpans}. One that never closes (a promise that
 * never settles, a ProfileContext never disposed) stays here: it is open, and reports say so.
 */
const open = new Set<Frame>();
// Until the first context opens, ops skip the AsyncLocalStorage lookup entirely.
let used = false;

/**
 * Receives closed spans (installed by the recorder while profiling): clock start and end, ms;
 * child spans' wall time and the profiler's own time inside the span (to leave out of its wall time), ms.
 */
export type SpanSink = (context: number, startMs: number, endMs: number, childMs: number, profilerMs: number) => void;
let sink: SpanSink | null = null;

/** @internal Installs the span receiver (null while profiling is off). */
export function setSpanSink(s: SpanSink | null): void {
  sink = s;
}

/**
 * Told when a frame opens and closes, whether or not profiling is on (OpenTelemetry context
 * spans in ../otel/). `closed` runs after the frame's span went to the span sink.
 */
export interface FrameObserver {
  opened(f: Frame, name: string, kind: 'context' | 'function'): void;
  closed(f: Frame, endMs: number): void;
}
let frameObserver: FrameObserver | null = null;

/** @internal Installs (or, with null, removes) the frame observer. */
export function setFrameObserver(o: FrameObserver | null): void {
  frameObserver = o;
}

/** Every context node so far (index = id; 0 is the root). */
export function contextNodes(): readonly ContextInfo[] {
  return nodes;
}

/** Id of the context an op issued now belongs to (0 = none). */
export function currentContextId(): number {
  if (!used) return 0;
  let f = storage.getStore();
  while (f && f.closed) f = f.parent;
  return f ? f.id : 0;
}

/** The innermost open frame, or null. */
export function currentFrame(): Frame | null {
  if (!used) return null;
  let f = storage.getStore() ?? null;
  while (f !== null && f.closed) f = f.parent;
  return f;
}

/** Names of the node and its ancestors, outermost first. */
export function contextPath(id: number, table: readonly ContextInfo[] = nodes): string[] {
  const out: string[] = [];
  for (let n = id; n > 0; n = table[n]!.parent) out.unshift(table[n]!.name);
  return out;
}

function intern(parent: number, kind: 'context' | 'function', name: string): number {
  const key = `${parent}\u0000${kind}\u0000${name}`;
  let id = byKey.get(key);
  if (id === undefined) {
    id = nodes.length;
    nodes.push({ name, kind, parent });
    byKey.set(key, id);
  }
  return id;
}

/** Opens a frame under the current one (does not enter it). */
export function openFrame(name: string, kind: 'context' | 'function'): Frame {
  if (typeof name !== 'string' || name.length === 0) throw new TypeError(`ProfileContext: name must be a non-empty string, got ${JSON.stringify(name)}`);
  used = true;
  const parent = currentFrame();
  const f: Frame = { id: intern(parent ? parent.id : 0, kind, name), parent, startMs: performance.now(), childMs: 0, profilerMs: 0, closed: false };
  open.add(f);
  if (frameObserver !== null) frameObserver.opened(f, name, kind);
  return f;
}

/** A frame still open when a report is made, as a span that ends at the report. */
export interface OpenSpan {
  readonly context: number;
  /** Clock start of the frame and the end given to {@link openSpans}, ms. */
  readonly startMs: number;
  readonly endMs: number;
  /** Wall time of its child spans: those closed so far and its open children up to `endMs` (each less its profiler time), ms. */
  readonly childMs: number;
  /** The profiler's own time inside it so far, ms (left out of its wall time, as for a closed span). */
  readonly profilerMs: number;
}

/**
 * The frames open now, each as a span from its start to `endMs` (ms, the clock's: the report's
 * time, or when profiling was paused), outermost first; frames opened at or after `endMs` are left
 * out. What a closed frame gives the span sink, so a report made inside a context counts it once,
 * with its wall time so far, and that wall time holds the ops issued in it.
 */
export function openSpans(endMs: number): OpenSpan[] {
  const frames = [...open].filter((f) => !f.closed && f.startMs < endMs);
  const opened = new Set(frames);
  const childMs = new Map<Frame, number>();
  // Innermost first: a child's wall time so far goes to its parent's child time while both are open.
  frames.sort((a, b) => b.startMs - a.startMs);
  for (const f of frames) {
    if (f.parent !== null && opened.has(f.parent)) {
      childMs.set(f.parent, (childMs.get(f.parent) ?? 0) + Math.max(0, endMs - f.startMs - f.profilerMs));
    }
  }
  return frames.reverse().map((f) => ({ context: f.id, startMs: f.startMs, endMs, childMs: f.childMs + (childMs.get(f) ?? 0), profilerMs: f.profilerMs }));
}

/**
 * Charges `ms` of the profiler's own time (captures made for an op issued in `f`) to `f` and every
 * frame it is nested in, whose wall times all contain it.
 */
export function chargeProfilerTime(f: Frame, ms: number): void {
  for (let g: Frame | null = f; g !== null; g = g.parent) g.profilerMs += ms;
}

/**
 * Closes a frame: reports its span and charges its wall time, less the profiler's own time inside
 * it, to the parent's child time (the parent's profiler time already holds this frame's).
 */
export function closeFrame(f: Frame): void {
  const end = performance.now();
  f.closed = true;
  open.delete(f);
  const ms = end - f.startMs - f.profilerMs;
  if (f.parent) f.parent.childMs += ms;
  if (sink) sink(f.id, f.startMs, end, f.childMs, f.profilerMs);
  if (frameObserver !== null) frameObserver.closed(f, end);
}

/** Makes `f` current for the rest of this synchronous execution and what it schedules. */
export function enterFrame(f: Frame | null): void {
  storage.enterWith(f);
}

/**
 * Runs `fn` inside a new frame and closes the frame when `fn` returns, throws, or — for a
 * promise — settles. Used by ProfileContext.run, profileContext and profiled.
 */
export function withFrame<T>(name: string, kind: 'context' | 'function', fn: () => T): T {
  const f = openFrame(name, kind);
  return runFramed(f, fn);
}

/** Runs `fn` in an already opened frame and closes it afterwards (promise-aware). */
export function runFramed<T>(f: Frame, fn: () => T): T {
  let result: T;
  try {
    result = storage.run(f, fn);
  } catch (e) {
    closeFrame(f);
    throw e;
  }
  if (result instanceof Promise) {
    return result.finally(() => closeFrame(f)) as T;
  }
  closeFrame(f);
  return result;
}
