/**
 * A context's first entry leaves out the profiler's capture work, the first captures' included
 * (audit 21 N10): five entries of a context around 4 warmed ops read 3.3 ms with sampled call sites
 * against 1.8 ms with them off, the excess in the first entry. The captures themselves were left out
 * already; what stayed in was the rest of the capture path run untimed — the bookkeeping after a
 * capture (the stack mix, a new site's tables) and, at the first captures of a process, V8 compiling
 * each function of the path on its first call. The recorder now charges an op from before its
 * call-site capture to after its stack (Recorder.observe), and runs the capture path once when a
 * recorder in that mode is created (recorder.ts warmCapturePath).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, it } from 'mocha';
import * as cp from '../../runtime/src/index.js';
import { snapshot } from '../../runtime/src/profiler/session.js';
import { ContextStacks } from '../../runtime/src/profiler/context-stacks.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/profiler/first-context-entry.mts', import.meta.url));

/** Busy-waits `ms` of wall time. */
function spin(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) { /* wait */ }
}

describe('a context\'s first entry leaves out the profiler\'s capture work', () => {
  const { add, grow } = ContextStacks.prototype;
  afterEach(() => {
    ContextStacks.prototype.add = add;
    ContextStacks.prototype.grow = grow;
    cp.disableProfiling();
    cp.clearProfile();
  });

  it('the bookkeeping of a capture (a new site\'s tables, the per-context stacks) is charged to the context with the capture', async () => {
    await cp.setBackend('js');
    const x = cp.ones([8]);
    cp.enableProfiling({ callSites: 'all' });
    cp.clearProfile(); // a fresh recorder: the op's site is new to it
    // Made slow here so that their time cannot hide in the noise: each is a wall-clock lower bound.
    ContextStacks.prototype.grow = function (this: ContextStacks, sites: number): void { spin(10); grow.call(this, sites); };
    ContextStacks.prototype.add = function (this: ContextStacks, site: number, stack: number, ctx: number): void { spin(10); add.call(this, site, stack, ctx); };
    cp.profileContext('first-entry-bookkeeping', () => { x.add(x).dispose(); });
    const d = snapshot();
    const step = d.contexts.findIndex((c) => c.name === 'first-entry-bookkeeping');
    const span = d.spans.find((s) => s.context === step)!;
    const row = d.contextCells.find((c) => c.context === step)!;
    const charged = span.endMs - span.startMs - row.totalMs;
    assert.equal(d.events.filter((e) => e.context === step).length, 1);
    // Before, both ran outside the timed capture: 20 ms stayed in the context's wall time.
    assert.ok(charged >= 20, `charged ${charged} ms to the context, the bookkeeping took ≥ 20 ms`);
    assert.ok(row.totalMs < span.endMs - span.startMs - 20, `context ${row.totalMs} ms of a ${span.endMs - span.startMs} ms span`);
    x.dispose();
  });

  it('fresh processes: the first entry\'s time not charged to the profiler is about the same with sampled, all and off', () => {
    interface Run { mode: string; ops: number; ownMs: number; opMs: number; chargedMs: number }
    const run = (mode: string): Run => JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', FIXTURE, mode], { encoding: 'utf8', timeout: 60000 }).trim().split('\n').pop()!) as Run;
    // What the callback took that is neither its ops' recorded time nor the profiler time charged to
    // the context: the user's code between ops (none here) and the recorder's untimed per-op work,
    // which 'off' has too. Preemption and GC only add to it, so the least over trials is kept.
    const least: Record<string, number> = { off: Infinity, sampled: Infinity, all: Infinity };
    const seen: string[] = [];
    const within = (): boolean => ['sampled', 'all'].every((m) => least[m]! < least.off! + Math.max(0.3, 0.5 * least.off!));
    for (let trial = 0; trial < 4 && !(trial > 0 && within()); trial++) {
      for (const mode of ['off', 'sampled', 'all']) {
        const r = run(mode);
        assert.equal(r.ops, 4, `${mode}: the context's 4 ops`);
        if (mode !== 'off') assert.ok(r.chargedMs > 0, `${mode}: captures were charged`);
        const untimed = r.ownMs - r.opMs - r.chargedMs;
        least[mode] = Math.min(least[mode]!, untimed);
        seen.push(`${mode} ${untimed.toFixed(3)}`);
      }
    }
    // Before, the first captures' untimed path added 0.6–0.9 ms here (least over 4 trials: sampled
    // 0.95–1.20 ms, all 0.90–1.09, off 0.27–0.39; load ~10); now sampled and all are within ~0.1 ms of off.
    assert.ok(within(), `least untimed ms: off ${least.off}, sampled ${least.sampled}, all ${least.all} (runs: ${seen.join(', ')})`);
  });
});
