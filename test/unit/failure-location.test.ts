/**
 * Where a failed script failed, from its stderr (extension/src/debug/failure-location.ts): stack
 * frames with a path or a file URL, Node's `file:line` header above a syntax error's caret, and
 * nothing when stderr never names the program.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'mocha';
import { failureLocation } from '../../extension/src/debug/failure-location.js';

describe('failure location from stderr', () => {
  const dir = mkdtempSync(join(tmpdir(), 'corepy-failure-'));

  it('a real ESM throw: the frame with the file URL, and the error line', () => {
    const file = join(dir, 'throws.mjs');
    writeFileSync(file, "const a = 1;\nconst b = 2;\nthrow new TypeError(`bad ${a + b}`);\n");
    const r = spawnSync(process.execPath, [file], { encoding: 'utf8' });
    assert.deepEqual(failureLocation(r.stderr, file), { line: 3, column: 7, message: 'TypeError: bad 3' });
  });

  it('a real syntax error: the file:line header Node prints above the caret', () => {
    const file = join(dir, 'syntax.js');
    writeFileSync(file, "const a = 1;\nconst b = (a + ;\n");
    const r = spawnSync(process.execPath, [file], { encoding: 'utf8' });
    const at = failureLocation(r.stderr, file);
    assert.equal(at?.line, 2);
    assert.match(at?.message ?? '', /^SyntaxError: Unexpected token/);
  });

  it('null when the program is never named', () => {
    assert.equal(failureLocation('Error: x\n    at node:internal/foo:1:1\n', join(dir, 'other.js')), null);
  });
});
