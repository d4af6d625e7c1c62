/**
 * Cold pairs of the recommendations bench (recommendations.ts): a fixture that exports `cold = true`
 * is checked as a script runs once, not warm. Some rules estimate costs that only a first run pays
 * (undisposed-tensors: memory growth and first touch of new pages while a loop leaks), and the warm
 * bench's runs, each in its own tidy scope after a warm-up, have paid them already.
 *
 * For a cold pair: one fresh process imports "before" (its top level makes the data and calls the
 * kernels once, outside the profile), calls `cp.enableProfiling()` (default options, as a user
 * would), runs `run()` once with no tidy scope around it, and reports the pair's rule's
 * recommendation; its quick fix is applied to the source (NAME.applied.mts, removed afterwards) or,
 * without one, the hand-written NAME.after.mts is used. Then `rounds` fresh processes per side,
 * alternating which goes first, time `run()` with the profiler off; measured = median before ÷
 * median after, per run of the bench. Every process's result must equal the profiled one.
 *
 * Each fresh process runs this file with COREPY_COLD_CHILD set (see `child`), under the same
 * Node options as the bench (tsx: the fixtures import runtime/src).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as cp from '../index.js';
import type { Fix } from '../contract/recommendation.js';
import { applyFixes } from '../profiler/rules/ast.js';
import type { CorpusPair } from '../profiler/rules/corpus.js';
import { load, plain, same, type Fixture } from './recommendations-fixture.js';
import { median } from './timing.js';

type Mode = 'profiled' | 'timed';

/** What one fresh process prints as its last line (JSON). */
interface ChildReport {
  /** Wall time of the script's one `run()`, ms. */
  readonly runMs: number;
  readonly result: unknown;
  /** Profiled mode: the rules that fired, and the pair's rule's recommendation if it did. */
  readonly fired?: readonly string[];
  readonly rec?: { readonly estimate: number; readonly priority: string; readonly basis: string; readonly fix?: Fix };
}

/** A cold pair's figures, for the bench's table and results file. */
export interface ColdMeasure {
  readonly pair: CorpusPair;
  readonly priority: string;
  /** Medians of `run()` over the fresh processes, profiler off, ms. */
  readonly beforeMs: number;
  readonly afterMs: number;
  /** The estimate's basis as the rule wrote it. */
  readonly basis: string;
}

const SELF = fileURLToPath(import.meta.url);

/** The fresh process: one run of the script at `path`, profiled or timed. */
async function child(mode: Mode, path: string): Promise<void> {
  const f = await load(path);
  if (mode === 'profiled') cp.enableProfiling();
  const t0 = performance.now();
  const value = f.run();
  const runMs = performance.now() - t0;
  if (mode === 'timed') {
    console.log(JSON.stringify({ runMs, result: plain(value) } satisfies ChildReport));
    return;
  }
  cp.disableProfiling();
  // As in the warm bench: Node hands GC pauses to the profiler once the event loop turns (a CLI report is taken at exit, after that).
  await new Promise((resolve) => setTimeout(resolve, 10));
  const recs = cp.getRecommendations();
  const rec = recs.find((r) => r.rule === f.rule);
  console.log(JSON.stringify({
    runMs, result: plain(value), fired: recs.map((r) => r.rule),
    ...(rec ? { rec: { estimate: rec.estimatedSpeedup, priority: rec.priority, basis: rec.speedupBasis, ...(rec.fix ? { fix: rec.fix } : {}) } } : {}),
  } satisfies ChildReport));
}

/** Runs the script at `path` once in a fresh process. */
function fresh(mode: Mode, path: string): ChildReport {
  const out = execFileSync(process.execPath, [...process.execArgv, SELF, path], { env: { ...process.env, COREPY_COLD_CHILD: mode }, encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop()!) as ChildReport;
}

/**
 * Checks the cold pair `name` (its "before" at `beforePath`, already imported as `before`):
 * the measure, or null when its rule did not fire; `problems` gets what went wrong.
 */
export function coldPair(name: string, beforePath: string, before: Fixture, rounds: number, run: number | undefined, problems: string[]): ColdMeasure | null {
  const profiled = fresh('profiled', beforePath);
  const rec = profiled.rec;
  if (!rec) {
    console.log(`${name}: ${before.rule} did not fire, cold (got ${profiled.fired?.join(', ') || 'nothing'})`);
    problems.push(`${name}: no ${before.rule} recommendation (cold)`);
    return null;
  }
  const applied: CorpusPair['applied'] = rec.fix ? 'fix' : 'example';
  const afterPath = beforePath.replace(/\.before\.mts$/, rec.fix ? '.applied.mts' : '.after.mts');
  if (rec.fix) writeFileSync(afterPath, applyFixes(readFileSync(beforePath, 'utf8'), [rec.fix]));
  try {
    const tb: number[] = [], ta: number[] = [];
    let differs = false;
    for (let r = 0; r < rounds; r++) {
      // Alternate which goes first so drift in machine load hits both alike.
      for (const side of r % 2 ? (['after', 'before'] as const) : (['before', 'after'] as const)) {
        const got = fresh('timed', side === 'before' ? beforePath : afterPath);
        (side === 'before' ? tb : ta).push(got.runMs);
        differs ||= !same(got.result, profiled.result);
      }
    }
    if (differs) problems.push(`${name}: results differ after applying the ${applied} (cold)`);
    const beforeMs = median(tb), afterMs = median(ta);
    return {
      pair: { pair: name, rule: before.rule!, size: before.size, estimate: rec.estimate, measured: Math.round((beforeMs / afterMs) * 100) / 100, applied, cold: true, ...(run !== undefined ? { run } : {}) },
      priority: rec.priority, beforeMs, afterMs, basis: rec.basis,
    };
  } finally {
    if (rec.fix) rmSync(afterPath, { force: true });
  }
}

const mode = process.env['COREPY_COLD_CHILD'];
if (mode === 'profiled' || mode === 'timed') await child(mode, process.argv[2]!);
