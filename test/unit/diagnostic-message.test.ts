/**
 * The text of a recommendation's diagnostic (extension/src/recs/diagnostic-message.ts): the action
 * and its worth on the first line (what a narrow Problems view keeps), the finding on its own line,
 * then how to act. The code-server audit of 2026-11-30 saw "(impact unknown)" lead one long paragraph.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { diagnosticMessage } from '../../extension/src/recs/diagnostic-message.js';

const rec = {
  title: 'Release the tensors this loop creates', description: 'Never disposed: line 7 held up to 1997 of its 2000 results at once.',
  estimatedSpeedup: 2.62, speedupBasis: 'memory growth and first touch …', impact: 'unknown' as const,
};

describe('recommendation diagnostic message', () => {
  it('leads with the action and an unverified figure named as such, the finding on its own line', () => {
    const lines = diagnosticMessage(rec, true).split('\n');
    assert.deepEqual(lines, [
      'Release the tensors this loop creates (estimated ≈2.6×, not verified)',
      'Never disposed: line 7 held up to 1997 of its 2000 results at once.',
      'Quick fix (Ctrl+.) rewrites it; "Explain" shows the evidence.',
    ]);
    assert.doesNotMatch(lines[0]!, /impact unknown/);
  });

  it('says "faster" for a verified figure and why there is no quick fix', () => {
    const msg = diagnosticMessage({ ...rec, impact: 'verified', fixUnavailable: "line 6 stores values in 'kept', which outlives the iteration" }, false);
    assert.match(msg, /^Release the tensors this loop creates \(≈2\.6× faster\)\n/);
    assert.match(msg, /\nNo quick fix: line 6 stores values in 'kept', which outlives the iteration\. "Explain" \(Ctrl\+\.\)/);
  });

  it('gives no figure for a rewrite the timing budget left untimed', () => {
    const msg = diagnosticMessage({ ...rec, estimatedSpeedup: 1, speedupBasis: 'not timed yet: the batched rewrite did not fit' }, true);
    assert.match(msg, /^Release the tensors this loop creates \(not timed yet\)\n/);
    assert.doesNotMatch(msg, /1\.0×/);
  });
});
