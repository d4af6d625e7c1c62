/**
 * The text of a recommendation's diagnostic (no vscode import, so tests can read it). VS Code shows
 * a diagnostic's message in the hover and, one row per line, in the Problems view; a message's first
 * line is what a narrow Problems view keeps. So the first line says what to do and what it is
 * worth, the finding follows on its own line, and the last line says how to act on it.
 *
 * An unverified rule's figure comes after the action and says so: "impact unknown" leading every
 * such message (the audit of the Memory group, 2026-11-30) read as if nothing had been measured.
 */
import type { Recommendation } from '../recommendation.js';

/** What a recommendation is worth, as the first line of its diagnostic ends. */
export function diagnosticWorth(r: Pick<Recommendation, 'estimatedSpeedup' | 'impact' | 'speedupBasis'>): string {
  // A rewrite the report's timing budget left untimed (runtime rules/timing-budget.ts) has no figure at all.
  if (r.speedupBasis.startsWith('not timed yet')) return 'not timed yet';
  const figure = `≈${r.estimatedSpeedup.toFixed(1)}×`;
  return r.impact === 'unknown' ? `estimated ${figure}, not verified` : `${figure} faster`;
}

/**
 * The whole message: "TITLE (WORTH)", the finding, then the quick fix (Ctrl+.) and Explain, or why
 * there is no quick fix. `hasFix` is whether a fix can still be applied where the code is now.
 */
export function diagnosticMessage(r: Pick<Recommendation, 'title' | 'description' | 'estimatedSpeedup' | 'impact' | 'speedupBasis' | 'fixUnavailable'>, hasFix: boolean): string {
  const act = hasFix
    ? 'Quick fix (Ctrl+.) rewrites it; "Explain" shows the evidence.'
    : r.fixUnavailable
      ? `No quick fix: ${r.fixUnavailable}. "Explain" (Ctrl+.) shows the pattern and the evidence.`
      : '"Explain" (Ctrl+.) shows the pattern and the evidence.';
  return [`${r.title} (${diagnosticWorth(r)})`, r.description, act].filter((l) => l.length > 0).join('\n');
}
