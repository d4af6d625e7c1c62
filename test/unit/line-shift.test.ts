/**
 * The run's lines follow their code through edits (extension/src/views/line-shift.ts): lines
 * inserted above move a line down, text typed on it or after it leaves it, a deleted line is
 * gone, an undo brings it back, and a line an edit's range covered but whose text the edit kept
 * (the jit-chain quick fix) is found again, a line split by Enter after a statement typed at its
 * start follows the code that ran (fed as the tracker feeds FileEdits); a property test checks all
 * of it against line splices.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { describe, it } from 'mocha';
import { matchLines, ranCodeIn } from '../../extension/src/views/line-diff.js';
import { blockEdit, EditLog, FileEdits, replayEdits, shiftLine, type LineEdit } from '../../extension/src/views/line-shift.js';
import { JIT_CHAIN_SCRIPT } from '../fixtures/editor/jit-chain-script.js';

/** An edit as VS Code reports it: the replaced range (0-based lines) and the new text. */
const edit = (startLine: number, startCharacter: number, endLine: number, text: string, endCharacter = 0): LineEdit =>
  ({ startLine, startCharacter, endLine, endCharacter, text });

describe('lines follow edits until the next run', () => {
  it('matchLines: lines a fix re-indents keep their figures (the tidy fix wraps a loop body one level deeper)', () => {
    const before = ['{', '  const x = cp.randn([128, 128]);', '  const y = x.matmul(w).relu();', '  loss += y.mean().item();', '}'];
    const after = ['{', '  cp.tidy(() => {', '    const x = cp.randn([128, 128]);', '    const y = x.matmul(w).relu();', '    loss += y.mean().item();', '  });', '}'];
    assert.deepEqual(Array.from(matchLines(before, after)), [0, 2, 3, 4, 6]);
  });

  it('shiftLine: above, on and below the edit', () => {
    const insertTwoAbove = edit(2, 0, 2, 'a\nb\n'); // two lines pasted at the start of line 2
    assert.equal(shiftLine(1, insertTwoAbove), 1);
    assert.equal(shiftLine(2, insertTwoAbove), 4, 'the line pasted above pushes it down');
    assert.equal(shiftLine(7, insertTwoAbove), 9);
    const newlineAtEnd = edit(2, 10, 2, '\n'); // Enter at the end of line 2
    assert.equal(shiftLine(2, newlineAtEnd), 2);
    assert.equal(shiftLine(3, newlineAtEnd), 4);
    const deleteLines3to4 = edit(3, 0, 5, ''); // lines 3 and 4 deleted whole
    assert.equal(shiftLine(3, deleteLines3to4), null);
    assert.equal(shiftLine(4, deleteLines3to4), null);
    assert.equal(shiftLine(5, deleteLines3to4), 3);
    assert.equal(shiftLine(2, deleteLines3to4), 2);
    const joinLines = edit(3, 4, 4, '', 2); // from inside line 3 to inside line 4: line 4's start is gone
    assert.equal(shiftLine(4, joinLines), null);
    assert.equal(shiftLine(3, joinLines), 3);
    assert.equal(shiftLine(6, joinLines), 5);
  });

  it('EditLog replays every edit since the run, maps back after an undo, finds the run line under the cursor', () => {
    const log = new EditLog();
    assert.equal(log.current(8), 8);
    log.push([edit(0, 0, 0, '// one\n// two\n')]); // two lines inserted at the top
    assert.equal(log.current(8), 10);
    assert.equal(log.current(1), 3);
    log.push([edit(9, 5, 9, 'x', 5)]); // typing on the moved line (0-based 9 = line 10) keeps it there
    assert.equal(log.current(8), 10);
    assert.equal(log.runLineAt(10, [4, 5, 8]), 8);
    assert.equal(log.runLineAt(8, [4, 5, 8]), undefined, 'nothing of the run is at line 8 now');
    log.push([edit(9, 5, 9, '', 6)]); // undo the typing
    log.push([edit(0, 0, 2, '')]); // undo the insertion
    assert.equal(log.current(8), 8);
    log.push([edit(7, 0, 8, '')]); // line 8 deleted
    assert.equal(log.current(8), null);
    assert.equal(log.current(9), 8);
  });
});

