/**
 * undisposed-tensors where the loop body IS in cp.tidy and the leak is what tidy returns (audit,
 * MEDIUM): tidy keeps its function's result alive for the caller, and a caller that drops it leaks
 * one tensor per iteration. The rule used to say "A tensor made outside cp.tidy … Wrap the loop body
 * in cp.tidy", advice that changes nothing there; it now points at the tidy call and says to dispose
 * its result or return nothing, with a quick fix where the result is dropped.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, it } from 'mocha';
import * as cp from '../../runtime/src/index.js';
import { applyFixes } from '../../runtime/src/profiler/rules/ast.js';
import { snapshot } from '../../runtime/src/profiler/session.js';
import { tidyReturnRewrite } from '../../runtime/src/profiler/rules/tidy-return-rewrite.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const cli = join(root, 'runtime', 'src', 'cli.ts');
const FIXTURE = join(root, 'test', 'fixtures', 'profiler', 'tidy-return-leak.mts');
const dir = mkdtempSync(join(tmpdir(), 'corepy-tidy-return-'));

/** `corepy profile <script> --json --out <file>` as a user runs it: the text report on stdout, and the JSON report. */
function profileScript(script: string, name: string): { text: string; report: cp.ProfileReport } {
  const out = join(dir, `${name}.json`);
  const tsx = pathToFileURL(join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
  const r = spawnSync(process.execPath, ['--import', tsx, cli, 'profile', script, '--json', '--out', out],
    { cwd: root, env: { ...process.env, NO_COLOR: '1' }, encoding: 'utf8', timeout: 100_000, maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr);
  return { text: r.stdout, report: JSON.parse(readFileSync(out, 'utf8')) as cp.ProfileReport };
}

const lineOf = (text: string, needle: string): number => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

describe('undisposed-tensors: a result returned from cp.tidy and dropped', function () {
  this.timeout(200_000);
  afterEach(() => { cp.disableProfiling(); cp.clearProfile({ segments: true }); });

  it('the repro, profiled by the CLI: the advice is to dispose what tidy returns, at the tidy call, with a fix that makes the callback return nothing', () => {
    const source = readFileSync(FIXTURE, 'utf8');
    const tidyLine = lineOf(source, 'cp.tidy('), reluLine = lineOf(source, '.relu()');
    const { text, report } = profileScript(FIXTURE, 'repro');
    const recs = report.recommendations.filter((r) => r.rule === 'undisposed-tensors');
    assert.equal(recs.length, 1, JSON.stringify(recs.map((r) => r.title)));
    const rec = recs[0]!;
    assert.equal(rec.title, 'Dispose what cp.tidy returns');
    assert.deepEqual([rec.location?.file, rec.location?.line], [FIXTURE, tidyLine]);
    // What piled up is still counted at the line that made it, and all of it had been returned by tidy.
    assert.equal(rec.evidence['lines'], String(reluLine));
    assert.ok(Number(rec.evidence['peakHeldTensors']) >= 100, JSON.stringify(rec.evidence));
    assert.equal(rec.evidence['peakReturnedFromTidy'], rec.evidence['peakHeldTensors']);
    assert.match(rec.description, new RegExp(`^Never disposed: line ${reluLine} held up to (about )?\\d+ of its 300 'relu' results at once`));
    assert.match(rec.description, new RegExp(`made inside cp\\.tidy on line ${tidyLine} and returned from its function`));
    assert.match(rec.description, /The result of cp\.tidy\(\(\) => forward\(x\)\) is never used or disposed/);
    assert.match(rec.description, /Return nothing from the callback \(`cp\.tidy\(\(\) => \{ … \}\)`\), or dispose the result \(`cp\.tidy\(\(\) => forward\(x\)\)\.dispose\(\)`\)/);
    // The old, wrong advice: the body is in tidy already.
    assert.doesNotMatch(rec.description, /made outside cp\.tidy|Wrap the loop body/);
    assert.equal(rec.fixUnavailable, undefined);
    assert.deepEqual(rec.codeExample, { before: 'cp.tidy(() => forward(x));', after: 'cp.tidy(() => { forward(x); });' });
    assert.ok(rec.fix);
    const fixed = applyFixes(source, [rec.fix]);
    assert.equal(fixed.split('\n')[tidyLine - 1], 'function phaseA(x: cp.Tensor) { for (let i = 0; i < 300; i++) { cp.tidy(() => { forward(x); }); } }');
    assert.equal(fixed.split('\n').filter((l, i) => l !== source.split('\n')[i]).length, 1, 'only the tidy line changes');
    // The text report says the same.
    assert.match(text, /Dispose what cp\.tidy returns \(.*tidy-return-leak\.mts:3\)/);
    assert.doesNotMatch(text, /Wrap the loop body/);

    // The fix applied (run from a copy that imports the runtime by absolute path): nothing piles up, no finding.
    const copy = join(dir, 'fixed.mts');
    writeFileSync(copy, fixed.replace('../../../runtime/src/index.js', pathToFileURL(join(root, 'runtime', 'src', 'index.js')).href));
    const after = profileScript(copy, 'fixed').report;
    assert.deepEqual(after.recommendations.filter((r) => r.rule === 'undisposed-tensors'), []);
    const relu = after.memory!.heldBySite.find((h) => h.ops.includes('relu'));
    assert.ok(relu && relu.tensors === 0 && relu.peakTensors < 100, JSON.stringify(relu));
  });

  it('in process: a result returned out of the outermost tidy is counted apart, with the tidy call; one returned to an outer tidy that disposes it is not', async () => {
    await cp.setBackend('wasm');
    // 16 KB results: 150 of them held is a finding (≥ 1 MB), 50 is not.
    const x = cp.keep(cp.ones([4096]));
    const me = fileURLToPath(import.meta.url);
    const src = readFileSync(me, 'utf8').split('\n');
    cp.clearProfile({ segments: true });
    cp.enableProfiling({ callSites: 'all' });
    for (let i = 0; i < 150; i++) cp.tidy(() => x.add(1)); // RETURNED-DROPPED
    cp.tidy(() => { for (let i = 0; i < 50; i++) cp.tidy(() => x.sub(1)); }); // RETURNED-INNER
    const kept = cp.tidy(() => x.mul(3)); // RETURNED-DISPOSED
    kept.dispose();
    const report = cp.profileReport({ format: 'json' });
    const data = snapshot();
    const row = (op: string) => {
      const h = data.memory!.held.find((r) => data.cells.some((c) => c.site === r.site && c.op === op))!;
      return { ...h, line: data.sites[h.site]!.line };
    };
    const add = row('add'), sub = row('sub'), mul = row('mul');
    // Each add result was returned out of the outermost scope and dropped: all of the pile-up was returned, from the tidy on its line.
    assert.ok(add.peakTensors >= 100 && add.peakReturned === add.peakTensors, JSON.stringify(add));
    assert.equal(add.returnedFrom?.line, src.findIndex((l) => l.includes('RETURNED-DROPPED')) + 1);
    assert.equal(add.returnedFrom?.file, me);
    // Returned to an outer scope, which disposed it: never returned to the script, never piled up.
    assert.deepEqual([sub.peakReturned, sub.returnedFrom, sub.tensors], [0, null, 0]);
    // Returned and disposed by the script: counted while held, none left.
    assert.deepEqual([mul.peakReturned, mul.tensors], [1, 0]);
    assert.equal(mul.returnedFrom?.line, src.findIndex((l) => l.includes('RETURNED-DISPOSED')) + 1);
    const recs = report.recommendations.filter((r) => r.rule === 'undisposed-tensors');
    assert.deepEqual(recs.map((r) => [r.title, r.location?.line]), [['Dispose what cp.tidy returns', add.returnedFrom!.line]]);
    x.dispose();
  });

  describe('the tidy-result quick fix', () => {
    const at = (text: string, line = lineOf(text, 'tidy(')) => tidyReturnRewrite('/x/s.ts', text, line, 1);
    const head = "import * as cp from 'corepy';\nconst x = cp.ones([4]);\n";

    it('a dropped result of an arrow with an expression body: the body becomes a block (the named form and `void` too)', () => {
      for (const [call, fixed] of [
        ['cp.tidy(() => x.add(1).relu());', 'cp.tidy(() => { x.add(1).relu(); });'],
        ["cp.tidy('step', () => x.add(1));", "cp.tidy('step', () => { x.add(1); });"],
        ['void cp.tidy(() => x.add(1));', 'void cp.tidy(() => { x.add(1); });'],
        ['cp.tidy(() => [x.add(1), x.sub(1)]);', 'cp.tidy(() => { [x.add(1), x.sub(1)]; });'],
        ['cp.tidy(() => (total += x.sum().item()));', 'cp.tidy(() => { (total += x.sum().item()); });'],
      ] as const) {
        const text = `${head}let total = 0;\nfor (let i = 0; i < 9; i++) {\n  ${call}\n}\n`;
        const r = at(text);
        assert.ok(r && 'fix' in r.rewrite, JSON.stringify(r));
        assert.equal(r.dropped, true);
        assert.equal(applyFixes(text, [r.rewrite.fix]), text.replace(call, fixed));
      }
    });

    it("an unused `const y = cp.tidy(...)` (audit 32, /tmp/a32ws/tidyret.ts): the binding goes with the result", () => {
      for (const [code, fixed] of [
        ['const y = cp.tidy(() => x.mul(2).add(1).relu());', 'cp.tidy(() => { x.mul(2).add(1).relu(); });'],
        ['let y: cp.Tensor = cp.tidy(() => x.add(1))', 'cp.tidy(() => { x.add(1); })'],
        // Another `y` in another block is another variable.
        ['const y = cp.tidy(() => x.add(1)); total += i;', 'cp.tidy(() => { x.add(1); }); total += i;'],
      ] as const) {
        const text = `${head}let total = 0;\nfor (let i = 0; i < 9; i++) {\n  ${code}\n}\n{ const y = 1; total += y; }\n`;
        const r = at(text);
        assert.ok(r && 'fix' in r.rewrite, JSON.stringify(r));
        assert.equal(r.dropped, true);
        assert.equal(applyFixes(text, [r.rewrite.fix]), text.replace(code, fixed));
      }
    });

    for (const [code, reason, dropped] of [
      ['const y = cp.tidy(() => x.add(1)); use(y);', /result of tidy on line 4 is kept in 'y', which the code reads \(line 4\)/, false],
      ['const y = cp.tidy(() => x.add(1)); const o = { y: 1 };', /kept in 'y', which the code reads/, false],
      ['const y = cp.tidy(() => x.add(1)); eval("y");', /kept in 'y', and its scope calls eval/, false],
      ['export const y = cp.tidy(() => x.add(1));', /kept in 'y', which the module exports/, false],
      ['var y = cp.tidy(() => x.add(1));', /kept in 'y', declared with 'var'/, false],
      ['const y = cp.tidy(() => x.add(1)), z = 1;', /kept in 'y', declared with other variables/, false],
      ['const [y] = cp.tidy(() => [x.add(1)]);', /destructured into variables/, false],
      ['const y = cp.tidy(() => { return x.add(1); });', /has a block body/, true],
      ['use(cp.tidy(() => x.add(1)));', /result of tidy on line \d+ is used there/, false],
      ['cp.tidy(() => { return x.add(1); });', /has a block body/, true],
      ['cp.tidy(step);', /is not an arrow function written there/, true],
      ['cp.tidy(() => (last = x.add(1)));', /assigns 'last', which would then hold a disposed tensor/, true],
      ['cp.tidy(() => kept.push(x.add(1)));', /stores values in 'kept'/, true],
    ] as const) {
      it(`no fix for ${code}`, () => {
        const r = at(`${head}let last; const kept = []; const step = () => x.add(1); const use = (t) => t;\n${code}\n`);
        assert.ok(r && 'reason' in r.rewrite, JSON.stringify(r));
        assert.match(r.rewrite.reason, reason);
        assert.equal(r.dropped, dropped);
      });
    }

    it('no tidy call on the line: null (the rule then names no call)', () => {
      assert.equal(tidyReturnRewrite('/x/s.ts', `${head}x.add(1);\n`, 3, 1), null);
    });
  });
});
