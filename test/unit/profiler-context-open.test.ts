/**
 * Contexts still open when a report is made (audit 21 N9): a report made inside a context, or the
 * final report of a script stopped inside one, counts each open context once with its wall time up
 * to the report (so at least the op time issued inside it), nests open children in open parents,
 * and gives the flame model their spans; the recorder's own statistics wait for the real close.
 * Real ops on the js backend, and a real `corepy profile` run stopped by Ctrl-C inside a context.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, it } from 'mocha';
import * as cp from '../../runtime/src/index.js';
import type { ProfileReport } from '../../runtime/src/contract/report.js';
import { snapshot } from '../../runtime/src/profiler/session.js';

const root = join(__dirname, '..', '..');

/** Busy-waits `ms` (wall time inside a context without ops). */
function spin(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) { /* busy */ }
}

describe('profiler: contexts open when the report is made', function () {
  this.timeout(120000);
  afterEach(() => { cp.disableProfiling(); cp.clearProfile({ segments: true }); });

  it('a report made inside a context counts it once, with its wall time so far (≥ its op time); nested open ones too', () => {
    cp.enableProfiling({ warmUp: false });
    const x = cp.randn([64, 64]);
    let inside: ProfileReport | null = null;
    cp.profileContext('outer', () => {
      cp.profileContext('closed', () => cp.matmul(x, x).dispose());
      cp.profileContext('inner', () => {
        for (let i = 0; i < 20; i++) cp.matmul(x, x).dispose();
        spin(5);
        inside = cp.profileReport({ format: 'json' });
      });
    });
    const r = inside! as ProfileReport;
    const { outer, inner, closed } = r.contexts;
    assert.ok(outer && inner && closed, `contexts: ${Object.keys(r.contexts).join(', ')}`);
    assert.equal(inner.count, 1, 'the open context is counted once');
    assert.equal(outer.count, 1, 'its open parent too');
    assert.equal(closed.count, 1, 'a closed one as before');
    assert.equal(inner.opCount, 20);
    assert.ok(inner.totalTimeMs >= 5, `inner wall ${inner.totalTimeMs} ms holds the 5 ms spin`);
    assert.ok(inner.totalTimeMs >= inner.opTimeMs, `inner wall ${inner.totalTimeMs} ≥ op time ${inner.opTimeMs}`);
    assert.ok(outer.totalTimeMs >= inner.totalTimeMs + closed.totalTimeMs, 'the parent holds both children');
    // The open child's wall so far is the parent's child time: self = wall − children.
    assert.ok(Math.abs(outer.selfTimeMs - (outer.totalTimeMs - inner.totalTimeMs - closed.totalTimeMs)) < 1e-6, `outer self ${outer.selfTimeMs}`);
    // Closed now: counted once, by its real span (the report above changed no statistics).
    const after = cp.profileReport({ format: 'json' }).contexts;
    assert.equal(after['inner']!.count, 1);
    assert.equal(after['outer']!.count, 1);
    assert.ok(after['inner']!.totalTimeMs >= inner.totalTimeMs);
  });

  it('an open context that was entered before: its closed spans plus the open one', () => {
    cp.enableProfiling({ warmUp: false });
    const x = cp.randn([16]);
    for (let i = 0; i < 3; i++) cp.profileContext('step', () => cp.add(x, x).dispose());
    const ctx = new cp.ProfileContext('step');
    cp.add(x, x).dispose();
    spin(2);
    const r = cp.profileReport({ format: 'json' }).contexts['step']!;
    ctx[Symbol.dispose]();
    assert.equal(r.count, 4, '3 closed + 1 open');
    assert.equal(r.opCount, 4);
    assert.ok(r.maxMs >= 2, `the open one's wall so far (max ${r.maxMs} ms)`);
  });

  it('the open context is a span of the flame model and of the snapshot, up to the report', () => {
    cp.enableProfiling({ warmUp: false });
    const x = cp.randn([16]);
    cp.profileContext('open', () => {
      cp.add(x, x).dispose();
      const d = snapshot(false, { events: 'columns' }), spans = d.columns!.spans;
      const id = d.contexts.findIndex((c) => c.name === 'open');
      assert.equal(spans.length, 1);
      assert.equal(spans.context[0], id);
      assert.equal(spans.endMs[0], d.endMs, 'ends at the snapshot');
      const records = snapshot(false).spans;
      assert.deepEqual(records.map((s) => s.context), [id]);
      const flame = cp.getFlameProfile();
      const names = flame.slices.name.map((n) => flame.strings[n]);
      const at = names.indexOf('open'), op = names.indexOf('add');
      assert.ok(at >= 0 && op >= 0, `slices: ${names.join(', ')}`);
      assert.ok(flame.slices.depth[op]! > flame.slices.depth[at]!, 'the op nests in the open context');
    });
  });

  it('while profiling is paused, an open context\'s wall time stops at the pause', () => {
    cp.enableProfiling({ warmUp: false });
    const x = cp.randn([16]);
    cp.profileContext('paused', () => {
      cp.add(x, x).dispose();
      cp.disableProfiling();
      spin(30);
      const r = cp.profileReport({ format: 'json' }).contexts['paused']!;
      assert.equal(r.count, 1);
      assert.ok(r.totalTimeMs < 30, `wall ${r.totalTimeMs} ms stops at the pause, not at the report 30 ms later`);
    });
  });

  it('corepy profile, Ctrl-C inside a context running a synchronous loop of ops: the context once, wall ≥ its op time', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'corepy-open-ctx-')), 'report.json');
    const r = await new Promise<{ status: number | null; stdout: string; stderr: string }>((done, fail) => {
      const p = spawn(process.execPath, ['--import', 'tsx', join(root, 'runtime', 'src', 'cli.ts'), 'profile',
        join(root, 'test', 'fixtures', 'profiler', 'context-stop.mts'), '--backend', 'js', '--out', out],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '', stderr = '', sent = false;
      p.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (!sent && /READY \d+/.test(stdout)) { sent = true; setTimeout(() => p.kill('SIGINT'), 1500); }
      });
      p.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
      p.on('error', fail);
      p.on('close', (status) => done({ status, stdout, stderr }));
    });
    assert.equal(r.status, 130, r.stderr);
    assert.match(r.stderr, /the script stopped on SIGINT \(exit 130\)/);
    const report = JSON.parse(readFileSync(out, 'utf8')) as ProfileReport;
    const train = report.contexts['train'];
    assert.ok(train, `contexts: ${Object.keys(report.contexts).join(', ')}`);
    assert.equal(train.count, 1, 'entered once, still open at the stop');
    assert.ok(train.opCount > 0);
    assert.ok(train.totalTimeMs > 0 && train.totalTimeMs >= train.opTimeMs, `train wall ${train.totalTimeMs} ms, op time ${train.opTimeMs} ms`);
    assert.equal(report.contexts['done']?.count, 1);
  });
});
