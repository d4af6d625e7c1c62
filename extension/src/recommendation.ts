/**
 * Recommendations as the extension keeps them: the contract's {@link ContractRecommendation}
 * (`corepy/contract`) with a location (the editor can only show located ones), and a guard that
 * keeps the well-formed entries of a payload that crossed a process boundary from a runtime that
 * may be another version. Lines and columns are 1-based.
 */
import type { FixRange, Priority, Recommendation as ContractRecommendation, SourceLocation } from 'corepy/contract';

export type { Fix, FixRange, Priority } from 'corepy/contract';
export { impactLabel } from 'corepy/contract';

/** A recommendation with a source location. */
export type Recommendation = ContractRecommendation & { readonly location: SourceLocation };

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function isRange(v: unknown): v is FixRange {
  return isObj(v) && isNum(v.startLine) && isNum(v.startColumn) && isNum(v.endLine) && isNum(v.endColumn);
}

/** Evidence values the contract allows (numbers and strings); anything else is dropped. */
function evidenceOf(v: unknown): Readonly<Record<string, number | string>> {
  if (!isObj(v)) return {};
  return Object.fromEntries(Object.entries(v).filter(([, x]) => typeof x === 'number' || typeof x === 'string')) as Record<string, number | string>;
}

/** Keeps the well-formed, located recommendations of an untrusted payload. */
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
      rule: typeof r.rule === 'string' ? r.rule : '',
      priority,
      title: r.title,
      description: typeof r.description === 'string' ? r.description : '',
      estimatedSpeedup: isNum(r.estimatedSpeedup) ? r.estimatedSpeedup : 1,
      speedupBasis: typeof r.speedupBasis === 'string' ? r.speedupBasis : '',
      codeExample: { before: typeof ex.before === 'string' ? ex.before : '', after: typeof ex.after === 'string' ? ex.after : '' },
      location: { file: loc.file, line: loc.line, column: isNum(loc.column) ? loc.column : 1 },
      evidence: evidenceOf(r.evidence),
      ...(fix ? { fix } : {}),
      ...(typeof r.fixUnavailable === 'string' ? { fixUnavailable: r.fixUnavailable } : {}),
      ...(r.impact === 'verified' || r.impact === 'unknown' ? { impact: r.impact } : {}),
      ...(isNum(r.corpusSpeedup) ? { corpusSpeedup: r.corpusSpeedup } : {}),
      ...(isNum(r.savedMs) ? { savedMs: r.savedMs } : {}),
    });
  }
  return out;
}
