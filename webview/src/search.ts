/**
 * Search: a case-insensitive regular expression over frame labels. Matching runs once per
 * distinct label (not per frame), and the reported total counts each matched subtree once so
 * nested matches (e.g. /add/ on `add` inside `train/add`) are not double counted. Pure.
 */
import type { FlameLayout } from './layout.js';
import { KIND_GPU } from './model.js';

/** A compiled query, or why it could not be compiled. */
export type Query = { ok: true; re: RegExp | null } | { ok: false; error: string };

/** Compiles user text; empty text means "no search". */
export function compileQuery(text: string): Query {
  if (text.trim() === '') return { ok: true, re: null };
  try {
    return { ok: true, re: new RegExp(text, 'i') };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}

/** Result of matching a query against a layout. */
export interface SearchResult {
  /** Per frame: 1 = label matches. */
  readonly match: Uint8Array;
  /** Number of matching frames. */
  readonly frames: number;
  /** Time under matching frames, µs, each nested match counted once; GPU track excluded. */
  readonly totalUs: number;
}

/** Matches every frame label against `re`. */
export function searchLayout(L: FlameLayout, strings: readonly string[], re: RegExp): SearchResult {
  const byName = new Int8Array(strings.length).fill(-1);
  const match = new Uint8Array(L.n);
  // covered[f] = some ancestor of f matched; parents precede children in every layout.
  const covered = new Uint8Array(L.n);
  let frames = 0, totalUs = 0;
  for (let f = 0; f < L.n; f++) {
    const s = L.name[f];
    if (byName[s] === -1) byName[s] = re.test(strings[s]) ? 1 : 0;
    const p = L.parent[f];
    if (p >= 0) covered[f] = covered[p] | match[p];
    if (byName[s] === 1) {
      match[f] = 1;
      frames++;
      if (covered[f] === 0 && L.kind[f] !== KIND_GPU) totalUs += L.w[f];
    }
  }
  return { match, frames, totalUs };
}