const SCRIPT = JIT_CHAIN_SCRIPT;
const COMMENT = '// mul → sub → relu → sum as one fused kernel, traced once per input shape';
const FUSED = 'const fused = cp.jit((t: cp.Tensor) => t.mul(1.5).sub(0.5).relu().sum());';
/** The fix as the runtime writes it: one range from the end of the import to the end of the chain. */
const JIT_FIX: LineEdit = {
  startLine: 0, startCharacter: 29, endLine: 5, endCharacter: 46,
  text: `\n${COMMENT}\n${FUSED}\n\nconst x = cp.randn([200, 500]);\nconst totals: number[] = [];\nfor (let i = 0; i < 20; i++) {\n  totals.push(fused(x)`,
};
/**
 * The same fix as VS Code 1.100 reports it to the extension (recorded in code-server): character-level
 * minimal changes, last first; the `cp.jit(…)` line is inserted after the `const ` of the randn line.
 */
const JIT_FIX_AS_REPORTED: LineEdit[] = ([
  [5, 45, 5, 45, 'x'], [5, 36, 5, 44, 'd'], [5, 26, 5, 35, ''], [5, 18, 5, 25, ''], [5, 14, 5, 17, 'f'],
  [2, 6, 2, 6, 'cp.jit((t: cp.Tensor) => t.mul(1.5).sub(0.5).relu().sum());\n\nconst '], [2, 5, 2, 5, ' fused ='], [1, 0, 1, 0, COMMENT],
] as const).map(([startLine, startCharacter, endLine, endCharacter, text]) => ({ startLine, startCharacter, endLine, endCharacter, text }));

describe('a quick fix that rewrites a span and keeps the code inside it', () => {
  const AFTER = [
    "import * as cp from 'corepy';", COMMENT, FUSED, '', 'const x = cp.randn([200, 500]);', 'const totals: number[] = [];',
    'for (let i = 0; i < 20; i++) {', '  totals.push(fused(x).item());', '}', 'console.log(totals.length);', '',
  ].join('\n');

  it('both forms of the jit-chain fix give the same text', () => {
    assert.equal(replayEdits(SCRIPT, [JIT_FIX]), AFTER);
    assert.equal(replayEdits(SCRIPT, JIT_FIX_AS_REPORTED), AFTER);
    assert.equal(replayEdits('one', [edit(3, 0, 3, 'x')]), undefined, 'a range past the end: not this text');
  });

  it('from the ranges alone, the randn line stays under the inserted cp.jit line (the defect) or is lost', () => {
    const reported = new EditLog();
    reported.push(JIT_FIX_AS_REPORTED);
    assert.equal(reported.current(3), 3, 'the range starts after `const ` on it: taken for typing on the line');
    const oneRange = new EditLog();
    oneRange.push([JIT_FIX]);
    assert.equal(oneRange.current(3), null, 'its start is inside the one range');
  });

  it('as whole lines (the text before known): the lines between move two down, the chain\'s line too, rewritten in place', () => {
    const block = blockEdit(SCRIPT, AFTER)!;
    assert.equal(block.startLine, 1, 'the import is unchanged');
    const log = new EditLog();
    log.push(block);
    assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 8].map((l) => log.current(l)), [1, 4, 5, 6, 7, 8, 9, 10]);
    assert.equal(log.runLineAt(3, [3, 6]), undefined, 'nothing of the run on the inserted cp.jit line');
    assert.equal(blockEdit(SCRIPT, SCRIPT), undefined);
  });

  it('matchLines: equal lines in order, line-for-line rewrites between them, a kept start or end', () => {
    assert.deepEqual([...matchLines(['a', 'b', 'c'], ['a', 'x', 'y', 'b', 'c'])], [0, 3, 4]);
    assert.deepEqual([...matchLines(['a', 'b', 'c'], ['a', 'B', 'c'])], [0, 1, 2], 'b rewritten in place');
    assert.deepEqual([...matchLines(['a', 'b', 'c', 'd'], ['a', 'X', 'd'])], [0, -1, -1, 2], 'two lines became one: neither is kept');
    assert.deepEqual([...matchLines(['b', 'a'], ['a', 'b'])], [-1, 0], 'matches never cross');
    assert.deepEqual([...matchLines(['abc'], ['ab', 'c'])], [0], 'Enter in the middle: the line keeps its start');
    assert.deepEqual([...matchLines(['  y = x.sum();'], ['const f = 1;', '  y = f(x);'])], [1], 'lines inserted above a rewritten head');
    assert.deepEqual([...matchLines(['  abc'], ['  xy', '  z'])], [-1], 'white space alone is no kept start');
    assert.deepEqual([...matchLines([], ['a'])], []);
  });

  it('replayEdits: each change applies to the text the previous one left; CRLF kept', () => {
    assert.equal(replayEdits('one\r\ntwo\r\nthree', [edit(2, 0, 2, 'THREE', 5), edit(0, 3, 1, '!\r\n+\r\n')]), 'one!\r\n+\r\ntwo\r\nTHREE');
    assert.deepEqual(blockEdit('a\r\nb', 'a\r\nB\r\nc'), { startLine: 1, oldLines: ['b'], newLines: ['B', 'c'] });
  });
});

