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
 *
 * Tensors made inside `cp.tidy` and returned from its function are not a missing tidy: tidy keeps what
 * its function returns, for the caller to use and dispose. Where most of a line's pile-up had been
 * returned so (held.ts counts them, with the user's tidy call that returned them), the finding is at
 * that call and says to dispose its result or return nothing; its quick fix, where the call's result
 * is dropped, makes the callback return nothing (tidy-return-rewrite.ts).
 */
import { basename } from 'node:path';
import type { SourceLocation } from '../../contract/flame.js';
import { HELD_EXACT, HELD_LISTED } from '../../contract/names.js';
import { formatBytes } from '../../contract/units.js';
import { corpusFields } from './corpus.js';
import { tidyRewrite } from './tidy-rewrite.js';
import { tidyReturnRewrite, type TidyReturn } from './tidy-return-rewrite.js';
import { ms, priorityFrom, recId, speedupFrom, type Recommendation, type Rule, type RuleInput } from './types.js';

/** Least memory held: a leak of small tensors matters once it reaches this many bytes, or MANY_TENSORS tensors. */
const MIN_HELD_BYTES = 1 << 20;
const MANY_TENSORS = 500;

/** One-time costs that reusing freed memory removes: growth and first touch inside ops (not a reserve made on purpose). */
const GROWTH = /^(grow wasm memory|first touch of new wasm memory)/;

/**
 * Memory growth and first touch of new memory recorded inside ops, ms (one-time costs, outside op time), without the
 * machine's stalls measured inside them (`stallMs`): a first touch of 1.2 MB read 4.7 ms in one run and 102 ms in
 * another at load 5.5, and the finding flipped between LOW and MEDIUM with it (audit 31).
 */
export function memoryGrowthDuringOpsMs(data: RuleInput['data']): number {
  return (data.oneTimeCosts ?? []).filter((c) => c.duringOp !== null && GROWTH.test(c.name))
    .reduce((t, c) => t + Math.max(0, c.endMs - c.startMs - (c.stallMs ?? 0)), 0);
}

/** Of the memory growth and first touch recorded inside ops, what the machine's stalls took, ms (left out of {@link memoryGrowthDuringOpsMs}). */
function growthStallsMs(data: RuleInput['data']): number {
  return (data.oneTimeCosts ?? []).filter((c) => c.duringOp !== null && GROWTH.test(c.name)).reduce((t, c) => t + (c.stallMs ?? 0), 0);
}

/**
 * Why a finding is LOW, said in it: a pile-up is a finding whatever its priority, and priorities rate the time a
 * change saves, which for a short run's pile-up is small (the editor shows LOW as a hint only).
 */
function lowBecause(savedMs: number, wallMs: number, growthMs: number): string {
  const cost = growthMs > 0
    ? `only ${ms(savedMs)} ms of its ${ms(wallMs)} ms wall time (memory growth and first touch during ops)`
    : 'no measurable time (no memory growth was recorded during ops)';
  return ` Rated LOW because priorities rate the time a change saves, and in this run the pile-up cost ${cost}; ` +
    'the memory it holds grows with every iteration, so a longer run pays more, and a long enough one ends at the 4 GiB limit.';
}

/** A site that qualifies, with its loop's rewrite. */
interface Leak {
  readonly site: number;
  /** The most held at once, their bytes, and how many were still held at the report. */
  readonly peakTensors: number;
  readonly peakBytes: number;
  /** Of the most held at once, how many a tidy scope had returned (held.ts). */
  readonly peakReturned: number;
  readonly tensors: number;
  readonly calls: number;
  readonly ops: string[];
  readonly rewrite: ReturnType<typeof tidyRewrite>;
  /** Most of the pile-up was returned from a tidy scope: where (the user's tidy call, when seen) and what the source says of it. */
  readonly returned: { readonly at: SourceLocation | null; readonly call: TidyReturn | null } | null;
}

/** Text and example for leaks returned from tidy, whose fix is to dispose tidy's result (or return nothing), not to add a tidy. */
function returnedAdvice(at: SourceLocation | null, call: TidyReturn | null): { advice: string; before: string; after: string } {
  const where = at ? `cp.tidy on line ${at.line}${call ? '' : ` of ${basename(at.file)}`}` : 'cp.tidy';
  const shown = call?.call ?? null;
  const dropped = call?.dropped ?? true;
  const advice = `These tensors were made inside ${where} and returned from its function: tidy disposes what its function creates ` +
    'except what it returns, which it keeps alive for the caller to use and dispose. ' +
    (dropped
      ? `The result ${shown ? `of ${shown} ` : 'tidy returns '}is never used or disposed, so each is freed only when the garbage collector finalises it, ` +
        'which a loop of ops rarely lets happen: memory grows with every iteration (and a long enough run ends at the 4 GiB limit). ' +
        `Return nothing from the callback (\`cp.tidy(() => { … })\`), or dispose the result (\`${shown ? `${shown}.dispose()` : 'cp.tidy(…).dispose()'}\`). `
      : `The result ${shown ? `of ${shown} ` : ''}is kept there but never disposed, so each is freed only when the garbage collector finalises it, ` +
        'which a loop of ops rarely lets happen: memory grows with every iteration. Call .dispose() on it once it is no longer needed. ') +
    'Wrapping the loop in cp.tidy again would not release them: they are what it returns.';
  const fixed = call && 'fix' in call.rewrite ? call.rewrite : null;
  return {
    advice,
    before: fixed?.before ?? 'for (const batch of batches) {\n  cp.tidy(() => model(batch));\n}',
    after: fixed?.after ?? 'for (const batch of batches) {\n  cp.tidy(() => { model(batch); });\n}',
  };
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
    // Most of what piled up was returned from tidy (an older snapshot has no such count): its result needs disposing, not a tidy.
    if ((h.peakReturned ?? 0) * 2 >= h.peakTensors) {
      const at = h.returnedFrom ?? null;
      const text = at ? input.source(at.file) : null;
      const call = at && text ? tidyReturnRewrite(at.file, text.join('\n'), at.line, at.column) : null;
      const rewrite = call?.rewrite ?? { reason: at ? (text ? `no cp.tidy call was found on line ${at.line} of ${at.file}` : `the source of ${at.file} could not be read`)
        : 'the cp.tidy call that returned them was not seen in the script\'s own code' };
      const key = call && at ? `tidy ${at.file}\n${at.line}:${at.column}` : `site ${h.site}`;
      leaks.set(key, [...(leaks.get(key) ?? []), { site: h.site, peakTensors: h.peakTensors, peakBytes: h.peakBytes, peakReturned: h.peakReturned ?? 0, tensors: h.tensors, calls,
        ops: [...new Set(cells.map((c) => c.op))], rewrite, returned: { at: call ? at : null, call } }]);
      continue;
    }
    const lines = input.source(loc.file);
    const rewrite = lines ? tidyRewrite(loc.file, lines.join('\n'), loc.line, loc.column) : { reason: `the source of ${loc.file} could not be read` };
    const key = 'fix' in rewrite ? `${loc.file}\n${JSON.stringify(rewrite.fix.range)}` : `site ${h.site}`;
    leaks.set(key, [...(leaks.get(key) ?? []), { site: h.site, peakTensors: h.peakTensors, peakBytes: h.peakBytes, peakReturned: h.peakReturned ?? 0, tensors: h.tensors, calls, ops: [...new Set(cells.map((c) => c.op))], rewrite, returned: null }]);
  }
  const growthMs = memoryGrowthDuringOpsMs(data), stallMs = growthStallsMs(data);
  const wallMs = agg.wallMs;
  const corpus = corpusFields('undisposed-tensors');
  const out: Recommendation[] = [];
  for (const group of leaks.values()) {
    // memory.held is sorted by peak bytes: the group's first site held the most and is where the finding points.
    const top = group[0]!, site = data.sites[top.site]!;
    // A tidy result is the tidy call's to dispose: the finding (and its fix, which edits that file) is there.
    const loc = top.returned?.at ?? site;
    const tensors = group.reduce((n, l) => n + l.peakTensors, 0), bytes = group.reduce((n, l) => n + l.peakBytes, 0);
    const share = memory.peakBytes > 0 ? Math.min(1, bytes / memory.peakBytes) : 0;
    const savedMs = growthMs * share;
    const speedup = speedupFrom(wallMs, savedMs);
    const lineName = (at: SourceLocation): string => (at.file === loc.file ? `line ${at.line}` : `${basename(at.file)}:${at.line}`);
    const what = group.map((l) => `${lineName(data.sites[l.site]!)} held up to ${l.calls > HELD_EXACT ? 'about ' : ''}${l.peakTensors} of its ${l.calls} ` +
      `${l.ops.map((o) => `'${o}'`).join(', ')} results at once (${formatBytes(l.peakBytes)}; ${l.tensors} still held at the report)`).join('; ');
    const rewrite = top.rewrite;
    const returned = top.returned ? returnedAdvice(top.returned.at, top.returned.call) : null;
    const priority = priorityFrom(speedup, savedMs, corpus.impact);
    out.push({
      id: recId('undisposed-tensors', loc, top.ops[0] ?? ''), rule: 'undisposed-tensors',
      priority,
      title: returned ? 'Dispose what cp.tidy returns' : group.length > 1 ? 'Release the tensors this loop creates' : 'Release the tensors this line creates in a loop',
      description: `Never disposed: ${what}; memory peaked at ${formatBytes(memory.peakBytes)}. ` + (returned ? returned.advice +
        ' If the loop keeps them on purpose (it collects its results), this is the memory they take.' :
        'A tensor made outside cp.tidy is freed only when the garbage collector finalises it, which a loop of ops rarely lets happen, ' +
        'so memory grows with every iteration (and a long enough run ends at the 4 GiB limit). Wrap the loop body in ' +
        'cp.tidy(() => { … }) — it disposes what the body created and did not return — or call .dispose() on each result once it is used. ' +
        'If the loop keeps them on purpose (it collects its results), this is the memory they take.') +
        (priority === 'LOW' ? lowBecause(savedMs, wallMs, growthMs) : ''),
      estimatedSpeedup: speedup,
      speedupBasis: growthMs > 0
        ? `memory growth and first touch of new memory during ops took ${ms(growthMs)} ms (one-time costs, outside op time` +
          `${stallMs > 0 ? `; ${ms(stallMs)} ms more inside them was the machine stalling, left out` : ''}); reused memory ` +
          `needs neither, for the ${(100 * share).toFixed(0)}% of the ${formatBytes(memory.peakBytes)} peak held here → ${ms(savedMs)} ms of ${ms(wallMs)} ms wall time`
        : `no memory growth was recorded during ops, so no time is estimated to be saved; the ${formatBytes(bytes)} held are what it frees`,
      codeExample: returned ? { before: returned.before, after: returned.after } : {
        before: 'fix' in rewrite && rewrite.before ? rewrite.before : 'for (const batch of batches) {\n  const y = model(batch);\n  total += y.sum().item();\n}',
        after: 'after' in rewrite ? rewrite.after.trim() : 'for (const batch of batches) {\n  cp.tidy(() => {\n    const y = model(batch);\n    total += y.sum().item();\n  });\n}',
      },
      location: loc,
      evidence: { peakHeldTensors: tensors, peakHeldBytes: bytes, lines: group.map((l) => data.sites[l.site]!.line).join(', '), peakBytes: memory.peakBytes,
        ...(returned ? { peakReturnedFromTidy: group.reduce((n, l) => n + l.peakReturned, 0) } : {}),
        liveTensors: memory.liveTensors, liveBytes: memory.liveBytes, memoryGrowthMs: growthMs, memoryGrowthStallMs: stallMs, savedWallMs: savedMs },
      // No `savedMs`: that field is op time saved, and this saving is wall time outside op time (evidence.savedWallMs).
      ...corpus,
      ...('fix' in rewrite ? { fix: rewrite.fix } : { fixUnavailable: rewrite.reason }),
    });
  }
  return out;
};
