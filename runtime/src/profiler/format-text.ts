/**
 * Text and Markdown renderings of a {@link ProfileReport}: the seed's Example 1 table
 * (Operation | Count | Avg (ms) | Backend | % Total, the slowest marked; GPU total (ms) when ops
 * reported GPU time, see format-gpu.ts), total time, the
 * profiler's measured overhead, then recommendations. The text table fits the terminal width
 * (narrow terminals drop the Backend column, then truncate op names) and uses colour only on a TTY.
 */
import { MAX_PERIOD_FACTOR, SAMPLE_FIRST, STACK_ALLOWANCE_MS, STACK_BUDGET, STACK_FIRST, STACK_HOLD_SLACK } from '../contract/names.js';
import type { ProfileReport } from '../contract/report.js';
import { impactLabel, type Recommendation } from '../contract/recommendation.js';
import { contextLines } from './format-contexts.js';
import { fusedKernelLines } from './format-fused.js';
import { costMs, gpuCell, gpuNoteLines, hasGpuTime, totalGpuMs } from './format-gpu.js';
import { callLineMarkdown, callLineText, hotLineMarkdown, hotLineText } from './format-lines.js';
import { memoryMarkdown, memoryText } from './format-memory.js';

/** Rendering options. */
export interface TextOptions {
  /** Columns available; default: the terminal's width, else 100. */
  readonly width?: number;
  /** ANSI colour; default: stdout is a TTY and NO_COLOR is unset. */
  readonly color?: boolean;
}

const fmtMs = (x: number): string => (x >= 100 ? x.toFixed(1) : x >= 0.01 ? x.toFixed(2) : x.toFixed(4));
const pct = (x: number): string => `${x < 1 && x > 0 ? x.toFixed(1) : x.toFixed(0)}%`;
const device = (b: string): string => `${b === 'webgpu' ? 'GPU' : 'CPU'} (${b})`;

/**
 * The steady-state cell: the median call without first calls (a few calls delayed by a busy machine
 * move the mean, 3–4× at load 4–9 in audit 24, not the median); the mean, marked `†`, where the median is
 * not known (steady-medians.ts); `—` when every call was a first call; `*` when the total is
 * mostly first-call cost.
 */
const steadyCell = (o: ProfileReport['operations'][number]): string =>
  (o.steadyMeanMs === null ? '—' : o.steadyMedianMs !== undefined ? fmtMs(o.steadyMedianMs) : `${fmtMs(o.steadyMeanMs)} †`) + (o.mostlyFirstCall ? ' *' : '');

/** The table's header: the seed's columns, then `GPU total (ms)` when any op reported GPU time. */
function header(r: ProfileReport): string[] {
  return ['Operation', 'Count', 'Avg (ms)', 'Backend', '% Total', 'Steady (ms)', ...(hasGpuTime(r) ? ['GPU total (ms)'] : [])];
}

function rows(r: ProfileReport): string[][] {
  const gpu = hasGpuTime(r);
  return r.operations.map((o) => [o.op, String(o.count), fmtMs(o.meanMs), o.backends.map(device).join(', '), pct(o.percent), steadyCell(o),
    ...(gpu ? [gpuCell(o.gpuMs, fmtMs)] : [])]);
}

/** `; GPU time N ms` after the total's op and wall time, when any op reported GPU time. */
function gpuTotal(r: ProfileReport, unit: string): string {
  return hasGpuTime(r) ? `; GPU time ${fmtMs(totalGpuMs(r))}${unit}` : '';
}

/** Longest one-time cost name shown whole (longer ones are cut with `…`), so that section stays as narrow as the table. */
const ONE_TIME_NAME_MAX = 60;

/**
 * The GPU note (format-gpu.ts), the footnote for `*` rows, and the one-time costs as their own rows; the same
 * lines in text and Markdown.
 */
