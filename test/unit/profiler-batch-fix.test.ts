/**
 * The batch recommendation's quick fix also covers the seed's Example 3 written on one line, and
 * loops over a 2-D tensor (audit 17: the rule's trial threw on [64, 64] — silent — and on [100, 8]
 * timed and offered a broadcast that computed something else).
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'mocha';
import * as cp from '../../runtime/src/index.js';
import { expectedPriority } from './helpers.js';

describe('batch-loop quick fix', () => {
  // wasm, whatever an earlier file left: on js one batched call is not measured faster and the rule stays silent.
  before(async () => { await cp.setBackend('wasm'); });

  it('rewrites a one-line loop of 100 adds into one broadcast add', () => {
    cp.clearProfile();
    cp.enableProfiling({ callSites: 'all' });
    const data = cp.keep(cp.arange(1000).cast('float32'));
    try {
      cp.tidy(() => {
        for (let i = 0; i < 100; i++) { const temp = data.add(i); }
      });
      const rec = cp.getRecommendations().find((r) => r.rule === 'batch-loop');
      assert.ok(rec, 'no batch-loop recommendation');
      // Priority follows the estimate (timed on this machine), never the call count.
      assert.equal(rec.priority, expectedPriority(rec));
      assert.ok(rec.fix, 'no mechanical fix for the one-line loop');
      assert.equal(rec.fix.range.startLine, rec.fix.range.endLine);
      assert.match(rec.fix.replacement, /const offsets = cp\.arange\(100\);\n\s*const temp = data\.unsqueeze\(0\)\.add\(offsets\.unsqueeze\(1\)\)/);
    } finally {
      cp.disableProfiling();
      cp.clearProfile();
      data.dispose();
    }
  });

  for (const shape of [[64, 64], [100, 8]]) {
    it(`recommends batching a loop over a [${shape.join(', ')}] tensor, with one offset per new row`, () => {
      cp.clearProfile();
      cp.enableProfiling({ callSites: 'all' });
      const grid = cp.keep(cp.ones(shape));
      try {
        cp.tidy(() => {
          for (let i = 0; i < 100; i++) { const temp = grid.add(i); }
        });
        const rec = cp.getRecommendations().find((r) => r.rule === 'batch-loop');
        assert.ok(rec, 'no batch-loop recommendation (the trial must time the 2-D broadcast, not throw)');
        assert.match(rec.speedupBasis, new RegExp(`rewrite (timed now|timed on this machine at .* UTC \\([\\d.]+ (min|h) ago\\), cached), warm, on \\[${shape.join(', ')}\\]`));
        assert.ok(rec.fix, `no fix: ${rec.fixUnavailable ?? ''}`);
        assert.match(rec.fix.replacement, /const temp = grid\.unsqueeze\(0\)\.add\(offsets\.reshape\(\[-1, 1, 1\]\)\)/);
      } finally {
        cp.disableProfiling();
        cp.clearProfile();
        grid.dispose();
      }
    });
  }
});
