/**
 * The retained events of one call site and op, grouped once per profile: the rules look them up per
 * site (batch-loop, tiny-ops, fresh-reads, gpu-crossover) and run twice per report (timing-budget.ts),
 * and a filter over every event per site and pass cost ~0.5 s of a report at 1e5 events.
 */
import type { ProfileEvent } from '../types.js';

const groups = new WeakMap<readonly ProfileEvent[], Map<string, ProfileEvent[]>>();
const shapeKeys = new WeakMap<readonly ProfileEvent[], ReadonlySet<string>>();
const NONE: readonly ProfileEvent[] = [];

/** Events of `events` from call site `site` running `op`, oldest first. */
export function siteEvents(events: readonly ProfileEvent[], site: number, op: string): readonly ProfileEvent[] {
  let bySite = groups.get(events);
  if (!bySite) {
    bySite = new Map();
    for (const e of events) {
      const key = `${e.site}|${e.op}`;
      const list = bySite.get(key);
      if (list) list.push(e); else bySite.set(key, [e]);
    }
    groups.set(events, bySite);
  }
  return bySite.get(`${site}|${op}`) ?? NONE;
}

/** The distinct input shapes (all operands, as JSON) of a group from {@link siteEvents}. */
export function inputShapeKeys(group: readonly ProfileEvent[]): ReadonlySet<string> {
  let keys = shapeKeys.get(group);
  if (!keys) {
    keys = new Set(group.map((e) => JSON.stringify(e.inputShapes)));
    shapeKeys.set(group, keys);
  }
  return keys;
}
