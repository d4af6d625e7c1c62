/**
 * One op name on several lines of a loop has each line's own calls with sampled call sites (issue 14:
 * `sum` on three lines, 40 turns, read 19 / 18 / 83, and 50 / 47 / 23 here). A call between captures
 * took its op's last captured line whatever line issued it; it now takes the line its op's captures
 * found after the same previous op's line (recorder.ts SITE_AFTER_MAX). Counts calls and captures,
 * not times: the loop's order is the same however loaded the machine is.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'mocha';

const root = join(__dirname, '..', '..');
const FIXTURE = join(root, 'test', 'fixtures', 'profiler', 'same-op-lines.mts');

interface Run { byOp: Record<string, number[]>; mode: string; ops: number; captures: number }

function run(kind: 'same' | 'different', n: number): Run {
  const r = spawnSync(process.execPath, ['--import', 'tsx', FIXTURE], {
    cwd: root, encoding: 'utf8', timeout: 110_000, maxBuffer: 16 << 20,
    env: { ...process.env, SAME_OP_KIND: kind, SAME_OP_N: String(n) },
  });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Run;
}

describe('one op on several lines, sampled call sites', function () {
  this.timeout(120_000);

  for (const n of [40, 400, 4000]) {
    it(`credits each of three sum lines with its own calls: ${n} turns`, () => {
      const r = run('same', n);
      assert.equal(r.mode, 'sampled');
      // Three sums a turn and the top level's three ones().
      assert.equal(r.ops, 3 * n + 3, JSON.stringify(r));
      assert.deepEqual(r.byOp, { sum: [n, n, n] }, JSON.stringify(r));
      // Sampled, not a capture per call: each op's first 32 calls, then one in about 64.
      if (n >= 400) assert.ok(r.captures < r.ops / 8, `captures: ${JSON.stringify(r)}`);
    });
  }

  it('credits three different ops on three lines with theirs (each op name at one line)', () => {
    const n = 400, r = run('different', n);
    assert.deepEqual(r.byOp, { sum: [n, 0, 0], mean: [0, n, 0], max: [0, 0, n] }, JSON.stringify(r));
  });
});