/** The audit's plain.js (0-based line 5 holds the `data.add(i)` that ran). */
const PLAIN = [
  "const cp = require('corepy');", '', "const data = cp.arange(100_000).cast('float32');", 'const out = [];',
  'for (let i = 0; i < 5; i++) {', '  const t = data.add(i);', '  out.push(t);', '}', 'const x = cp.randn([256, 256]);', '',
].join('\n');

/** Feeds `events` (each one change event's changes) to a FileEdits as the tracker does, with the document's text after each. */
function feed(edits: FileEdits, start: string, events: readonly (readonly LineEdit[])[]): string {
  let text = start;
  for (const changes of events) {
    text = replayEdits(text, changes)!;
    edits.change(changes, text);
  }
  return text;
}

describe('a statement typed at the start of a line, then Enter (audit 20: the lens stayed on the typed line)', () => {
  const TYPED = 'const b1 = 1;';

  it('the code that ran moves down to the line Enter made; the typed statement gets nothing', () => {
    for (const [what, events] of [
      ['typed at once, then Enter', [[edit(5, 0, 5, TYPED)], [edit(5, TYPED.length, 5, '\n', TYPED.length)]]],
      ['typed key by key', [...[...TYPED].map((ch, k) => [edit(5, k, 5, ch, k)]), [edit(5, TYPED.length, 5, '\n', TYPED.length)]]],
      ['Enter indenting the new line', [[edit(5, 0, 5, TYPED)], [edit(5, TYPED.length, 5, '\n  ', TYPED.length)]]],
    ] as const) {
      const edits = new FileEdits(PLAIN);
      const text = feed(edits, PLAIN, events);
      assert.equal(text.split('\n')[5], TYPED, what);
      assert.equal(text.split('\n')[6]!.trim(), 'const t = data.add(i);', what);
      assert.equal(edits.log!.current(6), 7, `${what}: the add line follows its code`);
      assert.equal(edits.log!.current(7), 8, what);
      assert.equal(edits.log!.current(5), 5, what);
      assert.equal(edits.log!.runLineAt(6, [5, 6, 7]), undefined, `${what}: nothing of the run on the typed line`);
      // Later edits keep it right: two lines inserted at the top.
      feed(edits, text, [[edit(0, 0, 0, '// a\n// b\n')]]);
      assert.equal(edits.log!.current(6), 9, what);
    }
  });

  it('Enter in the middle of the code itself: the lens goes to the piece holding more of it; without the run\'s text, to the first', () => {
    const split: LineEdit[] = [edit(5, 10, 5, '\n    ', 10)]; // `  const t =` | `    data.add(i);`
    const known = new FileEdits(PLAIN);
    feed(known, PLAIN, [split]);
    assert.equal(known.log!.current(6), 7);
    const typedEnd = new FileEdits(PLAIN); // a statement typed at the end, then Enter before it: the code stays up
    feed(typedEnd, PLAIN, [[edit(5, 24, 5, ' const b2 = 2;', 24)], [edit(5, 24, 5, '\n  ', 24)]]);
    assert.equal(typedEnd.log!.current(6), 6);
    const unknown = new FileEdits(null); // saved before the first edit: the previous event's text only
    feed(unknown, PLAIN, [[edit(5, 0, 5, TYPED)], [edit(5, TYPED.length, 5, '\n', TYPED.length)]]);
    assert.equal(unknown.log!.current(6), 6, 'the typed half kept the line\'s start (the limit without the run\'s text)');
  });

  it('ranCodeIn: the piece sharing the most words and symbols with the line that ran', () => {
    assert.equal(ranCodeIn('  const t = data.add(i);', ['const b1 = 1;', '  const t = data.add(i);'], 0, 2), 1);
    assert.equal(ranCodeIn('  const t = data.add(i);', ['// note', 'let t = data.add(i) // both ends edited'], 0, 2), 1);
    assert.equal(ranCodeIn('a + b', ['b', 'a'], 0, 2), 0, 'a tie: the first');
    assert.equal(ranCodeIn('abc', ['ab', 'c'], 0, 2), undefined, 'nothing shared (a word cut in two)');
  });

  it('back at the text that ran (undo): no edits left', () => {
    const edits = new FileEdits(PLAIN);
    const text = feed(edits, PLAIN, [[edit(5, 0, 5, TYPED)], [edit(5, TYPED.length, 5, '\n', TYPED.length)]]);
    assert.ok(edits.log);
    assert.equal(edits.change([edit(5, 0, 6, '', 0)], PLAIN), true);
    assert.equal(edits.log, undefined);
    assert.notEqual(text, PLAIN);
  });
});

