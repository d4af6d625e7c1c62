/**
 * A function whose caller changes after a pause has every op on the right calling line (audit 32: a
 * helper called 200 times from one function, then 80 times from another, read 201 / 79).
 * A held stack's bound in run time (recorder.ts STACK_HOLD_TIME_SHARE) was checked against the
 * previous op's end, which for the first op after a pause is before the pause: that op kept the old
 * caller's stack and the capture came one op late. Counts ops and captures, not times: the pauses are
 * set from the run's own holdMs, so a loaded machine only makes them longer.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'mocha';

const root = join(__dirname, '..', '..');
const FIXTURE = join(root, 'test', 'fixtures', 'profiler', 'caller-switch.mts');

interface Run { helpers: { a: number; b: number }[]; ops: number; captures: number; timedOut: number }

function run(a: number, b: number): Run {
  const r = spawnSync(process.execPath, ['--import', 'tsx', FIXTURE], {
    cwd: root, encoding: 'utf8', timeout: 110_000, maxBuffer: 16 << 20,
    env: { ...process.env, SWITCH_A: String(a), SWITCH_B: String(b) },
  });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Run;
}

describe('a caller that takes over after a pause', function () {
  this.timeout(120_000);

  for (const [a, b] of [[200, 80], [2000, 800]] as const) {
    it(`gets every op of its calls: ${a} calls from one function, then ${b} from another, three functions`, () => {
      const r = run(a, b);
      // Three helpers, one op per call, and the top level's ones().
      assert.equal(r.ops, 3 * (a + b) + 1, JSON.stringify(r));
      r.helpers.forEach((h, k) => assert.deepEqual(h, { a, b }, `helper ${k + 1}: ${JSON.stringify(r)}`));
      // Sampled, not a capture per op: a switch is seen by the first op that starts past its line's bound.
      assert.ok(r.captures < r.ops / (a >= 2000 ? 4 : 1), `captures: ${JSON.stringify(r)}`);
    });
  }
});
