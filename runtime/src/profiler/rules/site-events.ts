/**
 * The retained events of one call site and op, grouped once per profile: the rules look them up per
 * site (batch-loop, tiny-ops, fresh-reads, gpu-crossover) and run twice per report (timing-budget.ts),
 * and a filter over every event per site and pass cost ~0.5 s of a report at 1e5 events. Events are
 * indexes into the profile's rule columns (rule-columns.ts), not records.
 */
import type { RuleColumns } from '../rule-columns.js';

/** Indexes of events in a {@link RuleColumns}, oldest first (read-only by contract). */
export type EventGroup = Int32Array;

const groups = new WeakMap<RuleColumns, Map<string, EventGroup>>();
const shapeKeys = new WeakMap<EventGroup, ReadonlySet<string>>();
const NONE: EventGroup = new Int32Array(0);

/** Events of `events` from call site `site` running `op`, oldest first. */
export function siteEvents(events: RuleColumns, site: number, op: string): EventGroup {
  let bySite = groups.get(events);
  if (!bySite) bySite = groupEvents(events);
  return bySite.get(`${site}|${op}`) ?? NONE;
}

/** Every (site, op) group of `events`, keyed `site|op` (what {@link siteEvents} looks up). */
export function siteGroups(events: RuleColumns): ReadonlyMap<string, EventGroup> {
  return groups.get(events) ?? groupEvents(events);
}

/**
 * Every (site, op) group, as typed arrays: the events are counted per group, then placed (two passes,
 * no growing array of 1e6 numbers). Op names, not indexes, key the groups (names may repeat).
 */
function groupEvents(events: RuleColumns): Map<string, EventGroup> {
  const { names, length: n } = events;
  const canon = new Map<string, number>(), opOf = names.map((name, i) => (canon.has(name) ? canon.get(name)! : (canon.set(name, i), i)));
  const keyIds = new Map<number, Map<number, number>>(), keys: string[] = [], counts: number[] = [];
  const which = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const s = events.site[i]!, o = opOf[events.op[i]!]!;
    let byOp = keyIds.get(s);
    if (!byOp) { byOp = new Map(); keyIds.set(s, byOp); }
    let k = byOp.get(o);
    if (k === undefined) { k = keys.length; byOp.set(o, k); keys.push(`${s}|${names[o]}`); counts.push(0); }
    counts[k]!++;
    which[i] = k;
  }
  const lists = counts.map((c) => new Int32Array(c)), fill = new Array<number>(keys.length).fill(0);
  for (let i = 0; i < n; i++) { const k = which[i]!; lists[k]![fill[k]!++] = i; }
  const bySite = new Map(keys.map((key, k) => [key, lists[k]!]));
  groups.set(events, bySite);
  return bySite;
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
