/**
 * The report of a run the user stopped (rules/stop-report.ts) is written at once: the rules time no trial
 * (budget COREPY_STOP_RULE_BUDGET_MS, default 0), use the figures already on this machine, and say of a missing
 * one that the run was stopped; the rules run once when nothing new was timed; a trial's sizing runs stop at
 * the deadline; and the CLI says what it does on a stop (audit 32: "killed in 5 s", then it waited).
 * No timing thresholds: what is asserted is which trials ran, not how long they took.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'mocha';
import * as cp from '../../runtime/src/index.js';
import { stopAskedText, stopWaitingText } from '../../runtime/src/cli-stop-text.js';
import { aggregate } from '../../runtime/src/profiler/aggregate.js';
import { runRules, type Recommendation } from '../../runtime/src/profiler/rules/index.js';
import { OutOfBudget, timePair, withDeadline } from '../../runtime/src/profiler/rules/measure.js';
import { isStoppedRun, markStoppedRun, resetStoppedRun, stopBudgetMs } from '../../runtime/src/profiler/rules/stop-report.js';
import { budgetedRun, DEFAULT_BUDGET_MS, resetTimingStore, timingBudgetMs } from '../../runtime/src/profiler/rules/timing-budget.js';
import { readTimings } from '../../runtime/src/profiler/rules/timing-cache-file.js';
import { UNTIMED } from '../../runtime/src/profiler/rules/types.js';
import { snapshot } from '../../runtime/src/profiler/session.js';

/** Profiles a loop of `x.add(i)` on a tensor of `n` elements (one batch-loop site). */
function profileLoop(n: number) {
  cp.enableProfiling({ callSites: 'all' });
  const x = cp.ones([n]);
  cp.tidy(() => { for (let i = 0; i < 40; i++) x.add(i); });
  x.dispose();
  cp.disableProfiling();
  const data = snapshot();
  return { data, agg: aggregate(data) };
}

const batchRec = (recs: Recommendation[]): Recommendation => {
  const r = recs.find((x) => x.rule === 'batch-loop');
  assert.ok(r, `a batch-loop finding among ${recs.map((x) => x.rule).join(', ')}`);
  return r;
};

