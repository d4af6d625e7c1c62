/**
 * Rule: mean and std/var of the same tensor computed separately — each pass reads the whole
 * tensor; `cp.moments` returns both from one pass.
 *
 * Speedup (measured): the pair costs mean + std now; moments costs what std costs (std already
 * runs the one-pass moments kernel and a scalar sqrt), so the saving is the measured mean time.
 */
import type { ProfileEvent } from '../types.js';
import { ms, recId, speedupFrom, type Fix, type Recommendation, type Rule } from './types.js';

const SPREAD = new Set(['std', 'var']);

/** Rewrites `X.mean()` / `X.std()` (or `cp.mean(X)` / `cp.std(X)`) on one line to use moments. */
function lineFix(text: string, line: number): { fix: Fix; after: string } | null {
  const m = /\b(\w+)\.mean\(\)|\b(\w+)\.mean\((\w+)\)/.exec(text);
  if (!m) return null;
  const method = m[1] !== undefined;
  const x = method ? m[1]! : m[3]!, ns = method ? '' : m[2]!;
  const meanExpr = method ? `${x}.mean()` : `${ns}.mean(${x})`;
  const stdExpr = method ? `${x}.std()` : `${ns}.std(${x})`;
  if (!text.includes(stdExpr)) return null;
  const indent = /^\s*/.exec(text)![0];
  const call = method ? `${x}.moments()` : `${ns}.moments(${x})`;
  const sqrt = method ? `${x}Var.sqrt()` : `${ns}.sqrt(${x}Var)`;
  const after = `${indent}const { mean: ${x}Mean, variance: ${x}Var } = ${call};\n` +
    text.split(meanExpr).join(`${x}Mean`).split(stdExpr).join(sqrt);
  return { after, fix: { range: { startLine: line, startColumn: 1, endLine: line, endColumn: text.length + 1 }, replacement: after } };
}

/** Rule entry point. */
export const momentsRule: Rule = (input) => {
  const { data, agg } = input;
  const byTensor = new Map<number, { mean?: ProfileEvent; spread?: ProfileEvent }>();
  for (const e of data.events) {
    const id = e.inputIds[0] ?? -1;
    if (id < 0 || (e.op !== 'mean' && !SPREAD.has(e.op))) continue;
    const p = byTensor.get(id) ?? {};
    if (e.op === 'mean') p.mean ??= e; else p.spread ??= e;
    byTensor.set(id, p);
  }
  const out: Recommendation[] = [];
  const seen = new Set<string>();
  for (const { mean, spread } of byTensor.values()) {
    if (!mean || !spread) continue;
    const loc = spread.site >= 0 ? data.sites[spread.site] ?? null : null;
    const id = recId('moments', loc, spread.op);
    if (seen.has(id)) continue;
    seen.add(id);
    const meanMs = mean.endMs - mean.startMs, spreadMs = spread.endMs - spread.startMs;
    const share = agg.totalOpMs > 0 ? (100 * (spreadMs + meanMs)) / agg.totalOpMs : 0;
    const spreadShare = agg.totalOpMs > 0 ? (100 * spreadMs) / agg.totalOpMs : 0;
    const text = loc ? input.source(loc.file)?.[loc.line - 1] : undefined;
    const mech = text !== undefined && loc ? lineFix(text, loc.line) : null;
    out.push({
      id, rule: 'moments', priority: share >= 25 ? 'MEDIUM' : 'LOW',
      title: `Compute mean and ${spread.op} in one pass`,
      description: `Operation '${spread.op}' takes ${spreadShare.toFixed(0)}% of total time, and 'mean' of the same tensor ` +
        `(shape [${(spread.inputShapes[0] ?? []).join(', ')}]) is computed separately. Consider computing mean/${spread.op} ` +
        `in one pass with cp.moments(), which reads the data once.`,
      estimatedSpeedup: speedupFrom(agg.totalOpMs, meanMs),
      speedupBasis: `measured mean ${ms(meanMs)} ms + ${spread.op} ${ms(spreadMs)} ms; moments ≈ ${spread.op}'s one-pass cost, ` +
        `so ${ms(meanMs)} ms of ${ms(agg.totalOpMs)} ms op time is saved`,
      codeExample: {
        before: text?.trim() ?? `const normalized = data.sub(data.mean()).div(data.${spread.op}());`,
        after: mech?.after.trim() ?? `const { mean, variance } = data.moments();\nconst normalized = data.sub(mean).div(variance.sqrt());`,
      },
      location: loc,
      evidence: { meanMs, [`${spread.op}Ms`]: spreadMs, tensorId: spread.inputIds[0]!, elements: spread.elements },
      ...(mech ? { fix: mech.fix } : {}),
    });
  }
  return out;
};
