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

/** Eager and jitted times of one chain, ms per call, and their per-round ratio. */
export interface JitTimes {
  readonly eagerMs: number;
  readonly jitMs: number;
  /** eager / jit, median of per-round ratios. */
  readonly ratio: number;
}

const cache = new Map<string, JitTimes | null>();

/**
 * Times `links` then `reduce` (over every axis) on a tensor of ones of `shape`, eagerly and under
 * cp.jit; null when an op is outside the chain set, the backend is not a ready CPU backend, or
 * anything fails. Scalar operands are 0.5 (the cost of an elementwise op does not depend on it).
 */
export function measureJit(links: readonly ChainLink[], reduce: string, backend: string, shape: readonly number[], dtype: string): JitTimes | null {
  const key = `${links.map((l) => `${l.op}:${l.operand}`).join(',')}>${reduce}|${backend}|${dtype}|${shape.join('x')}`;
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
        const eagerOnce = (): void => tidy(() => { dataSync(chain(x)); });
        const jitOnce = (): void => tidy(() => { dataSync(fused(x)); });
        const t = timePair(eagerOnce, jitOnce);
        return { eagerMs: t.a, jitMs: t.b, ratio: t.ratio };
      } finally {
        x.dispose();
      }
    });
  });
}
