/**
 * Debug and Profile's pauses leave the flame timeline (extension/src/debug/flame-pauses.ts): ops
 * after a pause move earlier by its length, a function spanning it shrinks by it, the total loses it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { SliceKind, type FlameProfile } from '../../runtime/src/contract/flame.js';
import { withoutPauses } from '../../extension/src/debug/flame-pauses.js';

/** (top level) over the whole run, an op before the pause and two after, a second pause between those. */
function profile(): FlameProfile {
  return {
    version: 1, title: 't', strings: ['(top level)', 'add', 'mul'], locations: [],
    slices: {
      name: [0, 1, 2, 2], kind: [SliceKind.Function, SliceKind.Op, SliceKind.Op, SliceKind.Op],
      start: [0, 100, 5_000_300, 7_000_500], duration: [7_000_700, 50, 100, 100],
      depth: [0, 1, 1, 1], location: [-1, -1, -1, -1], backend: [-1, 0, 0, 0], parent: [-1, 0, 0, 0],
    },
    totalUs: 7_000_800, droppedEvents: 0,
  };
}

describe("flame timeline without the debugger's pauses", () => {
  it('moves what follows a pause earlier by its length, shrinks what spans it, and the total', () => {
    // 5 s paused from 200 µs on, 2 s from 5,000,400 µs on.
    const out = withoutPauses(profile(), [{ startUs: 200, durationUs: 5_000_000 }, { startUs: 5_000_400, durationUs: 2_000_000 }]);
    assert.deepEqual(out.slices.start, [0, 100, 300, 500]);
    assert.deepEqual(out.slices.duration, [700, 50, 100, 100]);
    assert.equal(out.totalUs, 800);
    // Everything else as it was.
    assert.deepEqual(out.slices.name, profile().slices.name);
    assert.deepEqual([out.strings, out.slices.parent, out.slices.depth], [profile().strings, profile().slices.parent, profile().slices.depth]);
  });

  it('no pauses: the same profile', () => {
    const p = profile();
    assert.equal(withoutPauses(p, []), p);
  });
});
