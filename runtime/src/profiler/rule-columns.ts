/**
 * The retained events as the recommendation rules read them: typed-array columns with the fields
 * the rules use (op, backend, dtype, call site, thread, times, elements, input ids, shapes), no
 * object per event. A report at 1e6 events spent most of its time building one ProfileEvent per
 * event for the rules (6.3 s of a json export); the recorder fills these straight from its ring
 * (ring.ts `toRuleColumns`), and {@link ruleColumnsOf} converts records (merged worker data, tests).
 *
 * Shapes are interned as lists: `shapeLists[inShapes[i]]` equals the record's `inputShapes` (the
 * present input shapes, first two inputs) and `shapeLists[outShapes[i]]` its `outputShapes`, so a
 * rule reading them gives the same output as from records. Units as in types.ts (ms).
 */
import type { ProfileEvent } from './types.js';

/** Retained events for the rules, oldest first, one entry per index in every array. */
export interface RuleColumns {
  readonly length: number;
  /** Op, backend and dtype of each event: index into {@link names} ('' when the dtype is unknown). */
  readonly op: Int32Array;
  readonly backend: Int32Array;
  readonly dtype: Int32Array;
  /** Index into ProfileData.sites, or -1. */
  readonly site: Int32Array;
  /** Worker thread id (0 = main thread). */
  readonly thread: Int32Array;
  /** The user's call stack: node id in ProfileData.stacks, or -1 (none captured); for the report's call lines. */
  readonly stack: Int32Array;
  /** Ids of the first two tensor inputs (Tensor.id), -1 when absent. */
  readonly in0: Int32Array;
  readonly in1: Int32Array;
  /** Start and end, ms. */
  readonly startMs: Float64Array;
  readonly endMs: Float64Array;
  /** Elements of all inputs. */
  readonly elements: Float64Array;
  /** Input and output shape lists: index into {@link shapeLists}. */
  readonly inShapes: Int32Array;
  readonly outShapes: Int32Array;
  /** Distinct shape lists (read-only by contract; equal lists share one entry). */
  readonly shapeLists: readonly (readonly (readonly number[])[])[];
  /** Names referenced by index; an index's name may repeat under another index (compare names, not indexes). */
  readonly names: readonly string[];
}

/** Empty columns for `n` events, to be filled in; `intern` adds a shape list and answers its index. */
export function allocRuleColumns(n: number, names: readonly string[]): { columns: RuleColumns; intern: (list: number[][]) => number } {
  const shapeLists: number[][][] = [], ids = new Map<string, number>();
  const intern = (list: number[][]): number => {
    const key = JSON.stringify(list);
    let k = ids.get(key);
    if (k === undefined) { k = shapeLists.length; shapeLists.push(list); ids.set(key, k); }
    return k;
  };
  const columns: RuleColumns = {
    length: n, op: new Int32Array(n), backend: new Int32Array(n), dtype: new Int32Array(n), site: new Int32Array(n), thread: new Int32Array(n), stack: new Int32Array(n),
    in0: new Int32Array(n), in1: new Int32Array(n), startMs: new Float64Array(n), endMs: new Float64Array(n), elements: new Float64Array(n),
    inShapes: new Int32Array(n), outShapes: new Int32Array(n), shapeLists, names,
  };
  return { columns, intern };
}

const converted = new WeakMap<readonly ProfileEvent[], RuleColumns>();

/** Rule columns of event records (converted once per array). */
export function ruleColumnsOf(events: readonly ProfileEvent[]): RuleColumns {
  const done = converted.get(events);
  if (done) return done;
  const names: string[] = [], ids = new Map<string, number>();
  const id = (s: string): number => {
    let k = ids.get(s);
    if (k === undefined) { k = names.length; names.push(s); ids.set(s, k); }
    return k;
  };
  const { columns: c, intern } = allocRuleColumns(events.length, names);
  let lastIn: unknown = null, lastOut: unknown = null, inId = 0, outId = 0;
  events.forEach((e, i) => {
    c.op[i] = id(e.op); c.backend[i] = id(e.backend); c.dtype[i] = id(e.dtype); c.site[i] = e.site; c.thread[i] = e.thread; c.stack[i] = e.stack ?? -1;
    c.in0[i] = e.inputIds[0] ?? -1; c.in1[i] = e.inputIds[1] ?? -1;
    c.startMs[i] = e.startMs; c.endMs[i] = e.endMs; c.elements[i] = e.elements;
    if (e.inputShapes !== lastIn) { inId = intern(e.inputShapes); lastIn = e.inputShapes; }
    if (e.outputShapes !== lastOut) { outId = intern(e.outputShapes); lastOut = e.outputShapes; }
    c.inShapes[i] = inId; c.outShapes[i] = outId;
  });
  converted.set(events, c);
  return c;
}

/** The input shapes of event `i` (as a record's `inputShapes`). */
export const inputShapesAt = (c: RuleColumns, i: number): readonly (readonly number[])[] => c.shapeLists[c.inShapes[i]!]!;
/** The output shapes of event `i` (as a record's `outputShapes`). */
export const outputShapesAt = (c: RuleColumns, i: number): readonly (readonly number[])[] => c.shapeLists[c.outShapes[i]!]!;
/** Op name of event `i`. */
export const opAt = (c: RuleColumns, i: number): string => c.names[c.op[i]!]!;
/** Backend name of event `i`. */
export const backendAt = (c: RuleColumns, i: number): string => c.names[c.backend[i]!]!;
/** dtype of event `i`, '' when unknown. */
export const dtypeAt = (c: RuleColumns, i: number): string => c.names[c.dtype[i]!] ?? '';
