/**
 * Where a recommendation's diagnostic goes (extension/src/recs/diagnostic-range.ts): on the code
 * it is about, not across its fix's edit. The jit-chain fix starts at the end of the corepy import
 * (it inserts the `cp.jit` definition there) and ends at the chain; its diagnostic was that whole
 * range ("Ln 1, Col 30", squiggles over lines 1–6).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { currentFixRange, diagnosticCode, diagnosticSpan } from '../../extension/src/recs/diagnostic-range.js';
import type { Recommendation } from '../../extension/src/recommendation.js';
import { jitRewrite } from '../../runtime/src/profiler/rules/jit-rewrite.js';

/** The audit's script: the chain's `.sum` is at line 6, column 51 (where V8 places the call). */
const SCRIPT = [
  "import * as cp from 'corepy';",
  '',
  'const x = cp.randn([1_000_000]);',
  'let acc = 0;',
  'for (let i = 0; i < 100; i++) {',
  '  acc += cp.tidy(() => x.mul(1.5).sub(0.5).relu().sum().item());',
  '}',
];
const lines = (l: number): string | undefined => SCRIPT[l];

const rec = (over: Partial<Recommendation>): Recommendation => ({
  id: 'r', rule: 'jit-chain', priority: 'HIGH', title: 'Fuse this chain with cp.jit', description: '', estimatedSpeedup: 2,
  speedupBasis: '', codeExample: { before: '', after: '' }, location: { file: '/w/jitchain.ts', line: 6, column: 51 }, evidence: {}, ...over,
});

describe('recommendation diagnostic range', () => {
  it('puts the jit-chain diagnostic on the chain\'s line, ending at the chain, though its fix starts at the import', () => {
    const rewrite = jitRewrite('/w/jitchain.ts', SCRIPT.join('\n'), 6, 51, ['mul', 'sub', 'relu'], 'sum');
    assert.ok('fix' in rewrite, 'the audit script gets a fix');
    assert.equal(rewrite.fix.range.startLine, 1, 'the fix (an edit) still starts at the import');
    const s = diagnosticSpan(rec({ fix: rewrite.fix }), lines);
    assert.deepEqual([s.startLine, s.endLine], [5, 5], 'one line: line 6 (0-based 5)');
    const text = SCRIPT[5]!.slice(s.startCharacter, s.endCharacter);
    assert.equal(text, 'acc += cp.tidy(() => x.mul(1.5).sub(0.5).relu().sum()', 'from the statement to the end of the chain');
  });

  it('keeps a fix\'s range that lies on the location\'s line', () => {
    const fix = { range: { startLine: 6, startColumn: 24, endLine: 6, endColumn: 56 }, replacement: 'fused(x)' };
    assert.deepEqual(diagnosticSpan(rec({ fix }), lines), { startLine: 5, startCharacter: 23, endLine: 5, endCharacter: 55 });
  });

  it('marks the location\'s line from the fix\'s start when a fix starts there and runs on', () => {
    const fix = { range: { startLine: 5, startColumn: 1, endLine: 7, endColumn: 2 }, replacement: 'const offsets = cp.arange(100);' };
    const s = diagnosticSpan(rec({ location: { file: '/w/jitchain.ts', line: 5, column: 1 }, fix }), lines);
    assert.deepEqual(s, { startLine: 4, startCharacter: 0, endLine: 4, endCharacter: SCRIPT[4]!.length });
  });

  it('without a fix, or with one that misses the line, marks the line\'s text', () => {
    const line = { startLine: 5, startCharacter: 2, endLine: 5, endCharacter: SCRIPT[5]!.length };
    assert.deepEqual(diagnosticSpan(rec({}), lines), line);
    const elsewhere = { range: { startLine: 1, startColumn: 1, endLine: 2, endColumn: 1 }, replacement: '' };
    assert.deepEqual(diagnosticSpan(rec({ fix: elsewhere }), lines), line);
  });

  it('without the document, runs from the location\'s column to the end of the line', () => {
    const s = diagnosticSpan(rec({}));
    assert.deepEqual([s.startLine, s.startCharacter, s.endLine], [5, 50, 5]);
    assert.ok(s.endCharacter > SCRIPT[5]!.length);
  });
});

describe('a fix\'s range after edits since the run (currentFixRange)', () => {
  const ran = ['import x;', 'a();', 'for (;;) { y.add(1); }', 'done();'];
  const range = { startLine: 3, startColumn: 12, endLine: 3, endColumn: 21 }; // `y.add(1);`
  const place = (now: string[], current: (l: number) => number | null) =>
    currentFixRange(range, current, (l) => ran[l - 1], (l) => now[l - 1]);

  it('moves with its lines when the text it replaces is intact', () => {
    const now = ['import x;', '// new', '// lines', 'a();', 'for (;;) { y.add(1); } // typed after', 'done();'];
    assert.deepEqual(place(now, (l) => (l === 1 ? 1 : l + 2)), { ...range, startLine: 5, endLine: 5 });
  });

  it('is withdrawn when its line is gone, or the text it replaces changed or moved on the line', () => {
    assert.equal(place(ran, (l) => (l === 3 ? null : l)), null);
    assert.equal(place(['import x;', 'a();', 'for (;;) { z.add(1); }', 'done();'], (l) => l), null);
    assert.equal(place(['import x;', 'a();', '  for (;;) { y.add(1); }', 'done();'], (l) => l), null, 'indented: same text, other columns');
  });

  it('the diagnostic code is the id without the file (the Problems view groups by file; a path crowded out the message)', () => {
    const loc = { file: '/tmp/my proj/train.ts', line: 7, column: 3 };
    assert.equal(diagnosticCode({ id: 'undisposed-tensors:/tmp/my proj/train.ts:7', location: loc }), 'undisposed-tensors:7');
    assert.equal(diagnosticCode({ id: 'dominant-op:cast', location: loc }), 'dominant-op:cast', 'an id without the file stays');
  });
});
