/**
 * Measured input of the tiny-ops rule: k calls of an elementwise op on k small tensors of one
 * shape, each its own dispatch, against the rewrite the rule shows — `op(stack(rows))`, one stack
 * and one dispatch — on the site's backend, profiler detached, alternating rounds (measure.ts
 * `timePair`); and k row matmuls `row × W` ([a, d] × [d, m], one W) against one
 * `concat(rows) × W` ([k·a, d] × [d, m]). Cached per op, shapes, k and backend for the life of the process.
 */
import type { BinaryOp, UnaryOp } from '../../backends/backend.js';
import { getBackendImpl, isBackendReady } from '../../engine.js';
import { tidy } from '../../memory.js';
import { binaryOp } from '../../ops/binary.js';
import { concat, stack } from '../../ops/join.js';
import { matmul } from '../../ops/matmul.js';
import { sum } from '../../ops/reduce.js';
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
  /**
   * When the figure was measured, ms since the epoch, where it was not timed for this report: read from the
   * per-machine file or kept from an earlier report of this process (timing-budget.ts); absent where timed now.
   */
  readonly measuredAtMs?: number;
}

const cache = new Map<string, StackTimes | null>();
/**
 * Timed rounds per trial, ms (measure.ts `alternate`: at least 7 rounds): a third of the default. A per-sample loop has
 * several such sites (case study 4.1: five), each trial ~0.3 s at the default, and the report's timing budget held three,
 * so a first report counted the other sites as saving nothing (1.2–2.0× where all five give tens).
 */
const STACK_TIMED_MS = 100;
/** Each side's round, ms (default 20): the warm-up waits for 5 rounds without a 5 % gain, so shorter rounds settle it sooner. */
const STACK_ROUND_MS = 5;
/** Most rows one trial makes and times. */
const MAX_ROWS = 2000;

/**
 * Times `k` calls of `op` (with a scalar operand for binary ops, 2, or with `pair` the row itself
 * as both operands, as `op(row, otherRow)` costs) on `k` tensors of `shape`
 * against `op(stack(those k))` — or, with `stacked` (the batched program has the rows as one tensor
 * already: it stacks the k results anyway, so the rewrite moves that stack before the op, or the loop
 * makes each row, which the batched loop makes all at once), against `op` on the stacked rows alone.
 * With `other` (a shape), the second operand is a tensor of that shape: for an elementwise `pair`, one
 * per row, stacked too (`op(stack(rows), stack(others))` broadcasts as each call did, e.g. [8, 1] · [1, 1]);
 * for `matmul`, one matrix shared by every call: k calls of `row × W` ([a, d] × [d, m]) against one
 * `concat(rows) × W` ([k·a, d] × [d, m]), the rows joined along their first axis. Null for other ops
 * (elementwise: the ones the jit rule lists), GPU or unready backends, and failures. Loops over MAX_ROWS are
 * timed on MAX_ROWS rows (the ratio then leans low: the batched call's fixed cost is shared by fewer rows).
 * With `accumulate` (`add` only: each call adds a row to the previous call's result), see {@link measureAccumulate}.
 */
export function measureStack(op: string, backend: string, shape: readonly number[], dtype: string, k: number, stacked: boolean, pair = false,
  other: readonly number[] | null = null, accumulate = false): StackTimes | null {
  const key = `${op}|${backend}|${dtype}|${shape.join('x')}|${k}|${stacked}|${pair}|${other?.join('x') ?? ''}|${accumulate}`;
  if (accumulate) return cachedMeasure(cache, key, () => measureAccumulate(backend, shape, dtype, k, stacked));
  return cachedMeasure(cache, key, () => {
    const unary = CHAIN_UNARY.has(op), mm = op === 'matmul';
    if (!(unary || mm || CHAIN_BINARY.has(op)) || k < 2 || !isBackendReady(backend as BackendName) || getBackendImpl(backend as BackendName).device === 'gpu') return null;
    if (mm && !(other && shape.length === 2 && other.length === 2 && shape[1] === other[0])) return null;
    return detached(() => {
      const n = Math.min(k, MAX_ROWS);
      const rows = Array.from({ length: n }, () => onesOn(backend as BackendName, shape, dtype));
      // matmul: the one shared matrix; a pair with its own shape: one second operand per row.
      const matrix = mm ? onesOn(backend as BackendName, other!, dtype) : null;
      const others = !mm && pair && other ? Array.from({ length: n }, () => onesOn(backend as BackendName, other, dtype)) : null;
      const apply = (t: Tensor, u: Tensor | null): Tensor => (unary ? unaryOp(op as UnaryOp, t) : mm ? matmul(t, matrix!) : binaryOp(op as BinaryOp, t, u ?? (pair ? t : 2)));
      const joined = (): Tensor => (mm ? concat(rows, 0) : stack(rows));
      const all = stacked ? joined() : null, allOthers = stacked && others ? stack(others) : null;
      try {
        const t = timePair(
          () => tidy(() => { for (let i = 0; i < n; i++) apply(rows[i]!, others?.[i] ?? null); }),
          () => tidy(() => { apply(all ?? joined(), allOthers ?? (others ? stack(others) : null)); }),
          STACK_ROUND_MS, { timedMs: STACK_TIMED_MS },
        );
        return { loopMs: t.a, stackedMs: t.b, ratio: t.ratio, rows: n };
      } finally {
        for (const r of rows) r.dispose();
        for (const r of others ?? []) r.dispose();
        matrix?.dispose();
        all?.dispose();
        allOthers?.dispose();
      }
    });
  });
}

/**
 * A sum accumulated one row at a time, `acc = acc.add(row)` k times, against `acc.add(sum(rows, 0))`: the rows summed in one
 * reduction (with `stacked`, on rows the batched program has as one tensor already; else their stack is timed too). Null on
 * GPU or unready backends and failures.
 */
function measureAccumulate(backend: string, shape: readonly number[], dtype: string, k: number, stacked: boolean): StackTimes | null {
  if (k < 2 || !isBackendReady(backend as BackendName) || getBackendImpl(backend as BackendName).device === 'gpu') return null;
  return detached(() => {
    const n = Math.min(k, MAX_ROWS);
    const rows = Array.from({ length: n }, () => onesOn(backend as BackendName, shape, dtype));
    const start = onesOn(backend as BackendName, shape, dtype);
    const all = stacked ? stack(rows) : null;
    try {
      const t = timePair(
        () => tidy(() => { let acc = start; for (const r of rows) acc = binaryOp('add', acc, r); }),
        () => tidy(() => { binaryOp('add', start, sum(all ?? stack(rows), 0)); }),
        STACK_ROUND_MS, { timedMs: STACK_TIMED_MS },
      );
      return { loopMs: t.a, stackedMs: t.b, ratio: t.ratio, rows: n };
    } finally {
      for (const r of rows) r.dispose();
      start.dispose();
      all?.dispose();
    }
  });
}
