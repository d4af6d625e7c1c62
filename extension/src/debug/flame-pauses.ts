/**
 * The debugger's pauses taken out of a flame timeline. Debug and Profile runs the script under
 * VS Code's JavaScript debugger; time stopped at a breakpoint is not the script's (the wall time
 * shown leaves it out already), but the runtime's clock kept running, so its flame profile has a gap
 * the length of every pause: a 14 s pause drew a 0.7 s run as slivers at the edge and put ops at
 * "0.5 % of wall time". Pauses fall between ops (stepping never enters corepy), so op slices only
 * move earlier; function and context slices that span a pause shrink by it.
 */
import type { FlameProfile } from 'corepy/contract';

/** One pause in the flame's time base: its start, µs since the profile's start, and its length, µs. */
export interface FlamePause {
  readonly startUs: number;
  readonly durationUs: number;
}

/** `flame` with each pause's time removed from its timeline and its total. */
export function withoutPauses(flame: FlameProfile, pauses: readonly FlamePause[]): FlameProfile {
  if (pauses.length === 0) return flame;
  /** Paused µs between the profile's start and `t`. */
  const pausedBefore = (t: number): number => {
    let sum = 0;
    for (const p of pauses) sum += Math.min(Math.max(t - p.startUs, 0), p.durationUs);
    return sum;
  };
  const { start, duration } = flame.slices;
  const newStart = start.map((s) => s - pausedBefore(s));
  const newDuration = duration.map((d, i) => Math.max(0, start[i]! + d - pausedBefore(start[i]! + d) - newStart[i]!));
  return { ...flame, slices: { ...flame.slices, start: newStart, duration: newDuration }, totalUs: Math.max(0, flame.totalUs - pausedBefore(flame.totalUs)) };
}
