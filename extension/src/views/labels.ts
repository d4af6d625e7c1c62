/**
 * The text every editor view shows for a run: CodeLens titles, hover tables, Hot Operations rows
 * and the status bar. Pure (no 'vscode' import) so one test can render a run through all of them
 * and compare with the runtime's own exports. Every time here is op time and every percentage
 * names its base ("% of op time"), as the contract's site-stats.ts defines them.
 */
import * as path from 'node:path';
import { formatBytes, formatMs, HELD_EXACT, percentLabel, TIME_BASE, type HeldSite, type MemorySummary, type OneTimeCostRow, type UnansweredWorker } from 'corepy/contract';
import { keepsSegments } from '../debug/report-sites.js';
import { opCountOf, type CallLine, type LineStats, type OpTotals, type RunSnapshot, type SegmentChoice } from '../profile-store.js';

/** The fused kernels (`cp.jit`) whose member ops ran from line `l`, in first-seen order. */
function kernelsOf(l: LineStats): string[] {
  return [...new Set(l.ops.flatMap((o) => (o.fusedIn === undefined ? [] : [o.fusedIn])))];
}

/**
 * How much of a line's op time the machine stalled: " (118 ms machine stalls)", '' when none. Recorded time is
 * real time, so the lens keeps it and says which part was the machine (audit 33 #5: a read whose steady calls took
 * 0.01 ms read "120 ms · 27 % of op time" while the recommendations, which leave stalls out, never named it).
 */
export function stallNote(l: Pick<LineStats, 'stallMs'>): string {
  return l.stallMs > 0 ? ` (${formatMs(l.stallMs)} machine stalls)` : '';
}

/**
 * The CodeLens text of a line: "⏱ 1.24 ms · 35 % of op time · std ×1 · wasm"; a line whose calls stalled says how
 * much of its time that was: "⏱ 120 ms (118 ms machine stalls) · 27 % of op time · read ×30 · wasm". A member op of
 * a fused kernel is marked "(fused)" and the kernels are named: "… · mul ×100 (fused) · wasm · share of
 * fused(mul+sub+sum)".
 */
export function lensTitle(l: LineStats): string {
  const ops = l.ops.map((o) => `${o.op} ×${o.count}${o.fusedIn !== undefined ? ' (fused)' : ''}`).join(', ');
  const backends = [...new Set(l.ops.map((o) => o.backend))].join('/');
  const kernels = kernelsOf(l);
  const fused = kernels.length > 0 ? ` · share of ${kernels.join(', ')}` : '';
  return `⏱ ${formatMs(l.totalMs)}${stallNote(l)} · ${percentLabel(l.share, 'op', 0)} · ${ops} · ${backends}${fused}`;
}

/** The tooltip of a line's CodeLens; a line whose calls stalled says what a stall is. */
export function lensTooltip(l: Pick<LineStats, 'stallMs'>): string {
  return 'Corepy: op time on this line (time inside tensor ops) and its share of the run\'s op time. Click for the flame graph.'
    + (l.stallMs > 0 ? `\n\n${stallExplained(l.stallMs)}` : '');
}

/** What a line's stalls are, for its lens tooltip and hover. */
function stallExplained(ms: number): string {
  return `${formatMs(ms)} of it was the machine stalling: calls that took far longer than the calls around them on this line, `
    + 'the process descheduled mid-call (a busy machine), not the op being slow. It stays in op time (it was spent); '
    + 'the recommendations leave it out of their figures.';
}

/**
 * The CodeLens text of a calling line: "⏱ ≈12.3 ms in calls (sampled) · 35 % of op time · 120 ops". The
 * figure comes from sampled call stacks, which can hand a later caller's ops to an earlier one (audit 28:
 * a function called 300 times from one line and then 150 from another showed all 450 on the first), so
 * the lens says it is an estimate where an op lens is exact.
 */
export function callLensTitle(c: CallLine): string {
  return `⏱ ≈${formatMs(c.opMs)} in calls (sampled) · ${percentLabel(c.share, 'op', 0)} · ${c.ops.toLocaleString('en-US')} op${c.ops === 1 ? '' : 's'}`;
}

