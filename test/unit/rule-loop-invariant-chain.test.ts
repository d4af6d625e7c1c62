/**
 * loop-invariant over a whole expression (audit 33 #3): `a.mul(2).add(1).relu().sum()` in a loop that never
 * reassigns `a` computes the same value every iteration, not only its `mul(2)`. The finding covers the whole
 * chain (each op timed at its own site), its quick fix moves the whole expression before the loop (and the
 * rewritten script prints the same result), and jit-chain is not told to fuse a chain that leaves the loop
 * unless fusing it in the loop would save more. Real profiles of real source; the jit ratio is overridden
 * where the decision between the two findings is asserted, so nothing depends on timing.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'mocha';
import * as cp from '../../runtime/src/index.js';
import { aggregate } from '../../runtime/src/profiler/aggregate.js';
import { applyFixes } from '../../runtime/src/profiler/rules/ast.js';
import { runRules } from '../../runtime/src/profiler/rules/index.js';
import { snapshot } from '../../runtime/src/profiler/session.js';

const root = join(__dirname, '..', '..');
const lineOf = (file: string, marker: string): number => readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(marker)) + 1;
const here = (marker: string): number => lineOf(__filename, marker);

/** Profiles `body` and runs the rules on it, cp.jit timing `ratio`× faster than eager for any chain. */
function profiled(body: () => void) {
  cp.clearProfile();
  cp.enableProfiling({ callSites: 'all' });
  body();
  cp.disableProfiling();
  const data = snapshot(), agg = aggregate(data);
  return {
    agg,
    rules: (ratio: number) => runRules(data, agg, { dispatchCostMs: () => 1e-3, measureJit: () => ({ eagerMs: ratio, jitMs: 1, ratio }) }),
  };
}

const at = (recs: cp.Recommendation[], rule: string, line: number) => recs.find((r) => r.rule === rule && r.location?.line === line);
const listed = (recs: cp.Recommendation[]) => recs.map((r) => `${r.rule}@${r.location?.line}`).join(', ');