describe('the report of a stopped run', () => {
  let dir: string;
  let file: string;
  const saved = { cache: process.env['COREPY_TIMINGS_CACHE'], stop: process.env['COREPY_STOP_RULE_BUDGET_MS'], budget: process.env['COREPY_RULE_BUDGET_MS'] };
  const restore = (name: string, v: string | undefined): void => { if (v === undefined) delete process.env[name]; else process.env[name] = v; };
  before(() => { dir = mkdtempSync(join(tmpdir(), 'corepy-stop-')); });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
    restore('COREPY_TIMINGS_CACHE', saved.cache);
    restore('COREPY_STOP_RULE_BUDGET_MS', saved.stop);
    restore('COREPY_RULE_BUDGET_MS', saved.budget);
    resetTimingStore();
  });
  beforeEach(async () => {
    await cp.setBackend('wasm');
    cp.clearProfile();
    file = join(dir, `t${Math.random().toString(36).slice(2)}.json`);
    process.env['COREPY_TIMINGS_CACHE'] = file;
    delete process.env['COREPY_STOP_RULE_BUDGET_MS'];
    delete process.env['COREPY_RULE_BUDGET_MS'];
    resetTimingStore();
    resetStoppedRun();
  });
  afterEach(() => { cp.disableProfiling(); cp.clearProfile(); resetStoppedRun(); });

  it('has a budget of 0 unless COREPY_STOP_RULE_BUDGET_MS gives one; a run that ends by itself keeps the full budget', () => {
    assert.equal(timingBudgetMs({}, true), 0);
    assert.equal(timingBudgetMs({ COREPY_STOP_RULE_BUDGET_MS: '400' }, true), 400);
    assert.equal(timingBudgetMs({ COREPY_STOP_RULE_BUDGET_MS: '-5', COREPY_RULE_BUDGET_MS: '3000' }, true), 0, 'the normal budget does not leak in');
    assert.equal(stopBudgetMs({ COREPY_STOP_RULE_BUDGET_MS: 'soon' }), 0);
    assert.equal(timingBudgetMs({}, false), DEFAULT_BUDGET_MS);
    assert.equal(timingBudgetMs({ COREPY_STOP_RULE_BUDGET_MS: '400' }, false), DEFAULT_BUDGET_MS);
    assert.equal(isStoppedRun(), false);
    markStoppedRun();
    assert.equal(timingBudgetMs({}), 0, 'marked: the default argument follows the mark');
  });

  it('times nothing and says the run was stopped; once the figure is on this machine, a stopped run uses it', () => {
    const { data, agg } = profileLoop(1609);
    markStoppedRun();
    const stopped = batchRec(runRules(data, agg));
    assert.match(stopped.speedupBasis, /^not timed yet: the run was stopped, and the batched rewrite on \[1609\] has no figure on this machine yet/);
    assert.equal(stopped.impact, 'unknown');
    assert.equal(stopped.priority, 'LOW');
    assert.ok(!existsSync(file), 'no trial ran, nothing was written');
    // A run that ends by itself times it (and writes it to the per-machine file)...
    resetStoppedRun();
    const timed = batchRec(runRules(data, agg, {}, 60_000));
    assert.match(timed.speedupBasis, /^rewrite timed now, /);
    assert.equal(readTimings(file).size, 1);
    // ...and a later process's stopped run reads it from there.
    resetTimingStore();
    markStoppedRun();
    const cached = batchRec(runRules(data, agg));
    assert.match(cached.speedupBasis, /^rewrite timed on this machine at .*, cached, /);
    assert.equal(cached.estimatedSpeedup, timed.estimatedSpeedup);
  });

  it('runs the rules once when nothing new was timed (the final pass would repeat the plan)', () => {
    let passes = 0;
    const r = budgetedRun((m) => { passes++; return m.measureBatch('add', 'wasm', [1601], 'float32', 40); }, 0);
    assert.equal(r.result, UNTIMED);
    assert.deepEqual({ timed: r.timed, untimed: r.untimed, passes }, { timed: 0, untimed: 1, passes: 1 });
    // With a figure to use, the final pass runs (the plan's answer was UNTIMED).
    passes = 0;
    const t = budgetedRun((m) => { passes++; return m.measureBatch('add', 'wasm', [1601], 'float32', 40); }, 60_000);
    assert.notEqual(t.result, UNTIMED);
    assert.deepEqual({ timed: t.timed, passes }, { timed: 1, passes: 2 });
  });

  it('a trial past its deadline gives up before its sizing runs (they ran unchecked: 1.0 s of a 2.2 s trial at load 10)', () => {
    let calls = 0;
    const work = (): void => { calls++; };
    assert.throws(() => withDeadline(performance.now() - 1, () => timePair(work, work)), OutOfBudget);
    assert.equal(calls, 0);
  });

  it('the CLI says the script is killed only if it has not begun its report, and how long it then waits', () => {
    const asked = stopAskedText('SIGINT', 5000, 60_000);
    assert.doesNotMatch(asked, /killed in 5 s/);
    assert.match(asked, /^corepy: SIGINT: asking the script to stop and write its report \(killed if it has not begun the report within 5 s, or once 60 s have passed; again to kill it now\)$/);
    assert.match(stopWaitingText(5000, 60_000), /still writing its report 5 s after the stop; waiting for it \(up to 60 s from the stop/);
  });

  it('Ctrl-C to `corepy profile`: the script\'s report says its trial was not timed because the run was stopped', async function () {
    this.timeout(180_000);
    const root = join(__dirname, '..', '..');
    const out = join(dir, 'stopped.json');
    const r = await new Promise<{ status: number | null; stderr: string }>((done, fail) => {
      const p = spawn(process.execPath, ['--import', 'tsx', join(root, 'runtime', 'src', 'cli.ts'), 'profile', join(root, 'test', 'fixtures', 'profiler', 'stop-untimed.mts'),
        '--backend', 'wasm', '--out', out], { cwd: root, env: { ...process.env, COREPY_TIMINGS_CACHE: 'off' }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '', stderr = '', sent = false;
      p.stdout.on('data', (d: Buffer) => { stdout += d.toString(); if (!sent && /READY \d+/.test(stdout)) { sent = true; p.kill('SIGINT'); } });
      p.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
      p.on('error', fail);
      p.on('close', (status) => done({ status, stderr }));
    });
    assert.equal(r.status, 130, r.stderr);
    assert.match(r.stderr, /SIGINT: asking the script to stop and write its report \(killed if it has not begun the report within 5 s/);
    assert.doesNotMatch(r.stderr, /PARTIAL|killing it/);
    // The JSON export is the report (export/json.ts).
    const rec = batchRec((JSON.parse(readFileSync(out, 'utf8')) as { recommendations: Recommendation[] }).recommendations);
    assert.match(rec.speedupBasis, /^not timed yet: the run was stopped, and the batched rewrite on \[1619\] has no figure on this machine yet/);
  });
});