/**
 * The oracle: a document as a list of lines with identities, edited by line operations (splices),
 * each also expressed as the content change VS Code reports. Every run line must be mapped to where
 * its identity is now, or to null once its line was deleted.
 */
interface Line { readonly id: number; readonly text: string }
type Op =
  | { kind: 'insertAt0' | 'insertAfterEnd'; p: number; k: number }
  | { kind: 'delete' | 'deleteFromPrevEnd'; a: number; n: number }
  | { kind: 'type'; p: number; c: number }
  | { kind: 'typeAt0ThenEnter'; p: number }
  | { kind: 'quickFix'; a: number; n: number; k: number; c: number };

const opArb = (withQuickFix: boolean): fc.Arbitrary<Op> => {
  const ops: fc.Arbitrary<Op>[] = [
    fc.record({ kind: fc.constantFrom('insertAt0' as const, 'insertAfterEnd' as const), p: fc.nat(), k: fc.integer({ min: 1, max: 3 }) }),
    fc.record({ kind: fc.constantFrom('delete' as const, 'deleteFromPrevEnd' as const), a: fc.nat(), n: fc.integer({ min: 1, max: 3 }) }),
    fc.record({ kind: fc.constant('type' as const), p: fc.nat(), c: fc.nat() }),
  ];
  if (withQuickFix) {
    ops.push(fc.record({ kind: fc.constant('quickFix' as const), a: fc.nat(), n: fc.integer({ min: 1, max: 4 }), k: fc.nat({ max: 3 }), c: fc.nat() }));
    ops.push(fc.record({ kind: fc.constant('typeAt0ThenEnter' as const), p: fc.nat() }));
  }
  return fc.oneof(...ops);
};