function firstCallLines(r: ProfileReport): string[] {
  const out: string[] = [...gpuNoteLines(r, fmtMs)];
  const meanOnly = r.operations.some((o) => o.steadyMeanMs !== null && o.steadyMedianMs === undefined);
  if (r.operations.some((o) => o.mostlyFirstCall) || meanOnly) {
    out.push('Steady (ms): median call without each op × shape\'s first call' +
      (meanOnly ? ' († the mean: not every call was kept to take the median of — calls overwritten in the ring, run on a worker thread, or a report of one context)' : '') +
      (r.operations.some((o) => o.mostlyFirstCall) ? '; * = most of the total is first-call cost, not the op\'s speed' : ''));
  }
  if (r.oneTimeCosts.length > 0) {
    out.push(`One-time costs (${fmtMs(r.oneTimeTotalMs)} ms, kept out of the op times above):`);
    const w = Math.min(ONE_TIME_NAME_MAX, Math.max(...r.oneTimeCosts.map((c) => c.name.length)));
    for (const c of r.oneTimeCosts) {
      const where = c.duringOps.length ? `during ${c.duringOps.join(', ')}` : 'at load / between ops';
      const name = c.name.length > w ? `${c.name.slice(0, w - 1)}…` : c.name;
      // A stall inside one (the machine's, not the work's: one-time-costs.ts stallMs) is said, not hidden: the rules leave it out.
      const stalled = c.stallMs ? `; ${fmtMs(c.stallMs)} ms of it the machine stalling` : '';
      out.push(`  ${name.padEnd(w)}  ${String(c.count).padStart(3)}×  ${fmtMs(c.totalMs).padStart(8)} ms  ${where}${stalled}`);
    }
  }
  if (r.oneTimeOmittedMs !== undefined && r.oneTimeOmittedMs > 0) {
    out.push(`One-time costs: ${fmtMs(r.oneTimeOmittedMs)} ms in the whole recording, not listed in a context's report ` +
      `(they belong to no op; the timeline exports keep those that ran while ${JSON.stringify(r.context)} was open)`);
  }
  // Worth a line once pauses are a visible part of the op time (1 %): below that they are noise in the table.
  const gc = r.gcPauses;
  if (gc && gc.inOpsMs > 0.01 * r.totalTimeMs) {
    out.push(`GC pauses: ${fmtMs(gc.inOpsMs)} ms of the op time above was the JS engine collecting garbage inside ops ` +
      `(${gc.count} pause${gc.count === 1 ? '' : 's'}, ${fmtMs(gc.totalMs)} ms in all): time waited there, not the ops' speed`);
  }
  return out;
}

const CAUSE: Record<NonNullable<ProfileReport['segments']>[number]['cause'], string> = {
  start: 'from the start', clear: 'after clearProfile()', enable: 'after enableProfiling() resumed',
};

/**
 * After a segment's line, when the ring overflowed within it: how many of its raw events were
 * dropped, and that its recommendations (the report's, for the current segment) saw only the rest.
 */
function droppedNote(r: ProfileReport, s: NonNullable<ProfileReport['segments']>[number]): string {
  const d = s.droppedEvents ?? 0;
  if (d <= 0) return '';
  // A context's report counts the segment's ops inside the context only; the drops are the whole segment's.
  const seen = r.context === null ? `: its recommendations see the last ${s.opCount - d}` : ' in the whole segment';
  return ` (${d} raw events dropped${seen})`;
}

/**
 * Every segment of the run, each with its ops (count, op time, share of the segment, hottest
 * line), its contexts (calls and wall time inside) and an ended segment's recommendations, when there is more than one or the only one has
 * ended (a script that cleared its recording after its ops: the table above is then empty, and
 * its ops are here); the same lines in text and Markdown. Empty otherwise.
 */
/** Contexts named per segment in the text and Markdown reports, the longest first (the JSON has them all). */
const SEGMENT_CONTEXTS = 5;

export function segmentLines(r: ProfileReport): string[] {
  const segs = r.segments ?? [];
  if (segs.length < 2 && !segs.some((s) => !s.current)) return [];
  const out = [`SEGMENTS (${segs.length}${r.droppedSegments ? `; ${r.droppedSegments} older dropped` : ''}; the table above is the recording since the last clearProfile()):`];
  for (const s of segs) {
    out.push(`  Segment ${s.index + 1} — ${CAUSE[s.cause]}${s.current ? ' (current)' : ''}: ${s.opCount} ops, ${fmtMs(s.totalTimeMs)} ms op time${droppedNote(r, s)}`);
    const w = Math.max(0, ...s.operations.map((o) => o.op.length));
    for (const o of [...s.operations].sort((a, b) => costMs(b) - costMs(a))) {
      const hottest = s.callSites.filter((c) => c.op === o.op && c.location !== null).sort((a, b) => costMs(b) - costMs(a))[0];
      const where = hottest?.location ? `  line ${hottest.location.line}` : '';
      const gpu = o.gpuMs > 0 ? `  GPU ${fmtMs(o.gpuMs)} ms` : '';
      out.push(`    ${o.op.padEnd(w)}  ${String(o.count).padStart(6)}×  ${fmtMs(o.totalMs).padStart(9)} ms  ${pct(o.percent).padStart(4)}${gpu}${where}`);
    }
    const contexts = Object.values(s.contexts ?? {}).sort((a, b) => b.totalTimeMs - a.totalTimeMs);
    if (contexts.length > 0) {
      const shown = contexts.slice(0, SEGMENT_CONTEXTS).map((c) => `${c.name} ×${c.count} ${fmtMs(c.totalTimeMs)} ms`).join(', ');
      out.push(`    contexts: ${shown}${contexts.length > SEGMENT_CONTEXTS ? `, and ${contexts.length - SEGMENT_CONTEXTS} more` : ''}`);
    }
    // An ended segment's own findings: the RECOMMENDATIONS below are the current recording's only.
    for (const rec of s.recommendations ?? []) {
      const at = rec.location ? ` (${rec.location.file}:${rec.location.line})` : '';
      out.push(`    ⚡ [${rec.priority}] ${rec.title}${at} — ${impactLabel(rec)}`);
    }
  }
  return out;
}

