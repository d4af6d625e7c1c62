/**
 * Quick fixes on the syntax tree (runtime/src/profiler/rules/batch-rewrite.ts, moments-rewrite.ts):
 * every accepted loop shape gets a fix that keeps the user's names and comments, and the rewritten
 * code, run, gives row r equal to what iteration r computed; shapes that are not safe get no fix and a reason.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import ts from 'typescript';
import * as cp from '../../runtime/src/index.js';
import { applyFixes } from '../../runtime/src/profiler/rules/ast.js';
import { batchRewrite } from '../../runtime/src/profiler/rules/batch-rewrite.js';
import { momentsRewrite } from '../../runtime/src/profiler/rules/moments-rewrite.js';

const HEAD = "import * as cp from 'corepy';\n";

/** The line (1-based) of the first occurrence of `needle` in `src`. */
const lineOf = (src: string, needle: string): number => src.slice(0, src.indexOf(needle)).split('\n').length;

/**
 * Runs the replacement with `cp`, `data` and `n` = 4 in scope and returns the value of its last statement
 * (the declared tensor, or the expression).
 */
function evaluate(replacement: string, data: cp.Tensor): cp.Tensor {
  const sf = ts.createSourceFile('r.ts', replacement, ts.ScriptTarget.Latest, true);
  const last = sf.statements[sf.statements.length - 1]!;
  let body = replacement;
  if (ts.isVariableStatement(last)) body += `\nreturn ${last.declarationList.declarations[0]!.name.getText(sf)};`;
  else if (ts.isExpressionStatement(last)) body = replacement.slice(0, last.getStart(sf)) + `return ${last.expression.getText(sf)};`;
  const js = ts.transpileModule(body, { compilerOptions: { target: ts.ScriptTarget.ES2022 } }).outputText;
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  return new Function('cp', 'data', 'n', js)(cp, data, 4) as cp.Tensor;
}

/** Asserts that row r of `batched` equals `perIteration(value of the counter at row r)`. */
function assertRows(batched: cp.Tensor, values: number[], perIteration: (v: number) => cp.Tensor): void {
  assert.equal(batched.shape[0], values.length);
  const rows = batched.toArray() as number[][];
  values.forEach((v, r) => assert.deepEqual(rows[r], perIteration(v).toArray(), `row ${r} (counter ${v})`));
}

