/**
 * The flame graph tab keeps its graph while the latest run has none, and its title says whose graph it
 * is: the previous run's while the latest runs, an older run's once the latest ended without a report
 * (a newcomer saw "(previous run)" for good after stopping a run, over another file's graph).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { keptFlameTitle } from '../../extension/src/flame-title.js';

describe('flame panel title while the latest run has no graph', () => {
  it('previous run while running; an older run, naming the script, once it ended without a report', () => {
    assert.equal(keptFlameTitle('Flame: /w/throws.ts', { program: '/w/long.ts', running: true }), 'Flame: /w/throws.ts (previous run)');
    assert.equal(keptFlameTitle('Flame: /w/throws.ts', { program: '/w/long.ts', running: false }),
      'Flame: /w/throws.ts (an older run: long.ts ended without a report)');
    assert.equal(keptFlameTitle('Flame: /w/throws.ts'), 'Flame: /w/throws.ts (previous run)');
  });
});
