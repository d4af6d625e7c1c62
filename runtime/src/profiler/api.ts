/**
 * The user-facing profiler API (re-exported from corepy's index): reports, recommendations,
 * contexts, the @profiled decorator / wrapper, exports and baselines. Recording itself is in
 * session.ts / recorder.ts.
 */
// ProfileContext implements Disposable and has [Symbol.dispose]: kept in the emitted .d.ts so that a
// user's project type-checks corepy's declarations below target esnext without @types/node
// (`Cannot find name 'Disposable'`, a newcomer audit). Types only: nothing of it is emitted as code.
/// <reference lib="esnext.disposable" preserve="true" />
import { formatSpec, writeExport, type ExportFormat } from '../export/index.js';
import { closeFrame, contextNodes, currentFrame, enterFrame, openFrame, runFramed, withFrame, type Frame } from './context.js';
import { buildFlame } from './flame.js';
import { renderMarkdown, renderText, type TextOptions } from './format-text.js';
import { buildReport, type ProfileReport } from './report.js';
import { compareBaseline, notifyComparison, type BaselineComparison } from './baseline.js';
import { machineLoad, readBaseline, writeBaseline } from './baseline-file.js';
import type { Recommendation } from './rules/index.js';
import { snapshot } from './session.js';
import type { FlameProfile } from '../contract/flame.js';

/** Options of {@link profileReport}. */
export interface ReportOptions extends TextOptions {
  /** 'text' (default), 'markdown' or 'json'. */
  readonly format?: 'text' | 'markdown' | 'json';
  /** Only ops issued inside this context (at any depth); unknown names throw. */
  readonly context?: string;
}

/** The report: a string for text/markdown, a typed {@link ProfileReport} for json. */
export function profileReport(options: ReportOptions & { format: 'json' }): ProfileReport;
export function profileReport(options?: ReportOptions & { format?: 'text' | 'markdown' }): string;
export function profileReport(options: ReportOptions = {}): string | ProfileReport {
  const format = options.format ?? 'text';
  if (!['text', 'markdown', 'json'].includes(format)) throw new TypeError(`profileReport: unknown format ${JSON.stringify(format)}; allowed: text, markdown, json`);
  // Events as the rules' columns: no record per event (at 1e6 events building them was most of a report's time).
  const report = buildReport(snapshot(true, { events: 'rules' }), options.context !== undefined ? { context: options.context } : {});
  if (format === 'json') return report;
  return format === 'markdown' ? renderMarkdown(report) : renderText(report, options);
}

/** Recommendations over everything recorded, most important first. */
export function getRecommendations(options: { context?: string } = {}): Recommendation[] {
  return buildReport(snapshot(true, { events: 'rules' }), options).recommendations;
}

/** The flame-graph model of everything recorded. */
export function getFlameProfile(title?: string): FlameProfile {
  return buildFlame(snapshot(true, { events: 'columns' }), title);
}

/**
 * A named section of the program. Ops issued inside it (across `await`s) are attributed to it.
 * - `using ctx = new ProfileContext('name');` — the rest of the block
 * - `new ProfileContext('name').run(fn)` — `fn` only (sync or async)
 */
export class ProfileContext implements Disposable {
  private readonly frame: Frame;
  private readonly previous: Frame | null;
  private closed = false;

  constructor(readonly name: string) {
    this.previous = currentFrame();
    this.frame = openFrame(name, 'context');
    enterFrame(this.frame);
  }

  /** Runs `fn` inside this context and closes it when `fn` returns or its promise settles. */
  run<T>(fn: () => T): T {
    if (this.closed) throw new Error(`ProfileContext '${this.name}' is already closed`);
    this.closed = true;
    // The caller's own code after run() is not part of the context.
    enterFrame(this.previous);
    return runFramed(this.frame, fn);
  }

  /**
   * Closes the context (called by `using`). Safe to call twice. Contexts end innermost first: ending
   * this one while a context opened inside it is still open throws, naming that context (ending it
   * anyway would make this one current again when the inner one ends, collecting ops after its end).
   */
  [Symbol.dispose](): void {
    if (this.closed) return;
    const current = currentFrame();
    if (current !== null && current !== this.frame && isInside(current, this.frame)) {
      throw new Error(`ProfileContext '${this.name}' ended while '${contextNodes()[current.id]!.name}', opened inside it, is still open; end '${contextNodes()[current.id]!.name}' first`);
    }
    this.closed = true;
    closeFrame(this.frame);
    enterFrame(this.previous);
  }
}

/** Runs `fn` inside the context `name` (sync or async); returns what `fn` returns. */
export function profileContext<T>(name: string, fn: () => T): T {
  if (typeof fn !== 'function') throw new TypeError('profileContext: expected a function');
  return withFrame(name, 'context', fn);
}