/** The tooltip of a calling line's CodeLens. */
export const CALL_LENS_TOOLTIP = 'Corepy: op time of the ops issued inside the calls made from this line (its callees\' lines have their own lenses), '
  + 'and its share of the run\'s op time; from the sampled call stacks of the retained ops. Click for the flame graph.';

/**
 * Hover markdown of a line: a header with its op time and share, then one row per op; fused members say whose share they are.
 * `segments`: for a run with segments, which op time the share is of ({@link segmentScope}), so that it is not read
 * against a recommendation's share of its own segment on the same hover.
 */
export function hoverText(l: LineStats, segments = ''): string {
  const rows = l.ops.map((o) => {
    const op = o.fusedIn !== undefined ? `${o.op} (fused in ${o.fusedIn})` : o.op;
    const bytes = o.fusedIn !== undefined ? '—' : o.bytes.toLocaleString('en-US');
    return `| ${op} | ${o.count} | ${formatMs(o.totalMs / o.count)} | ${formatMs(o.minMs)} | ${formatMs(o.maxMs)} | ${o.backend} | ${bytes} |\n`;
  });
  const kernels = kernelsOf(l);
  const note = kernels.length === 0 ? ''
    : `\nFused ops ran inside one kernel (cp.jit) and cannot be timed apart: each shows an equal share of its kernel's ${TIME_BASE.op}; the whole kernel is counted once, on the line that called the jitted function.\n`;
  const stalls = l.stallMs > 0 ? `${stallExplained(l.stallMs)}\n\n` : '';
  return `**Corepy** — ${formatMs(l.totalMs)} ${TIME_BASE.op} on this line (${percentLabel(l.share, 'op')}${segments ? ` ${segments}` : ''})\n\n`
    + stalls
    + '| op | count | avg | min | max | backend | bytes |\n|---|---:|---:|---:|---:|---|---:|\n'
    + rows.join('') + note;
}

/** Which op time a share is of in a run with segments: "in all 2 segments", "in segment 1"; '' without segments. */
export function segmentScope(run: Pick<RunSnapshot, 'segments'> | undefined, shown: SegmentChoice): string {
  const n = run?.segments?.length ?? 0;
  if (n < 2) return '';
  return shown === 'all' ? `in all ${n} segments` : `in segment ${shown + 1}`;
}

/** Hot Operations: the description of an op row ("1.24 ms · 35 % of op time · ×12"). */
export function hotOpDescription(op: OpTotals): string {
  return `${formatMs(op.totalMs)} · ${percentLabel(op.share, 'op', 0)} · ×${op.count}`;
}

/** Hot Operations: the description of a line under op `op` ("0.5 ms · ×3"), '' when the op did not run there. */
export function hotLineDescription(line: LineStats, op: string): string {
  const own = line.ops.filter((x) => x.op === op || x.fusedIn === op);
  if (own.length === 0) return '';
  const ms = own.reduce((a, x) => a + x.totalMs, 0);
  return `${formatMs(ms)} · ×${own[0]!.count}${own.some((x) => x.fusedIn !== undefined) ? ' · fused share' : ''}`;
}

/** The report's one-time cost rows as they are; [] before the report. */
function reportedOneTimeCosts(run: RunSnapshot | undefined): readonly OneTimeCostRow[] {
  const rows = run?.report?.oneTimeCosts;
  return Array.isArray(rows) ? rows : [];
}

/**
 * The run's one-time costs (kernel compilation, memory growth, GPU pipelines), from its report; []
 * before the report, and for a run that recorded no op: its rows are then corepy's own start-up
 * (the preload compiles and warms the kernels), not the script's (see {@link statusTooltip}).
 */
export function oneTimeCostsOf(run: RunSnapshot | undefined): readonly OneTimeCostRow[] {
  return run === undefined || opCountOf(run) === 0 ? [] : reportedOneTimeCosts(run);
}

/** Hot Operations: the description of the one-time costs group ("290 ms · not in op time"). */
export function oneTimeGroupDescription(rows: readonly OneTimeCostRow[]): string {
  return `${formatMs(rows.reduce((a, r) => a + r.totalMs, 0))} · not in ${TIME_BASE.op}`;
}

