/**
 * Measured inputs of the speedup estimates: the fixed cost of one dispatch (front end + engine +
 * kernel launch on a 1-element tensor) per CPU backend, timed with the profiler detached, median
 * of 7 rounds of 50 calls, cached per backend for the life of the process.
 *
 * GPU backends get no figure (null): their kernels run asynchronously after submit, so the clock
 * around a dispatch loop times encoding and queueing, not the launch, and timing GPU work that
 * way is exactly what STYLE.md rules out. Rules that need the figure skip GPU sites instead of
 * claiming a "measured" speedup for them.
 */
import { getBackendImpl, getDefaultBackend, getDispatchObserver, isBackendReady, setDispatchObserver } from '../../engine.js';
import type { BinaryOp } from '../../backends/backend.js';
import { binaryOp } from '../../ops/binary.js';
import { arange } from '../../ops/creation.js';
import { mean, moments, std, variance } from '../../ops/reduce.js';
import { reshape, unsqueeze } from '../../ops/shape-ops.js';
import { sqrt } from '../../ops/unary.js';
import { tidy } from '../../memory.js';
import { wrap, type Tensor } from '../../tensor.js';
import type { BackendName } from '../../types.js';
import { asProfilerWork } from '../../one-time-costs.js';

const cache = new Map<string, number | null>();

/** True when `backend` runs its kernels on a GPU (names known to be GPUs, or a ready backend saying so). */
function isGpu(backend: string): boolean {
  if (backend === 'webgpu') return true;
  try {
    return isBackendReady(backend as BackendName) && getBackendImpl(backend as BackendName).device === 'gpu';
  } catch {
    return false;
  }
}

/**
 * Fixed cost of one op dispatch on `backend`, ms; null for GPU backends (no honest CPU-clock
 * figure exists for asynchronous GPU work); 0 when the backend cannot be used synchronously.
 */
export function dispatchCostMs(backend: string): number | null {
  const known = cache.get(backend);
  if (known !== undefined) return known;
  if (isGpu(backend)) {
    cache.set(backend, null);
    return null;
  }
  let cost = 0;
  const observer = getDispatchObserver();
  setDispatchObserver(null);
  let x: Tensor | null = null;
  try {
    const b = getBackendImpl(backend as BackendName);
    x = wrap(b, b.upload(Float32Array.of(1), 'float32'), [1], 'float32');
    const rounds: number[] = [];
    for (let r = 0; r < 7; r++) {
      const t0 = performance.now();
      for (let i = 0; i < 50; i++) binaryOp('add', x, 1).dispose();
      rounds.push((performance.now() - t0) / 50);
    }
    cost = rounds.sort((p, q) => p - q)[3]!;
  } catch {
    cost = 0;
  } finally {
    x?.dispose();
    setDispatchObserver(observer);
  }
  cache.set(backend, cost);
  return cost;
}

let copyCost: number | null = null;

/**
 * Cost of copying one byte into an array that already exists (what `t.dataSync(out)` does after
 * the kernel), ms per byte: 1 MiB Float32Array → Float32Array `set`, median of 7 rounds of 8
 * copies after a warm-up, measured once per process.
 */
export function copyMsPerByte(): number {
  if (copyCost !== null) return copyCost;
  const src = new Float32Array(1 << 18).fill(1), dst = new Float32Array(1 << 18);
  dst.set(src);
  const rounds: number[] = [];
  for (let r = 0; r < 7; r++) {
    const t0 = performance.now();
    for (let i = 0; i < 8; i++) dst.set(src);
    rounds.push((performance.now() - t0) / (8 * src.byteLength));
  }
  copyCost = rounds.sort((p, q) => p - q)[3]!;
  return copyCost;
}

