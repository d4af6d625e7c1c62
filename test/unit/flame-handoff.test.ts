/**
 * The inline adapter's `corepyReport` event carries a key, not the flame model: a custom event
 * goes extension host → window → extension host, and a long run's model (~5 MB of JSON) made that
 * trip take seconds after Stop (re-audit 13, N2). The model reaches the store in-process.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { keepFlame, takeFlame } from '../../extension/src/debug/flame-handoff.js';
import type { ProfileReportMessage } from '../../extension/src/debug/protocol.js';
import { reportEventBody } from '../../extension/src/debug/session.js';
import { ProfileStore } from '../../extension/src/profile-store.js';

/** A final report whose flame model has `n` slices (a 100k-event ring gives ~5 MB of JSON). */
function finalReport(n: number): ProfileReportMessage {
  const col = (v: number) => Array.from({ length: n }, (_, i) => v + i);
  const flame = {
    version: 1, title: 'big.js', strings: ['matmul'], locations: [], totalUs: n,
    slices: { name: col(0).map(() => 0), start: col(0), duration: col(1).map(() => 1), depth: col(0).map(() => 0) }, droppedEvents: 0,
  } as unknown as ProfileReportMessage['flame'];
  return { type: 'corepyReport', report: null as unknown as ProfileReportMessage['report'], recommendations: [], flame };
}

describe('flame hand-off (inline adapter → extension)', () => {
  it('the inline adapter\'s event has no flame model, only its key; the extension gets the same object back', () => {
    const msg = finalReport(100_000);
    const body = reportEventBody(msg, null, 143, null, true, keepFlame);
    assert.equal(body.flame, null);
    assert.equal(typeof body.flameKey, 'string');
    const eventJson = JSON.stringify(body).length;
    assert.ok(eventJson < 1000, `event JSON is ${eventJson} chars, flame model ${JSON.stringify(msg.flame).length}`);
    const back = takeFlame(body);
    assert.equal(back.flame, msg.flame, 'the very model, not a copy');
    assert.equal('flameKey' in back, false);
    assert.equal(back.stopped, true);
    assert.equal(back.exitCode, 143);
    const store = new ProfileStore();
    store.startRun('/w/big.js');
    store.finishRun(back);
    assert.equal(store.run?.flame, msg.flame);
    assert.equal(store.run?.status, 'finished');
  });

  it('the standalone adapter (no hand-off) still sends the model in the event', () => {
    const msg = finalReport(10);
    const body = reportEventBody(msg, null, 0, null, false);
    assert.equal(body.flame, msg.flame);
    assert.equal(body.flameKey, undefined);
    assert.equal(takeFlame(body), body, 'a body without a key passes through');
  });

  it('a partial run has no flame and no key', () => {
    const body = reportEventBody(null, null, null, 'SIGKILL', false, keepFlame);
    assert.equal(body.partial, true);
    assert.equal(body.flame, null);
    assert.equal(body.flameKey, undefined);
  });

  it('a kept model is handed out once, and at most a few wait (none leaks when an event never comes back)', () => {
    const first = reportEventBody(finalReport(1), null, 0, null, false, keepFlame);
    assert.notEqual(takeFlame(first).flame, null);
    assert.equal(takeFlame(first).flame, null, 'taken already');
    const bodies = Array.from({ length: 6 }, () => reportEventBody(finalReport(1), null, 0, null, false, keepFlame));
    assert.equal(takeFlame(bodies[0]!).flame, null, 'the oldest was let go');
    assert.notEqual(takeFlame(bodies[5]!).flame, null);
  });
});
