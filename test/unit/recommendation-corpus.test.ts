/**
 * The recommendation corpus (test/fixtures/recommendations/): every pair's rule fires on its
 * "before" script; every offered quick fix applies to the source, runs, and gives the same result
 * as the original; every hand-written "after" gives the same result too; clean scripts get no
 * recommendation at all. A cold pair (its "before" exports `cold = true`: the bench profiles and
 * times it as a script runs once, in fresh processes) must get its rule and quick fix here too,
 * where it runs warm in this process. Timings are the bench's business (`npm run
 * bench:recommendations`), never asserted here.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'mocha';
import type * as Corepy from '../../runtime/src/index.js';
import { applyFixes } from '../../runtime/src/profiler/rules/ast.js';
import { batchRewrite } from '../../runtime/src/profiler/rules/batch-rewrite.js';
import { expectedPriority } from './helpers.js';

const CORPUS = join(import.meta.dirname, '..', 'fixtures', 'recommendations');
/**
 * The runtime as the corpus scripts (ES modules) see it: imported, not required, so that this
 * file profiles the same runtime instance the scripts run their ops on.
 */
let cp: typeof Corepy;
/** Rules whose firing depends only on the program's structure, not on how long its ops took. */
const STRUCTURAL = new Set(['batch-loop', 'moments']);

interface Fixture { readonly rule?: string | null; readonly size: number; readonly cold?: boolean; run(): unknown }

const load = async (path: string): Promise<Fixture> => (await import(pathToFileURL(path).href)) as Fixture;
const plain = (v: unknown): unknown => (v instanceof cp.Tensor ? v.toArray() : ArrayBuffer.isView(v) ? Array.from(v as Float32Array) : v);
const result = (f: Fixture): unknown => cp.tidy(() => plain(f.run()));

/** Equal up to a relative 1e-4 (float32 reductions summed in another order). */
function assertSame(a: unknown, b: unknown, what: string): void {
  if (typeof a === 'number' && typeof b === 'number') {
    assert.ok(Math.abs(a - b) <= 1e-4 * Math.max(1, Math.abs(a)), `${what}: ${a} vs ${b}`);
  } else if (Array.isArray(a) && Array.isArray(b)) {
    assert.equal(a.length, b.length, what);
    a.forEach((x, i) => assertSame(x, b[i], `${what}[${i}]`));
  } else {
    assert.deepEqual(a, b, what);
  }
}

/** Profiles one cold run of `f` with call sites; returns the recommendations and the busiest call site. */
function profileCold(f: Fixture): Corepy.Recommendation[] & { busiest?: { op: string; file: string; line: number; column: number } } {
  cp.clearProfile();
  cp.enableProfiling({ callSites: 'all' });
  try {
    cp.tidy(() => { f.run(); });
    const recs: ReturnType<typeof profileCold> = cp.getRecommendations();
    const site = cp.profileReport({ format: 'json' }).callSites.filter((c) => c.location).sort((a, b) => b.count - a.count)[0];
    if (site?.location) recs.busiest = { op: site.op, ...site.location };
    return recs;
  } finally {
    cp.disableProfiling();
    cp.clearProfile();
  }
}

const files = readdirSync(CORPUS).filter((f) => f.endsWith('.mts') && !f.endsWith('.after.mts') && !f.endsWith('.applied.mts')).sort();
const written: string[] = [];

describe('recommendation corpus', function () {
  this.timeout(120_000);
  let previous: Corepy.BackendName;
  before(async () => {
    cp = await import(pathToFileURL(join(import.meta.dirname, '..', '..', 'runtime', 'src', 'index.ts')).href) as typeof Corepy;
    // The corpus runs on the default backend, as its scripts would (other suites leave the js reference selected).
    previous = cp.getBackend();
    await cp.setBackend('wasm');
  });
  after(async () => {
    for (const p of written) rmSync(p, { force: true });
    await cp.setBackend(previous);
  });

  it('has at least 12 before/after pairs covering every CPU rule, and clean scripts, at sizes 1e3 to 1e6', async () => {
    const pairs = files.filter((f) => f.endsWith('.before.mts'));
    assert.ok(pairs.length >= 12, `${pairs.length} pairs`);
    const fixtures = await Promise.all(files.map((f) => load(join(CORPUS, f))));
    const rules = new Set(fixtures.map((f) => f.rule).filter(Boolean));
    for (const r of ['batch-loop', 'moments', 'jit-chain', 'dominant-op', 'tiny-ops', 'fresh-reads', 'undisposed-tensors']) assert.ok(rules.has(r), `no pair for ${r}`);
    assert.ok(fixtures.some((f) => f.rule === null), 'no clean script');
    const sizes = fixtures.map((f) => f.size);
    assert.equal(Math.min(...sizes), 1e3);
    assert.equal(Math.max(...sizes), 1e6);
  });

  for (const file of files) {
    const name = file.replace(/(\.before)?\.mts$/, '');
    if (!file.endsWith('.before.mts')) {
      it(`${name}: a clean script gets no recommendation`, async () => {
        const recs = profileCold(await load(join(CORPUS, file)));
        assert.deepEqual(recs.map((r) => `${r.rule}: ${r.title}`), []);
      });
      continue;
    }
    it(`${name}: the fix (or the after script) applies, runs and keeps the result`, async () => {
      const beforePath = join(CORPUS, file);
      const before = await load(beforePath);
      const recs = profileCold(before);
      const expected = result(before);
      const rec = recs.find((r) => r.rule === before.rule);
      const source = readFileSync(beforePath, 'utf8');
      let fix = rec?.fix;
      if (before.rule === 'batch-loop' && !rec && recs.busiest) {
        // The rule stays silent where it measures the broadcast no faster than the loop (timing, not structure):
        // the quick fix it would offer must still cover this loop and keep the result.
        const b = recs.busiest;
        const r = batchRewrite(b.file, source, b.line, b.column, b.op);
        assert.ok('fix' in r, `no quick fix for the loop: ${'reason' in r ? r.reason : ''}`);
        fix = r.fix;
      } else if (before.cold) {
        // What the cold bench applies: the rule's own quick fix (held counts are structure: the loop holds every result
        // until this test's tidy scope ends, as it would until the script ends).
        assert.ok(rec, `${before.rule} did not fire; got ${recs.map((r) => r.rule).join(', ') || 'nothing'}`);
        assert.ok(rec.fix, `no quick fix: ${rec.fixUnavailable ?? ''}`);
      } else if (STRUCTURAL.has(before.rule!)) {
        assert.ok(rec, `${before.rule} did not fire; got ${recs.map((r) => r.rule).join(', ') || 'nothing'}`);
        assert.ok(rec.fix, `no quick fix: ${rec.fixUnavailable ?? ''}`);
        assert.equal(rec.priority, expectedPriority(rec), 'priority from the estimate (and the wall time)');
      }
      if (fix) {
        const appliedPath = join(CORPUS, `${name}.applied.mts`);
        const fixed = applyFixes(source, [fix]);
        assert.notEqual(fixed, source);
        writeFileSync(appliedPath, fixed);
        written.push(appliedPath);
        assertSame(result(await load(appliedPath)), expected, 'result after the quick fix');
      }
      assertSame(result(await load(join(CORPUS, `${name}.after.mts`))), expected, 'result of the after script');
    });
  }
});