/** Ops whose line was numbered at load (counted over the whole recording: 0 for a context's report, which keeps the mode's wording). */
function exactSiteOps(r: ProfileReport): number {
  return r.context === null ? r.staticSiteOps ?? 0 : 0;
}

/** Every op's line numbered at load: the report says `exact` (report.ts), or, read back from an older report, its counts do. */
function allExact(r: ProfileReport): boolean {
  return r.callSiteMode === 'exact' || (r.callSiteMode !== 'off' && r.opCount > 0 && exactSiteOps(r) >= r.opCount);
}

/** How the per-line (call-site) figures were obtained; the same wording in text and Markdown. */
export function callSiteLine(r: ProfileReport): string {
  if (r.callSiteMode === 'off') return 'Call sites: off (no per-line figures)';
  if (allExact(r)) return 'Call sites: exact (every corepy call numbered when its module loaded; no stack capture for lines)';
  const exact = exactSiteOps(r);
  const partly = exact > 0 ? `${exact} of ${r.opCount} ops exact, numbered when their module loaded; for the others: ` : '';
  if (r.callSiteMode === 'all') return `Call sites: all (${partly}every call captured; per-line figures exact)`;
  return `Call sites: sampled (${partly}first ${SAMPLE_FIRST} calls of each op captured; after that ~1 in ${r.sampleEvery}, ` +
    `down to 1 in ${r.sampleEvery * MAX_PERIOD_FACTOR} while an op's line does not change, ` +
    `calls in between attributed to the op's last captured line — per-line figures beyond the first ${SAMPLE_FIRST} calls ` +
    'are sampled estimates; per-op totals are exact)';
}

/** How the user call stacks behind the flame graph's function frames were captured; the same wording in text and Markdown. */
export function callStackLine(r: ProfileReport): string {
  if (r.callSiteMode === 'off') return 'Call stacks: off (call sites are off)';
  const s = r.callStacks;
  const made = s ? `; ${s.captures} captures, ${fmtMs(s.captureMs)} ms${s.budgetMs !== undefined ? `, ${budgetPart(s.pacedMs ?? 0, s.budgetMs, s.timedOut ?? 0, s.holdMs ?? 0)}` : ''}` : '';
  return `Call stacks: sampled per line (first ${STACK_FIRST} ops of each line captured, then about one in N with N paced so that ` +
    `captures take about ${(STACK_BUDGET * 100).toFixed(1)}% of the recording's time plus a one-time ${STACK_ALLOWANCE_MS} ms (at most ${STACK_HOLD_SLACK}× that while lines are young; ` +
    'the first ones per line and first source-map reads on top); ' +
    'ops in between take the stack their line was last captured with in their own context, or, where its callers take turns, ' +
    `its recent captures in turn${made})`;
}

/**
 * How the paced captures stood against their budget. Over it, a capture cost more than the pace
 * assumed (a loaded machine; stalls are counted as a few typical captures): the total alone (73.85 ms
 * for 253 captures, budget ~7 ms) read as normal (audit 31).
 */