/** Times of a loop of k calls and of its batched rewrite, ms, measured here with the profiler detached. */
export interface BatchTimes {
  /** k calls of `op(x, i)`, i = 0..k−1, ms. */
  readonly loopMs: number;
  /** One `op(x.unsqueeze(0), arange(k).unsqueeze(1))`, ms (including the arange upload). */
  readonly batchedMs: number;
  /** Calls actually timed: k, or fewer for large work (both figures are scaled back to k). */
  readonly timedCalls: number;
  /** loop / batched: the median of per-round ratios (see `alternate`), not loopMs / batchedMs. */
  readonly ratio: number;
  /**
   * When the figure was measured, ms since the epoch, where it was not timed for this report: read from the
   * per-machine file or kept from an earlier report of this process (timing-budget.ts); absent where timed now.
   */
  readonly measuredAtMs?: number;
}

const batchCache = new Map<string, BatchTimes | null>();
const momentsCache = new Map<string, MomentsTimes | null>();

/** Most elements one batched trial may produce (64 MB of float32): bigger loops are timed on fewer rows and scaled. */
const MAX_TRIAL_ELEMENTS = 1 << 24;

/** Time one round of a batch trial may take, ms: loops of slow calls are timed on fewer of them and scaled. */
const TRIAL_BUDGET_MS = 20;
/** Shortest round, ms: quick loops are repeated within a round so a round is not one timer tick or one cache state. */
const ROUND_MS = 20;
/** Most repetitions of the timed work in one round. */
const MAX_REPS = 2000;
/**
 * Shortest warm-up before timing, ms. Right after a cold profiled run the detached dispatch path has
 * not been optimised by the JS engine yet: with 40 ms of warm-up, 200 adds of 1e3 elements still timed
 * at 50 µs a call in the first trial against 3 µs later (r = 61× where 21× holds); see `alternate`.
 */
const WARM_MS = 60;
/**
 * CPU time the whole process may spend per ms of a warm-up round for the round to count as quiet: above
 * it, threads besides the trial's are running (measured: the eager kernel compilation after `corepy
 * profile` starts a script, 0.3 s of CPU on background threads, overlapped a short script's trial).
 */
const BUSY_CPU_RATIO = 1.3;