describe('batch-loop quick fix on the syntax tree', () => {
  // The rows are computed on the default backend (other suites leave the js reference selected).
  let data!: cp.Tensor;
  let previous: cp.BackendName;
  before(async () => {
    previous = cp.getBackend();
    await cp.setBackend('wasm');
    data = cp.keep(cp.arange(6).cast('float32'));
  });
  after(async () => {
    data.dispose();
    await cp.setBackend(previous);
  });
  const range = (a: number, b: number): number[] => Array.from({ length: b - a }, (_, i) => a + i);

  const accepted: { name: string; src: string; op: string; values: number[]; per: (v: number) => cp.Tensor; expect: RegExp }[] = [
    {
      name: 'three-line for with const, the seed\'s Example 3',
      src: `${HEAD}for (let i = 0; i < 100; i++) {\n  const temp = data.add(i);\n}\n`,
      op: 'add', values: range(0, 100), per: (v) => data.add(v), expect: /^const offsets = cp\.arange\(100\);\nconst temp = data\.unsqueeze\(0\)\.add\(offsets\.unsqueeze\(1\)\);/,
    },
    {
      name: 'one-line loop, ++k, no assignment, function-call form',
      src: `${HEAD}function f() {\n    for (let k = 0; k < 7; ++k) cp.mul(data, k);\n}\n`,
      op: 'mul', values: range(0, 7), per: (v) => cp.mul(data, v), expect: /^    const offsets = cp\.arange\(7\);\n    cp\.mul\(cp\.unsqueeze\(data, 0\), cp\.unsqueeze\(offsets, 1\)\); \/\/ row k = cp\.mul\(data, k\)$/,
    },
    {
      name: 'start 1, <=, += 1, the counter first in the call',
      src: `${HEAD}for (let step = 1; step <= 5; step += 1) {\n  const r = cp.sub(step, data);\n}\n`,
      op: 'sub', values: range(1, 6), per: (v) => cp.sub(v, data), expect: /cp\.arange\(1, 6\);\nconst r = cp\.sub\(cp\.unsqueeze\(offsets, 1\), cp\.unsqueeze\(data, 0\)\)/,
    },
    {
      name: 'i = i + 1 and N > i with a named bound',
      src: `${HEAD}const n = 4;\nfor (let j = 0; n > j; j = j + 1) { let out = data.div(j); }\n`,
      op: 'div', values: range(0, 4), per: (v) => data.div(v), expect: /cp\.arange\(n\);\nlet out = data\.unsqueeze\(0\)\.div\(offsets\.unsqueeze\(1\)\);/,
    },
    {
      name: 'for…of Array(N).keys() with comments',
      src: `${HEAD}for (const o of Array(9).keys()) {\n  // one shifted copy per offset\n  const centred = data.sub(o); /* kept */\n}\n`,
      op: 'sub', values: range(0, 9), per: (v) => data.sub(v), expect: /^\/\/ one shifted copy per offset\n\/\* kept \*\/\nconst offsets = cp\.arange\(9\);\nconst centred = data\.unsqueeze\(0\)\.sub/,
    },
    {
      name: 'for…of Array.from({ length: N }, (_, i) => i)',
      src: `${HEAD}for (const p of Array.from({ length: 3 }, (_, q) => q)) {\n  data.pow(p);\n}\n`,
      op: 'pow', values: range(0, 3), per: (v) => data.pow(v), expect: /^const offsets = cp\.arange\(3\);\ndata\.unsqueeze\(0\)\.pow\(offsets\.unsqueeze\(1\)\);/,
    },
    {
      name: 'a name already taken: offsets2, and a type annotation kept',
      src: `${HEAD}const offsets = 1;\nfor (let i = 0; i < 3; i++) {\n  const y: cp.Tensor = data.maximum(i);\n}\n`,
      op: 'maximum', values: range(0, 3), per: (v) => data.maximum(v), expect: /^const offsets2 = cp\.arange\(3\);\nconst y: cp\.Tensor = data\.unsqueeze\(0\)\.maximum\(offsets2\.unsqueeze\(1\)\);/,
    },
  ];
  for (const c of accepted) {
    it(`rewrites ${c.name}, and the rows equal the iterations`, () => {
      const line = lineOf(c.src, `${c.op}(`);
      const r = batchRewrite('/w/s.ts', c.src, line, 1, c.op);
      assert.ok('fix' in r, `no fix: ${'reason' in r ? r.reason : ''}`);
      assert.match(r.fix.replacement, c.expect);
      const rewritten = applyFixes(c.src, [r.fix]);
      assert.doesNotMatch(rewritten, /for \(/, 'the loop is gone');
      assert.ok(rewritten.startsWith(HEAD), 'text before the loop kept');
      cp.tidy(() => assertRows(evaluate(r.fix.replacement, data), c.values, c.per));
    });
  }
  // Audit 17: `x = cp.randn([100, 8]); for (i < 100) x.add(i)` got `x.unsqueeze(0).add(offsets.unsqueeze(1))`,
  // which lines the offsets up with x's 100 rows: [1, 100, 8], each row plus its own index, not the loop's [100, 100, 8].
  for (const [form, call, expect] of [
    ['method form', 'grid.add(i)', /^const offsets = cp\.arange\(100\);\nconst t = grid\.unsqueeze\(0\)\.add\(offsets\.reshape\(\[-1, 1, 1\]\)\);/],
    ['function form', 'cp.add(grid, i)', /^const offsets = cp\.arange\(100\);\nconst t = cp\.add\(cp\.unsqueeze\(grid, 0\), cp\.reshape\(offsets, \[-1, 1, 1\]\)\);/],
  ] as const) {
    it(`a 2-D tensor whose first axis is the loop's length (${form}): one offset per new row, not per row of the tensor`, () => {
      const src = `${HEAD}for (let i = 0; i < 100; i++) {\n  const t = ${call};\n}\n`;
      const r = batchRewrite('/w/s.ts', src, 3, 1, 'add', 2);
      assert.ok('fix' in r, `no fix: ${'reason' in r ? r.reason : ''}`);
      assert.match(r.fix.replacement, expect);
      cp.tidy(() => {
        const grid = cp.arange(800).cast('float32').reshape([100, 8]);
        const js = ts.transpileModule(`${r.fix.replacement}\nreturn t;`, { compilerOptions: { target: ts.ScriptTarget.ES2022 } }).outputText;
        // eslint-disable-next-line @typescript-eslint/no-implied-eval
        const batched = new Function('cp', 'grid', js)(cp, grid) as cp.Tensor;
        assert.deepEqual(batched.shape, [100, 100, 8]);
        const rows = batched.toArray() as number[][][];
        for (const i of [0, 1, 57, 99]) assert.deepEqual(rows[i], grid.add(i).toArray(), `row ${i}`);
      });
    });
  }
  it('a 0-D tensor: the offsets as they are', () => {
    const src = `${HEAD}for (let i = 0; i < 5; i++) {\n  const t = s.mul(i);\n}\n`;
    const r = batchRewrite('/w/s.ts', src, 3, 1, 'mul', 0);
    assert.ok('fix' in r && r.fix.replacement.includes('s.unsqueeze(0).mul(offsets)'), 'fix' in r ? r.fix.replacement : r.reason);
  });
  it('accepts for…of [...Array(N).keys()] too', () => {
    const src = `${HEAD}for (const i of [...Array(5).keys()]) data.add(i);\n`;
    const r = batchRewrite('/w/s.ts', src, 2, 1, 'add');
    assert.ok('fix' in r && r.fix.replacement.includes('cp.arange(5)'));
  });

  const refused: { name: string; src: string; op: string; reason: RegExp }[] = [
    { name: 'assignment to a variable outside the loop', src: `${HEAD}let last;\nfor (let i = 0; i < 9; i++) { last = data.add(i); }\n`, op: 'add', reason: /assigned to 'last'/ },
    { name: 'a second statement in the body', src: `${HEAD}for (let i = 0; i < 9; i++) {\n  const t = data.add(i);\n  console.log(t);\n}\n`, op: 'add', reason: /more than this one operation/ },
    { name: 'a step of 2', src: `${HEAD}for (let i = 0; i < 9; i += 2) data.add(i);\n`, op: 'add', reason: /does not step by 1/ },
    { name: 'a while loop', src: `${HEAD}let i = 0;\nwhile (i < 9) data.add(i++);\n`, op: 'add', reason: /not the body of a for/ },
    { name: 'the result inside a larger expression', src: `${HEAD}for (let i = 0; i < 9; i++) total += data.add(i).item();\n`, op: 'add', reason: /larger expression/ },
    { name: 'for…of over an arbitrary array', src: `${HEAD}for (const v of values) data.add(v);\n`, op: 'add', reason: /not over a range/ },
    { name: 'a receiver with side effects', src: `${HEAD}for (let i = 0; i < 9; i++) make().add(i);\n`, op: 'add', reason: /fixed tensor and the counter/ },
    { name: 'var read after the loop', src: `${HEAD}for (let i = 0; i < 9; i++) { var t = data.add(i); }\nuse(t);\n`, op: 'add', reason: /read after the loop/ },
    { name: 'no corepy namespace import', src: `import { add } from 'corepy';\nfor (let i = 0; i < 9; i++) data.add(i);\n`, op: 'add', reason: /namespace import/ },
  ];
  for (const c of refused) {
    it(`offers no fix for ${c.name}, and says why`, () => {
      const r = batchRewrite('/w/s.ts', c.src, lineOf(c.src, `${c.op}(`), 1, c.op);
      assert.ok('reason' in r, `unexpected fix: ${'fix' in r ? r.fix.replacement : ''}`);
      assert.match(r.reason, c.reason);
    });
  }
});

describe('moments quick fix on the syntax tree', () => {
  it('method form: one moments call declared before the statement, comments and names kept', () => {
    const src = `${HEAD}const z = x.sub(x.mean()).div(x.std()); // standardise\n`;
    const r = momentsRewrite('/w/s.ts', src, 2, 1, 'std');
    assert.ok('fix' in r);
    assert.equal(applyFixes(src, [r.fix]), `${HEAD}const { mean: xMean, variance: xVar } = x.moments();\nconst z = x.sub(xMean).div(xVar.sqrt()); // standardise\n`);
  });
  it('function form with var, and values equal to mean/var computed apart', () => {
    const src = `${HEAD}function f(batch: cp.Tensor) {\n  return cp.var(batch).item() - cp.mean(batch).item();\n}\n`;
    const r = momentsRewrite('/w/s.ts', src, 3, 1, 'var');
    assert.ok('fix' in r, 'reason' in r ? r.reason : '');
    assert.match(r.fix.replacement, /^  const \{ mean: batchMean, variance: batchVar \} = cp\.moments\(batch\);\n  return batchVar\.item\(\) - batchMean\.item\(\);$/);
    const batch = cp.arange(1000).cast('float32');
    const js = ts.transpileModule(applyFixes(src, [r.fix]).replace(HEAD, '') + '\nreturn f(batch);', {}).outputText;
    const fixed = new Function('cp', 'batch', js)(cp, batch) as number;
    assert.ok(Math.abs(fixed - (cp.variance(batch).item() - cp.mean(batch).item())) < 1e-3 * Math.abs(fixed));
    batch.dispose();
  });
  it('no fix when mean is of another tensor or std has arguments', () => {
    const a = momentsRewrite('/w/s.ts', `${HEAD}const z = x.sub(y.mean()).div(x.std());\n`, 2, 1, 'std');
    assert.ok('reason' in a && /mean\(\) of x/.test(a.reason));
    const b = momentsRewrite('/w/s.ts', `${HEAD}const z = x.sub(x.mean()).div(x.std(0));\n`, 2, 1, 'std');
    assert.ok('reason' in b);
  });
});
