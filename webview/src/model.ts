/**
 * Step 1 of model → layout → render: validate a FlameProfile that arrived as untrusted JSON and
 * derive what every view needs (self time, interned call paths). Pure; no DOM.
 */
import { SliceKind } from 'corepy/contract';
import type { FlameProfile } from './protocol.js';

/** Slice kinds of the contract's flame model, under the names this folder uses. */
export const KIND_CONTEXT = SliceKind.Context;
export const KIND_GPU = SliceKind.Gpu;
/** A function of the user's call stack or a @profiled one (also the gap and idle slices, which have no location). */
export const KIND_FUNCTION = SliceKind.Function;
/** One-time work (kernel compilation, memory growth, GPU pipeline creation): never an op's time. */
export const KIND_ONE_TIME = SliceKind.OneTime;

/** A validated profile plus derived per-slice data. Times in µs, indices 0-based. */
export interface FlameData {
  readonly profile: FlameProfile;
  /** Number of slices. */
  readonly n: number;
  /** Self time per slice, µs: duration minus its non-GPU children's durations (≥ 0). */
  readonly self: Float64Array;
  /** Call-path id per slice: slices with the same stack of (name, kind) share an id. */
  readonly path: Int32Array;
  /** Per path id: parent path id (-1 at the root), name string index, kind. */
  readonly pathParent: Int32Array;
  readonly pathName: Int32Array;
  readonly pathKind: Int32Array;
  /** Distinct context (kind 0) names, sorted. */
  readonly contextNames: readonly string[];
}

export type ValidateResult = { ok: true; data: FlameData } | { ok: false; message: string };

const ARRAYS = ['name', 'kind', 'start', 'duration', 'depth', 'location', 'backend', 'parent'] as const;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

/** Checks shape, lengths and every index link; returns a message a user can act on. */
function check(p: unknown): string | null {
  if (!isRecord(p)) return 'The profile is not an object.';
  if (p.version !== 1) return `Unsupported profile version ${String(p.version)} (expected 1).`;
  if (!Array.isArray(p.strings) || !p.strings.every((s) => typeof s === 'string'))
    return 'profile.strings must be an array of strings.';
  if (!Array.isArray(p.locations)) return 'profile.locations must be an array.';
  for (const loc of p.locations as unknown[]) {
    if (!isRecord(loc) || typeof loc.file !== 'string' || !Number.isFinite(loc.line) || !Number.isFinite(loc.column))
      return 'profile.locations has an entry without file/line/column.';
  }
  if (!isRecord(p.slices)) return 'profile.slices is missing.';
  const s = p.slices;
  let n = -1;
  for (const k of ARRAYS) {
    const a = s[k];
    if (!Array.isArray(a)) return `profile.slices.${k} must be an array.`;
    if (n === -1) n = a.length;
    else if (a.length !== n) return `profile.slices.${k} has ${a.length} entries, expected ${n}.`;
  }
  if (typeof p.totalUs !== 'number' || !Number.isFinite(p.totalUs)) return 'profile.totalUs must be a number.';
  const nStr = p.strings.length;
  const nLoc = p.locations.length;
  const [name, kind, start, dur, depth, loc, backend, parent] = ARRAYS.map((k) => s[k] as unknown[]);
  for (let i = 0; i < n; i++) {
    const nm = name[i], k = kind[i], st = start[i], d = dur[i], dp = depth[i], l = loc[i], b = backend[i], pa = parent[i];
    if (!Number.isInteger(nm) || (nm as number) < 0 || (nm as number) >= nStr) return `Slice ${i}: bad name index.`;
    if (!Number.isInteger(k) || (k as number) < 0 || (k as number) > 4) return `Slice ${i}: bad kind.`;
    if (typeof st !== 'number' || !Number.isFinite(st) || typeof d !== 'number' || !Number.isFinite(d) || d < 0)
      return `Slice ${i}: bad start/duration.`;
    if (!Number.isInteger(dp) || (dp as number) < 0) return `Slice ${i}: bad depth.`;
    if (!Number.isInteger(l) || (l as number) < -1 || (l as number) >= nLoc) return `Slice ${i}: bad location index.`;
    if (!Number.isInteger(b) || (b as number) < -1 || (b as number) >= nStr) return `Slice ${i}: bad backend index.`;
    // Parents precede children (slices are sorted by start, depth), which also rules out cycles.
    if (!Number.isInteger(pa) || (pa as number) < -1 || (pa as number) >= i) return `Slice ${i}: bad parent index.`;
  }
  if (n === 0) return 'The profile is empty: no slices were recorded. Enable profiling and run some ops.';
  return null;
}

/** Validates untrusted input and derives {@link FlameData}. Never throws. */
export function buildFlameData(input: unknown): ValidateResult {
  const message = check(input);
  if (message !== null) return { ok: false, message };
  const profile = input as FlameProfile;
  const s = profile.slices;
  const n = s.name.length;
  const self = new Float64Array(n);
  for (let i = 0; i < n; i++) self[i] = s.duration[i];
  for (let i = 0; i < n; i++) {
    const p = s.parent[i];
    // GPU slices run asynchronously on their own track: they do not eat their op's CPU time.
    if (p >= 0 && s.kind[i] !== KIND_GPU) self[p] -= s.duration[i];
  }
  for (let i = 0; i < n; i++) if (self[i] < 0) self[i] = 0;

  // Intern call paths with a numeric key (parent path, name, kind): no string per slice.
  const path = new Int32Array(n);
  const ids = new Map<number, number>();
  const pp: number[] = [], pn: number[] = [], pk: number[] = [];
  const nStr = profile.strings.length;
  for (let i = 0; i < n; i++) {
    const parentPath = s.parent[i] >= 0 ? path[s.parent[i]] : -1;
    const key = ((parentPath + 1) * nStr + s.name[i]) * 8 + s.kind[i];
    let id = ids.get(key);
    if (id === undefined) {
      id = pp.length;
      ids.set(key, id);
      pp.push(parentPath); pn.push(s.name[i]); pk.push(s.kind[i]);
    }
    path[i] = id;
  }
  const ctx = new Set<string>();
  for (let i = 0; i < n; i++) if (s.kind[i] === KIND_CONTEXT) ctx.add(profile.strings[s.name[i]]);
  return {
    ok: true,
    data: {
      profile, n, self, path,
      pathParent: Int32Array.from(pp), pathName: Int32Array.from(pn), pathKind: Int32Array.from(pk),
      contextNames: [...ctx].sort(),
    },
  };
}

/**
 * Marks the slices shown under a context filter: slices inside (or being) a context slice
 * named `context`. Returns null when no filter applies (all slices included).
 */
export function includeMask(data: FlameData, context: string | null): Uint8Array | null {
  if (context === null) return null;
  const s = data.profile.slices;
  const mask = new Uint8Array(data.n);
  for (let i = 0; i < data.n; i++) {
    const p = s.parent[i];
    const own = s.kind[i] === KIND_CONTEXT && data.profile.strings[s.name[i]] === context;
    mask[i] = own || (p >= 0 && mask[p] === 1) ? 1 : 0;
  }
  return mask;
}

/** Stable cross-profile key of a call path: names and kinds joined, root first. */
export function pathKey(data: FlameData, pathId: number): string {
  const parts: string[] = [];
  for (let p = pathId; p >= 0; p = data.pathParent[p]) parts.push(`${data.pathKind[p]}:${data.profile.strings[data.pathName[p]]}`);
  return parts.reverse().join('\u001f');
}
