/**
 * A tensor whose `dispose()` was forgotten gives its storage back once it is garbage-collected —
 * whether it was made outside any `tidy`, or made inside and escaped the outermost scope (returned
 * or `keep`-ed): only those are registered with the FinalizationRegistry, since a scope disposes
 * every other tensor it saw (registering all of them cost most of a small op's time).
 * The collector is reached through V8's `--expose-gc`, set at run time.
 */
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { before, describe, it } from 'mocha';
import * as cp from '../../runtime/src/index.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Collects until `done()` (finalizers run as tasks after a collection), at most `tries` × ~20 ms. */
async function collectUntil(done: () => boolean, tries = 100): Promise<boolean> {
  for (let i = 0; i < tries && !done(); i++) {
    gc();
    await new Promise((r) => setTimeout(r, 20));
  }
  return done();
}

/** Runs `make` in a frame of its own so nothing here keeps the tensors it makes reachable. */
function forget(make: () => void): void {
  make();
}

describe('forgotten tensors are released when collected', () => {
  before(async () => {
    await cp.setBackend('wasm');
  });

  const cases: [string, () => void][] = [
    ['made outside tidy', () => { cp.ones([1000]); }],
    ['returned from tidy', () => { cp.tidy(() => cp.ones([1000]).add(1)); }],
    ['returned through nested tidy scopes', () => { cp.tidy(() => cp.tidy(() => [cp.ones([1000])])); }],
    ['kept inside tidy', () => { cp.tidy(() => { cp.keep(cp.ones([1000])); }); }],
  ];
  for (const [what, make] of cases) {
    it(what, async () => {
      await collectUntil(() => false, 3); // settle earlier tests' garbage first
      const before = cp.memory().tensors;
      forget(make);
      assert.ok(cp.memory().tensors > before, 'the tensor is live before collection');
      assert.ok(await collectUntil(() => cp.memory().tensors <= before), `live tensors ${cp.memory().tensors}, want ${before}`);
    });
  }

  it('tensors a tidy disposes are gone at once (nothing left for the collector)', () => {
    const before = cp.memory();
    cp.tidy(() => { cp.ones([1000]).add(2).mul(3); });
    assert.equal(cp.memory().tensors, before.tensors);
  });
});
