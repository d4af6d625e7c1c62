/**
 * Saved JSON reports read back as untrusted files (export/read-report.ts): a real export round-trips;
 * a missing, oversized, truncated, non-JSON, foreign, other-version, schema-breaking or deeply
 * nested file each gives one line naming the file, quickly, and nothing crashes; user-chosen names
 * such as `__proto__` and `constructor` stay plain keys.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'mocha';
import * as cp from '../../runtime/src/index.js';
import { parseJsonExport, readJsonExport, REPORT_MAX_BYTES } from '../../runtime/src/export/read-report.js';

const dir = mkdtempSync(join(tmpdir(), 'corepy-read-report-'));
const saved = join(dir, 'p.json');

/** Writes `text` to a new file and returns the error `readJsonExport` throws for it. */
function errorFor(name: string, text: string): Error {
  const path = join(dir, name);
  writeFileSync(path, text);
  return rejects(path);
}

function rejects(path: string): Error {
  try {
    readJsonExport(path);
  } catch (e) {
    assert.ok(e instanceof Error, 'an Error, not something else');
    assert.ok(!e.message.includes('\n'), `one line: ${e.message}`);
    assert.ok(e.message.includes(path), `names the file: ${e.message}`);
    return e;
  }
  assert.fail(`${path} was accepted`);
}

describe('reading saved JSON reports', () => {
  before(async () => {
    await cp.setBackend('js');
    cp.clearProfile();
    cp.enableProfiling();
    const x = cp.tensor([1, 2, 3, 4]);
    // Names a plain object lookup would get wrong.
    for (const name of ['__proto__', 'constructor', 'toString']) cp.profileContext(name, () => x.add(x).dispose());
    cp.disableProfiling();
    cp.exportProfile(saved, { format: 'json' });
  });

  it('round-trips a real export, user-chosen names kept as own keys', () => {
    const r = readJsonExport(saved);
    assert.deepEqual(r, JSON.parse(readFileSync(saved, 'utf8')));
    for (const name of ['__proto__', 'constructor', 'toString']) {
      assert.ok(Object.hasOwn(r.contexts, name), name);
      assert.equal(r.contexts[name]!.opCount, 1);
    }
    assert.equal(Object.getPrototypeOf(r.contexts), Object.prototype, 'the prototype was not replaced');
  });

  it('a missing file', () => {
    assert.match(rejects(join(dir, 'nope.json')).message, /^Report file not found: /);
  });

  it('a file over the size limit is refused before it is read', () => {
    const path = join(dir, 'huge.json');
    writeFileSync(path, '{');
    truncateSync(path, REPORT_MAX_BYTES + 1); // sparse: no disk, no memory
    const t0 = performance.now();
    assert.match(rejects(path).message, /more than the limit of 67108864 bytes/);
    assert.ok(performance.now() - t0 < 1000, 'refused without parsing');
    assert.throws(() => parseJsonExport(' '.repeat(REPORT_MAX_BYTES + 1), 'big'), /^RangeError: big is 67108865 characters/);
  });

  it('a truncated file says it looks cut short, wherever the cut lands (after a closing brace too)', () => {
    const text = readFileSync(saved, 'utf8');
    assert.match(errorFor('cut.json', text.slice(0, text.length >> 1)).message, /is not valid JSON \(.*; the file looks cut short\)$/);
    const afterBrace = text.indexOf('}', text.length >> 1) + 1; // cut right after an inner object closes
    assert.match(errorFor('cut2.json', text.slice(0, afterBrace)).message, /; the file looks cut short\)$/);
    assert.doesNotMatch(errorFor('bad.json', `${text.slice(0, -1)},}`).message, /cut short/, 'complete but malformed is not called cut short');
  });

  it('not JSON, not a report, another schemaVersion', () => {
    assert.match(errorFor('bin.json', '\u0000\u0001\u00ff garbage').message, /is not valid JSON/);
    assert.match(errorFor('empty.json', '').message, /is not valid JSON/);
    for (const [name, text] of [['null.json', 'null'], ['array.json', '[1,2]'], ['number.json', '42'], ['trace.json', '{"traceEvents":[]}']] as const) {
      assert.match(errorFor(name, text).message, /is not a corepy profile report \(no schemaVersion/, name);
    }
    assert.match(errorFor('v2.json', '{"schemaVersion":2}').message, /schemaVersion 2; this corepy reads schemaVersion 1$/);
    // A prototype-polluting key does nothing and is refused by the schema.
    assert.match(errorFor('proto.json', '{"schemaVersion":1,"__proto__":{"polluted":true}}').message, /does not match the profile report schema: \/ must have required property/);
    assert.equal(({} as { polluted?: boolean }).polluted, undefined);
  });

  it('a report whose fields have the wrong types names the first bad field', () => {
    const r = JSON.parse(readFileSync(saved, 'utf8'));
    r.operations[0].count = 'many';
    assert.match(errorFor('types.json', JSON.stringify(r)).message, /does not match the profile report schema: \/operations\/0\/count must be integer$/);
    const r2 = JSON.parse(readFileSync(saved, 'utf8'));
    r2.contexts.constructor = { name: 'constructor' };
    assert.match(errorFor('ctx.json', JSON.stringify(r2)).message, /\/contexts\/constructor must have required property/);
  });

  it('deep nesting is an error, not a crash', () => {
    const deep = '['.repeat(200_000) + ']'.repeat(200_000);
    assert.match(errorFor('deep.json', deep).message, /not a corepy profile report|not valid JSON/);
    const r = JSON.parse(readFileSync(saved, 'utf8'));
    const nested = `{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    r.recommendations = ['NESTED'];
    const text = JSON.stringify(r).replace('"NESTED"', nested);
    assert.match(errorFor('deep2.json', text).message, /\/recommendations\/0 must have required property/);
  });

  it('parseJsonExport names its source, "report" by default', () => {
    assert.throws(() => parseJsonExport('{"schemaVersion": 99}'), /^Error: report is a corepy profile report of schemaVersion 99/);
    assert.throws(() => parseJsonExport(42 as unknown as string), /expected the file's text \(a string\), got number/);
  });
});
