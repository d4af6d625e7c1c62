/**
 * A context's report (`profileReport({ context })`, `exportProfile(…, { context })` as text, Markdown
 * or JSON) lists that context and the contexts nested in it, not the others (audit 21 N4: a report for
 * "B" listed an unrelated 42 ms context with 0 ops first), and no one-time costs: it cannot tell which
 * ran inside the context, so it states the whole recording's total instead (`oneTimeOmittedMs`).
 * Whole-recording reports keep every context and every one-time cost.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv from 'ajv';
import { after, before, describe, it } from 'mocha';
import * as cp from '../../runtime/src/index.js';
import type { ProfileReport } from '../../runtime/src/contract/report.js';
import { parseJsonExport } from '../../runtime/src/export/read-report.js';
import { renderMarkdown, renderText } from '../../runtime/src/profiler/format-text.js';

const dir = mkdtempSync(join(tmpdir(), 'corepy-report-scope-'));
const names = (r: ProfileReport): string[] => Object.keys(r.contexts).sort();
/** The context lines of a text report (heading and rows). */
const contextSection = (text: string): string[] => {
  const lines = text.split('\n');
  const at = lines.findIndex((l) => l.startsWith('Contexts and profiled functions'));
  if (at < 0) return [];
  const end = lines.findIndex((l, i) => i > at && !l.startsWith('  '));
  return lines.slice(at, end < 0 ? undefined : end);
};

describe('a context report lists that context and those nested in it', function () {
  this.timeout(60_000);
  let whole: ProfileReport;
  after(() => rmSync(dir, { recursive: true, force: true }));

  before(async () => {
    await cp.setBackend('js');
    cp.disableProfiling();
    cp.clearProfile({ segments: true });
    cp.enableProfiling();
    const x = cp.keep(cp.randn([16]));
    const layer = cp.profiled((t: cp.Tensor) => t.abs(), 'layer');
    cp.tidy(() => {
      cp.profileContext('A', () => { x.exp(); cp.profileContext('B', () => x.relu()); layer(x); });
      cp.profileContext('C', () => { x.add(1); x.add(2); });
      // A again, inside X: still A's ("at any depth"); X itself is not.
      cp.profileContext('X', () => { x.sigmoid(); cp.profileContext('A', () => x.neg()); });
      x.tanh();
    });
    cp.disableProfiling();
    whole = cp.profileReport({ format: 'json' });
    for (const format of ['json', 'text', 'markdown'] as const) cp.exportProfile(join(dir, `a.${format}`), { format, context: 'A' });
    x.dispose();
  });

  it('the whole recording still lists every context, and a context report only its subtree', () => {
    assert.deepEqual(names(whole), ['A', 'B', 'C', 'X', 'layer']);
    const a = cp.profileReport({ format: 'json', context: 'A' });
    assert.deepEqual(names(a), ['A', 'B', 'layer']);
    assert.deepEqual(names(cp.profileReport({ format: 'json', context: 'B' })), ['B']);
    assert.deepEqual(names(cp.profileReport({ format: 'json', context: 'X' })), ['A', 'X']);
  });

  it("the contexts it keeps have the whole report's figures, or the part inside the named context", () => {
    const a = cp.profileReport({ format: 'json', context: 'A' });
    // Every A, B and layer frame is inside A: the same calls, wall time and ops as in the whole report
    // (`percent` is of the wall time up to each report).
    const noPercent = (c: ProfileReport['contexts'][string] | undefined) => ({ ...c, percent: 0 });
    for (const n of ['A', 'B', 'layer']) assert.deepEqual(noPercent(a.contexts[n]), noPercent(whole.contexts[n]), n);
    assert.equal(a.contexts['A']!.opCount, 4); // exp, relu, abs, neg
    // In X's report, A counts only its frame inside X (one call, one op).
    const x = cp.profileReport({ format: 'json', context: 'X' });
    assert.equal(x.contexts['A']!.count, 1);
    assert.equal(x.contexts['A']!.opCount, 1);
    assert.deepEqual(noPercent(x.contexts['X']), noPercent(whole.contexts['X']));
  });

  it('text, Markdown and JSON exports with { context } list A, B and layer only, under a heading naming A', () => {
    assert.deepEqual(names(parseJsonExport(readFileSync(join(dir, 'a.json'), 'utf8'))), ['A', 'B', 'layer']);
    for (const f of ['a.text', 'a.markdown']) {
      const text = readFileSync(join(dir, f), 'utf8');
      assert.match(text, /Contexts and profiled functions in "A" \(/, f);
      const rows = contextSection(text).join('\n');
      for (const n of ['A', 'B', 'layer']) assert.match(text, new RegExp(`\\n {2}${n} +(context|function) `), `${f} lists ${n}`);
      for (const n of ['C', 'X']) assert.doesNotMatch(rows, new RegExp(`\\n {2}${n} +context `), `${f} leaves out ${n}`);
    }
  });

  it('a whole report keeps its heading and rows unchanged', () => {
    const section = contextSection(renderText(whole, { width: 120, color: false }));
    assert.match(section[0]!, /^Contexts and profiled functions \(wall time inside/);
    assert.deepEqual(section.slice(1).map((l) => l.trim().split(/ +/)[0]).sort(), ['A', 'B', 'C', 'X', 'layer']);
  });

  it('one-time costs: none in a context report, the whole recording total stated instead; the report validates', () => {
    const a = cp.profileReport({ format: 'json', context: 'A' });
    assert.deepEqual(a.oneTimeCosts, []);
    assert.equal(a.oneTimeTotalMs, 0);
    assert.equal(a.oneTimeOmittedMs, whole.oneTimeTotalMs);
    assert.equal(whole.oneTimeOmittedMs, undefined, 'a whole report has no such field');
    const schema = JSON.parse(readFileSync(new URL('../../runtime/schemas/profile-report.schema.json', import.meta.url), 'utf8'));
    const ajv = new Ajv({ allErrors: true, strict: false });
    assert.ok(ajv.validate(schema, JSON.parse(JSON.stringify(a))), ajv.errorsText());
  });

  it('the printed note: one line naming the total and where those costs can be seen; none when there were none', () => {
    const a = cp.profileReport({ format: 'json', context: 'A' });
    // Fixed figures: whether this process still had one-time work to do depends on the tests before.
    const withCosts: ProfileReport = { ...a, oneTimeOmittedMs: 84.25 };
    const note = 'One-time costs: 84.25 ms in the whole recording, not listed in a context\'s report ' +
      '(they belong to no op; the timeline exports keep those that ran while "A" was open)';
    assert.ok(renderText(withCosts, { width: 120, color: false }).split('\n').includes(note));
    assert.ok(renderMarkdown(withCosts).split('\n').includes(note));
    assert.doesNotMatch(renderText({ ...a, oneTimeOmittedMs: 0 }, { width: 120, color: false }), /One-time costs/);
  });
});
