/**
 * Contexts across `await` (issue 14, Build 6): a context opened inside an async callee does not
 * collect its caller's ops, concurrent contexts keep their own ops, and a context that has ended
 * collects nothing more — with real ops on the js backend, read back from the recorded events.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'mocha';
import * as cp from '../../runtime/src/index.js';
import { contextPath } from '../../runtime/src/profiler/context.js';
import { SyncContextStorage } from '../../runtime/src/profiler/context-storage.js';
import { snapshot } from '../../runtime/src/profiler/session.js';

const tick = (ms = 1): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Each recorded op as `op@context/path` ('' = no context), in issue order. */
function attributed(): string[] {
  const d = snapshot();
  return d.events.map((e) => `${e.op}@${contextPath(e.context, d.contexts).join('/')}`);
}

describe('contexts across await', () => {
  let a: cp.Tensor;
  beforeEach(async () => {
    await cp.setBackend('js');
    a = cp.ones([4]);
    // From an empty recording: what an earlier suite left (disabled, not cleared) would be an earlier segment of this one.
    cp.disableProfiling();
    cp.clearProfile();
    cp.enableProfiling({ callSites: 'off' });
  });
  afterEach(() => { cp.disableProfiling(); cp.clearProfile(); });

  it('profileContext in an async callee: the caller\'s ops before, during and after the await are its own', async () => {
    const callee = (): Promise<void> => cp.profileContext('inner', async () => {
      a.add(a);
      await tick(5);
      a.mul(a);
    });
    a.neg();
    const p = callee();
    a.sub(a); // runs while the callee is suspended
    await p;
    a.div(a);
    assert.deepEqual(attributed(), ['neg@', 'add@inner', 'sub@', 'mul@inner', 'div@']);
  });

  it('two concurrent profileContext calls keep their own ops and do not nest', async () => {
    const worker = (name: string, op: 'exp' | 'abs'): Promise<void> => cp.profileContext(name, async () => {
      for (let i = 0; i < 3; i++) { await tick(1 + (name === 'B' ? 1 : 0)); a[op](); }
    });
    await Promise.all([worker('A', 'exp'), worker('B', 'abs')]);
    a.neg();
    const got = attributed();
    assert.deepEqual(got.filter((s) => s.startsWith('exp')), ['exp@A', 'exp@A', 'exp@A']);
    assert.deepEqual(got.filter((s) => s.startsWith('abs')), ['abs@B', 'abs@B', 'abs@B']);
    assert.equal(got.at(-1), 'neg@');
    const r = cp.profileReport({ format: 'json' });
    assert.equal(r.contexts['A']!.opCount, 3);
    assert.equal(r.contexts['B']!.opCount, 3);
  });

  it('concurrent profiled() async functions are kept apart', async () => {
    const load = cp.profiled(async (n: number) => { await tick(n); return a.exp(); }, 'load');
    const save = cp.profiled(async (n: number) => { await tick(n); return a.abs(); }, 'save');
    await Promise.all([load(2), save(1), load(1)]);
    const got = attributed().sort();
    assert.deepEqual(got, ['abs@save', 'exp@load', 'exp@load']);
  });

  it('using in an async callee: the caller\'s ops after `await callee()` are not charged to it', async () => {
    async function callee(): Promise<void> {
      using _ctx = new cp.ProfileContext('inner');
      a.add(a);
      await tick(2);
      a.mul(a);
    }
    async function caller(): Promise<void> {
      await callee();
      a.div(a);
      await tick(1);
      a.sqrt();
    }
    await caller();
    a.abs();
    assert.deepEqual(attributed(), ['add@inner', 'mul@inner', 'div@', 'sqrt@', 'abs@']);
    assert.equal(cp.profileReport({ format: 'json' }).contexts['inner']!.opCount, 2);
  });

  it('a context that has ended collects nothing, even in continuations scheduled while it was open', async () => {
    const ctx = new cp.ProfileContext('short');
    const later = tick(3).then(() => a.exp()); // scheduled inside 'short'
    a.neg();
    ctx[Symbol.dispose]();
    await later;
    a.abs();
    assert.deepEqual(attributed(), ['neg@short', 'exp@', 'abs@']);
  });

  it('a context nested in an ended one is attributed to its open ancestors only', async () => {
    await cp.profileContext('outer', async () => {
      const ctx = new cp.ProfileContext('step');
      const later = tick(2).then(() => a.exp());
      ctx[Symbol.dispose]();
      await later;
      a.abs();
    });
    assert.deepEqual(attributed(), ['exp@outer', 'abs@outer']);
  });
});

describe('SyncContextStorage (hosts without node:async_hooks)', () => {
  it('run sets the store for the synchronous call and restores it, even when the call throws', () => {
    const s = new SyncContextStorage<string>();
    assert.equal(s.getStore(), undefined);
    assert.equal(s.run('a', () => s.run('b', () => s.getStore()) + s.getStore()), 'ba');
    assert.throws(() => s.run('c', () => { throw new Error('boom'); }), /boom/);
    assert.equal(s.getStore(), undefined);
    s.enterWith('d');
    assert.equal(s.getStore(), 'd');
  });
});
