/**
 * Writing exports to files (export/index.ts): the streamed formats write exactly what their
 * renderers return, and a failed export — the exporter throwing half-way, or an unwritable
 * target — leaves an earlier file at the target untouched and no temporary file behind.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'mocha';
import * as cp from '../../runtime/src/index.js';
import { FORMATS, renderExport, writeExport, type ExportInput } from '../../runtime/src/export/index.js';

describe('writing exports to files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'corepy-export-write-'));
  let input: ExportInput;

  before(async () => {
    await cp.setBackend('js');
    cp.clearProfile();
    cp.enableProfiling({ callSites: 'all' });
    const x = cp.tensor([1, 2, 3, 4]);
    // Enough slices for several 64K-character chunks and several pieces of each HTML column.
    for (let i = 0; i < 20000; i++) cp.profileContext(i % 2 ? 'even "quoted" </script>' : 'odd', () => x.add(x).dispose());
    cp.disableProfiling();
    input = { report: cp.profileReport({ format: 'json' }), flame: cp.getFlameProfile('write test') };
  });

  it('streamed formats write byte for byte what their renderers return', () => {
    const streamed = FORMATS.filter((f) => 'stream' in f).map((f) => f.id);
    assert.deepEqual(streamed, ['chrome', 'speedscope', 'html']);
    for (const id of streamed) {
      const path = join(dir, `p.${id}`);
      writeExport(path, input, id);
      const text = readFileSync(path, 'utf8');
      assert.ok(text.length > 1 << 17, `${id}: ${text.length} characters, several chunks`);
      assert.equal(text, renderExport(input, id), id);
    }
  });

  it('an exporter failing half-way leaves the earlier file and no temporary file', () => {
    const path = join(dir, 'keep.trace.json');
    writeFileSync(path, 'earlier export');
    // From slice 5000 on, names point at a value JSON cannot encode (a BigInt): the exporter throws mid-stream.
    const strings = [...input.flame.strings, 1n as unknown as string];
    const name = input.flame.slices.name.map((n, i) => (i > 5000 ? strings.length - 1 : n));
    const bad: ExportInput = { report: input.report, flame: { ...input.flame, strings, slices: { ...input.flame.slices, name } } };
    assert.throws(() => writeExport(path, bad, 'chrome'), (e: Error) => !/Cannot write/.test(e.message), "the exporter's own error, unchanged");
    assert.equal(readFileSync(path, 'utf8'), 'earlier export');
    assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')), []);
  });

  it('an unwritable target names the path and the reason', () => {
    assert.throws(() => writeExport(join(dir, 'no/such/dir/p.html'), input, 'html'), /^Error: Cannot write html export to .*no\/such\/dir\/p\.html: ENOENT/);
    assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')), []);
  });
});
