/**
 * Ops between two stack captures at one line take the stack the line was last captured with in
 * their own context, or with callers in turn its recent captures in turn
 * (runtime/src/profiler/context-stacks.ts), so a line reached from several callers is split between
 * them, whether the callers alternate (a shared helper: with holds of thousands of ops, 396 of its
 * 400 `mul`s were under `loss`, audit 16) or follow each other (test/unit/call-lines.test.ts, audit 28).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'mocha';
import type * as cp from '../../runtime/src/index.js';
import { renderExport } from '../../runtime/src/export/index.js';
import { foldedFrameName, parseFolded } from '../../runtime/src/export/folded.js';
import { ContextStacks, CONTEXT_SLOTS, HISTORY } from '../../runtime/src/profiler/context-stacks.js';
import { MERGED_CALLS_SUFFIX } from '../../runtime/src/contract/flame.js';

const root = join(__dirname, '..', '..');

describe('stacks between captures, per line', () => {
  it('the last capture in the op\'s own context, or with callers in turn its recent captures in turn', () => {
    const cs = new ContextStacks();
    cs.grow(3);
    cs.add(1, 10, 0);
    cs.add(1, 30, 7);
    cs.add(1, 20, 0);
    assert.equal(cs.pick(1, 0), 20, 'one change (10 then 20): the last capture');
    assert.equal(cs.pick(1, 7), 30, 'context 7 keeps its own stack');
    assert.equal(cs.pick(1, 5), -2, 'nothing captured in that context');
    assert.equal(cs.pick(2, 0), -2, 'nothing captured at that site');
    assert.equal(cs.inTurnAt(1), false);
    // Callers in turn (10, 20, 10, 20 …): the held ops cycle through the kept captures.
    for (let k = 0; k < HISTORY; k++) cs.add(1, k % 3 === 0 ? 10 : 20, 0);
    assert.equal(cs.inTurnAt(1), true);
    const picks = Array.from({ length: 3 * HISTORY }, () => cs.pick(1, 0));
    const tens = picks.filter((p) => p === 10).length, kept = Math.ceil(HISTORY / 3);
    assert.equal(tens, 3 * kept, `the kept captures' share of 10 is ${kept} in ${HISTORY}: ${picks.join(',')}`);
    // Then one caller only: once the last captures all agree, the last capture again.
    for (let k = 0; k < HISTORY; k++) cs.add(1, 40, 0);
    assert.equal(cs.inTurnAt(1), false);
    assert.equal(cs.pick(1, 0), 40);
    // Full: a new context replaces the one captured longest ago.
    for (let k = 0; k < CONTEXT_SLOTS; k++) cs.add(2, 100 + k, k);
    cs.add(2, 200, 0); // context 0 captured again: now the most recent
    cs.add(2, 999, 50);
    assert.equal(cs.size(2), CONTEXT_SLOTS);
    assert.equal(cs.pick(2, 1), -2, 'context 1 was the least recently captured');
    assert.equal(cs.pick(2, 0), 200);
    assert.equal(cs.pick(2, 50), 999);
  });

  for (const steps of [200, 2000]) {
    it(`a helper line called by two functions in turn: its ops split between them (${steps} steps, folded export)`, async () => {
      const esm = (await import(pathToFileURL(join(root, 'runtime', 'src', 'index.ts')).href)) as typeof cp;
      const previous = esm.getBackend();
      await esm.setBackend('wasm');
      const x = esm.keep(esm.ones([64, 64]));
      esm.clearProfile();
      esm.enableProfiling({ callSites: 'sampled' });
      try {
        const fixture = (await import(pathToFileURL(join(root, 'test', 'fixtures', 'profiler', 'shared-helper.mts')).href)) as { run(steps: number, x: cp.Tensor): number };
        fixture.run(steps, x);
        const folded = parseFolded(renderExport({ report: esm.profileReport({ format: 'json' }), flame: esm.getFlameProfile('sampled') }, 'folded'));
        // Held ops carry a captured stack, so consecutive calls can read as one run ("forward [may be several calls]"): either name counts.
        const merged = foldedFrameName(MERGED_CALLS_SUFFIX).replace(/[[\]().?]/g, '\\$&');
        const count = (caller: string): number => [...folded.keys()].filter((k) => new RegExp(`;${caller}(${merged})?;helper;mul$`).test(k)).length;
        assert.equal(count('forward'), 1, [...folded.keys()].join('\n'));
        assert.equal(count('loss'), 1, [...folded.keys()].join('\n'));
        // Folded weights are time: compare the ops' counts instead, from the flame model's op slices.
        const flame = esm.getFlameProfile('sampled');
        const s = flame.slices, under = { forward: 0, loss: 0 } as Record<string, number>;
        for (let i = 0; i < s.name.length; i++) {
          if (flame.strings[s.name[i]!] !== 'mul') continue;
          for (let k = s.parent[i]!; k >= 0; k = s.parent[k]!) {
            const name = flame.strings[s.name[k]!]!.replace(MERGED_CALLS_SUFFIX, '');
            if (name === 'forward' || name === 'loss') { under[name]! += 1; break; }
          }
        }
        const share = under['forward']! / (under['forward']! + under['loss']!);
        assert.ok(share > 0.35 && share < 0.65, `forward's share of helper's mul: ${share.toFixed(2)} (${JSON.stringify(under)})`);
      } finally {
        esm.disableProfiling();
        esm.clearProfile();
        x.dispose();
        await esm.setBackend(previous);
      }
    });
  }
});
