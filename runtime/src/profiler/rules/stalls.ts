/**
 * Stalled calls: what the machine, not the op, took. On a busy machine the process is descheduled now
 * and then, and the op running at that moment reads 17–85 ms where the calls around it took 0.01 ms
 * (audit 24 N6, audit 29). A saving taken from a site's total carries those stalls: a loop of 450
 * `x.mul(2)` on [1000] read "≈4.0×, HIGH" in one run and ≈1.05× in another, its 3.5 ms of steady
 * calls 419 ms with four stalls in them. The rules reason on steady-state figures (issue 14): a saving
 * taken from op time leaves the stalls out, of the site and of the total it is a share of, wherever they
 * landed. A call is stalled when it took STALL_RATIO times the calls around it at its site (of its input
 * shape; {@link stallExcess}) and STALL_MIN_MS more (../../stall.ts, shared with the first touch of wasm memory). A call is
 * judged on its recorded time, a GC pause inside it included: Node delivers a collection's entry only after the
 * event loop turns (gc-pauses.ts), so `cp.profileReport()` inside a synchronous script saw none of them and the
 * report at exit saw them all, and judged on GC-free times the one run gave two sets of findings (audit 33 #2:
 * the chain 3296 ms in the script's report, 3482 ms in the final one, 463 ms of GC in ops). A call a pause made
 * STALL_RATIO times the calls around it is left out either way, as batch-loop leaves GC pauses out of its savings;
 * the views say which part was the machine's (site-stalls.ts). A site's first call is judged against the op's
 * calls of its shape at every site ({@link firstCallExcess}): over them, it is the machine's or a one-time cost,
 * and no rewrite removes either. Pure.
 */
import type { RuleColumns } from '../rule-columns.js';
import { siteGroups, type EventGroup } from './site-events.js';
import { ms } from './types.js';
import { STALL_MIN_MS, stallOverMs } from '../../stall.js';

/** Calls each side of a call whose median it is judged against. */
export const STALL_WINDOW = 4;

const medianOf = (xs: Float64Array): number => (xs.length ? Float64Array.from(xs).sort()[xs.length >> 1]! : 0);

/**
 * Per call of `d` (one site's calls of one input shape, in order, ms): what it took over the
 * calls around it when it stalled, else 0. "The calls around it" is the lower of the median of its STALL_WINDOW
 * neighbours each side and the median of all the calls but the first: at load 15 the machine stalls several calls
 * in a row, and the neighbours' median alone then read them as the loop's own (a 450-call loop kept 60 ms of
 * stalls over 4 ms of steady calls). Only calls of STALL_MIN_MS or more are judged (no other can be).
 */
export function stallExcess(d: Float64Array): Float64Array {
  const out = new Float64Array(d.length);
  if (d.length < 2) return out;
  let whole = -1;
  for (let j = 1; j < d.length; j++) {
    if (d[j]! <= STALL_MIN_MS) continue;
    if (whole < 0) whole = medianOf(d.subarray(1));
    const around = Math.min(whole, medianOf(d.subarray(Math.max(0, j - STALL_WINDOW), Math.min(d.length, j + STALL_WINDOW + 1))));
    out[j] = stallOverMs(d[j]!, around);
  }
  return out;
}

const excessByColumns = new WeakMap<RuleColumns, Float64Array>();

/**
 * Per retained event of `cols`, its stall excess (ms; {@link stallExcess} over its site and op's calls of one
 * input shape, and {@link firstCallExcess}), 0 for the others. The figures depend on the events alone, so every
 * report of the same events gives the same ones. Once per profile: every rule that leaves stalls out reads the
 * same figures.
 */
export function stallsByEvent(cols: RuleColumns): Float64Array {
  let out = excessByColumns.get(cols);
  if (out) return out;
  out = new Float64Array(cols.length);
  // Each site's first call of each input shape, for firstCallExcess.
  const firsts: number[] = [];
  for (const site of siteGroups(cols).values()) {
    // One input shape at a time: a site whose calls alternate [10] and [1e6] has two steady times, not one.
    const byShape = new Map<number, number[]>();
    for (const e of site) {
      const list = byShape.get(cols.inShapes[e]!);
      if (list) list.push(e); else byShape.set(cols.inShapes[e]!, [e]);
    }
    for (const group of byShape.values()) {
      firsts.push(group[0]!);
      const d = new Float64Array(group.length);
      let long = false;
      group.forEach((e, j) => { d[j] = cols.endMs[e]! - cols.startMs[e]!; long ||= j > 0 && d[j]! > STALL_MIN_MS; });
      if (!long) continue;
      const x = stallExcess(d);
      group.forEach((e, j) => { out![e] = x[j]!; });
    }
  }
  firstCallExcess(cols, firsts, out);
  excessByColumns.set(cols, out);
  return out;
}

/**
 * Each site's first call (of each input shape), judged against the op's other calls of that shape at every site
 * (their median), into `out`. Its site has no earlier call to judge it by, but the op often has: audit 33 #2's
 * `const x = cp.randn([256, 256])` took 172 ms once where the next line's randn of that shape took 2 ms, 44 % of
 * the run's op time, and every share of op time fell under its rule's threshold (no recommendation at all in that
 * run; MEDIUM tiny-ops, or HIGH jit-chain, in the next ones). Whether the machine stalled or the first call of a
 * shape paid a one-time cost, it is not the op's steady speed and no rewrite removes it. An op × shape with no
 * other call keeps its only call's time.
 */