function budgetPart(pacedMs: number, budgetMs: number, timedOut: number, holdMs: number): string {
  const paced = `${fmtMs(pacedMs)} ms of them paced`, budget = `${fmtMs(budgetMs)} ms budget`;
  if (pacedMs <= budgetMs) return `${paced}, within the ${budget}`;
  const ended = timedOut > 0 ? `; ${timedOut} holds ended for their length in time` : '';
  if (pacedMs <= STACK_HOLD_SLACK * budgetMs) return `${paced}: OVER the ${budget} (captures were slower than the pace assumed; it slowed)${ended}`;
  return `${paced}: OVER ${STACK_HOLD_SLACK}× the ${budget} (captures were slow here, e.g. a loaded machine): holds between captures ` +
    `widened, so per-line stacks are rougher (a line's later caller is still seen within ~${fmtMs(holdMs)} ms)${ended}`;
}

function overheadLine(r: ProfileReport): string {
  const o = r.overhead;
  // A short script's op time is a few ms, against which a fixed cost (the first captures read source maps) looks
  // huge: the share of the wall time says what it cost the run.
  const ofWall = r.wallTimeMs > 0 ? `${((100 * o.estimatedMs) / r.wallTimeMs).toFixed(1)}% of wall time, ` : '';
  // Exact sites capture no stack for the line: a per-capture cost there is the calibration's, not this run's (audit 30).
  const exact = allExact(r);
  return `Profiler overhead: ~${fmtMs(o.estimatedMs)} ms (${ofWall}${o.percentOfOpTime.toFixed(1)}% of op time; measured ` +
    `${o.perOpNs.toFixed(0)} ns/op${exact ? '' : `, ${(o.perCaptureNs / 1000).toFixed(1)} µs per call-site capture`}` +
    `, call sites: ${exact ? 'exact' : r.callSiteMode})`;
}

/** The report as a box-drawn text table. */
export function renderText(r: ProfileReport, opts: TextOptions = {}): string {
  const width = Math.max(30, opts.width ?? process.stdout.columns ?? 100);
  const color = opts.color ?? (Boolean(process.stdout.isTTY) && !process.env['NO_COLOR']);
  const bold = (s: string): string => (color ? `\x1b[1;33m${s}\x1b[0m` : s);
  let head = header(r);
  let body = rows(r);
  const marker = '  ← Slowest';
  const widthOf = (h: string[], b: string[][]): number[] => h.map((x, i) => Math.max(x.length, ...b.map((row) => row[i]!.length)));
  let w = widthOf(head, body);
  const total = (ws: number[]): number => ws.reduce((a, b) => a + b + 3, 1) + marker.length;
  if (total(w) > width) {
    head = head.filter((_, i) => i !== 3);
    body = body.map((row) => row.filter((_, i) => i !== 3));
    w = widthOf(head, body);
  }
  if (total(w) > width) w[0] = Math.max(6, w[0]! - (total(w) - width));
  const cell = (s: string, i: number): string => (s.length > w[i]! ? s.slice(0, w[i]! - 1) + '…' : s.padEnd(w[i]!));
  const line = (l: string, m: string, r2: string): string => l + w.map((x) => '─'.repeat(x + 2)).join(m) + r2;
  const inner = Math.min(width, total(w) - marker.length) - 2;
  const title = 'COREPY PERFORMANCE REPORT' + (r.context ? ` — context "${r.context}"` : '');
  const pad = Math.max(0, inner - title.length);
  const out = [
    '╔' + '═'.repeat(inner) + '╗',
    '║' + ' '.repeat(pad >> 1) + title + ' '.repeat(pad - (pad >> 1)) + '║',
    '╚' + '═'.repeat(inner) + '╝', '',
    line('┌', '┬', '┐'), '│ ' + head.map(cell).join(' │ ') + ' │', line('├', '┼', '┤'),
  ];
  r.operations.forEach((o, k) => {
    const text = '│ ' + body[k]!.map(cell).join(' │ ') + ' │';
    out.push(o.slowest && r.operations.length > 1 ? bold(text + marker) : text);
  });
  const fused = fusedKernelLines(r);
  const hot = hotLineText(r, fmtMs), calling = callLineText(r, fmtMs);
  const contexts = contextLines(r);
  out.push(line('└', '┴', '┘'), ...firstCallLines(r), ...(fused.length ? ['', ...fused] : []), ...(hot.length ? ['', ...hot] : []),
    ...(calling.length ? ['', ...calling] : []),
    ...(contexts.length ? ['', ...contexts] : []), '', `Total Time: ${fmtMs(r.totalTimeMs)}ms op time (${r.opCount} ops; wall time ${fmtMs(r.wallTimeMs)}ms${gpuTotal(r, 'ms')})`, overheadLine(r), callSiteLine(r), callStackLine(r));
  if (r.droppedEvents > 0) out.push(`Dropped raw events: ${r.droppedEvents} (ring full; statistics above are exact, timelines are partial)`);
  out.push(...unansweredWorkerLines(r));
  out.push(...memoryText(r));
  const segments = segmentLines(r);
  if (segments.length > 0) out.push('', ...segments);
  if (r.recommendations.length > 0) {
    out.push('', 'RECOMMENDATIONS:');
    for (const rec of r.recommendations) {
      const where = rec.location ? ` (${rec.location.file}:${rec.location.line})` : '';
      out.push(`  ⚡ [${rec.priority}] ${rec.title}${where}`, `     → ${rec.description}`, `     Impact: ${impactAfterHeading(rec)} (${impactBasis(rec)})`);
    }
  }
  return out.join('\n');
}

