/**
 * The JS engine's garbage-collection pauses while profiling is on, from the runtime's own
 * `PerformanceObserver` 'gc' entries (Node; browsers have no such entry type and record none).
 *
 * Why: a pause that lands inside an op is time the user waited in that op, so op times keep it,
 * but it is not the op's speed. Growing wasm memory raises V8's external-memory count, and the
 * incremental marking that starts then finishes at the next stack guard — inside whatever op runs
 * next: in the seed's Example 3 one `add` of 100 took 9 ms where the others took 0.02 ms. The
 * report says how much of the op time was such pauses, and the recommendation rules leave them
 * out of what a rewrite saves (batching a loop does not remove a pause caused by memory growth).
 */

/** One pause, ms on the `performance.now()` clock. */
export interface GcPause {
  readonly startMs: number;
  readonly endMs: number;
}

/** Most pauses kept (a long run collects forever: older ones are dropped). */
const MAX_KEPT = 10_000;
const pauses: GcPause[] = [];
let observer: { takeRecords(): { startTime: number; duration: number }[]; disconnect(): void } | null = null;

interface ObserverCtor {
  new (cb: (list: { getEntries(): { startTime: number; duration: number }[] }) => void): { observe(o: { entryTypes: string[] }): void; takeRecords(): { startTime: number; duration: number }[]; disconnect(): void };
  readonly supportedEntryTypes?: readonly string[];
}

function keep(entries: readonly { startTime: number; duration: number }[]): void {
  for (const e of entries) {
    if (pauses.length >= MAX_KEPT) pauses.shift();
    pauses.push({ startMs: e.startTime, endMs: e.startTime + e.duration });
  }
}

/**
 * Starts observing GC pauses (idempotent; a no-op where the 'gc' entry type does not exist). The observer
 * stays for the process: pauses while profiling is paused are kept too (the report counts those since
 * the last clearProfile; only pauses inside recorded ops are set against op time).
 */
export function startGcPauses(): void {
  if (observer) return;
  const Ctor = (globalThis as { PerformanceObserver?: ObserverCtor }).PerformanceObserver;
  if (!Ctor || !Ctor.supportedEntryTypes?.includes('gc')) return;
  const o = new Ctor((list) => keep(list.getEntries()));
  o.observe({ entryTypes: ['gc'] });
  observer = o;
}

/** Forgets the pauses seen so far (clearProfile). */
export function clearGcPauses(): void {
  observer?.takeRecords();
  pauses.length = 0;
}

/**
 * The pauses seen so far, oldest first; null where none can be seen (no 'gc' entries: browsers). Node
 * queues each entry for delivery after the event loop turns, so a report taken synchronously right
 * after a pause does not see that one yet (the CLI's and the editor's reports are taken at exit, after it).
 */
export function gcPauses(): GcPause[] | null {
  if (!observer) return null;
  keep(observer.takeRecords());
  return pauses.slice();
}

/**
 * Time of `sorted` pauses inside [startMs, endMs], ms. `sorted` by start; pauses do not overlap
 * each other (V8 pauses the thread once at a time).
 */
export function pauseOverlapMs(sorted: readonly GcPause[], startMs: number, endMs: number): number {
  let lo = 0, hi = sorted.length;
  // First pause ending after startMs: pauses are sorted and disjoint, so ends are sorted too.
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]!.endMs <= startMs) lo = mid + 1; else hi = mid;
  }
  let ms = 0;
  for (let i = lo; i < sorted.length && sorted[i]!.startMs < endMs; i++) {
    ms += Math.min(endMs, sorted[i]!.endMs) - Math.max(startMs, sorted[i]!.startMs);
  }
  return ms;
}