/**
 * Applies `op` to `lines` (the last line is never edited: deletions end at column 0 of a line); returns
 * its change events (one change each), or null when it does not fit.
 */
function apply(lines: Line[], op: Op, fresh: () => string): LineEdit[] | null {
  const one = apply1(lines, op, fresh);
  if (op.kind !== 'typeAt0ThenEnter' || !one) return one && [one];
  // The statement typed at column 0 goes to a new line above; the line keeps its code below it.
  const typed = one.text;
  return [one, { startLine: one.startLine, startCharacter: typed.length, endLine: one.startLine, endCharacter: typed.length, text: '\n' }];
}

function apply1(lines: Line[], op: Op, fresh: () => string): LineEdit | null {
  const len = lines.length;
  const end = (i: number): number => lines[i]!.text.length;
  const at = (p: number, max: number): number => p % (max + 1);
  const news = (k: number): Line[] => Array.from({ length: k }, () => ({ id: -1, text: fresh() }));
  switch (op.kind) {
    case 'insertAt0': {
      const p = at(op.p, len - 1), add = news(op.k);
      lines.splice(p, 0, ...add);
      return { startLine: p, startCharacter: 0, endLine: p, endCharacter: 0, text: add.map((l) => `${l.text}\n`).join('') };
    }
    case 'insertAfterEnd': {
      const p = at(op.p, len - 1), add = news(op.k), e = end(p);
      lines.splice(p + 1, 0, ...add);
      return { startLine: p, startCharacter: e, endLine: p, endCharacter: e, text: add.map((l) => `\n${l.text}`).join('') };
    }
    case 'delete': {
      if (len < 2) return null;
      const a = at(op.a, len - 2), b = Math.min(a + op.n, len - 1);
      lines.splice(a, b - a);
      return { startLine: a, startCharacter: 0, endLine: b, endCharacter: 0, text: '' };
    }
    case 'deleteFromPrevEnd': {
      if (len < 3) return null;
      const a = 1 + at(op.a, len - 3), b = Math.min(a + op.n, len - 1);
      const edit = { startLine: a - 1, startCharacter: end(a - 1), endLine: b - 1, endCharacter: end(b - 1), text: '' };
      lines.splice(a, b - a);
      return edit;
    }
    case 'typeAt0ThenEnter': {
      // On a line that still holds something of the code that ran (its mark): else nothing tells which piece is that line.
      const p = at(op.p, len - 1), id = lines[p]!.id;
      if (id >= 0 && !lines[p]!.text.includes(runMark(id))) return null;
      const s = fresh();
      lines.splice(p, 0, { id: -1, text: s });
      return { startLine: p, startCharacter: 0, endLine: p, endCharacter: 0, text: s };
    }
    case 'type': {
      const p = at(op.p, len - 1), c = 1 + at(op.c, end(p) - 1), s = fresh();
      lines[p] = { id: lines[p]!.id, text: lines[p]!.text.slice(0, c) + s + lines[p]!.text.slice(c) };
      return { startLine: p, startCharacter: c, endLine: p, endCharacter: c, text: s };
    }
    case 'quickFix': {
      // From the end of line a to column c of line b: k lines inserted after a, the lines between
      // kept, line b's head rewritten (like the jit-chain fix).
      if (len < 3) return null;
      const a = at(op.a, len - 3), b = Math.min(a + op.n, len - 2), c = 1 + at(op.c, end(b) - 2); // line b keeps a tail
      const add = news(op.k), head = fresh();
      const kept = lines.slice(a + 1, b).map((l) => l.text);
      const edit = {
        startLine: a, startCharacter: end(a), endLine: b, endCharacter: c,
        text: ['', ...add.map((l) => l.text), ...kept, head].join('\n'),
      };
      lines[b] = { id: lines[b]!.id, text: head + lines[b]!.text.slice(c) };
      lines.splice(a + 1, 0, ...add);
      return edit;
    }
  }
}

