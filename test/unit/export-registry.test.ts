/**
 * One export registry (runtime/src/export/formats.ts): the API, the CLI and the extension's
 * Export Report list the same formats with the same ids and extensions, and every extension maps
 * back to its format. Iterates the registry, never a hand-written list.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'mocha';
import { FORMATS as EXTENSION_FORMATS } from '../../extension/src/export/formats.js';
import { EXPORT_FORMATS, FORMATS, exportFileName, formatFromPath } from '../../runtime/src/export/formats.js';

const ROOT = join(import.meta.dirname, '..', '..');

describe('export registry', () => {
  it('ids are unique and every extension maps back to its own format', () => {
    assert.equal(new Set(EXPORT_FORMATS).size, FORMATS.length);
    for (const f of FORMATS) {
      assert.ok(f.extensions.length > 0, `${f.id} has a file extension`);
      for (const ext of f.extensions) assert.equal(formatFromPath(`/tmp/run.${ext.toUpperCase()}`), f.id, `.${ext}`);
      assert.equal(exportFileName('p', f.id), `p.${f.extensions[0]}`);
    }
    assert.equal(formatFromPath('/tmp/run.pdf'), null);
  });

  it('the extension palette lists the same ids, labels and extensions as the API', () => {
    assert.deepEqual(EXTENSION_FORMATS.map((f) => [f.id, f.label, f.extensions]), FORMATS.map((f) => [f.id, f.label, f.extensions]));
  });

  it('the CLI offers the same format ids and extensions', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'runtime/dist/cli.js'), 'profile', '--help'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const help = r.stdout.replace(/\s+/g, ' ');
    const choices = /--format <format>.*?\(choices: ([^)]*)\)/.exec(help)?.[1];
    assert.ok(choices, help);
    assert.deepEqual(choices.split(',').map((c) => c.trim().replace(/"/g, '')), [...EXPORT_FORMATS]);
    for (const f of FORMATS) for (const ext of f.extensions) assert.ok(help.includes(`.${ext}`), `--out help names .${ext}`);
  });
});
