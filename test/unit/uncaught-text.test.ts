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
import { runErrorOf } from '../../extension/src/debug/run-outcome.js';

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

  it('a top-level await in a .ts compiled as CommonJS says how to make it a module (audit 27 F11)', () => {
    // No package.json with "type": "module" above the temporary folder: tsx compiles a .ts as CommonJS.
    const err = profile('tla.ts', "const x = await Promise.resolve(2);\nconsole.log(x);\n");
    assert.match(err, /SyntaxError: Top-level await is currently not supported with the "cjs" output format\n/);
    assert.match(err, /corepy: tla\.ts is compiled as CommonJS \(its package\.json has no "type": "module"\), where top-level await is not allowed: rename it to tla\.mts, add "type": "module" to package\.json, or move the awaits into an async function\./);
    const cts = profile('tla.cts', "const x = await Promise.resolve(2);\nconsole.log(x);\n");
    assert.match(cts, /corepy: tla\.cts is a CommonJS module \(\.cts\/\.cjs\), where top-level await is not allowed: rename it to tla\.mts/);
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

/**
 * The Module#_compile patch that numbers corepy calls (static-sites-install.ts) is on the stack
 * while a CommonJS module's body runs: an error thrown at load must not show it among the user's
 * frames. Run through the built CLI, as the packaged extension runs it.
 */
describe('a profiled script\'s stack has no profiler frame', () => {
  const distCli = join(root, 'runtime', 'dist', 'cli.js');
  const PROFILER_FRAME = /[\\/](?:dist|src)[\\/]profiler[\\/]/;

  /** Writes the files, profiles `main`, and returns stderr's stack (the lines up to the report). */
  function stackOf(files: Record<string, string>, main: string): string {
    const sub = mkdtempSync(join(dir, 'stack-'));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(sub, name), text);
    const r = spawnSync(process.execPath, [distCli, 'profile', join(sub, main)], { cwd: sub, encoding: 'utf8', timeout: 60000 });
    assert.equal(r.status, 1, r.stderr);
    return r.stderr.split(/\ncorepy: the script failed/)[0]!;
  }

  const frame = (file: string, line: number): RegExp => new RegExp(`at .*${file.replace('.', '\\.')}:${line}:\\d+\\)?$`, 'm');

  it('CommonJS JavaScript: the throw in a required module and the require, nothing of corepy between', () => {
    const stack = stackOf({
      'lib.js': "const cp = require('corepy');\nfunction build() {\n  cp.ones([2]);\n  throw new Error('boom in lib');\n}\nbuild();\n",
      'main.js': "const cp = require('corepy');\ncp.zeros([2]);\nrequire('./lib.js');\n",
    }, 'main.js');
    assert.match(stack, /^Error: boom in lib$/m);
    assert.match(stack, frame('lib.js', 4));
    assert.match(stack, frame('lib.js', 6));
    assert.match(stack, frame('main.js', 3));
    assert.doesNotMatch(stack, PROFILER_FRAME, stack);
    const error = runErrorOf(stack, join(stack.match(/\((\/[^)]*)[\\/]lib\.js:/)![1]!, 'lib.js'));
    assert.deepEqual(error && [error.location?.line, error.message], [4, 'Error: boom in lib']);
  });

  it('CommonJS TypeScript (tsx): source-mapped lines are kept, no profiler frame', () => {
    // The interface leaves no JavaScript: the throw's line differs in the compiled code.
    const stack = stackOf({
      'boom.ts': "import * as cp from 'corepy';\ninterface Shape {\n  dims: number[];\n}\nconst s: Shape = { dims: [2] };\nfunction inner(): void {\n  cp.ones(s.dims);\n  throw new Error('boom in ts');\n}\ninner();\n",
    }, 'boom.ts');
    assert.match(stack, /^Error: boom in ts$/m);
    assert.match(stack, frame('boom.ts', 8));
    assert.match(stack, frame('boom.ts', 10));
    assert.doesNotMatch(stack, PROFILER_FRAME, stack);
  });

  it('ES modules (.mjs, .mts): no loader frame of the profiler', () => {
    for (const ext of ['mjs', 'mts']) {
      const stack = stackOf({
        [`lib.${ext}`]: "import * as cp from 'corepy';\nexport function go() {\n  cp.ones([2]);\n  throw new Error('boom in esm');\n}\n",
        [`main.${ext}`]: `import { go } from './lib.${ext}';\n\ngo();\n`,
      }, `main.${ext}`);
      assert.match(stack, /^Error: boom in esm$/m);
      assert.match(stack, frame(`lib.${ext}`, 4));
      assert.match(stack, frame(`main.${ext}`, 3));
      assert.doesNotMatch(stack, PROFILER_FRAME, stack);
    }
  });
});