/** The first of the marks (box-drawing symbols, each a word of its own for ranCodeIn); the run's lines get the first ones. */
const MARK_BASE = 0x2500;
const runMark = (id: number): string => String.fromCodePoint(MARK_BASE + id);

function check(n: number, ops: readonly Op[], withText: boolean): void {
  // Every line starts and ends with its own character: lines share a start or an end only where an edit kept it.
  let uid = 0;
  const mark = (): string => String.fromCodePoint(MARK_BASE + uid++);
  const fresh = (): string => { const c = mark(); return `${c}new${c}`; };
  const lines: Line[] = Array.from({ length: n }, (_, i) => { const c = mark(); return { id: i, text: `${c}run line ${i + 1};${c}` }; });
  const ran = lines.map((l) => l.text).join('\n');
  let text = ran;
  // With the text: as the tracker feeds its per-file state (each event placed against the text before it, the run's lines known).
  const file = new FileEdits(ran);
  const log = new EditLog();
  for (const op of ops) {
    const events = apply(lines, op, fresh);
    if (!events) continue;
    if (withText) {
      const next = lines.map((l) => l.text).join('\n');
      text = feed(file, text, events.map((e) => [e]));
      assert.equal(text, next, 'the replayed text is the document\'s');
    } else {
      for (const e of events) log.push([e]);
    }
  }
  const current = (l: number): number | null => (!withText ? log.current(l) : file.log ? file.log.current(l) : l);
  for (let i = 0; i < n; i++) {
    const want = lines.findIndex((l) => l.id === i);
    assert.equal(current(i + 1), want < 0 ? null : want + 1, `run line ${i + 1}`);
  }
}

describe('property: the run lines follow a sequence of edits as the document\'s lines do', () => {
  const RUNS = Number(process.env.FC_RUNS ?? 300);
  const SEED = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);
  const cfg = { numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }) };

  it('inserts, deletes and typing, from the change ranges alone', () => {
    fc.assert(fc.property(fc.integer({ min: 2, max: 12 }), fc.array(opArb(false), { maxLength: 12 }), (n, ops) => check(n, ops, false)), cfg);
  });

  it('with quick-fix spans and statements typed at a line\'s start then Enter too, when the edits carry the text they replaced', () => {
    fc.assert(fc.property(fc.integer({ min: 2, max: 12 }), fc.array(opArb(true), { maxLength: 12 }), (n, ops) => check(n, ops, true)), cfg);
  });

  it('any edit: mapped lines stay in the document and in order', () => {
    const edits = fc.array(fc.record({
      a: fc.nat(), b: fc.nat(), sc: fc.nat(), ec: fc.nat(),
      text: fc.array(fc.constantFrom('x', 'run line 2;', '\n', ''), { maxLength: 6 }).map((p) => p.join('')),
    }), { maxLength: 8 });
    fc.assert(fc.property(fc.integer({ min: 1, max: 10 }), edits, (n, raw) => {
      let text = Array.from({ length: n }, (_, i) => `run line ${i + 1};`).join('\n');
      const log = new EditLog();
      for (const r of raw) {
        const ls = text.split('\n');
        const s = r.a % ls.length, e = s + (r.b % (ls.length - s));
        const sc = r.sc % (ls[s]!.length + 1), ec = e === s ? sc + (r.ec % (ls[e]!.length - sc + 1)) : r.ec % (ls[e]!.length + 1);
        const next = replayEdits(text, [{ startLine: s, startCharacter: sc, endLine: e, endCharacter: ec, text: r.text }])!;
        const block = blockEdit(text, next);
        if (block) log.push(block);
        text = next;
      }
      const count = text.split('\n').length;
      let last = 0;
      for (let i = 1; i <= n; i++) {
        const at = log.current(i);
        if (at === null) continue;
        assert.ok(at >= 1 && at <= count, `run line ${i} at ${at}, the document has ${count}`);
        assert.ok(at >= last, `run line ${i} at ${at}, above an earlier run line at ${last}`);
        last = at;
      }
    }), cfg);
  });
});
