/**
 * Rule: the same op called many times from one call site (a loop) with same-shaped inputs —
 * batch it into one broadcast op (the seed's Example 3: `data + i` for i in 0..N becomes
 * `data.unsqueeze(0) + offsets.unsqueeze(1)`).
 *
 * Speedup (measured): k calls of mean duration m on a backend whose measured fixed dispatch cost
 * is a take k·m now; one batched call does the same element work plus one fixed cost,
 * a + k·(m − a). Whole-profile speedup by Amdahl over the site's share. Sites on GPU backends
 * are skipped: they have no measured dispatch cost to base the estimate on (see measure.ts).
 */
import { opInfo } from '../../backends/op-table.js';
import type { SiteOpStats } from '../aggregate.js';
import { enclosingLoop } from './source.js';
import { ms, recId, speedupFrom, type Fix, type Recommendation, type Rule, type RuleInput } from './types.js';

const MIN_CALLS = 10;

/** The mechanical rewrite of `for (let i = 0; i < N; i++) { const t = x.add(i); }` and `cp.add(x, i)`. */
function mechanicalFix(lines: readonly string[], start: number, end: number): { fix: Fix; after: string } | null {
  // `for (let i = 0; i < N; i++) {` … `}` over three lines, or the whole loop on one line.
  const loopHead = String.raw`^(\s*)for\s*\(\s*let\s+(\w+)\s*=\s*0\s*;\s*\2\s*<\s*(\d+)\s*;\s*\2\s*(?:\+\+|\+=\s*1)\s*\)\s*\{`;
  let indent: string, iv: string, n: string, body: string;
  if (start === end) {
    const one = new RegExp(`${loopHead}(.*)\\}\\s*$`).exec(lines[start - 1] ?? '');
    if (!one) return null;
    [, indent, iv, n, body] = one as unknown as [string, string, string, string, string];
  } else {
    const header = new RegExp(`${loopHead}\\s*$`).exec(lines[start - 1] ?? '');
    if (!header || end - start !== 2 || !/^\s*\}\s*$/.test(lines[end - 1] ?? '')) return null;
    [, indent, iv, n] = header as unknown as [string, string, string, string];
    body = lines[start]!;
  }
  const method = new RegExp(`^\\s*(const|let|var)\\s+(\\w+)\\s*=\\s*(\\w+)\\.(add|sub|mul|div)\\(\\s*${iv}\\s*\\)\\s*;?\\s*$`).exec(body);
  const fn = new RegExp(`^\\s*(const|let|var)\\s+(\\w+)\\s*=\\s*(\\w+)\\.(add|sub|mul|div)\\(\\s*(\\w+)\\s*,\\s*${iv}\\s*\\)\\s*;?\\s*$`).exec(body);
  let after: string;
  if (method) {
    const [, kw, out, x, op] = method;
    after = `${indent}const offsets = cp.arange(${n});\n${indent}${kw} ${out} = ${x}.unsqueeze(0).${op}(offsets.unsqueeze(1)); // row ${iv} = ${x}.${op}(${iv})`;
  } else if (fn) {
    const [, kw, out, ns, op, x] = fn;
    after = `${indent}const offsets = ${ns}.arange(${n});\n${indent}${kw} ${out} = ${ns}.${op}(${ns}.unsqueeze(${x}, 0), ${ns}.unsqueeze(offsets, 1)); // row ${iv} = ${op}(${x}, ${iv})`;
  } else {
    return null;
  }
  return { after, fix: { range: { startLine: start, startColumn: 1, endLine: end, endColumn: (lines[end - 1] ?? '').length + 1 }, replacement: after } };
}

function recommend(s: SiteOpStats, input: RuleInput): Recommendation | null {
  // Per-site counts are complete in every mode ('sampled' attributes unsampled calls to a site).
  const k = s.count;
  if (s.location === null || k < MIN_CALLS || opInfo(s.op)?.batchable !== true) return null;
  const costs = s.backends.map((b) => input.dispatchCostMs(b));
  if (costs.some((c) => c === null)) return null;
  // Same-shaped inputs across the retained calls: a loop over one tensor, not varied work.
  const shapes = new Set(input.data.events.filter((e) => e.site === s.site && e.op === s.op).map((e) => JSON.stringify(e.inputShapes)));
  if (shapes.size > 1) return null;
  const a = Math.min(costs[0]!, s.meanMs);
  const batchedMs = a + k * Math.max(0, s.meanMs - a);
  const siteMs = s.meanMs * k;
  const speedup = speedupFrom(input.agg.totalOpMs, Math.max(0, siteMs - batchedMs));
  const lines = input.source(s.location.file);
  const loop = lines ? enclosingLoop(lines, s.location.line) : null;
  const before = lines && loop ? lines.slice(loop.startLine - 1, loop.endLine).join('\n') : lines?.[s.location.line - 1]?.trim() ?? `${s.op}(…) ×${k}`;
  const mech = lines && loop ? mechanicalFix(lines, loop.startLine, loop.endLine) : null;
  const after = mech?.after ??
    `// One broadcast op instead of ${k}: stack the varying operand on a new axis\nconst offsets = cp.arange(${k});\nconst results = data.unsqueeze(0).${s.op}(offsets.unsqueeze(1));`;
  const share = s.percent;
  return {
    id: recId('batch-loop', s.location, s.op), rule: 'batch-loop',
    priority: k >= 50 || share >= 50 ? 'HIGH' : k >= 20 ? 'MEDIUM' : 'LOW',
    title: 'Batch repeated operations',
    description: `The '${s.op}' operation was called ${k} times from this line with inputs of the same shape ` +
      `(${ms(s.totalMs)} ms, ${share.toFixed(0)}% of op time). Consider batching into a single vectorized operation ` +
      `with broadcasting: one dispatch instead of ${k}.`,
    estimatedSpeedup: speedup,
    speedupBasis: `measured fixed dispatch cost ${ms(a)} ms/call on ${s.backends[0]} vs ${ms(s.meanMs)} ms/call here: ` +
      `${k} calls ${ms(siteMs)} ms → batched ≈ ${ms(batchedMs)} ms (a + k·(m − a)); Amdahl over ${ms(input.agg.totalOpMs)} ms of op time`,
    codeExample: { before, after },
    location: s.location,
    evidence: { op: s.op, calls: k, totalMs: s.totalMs, meanMs: s.meanMs, dispatchCostMs: a, inputShapes: [...shapes][0] ?? '' },
    ...(mech ? { fix: mech.fix } : {}),
  };
}

/** Rule entry point. */
export const batchLoop: Rule = (input) =>
  input.agg.sites.map((s) => recommend(s, input)).filter((r): r is Recommendation => r !== null);