/** Hot Operations: the description of one one-time cost row ("83.2 ms · ×1 · at load", "… · during add"). */
export function oneTimeRowDescription(row: OneTimeCostRow): string {
  const when = row.duringOps.length > 0 ? `during ${row.duringOps.join(', ')}` : 'at load / between ops';
  return `${formatMs(row.totalMs)} · ×${row.count} · ${when}`;
}

/** The run's memory figures from its report, or undefined (before the report, or a runtime without them). */
export function memoryOf(run: RunSnapshot | undefined): MemorySummary | undefined {
  const m = run?.report?.memory;
  return m && Array.isArray(m.heldBySite) ? m : undefined;
}

/** Hot Operations: the description of the Memory group ("187.6 MB live · peak 187.6 MB"). */
export function memoryDescription(m: MemorySummary): string {
  return `${formatBytes(m.liveBytes)} live · peak ${formatBytes(m.peakBytes)}`;
}

/**
 * Hot Operations: the description of a line that held its results, what tells two rows of one line apart first
 * (a narrow sidebar cuts the end): "matmul · 186.6 MB · up to ≈2986 of 3000 results · 12 now"; "≈" where sampled.
 */
export function heldLineDescription(h: HeldSite): string {
  return `${h.ops.join(', ')} · ${formatBytes(h.peakBytes)} · up to ${h.calls > HELD_EXACT ? '≈' : ''}${h.peakTensors} of ${h.calls} results · ${h.tensors} now`;
}

/** What the status bar item shows. */
export interface StatusView {
  readonly visible: boolean;
  readonly text: string;
  readonly command: string | undefined;
  /** Its tooltip ({@link statusTooltip}); absent while hidden. */
  readonly tooltip?: string;
}

/** "12.3 ms op time · 400 ops": op time (ms) and the ops counted in `sites`. */
export function opFigures(opTimeMs: number, sites: readonly { count: number }[]): string {
  return `${formatMs(opTimeMs)} ${TIME_BASE.op} · ${sites.reduce((n, s) => n + s.count, 0)} ops`;
}

/**
 * The figures of what the per-line views show: the picked segment's, every segment's ('all', with
 * their count: "· 2 segments"; "· 1 segment" when the only one ended at a clearProfile() after the
 * last op), or the run's when it has one segment still recording. A run's own totals cover only its
 * last segment, so they are never used for a run with kept segments.
 */
function shownFigures(run: RunSnapshot, choice: SegmentChoice): string {
  const segments = run.segments ?? [];
  if (!keepsSegments(segments)) return opFigures(run.opTimeMs, run.sites);
  const picked = choice === 'all' ? undefined : segments.find((s) => s.index === choice);
  if (picked) return `segment ${picked.index + 1} of ${segments.length} · ${opFigures(picked.opTimeMs, picked.sites)}`;
  const n = segments.length;
  return `${opFigures(segments.reduce((t, s) => t + s.opTimeMs, 0), segments.flatMap((s) => s.sites))} · ${n} segment${n === 1 ? '' : 's'}`;
}

/**
 * Status bar text and command for `run` (undefined hides the item): op time while the run is
 * live and after it ends alike ("… · 12.3 ms op time · 40 ops"), of the segment the per-line
 * views show (`choice`, default all of them); wall time in {@link statusTooltip}. A run that has
 * recorded no op yet reads "starting…" ({@link starting}).
 */
/** The command that shows the Hot Operations view (VS Code's `<view id>.focus`). */
export const HOT_OPERATIONS_FOCUS = 'corepy.hotOperations.focus';

/**
 * A run killed before it sent a single batch: nothing of it is known (not "0 ops in 0 µs": a script
 * blocked in a system call right after its ops ran them; audit 25).
 */
function nothingKnown(run: RunSnapshot): boolean {
  return run.status === 'partial' && run.wallTimeMs === 0 && opCountOf(run) === 0;
}

