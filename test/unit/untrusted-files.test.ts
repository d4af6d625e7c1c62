/**
 * Issue 13, untrusted files and user-chosen names: contexts named like Object.prototype members
 * (`constructor`, `__proto__`, `toString`) survive the report and the baseline round trip; a
 * baseline file is read with a size limit and checked against a JSON schema (ajv), with errors
 * that name the file and the offending field; `--save-baseline` to a bad path is a one-line usage
 * error, not a stack trace.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, ftruncateSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'mocha';
import * as cp from '../../runtime/src/index.js';
import { BASELINE_MAX_BYTES } from '../../runtime/src/profiler/baseline-file.js';

const root = join(__dirname, '..', '..');
const cli = join(root, 'runtime', 'src', 'cli.ts');
const dir = mkdtempSync(join(tmpdir(), 'corepy-untrusted-'));
const NAMES = ['constructor', '__proto__', 'toString', 'hasOwnProperty'];

function corepy(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], { cwd: root, encoding: 'utf8', timeout: 60000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Records one add inside a context of each name. */
function recordContexts(): void {
  cp.clearProfile();
  cp.enableProfiling({ callSites: 'off' });
  const x = cp.ones([4]);
  for (const name of NAMES) cp.profileContext(name, () => x.add(1).dispose());
  x.dispose();
}

describe('untrusted names and files', function () {
  this.timeout(120000);
  after(() => { cp.disableProfiling(); cp.clearProfile(); });

  it('contexts named constructor, __proto__, toString are own entries of the report', () => {
    recordContexts();
    const r = cp.profileReport({ format: 'json' });
    for (const name of NAMES) {
      assert.ok(Object.hasOwn(r.contexts, name), `context '${name}' is missing from report.contexts`);
      assert.equal(r.contexts[name]!.count, 1, name);
    }
    assert.equal(Object.getPrototypeOf(r.contexts), Object.prototype, 'report.contexts keeps a plain prototype');
    assert.ok(JSON.parse(JSON.stringify(r)).contexts.__proto__.count === 1, 'and serialises');
  });

  it('a baseline with those contexts round-trips and compares (before: TypeError, and __proto__ vanished)', () => {
    recordContexts();
    const base = join(dir, 'names.json');
    cp.saveBaseline(base);
    const saved = JSON.parse(readFileSync(base, 'utf8')) as { contexts: Record<string, unknown> };
    for (const name of NAMES) assert.ok(Object.hasOwn(saved.contexts, name), `baseline file lacks context '${name}'`);
    const cmp = cp.compareToBaseline(base, { tolerance: 1e9 });
    assert.equal(cmp.ok, true);
    assert.deepEqual(cmp.missing, []);
    assert.deepEqual(cmp.added, []);
    // Compared against a run without them: listed as missing, never looked up on Object.prototype.
    cp.clearProfile();
    cp.enableProfiling({ callSites: 'off' });
    cp.ones([2]).add(1);
    const other = cp.compareToBaseline(base, { tolerance: 1e9 });
    assert.deepEqual([...other.missing].sort(), NAMES.map((n) => `context:${n}`).sort());
  });

  it('through the CLI: saved and compared with exit 0; --save-baseline to a bad path is a usage error', () => {
    const script = join(root, 'test', 'fixtures', 'profiler', 'context-names.mts');
    const base = join(dir, 'cli-names.json');
    const saved = corepy(['profile', script, '--backend', 'js', '--save-baseline', base]);
    assert.equal(saved.status, 0, saved.stderr);
    for (const name of NAMES) assert.ok(Object.hasOwn(JSON.parse(readFileSync(base, 'utf8')).contexts, name), `baseline lacks context '${name}'`);
    const compared = corepy(['profile', script, '--backend', 'js', '--baseline', base, '--tolerance', '1e9']);
    assert.equal(compared.status, 0, compared.stderr);
    assert.doesNotMatch(compared.stderr, /TypeError/);
    const bad = corepy(['profile', script, '--backend', 'js', '--save-baseline', join(dir, 'no', 'such', 'dir', 'b.json')]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /^corepy: cannot write the baseline to .*b\.json: the folder .*dir does not exist$/m);
    assert.doesNotMatch(bad.stderr, /^\s+at /m, 'no stack trace');
  });

  it('a baseline over the size limit is refused before it is read', () => {
    const big = join(dir, 'big.json');
    const fd = openSync(big, 'w');
    ftruncateSync(fd, BASELINE_MAX_BYTES + 1); // sparse: costs no disk or time
    closeSync(fd);
    const t0 = performance.now();
    assert.throws(() => cp.compareToBaseline(big), new RegExp(`Baseline ${big.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is ${BASELINE_MAX_BYTES + 1} bytes, more than the limit of ${BASELINE_MAX_BYTES} bytes`));
    assert.ok(performance.now() - t0 < 1000, 'refused without reading the file');
  });

  it('baselines that do not match the schema name the file and the field', () => {
    cp.enableProfiling();
    const write = (name: string, doc: unknown) => {
      const p = join(dir, name);
      writeFileSync(p, JSON.stringify(doc));
      return p;
    };
    const good = { schemaVersion: 1, kind: 'corepy-baseline', exporter: 'corepy test', createdAt: '2026-01-01T00:00:00Z', ops: {}, contexts: {} };
    const entry = { count: 3, meanMs: 1, stddevMs: 0.1, totalMs: 3 };
    assert.throws(() => cp.compareToBaseline(write('a.json', { ...good, ops: { add: { ...entry, meanMs: 'fast' } } })),
      /Baseline .*a\.json does not match the baseline schema: \/ops\/add\/meanMs must be number/);
    assert.throws(() => cp.compareToBaseline(write('b.json', { ...good, ops: { add: { ...entry, count: -1 } } })),
      /\/ops\/add\/count must be >= 0/);
    assert.throws(() => cp.compareToBaseline(write('c.json', { ...good, contexts: [] })), /\/contexts must be object/);
    assert.throws(() => cp.compareToBaseline(write('d.json', { ...good, ops: { add: { count: 1 } } })), /\/ops\/add must have required property 'meanMs'/);
    // JSON text, since `{ __proto__: … }` in a literal would set the prototype instead of a key.
    const protoKey = join(dir, 'e.json');
    writeFileSync(protoKey, JSON.stringify({ ...good, ops: { add: entry } }).replace('"contexts":{}', `"contexts":{"__proto__":${JSON.stringify(entry)}}`));
    const cmp = cp.compareToBaseline(protoKey);
    assert.ok(cmp.missing.includes('context:__proto__'), JSON.stringify(cmp.missing));
  });
});
