/**
 * The retained events of one call site and op, grouped once per profile: the rules look them up per
 * site (batch-loop, tiny-ops, fresh-reads, gpu-crossover) and run twice per report (timing-budget.ts),
 * and a filter over every event per site and pass cost ~0.5 s of a report at 1e5 events. Events are
 * indexes into the profile's rule columns (rule-columns.ts), not records.
 */
import type { RuleColumns } from '../rule-columns.js';

/** Indexes of events in a {@link RuleColumns}, oldest first. */
export type EventGroup = readonly number[];

const groups = new WeakMap<RuleColumns, Map<number, Map<string, number[]>>>();
const shapeKeys = new WeakMap<EventGroup, ReadonlySet<string>>();
const NONE: EventGroup = [];

/** Events of `events` from call site `site` running `op`, oldest first. */
export function siteEvents(events: RuleColumns, site: number, op: string): EventGroup {
  let bySite = groups.get(events);
  if (!bySite) {
    bySite = new Map();
    const { names } = events;
    for (let i = 0; i < events.length; i++) {
      const s = events.site[i]!, name = names[events.op[i]!]!;
      let byOp = bySite.get(s);
      if (!byOp) { byOp = new Map(); bySite.set(s, byOp); }
      const list = byOp.get(name);
      if (list) list.push(i); else byOp.set(name, [i]);
    }
    groups.set(events, bySite);
  }
  return bySite.get(site)?.get(op) ?? NONE;
}

/** The distinct input shapes (all operands, as JSON) of a group from {@link siteEvents}. */
export function inputShapeKeys(events: RuleColumns, group: EventGroup): ReadonlySet<string> {
  let keys = shapeKeys.get(group);
  if (!keys) {
    // Equal shape lists share one interned index: stringify each distinct index once.
    const out = new Set<string>(), seen = new Set<number>();
    for (const i of group) {
      const k = events.inShapes[i]!;
      if (seen.has(k)) continue;
      seen.add(k);
      out.add(JSON.stringify(events.shapeLists[k]));
    }
    keys = out;
    shapeKeys.set(group, keys);
  }
  return keys;
}

const facts = new WeakMap<object, Map<string, unknown>>();

/**
 * `compute(of)` for `of` (a group from {@link siteEvents}, or a profile's rule columns), computed once
 * per `name`: what a rule derives from every event of a group it derives again in the report's
 * second pass otherwise.
 */
export function memoFact<O extends object, T>(of: O, name: string, compute: (of: O) => T): T {
  let byName = facts.get(of);
  if (!byName) { byName = new Map(); facts.set(of, byName); }
  if (!byName.has(name)) byName.set(name, compute(of));
  return byName.get(name) as T;
}
