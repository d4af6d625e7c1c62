/**
 * Measured input of the jit rule: a chain of elementwise ops ending in a whole-tensor reduction,
 * run eagerly against the same chain under `cp.jit` (one fused kernel), on a tensor of the
 * site's shape and dtype on the site's backend, profiler detached, in alternating rounds
 * (measure.ts `alternate`: median of per-round ratios). Cached per chain, shape and backend.
 */
import type { BinaryOp, UnaryOp } from '../../backends/backend.js';
import { getBackendImpl, isBackendReady } from '../../engine.js';
import { jit } from '../../jit/jit.js';
import { tidy } from '../../memory.js';
import { binaryOp } from '../../ops/binary.js';
import { max, mean, min, sum } from '../../ops/reduce.js';
import { dataSync } from '../../ops/transfer.js';
import { unaryOp } from '../../ops/unary.js';
import type { Tensor } from '../../tensor.js';
import type { BackendName } from '../../types.js';
import { cachedMeasure, detached, onesOn, timePair } from './measure.js';

/** One link of a chain: an elementwise op and what its second operand was (a number, the chain's tensor, or none). */
export interface ChainLink {
  readonly op: string;
  readonly operand: 'scalar' | 'tensor' | 'none';
}

/** Elementwise ops the measured chain can contain. */
export const CHAIN_BINARY: ReadonlySet<string> = new Set(['add', 'sub', 'mul', 'div', 'maximum', 'minimum']);
export const CHAIN_UNARY: ReadonlySet<string> = new Set(['neg', 'abs', 'exp', 'log', 'sqrt', 'tanh', 'sigmoid', 'relu']);
/** Reductions that end a chain (cp.jit fuses them as the group's epilogue). */
export const CHAIN_REDUCE = { sum, mean, min, max } as const;

/** Eager and jitted times of one chain, ms per run of it, and their per-round ratio. */
export interface JitTimes {
  readonly eagerMs: number;
  readonly jitMs: number;
  /** eager / jit, median of per-round ratios. */
  readonly ratio: number;
  /**
   * When the figure was measured, ms since the epoch, where it was not timed for this report: read from the
   * per-machine file or kept from an earlier report of this process (timing-budget.ts); absent where timed now.
   */
  readonly measuredAtMs?: number;
}

/**
 * The range of (stored trial's eager time) / (this profile's median time of one eager run of the chain) in
 * which a trial an earlier process stored is reused; outside it timing-budget.ts times the chain again.
 * Fresh trials on this machine (37 profiles of five chains on 1e4–1e6 elements, load 1.9–9.1) came to
 * 0.33–1.19× the profile's chain time in 31 — the profile's runs carry the profiler's per-op cost and a
 * script's colder caches, most on small tensors (1e4: 0.33–0.96×; 1e6: 0.73–1.13×) — and 2.1–5.6× in 5
 * taken during bursts of load (one of them estimated 9.7× where the others of its chain gave 1.4–4.3×);
 * one profile at load 8.7, its chain 4× its usual time, 0.25×. The stored trial of audit 25 was about 5× (eager
 * 8.46 ms against 1.5–1.7 ms a run, from a busy moment) and claimed 2.0× where the fix measured 1.37×.
 * Above 2× the trial is from a busier moment than the run; below a fifth the run was the busy one, and a
 * trial timed then would be no better, so that bound is looser.
 */
export const TRIAL_FITS = { below: 0.2, above: 2 } as const;

/**
 * Whether a stored trial `t` still describes a profile whose median eager run of the chain took
 * `observedMs` (ms; undefined or not positive: nothing to compare with, reused).
 */
export function jitTrialFits(t: Pick<JitTimes, 'eagerMs'>, observedMs: number | undefined): boolean {
  if (observedMs === undefined || !(observedMs > 0) || !(t.eagerMs > 0)) return true;
  const q = t.eagerMs / observedMs;
  return q >= TRIAL_FITS.below && q <= TRIAL_FITS.above;
}

const cache = new Map<string, JitTimes | null>();

/** Most elements the eager side of one trial scope keeps alive (its intermediates), 32 MB of float32. */
const MAX_LIVE_ELEMENTS = 1 << 23;

/**
 * The runs per scope to ask {@link measureJit} for, for a chain of `links` on `shape` that the profile
 * ran `runs` times: that many, but no more than keep MAX_LIVE_ELEMENTS of intermediates alive (so a
 * long loop's trials share one measurement: the rules' timings are cached by their arguments). Not
 * rounded: the ratio depends on whether the intermediates still fit the caches (8 runs of the corpus's
 * chain on 1e5 elements timed 2.5–2.7×, 10 runs 3.6–3.7×, its script of 10 runs 3.1–4.0×).
 */
export function jitTrialRuns(runs: number, links: number, shape: readonly number[]): number {
  const n = Math.max(1, shape.reduce((p, d) => p * d, 1));
  return Math.max(1, Math.min(Math.floor(runs), Math.floor(MAX_LIVE_ELEMENTS / ((links + 1) * n))));
}

/**
 * Times `links` then `reduce` (over every axis) on a tensor of ones of `shape`, eagerly and under
 * cp.jit; null when an op is outside the chain set, the backend is not a ready CPU backend, or
 * anything fails. Scalar operands are 0.5 (the cost of an elementwise op does not depend on it).
 * Each timed scope runs the chain `runs` times (see {@link jitTrialRuns}), its intermediates alive
 * until the scope ends, as a script's loop keeps them: one run per scope reused the same cache-hot
 * blocks every time and timed the eager chain at 1.8–2.1× the jitted one where the corpus script
 * measures 3.1–4.0× (ten runs per scope, as its script runs them: 3.6–3.7×).
 * `_observedMs` (the profile's median chain time, ms) is for the timing budget's check of a stored
 * figure ({@link jitTrialFits}); it does not change what is measured.
 */
export function measureJit(links: readonly ChainLink[], reduce: string, backend: string, shape: readonly number[], dtype: string, runs = 1,
  _observedMs?: number): JitTimes | null {
  const k = jitTrialRuns(runs, links.length, shape);
  const key = `${links.map((l) => `${l.op}:${l.operand}`).join(',')}>${reduce}|${backend}|${dtype}|${shape.join('x')}|${k}`;
  return cachedMeasure(cache, key, () => {
    const red = (CHAIN_REDUCE as Record<string, ((x: Tensor) => Tensor) | undefined>)[reduce];
    const ok = red && links.every((l) => (l.operand === 'none' ? CHAIN_UNARY : CHAIN_BINARY).has(l.op));
    if (!ok || !isBackendReady(backend as BackendName) || getBackendImpl(backend as BackendName).device === 'gpu') return null;
    return detached(() => {
      const x = onesOn(backend as BackendName, shape, dtype);
      try {
        const chain = (t: Tensor): Tensor => {
          let y = t;
          for (const l of links) y = l.operand === 'none' ? unaryOp(l.op as UnaryOp, y) : binaryOp(l.op as BinaryOp, y, l.operand === 'tensor' ? t : 0.5);
          return red(y);
        };
        const fused = jit(chain, { name: 'jit-rule probe', warn: false });
        const eagerOnce = (): void => tidy(() => { for (let i = 0; i < k; i++) dataSync(chain(x)); });
        const jitOnce = (): void => tidy(() => { for (let i = 0; i < k; i++) dataSync(fused(x)); });
        const t = timePair(eagerOnce, jitOnce);
        return { eagerMs: t.a / k, jitMs: t.b / k, ratio: t.ratio };
      } finally {
        x.dispose();
      }
    });
  });
}
