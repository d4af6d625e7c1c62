/**
 * GC pauses set against the recorded ops: how much of the op time was the JS engine collecting
 * garbage (gc-pauses.ts says why that happens inside ops). Pure given the snapshot.
 */
import type { GcPauseSummary } from '../contract/report.js';
import { pauseOverlapMs, type GcPause } from './gc-pauses.js';
import { ruleColumnsOf, type RuleColumns } from './rule-columns.js';
import type { ProfileData } from './types.js';

/** The snapshot's retained events as columns (the report's own, or converted from records). */
const columnsOf = (data: ProfileData): RuleColumns => data.ruleColumns ?? ruleColumnsOf(data.events);

/**
 * Pause time inside event `i` of `cols`, ms; 0 for events of other threads (their heaps pause on
 * their own, unobserved here). `thread` is the snapshotting thread's id.
 */
export function gcInEventMs(cols: RuleColumns, pauses: readonly GcPause[], thread: number, i: number): number {
  return pauses.length === 0 || cols.thread[i] !== thread ? 0 : pauseOverlapMs(pauses, cols.startMs[i]!, cols.endMs[i]!);
}

const summaries = new WeakMap<ProfileData, GcPauseSummary>();

/** Count, total and in-op time of the snapshot's GC pauses, ms (computed once per snapshot). */
export function gcPausesInOps(data: ProfileData): GcPauseSummary {
  const known = summaries.get(data);
  if (known) return known;
  const pauses = data.gcPauses ?? [];
  const totalMs = pauses.reduce((t, p) => t + (p.endMs - p.startMs), 0);
  let inOpsMs = 0;
  if (pauses.length > 0) {
    const cols = columnsOf(data), thread = data.threads[0] ?? 0;
    for (let i = 0; i < cols.length; i++) inOpsMs += gcInEventMs(cols, pauses, thread, i);
  }
  const summary = { count: pauses.length, totalMs, inOpsMs };
  summaries.set(data, summary);
  return summary;
}