export function statusFor(run: RunSnapshot | undefined, choice: SegmentChoice = 'all'): StatusView | undefined {
  if (run === undefined) return undefined;
  const file = path.basename(run.program);
  const figures = nothingKnown(run) ? 'nothing recorded' : shownFigures(run, choice);
  if (starting(run)) return { visible: true, text: `$(sync~spin) corepy: ${file} · starting…`, command: 'corepy.stop' };
  if (run.status === 'running') return { visible: true, text: `$(pulse) corepy: ${file} · ${figures}`, command: 'corepy.stop' };
  if (failed(run)) {
    // A distinct state: the run's error is in the Debug Console, which the click opens.
    return { visible: true, text: `$(error) corepy: ${file} failed (exit ${String(run.exitCode)}) · ${figures}`, command: 'workbench.panel.repl.view.focus' };
  }
  const workers = unansweredWorkersOf(run);
  const partly = workers.length > 0 ? `, partial for worker${workers.length > 1 ? 's' : ''} ${workers.map((w) => w.thread).join(', ')}` : '';
  const ended = run.status === 'partial' ? (run.stopped ? ' (stopped, partial)' : ' (partial)')
    : run.stopped ? ` (stopped${partly})` : partly ? ` (${partly.slice(2)})` : '';
  // A partial run has no flame profile: the click opens what it has, the per-line figures of Hot Operations.
  const command = run.flame === null && run.status === 'partial' ? HOT_OPERATIONS_FOCUS : 'corepy.showFlameGraph';
  return { visible: true, text: `$(flame) corepy: ${file}${ended} · ${figures}`, command };
}

/**
 * A running run that has recorded no op yet: Node (and tsx, for TypeScript: 8–15 s cold) is still
 * loading the script. Its figures would read as a finished empty run ("0.00 µs op time · 0 ops";
 * audit 29), so the status bar says it is starting until the first op is counted.
 */
export function starting(run: RunSnapshot): boolean {
  return run.status === 'running' && opCountOf(run) === 0;
}

/** The worker threads whose latest ops the run's final report lacks (`ProfileReport.unansweredWorkers`). */
function unansweredWorkersOf(run: RunSnapshot): readonly UnansweredWorker[] {
  return run.status === 'running' ? [] : run.report?.unansweredWorkers ?? [];
}

/**
 * True when the script ended with a non-zero exit code (a thrown error, a syntax error, process.exit(n)),
 * unless the user stopped it (the exit status of a stop, 143, is not the script failing).
 */
export function failed(run: RunSnapshot): boolean {
  return run.status !== 'running' && run.exitCode !== null && run.exitCode !== 0 && run.stopped !== true;
}

/**
 * What a run under the debugger's figures mean: V8 runs WebAssembly in unoptimised debug code once a
 * debugger is enabled. Measured with the runtime's bench debugger-wasm.js (a 256² matmul on one thread,
 * before and after `Debugger.enable`): 2.3–12× slower on Node 20, 22 and 24 (runtime/BENCHMARKS.md,
 * "Under the debugger").
 */
export const UNDER_DEBUGGER = 'Under the debugger V8 runs WebAssembly kernels in unoptimised debug code: wasm op times here are ' +
  'several times (2–12× measured) those of Run and Profile; compare op times from Run and Profile.';

/** Why a run has no lens when its call sites were off (the status tooltip, and once in a notification). */
export const CALL_SITES_OFF = 'Per-line figures are off (corepy.callSites: off, or "callSites": "off" in the launch configuration): ' +
  'no op\'s line was captured, so no line has a lens or heat; the totals here and in Hot Operations are the whole run\'s.';

