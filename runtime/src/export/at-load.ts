/**
 * One-time work done before the recording's origin (compiling the wasm kernels, warming up the ops
 * when profiling is first enabled): the text report lists it among its one-time costs, but the flame
 * model — a timeline from the recording's start — has no slice for it. The timeline exports add it
 * back, so their one-time events sum to the report's one-time total: what a report row counts beyond
 * the flame's one-time slices of the same name ran at load. The report keeps totals per name, not
 * when each ran, so each such row becomes one event, placed in the report's order right before the
 * recording (the real gap between them is not kept).
 */
import { SliceKind } from '../contract/flame.js';
import type { ExportInput } from './types.js';

/** A one-time cost (by name) that ran before the recording. */
export interface AtLoadCost {
  /** The report row's name, e.g. "compile wasm kernels (simd, eager)". */
  readonly name: string;
  /** Times it ran before the recording. */
  readonly count: number;
  /** Its time before the recording, µs. */
  readonly us: number;
}

/** Name of the folded stacks' frame above the at-load costs, and of their track where one is named. */
export const AT_LOAD_FRAME = 'one-time at load (before the recording)';

/** The report's one-time costs that the flame model's timeline does not hold, in the report's order. */
export function atLoadCosts(input: ExportInput): AtLoadCost[] {
  const s = input.flame.slices, inFlame = new Map<string, { count: number; us: number }>();
  for (let i = 0; i < s.name.length; i++) {
    if (s.kind[i] !== SliceKind.OneTime) continue;
    const name = input.flame.strings[s.name[i]!]!, seen = inFlame.get(name) ?? { count: 0, us: 0 };
    seen.count++; seen.us += s.duration[i]!;
    inFlame.set(name, seen);
  }
  const out: AtLoadCost[] = [];
  for (const row of input.report.oneTimeCosts ?? []) {
    const seen = inFlame.get(row.name) ?? { count: 0, us: 0 };
    if (row.count > seen.count) out.push({ name: row.name, count: row.count - seen.count, us: Math.max(0, row.totalMs * 1000 - seen.us) });
  }
  return out;
}

/** Their total, µs: how far the timeline exports move the recording to place them before it. */
export function atLoadUs(costs: readonly AtLoadCost[]): number {
  return costs.reduce((t, c) => t + c.us, 0);
}