/** User + system CPU time of the whole process (all its threads) so far, ms; −1 where unknown (no `process`). */
function processCpuMs(): number {
  const p = (globalThis as { process?: { cpuUsage?: () => { user: number; system: number } } }).process;
  if (typeof p?.cpuUsage !== 'function') return -1;
  const u = p.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Longest warm-up, ms. */
const WARM_CAP_MS = 1500;
/** Most time the timed rounds may take, ms (per trial, after warm-up). */
const TIMED_MS = 300;
/**
 * Longest a trial of `alternate` runs, ms: warm-up cap + timed rounds (plus at most one round past
 * either). The report's timing budget (timing-budget.ts) is at least this, so one trial always fits.
 */
export const TRIAL_MAX_MS = WARM_CAP_MS + TIMED_MS;

/**
 * Thrown by a measurement that reached the report's timing deadline (timing-budget.ts) before it had
 * a steady-state figure: the trial is abandoned rather than cut short, since a figure from an
 * unfinished warm-up is exactly the cold-JIT guess the rules time their rewrites to avoid.
 */
export class OutOfBudget extends Error {
  constructor() {
    super('the report\'s timing budget ran out before this measurement finished');
    this.name = 'OutOfBudget';
  }
}

/** performance.now() after which a running trial gives up (Infinity: no deadline). Set by {@link withDeadline}. */
let deadline = Infinity;

/** Runs `fn` with trials giving up (throwing {@link OutOfBudget}) once performance.now() passes `at`, ms. */
export function withDeadline<T>(at: number, fn: () => T): T {
  const outer = deadline;
  deadline = Math.min(outer, at);
  try {
    return fn();
  } finally {
    deadline = outer;
  }
}

/** Throws {@link OutOfBudget} when the current deadline has passed. */
export function checkDeadline(): void {
  if (performance.now() > deadline) throw new OutOfBudget();
}

/**
 * The tail every measurement shares: the figure cached in `cache` under `key` for the life of the
 * process; `run` failing (an unready backend, an op the backend lacks) gives null, cached too; running
 * out of the report's time budget is not a result and propagates uncached (the next report retries).
 */
export function cachedMeasure<T>(cache: Map<string, T | null>, key: string, run: () => T | null): T | null {
  if (cache.has(key)) return cache.get(key)!;
  let out: T | null;
  try {
    out = run();
  } catch (e) {
    if (e instanceof OutOfBudget) throw e;
    out = null;
  }
  cache.set(key, out);
  return out;
}

/**
 * Runs `fn` with the profiler detached, restoring it afterwards; one-time costs it triggers are the
 * profiler's own (one-time-costs.ts asProfilerWork), not the program's.
 */
export function detached<T>(fn: () => T): T {
  const observer = getDispatchObserver();
  setDispatchObserver(null);
  try {
    return asProfilerWork(fn);
  } finally {
    setDispatchObserver(observer);
  }
}

const median = (xs: number[]): number => [...xs].sort((p, q) => p - q)[xs.length >> 1]!;

/** Median round times of `a` and `b`, ms, and the median of their per-round ratio a / b. */
export interface Alternation {
  readonly a: number;
  readonly b: number;
  readonly ratio: number;
}

/** Options of {@link alternate} and {@link timePair}. */
export interface AlternateOptions {
  /** The warm-up's cap, ms (default WARM_CAP_MS). */
  readonly warmCapMs?: number;
  /**
   * The process's other threads busy are part of what is timed (the garbage collector's, for work that
   * allocates): the warm-up does not wait for them to be quiet, which would never happen.
   */
  readonly busyThreadsAreTheCost?: boolean;
  /**
   * Most time the timed rounds may take, ms (default TIMED_MS; at least 7 rounds either way). A trial whose two sides differ
   * by orders of magnitude (tiny-ops: hundreds of µs-scale calls against one) is settled well within it.
   */
  readonly timedMs?: number;
}

/**
 * Times `a` and `b` alternately after a warm-up (see below): at least 7 rounds (3 when a warm-up
 * round took over 40 ms) and at most 31, stopping once TIMED_MS have been spent. Returns the median
 * round of each, ms, and the median of the per-round ratios a / b: the two halves of a round run
 * back to back, so a busy machine's slow spell slows both and cancels in their ratio, where a ratio
 * of two medians can pair a slow `a` with a quick `b` (on a quiet machine, r for 100 adds of 1e5
 * ranged 1.16–2.29× over three trials that way).
 */
export function alternate(a: () => number, b: () => number, opts: AlternateOptions = {}): Alternation {
  const warmCapMs = opts.warmCapMs ?? WARM_CAP_MS;
  // Until the fastest round so far has not improved by 5 % for 5 rounds (and at least WARM_MS): the JS
  // engine tiers up the dispatch path in the background, and on a busy machine the optimised code can
  // arrive a second late — until then the loop side times the interpreter (r 3–4× where 1.2× holds).
  let warm = 0, best = Infinity, since = 0;
  let cpu = processCpuMs(), wall = performance.now();
  for (let r = 0, t0 = wall; r < 400; r++) {
    checkDeadline();
    const x = a() + b();
    warm = x;
    if (x < 0.95 * best) { best = x; since = 0; } else since++;
    const now = performance.now(), cpuNow = processCpuMs();
    // The process's other threads busy (V8 compiling the kernels in the background after an eager load, a
    // concurrent GC): they take the core the trial runs on, and its figures swing (loop 1.9–4.3 ms on one trial).
    const quiet = opts.busyThreadsAreTheCost === true || cpuNow < 0 || cpuNow - cpu < BUSY_CPU_RATIO * (now - wall);
    cpu = cpuNow; wall = now;
    const spent = now - t0;
    if ((since >= 5 && spent >= WARM_MS && quiet) || spent >= warmCapMs) break;
  }
  // Slow trials (a slow backend, a big tensor) get 3 rounds: the spread of long rounds is small anyway.
  const least = warm > 40 ? 3 : 7;
  const xs: number[] = [], ys: number[] = [], rs: number[] = [];
  let spent = 0;
  const timedMs = opts.timedMs ?? TIMED_MS;
  for (let r = 0; r < 31 && (r < least || spent < timedMs); r++) {
    checkDeadline();
    // Alternate which goes first, so a drift within a round favours neither.
    let x: number, y: number;
    if (r % 2) { y = b(); x = a(); } else { x = a(); y = b(); }
    xs.push(x); ys.push(y); rs.push(x / Math.max(y, 1e-6)); spent += x + y;
  }
  return { a: median(xs), b: median(ys), ratio: median(rs) };
}

/**
 * Times two ways of doing the same work, `aOnce` and `bOnce` (each one full run), in rounds of about
 * `roundMs` (default ROUND_MS) per side (repetitions sized for each side on its own from a timed run after one untimed),
 * alternating (see `alternate`). Returns ms per run and the median per-round ratio a / b.
 */
export function timePair(aOnce: () => void, bOnce: () => void, roundMs = ROUND_MS, opts: AlternateOptions = {}): Alternation {
  // The sizing runs count against the report's deadline too: a trial of 2 000 rows spent 1.0 s in them at load 10,
  // unchecked, and overran its budget by that much.
  const repsFor = (fn: () => void): number => {
    checkDeadline();
    fn();
    checkDeadline();
    const t0 = performance.now();
    fn();
    return Math.max(1, Math.min(MAX_REPS, Math.ceil(roundMs / Math.max(performance.now() - t0, 0.01))));
  };
  const round = (fn: () => void, reps: number) => (): number => {
    const t0 = performance.now();
    for (let r = 0; r < reps; r++) fn();
    return (performance.now() - t0) / reps;
  };
  return alternate(round(aOnce, repsFor(aOnce)), round(bOnce, repsFor(bOnce)), opts);
}

/** A tensor of ones of `shape` and `dtype` on `backend`. */
export function onesOn(backend: BackendName, shape: readonly number[], dtype: string): Tensor {
  const b = getBackendImpl(backend);
  const n = shape.reduce((p, d) => p * d, 1);
  const dt = dtype === 'int32' ? 'int32' : 'float32';
  const host = dt === 'int32' ? new Int32Array(n).fill(1) : new Float32Array(n).fill(1);
  return wrap(b, b.upload(host, dt), shape, dt);
}

/**
 * Measures, on this machine and backend, what the batch-loop rewrite changes: k calls of
 * `op(x, i)` on a tensor of `shape` against the one broadcast call with its `arange` (median of
 * alternating rounds, see `alternate`), each in a tidy scope as the user's code runs. Loops whose batched result would exceed 2^24 elements, or whose
 * calls would take over 20 ms per round, are timed on fewer calls and both figures scaled linearly to k. Null when the backend is a GPU or fails.
 * Cached per op, backend, dtype, shape and k for the life of the process (`cachedMeasure`).
 */
export function measureBatch(op: BinaryOp, backend: string, shape: readonly number[], dtype: string, k: number): BatchTimes | null {
  if (isGpu(backend) || k < 2) return null;
  const n = Math.max(1, shape.reduce((p, d) => p * d, 1));
  return cachedMeasure(batchCache, `${op}|${backend}|${dtype}|${shape.join('x')}|${k}`, () =>
    detached(() => {
      const b = getBackendImpl(backend as BackendName);
      const onDefault = getDefaultBackend() === b;
      const x = onesOn(backend as BackendName, shape, dtype);
      // A probe call bounds the trial to about TRIAL_BUDGET_MS per round on slow backends.
      binaryOp(op, x, 1).dispose();
      const t0 = performance.now();
      binaryOp(op, x, 1).dispose();
      const perCall = performance.now() - t0;
      const kt = Math.max(2, Math.min(k, Math.floor(MAX_TRIAL_ELEMENTS / n), Math.floor(TRIAL_BUDGET_MS / Math.max(perCall, 1e-4))));
      // As the user's code runs (and the corpus bench times it): every result of the loop stays alive
      // until the loop's tidy scope ends; the batched op, its views and arange are freed the same way.
      // Rounds of about ROUND_MS each side, sized from one timed run of each (a single probe call is too
      // close to the timer's resolution); the batched side is sized on its own: one broadcast op over 1e3
      // elements takes ~30 µs, and rounds of a few of those measured timer jitter and stray collections.
      const batchedOnce = (): void => tidy(() => {
        // The rewrite's own `cp.arange` (its front-end cost counts for small loops) when it lands on this backend.
        const offsets = onDefault ? arange(kt) : wrap(b, b.upload(Int32Array.from({ length: kt }, (_, i) => i), 'int32'), [kt], 'int32');
        // One offset per row of the new leading axis, size 1 along each of x's axes, as the rewrite writes it (batch-rewrite.ts).
        const rows = shape.length === 0 ? offsets : shape.length === 1 ? unsqueeze(offsets, 1) : reshape(offsets, [kt, ...shape.map(() => 1)]);
        binaryOp(op, unsqueeze(x, 0), rows);
      });
      const loopOnce = (): void => tidy(() => { for (let i = 0; i < kt; i++) binaryOp(op, x, i); });
      const repsFor = (fn: () => void): number => {
        const t0 = performance.now();
        fn();
        return Math.max(1, Math.min(MAX_REPS, Math.ceil(ROUND_MS / Math.max(performance.now() - t0, 0.01))));
      };
      const loopReps = repsFor(loopOnce), batchedReps = repsFor(batchedOnce);
      const round = (fn: () => void, reps: number) => (): number => {
        const t0 = performance.now();
        for (let r = 0; r < reps; r++) fn();
        return (performance.now() - t0) / reps;
      };
      const loop = round(loopOnce, loopReps), batched = round(batchedOnce, batchedReps);
      try {
        const t = alternate(loop, batched);
        const scale = k / kt;
        return { loopMs: t.a * scale, batchedMs: t.b * scale, timedCalls: kt, ratio: t.ratio };
      } finally {
        x.dispose();
      }
    }));
}

/** Times of `mean` + `std` (or `var`) against one `moments`, ms, measured with the profiler detached. */
export interface MomentsTimes {
  readonly pairMs: number;
  readonly momentsMs: number;
  /**
   * When the figure was measured, ms since the epoch, where it was not timed for this report: read from the
   * per-machine file or kept from an earlier report of this process (timing-budget.ts); absent where timed now.
   */
  readonly measuredAtMs?: number;
}

/**
 * Measures mean + `spread` against moments (plus the sqrt std needs) on a tensor of `shape`,
 * median of alternating rounds (see `alternate`). Null for GPU backends or on failure. Cached per
 * process like the others (`cachedMeasure`).
 */
export function measureMoments(spread: 'std' | 'var', backend: string, shape: readonly number[], dtype: string): MomentsTimes | null {
  if (isGpu(backend)) return null;
  return cachedMeasure(momentsCache, `${spread}|${backend}|${dtype}|${shape.join('x')}`, () =>
    detached(() => {
      const x = onesOn(backend as BackendName, shape, dtype);
      const probe = performance.now();
      tidy(() => { mean(x); std(x); });
      const reps = Math.max(1, Math.min(MAX_REPS, Math.ceil(ROUND_MS / Math.max(performance.now() - probe, 0.05))));
      const pair = (): number => {
        const t0 = performance.now();
        for (let r = 0; r < reps; r++) tidy(() => { mean(x); if (spread === 'std') std(x); else variance(x); });
        return (performance.now() - t0) / reps;
      };
      const one = (): number => {
        const t0 = performance.now();
        for (let r = 0; r < reps; r++) tidy(() => { const m = moments(x); if (spread === 'std') sqrt(m.variance); });
        return (performance.now() - t0) / reps;
      };
      try {
        const t = alternate(pair, one);
        return { pairMs: t.a, momentsMs: t.b };
      } finally {
        x.dispose();
      }
    }));
}
