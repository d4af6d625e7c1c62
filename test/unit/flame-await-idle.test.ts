/**
 * An `await` is not its function's self time (audit 26, F1), on one real run of
 * test/fixtures/profiler/await-idle.mts (wasm kernels, its own process): `train` runs an op and then
 * awaits a 30 ms timer, 10 times. Its frame spans the awaits (the ops between them share its stack),
 * and the waiting showed as its self time (or its gap slices'), above every op. Now the event loop's
 * idle time between two ops is a slice of its own inside the run. `crunch` computes for 30 ms between
 * its ops without yielding: that time is its own, and gets no idle slice.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { before, describe, it } from 'mocha';
import { gapSliceName, IDLE_SLICE_NAME, MERGED_CALLS_SUFFIX, SliceKind, type FlameProfile } from '../../runtime/src/contract/flame.js';
import { foldedFrameName, parseFolded } from '../../runtime/src/export/folded.js';

const root = join(__dirname, '..', '..');
const FIXTURE = join(root, 'test', 'fixtures', 'profiler', 'await-idle.mts');
const WAITS = 10, WAIT_MS = 30;

interface Run { flame: FlameProfile; folded: string }

/** Self time of each slice, ms: its duration less its children's (GPU apart). */
function selfMs(f: FlameProfile): number[] {
  const s = f.slices, self = s.duration.map((d) => d / 1000);
  for (let i = 0; i < self.length; i++) if (s.parent[i]! >= 0 && s.kind[i] !== SliceKind.Gpu) self[s.parent[i]!]! -= s.duration[i]! / 1000;
  return self;
}

/** Whether slice `i` lies inside a slice named `fn` (merged or not). */
function inside(f: FlameProfile, i: number, fn: string): boolean {
  for (let p = f.slices.parent[i]!; p >= 0; p = f.slices.parent[p]!) {
    const name = f.strings[f.slices.name[p]!]!;
    if (name === fn || name === fn + MERGED_CALLS_SUFFIX) return true;
  }
  return false;
}

/** Self time, ms, of `fn`'s runs and of the gap slices in them (everything of the function that is not an op or a callee). */
function ownMs(f: FlameProfile, self: readonly number[], fn: string): number {
  let ms = 0;
  for (let i = 0; i < self.length; i++) {
    const name = f.strings[f.slices.name[i]!]!;
    if (name === fn || name === fn + MERGED_CALLS_SUFFIX || name === gapSliceName(fn)) ms += self[i]!;
  }
  return ms;
}

describe('event-loop idle time between ops in the flame model', function () {
  this.timeout(120_000);
  let run: Run;
  let idle: number[];
  let self: number[];

  before(() => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', FIXTURE], { cwd: root, encoding: 'utf8', timeout: 100_000, maxBuffer: 64 << 20 });
    assert.equal(r.status, 0, r.stderr);
    run = JSON.parse(r.stdout) as Run;
    const s = run.flame.slices, id = run.flame.strings.indexOf(IDLE_SLICE_NAME);
    idle = [];
    for (let i = 0; i < s.name.length; i++) if (s.name[i] === id) idle.push(i);
    self = selfMs(run.flame);
  });

  it("train: the awaits are idle slices inside its run, not its self time", () => {
    const s = run.flame.slices;
    const waitedMs = idle.reduce((a, i) => a + s.duration[i]! / 1000, 0);
    // The timers' 300 ms less what ran between them (a first wait can hold less idle time: the loop had work).
    assert.ok(waitedMs >= 250, `idle slices: ${waitedMs.toFixed(1)} ms of ${WAITS * WAIT_MS}`);
    const inTrain = idle.filter((i) => inside(run.flame, i, 'train'));
    assert.ok(inTrain.length >= WAITS - 2, `${inTrain.length} idle slices in train's run`);
    for (const i of idle) {
      assert.equal(s.kind[i], SliceKind.Function);
      assert.equal(s.location[i], -1, 'the wait is nobody\'s line');
      // It ends where the op after the wait starts.
      const end = s.start[i]! + s.duration[i]!;
      assert.ok(s.kind.some((k, o) => k === SliceKind.Op && Math.abs(s.start[o]! - end) < 5000), "an op follows the wait within 5 ms");
    }
    const trainMs = ownMs(run.flame, self, 'train');
    assert.ok(trainMs < (WAITS * WAIT_MS) / 2, `train's own time ${trainMs.toFixed(1)} ms`);
  });

  it('crunch: time computed between ops stays its own, with no idle slice', () => {
    assert.equal(idle.filter((i) => inside(run.flame, i, 'crunch')).length, 0);
    const crunchMs = ownMs(run.flame, self, 'crunch');
    assert.ok(crunchMs >= 250, `crunch's own time ${crunchMs.toFixed(1)} ms`);
  });

  it('folded: the waits are a frame of their own under train', () => {
    const lines = [...parseFolded(run.folded).keys()];
    assert.ok(lines.some((k) => k.includes(foldedFrameName('train')) && k.endsWith(foldedFrameName(IDLE_SLICE_NAME))), lines.join('\n'));
    assert.ok(!lines.some((k) => k.includes(foldedFrameName('crunch')) && k.includes(foldedFrameName(IDLE_SLICE_NAME))));
  });
});
