/**
 * GC pauses set against the recorded ops: how much of the op time was the JS engine collecting
 * garbage (gc-pauses.ts says why that happens inside ops). Pure given the snapshot.
 */
import type { GcPauseSummary } from '../contract/report.js';
import { pauseOverlapMs, type GcPause } from './gc-pauses.js';
import { ruleColumnsOf } from './rule-columns.js';
import type { ProfileData } from './types.js';

/** What an event's pause time needs: its thread, start and end (rule columns and timeline columns both have them). */
export interface EventTimes {
  readonly length: number;
  readonly thread: Int32Array;
  readonly startMs: Float64Array;
  readonly endMs: Float64Array;
}

/**
 * The snapshot's retained events in whichever form it holds them (rule columns, timeline columns or
 * records); null when it holds none (a cells-only snapshot: a CSV export, the live batches).
 */
function eventTimesOf(data: ProfileData): EventTimes | null {
  if (data.ruleColumns) return data.ruleColumns;
  if (data.columns) return data.columns.events;
  return data.events.length > 0 ? ruleColumnsOf(data.events) : null;
}

/**
 * Pause time inside event `i` of `cols`, ms; 0 for events of other threads (their heaps pause on
 * their own, unobserved here). `thread` is the snapshotting thread's id.
 */
export function gcInEventMs(cols: EventTimes, pauses: readonly GcPause[], thread: number, i: number): number {
  return pauses.length === 0 || cols.thread[i] !== thread ? 0 : pauseOverlapMs(pauses, cols.startMs[i]!, cols.endMs[i]!);
}

const summaries = new WeakMap<ProfileData, GcPauseSummary | null>();

/**
 * Count, total and in-op time of the snapshot's GC pauses, ms (computed once per snapshot); null where
 * pauses cannot be observed (outside Node) or the snapshot holds no events to set them against, so
 * that no report says 0 ms where it could not look.
 */
export function gcPausesInOps(data: ProfileData): GcPauseSummary | null {
  const known = summaries.get(data);
  if (known !== undefined) return known;
  const pauses = data.gcPauses;
  // No pause to set against anything needs no events; pauses with no events to set them against say nothing.
  const events = pauses && pauses.length > 0 ? eventTimesOf(data) : null;
  if (!pauses || (pauses.length > 0 && !events)) {
    summaries.set(data, null);
    return null;
  }
  const totalMs = pauses.reduce((t, p) => t + (p.endMs - p.startMs), 0);
  let inOpsMs = 0;
  const thread = data.threads[0] ?? 0;
  for (let i = 0; events && i < events.length; i++) inOpsMs += gcInEventMs(events, pauses, thread, i);
  const summary = { count: pauses.length, totalMs, inOpsMs };
  summaries.set(data, summary);
  return summary;
}
