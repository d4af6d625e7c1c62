/**
 * The profiler's event ring (profiler/ring.ts): slots are found by sequence number only while the
 * event is retained — never before it is written, never after it is overwritten — without the
 * ring touching its memory up front.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { EventRing, F_START, F_STRIDE } from '../../runtime/src/profiler/ring.js';

describe('event ring', () => {
  it('finds an event\'s slot only while it is retained', () => {
    const ring = new EventRing(4);
    for (const id of [-1, 0, 1, 4]) assert.equal(ring.slotOf(id), -1, `slot of ${id} before any write`);
    for (let id = 0; id < 6; id++) {
      const slot = ring.claim(id);
      ring.f[slot * F_STRIDE + F_START] = 100 + id;
    }
    assert.equal(ring.written, 6);
    assert.equal(ring.dropped, 2);
    for (const id of [0, 1]) assert.equal(ring.slotOf(id), -1, `event ${id} was overwritten`);
    for (let id = 2; id < 6; id++) {
      const slot = ring.slotOf(id);
      assert.equal(slot, id % 4);
      assert.equal(ring.f[slot * F_STRIDE + F_START], 100 + id);
    }
    for (const id of [6, 7, 100]) assert.equal(ring.slotOf(id), -1, `event ${id} not written yet`);
  });
});