/** The report as GitHub-flavoured Markdown. */
export function renderMarkdown(r: ProfileReport): string {
  const out = [`# Corepy performance report${r.context ? ` — context \`${r.context}\`` : ''}`, '',
    `| ${header(r).join(' | ')} |`, `|---|---:|---:|---|---:|---:|${hasGpuTime(r) ? '---:|' : ''}`];
  rows(r).forEach((row, k) => out.push(`| ${row.join(' | ')}${r.operations[k]!.slowest && r.operations.length > 1 ? ' **(slowest)**' : ''} |`));
  const notes = firstCallLines(r);
  if (notes.length) out.push('', ...notes.map((l) => (l.startsWith('  ') ? `- ${l.trim()}` : l)));
  const fused = fusedKernelLines(r);
  if (fused.length) out.push('', fused[0]!, '', '```', ...fused.slice(1), '```');
  const hot = hotLineMarkdown(r, fmtMs);
  if (hot.length) out.push('', ...hot);
  const calling = callLineMarkdown(r, fmtMs);
  if (calling.length) out.push('', ...calling);
  const contexts = contextLines(r);
  if (contexts.length) out.push('', '## Contexts', '', contexts[0]!, '', '```', ...contexts.slice(1), '```');
  out.push('', `**Total Time:** ${fmtMs(r.totalTimeMs)} ms op time (${r.opCount} ops; wall time ${fmtMs(r.wallTimeMs)} ms${gpuTotal(r, ' ms')})`, '', overheadLine(r), '', callSiteLine(r), '', callStackLine(r));
  if (r.droppedEvents > 0) out.push('', `Dropped raw events: ${r.droppedEvents}`);
  const unanswered = unansweredWorkerLines(r);
  if (unanswered.length > 0) out.push('', ...unanswered.map((l) => `**${l}**`));
  const memory = memoryMarkdown(r);
  if (memory.length) out.push('', ...memory);
  const segments = segmentLines(r);
  if (segments.length > 0) out.push('', '## Segments', '', '```', ...segments.slice(1), '```');
  if (r.recommendations.length > 0) {
    out.push('', '## Recommendations', '');
    for (const rec of r.recommendations) {
      out.push(`### ${rec.priority}: ${rec.title}`, '', rec.description, '', `Impact: ${impactAfterHeading(rec)} — ${impactBasis(rec)}`, '',
        '```ts', '// before', rec.codeExample.before, '// after', rec.codeExample.after, '```', '');
    }
  }
  return out.join('\n');
}

/** One line per worker thread whose latest ops the report lacks (`unansweredWorkers`): the report is partial for it. */
function unansweredWorkerLines(r: ProfileReport): string[] {
  return (r.unansweredWorkers ?? []).map((w) => `PARTIAL for worker thread ${w.thread}: it did not answer when the script ended (blocked outside ` +
    `JavaScript, or gone without its last share); its ops after its last share, ${fmtMs(w.lastShareAgoMs)} ms before this report, are missing`);
}

/** The impact label after an "Impact:" heading: "unknown", not "Impact: impact unknown". */
function impactAfterHeading(rec: Recommendation): string {
  return rec.impact === 'unknown' ? 'unknown' : impactLabel(rec);
}

/**
 * The basis after the impact label. An unverified rule's own figure is a guide, not the headline:
 * said so, or "impact unknown" followed by a computed saving reads as a contradiction.
 */
function impactBasis(rec: Recommendation): string {
  if (rec.impact !== 'unknown' || rec.speedupBasis.startsWith('not timed yet')) return rec.speedupBasis;
  return `not verified against measured speedups; this profile's own estimate, a guide only: ${rec.speedupBasis}`;
}
