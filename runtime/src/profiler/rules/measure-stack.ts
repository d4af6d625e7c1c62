/**
 * Measured input of the tiny-ops rule: k calls of an elementwise op on k small tensors of one
 * shape, each its own dispatch, against the rewrite the rule shows — `op(stack(rows))`, one stack
 * and one dispatch — on the site's backend, profiler detached, alternating rounds (measure.ts
 * `timePair`). Cached per op, shape, k and backend for the life of the process.
 */
import type { BinaryOp, UnaryOp } from '../../backends/backend.js';
import { getBackendImpl, isBackendReady } from '../../engine.js';
import { tidy } from '../../memory.js';
import { binaryOp } from '../../ops/binary.js';
import { stack } from '../../ops/join.js';
import { unaryOp } from '../../ops/unary.js';
import type { Tensor } from '../../tensor.js';
import type { BackendName } from '../../types.js';
import { cachedMeasure, detached, onesOn, timePair } from './measure.js';
import { CHAIN_BINARY, CHAIN_UNARY } from './measure-jit.js';

/** Loop of single calls against stack + one call, ms, and their per-round ratio. */
export interface StackTimes {
  readonly loopMs: number;
  readonly stackedMs: number;
  /** loopMs / stackedMs as the median of per-round ratios. */
  readonly ratio: number;
  /** Rows timed: k, or MAX_ROWS for longer loops (both times are for this many rows). */
  readonly rows: number;
}

const cache = new Map<string, StackTimes | null>();
/** Most rows one trial makes and times. */
const MAX_ROWS = 2000;

/**
 * Times `k` calls of `op` (with a scalar operand for binary ops, 2, or with `pair` the row itself
 * as both operands, as `op(row, otherRow)` costs) on `k` tensors of `shape`
 * against `op(stack(those k))` — or, with `stacked` (the program stacks the k results anyway, so
 * the rewrite moves that stack before the op instead of adding one), against `op` on the stack alone. Null for ops other than the elementwise ones the jit rule lists,
 * GPU or unready backends, and failures. Loops over MAX_ROWS are timed on MAX_ROWS rows (the ratio
 * then leans low: the stacked call's fixed cost is shared by fewer rows).
 */
export function measureStack(op: string, backend: string, shape: readonly number[], dtype: string, k: number, stacked: boolean, pair = false): StackTimes | null {
  const key = `${op}|${backend}|${dtype}|${shape.join('x')}|${k}|${stacked}|${pair}`;
  return cachedMeasure(cache, key, () => {
    const unary = CHAIN_UNARY.has(op);
    if (!(unary || CHAIN_BINARY.has(op)) || k < 2 || !isBackendReady(backend as BackendName) || getBackendImpl(backend as BackendName).device === 'gpu') return null;
    return detached(() => {
      const rows = Array.from({ length: Math.min(k, MAX_ROWS) }, () => onesOn(backend as BackendName, shape, dtype));
      const apply = (t: Tensor): Tensor => (unary ? unaryOp(op as UnaryOp, t) : binaryOp(op as BinaryOp, t, pair ? t : 2));
      const all = stacked ? stack(rows) : null;
      try {
        const t = timePair(
          () => tidy(() => { for (const r of rows) apply(r); }),
          () => tidy(() => { apply(all ?? stack(rows)); }),
        );
        return { loopMs: t.a, stackedMs: t.b, ratio: t.ratio, rows: rows.length };
      } finally {
        for (const r of rows) r.dispose();
        all?.dispose();
      }
    });
  });
}
