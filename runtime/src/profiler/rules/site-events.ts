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
    // Consecutive events of a loop mostly share their shape arrays' contents: compare before stringifying.
    const out = new Set<string>();
    let last: readonly (readonly number[])[] | null = null;
    for (const e of group) {
      if (last !== null && sameShapes(e.inputShapes, last)) continue;
      out.add(JSON.stringify(e.inputShapes));
      last = e.inputShapes;
    }
    keys = out;
    shapeKeys.set(group, keys);
  }
  return keys;
}

const sameShapes = (a: readonly (readonly number[])[], b: readonly (readonly number[])[]): boolean =>
  a.length === b.length && a.every((s, i) => s.length === b[i]!.length && s.every((d, j) => d === b[i]![j]));

const facts = new WeakMap<object, Map<string, unknown>>();

/**
 * `compute(of)` for `of` (a group from {@link siteEvents}, or a profile's event array), computed once
 * per `name`: what a rule derives from every event of a group it derives again in the report's
 * second pass otherwise.
 */
export function memoFact<T>(of: readonly ProfileEvent[], name: string, compute: (of: readonly ProfileEvent[]) => T): T {
  let byName = facts.get(of);
  if (!byName) { byName = new Map(); facts.set(of, byName); }
  if (!byName.has(name)) byName.set(name, compute(of));
  return byName.get(name) as T;
}
