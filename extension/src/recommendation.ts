/**
 * The recommendation shape the runtime's `getRecommendations()` produces (see the profiler),
 * and a guard that turns the loosely typed IPC payload into it, dropping malformed entries.
 * Lines and columns are 1-based.
 */

export type Priority = 'HIGH' | 'MEDIUM' | 'LOW';

/** A 1-based, end-exclusive source range. */
export interface FixRange {
  readonly startLine: number;
  readonly startColumn: number;
  readonly endLine: number;
  readonly endColumn: number;
}

export interface Recommendation {
  readonly id: string;
  readonly priority: Priority;
  readonly title: string;
  readonly description: string;
  /** Measured speed-up factor (×). */
  readonly estimatedSpeedup: number;
  readonly codeExample: { readonly before: string; readonly after: string };
  readonly location: { readonly file: string; readonly line: number; readonly column: number };
  /** Free-form measured facts behind the recommendation. */
  readonly evidence: unknown;
  /** A mechanical rewrite, when one exists. */
  readonly fix?: { readonly range: FixRange; readonly replacement: string };
  /** Rule that produced it. */
  readonly rule?: string;
  /** How the estimate was derived, with the measured inputs. */
  readonly speedupBasis?: string;
  /** Why no quick fix is offered, when the rule has a rewrite but this code does not fit it. */
  readonly fixUnavailable?: string;
  /** 'unknown' when the rule's estimates were not within 1.3× of measured speedups on the corpus. */
  readonly impact?: 'verified' | 'unknown';
  /** Median whole-run speedup measured on the corpus for this rule (×). */
  readonly corpusSpeedup?: number;
  /** Estimated op time saved in the profile, ms. */
  readonly savedMs?: number;
}

/** The impact as displays state it: "≈1.4×", or "impact unknown" for rules not verified on the corpus. */
export function impactLabel(r: Pick<Recommendation, 'estimatedSpeedup' | 'impact'>): string {
  return r.impact === 'unknown' ? 'impact unknown' : `≈${r.estimatedSpeedup.toFixed(1)}×`;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function isRange(v: unknown): v is FixRange {
  return isObj(v) && isNum(v.startLine) && isNum(v.startColumn) && isNum(v.endLine) && isNum(v.endColumn);
}

/** Keeps the well-formed recommendations of an untrusted payload. */
export function parseRecommendations(payload: unknown): Recommendation[] {
  if (!Array.isArray(payload)) return [];
  const out: Recommendation[] = [];
  for (const r of payload) {
    if (!isObj(r) || typeof r.title !== 'string' || !isObj(r.location)) continue;
    const loc = r.location;
    if (typeof loc.file !== 'string' || !isNum(loc.line)) continue;
    const priority: Priority = r.priority === 'HIGH' || r.priority === 'LOW' ? r.priority : 'MEDIUM';
    const ex = isObj(r.codeExample) ? r.codeExample : {};
    const fix = isObj(r.fix) && isRange(r.fix.range) && typeof r.fix.replacement === 'string'
      ? { range: r.fix.range, replacement: r.fix.replacement } : undefined;
    out.push({
      id: typeof r.id === 'string' ? r.id : `${loc.file}:${loc.line}:${r.title}`,
      priority,
      title: r.title,
      description: typeof r.description === 'string' ? r.description : '',
      estimatedSpeedup: isNum(r.estimatedSpeedup) ? r.estimatedSpeedup : 1,
      codeExample: { before: typeof ex.before === 'string' ? ex.before : '', after: typeof ex.after === 'string' ? ex.after : '' },
      location: { file: loc.file, line: loc.line, column: isNum(loc.column) ? loc.column : 1 },
      evidence: r.evidence,
      ...(fix ? { fix } : {}),
      ...(typeof r.rule === 'string' ? { rule: r.rule } : {}),
      ...(typeof r.speedupBasis === 'string' ? { speedupBasis: r.speedupBasis } : {}),
      ...(typeof r.fixUnavailable === 'string' ? { fixUnavailable: r.fixUnavailable } : {}),
      ...(r.impact === 'verified' || r.impact === 'unknown' ? { impact: r.impact } : {}),
      ...(isNum(r.corpusSpeedup) ? { corpusSpeedup: r.corpusSpeedup } : {}),
      ...(isNum(r.savedMs) ? { savedMs: r.savedMs } : {}),
    });
  }
  return out;
}
