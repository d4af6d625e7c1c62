/**
 * jit-chain for a chain already inside cp.jit (audit 21 N12): a jitted function that reads tensor
 * data while traced runs eagerly from then on, and its chain reaches the profiler like code never
 * jitted. The rule says why it runs eagerly (the jit's own reason, found through the signature's
 * `cp.jit(…)` line) and how to keep it traced, never "Fuse this chain with cp.jit"; a jitted function
 * whose eager chains were only its tracing calls gets nothing. Timing is stubbed (ratio 3): the
 * assertions are about which advice, not figures.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, it } from 'mocha';
import * as cp from '../../runtime/src/index.js';
import { eagerSignatures } from '../../runtime/src/jit/jit.js';
import { aggregate } from '../../runtime/src/profiler/aggregate.js';
import { runRules } from '../../runtime/src/profiler/rules/index.js';
import type { JitTimes } from '../../runtime/src/profiler/rules/measure-jit.js';
import { snapshot } from '../../runtime/src/profiler/session.js';

/**
 * Elements per tensor: large enough that the chain's 20 runs (~10 ms) outweigh a pause or two of the machine in
 * the untimed read before it (a clean-clone CI at load ~15: mean and read 4 ms each on [50000], the chain 1 ms,
 * 11 % of op time, under the rule's 20 %).
 */
const N = 500_000;
const SOURCE = readFileSync(import.meta.filename, 'utf8').split('\n');
/** The 1-based line of this file ending with `// tag`. */
const lineOf = (tag: string): number => SOURCE.findIndex((l) => l.endsWith(`// ${tag}`)) + 1;

/** Op times of the last profile, for messages: a chain under 20% of op time gets no finding at all. */
let opTimes = '';

/** The jit-chain findings of `body` profiled, with the real source and the chain timed 3× faster under jit. */
function jitRecs(body: () => void): cp.Recommendation[] {
  cp.clearProfile();
  cp.enableProfiling({ callSites: 'all', maxEvents: 100_000 });
  body();
  cp.disableProfiling();
  const data = snapshot();
  const measureJit = (): JitTimes => ({ eagerMs: 3, jitMs: 1, ratio: 3 });
  const agg = aggregate(data);
  opTimes = agg.ops.map((o) => `${o.op} ×${o.count} ${o.totalMs.toFixed(2)} ms`).join(', ');
  return runRules(data, agg, { dispatchCostMs: () => 1e-3, measureJit }).filter((r) => r.rule === 'jit-chain');
}

/** Written as a declaration and handed to cp.jit by name. */
function shiftedByMean(t: cp.Tensor): cp.Tensor {
  const m = t.mean().item(); // NAMED-READ
  return t.mul(2).sub(m).abs().sum(); // NAMED-CHAIN
}

describe('jit-chain inside a cp.jit function that runs eagerly', () => {
  let x: cp.Tensor;
  beforeEach(async () => {
    await cp.setBackend('wasm');
    cp.clearProfile();
    x = cp.keep(cp.rand([N]));
  });
  afterEach(() => { cp.disableProfiling(); cp.clearProfile(); x.dispose(); });

  it('a read while traced: says why it runs eagerly and how to keep it traced, not "wrap it in cp.jit"', () => {
    const f = cp.jit((t: cp.Tensor) => { // JIT-CALL
      const s = t.max().item();
      return t.mul(1.5).sub(s).relu().sum(); // INLINE-CHAIN
    }, { warn: false });
    const recs = jitRecs(() => { for (let i = 0; i < 20; i++) cp.tidy(() => { f(x); }); });
    assert.equal(f.signatures()[0]?.eagerReason?.startsWith('item() read tensor data'), true, 'the signature runs eagerly');
    const mine = eagerSignatures().find((e) => e.key === f.signatures()[0]!.key && e.compiledAt?.file === import.meta.filename && e.compiledAt.line === lineOf('JIT-CALL'));
    assert.ok(mine, 'the jit records the eager signature with the line of its cp.jit call');
    assert.equal(recs.length, 1, `${recs.map((r) => r.title).join(', ')}; op times: ${opTimes}`);
    const rec = recs[0]!;
    assert.equal(rec.location?.line, lineOf('INLINE-CHAIN'));
    assert.equal(rec.title, 'Keep this cp.jit function traced');
    assert.match(rec.description, new RegExp(`inside a cp\\.jit function \\(line ${lineOf('JIT-CALL')}\\), but its signature runs eagerly`));
    assert.match(rec.description, new RegExp(`Why it runs eagerly \\(wasm float32\\[${N}\\]\\): item\\(\\) read tensor data while the function was traced`));
    assert.match(rec.codeExample.after, /cp\.where/);
    assert.doesNotMatch(`${rec.description}\n${rec.codeExample.after}`, /Wrapped in cp\.jit|const fused = cp\.jit/);
    assert.equal(rec.fix, undefined);
    assert.equal(rec.impact, 'unknown', 'the corpus verified wrapping chains, not this');
  });

  it('a function declared by name and passed to cp.jit: the same', () => {
    const f = cp.jit(shiftedByMean, { warn: false });
    const recs = jitRecs(() => { for (let i = 0; i < 20; i++) cp.tidy(() => { f(x); }); });
    assert.equal(recs.length, 1, `${recs.map((r) => r.title).join(', ')}; op times: ${opTimes}`);
    assert.equal(recs[0]!.location?.line, lineOf('NAMED-CHAIN'));
    assert.equal(recs[0]!.title, 'Keep this cp.jit function traced');
    assert.match(recs[0]!.description, /mean\(\) read tensor data|item\(\) read tensor data/);
  });

  it('a traced cp.jit function whose eager chains are its tracing calls (one per shape): nothing', () => {
    const g = cp.jit((t: cp.Tensor) => t.mul(1.5).sub(0.5).relu().sum()); // TRACED
    // Each shape called once: every call traces (runs eagerly), so the profile is nothing but those chains.
    const shapes = [N, N + 1, N + 2, N + 3].map((n) => cp.keep(cp.rand([n])));
    const recs = jitRecs(() => { for (const t of shapes) cp.tidy(() => { g(t); }); });
    for (const t of shapes) t.dispose();
    assert.deepEqual(g.signatures().map((s) => s.eagerReason), [null, null, null, null]);
    assert.deepEqual(recs.map((r) => `${r.title}@${r.location?.line}`), []);
  });

  it('the same chain outside cp.jit: still "Fuse this chain with cp.jit"', () => {
    // Two tensors in turn: on one tensor every time the chain is loop-invariant, and computing it once before the
    // loop is the advice instead (rule-loop-invariant-chain.test.ts).
    const y = cp.keep(cp.rand([N]));
    const recs = jitRecs(() => { for (let i = 0; i < 20; i++) cp.tidy(() => { (i % 2 ? y : x).mul(1.5).sub(0.5).relu().sum(); }); });
    y.dispose();
    assert.deepEqual(recs.map((r) => r.title), ['Fuse this chain with cp.jit']);
  });
});