describe('loop-invariant rule: the whole invariant chain', () => {
  beforeEach(async () => { await cp.setBackend('wasm'); });
  afterEach(() => { cp.disableProfiling(); cp.clearProfile({ segments: true }); });

  it('a.mul(2).add(1).relu().sum() ×40 on one tensor: one finding for all four ops, a hoisting fix, and no cp.jit advice for it', () => {
    const a = cp.keep(cp.randn([200_000]));
    let acc = 0;
    const p = profiled(() => cp.tidy(() => {
      for (let i = 0; i < 40; i++) {
        const s = a.mul(2).add(1).relu().sum(); // LINE-WHOLE
        acc += s.item();
      }
    }));
    a.dispose();
    assert.ok(Number.isFinite(acc));
    const line = here('LINE-WHOLE'), recs = p.rules(3);
    const rec = at(recs, 'loop-invariant', line);
    assert.ok(rec, `loop-invariant fired: ${listed(recs)}`);
    assert.equal(rec.evidence['chainOps'], 'mul,add,relu,sum');
    assert.match(rec.description, /^'mul\(2\)\.add\(1\)\.relu\(\)\.sum\(\)' ran 40 times from this line on the same input tensor \(4 ops,/);
    // The saving is 39 of 40 runs of the whole chain, every op at its own site, stalled calls left out (stalls.ts).
    const chainMs = p.agg.sites.filter((s) => s.location?.line === line).reduce((t, s) => t + s.totalMs, 0);
    assert.ok(Math.abs(Number(rec.evidence['chainMs']) - chainMs) <= 1e-9 * chainMs, `${rec.evidence['chainMs']} vs ${chainMs}`);
    const steady = chainMs - Number(rec.evidence['stalledMs'] ?? 0);
    assert.ok(Math.abs(rec.savedMs! - steady * 39 / 40) <= 1e-9 * chainMs, `saved ${rec.savedMs} of ${steady} ms`);
    // Fusing it with cp.jit (r = 3 here) saves 2/3 of the chain; computing it once saves 39/40: only the hoist is advised.
    assert.equal(at(recs, 'jit-chain', line), undefined, listed(recs));
    assert.ok(rec.fix, rec.fixUnavailable);
    assert.equal(rec.fix.range.startLine, line - 1, 'the const goes before the for');
    assert.match(rec.fix.replacement, /^\s*const sOnce = cp\.tidy\(\(\) => a\.mul\(2\)\.add\(1\)\.relu\(\)\.sum\(\)\);.*\n\s*for \(let i = 0; i < 40; i\+\+\) \{\n\s*const s = sOnce$/);
    assert.match(rec.codeExample.after, /const s = sOnce;/);
  });

  it('where fusing in the loop would save more than hoisting (a measured ratio above the loop count), jit-chain stays, ranked by its estimate', () => {
    const a = cp.keep(cp.randn([200_000]));
    const p = profiled(() => cp.tidy(() => {
      for (let i = 0; i < 40; i++) a.mul(2).add(1).relu().sum().item(); // LINE-RATIO
    }));
    a.dispose();
    const line = here('LINE-RATIO'), recs = p.rules(1e6);
    const inv = at(recs, 'loop-invariant', line), jit = at(recs, 'jit-chain', line);
    assert.ok(inv && jit, listed(recs));
    assert.ok(recs.indexOf(jit) < recs.indexOf(inv), listed(recs));
  });

  it('an argument the loop changes ends the chain: only mul(2) is invariant, and the jit advice for the chain stays', () => {
    const a = cp.keep(cp.randn([200_000]));
    const p = profiled(() => cp.tidy(() => {
      for (let i = 0; i < 40; i++) {
        const s = a.mul(2).add(i).relu().sum(); // LINE-VARYING
        s.item();
      }
    }));
    a.dispose();
    const line = here('LINE-VARYING'), recs = p.rules(3);
    const rec = at(recs, 'loop-invariant', line);
    assert.ok(rec, listed(recs));
    assert.equal(rec.evidence['chainOps'], undefined);
    assert.match(rec.description, /^'mul\(2\)' ran 40 times/);
    assert.ok(at(recs, 'jit-chain', line), listed(recs));
  });

  it('a loop that disposes the value: the finding covers the chain, but no fix (the shared value would be gone)', () => {
    const a = cp.keep(cp.randn([200_000]));
    const p = profiled(() => {
      for (let i = 0; i < 40; i++) {
        const s = a.mul(2).relu().sum(); // LINE-DISPOSED
        s.item();
        s.dispose();
      }
    });
    a.dispose();
    const recs = p.rules(3), rec = at(recs, 'loop-invariant', here('LINE-DISPOSED'));
    assert.ok(rec, listed(recs));
    assert.equal(rec.evidence['chainOps'], 'mul,relu,sum');
    assert.equal(rec.fix, undefined);
    assert.match(rec.fixUnavailable ?? '', /disposes 's'/);
  });

  it('the same tensor through a name the loop declares: the finding, but no fix (a const before the loop could not read it)', () => {
    const a = cp.keep(cp.randn([200_000]));
    const p = profiled(() => cp.tidy(() => {
      for (let i = 0; i < 40; i++) {
        const t = a;
        const s = t.mul(2).relu().sum(); // LINE-LOCAL
        s.item();
      }
    }));
    a.dispose();
    const recs = p.rules(3), rec = at(recs, 'loop-invariant', here('LINE-LOCAL'));
    assert.ok(rec, listed(recs));
    assert.equal(rec.evidence['chainOps'], 'mul,relu,sum');
    assert.equal(rec.fix, undefined);
    assert.match(rec.fixUnavailable ?? '', /reads 't', which the loop declares/);
  });

  it('as a script: the fix applied, the rewritten script prints the same result and nothing is left to compute once', function () {
    this.timeout(120_000);
    const fixture = join(root, 'test', 'fixtures', 'profiler', 'invariant-chain.mts');
    const run = (file: string) => {
      const r = spawnSync(process.execPath, ['--import', 'tsx', file], { cwd: root, encoding: 'utf8', timeout: 100_000, maxBuffer: 64 << 20 });
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(r.stdout) as { acc: number; recommendations: cp.Recommendation[] };
    };
    const before = run(fixture), line = lineOf(fixture, 'LINE-CHAIN');
    const rec = at(before.recommendations, 'loop-invariant', line);
    assert.ok(rec?.fix, `loop-invariant with a fix: ${listed(before.recommendations)} ${rec?.fixUnavailable ?? ''}`);
    assert.equal(rec.evidence['chainOps'], 'mul,add,relu,sum');
    // The real cp.jit trial (≈4× on [200000]) is far below the 40 runs the hoist saves all but one of.
    assert.equal(at(before.recommendations, 'jit-chain', line), undefined, listed(before.recommendations));
    const dir = mkdtempSync(join(tmpdir(), 'corepy-invariant-chain-'));
    try {
      const fixed = applyFixes(readFileSync(fixture, 'utf8'), [rec.fix])
        .replace("'../../../runtime/src/index.js'", JSON.stringify(join(root, 'runtime', 'src', 'index.js')));
      const file = join(dir, 'fixed.mts');
      writeFileSync(file, fixed);
      const after = run(file);
      assert.equal(after.acc, before.acc, 'the same result, computed once');
      assert.deepEqual(after.recommendations.filter((r) => r.rule === 'loop-invariant' || r.rule === 'jit-chain').map((r) => r.rule), []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
