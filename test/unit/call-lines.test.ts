/**
 * Inclusive op time per calling line (audit 23): a script whose ops are all issued in another module
 * (test/fixtures/profiler/call-lines.mts calls forward() of call-lines-model.mts from two lines in turn) gets
 * `callLines` in its report: each calling line's op time is the sum of the ops issued inside its
 * calls, told apart here by their input shape, and the two lines calling forward are two rows. Each
 * run is its own process (the recorder's stack sampling is per process).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'mocha';
import Ajv from 'ajv';
import type { CallLineStats, ProfileReport } from '../../runtime/src/contract/report.js';
import { MERGED_CALLS_SUFFIX, SliceKind, type FlameProfile } from '../../runtime/src/contract/flame.js';
import { shortPath } from '../../runtime/src/profiler/format-lines.js';
import { renderMarkdown, renderText } from '../../runtime/src/profiler/format-text.js';

const root = join(__dirname, '..', '..');
const MAIN = join(root, 'test', 'fixtures', 'profiler', 'call-lines.mts');
const MODEL = join(root, 'test', 'fixtures', 'profiler', 'call-lines-model.mts');

interface Ev { op: string; shape: number[]; ms: number; site: { file: string; line: number } | null; stack: number }
interface Run { report: ProfileReport; events: Ev[]; flame: FlameProfile; api: CallLineStats[] | undefined }

const lineOf = (file: string, marker: string): number => readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(marker)) + 1;

function run(rounds: number, phases = false, maxEvents?: number): Run {
  const r = spawnSync(process.execPath, ['--import', 'tsx', MAIN], {
    cwd: root, encoding: 'utf8', timeout: 100_000, maxBuffer: 256 << 20,
    env: { ...process.env, CALL_LINES_ROUNDS: String(rounds), CALL_LINES_PHASES: phases ? '1' : '0', ...(maxEvents ? { CALL_LINES_MAX_EVENTS: String(maxEvents) } : {}) },
  });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Run;
}

function row(r: Run, file: string, marker: string): CallLineStats {
  const line = lineOf(file, marker);
  const found = r.report.callLines?.filter((c) => c.location.file === file && c.location.line === line) ?? [];
  assert.equal(found.length, 1, `one row for ${marker} (line ${line}): ${JSON.stringify(r.report.callLines)}`);
  return found[0]!;
}

const sum = (evs: readonly Ev[]): number => evs.reduce((t, e) => t + e.ms, 0);
const inModel = (e: Ev): boolean => e.site?.file === MODEL;
const close = (a: number, b: number, what: string): void => assert.ok(Math.abs(a - b) <= 1e-9 * Math.max(1, b), `${what}: ${a} vs ${b}`);

describe('call lines: inclusive op time on the lines that call', function () {
  this.timeout(120_000);

  describe('every stack captured (fewer ops per line than STACK_FIRST)', () => {
    let r: Run;
    before(() => { r = run(3); });

    it('each calling line has the op time of the ops issued inside its calls', () => {
      const small = r.events.filter((e) => inModel(e) && e.shape[0] === 64), big = r.events.filter((e) => inModel(e) && e.shape[0] === 4096);
      assert.equal(small.length, 6);
      assert.equal(big.length, 6);
      const a = row(r, MAIN, '// CALL_SMALL'), b = row(r, MAIN, '// CALL_BIG');
      assert.notEqual(a.location.line, b.location.line, 'the two lines calling forward are two rows');
      assert.equal(a.ops, 6); close(a.opMs, sum(small), 'CALL_SMALL');
      assert.equal(b.ops, 6); close(b.opMs, sum(big), 'CALL_BIG');
      // forward's call of the local scale(): every mul, from both callers.
      const scaled = row(r, MODEL, '// FORWARD_CALL'), muls = r.events.filter((e) => e.op === 'mul');
      assert.equal(scaled.ops, muls.length); close(scaled.opMs, sum(muls), 'FORWARD_CALL');
      // The top level's call of main(): every op, main's own `ones` included.
      const top = row(r, MAIN, '// CALL_MAIN');
      assert.equal(top.ops, r.events.length); close(top.opMs, sum(r.events), 'CALL_MAIN');
      close(top.percent, (100 * top.opMs) / r.report.totalTimeMs, 'percent of op time');
    });

    it('a line that only issues ops gets no call-line row (its ops are its callSites rows)', () => {
      for (const [file, marker] of [[MAIN, '// MAIN_OP'], [MODEL, '// SCALE_OP'], [MODEL, '// FORWARD_OP']] as const) {
        const line = lineOf(file, marker);
        assert.ok(!r.report.callLines!.some((c) => c.location.file === file && c.location.line === line), marker);
        assert.ok(r.report.callSites.some((s) => s.location?.file === file && s.location.line === line), `${marker} is a call site`);
      }
      assert.equal(r.report.callLines!.length, 4, JSON.stringify(r.report.callLines));
    });

    it('the flame graph draws each call of forward on its own (consecutive calls from two lines are two calls)', () => {
      const f = r.flame, names = f.slices.name.map((n) => f.strings[n]!);
      const runs = names.filter((n, i) => f.slices.kind[i] === SliceKind.Function && (n === 'forward' || n === 'forward' + MERGED_CALLS_SUFFIX));
      // Before call lines, forward(small) and forward(big) had one stack: one run over all six calls, named as merging calls.
      assert.deepEqual(runs, Array(6).fill('forward'));
    });

    it('profileReport() has the same call lines (from the rules\' columns, not records)', () => {
      assert.deepEqual(r.api, r.report.callLines);
    });

    it('validates against the report schema', () => {
      const schema = JSON.parse(readFileSync(join(root, 'runtime', 'schemas', 'profile-report.schema.json'), 'utf8'));
      const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
      assert.ok(validate(r.report), JSON.stringify(validate.errors));
    });
  });

  describe('sampled stacks (hundreds of ops per line)', () => {
    let r: Run;
    before(() => { r = run(400); });

    it('the calling lines split the ops that carry a stack, and the top level covers all of them', () => {
      const stacked = r.events.filter((e) => e.stack >= 0), model = stacked.filter(inModel);
      const a = row(r, MAIN, '// CALL_SMALL'), b = row(r, MAIN, '// CALL_BIG'), top = row(r, MAIN, '// CALL_MAIN');
      // Every op in forward went through one of the two lines: the two rows partition them.
      assert.equal(a.ops + b.ops, model.length);
      close(a.opMs + b.opMs, sum(model), 'CALL_SMALL + CALL_BIG');
      assert.equal(top.ops, stacked.length); close(top.opMs, sum(stacked), 'CALL_MAIN');
      // Ops between captures take their line's last captured stack; holds are random, so half from each line here, not all the last one's.
      const share = a.ops / (a.ops + b.ops);
      assert.ok(share > 0.4 && share < 0.6, `CALL_SMALL's share ${share}`);
    });
  });

  for (const rounds of [300, 3000]) {
    describe(`one calling line after the other (${rounds} calls, then ${rounds >> 1} from another line)`, () => {
      let r: Run;
      before(() => { r = run(rounds, true); });

      it('each calling line gets about the ops of its own calls (audit 28: the later line got none)', () => {
        const model = r.events.filter((e) => e.stack >= 0 && inModel(e));
        const small = model.filter((e) => e.shape[0] === 64).length;
        const a = row(r, MAIN, '// CALL_SMALL'), b = row(r, MAIN, '// CALL_BIG');
        assert.equal(a.ops + b.ops, model.length);
        // The true split is known from the inputs' shapes; sampled stacks may miss it by what a hold spans at the change
        // (0.68–0.73 for 0.667 here, more under load); the bug gave 0.83 at 3000 and 1.0 at 300.
        const share = a.ops / model.length, truth = small / model.length;
        assert.ok(Math.abs(share - truth) < 0.1, `CALL_SMALL's share ${share.toFixed(3)}, truly ${truth.toFixed(3)} (${a.ops} / ${b.ops} ops)`);
      });
    });
  }
  describe('the text and Markdown reports (audit 30: only the JSON and the editor had the calling lines)', () => {
    let r: Run;
    before(() => { r = run(300, true); });

    it('list each calling line with its op time, share and ops, as the JSON report has them', () => {
      const text = renderText(r.report, { color: false, width: 200 }), md = renderMarkdown(r.report);
      assert.match(text, /^Calling lines \(op time of the ops inside the calls each line makes, from sampled call stacks\):$/m);
      assert.match(md, /^## Calling lines$/m);
      for (const marker of ['// CALL_SMALL', '// CALL_BIG', '// CALL_MAIN']) {
        const c = row(r, MAIN, marker), where = `${shortPath(c.location.file)}:${c.location.line}`;
        const textRow = text.split('\n').find((l) => l.trimStart().startsWith(where + ' '));
        assert.ok(textRow !== undefined && textRow.endsWith(` ${c.ops} ops`), `text row for ${marker}: ${textRow}`);
        assert.ok(md.includes(`| \`${where}\` |`) && md.includes(`| ${c.ops} |`), `Markdown row for ${marker}`);
      }
      // Lines come from stack captures here (no static sites under this launch): the overhead line names their unit.
      assert.match(text, /µs per call-site capture/);
    });
  });

  describe('a run longer than the event ring (audit 30: the call lines counted only the retained events)', () => {
    let r: Run;
    // 1 500 calls, then 750 from the other line: 4 500 ops in forward's lines, the ring keeps the last 1 000 events (all the second line's).
    before(() => { r = run(1500, true, 1000); });

    it('each calling line gets about the ops of its own calls, every op counted', () => {
      const a = row(r, MAIN, '// CALL_SMALL'), b = row(r, MAIN, '// CALL_BIG'), top = row(r, MAIN, '// CALL_MAIN');
      assert.ok(r.events.length <= 1000, `the ring kept ${r.events.length} events`);
      // forward issues two ops per call: 2 · (1 500 + 750), each through one of the two lines, all through main's call.
      assert.equal(a.ops + b.ops, 2 * (1500 + 750));
      assert.ok(top.ops >= a.ops + b.ops, `CALL_MAIN ${top.ops} ops`);
      // The bug counted the ring's events only (all the second line's: a share near 0). The split itself is sampled, and
      // a caller that takes over with no pause leaves the held ops with the one before until the next capture at that
      // line, more under load (0.78–0.80 in a clean-clone CI at load ~13; stack-caller-switch.test.ts holds the exact case).
      const share = a.ops / (a.ops + b.ops);
      assert.ok(Math.abs(share - 2 / 3) < 0.2, `CALL_SMALL's share ${share.toFixed(3)} (${a.ops} / ${b.ops} ops), truly 0.667`);
      // Op time is every op's too: the calling lines' percent of the run's op time adds up to about forward's share, not the ring's.
      assert.ok(a.percent + b.percent > 50, `percent ${a.percent.toFixed(1)} + ${b.percent.toFixed(1)}`);
    });
  });
});
