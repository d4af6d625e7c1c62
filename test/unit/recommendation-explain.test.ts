/** The text of Explain (extension/src/recs/explain-markdown.ts): every part the user is promised, for each kind of recommendation. */
import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { explainMarkdown } from '../../extension/src/recs/explain-markdown.js';
import type { Recommendation } from '../../extension/src/recommendation.js';
import { untimedFields } from '../../runtime/src/profiler/rules/types.js';

const base: Recommendation = {
  id: 'batch-loop:/w/a.ts:3', rule: 'batch-loop', priority: 'HIGH', title: 'Batch repeated operations',
  description: "The 'add' operation was called 100 times from this line.", estimatedSpeedup: 1.52,
  speedupBasis: 'rewrite timed here: 100 calls 3.1 ms vs batched 2.0 ms', savedMs: 42.4, impact: 'verified', corpusSpeedup: 1.61,
  codeExample: { before: 'for (let i = 0; i < 100; i++) {\n  const t = data.add(i);\n}', after: 'generic after' },
  location: { file: '/w/a.ts', line: 3, column: 1 }, evidence: { calls: 100 },
  fix: { range: { startLine: 3, startColumn: 1, endLine: 5, endColumn: 2 }, replacement: 'const offsets = cp.arange(100);\nconst t = data.unsqueeze(0).add(offsets.unsqueeze(1));' },
};

describe('Explain text', () => {
  it('says what was measured, the estimate and its derivation, the corpus figure, and shows the fix in the user\'s code', () => {
    const md = explainMarkdown(base);
    assert.match(md, /## What was measured\nThe 'add' operation was called 100 times/);
    assert.match(md, /\*\*≈1\.5×\*\* whole-profile speedup \(this rule's estimates were within 1\.3×/);
    assert.match(md, /about 42 ms of op time saved/);
    assert.match(md, /How it was derived: rewrite timed here/);
    assert.match(md, /measured a median \*\*1\.61×\*\*/);
    assert.match(md, /## Before \(your code\)\n```ts\nfor \(let i = 0/);
    assert.match(md, /## After\n```ts\nconst offsets = cp\.arange\(100\);\nconst t = data\.unsqueeze/);
    assert.match(md, /quick fix \(Ctrl\+\.\) makes exactly this change/);
  });
  it('says "impact unknown" for unverified rules and why no quick fix is offered', () => {
    const { fix: _fix, ...noFix } = base;
    const md = explainMarkdown({ ...noFix, impact: 'unknown', fixUnavailable: "the result is assigned to 'last', declared outside the loop" });
    assert.match(md, /\*\*impact unknown\*\*/);
    assert.doesNotMatch(md, /≈1\.5×/);
    assert.match(md, /No quick fix: the result is assigned to 'last'/);
    assert.match(md, /## After\n```ts\ngeneric after/);
  });
  it('says when the rewrite was not timed yet (the report\'s timing budget ran out), with no figure', () => {
    const { savedMs: _saved, ...rest } = base;
    const md = explainMarkdown({ ...rest, priority: 'LOW', impact: 'unknown', estimatedSpeedup: 1,
      speedupBasis: "not timed yet: the batched rewrite on [1000] did not fit in this report's timing budget (COREPY_RULE_BUDGET_MS). Each report times what is still missing, cheapest first, until its budget is spent (one trial takes 0.3–1.8 s), so a later report or run on this machine times it once its turn comes; a larger COREPY_RULE_BUDGET_MS times more per report" });
    assert.match(md, /\*\*impact unknown\*\* — the rewrite was not timed on this machine yet/);
    assert.doesNotMatch(md, /1\.00×/, 'no figure');
    assert.doesNotMatch(md, /were not within 1\.3×/, 'not the unverified-rule reason');
  });
  it('says when the rewrite was not timed because the run was stopped (the runtime\'s own text), with no figure', () => {
    const { savedMs: _saved, ...rest } = base;
    const md = explainMarkdown({ ...rest, ...untimedFields('the batched rewrite on [1000]', true) });
    assert.match(md, /\*\*impact unknown\*\* — the rewrite was not timed on this machine yet: the run was stopped/);
    assert.doesNotMatch(md, /budget ran out/);
    assert.doesNotMatch(md, /1\.00×/, 'no figure');
    // Not stopped: the budget, and no promise that the very next report times it.
    const budget = explainMarkdown({ ...rest, ...untimedFields('the batched rewrite on [1000]', false) });
    assert.match(budget, /timing budget ran out before its trial\); a later report times it when its budget allows/);
  });
  it('says when a rule was never measured on the corpus', () => {
    const { corpusSpeedup: _c, ...rest } = base;
    assert.match(explainMarkdown(rest), /has not been measured on corepy's corpus of anti-pattern scripts/);
    // Unverified because never measured, not because it missed: the estimate says which.
    const md = explainMarkdown({ ...rest, impact: 'unknown' });
    assert.match(md, /\*\*impact unknown\*\* — this rule's estimates have not been checked against speedups measured on the corpus/);
    assert.doesNotMatch(md, /were not within 1\.3×/);
  });
});