function firstCallExcess(cols: RuleColumns, firsts: readonly number[], out: Float64Array): void {
  // One number per op × backend × dtype × input shapes: op, backend and dtype index one `names` table (a name may
  // repeat in it: the first index of each), shape lists their own.
  const canon = new Map<string, number>(), nameOf = cols.names.map((name, i) => (canon.has(name) ? canon.get(name)! : (canon.set(name, i), i)));
  const n = cols.names.length, shapes = cols.shapeLists.length;
  const keyOf = (e: number): number => ((nameOf[cols.op[e]!]! * n + nameOf[cols.backend[e]!]!) * n + nameOf[cols.dtype[e]!]!) * shapes + cols.inShapes[e]!;
  const took = (e: number): number => cols.endMs[e]! - cols.startMs[e]!;
  // Only the op × shapes of first calls long enough to judge: one pass over the events, collecting those alone.
  const judged = firsts.filter((e) => took(e) > STALL_MIN_MS);
  if (judged.length === 0) return;
  const byOpShape = new Map<number, number[]>(judged.map((e) => [keyOf(e), []]));
  for (let e = 0; e < cols.length; e++) byOpShape.get(keyOf(e))?.push(e);
  const medians = new Map<number, Float64Array>();
  for (const e of judged) {
    const dMs = took(e);
    const key = keyOf(e), all = byOpShape.get(key)!;
    if (all.length < 2) continue;
    let sorted = medians.get(key);
    if (!sorted) medians.set(key, (sorted = Float64Array.from(all, took).sort()));
    // The median of the others: of all the calls, less this one (a call above the median moves it down by at most one place).
    const others = all.length - 1, mid = others >> 1;
    const lo = sorted[mid]!, hi = sorted[Math.min(all.length - 1, mid + 1)]!;
    const around = dMs >= hi ? lo : dMs <= lo ? hi : dMs;
    out[e] = Math.max(out[e]!, stallOverMs(dMs, around));
  }
}

/** Stalled calls among `events` (indexes into `cols`) and their excess over the calls around them, ms. */
export interface Stalls {
  readonly stalls: number;
  readonly stallMs: number;
}

/** The stalls among the events of `group` (a site's, or any subset of the retained events). */
export function stallsIn(cols: RuleColumns, group: EventGroup | readonly number[]): Stalls {
  const x = stallsByEvent(cols);
  let stalls = 0, stallMs = 0;
  for (const e of group) if (x[e]! > 0) { stalls++; stallMs += x[e]!; }
  return { stalls, stallMs };
}

const totals = new WeakMap<Float64Array, Stalls>();

/** The stalls among every retained event: what to leave out of the op time a saving is a share of. */
export function stallsInOps(cols: RuleColumns): Stalls {
  const x = stallsByEvent(cols);
  let t = totals.get(x);
  if (!t) {
    let stalls = 0, stallMs = 0;
    for (let e = 0; e < x.length; e++) if (x[e]! > 0) { stalls++; stallMs += x[e]!; }
    totals.set(x, (t = { stalls, stallMs }));
  }
  return t;
}

/** How a basis says what was left out: "4 stalled calls, 410 ms over the calls around them"; '' for none. */
export function stallsText(s: Stalls): string {
  return s.stalls === 0 ? '' : `${s.stalls} stalled call${s.stalls > 1 ? 's' : ''}, ${s.stallMs >= 100 ? s.stallMs.toFixed(0) : s.stallMs.toFixed(2)} ms over the calls around ${s.stalls > 1 ? 'them' : 'it'}`;
}

/** A group's time and the op time it is a share of, both without stalls, as a recommendation states and uses them. */
export interface SteadyShare {
  /** The group's time without the stalls among its calls, ms. */
  readonly ms: number;
  /** The profile's op time without every stall, ms (at least `ms`). */
  readonly opMs: number;
  /** ms ÷ opMs (0 when there is no op time). */
  readonly share: number;
  /** The stalls among the group's calls, and among every call. */
  readonly own: Stalls;
  readonly all: Stalls;
}

/**
 * The steady time of `group` (a site's retained events, or any subset), `groupMs` its time as recorded (every
 * call, ms), over `totalOpMs` the profile's op time: the figures a description quotes must be the ones its
 * estimate uses, or "214 ms, 89% of op time" stands next to "≈1.6×" (audit 32).
 */
export function steadyShare(cols: RuleColumns, group: EventGroup | readonly number[], groupMs: number, totalOpMs: number): SteadyShare {
  const own = stallsIn(cols, group), all = stallsInOps(cols);
  const ms = Math.max(0, groupMs - own.stallMs), opMs = Math.max(ms, totalOpMs - all.stallMs);
  return { ms, opMs, share: opMs > 0 ? ms / opMs : 0, own, all };
}

/**
 * How a description states a time and its share of op time, the figures its estimate uses: "8.81 ms, 39% of op
 * time", then ", stalled calls left out" (`leftOut` names what the figures leave out; '' for nothing).
 */
export function shareText(timeMs: number, opMs: number, leftOut: string): string {
  return `${ms(timeMs)} ms, ${(opMs > 0 ? (100 * timeMs) / opMs : 0).toFixed(0)}% of op time${leftOut ? `, ${leftOut} left out` : ''}`;
}
