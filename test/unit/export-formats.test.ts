/**
 * Every export format from one recorded fixture run (contexts, nested functions, many ops):
 * json round-trips, csv has one row per op × call site, the Chrome trace nests properly with
 * metadata, speedscope validates against the file-format schema (ajv) and is well nested,
 * folded lines parse with integer µs weights, html renders; csv is read by Python's csv module;
 * each format but csv and folded (which have no place for one) carries the exporter stamp.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv from 'ajv';
import { before, describe, it } from 'mocha';
import * as cp from '../../runtime/src/index.js';
import { parseJsonExport } from '../../runtime/src/export/read-report.js';
import { parseFolded } from '../../runtime/src/export/folded.js';
import { CSV_COLUMNS } from '../../runtime/src/export/csv.js';
import { GPU_TID } from '../../runtime/src/export/chrome-trace.js';
import { FORMATS } from '../../runtime/src/export/formats.js';

const dir = mkdtempSync(join(tmpdir(), 'corepy-export-'));
const read = (f: string): string => readFileSync(join(dir, f), 'utf8');
const STAMP = /corepy \d+\.\d+\.\d+/;
/** Debian's python3 (scripts/setup.d/45-python.sh), else whichever is on PATH. */
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

describe('exports', () => {
  before(async () => {
    await cp.setBackend('js');
    cp.clearProfile();
    cp.enableProfiling();
    const x = cp.tensor(Array.from({ length: 2000 }, (_, i) => i));
    const step = cp.profiled(function step(t: cp.Tensor) { return t.mul(2).add(1); });
    cp.profileContext('outer', () => {
      for (let i = 0; i < 5; i++) step(x);
      cp.profileContext('inner', () => x.sub(x.mean()));
    });
    x.sum();
    // A cp.jit fused kernel (its first call traces eagerly, the other two run fused): the exports list its members.
    const fusedMean = cp.jit((t: cp.Tensor) => t.sub(3).abs().neg().mean(), { name: 'exportsFixture' }); // FUSED-LINE
    for (let i = 0; i < 3; i++) fusedMean(x).dispose();
    cp.disableProfiling();
    for (const { id } of FORMATS) cp.exportProfile(join(dir, `p.${id}`), { format: id });
  });

  it('json: round-trips to the same report with schemaVersion and exporter', () => {
    const r = parseJsonExport(read('p.json'));
    assert.equal(r.schemaVersion, 1);
    assert.match(r.exporter, STAMP);
    assert.deepEqual(Object.keys(r.contexts).sort(), ['inner', 'outer', 'step']);
    assert.equal(r.operations.find((o) => o.op === 'mul')?.count, 5);
    assert.throws(() => parseJsonExport('{"schemaVersion": 99}'), /schemaVersion 1/);
  });

  it('json: the report validates against runtime/schemas/profile-report.schema.json', () => {
    const schema = JSON.parse(readFileSync(new URL('../../runtime/schemas/profile-report.schema.json', import.meta.url), 'utf8'));
    const ajv = new Ajv({ allErrors: true, strict: false });
    const ok = ajv.validate(schema, JSON.parse(read('p.json')));
    assert.ok(ok, ajv.errorsText());
  });

  it('csv: RFC 4180, header on line 1, one row per op × call site with the documented columns', () => {
    const text = read('p.csv');
    assert.ok(text.endsWith('\r\n') && !/[^\r]\n/.test(text), 'every record ends in CRLF');
    const lines = text.split('\r\n').slice(0, -1);
    assert.equal(lines[0], CSV_COLUMNS.join(','));
    const rows = lines.slice(1).map((l) => l.split(','));
    assert.ok(rows.every((r) => r.length === CSV_COLUMNS.length));
    const mul = rows.filter((r) => r[0] === 'mul');
    assert.equal(mul.length, 1);
    assert.equal(mul[0]![5], '5');
    assert.match(mul[0]![2]!, /export-formats\.test\.ts$/);
  });

  it("csv: Python's csv.DictReader reads every row with the op column and the numbers", function () {
    this.timeout(30000);
    // The consumer the stamp line used to break: DictReader takes line 1 as the header.
    const py = `import csv, json, sys
with open(sys.argv[1], newline='') as f:
    rows = list(csv.DictReader(f))
print(json.dumps({"fields": list(rows[0].keys()), "rows": [{"op": r["op"], "count": int(r["count"]), "total_ms": float(r["total_ms"]), "file": r["file"],
    "line": int(r["line"]) if r["line"] else None, "fused_in": r["fused_in"]} for r in rows]}))`;
    const out = JSON.parse(execFileSync(PYTHON, ['-c', py, join(dir, 'p.csv')], { encoding: 'utf8' })) as
      { fields: string[]; rows: { op: string; count: number; total_ms: number; file: string; line: number | null; fused_in: string }[] };
    assert.deepEqual(out.fields, [...CSV_COLUMNS]);
    const r = parseJsonExport(read('p.json'));
    // One row per call site, and after a fused kernel's row one per member (fused_in names the kernel).
    const sites = out.rows.filter((x) => x.fused_in === '');
    assert.deepEqual(sites.map((x) => [x.op, x.count, x.total_ms]), r.callSites.map((c) => [c.op, c.count, c.totalMs]));
    assert.deepEqual(out.rows.filter((x) => x.fused_in !== '').map((x) => [x.fused_in, x.op, x.line, x.total_ms]),
      r.callSites.flatMap((c) => (c.fusedMembers ?? []).map((m) => [c.op, m.op, m.location?.line ?? null, m.shareMs])));
    assert.ok(out.rows.some((x) => x.op === 'mul' && x.count === 5 && x.file.endsWith('export-formats.test.ts')));
    const fusedLine = readFileSync(new URL(import.meta.url), 'utf8').split('\n').findIndex((l) => l.includes('// FUSED-LINE')) + 1;
    assert.deepEqual(out.rows.filter((x) => x.fused_in === 'fused(sub+abs+neg+mean)' && x.line === fusedLine).map((x) => [x.op, x.count]),
      [['sub', 2], ['abs', 2], ['neg', 2], ['mean', 2]]);
  });

  it('chrome trace: X events with relative µs, M metadata, contexts enclosing their ops', () => {
    const t = JSON.parse(read('p.chrome'));
    assert.match(t.otherData.exporter, STAMP);
    const meta = t.traceEvents.filter((e: { ph: string }) => e.ph === 'M');
    assert.ok(meta.some((e: { name: string }) => e.name === 'process_name'));
    assert.ok(meta.some((e: { name: string; tid: number }) => e.name === 'thread_name' && e.tid === 1));
    const xs = t.traceEvents.filter((e: { ph: string }) => e.ph === 'X') as { name: string; ts: number; dur: number; tid: number; cat: string }[];
    assert.ok(xs.every((e) => e.ts >= 0 && e.dur >= 0 && e.tid !== GPU_TID));
    // Proper nesting per tid: sorted by start, every event is inside or after the previous open ones.
    const stack: { end: number }[] = [];
    for (const e of [...xs].sort((a, b) => a.ts - b.ts || b.dur - a.dur)) {
      while (stack.length && stack[stack.length - 1]!.end <= e.ts) stack.pop();
      if (stack.length) assert.ok(e.ts + e.dur <= stack[stack.length - 1]!.end + 1e-6, `${e.name} escapes its parent`);
      stack.push({ end: e.ts + e.dur });
    }
    const outer = xs.find((e) => e.name === 'outer')!;
    const muls = xs.filter((e) => e.name === 'mul');
    assert.equal(muls.length, 5);
    assert.ok(muls.every((m) => m.ts >= outer.ts && m.ts + m.dur <= outer.ts + outer.dur + 1e-6));
  });

  it('speedscope: validates against the file-format schema and opens/closes frames in order', () => {
    const doc = JSON.parse(read('p.speedscope'));
    const schema = JSON.parse(readFileSync(new URL('../../runtime/schemas/speedscope-file-format.schema.json', import.meta.url), 'utf8'));
    const ajv = new Ajv({ allErrors: true, strict: false });
    assert.ok(ajv.validate(schema, doc), ajv.errorsText());
    assert.match(doc.exporter, STAMP);
    for (const p of doc.profiles) {
      const open: number[] = [];
      let last = -Infinity;
      for (const e of p.events) {
        assert.ok(e.at >= last, 'events in time order');
        last = e.at;
        if (e.type === 'O') open.push(e.frame);
        else assert.equal(open.pop(), e.frame, 'close matches the innermost open frame');
      }
      assert.equal(open.length, 0);
    }
    assert.ok(doc.shared.frames.some((f: { name: string; line?: number }) => f.name === 'mul' && typeof f.line === 'number'));
  });

  it('folded: every line is `a;b;c <integer µs>` and stacks nest contexts over ops', () => {
    const text = read('p.folded');
    // flamegraph.pl's own line pattern (it warns about, and skips, every line that does not match).
    for (const line of text.trimEnd().split('\n')) assert.match(line, /^(.*)\s+?(\d+(?:\.\d*)?)$/);
    assert.doesNotMatch(text, /^#/m, 'no comment or stamp line');
    const stacks = parseFolded(text);
    assert.ok(stacks.size > 0);
    for (const w of stacks.values()) assert.ok(Number.isInteger(w) && w > 0);
    assert.ok([...stacks.keys()].some((k) => k.startsWith('outer;step;')) || [...stacks.keys()].some((k) => k === 'outer;step'));
    assert.throws(() => parseFolded('a;b 1.5'), /Malformed folded line/);
  });

  it('html: a self-contained page', () => {
    assert.match(read('p.html'), /<html/i);
  });

  it('text and markdown: the report as profileReport() renders it, op time and wall time named', () => {
    assert.match(read('p.text'), /COREPY PERFORMANCE REPORT[\s\S]*Total Time: [\d.]+ms op time \(\d+ ops; wall time [\d.]+ms\)/);
    assert.match(read('p.markdown'), /^<!-- exporter: corepy [\d.]+ -->\n# Corepy performance report[\s\S]*\*\*Total Time:\*\* [\d.]+ ms op time/);
  });

  it('text and markdown: "Hot lines" gives op time per source line, hottest first, a line\'s ops in one row', () => {
    const text = read('p.text');
    assert.ok(text.includes('\nHot lines (op time by source line'), text);
    const rows = text.slice(text.indexOf('\nHot lines')).split('\n\n')[0]!.split('\n').slice(2);
    const ms = rows.map((row) => Number(/ ([\d.]+) ms /.exec(row)![1]));
    assert.deepEqual([...ms].sort((a, b) => b - a), ms, 'hottest first');
    // The file relative to the working directory (mocha runs at the repository root), then the line.
    const me = 'test/unit/export-formats.test.ts';
    const stepLine = readFileSync(join(import.meta.dirname, 'export-formats.test.ts'), 'utf8').split('\n').findIndex((l) => l.includes('return t.mul(2).add(1)')) + 1;
    const step = rows.find((row) => row.trimStart().startsWith(`${me}:${stepLine} `));
    assert.ok(step, `a row for ${me}:${stepLine} in:\n${rows.join('\n')}`);
    assert.match(step, /mul ×5/);
    assert.match(step, /add ×5/);
    // Its time: the two call sites' (the JSON report's callSites), as the text rounds them.
    const r = parseJsonExport(read('p.json'));
    const siteMs = r.callSites.filter((c) => c.location?.line === stepLine && c.location.file.endsWith(me)).reduce((a, c) => a + c.totalMs, 0);
    assert.ok(Math.abs(Number(/ ([\d.]+) ms /.exec(step)![1]) - siteMs) <= 0.01 + 0.01 * siteMs, `${step} vs ${siteMs} ms`);
    assert.match(read('p.markdown'), new RegExp(`## Hot lines[\\s\\S]*\\| \`${me}:${stepLine}\` \\| [\\d.]+ \\| [\\d.]+% \\| (mul ×5, add ×5|add ×5, mul ×5) \\|`));
  });

  it('every registered format writes a non-empty file, with the exporter stamp where the registry says so', () => {
    for (const f of FORMATS) {
      const text = read(`p.${f.id}`);
      assert.ok(text.length > 0, f.id);
      if (f.stamped) assert.match(text, STAMP, `${f.id} carries the exporter stamp`);
      else assert.doesNotMatch(text, STAMP, `${f.id} has no line for a stamp`);
    }
    assert.deepEqual(FORMATS.filter((f) => !f.stamped).map((f) => f.id), ['csv', 'folded']);
  });

  it('bad input: unknown format and unwritable path give clear errors', () => {
    assert.throws(() => cp.exportProfile(join(dir, 'x'), { format: 'pdf' as 'json' }), /Unknown export format "pdf"; allowed: json, csv/);
    assert.throws(() => cp.exportProfile(join(dir, 'no/such/dir/p.json'), { format: 'json' }), /Cannot write json export to .*no\/such\/dir/);
  });
});
