/**
 * One reading of an uncaught-error text (runtime/src/contract/uncaught.ts `readUncaught`) for the CLI's
 * report (cli-outcome.ts `runError`, corepy's folder not the user's) and the extension's runs and failure
 * diagnostic (run-outcome.ts `runErrorOf`, limited to the program). The texts are made here by running
 * small scripts: plain `node` (Node's own print: the thrown line's `file:line` and caret above the stack)
 * and `corepy profile` (the runtime's describeUncaught text, and the export's `run.error` end to end).
 * Windows paths cannot be produced on this machine: those texts are written out.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'mocha';
import { runError } from '../../runtime/src/cli-outcome.js';
import type { ProfileReport, RunError } from '../../runtime/src/contract/report.js';
import { pathOfFileRef, readUncaught } from '../../runtime/src/contract/uncaught.js';
import { runErrorOf } from '../../extension/src/debug/run-outcome.js';

const root = join(__dirname, '..', '..');
const distCli = join(root, 'runtime', 'dist', 'cli.js');
const dir = mkdtempSync(join(tmpdir(), 'corepy-uncaught-read-'));

const SCRIPTS: Record<string, string> = {
  'throws.mjs': 'const a = 1;\nconst b = 2;\nthrow new TypeError(`bad ${a + b}`);\n',
  'throws.cjs': "function f() {\n  throw new RangeError('bad in cjs');\n}\nf();\n",
  // The interface leaves no JavaScript: line 4 only when the frames are source-mapped.
  'throws.ts': 'interface P { n: number }\nconst p: P = { n: 2 };\nfunction inner(x: P): never {\n  throw new Error(`boom ${x.n}`);\n}\ninner(p);\n',
  'syntax.js': 'const a = 1;\nconst b = (a + ;\n',
  'syntax.ts': 'const x: number = 1;\nconst y = Math.max(x;\n',
  'nonerror.mjs': 'const n = 42;\nthrow n;\n',
  'rejects.mjs': "async function go() {\n  await null;\n  throw new Error('rejected in go');\n}\ngo();\n",
  'rejects-plain.mjs': "Promise.reject('plain string');\n",
  'tidy.mjs': "import * as cp from 'corepy';\nconst a = cp.ones([2]);\ncp.tidy(() => {\n  const b = a.add(1);\n  if (b.shape[0] === 2) throw new Error('inside tidy');\n  return b;\n});\n",
  'shape.mjs': "import * as cp from 'corepy';\nconst a = cp.ones([2]);\nconst b = cp.ones([3]);\na.add(b);\n",
  'lib.mjs': "import * as cp from 'corepy';\nexport function go() {\n  cp.ones([2]);\n  throw new Error('boom in lib');\n}\n",
  'main.mjs': "import { go } from './lib.mjs';\n\ngo();\n",
};
for (const [name, text] of Object.entries(SCRIPTS)) writeFileSync(join(dir, name), text);
const at = (name: string, line: number, column: number): RunError['location'] => ({ file: join(dir, name), line, column });

/** What plain `node` prints for `name` (under tsx for TypeScript): the text Node's own handler writes. */
function nodeText(name: string): string {
  const r = spawnSync(process.execPath, [...(name.endsWith('.ts') ? ['--import', 'tsx'] : []), join(dir, name)], { cwd: root, encoding: 'utf8', timeout: 60000 });
  assert.equal(r.status, 1, r.stderr);
  return r.stderr;
}

/** `corepy profile <name> -f json`: the runtime's uncaught-error text (stderr before the CLI's own lines) and the export's `run.error`. */
function profiled(name: string): { text: string; exported: RunError | undefined } {
  const out = join(dir, `${name}.json`);
  const r = spawnSync(process.execPath, [distCli, 'profile', join(dir, name), '--backend', 'js', '-f', 'json', '-o', out],
    { cwd: dir, env: { ...process.env, COREPY_RULE_BUDGET_MS: '0' }, encoding: 'utf8', timeout: 90000 });
  assert.equal(r.status, 1, r.stderr);
  const text = r.stderr.split(/\ncorepy: the script failed/)[0]!;
  // Written even when no op ran (a syntax error): its `run` says how the script ended.
  return { text, exported: (JSON.parse(readFileSync(out, 'utf8')) as ProfileReport).run?.error };
}

/** Both readers give `expected` for the text of a run of `program`. */
function bothRead(text: string, program: string, expected: RunError): void {
  assert.deepEqual(runError(text), expected, `corepy profile's reading of:\n${text}`);
  assert.deepEqual(runErrorOf(text, join(dir, program)), expected, `the extension's reading of:\n${text}`);
}

