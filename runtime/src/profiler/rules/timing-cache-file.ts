/**
 * The rules' measurements kept on disk, per machine, so that a later run's report reuses what an
 * earlier one timed instead of paying the warm-ups again (a trial takes 0.3–1.8 s; see measure.ts).
 *
 * One JSON file, `$COREPY_TIMINGS_CACHE`, else `$XDG_CACHE_HOME/corepy/rule-timings.json`, else
 * `~/.cache/corepy/rule-timings.json`; `COREPY_TIMINGS_CACHE=off` keeps measurements in the process only.
 * The file names the corepy version, the CPU model and core count, and the V8 version it was
 * measured with: a file from any other combination, a corrupt one, one over MAX_FILE_BYTES or
 * entries that are not plain records of finite numbers are ignored (and replaced at the next
 * write), never an error; entries older than a day (MAX_AGE_MS) are measured again, and so is one the
 * rule finds does not fit the run it reports on (timing-budget.ts `FITS`). Writes go to a temporary file renamed over the old one, so a crash
 * mid-write leaves the old file; failures to write are ignored (the figures stay in the process).
 */
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { cpus, homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { VERSION } from '../version.js';

/** Largest file read, bytes: MAX_ENTRIES small records fit in well under this. */
const MAX_FILE_BYTES = 1 << 20;
/** Most entries kept; the oldest go first. */
const MAX_ENTRIES = 2000;
/** Layout of the file; bumped when the entries' meaning changes (2: entries carry when they were measured). */
const FORMAT = 2;
/**
 * Oldest entry reused, ms (one day): a trial is one moment of this machine — taken under a passing
 * load it would otherwise be carried into every later report (seen: a 1.2× figure from a busy moment
 * reused where fresh trials gave 1.6–2.2×). Re-timing costs a report about a second once a day.
 */
export const MAX_AGE_MS = 24 * 3600 * 1000;

/** A measurement as stored: its numeric fields (ms, ratios, counts). */
export type StoredTiming = Readonly<Record<string, number>>;

interface FileShape {
  readonly format: number;
  readonly machine: string;
  readonly entries: Record<string, StoredTiming>;
  /** When each entry was measured, ms since the epoch. */
  readonly measuredAt: Record<string, number>;
}

/** When each entry read or written by this process was measured (kept across rewrites), ms since the epoch. */
const measuredAt = new Map<string, number>();

/** When the entry `key` read or written by this process was measured, ms since the epoch; undefined if neither. */
export function measuredAtOf(key: string): number | undefined {
  return measuredAt.get(key);
}

/**
 * Records that this process measured `key` (again) at `nowMs`: a stored figure found not to fit a run and
 * timed again is written with the new time, not the one it replaced.
 */
export function noteMeasured(key: string, nowMs = Date.now()): void {
  measuredAt.set(key, nowMs);
}

/** What a file must say to be reused here: corepy version, CPU model and cores, V8 version. */
export function machineKey(): string {
  const cpu = cpus();
  return `corepy ${VERSION} | ${cpu[0]?.model.trim() ?? 'unknown CPU'} ×${cpu.length} | v8 ${process.versions.v8}`;
}

/** The file in use, or null when persistence is off. */
export function timingsCachePath(env: Readonly<Record<string, string | undefined>> = process.env): string | null {
  const set = env['COREPY_TIMINGS_CACHE'];
  if (set !== undefined && set !== '') return set === 'off' ? null : set;
  const base = env['XDG_CACHE_HOME'] || join(homedir(), '.cache');
  return join(base, 'corepy', 'rule-timings.json');
}

const isTiming = (v: unknown): v is StoredTiming =>
  typeof v === 'object' && v !== null && !Array.isArray(v) &&
  Object.values(v).every((x) => typeof x === 'number' && Number.isFinite(x));

/**
 * The entries of `path` measured on this machine and version within MAX_AGE_MS of `nowMs`; empty when
 * absent, foreign or corrupt.
 */
export function readTimings(path: string, nowMs = Date.now()): Map<string, StoredTiming> {
  const out = new Map<string, StoredTiming>();
  try {
    if (statSync(path).size > MAX_FILE_BYTES) return out;
    const file = JSON.parse(readFileSync(path, 'utf8')) as Partial<FileShape>;
    if (file?.format !== FORMAT || file.machine !== machineKey() || typeof file.entries !== 'object' || file.entries === null) return out;
    const ages = typeof file.measuredAt === 'object' && file.measuredAt !== null ? file.measuredAt : {};
    for (const [k, v] of Object.entries(file.entries)) {
      const at = Object.hasOwn(ages, k) ? ages[k] : undefined;
      // Entries from the future (a clock set back) are as unknown as old ones.
      if (!isTiming(v) || typeof at !== 'number' || !(nowMs - at <= MAX_AGE_MS && at <= nowMs)) continue;
      out.set(k, v);
      measuredAt.set(k, at);
    }
  } catch {
    // Absent, unreadable or not JSON: nothing to reuse.
  }
  return out;
}

/**
 * Writes `entries` (the newest MAX_ENTRIES) to `path`, each with when it was measured (read from the
 * file, else `nowMs`: measured in this process); false when it could not.
 */
export function writeTimings(path: string, entries: ReadonlyMap<string, StoredTiming>, nowMs = Date.now()): boolean {
  const kept = [...entries].slice(-MAX_ENTRIES);
  // A null prototype: keys are built from user-chosen shapes and names, and `__proto__` must stay a key.
  const record: Record<string, StoredTiming> = Object.create(null) as Record<string, StoredTiming>;
  const ages: Record<string, number> = Object.create(null) as Record<string, number>;
  for (const [k, v] of kept) {
    record[k] = v;
    if (!measuredAt.has(k)) measuredAt.set(k, nowMs);
    ages[k] = measuredAt.get(k)!;
  }
  const body: FileShape = { format: FORMAT, machine: machineKey(), entries: record, measuredAt: ages };
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(tmp, JSON.stringify(body));
    renameSync(tmp, path);
    return true;
  } catch {
    return false;
  }
}
