/**
 * Contexts end innermost first (issue 14, Build 6): ending an outer context while one opened inside
 * it is still open is an error naming the open one, and the outer context does not come back to
 * collect ops after the inner one ends.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'mocha';
import * as cp from '../../runtime/src/index.js';

describe('ProfileContext end order', () => {
  afterEach(() => { cp.disableProfiling(); cp.clearProfile(); });

  it('ending a context while a nested one is open throws, naming the open one', () => {
    cp.enableProfiling({ callSites: 'off' });
    const outer = new cp.ProfileContext('outer');
    const inner = new cp.ProfileContext('inner');
    assert.throws(() => outer[Symbol.dispose](), /ProfileContext 'outer' ended while 'inner', opened inside it, is still open; end 'inner' first/);
    inner[Symbol.dispose]();
    outer[Symbol.dispose]();
    // Both closed in order: an op now belongs to no context.
    cp.ones([2]).dispose();
    const r = cp.profileReport({ format: 'json' });
    assert.equal(r.contexts['outer']!.count, 1);
    assert.equal(r.contexts['inner']!.count, 1);
    assert.equal(r.contexts['outer']!.opCount, 0, 'no op after the end was charged to outer');
  });

  it('in order, with using, nothing throws', () => {
    cp.enableProfiling({ callSites: 'off' });
    {
      using _a = new cp.ProfileContext('a');
      using _b = new cp.ProfileContext('b');
      cp.ones([2]).dispose();
    }
    const r = cp.profileReport({ format: 'json' });
    assert.equal(r.contexts['b']!.opCount, 1);
    assert.equal(r.contexts['a']!.opCount, 1);
  });
});
