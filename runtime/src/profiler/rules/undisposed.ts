/**
 * Rule: a line whose results are never released — a loop that creates a tensor per iteration and
 * neither disposes it nor runs inside `cp.tidy`. Each such tensor is freed only when the garbage
 * collector finalises it, which a loop of ops hardly lets happen, so memory grows with the run:
 * the wasm backend grows its linear memory and the OS faults in every new page (one-time costs
 * that recur, as the leak goes on), until the 4 GiB limit ends the script.
 *
 * Evidence (nothing timed): the report's memory snapshot — the most results the site held at once
 * (held.ts), against its calls, and how many were left at the report — and the memory one-time costs.
 *
 * Speedup: the memory growth and first-touch work recorded during ops is what reusing freed memory
 * removes, in proportion to the bytes these sites held at their peak: saved = that work × min(1,
 * held / peak), over the wall time (these costs are kept out of op time). Checked on the corpus's
 * cold pair (test/fixtures/recommendations/undisposed: a warm run has grown memory already, so the
 * bench profiles and times it in fresh processes; its verdict is `impact`), and by bench/undisposed-cold.ts.
 *
 * The quick fix wraps the loop body in `cp.tidy` where that cannot change the program (tidy-rewrite.ts).
 */
import { HELD_EXACT, HELD_LISTED } from '../../contract/names.js';
import { formatBytes } from '../../contract/units.js';
import { corpusFields } from './corpus.js';
import { tidyRewrite } from './tidy-rewrite.js';
import { ms, priorityFrom, recId, speedupFrom, type Recommendation, type Rule, type RuleInput } from './types.js';

/** Least memory held: a leak of small tensors matters once it reaches this many bytes, or MANY_TENSORS tensors. */
const MIN_HELD_BYTES = 1 << 20;
const MANY_TENSORS = 500;

/** One-time costs that reusing freed memory removes: growth and first touch inside ops (not a reserve made on purpose). */
const GROWTH = /^(grow wasm memory|first touch of new wasm memory)/;

/** Memory growth and first touch of new memory recorded inside ops, ms (one-time costs, outside op time). */
export function memoryGrowthDuringOpsMs(data: RuleInput['data']): number {
  return (data.oneTimeCosts ?? []).filter((c) => c.duringOp !== null && GROWTH.test(c.name)).reduce((t, c) => t + c.endMs - c.startMs, 0);
}

/** A site that qualifies, with its loop's rewrite. */
interface Leak {
  readonly site: number;
  /** The most held at once, their bytes, and how many were still held at the report. */
  readonly peakTensors: number;
  readonly peakBytes: number;
  readonly tensors: number;
  readonly calls: number;
  readonly ops: string[];
  readonly rewrite: ReturnType<typeof tidyRewrite>;
}

/** Rule entry point: one recommendation per loop (the sites one quick fix would release), else per site. */
export const undisposedTensors: Rule = (input) => {
  const { data, agg } = input;
  const memory = data.memory;
  if (!memory) return [];
  const leaks = new Map<string, Leak[]>();
  for (const h of memory.held) {
    const loc = data.sites[h.site] ?? null;
    const cells = data.cells.filter((c) => c.site === h.site);
    const calls = cells.reduce((n, c) => n + c.count, 0);
    if (loc === null || h.peakTensors < HELD_LISTED || (h.peakBytes < MIN_HELD_BYTES && h.peakTensors < MANY_TENSORS)) continue;
    const lines = input.source(loc.file);
    const rewrite = lines ? tidyRewrite(loc.file, lines.join('\n'), loc.line, loc.column) : { reason: `the source of ${loc.file} could not be read` };
    const key = 'fix' in rewrite ? `${loc.file}\n${JSON.stringify(rewrite.fix.range)}` : `site ${h.site}`;
    leaks.set(key, [...(leaks.get(key) ?? []), { site: h.site, peakTensors: h.peakTensors, peakBytes: h.peakBytes, tensors: h.tensors, calls, ops: [...new Set(cells.map((c) => c.op))], rewrite }]);
  }
  const growthMs = memoryGrowthDuringOpsMs(data);
  const wallMs = agg.wallMs;
  const corpus = corpusFields('undisposed-tensors');
  const out: Recommendation[] = [];
  for (const group of leaks.values()) {
    // memory.held is sorted by peak bytes: the group's first site held the most and is where the finding points.
    const top = group[0]!, loc = data.sites[top.site]!;
    const tensors = group.reduce((n, l) => n + l.peakTensors, 0), bytes = group.reduce((n, l) => n + l.peakBytes, 0);
    const share = memory.peakBytes > 0 ? Math.min(1, bytes / memory.peakBytes) : 0;
    const savedMs = growthMs * share;
    const speedup = speedupFrom(wallMs, savedMs);
    const what = group.map((l) => `line ${data.sites[l.site]!.line} held up to ${l.calls > HELD_EXACT ? 'about ' : ''}${l.peakTensors} of its ${l.calls} ` +
      `${l.ops.map((o) => `'${o}'`).join(', ')} results at once (${formatBytes(l.peakBytes)}; ${l.tensors} still held at the report)`).join('; ');
    const rewrite = top.rewrite;
    out.push({
      id: recId('undisposed-tensors', loc, top.ops[0] ?? ''), rule: 'undisposed-tensors',
      priority: priorityFrom(speedup, savedMs, corpus.impact),
      title: group.length > 1 ? 'Release the tensors this loop creates' : 'Release the tensors this line creates in a loop',
      description: `Never disposed: ${what}; memory peaked at ${formatBytes(memory.peakBytes)}. ` +
        'A tensor made outside cp.tidy is freed only when the garbage collector finalises it, which a loop of ops rarely lets happen, ' +
        'so memory grows with every iteration (and a long enough run ends at the 4 GiB limit). Wrap the loop body in ' +
        'cp.tidy(() => { … }) — it disposes what the body created and did not return — or call .dispose() on each result once it is used. ' +
        'If the loop keeps them on purpose (it collects its results), this is the memory they take.',
      estimatedSpeedup: speedup,
      speedupBasis: growthMs > 0
        ? `memory growth and first touch of new memory during ops took ${ms(growthMs)} ms (one-time costs, outside op time); reused memory ` +
          `needs neither, for the ${(100 * share).toFixed(0)}% of the ${formatBytes(memory.peakBytes)} peak held here → ${ms(savedMs)} ms of ${ms(wallMs)} ms wall time`
        : `no memory growth was recorded during ops, so no time is estimated to be saved; the ${formatBytes(bytes)} held are what it frees`,
      codeExample: {
        before: 'fix' in rewrite && rewrite.before ? rewrite.before : 'for (const batch of batches) {\n  const y = model(batch);\n  total += y.sum().item();\n}',
        after: 'after' in rewrite ? rewrite.after.trim() : 'for (const batch of batches) {\n  cp.tidy(() => {\n    const y = model(batch);\n    total += y.sum().item();\n  });\n}',
      },
      location: loc,
      evidence: { peakHeldTensors: tensors, peakHeldBytes: bytes, lines: group.map((l) => data.sites[l.site]!.line).join(', '), peakBytes: memory.peakBytes,
        liveTensors: memory.liveTensors, liveBytes: memory.liveBytes, memoryGrowthMs: growthMs, savedWallMs: savedMs },
      // No `savedMs`: that field is op time saved, and this saving is wall time outside op time (evidence.savedWallMs).
      ...corpus,
      ...('fix' in rewrite ? { fix: rewrite.fix } : { fixUnavailable: rewrite.reason }),
    });
  }
  return out;
};
