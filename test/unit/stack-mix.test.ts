/**
 * Ops between two stack captures at one line take the line's captured stacks in proportion
 * (runtime/src/profiler/stack-mix.ts). Carrying the last capture put 396 of a shared helper's 400
 * `mul`s under `loss` and 4 under `forward`, though each called it once per step (audit 16).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'mocha';
import type * as cp from '../../runtime/src/index.js';
import { renderExport } from '../../runtime/src/export/index.js';
import { parseFolded } from '../../runtime/src/export/folded.js';
import { StackMix, MIX_SLOTS } from '../../runtime/src/profiler/stack-mix.js';

const root = join(__dirname, '..', '..');

describe('stacks between captures, per line', () => {
  it('smooth weighted round robin: each captured stack in proportion to its captures, per context', () => {
    const mix = new StackMix();
    mix.grow(3);
    for (const [stack, n] of [[10, 3], [20, 1]] as const) for (let i = 0; i < n; i++) mix.add(1, stack, 0);
    mix.add(1, 30, 7); // another context: never given to context 0's ops
    const got = Array.from({ length: 400 }, () => mix.pick(1, 0));
    assert.deepEqual([got.filter((s) => s === 10).length, got.filter((s) => s === 20).length], [300, 100]);
    assert.ok(got.slice(0, 4).includes(20), 'interleaved, not 300 then 100');
    assert.equal(mix.pick(1, 7), 30);
    assert.equal(mix.pick(1, 5), -2, 'nothing captured in that context');
    assert.equal(mix.pick(2, 0), -2, 'nothing captured at that site');
    // Full: a new pair replaces the least captured one.
    for (let k = 0; k < MIX_SLOTS; k++) mix.add(2, 100 + k, 0);
    mix.add(2, 100, 0);
    mix.add(2, 999, 0);
    assert.equal(mix.size(2), MIX_SLOTS);
    const kept = new Set(Array.from({ length: 50 }, () => mix.pick(2, 0)));
    assert.ok(kept.has(999) && kept.has(100) && !kept.has(101), [...kept].join(','));
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
        const count = (caller: string): number => [...folded.keys()].filter((k) => k.endsWith(`;${caller};helper;mul`)).length;
        assert.equal(count('forward'), 1, [...folded.keys()].join('\n'));
        assert.equal(count('loss'), 1, [...folded.keys()].join('\n'));
        // Folded weights are time: compare the ops' counts instead, from the flame model's op slices.
        const flame = esm.getFlameProfile('sampled');
        const s = flame.slices, under = { forward: 0, loss: 0 } as Record<string, number>;
        for (let i = 0; i < s.name.length; i++) {
          if (flame.strings[s.name[i]!] !== 'mul') continue;
          for (let k = s.parent[i]!; k >= 0; k = s.parent[k]!) {
            const name = flame.strings[s.name[k]!]!;
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
