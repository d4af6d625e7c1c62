/**
 * Report text around recommendations: the memory section's held lines point to the undisposed-tensors
 * recommendation only when the report has one (audit 33 #6: 200 small tensors are listed, under the rule's
 * 1 MB / 500-tensor thresholds, and the pointer led nowhere), and an unknown impact reads "Impact: unknown",
 * not "Impact: impact unknown" (audit 33 #7).
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'mocha';
import * as cp from '../../runtime/src/index.js';
import { renderMarkdown, renderText } from '../../runtime/src/profiler/format-text.js';

/** The report of `n` iterations of a loop whose line keeps each small result (40 bytes) it makes. */
function heldLoop(n: number): cp.ProfileReport {
  cp.clearProfile({ segments: true });
  cp.enableProfiling({ callSites: 'all', warmUp: false });
  const x = cp.arange(10).cast('float32');
  for (let i = 0; i < n; i++) x.mul(1.5);
  return cp.profileReport({ format: 'json' });
}

const POINTER = /Never disposed, by the line that created them: .* left at the report \(see the undisposed-tensors recommendation\):/;

describe('report text: memory pointer and impact wording', function () {
  this.timeout(120000);
  afterEach(() => { cp.disableProfiling(); cp.clearProfile({ segments: true }); });

  it('held lines under the rule\'s thresholds: listed, with no pointer to a recommendation the report lacks', () => {
    const r = heldLoop(200);
    assert.ok(!r.recommendations.some((rec) => rec.rule === 'undisposed-tensors'), 'under the thresholds: no recommendation');
    for (const text of [renderText(r, { color: false }), renderMarkdown(r)]) {
      assert.match(text, /Never disposed, by the line that created them: the most held at once, and how many were left at the report:/);
      assert.doesNotMatch(text, POINTER);
    }
  });

  it('held lines the rule recommends releasing: the heading points to its recommendation, which is in the report', () => {
    const r = heldLoop(600);
    const rec = r.recommendations.find((x) => x.rule === 'undisposed-tensors');
    assert.ok(rec, JSON.stringify(r.recommendations.map((x) => x.rule)));
    for (const text of [renderText(r, { color: false }), renderMarkdown(r)]) {
      assert.match(text, POINTER);
      assert.ok(text.includes(rec.title), `the recommendation pointed to is listed: ${rec.title}`);
    }
  });

  it('an unknown impact after the "Impact:" heading says "unknown" once, in the text and the Markdown', () => {
    const r = heldLoop(600);
    const rec = r.recommendations.find((x) => x.rule === 'undisposed-tensors')!;
    // The same recommendation, as an unverified rule's and as one whose rewrite was not timed yet (timing-budget.ts).
    const recs = [{ ...rec, impact: 'unknown' as const }, { ...rec, id: `${rec.id}-b`, impact: 'unknown' as const, speedupBasis: 'not timed yet: the report\'s timing budget ran out' }];
    const text = renderText({ ...r, recommendations: recs }, { color: false }), md = renderMarkdown({ ...r, recommendations: recs });
    assert.match(text, /Impact: unknown \(not verified against measured speedups; this profile's own estimate, a guide only: /);
    assert.match(text, /Impact: unknown \(not timed yet: the report's timing budget ran out\)/);
    assert.match(md, /Impact: unknown — not verified against measured speedups/);
    assert.match(md, /Impact: unknown — not timed yet/);
    for (const t of [text, md]) assert.doesNotMatch(t, /Impact: impact/);
    const verified = renderText({ ...r, recommendations: [{ ...rec, impact: 'verified' }] }, { color: false });
    assert.match(verified, new RegExp(`Impact: ≈${rec.estimatedSpeedup.toFixed(1)}×`));
  });
});
