/**
 * The text of "Explain" (no vscode import, so tests can read it): what was measured, the estimate
 * and how it was derived, the before/after in the user's own code, why no quick fix is offered
 * when there is none, and what applying this rule measured on the corpus.
 */
import { impactLabel, type Recommendation } from '../recommendation.js';

const fence = (s: string): string => ['```ts', s, '```'].join('\n');

/** Markdown for one recommendation. */
export function explainMarkdown(r: Recommendation): string {
  // A rewrite left untimed has no figure at all: the report's timing budget ran out (runtime rules/timing-budget.ts),
  // or the run was stopped, whose report times nothing (runtime rules/stop-report.ts; the basis says which).
  const untimed = r.speedupBasis.startsWith('not timed yet');
  const stopped = r.speedupBasis.startsWith('not timed yet: the run was stopped');
  const estimate = stopped
    ? '**impact unknown** — the rewrite was not timed on this machine yet: the run was stopped, and a stopped run\'s report ' +
      'uses only figures timed before; a run that ends by itself times it'
    : untimed
    ? '**impact unknown** — the rewrite was not timed on this machine yet (the report\'s timing budget ran out before its ' +
      'trial); a later report times it when its budget allows'
    : r.impact === 'unknown' && r.corpusSpeedup === undefined
    ? `**impact unknown** — this rule's estimates have not been checked against speedups measured on the corpus, so ` +
      `its figure (${r.estimatedSpeedup.toFixed(2)}×) is a guide only`
    : r.impact === 'unknown'
    ? `**impact unknown** — this rule's estimates were not within 1.3× of the speedups measured by applying it on the corpus, so ` +
      `its figure (${r.estimatedSpeedup.toFixed(2)}×) is a guide only`
    : `**${impactLabel(r)}** whole-profile speedup${r.impact === 'verified' ? ' (this rule\'s estimates were within 1.3× of measured speedups on the corpus)' : ''}`;
  // The corpus and its benchmark live in the corepy repository, not in the user's project: say where, not a command to run here.
  const corpus = r.corpusSpeedup !== undefined
    ? `Applying this rule to corepy's corpus of anti-pattern scripts measured a median **${r.corpusSpeedup.toFixed(2)}×** ` +
      '(profiler off, before and after in alternating runs; the recommendations benchmark in the corepy repository, figures in its runtime/BENCHMARKS.md).'
    : "This rule has not been measured on corepy's corpus of anti-pattern scripts (the recommendations benchmark in the corepy repository).";
  const fix = r.fix
    ? ['_The quick fix (Ctrl+.) makes exactly this change to your code._']
    : r.fixUnavailable
      ? [`_No quick fix: ${r.fixUnavailable}. The "after" above shows the pattern to apply by hand._`]
      : ['_This recommendation has no mechanical rewrite; the "after" above shows the pattern._'];
  return [
    `# ${r.title}`,
    '',
    `**Priority:** ${r.priority} · **Where:** ${r.location.file}:${r.location.line}:${r.location.column}`,
    '',
    '## What was measured',
    r.description,
    '',
    '## The estimate',
    estimate + (r.savedMs !== undefined ? `, about ${r.savedMs.toFixed(r.savedMs >= 10 ? 0 : 2)} ms of op time saved in this profile.` : '.'),
    '',
    ...(r.speedupBasis ? [`How it was derived: ${r.speedupBasis}.`, ''] : []),
    '## Measured on the corpus',
    corpus,
    '',
    '## Before (your code)', fence(r.codeExample.before),
    '## After', fence(r.fix ? r.fix.replacement : r.codeExample.after),
    ...fix,
    '',
    '## Evidence', '```json', JSON.stringify(r.evidence, null, 2) ?? 'null', '```',
  ].join('\n');
}