describe('uncaught errors: Node\'s own text, read by the CLI and the extension alike', function () {
  this.timeout(120000);

  it('a throw in ES module, CommonJS and tsx TypeScript: the thrown line with its column (from the frame under Node\'s header)', () => {
    bothRead(nodeText('throws.mjs'), 'throws.mjs', { message: 'TypeError: bad 3', location: at('throws.mjs', 3, 7) });
    bothRead(nodeText('throws.cjs'), 'throws.cjs', { message: 'RangeError: bad in cjs', location: at('throws.cjs', 2, 9) });
    bothRead(nodeText('throws.ts'), 'throws.ts', { message: 'Error: boom 2', location: at('throws.ts', 4, 9) });
    bothRead(nodeText('rejects.mjs'), 'rejects.mjs', { message: 'Error: rejected in go', location: at('rejects.mjs', 3, 9) });
  });

  it('syntax errors: JavaScript\'s file:line header, esbuild\'s 0-based column made 1-based', () => {
    bothRead(nodeText('syntax.js'), 'syntax.js', { message: "SyntaxError: Unexpected token ';'", location: at('syntax.js', 2, 1) });
    bothRead(nodeText('syntax.ts'), 'syntax.ts', { message: 'Error: Transform failed with 1 error:', location: at('syntax.ts', 2, 21) });
  });

  it('a thrown non-Error and a rejected string: the value or Node\'s rejection line, not Node\'s internal header; no place', () => {
    bothRead(nodeText('nonerror.mjs'), 'nonerror.mjs', { message: '42' });
    const rejected = runError(nodeText('rejects-plain.mjs'));
    assert.match(rejected?.message ?? '', /^UnhandledPromiseRejection: .*"plain string"/);
    assert.equal(rejected?.location, undefined);
  });
});

describe('uncaught errors: the runtime\'s text under corepy profile, and the export', function () {
  this.timeout(300000);

  for (const [name, expected] of [
    ['throws.mjs', { message: 'TypeError: bad 3', location: at('throws.mjs', 3, 7) }],
    ['throws.cjs', { message: 'RangeError: bad in cjs', location: at('throws.cjs', 2, 9) }],
    ['throws.ts', { message: 'Error: boom 2', location: at('throws.ts', 4, 9) }],
    ['syntax.js', { message: "SyntaxError: Unexpected token ';'", location: at('syntax.js', 2, 1) }],
    ['syntax.ts', { message: 'SyntaxError: Expected ")" but found ";"', location: at('syntax.ts', 2, 21) }],
    ['nonerror.mjs', { message: 'Unhandled rejection: 42' }],
    // An error thrown in a cp.tidy callback: the callback's line, not the runtime's tidy frame between it and the call.
    ['tidy.mjs', { message: 'Error: inside tidy', location: at('tidy.mjs', 5, 31) }],
    // An op's own error, raised deep in the runtime: the user's line that called the op.
    ['shape.mjs', { message: 'RangeError: add: shapes [2] and [3] cannot be broadcast together (dimension 0 of the result: 2 vs 3)', location: at('shape.mjs', 4, 3) }],
  ] as const) {
    it(`${name}: ${expected.message.slice(0, 40)}`, () => {
      const { text, exported } = profiled(name);
      bothRead(text, name, expected);
      assert.deepEqual(exported, expected, 'the export\'s run.error');
    });
  }

  it('a throw in a module the program imports: the CLI names the throw, the extension the program\'s line that led there', () => {
    const { text, exported } = profiled('main.mjs');
    assert.deepEqual(exported, { message: 'Error: boom in lib', location: at('lib.mjs', 4, 9) });
    assert.deepEqual(runError(text), exported);
    assert.deepEqual(runErrorOf(text, join(dir, 'main.mjs')), { message: 'Error: boom in lib', location: at('main.mjs', 3, 1) });
  });
});

describe('uncaught errors: paths as the script\'s platform writes them', () => {
  it('file URLs (percent-encoded), Windows drive paths and their file URLs', () => {
    assert.equal(pathOfFileRef('file:///home/u/my%20proj/a.mjs'), '/home/u/my proj/a.mjs');
    assert.equal(pathOfFileRef('file:///C:/Users/u/p/a.mjs'), 'C:\\Users\\u\\p\\a.mjs');
    assert.equal(pathOfFileRef('C:\\Users\\u\\p\\a.ts'), 'C:\\Users\\u\\p\\a.ts');
    assert.equal(pathOfFileRef('node:internal/modules/run_main'), null);
    assert.equal(pathOfFileRef('<anonymous>'), null);
  });

  it('Windows frames: the program matched whatever the drive letter\'s case and slashes; corepy\'s folder skipped', () => {
    const text = 'Error: shapes differ\n' +
      '    at broadcast (C:\\Users\\u\\.vscode\\extensions\\corepy\\runtime\\dist\\shape.js:73:19)\n' +
      '    at step (file:///C:/Users/u/p/train.mjs:42:7)\n' +
      '    at file:///C:/Users/u/p/train.mjs:50:1\n';
    const expected = { message: 'Error: shapes differ', location: { file: 'C:\\Users\\u\\p\\train.mjs', line: 42, column: 7 } };
    assert.deepEqual(readUncaught(text, { program: 'c:\\Users\\u\\p\\train.mjs' }), expected);
    assert.deepEqual(readUncaught(text, { runtimeDirs: ['C:\\Users\\u\\.vscode\\extensions\\corepy\\runtime'] }), expected);
    // Without corepy's folder, the bundled runtime (in no node_modules) would pass for the user's code: why the extension passes the program.
    assert.equal(readUncaught(text)?.location?.line, 73);
  });

  it('empty text: nothing', () => {
    assert.equal(readUncaught(''), null);
    assert.equal(runErrorOf('\n', '/w/main.ts'), null);
  });
});
