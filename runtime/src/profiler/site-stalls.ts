/**
 * Each call-site row's stalls (the report's SiteOpStats.stallMs): how much of the site's recorded op time
 * was the machine stalling, not the op. The editor's lens and hover quote a line's recorded time and say
 * how much of it stalled, where the recommendations leave stalls out of their figures (audit 33 #5: a read
 * whose steady calls took 0.01 ms read "120 ms · 27 % of op time" in its lens, 118 ms of it stalls).
 * The figures are the rules' own (rules/stalls.ts stallsByEvent, computed once per profile), so a lens and
 * a recommendation count the same stalls, less any GC pause inside a stalled call: the rules leave such a call out
 * whether or not its pause was seen yet, but the pause is the program's collecting, which the report's GC line
 * states, not the machine's. Pure.
 */
import type { SiteOpStats } from '../contract/report.js';
import { gcInEventMs } from './gc-in-ops.js';
import { ruleColumnsOf } from './rule-columns.js';
import { stallsByEvent } from './rules/stalls.js';
import type { ProfileData } from './types.js';

/**
 * `sites` (rows of `data`'s aggregate, keyed by op and site) with `stallMs` on those whose retained calls
 * stalled; the rows unchanged when `data` retained no events.
 */
export function withSiteStalls(sites: readonly SiteOpStats[], data: ProfileData): SiteOpStats[] {
  const cols = data.ruleColumns ?? (data.events.length > 0 ? ruleColumnsOf(data.events) : null);
  if (cols === null || cols.length === 0) return [...sites];
  const excess = stallsByEvent(cols);
  const bySite = new Map<string, number>();
  const pauses = data.gcPauses ?? [], thread = data.threads[0] ?? 0;
  for (let e = 0; e < cols.length; e++) {
    const x = excess[e]! > 0 ? excess[e]! - gcInEventMs(cols, pauses, thread, e) : 0;
    if (!(x > 0)) continue;
    const key = `${cols.names[cols.op[e]!]}\u0000${cols.site[e]}`;
    bySite.set(key, (bySite.get(key) ?? 0) + x);
  }
  if (bySite.size === 0) return [...sites];
  return sites.map((s) => {
    const stallMs = bySite.get(`${s.op}\u0000${s.site}`);
    // Never more than the row's time: the row counts every call, the ring only the retained ones.
    return stallMs === undefined ? s : { ...s, stallMs: Math.min(stallMs, s.totalMs) };
  });
}
