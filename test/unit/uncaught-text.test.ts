/**
 * A profiled script that dies prints what plain `node` would: a syntax error with its file:line,
 * source line and caret; a top-level throw as the error it is (not "Unhandled rejection"); a
 * rejected non-Error value as Node's UnhandledPromiseRejection.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'mocha';

const root = join(__dirname, '..', '..');
const cli = join(root, 'runtime', 'src', 'cli.ts');
const dir = mkdtempSync(join(tmpdir(), 'corepy-uncaught-'));

function profile(name: string, source: string): string {
  const file = join(dir, name);
  writeFileSync(file, source);
  const r = spawnSync(process.execPath, ['--import', 'tsx', cli, 'profile', file], { cwd: root, encoding: 'utf8', timeout: 60000 });
  assert.equal(r.status, 1, r.stderr);
  return r.stderr;
}

describe('uncaught errors in a profiled script', () => {
  it('a syntax error shows file:line, the source line and a caret', () => {
    const err = profile('syntax.mjs', "const x = 1;\nconst y = (x + ;\n");
    assert.match(err, new RegExp(`${join(dir, 'syntax.mjs').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:2\\n`));
    assert.match(err, /const y = \(x \+ ;\n\s+\^/);
    assert.match(err, /SyntaxError: Unexpected token/);
    assert.doesNotMatch(err, /Unhandled rejection/);
  });

  it('a TypeScript syntax error (tsx/esbuild) shows file:line:col, the source line and a caret, not esbuild frames', () => {
    const file = join(dir, 'syntax.ts');
    const err = profile('syntax.ts', "const x: number = 1;\nconst y = Math.max(x;\n");
    assert.ok(err.includes(`${file}:2:21\nconst y = Math.max(x;\n                    ^\n\nSyntaxError: Expected ")" but found ";"\n`), err);
    assert.doesNotMatch(err, /Transform failed|esbuild[\\/]lib/);
  });

  it('a top-level throw is printed as the error, with the script\'s frame', () => {
    const err = profile('throws.mjs', "const n = 2;\nthrow new Error(`boom ${n}`);\n");
    assert.match(err, /^Error: boom 2\n\s+at .*throws\.mjs:2:7/m);
    assert.doesNotMatch(err, /Unhandled rejection/);
  });

  it('a rejected non-Error value is called an unhandled rejection (Node wraps it so)', () => {
    const err = profile('rejects.mjs', "Promise.reject('plain string');\n");
    assert.match(err, /UnhandledPromiseRejection: .*rejected with the reason "plain string"/);
  });
});
