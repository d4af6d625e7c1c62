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
 */
export function measureJit(links: readonly ChainLink[], reduce: string, backend: string, shape: readonly number[], dtype: string, runs = 1): JitTimes | null {
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
