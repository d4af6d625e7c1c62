/**
 * The dominant-op rule (profiler/rules/dominant-op.ts) on real profiles: advice that needs several
 * calls (read back once; concatenate once) is not given for an op called once, however much of the
 * profile that one call took.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'mocha';
import * as cp from '../../runtime/src/index.js';

function dominantReads(reads: number): string[] {
  const big = cp.keep(cp.ones([1 << 20]));
  cp.clearProfile();
  cp.enableProfiling({ callSites: 'all', warmUp: false });
  try {
    const small = cp.ones([4]).add(1);
    for (let i = 0; i < reads; i++) big.dataSync();
    small.dispose();
    return cp.getRecommendations().filter((r) => r.rule === 'dominant-op').map((r) => r.title);
  } finally {
    cp.disableProfiling();
    cp.clearProfile();
    big.dispose();
  }
}

describe('dominant-op rule', () => {
  afterEach(() => cp.clearProfile());

  it('says nothing of one read, even when it takes most of the profile', () => {
    assert.deepEqual(dominantReads(1), []);
  });

  it('advises reading back once when several reads dominate', () => {
    const titles = dominantReads(4);
    assert.equal(titles.length, 1, JSON.stringify(titles));
    assert.match(titles[0]!, /^Operation 'read' takes \d+% of total time$/);
  });
});
