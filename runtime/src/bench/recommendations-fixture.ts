/**
 * A recommendation-corpus script as the benches see it (test/fixtures/recommendations/), and how
 * they compare two scripts' results: shared by the warm bench (recommendations.ts) and its cold
 * pairs (recommendations-cold.ts), so both check "the fix keeps the result" the same way.
 */
import { pathToFileURL } from 'node:url';
import * as cp from '../index.js';

/** What a corpus script exports. */
export interface Fixture {
  /** The rule its "before" is written for; null for a clean script (no rule may fire). */
  readonly rule?: string | null;
  /** Elements of the main tensor. */
  readonly size: number;
  /**
   * True for a cold pair: profiled and timed as a script runs once, each run in a fresh process
   * (recommendations-cold.ts), for rules whose cost a warm run has paid already.
   */
  readonly cold?: boolean;
  run(): unknown;
}

/** Imports a corpus script (its top level runs once per process). */
export const load = async (path: string): Promise<Fixture> => (await import(pathToFileURL(path).href)) as Fixture;

/** A run's result as plain JSON (tensors and typed arrays to arrays), for comparing before and after. */
export function plain(v: unknown): unknown {
  if (v instanceof cp.Tensor) return v.toArray();
  if (ArrayBuffer.isView(v)) return Array.from(v as Float32Array);
  if (Array.isArray(v)) return v.map(plain);
  return v;
}

/** Equal up to a relative 1e-4 (float32 reductions in another order). */
export function same(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a === b || Math.abs(a - b) <= 1e-4 * Math.max(1, Math.abs(a), Math.abs(b));
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => same(x, b[i]));
  return JSON.stringify(a) === JSON.stringify(b);
}