/** A time of day as the run notices and the tooltip give it: "14:03:12" (local time; `ms` since the epoch). Pure. */
export function clockTime(ms: number): string {
  const d = new Date(ms);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

/** One-time cost rows as text: "compile wasm kernels 41.9 ms; warm up corepy ops 61.9 ms". */
function costList(rows: readonly OneTimeCostRow[]): string {
  return rows.map((r) => `${r.name} ${formatMs(r.totalMs)}`).join('; ');
}

/**
 * The status bar tooltip: what the click does, the wall time beside the op time, the time paused
 * in the debugger (kept out of the wall time) and the one-time costs (kept out of op time), each
 * named. A run that recorded no op has its one-time costs named as corepy's start-up, and a run
 * without call sites says why no line has a lens.
 */
export function statusTooltip(run: RunSnapshot, command: string | undefined): string {
  const segments = run.segments ?? [];
  const kept = keepsSegments(segments);
  const opTimeMs = kept ? segments.reduce((t, s) => t + s.opTimeMs, 0) : run.opTimeMs;
  // Wall time restarts with each segment: with several, it is the last one's; after a last clearProfile(), that of nothing.
  const times = nothingKnown(run)
    ? 'No profile batch arrived before the script ended (one goes out every 250 ms while its event loop runs, or from inside a loop of ops): whether it ran any corepy op, and for how long, is not known.'
    : segments.length > 1
    ? `${formatMs(opTimeMs)} ${TIME_BASE.op} in ${segments.length} segments (Corepy: Show Segment… picks the one the editor shows); the last segment: ${formatMs(run.wallTimeMs)} ${TIME_BASE.wall}.`
    : kept
      ? `${formatMs(opTimeMs)} ${TIME_BASE.op}, all of it in a segment that ended before the script did (a clearProfile() after the last op left nothing after it); the editor shows that segment.`
      : `${formatMs(opTimeMs)} ${TIME_BASE.op} in ${formatMs(run.wallTimeMs)} ${TIME_BASE.wall}.`;
  const paused = run.pausedMs ? ` Paused in the debugger ${formatMs(run.pausedMs)} (not in the ${TIME_BASE.wall}).` : '';
  const debugCode = run.underDebugger ? ` ${UNDER_DEBUGGER}` : '';
  const rows = oneTimeCostsOf(run);
  const startup = rows.length === 0 && run.status !== 'running' ? reportedOneTimeCosts(run) : [];
  const oneTime = rows.length > 0
    ? ` One-time costs ${formatMs(rows.reduce((a, r) => a + r.totalMs, 0))}, not in ${TIME_BASE.op}: ${costList(rows)}.`
    : startup.length > 0
      ? ` No corepy op ran: the ${formatMs(startup.reduce((a, r) => a + r.totalMs, 0))} of one-time work (${costList(startup)}) is corepy's own start-up (the profiler's preload), not the script's.`
      : '';
  const sitesOff = run.report?.callSiteMode === 'off' && opCountOf(run) > 0 ? ` ${CALL_SITES_OFF}` : '';
  const workers = unansweredWorkersOf(run).map((w) => ` Partial for worker thread ${w.thread}: it did not answer when the script ended ` +
    `(blocked outside JavaScript, or gone without its last share), so its ops after its last share, ${formatMs(w.lastShareAgoMs)} before the report, are missing.`).join('');
  const figures = `${times}${paused}${debugCode}${oneTime}${sitesOff}${workers}`;
  if (command === 'corepy.stop' && starting(run)) {
    return 'Profiling with corepy: no corepy op has run yet (Node, and tsx for a TypeScript file, load the script first; ' +
      'a script busy before its first op looks the same). Its figures show from its first op. Click to stop.';
  }
  if (command === 'corepy.stop') return `Profiling with corepy: ${figures} Click to stop.`;
  if (failed(run)) return `The script failed (the run started at ${clockTime(run.startedAt)}): ${figures} Click for its output in the Debug Console.`;
  if (command === HOT_OPERATIONS_FOCUS) {
    return `Last corepy profile, partial (${run.stopped ? 'stopped' : 'ended'} before its report: per-line counts and times only; no flame graph or exports): ${figures} Click for Hot Operations.`;
  }
  return `Last corepy profile: ${figures} Click for the flame graph.`;
}

/**
 * The statement that loads corepy in `program`: `require` for CommonJS (`.cjs`, or `.js`/`.jsx`
 * where the nearest package.json's "type" is not "module"), else `import` (ES modules, and
 * TypeScript, where tsx accepts `import` in either module system). Pure.
 * @param packageType the "type" of the nearest package.json, undefined when there is none
 */
export function corepyImportFor(program: string, packageType: string | undefined): string {
  const ext = path.extname(program).toLowerCase();
  const commonJs = ext === '.cjs' || ((ext === '.js' || ext === '.jsx') && packageType !== 'module');
  return commonJs ? "const cp = require('corepy')" : "import * as cp from 'corepy'";
}

/** The notice for a run that recorded no op; `load` from {@link corepyImportFor}. */
export function noOpsNotice(file: string, load: string): string {
  return `Corepy: ${file} ran no corepy ops, so there is nothing to profile. Import it (\`${load}\`) and run tensor ops.`;
}
