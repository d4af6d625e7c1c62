/**
 * The line hover names which op time its share is of when the run has segments (audit 23: tutorial 2.4's hover
 * showed "96 % of op time" in the recommendation, of its segment, above "8.7 % of op time" for the same 7.24 ms,
 * of all segments, with neither saying which).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { hoverText, segmentScope } from '../../extension/src/views/labels.js';
import type { LineStats, RunSnapshot } from '../../extension/src/profile-store.js';

const line = { line: 26, totalMs: 7.24, share: 0.087, ops: [{ op: 'add', count: 100, totalMs: 7.24, minMs: 0.05, maxMs: 0.2, backend: 'wasm', bytes: 0 }] } as unknown as LineStats;
const run = (segments: number): Pick<RunSnapshot, 'segments'> => ({ segments: Array.from({ length: segments }, (_, index) => ({ index })) as unknown as RunSnapshot['segments'] });

describe('line hover: the base of its share in a run with segments', () => {
  it('names all segments or the one shown; says nothing more without segments', () => {
    assert.equal(segmentScope(run(2), 'all'), 'in all 2 segments');
    assert.equal(segmentScope(run(2), 0), 'in segment 1');
    assert.equal(segmentScope(run(0), 'all'), '');
    assert.equal(segmentScope(undefined, 'all'), '');
    assert.match(hoverText(line, segmentScope(run(2), 'all')), /^\*\*Corepy\*\* — 7\.24 ms op time on this line \(8\.7 % of op time in all 2 segments\)/);
    assert.match(hoverText(line), /^\*\*Corepy\*\* — 7\.24 ms op time on this line \(8\.7 % of op time\)\n/);
  });
});
