/**
 * Event-loop idle time between ops: what an `await` on a timer, I/O or another thread waited for.
 * The user's call stacks cannot tell it from the function's own work (a frame spans from one op to
 * the next with the same frames), so an async function that awaits in its loop showed the wait as
 * its self time. Node counts the time its event loop spends waiting in the poll phase
 * (`performance.nodeTiming.idleTime`, the counter `eventLoopUtilization().idle` reads: cumulative ms,
 * grows only while no JavaScript runs); the recorder reads it before an op that follows a long gap
 * and keeps what grew, sparse, for the flame model (user-frames.ts carves it out of the gap).
 *
 * Read only past {@link IDLE_GAP_MS}: a read costs ~70–150 ns, too much per op, and idle time needs
 * the loop to turn, which no shorter gap between two ops holds much of (see there).
 */
import type { IdleWait } from './types.js';

/**
 * Gap between an op's end and the next op's start from which the idle counter is read, ms. The
 * shortest timer wait (`setTimeout(…, 0)`, clamped to 1 ms) is longer, so every timer wait is
 * seen; an `await` of a settled promise runs as a microtask (no loop turn, no idle) in
 * microseconds. A read then costs at most ~0.03 % of the gap it measures. Idle time of a shorter gap
 * (an `await` of `setImmediate`: a loop turn with next to no wait) is not lost but counted at the
 * next read, capped to that gap by the flame model.
 */
export const IDLE_GAP_MS = 0.5;

/** Idle waits kept per recorder (oldest dropped first, as the event ring drops events): 256 KB. */
export const MAX_IDLE_WAITS = 16_384;

/** The event loop's cumulative idle time, ms, or null where none is kept (browsers, other runtimes). */
export function idleClock(): (() => number) | null {
  const timing = (globalThis.performance as { nodeTiming?: { idleTime?: unknown } } | undefined)?.nodeTiming;
  if (timing === undefined || typeof timing.idleTime !== 'number') return null;
  return () => timing.idleTime as number;
}

/** A recorder's idle waits: a ring of (reading time, idle ms since the previous reading), allocated on the first. */
export class IdleWaits {
  private readonly clock = idleClock();
  private last: number;
  private at: Float64Array | null = null;
  private ms: Float64Array | null = null;
  private written = 0;

  constructor() {
    this.last = this.clock === null ? 0 : this.clock();
  }

  /** Reads the idle counter at `atMs` (the clock before the op that follows a long gap) and keeps what grew. */
  read(atMs: number): void {
    if (this.clock === null) return;
    const idle = this.clock(), grown = idle - this.last;
    this.last = idle;
    if (grown <= 0) return;
    if (this.at === null) { this.at = new Float64Array(MAX_IDLE_WAITS); this.ms = new Float64Array(MAX_IDLE_WAITS); }
    const slot = this.written++ % MAX_IDLE_WAITS;
    this.at[slot] = atMs; this.ms![slot] = grown;
  }

  /** The retained waits, oldest first, of `thread`; undefined when none. */
  snapshot(thread: number): IdleWait[] | undefined {
    if (this.written === 0) return undefined;
    const out: IdleWait[] = [];
    for (let k = Math.max(0, this.written - MAX_IDLE_WAITS); k < this.written; k++) {
      const slot = k % MAX_IDLE_WAITS;
      out.push({ thread, atMs: this.at![slot]!, idleMs: this.ms![slot]! });
    }
    return out;
  }
}