/** True when frame `f` is nested (at any depth) inside `outer`. */
function isInside(f: Frame, outer: Frame): boolean {
  for (let p = f.parent; p !== null; p = p.parent) if (p === outer) return true;
  return false;
}

type Method<This, Args extends unknown[], R> = (this: This, ...args: Args) => R;

/**
 * `@profiled()` / `@profiled('name')` on a class method (TS 5 standard decorators), or
 * `profiled(fn, name?)` to wrap a function: every call is a 'function' span in reports and the
 * flame graph (promise-returning functions are measured until they settle).
 */
export function profiled<F extends (...args: never[]) => unknown>(fn: F, name?: string): F;
export function profiled(name?: string): <This, Args extends unknown[], R>(target: Method<This, Args, R>, context: ClassMethodDecoratorContext<This, Method<This, Args, R>>) => Method<This, Args, R>;
export function profiled(a?: unknown, b?: string): unknown {
  if (typeof a === 'function') {
    const fn = a as (...args: unknown[]) => unknown;
    const label = b ?? (fn.name || 'anonymous');
    const wrapped = function (this: unknown, ...args: unknown[]): unknown {
      return withFrame(label, 'function', () => fn.apply(this, args));
    };
    Object.defineProperty(wrapped, 'name', { value: fn.name });
    return wrapped;
  }
  if (a !== undefined && typeof a !== 'string') throw new TypeError('profiled: expected a function or a name');
  return <This, Args extends unknown[], R>(target: Method<This, Args, R>, context: ClassMethodDecoratorContext<This, Method<This, Args, R>>): Method<This, Args, R> => {
    const label = (a as string | undefined) ?? String(context.name);
    return function (this: This, ...args: Args): R {
      return withFrame(label, 'function', () => target.apply(this, args));
    };
  };
}

/**
 * Writes everything recorded to `path` in `format`: `json` (the report), `csv` (per op × line),
 * `chrome` (Chrome trace / Perfetto), `speedscope`, `folded` (flamegraph.pl), `html` (a
 * self-contained flame-graph page), `text` or `markdown` (the printed report). Only `json`, `text`
 * and `markdown` run the recommendation rules (and their timed measurements); the others cost time
 * in proportion to what they hold.
 */
// The snapshot holds only what the format reads (the registry's `reads`): 'cells' materialises no raw
// event, so a CSV costs time proportional to the per-site table (it took 11 s at 1.2M events when every
// export built everything); 'timeline' takes the events as typed-array columns and builds the flame model
// from them, with no object per event; 'report' formats take them as the rules' columns (rule-columns.ts).

export function exportProfile(path: string, options: { format: ExportFormat; context?: string; title?: string }): void {
  if (!options || typeof options.format !== 'string') throw new TypeError('exportProfile: options.format is required');
  // The snapshot holds only what the format reads (the registry's `reads`): 'cells' materialises no raw
  // event, so a CSV costs time proportional to the per-site table (it took 11 s at 1.2M events when every
  // export built everything); 'timeline' takes the events as typed-array columns and builds the flame model
  // from them, with no object per event; 'report' formats take them as the rules' columns (rule-columns.ts).
  const reads = formatSpec(options.format).reads;
  const data = snapshot(true, { events: reads === 'cells' ? false : reads === 'timeline' ? 'columns' : 'rules' });
  // Only 'report' formats show recommendations: the others run no rule (nor their timed measurements).
  const report = buildReport(data, { ...(options.context !== undefined ? { context: options.context } : {}), recommendations: reads === 'report' });
  // The timeline is built only when the format reads it.
  let flame: FlameProfile | undefined;
  writeExport(path, { report, get flame() { return (flame ??= buildFlame(data, options.title)); } }, options.format);
}

/** Saves per-op and per-context statistics of everything recorded as a baseline file. */
export function saveBaseline(path: string): void {
  // A baseline keeps statistics only: no rule runs (nor its timed measurements).
  writeBaseline(path, buildReport(snapshot(), { recommendations: false }));
}

/**
 * Compares what was recorded with a baseline file (noise-aware: an op must move beyond its runs'
 * spread, the tolerance and `minChangeMs`; PROFILING_GUIDE.md, "Baselines").
 * @param options.tolerance relative change treated as noise (default 0.1 = 10 %)
 * @param options.minChangeMs least change in an op's (or context's) time over its calls that counts, ms (default 1)
 */
export function compareToBaseline(path: string, options: { tolerance?: number; minChangeMs?: number } = {}): BaselineComparison {
  const base = readBaseline(path);
  const result = compareBaseline(base, buildReport(snapshot(), { recommendations: false }), options.tolerance, machineLoad(), options.minChangeMs);
  notifyComparison(result);
  return result;
}
