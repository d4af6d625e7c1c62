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
import { restrictToContext } from '../export/context-timeline.js';
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
 * What `@profiled()` / `@profiled('name')` returns: a method decorator under TypeScript 5 standard
 * decorators and under `experimentalDecorators` (the legacy `(target, key, descriptor)` call, as
 * NestJS, Angular and TypeORM projects compile them), and a field decorator for a field that holds a
 * function (`@profiled() step = (x) => …`, standard decorators only: a legacy field decorator never
 * sees the field's value, so it throws and names `step = profiled((x) => …, 'name')` instead).
 */
export interface ProfiledDecorator {
  /** Standard decorator on a method. */
  <This, Args extends unknown[], R>(target: Method<This, Args, R>, context: ClassMethodDecoratorContext<This, Method<This, Args, R>>): Method<This, Args, R>;
  /** Standard decorator on a field holding a function: the function it is initialised with is wrapped. */
  <This, F extends (...args: never[]) => unknown>(target: undefined, context: ClassFieldDecoratorContext<This, F>): (initial: F) => F;
  /** Legacy (`experimentalDecorators`) decorator on a method. */
  <T>(target: object, key: string | symbol, descriptor: TypedPropertyDescriptor<T>): TypedPropertyDescriptor<T>;
}

/**
 * `@profiled()` / `@profiled('name')` (or `@profiled`) on a class method, with TypeScript 5 standard
 * decorators or `experimentalDecorators`, or `profiled(fn, name?)` to wrap a function: every call is
 * a 'function' span in reports and the flame graph (promise-returning functions are measured until
 * they settle; a generator function, whose body runs as it is iterated, once per resume). A decorated
 * method's span is named after the method unless `name` is given.
 */
export function profiled<F extends (...args: never[]) => unknown>(fn: F, name?: string): F;
/** `@profiled` without parentheses on a method (standard decorators): the same as `@profiled()`. */
export function profiled<This, Args extends unknown[], R>(target: Method<This, Args, R>, context: ClassMethodDecoratorContext<This, Method<This, Args, R>>): Method<This, Args, R>;
/** `@profiled` without parentheses on a field holding a function (standard decorators): the same as `@profiled()`. */
export function profiled<This, F extends (...args: never[]) => unknown>(target: undefined, context: ClassFieldDecoratorContext<This, F>): (initial: F) => F;
/** `@profiled` without parentheses on a method (`experimentalDecorators`): the same as `@profiled()`. */
export function profiled<T>(target: object, key: string | symbol, descriptor: TypedPropertyDescriptor<T>): TypedPropertyDescriptor<T>;
export function profiled(name?: string): ProfiledDecorator;
export function profiled(...args: unknown[]): unknown {
  const [a, b] = args;
  // `@profiled` without parentheses: called as the decorator itself. A standard decorator's second
  // argument is its context object (a name is a string); a legacy one gets three arguments (a
  // property key and a descriptor, or undefined for a field), which profiled(fn, name) never does.
  if (isDecoratorContext(b) || (args.length === 3 && isLegacyKey(b))) return (decorator(undefined) as (...xs: unknown[]) => unknown)(...args);
  if (typeof a === 'function') return wrap(a as (...xs: unknown[]) => unknown, (b as string | undefined) ?? (a.name || 'anonymous'));
  if (a !== undefined && typeof a !== 'string') throw new TypeError(`profiled: expected a function or a name, got ${describe(a)}`);
  return decorator(a);
}

/**
 * `fn` as a function whose every call is a 'function' span named `label`. A generator function runs
 * its body only when the generator is resumed, so each resume (`next`, `return`, `throw`; for an
 * async generator until its promise settles) is the span instead: timing the call alone would time
 * the creation of the generator object and miss every op of the body (audit 21 N3).
 */
function wrap<T extends (...args: unknown[]) => unknown>(fn: T, label: string): T {
  const kind = Object.getPrototypeOf(fn)?.[Symbol.toStringTag] as unknown;
  const wrapped = kind === 'GeneratorFunction' || kind === 'AsyncGeneratorFunction'
    ? function (this: unknown, ...args: unknown[]): unknown { return resumedInFrames(fn.apply(this, args) as Generator | AsyncGenerator, label); }
    : function (this: unknown, ...args: unknown[]): unknown { return withFrame(label, 'function', () => fn.apply(this, args)); };
  Object.defineProperty(wrapped, 'name', { value: fn.name });
  return wrapped as T;
}

/**
 * The generator `g` with each resume run inside a 'function' span named `label`. The wrapper keeps
 * `g`'s prototype chain (so `Symbol.iterator` / `Symbol.asyncIterator`, `for…of` and `for await`
 * work as on `g`) and its own `next`, `return` and `throw`.
 */
function resumedInFrames<G extends Generator | AsyncGenerator>(g: G, label: string): G {
  const wrapper = Object.create(g) as G;
  for (const m of ['next', 'return', 'throw'] as const) {
    const resume = g[m] as (v?: unknown) => unknown;
    Object.defineProperty(wrapper, m, { value: (v?: unknown) => withFrame(label, 'function', () => resume.call(g, v)), writable: true, configurable: true });
  }
  return wrapper;
}

/** The decorator `@profiled(name)` stands for: it tells the standard and legacy call shapes apart. */
function decorator(name: string | undefined): ProfiledDecorator {
  return function profiledDecorator(target: unknown, context: unknown, descriptor?: unknown): unknown {
    if (isDecoratorContext(context)) return standard(name, target, context);
    if (isLegacyKey(context)) return legacy(name, target, context, descriptor as PropertyDescriptor | undefined);
    throw new TypeError(`@profiled: not called as a decorator (got ${describe(context)} as its second argument); to wrap a function write profiled(fn, 'name')`);
  } as ProfiledDecorator;
}

/** A TypeScript 5 standard decorator's call: a method (or getter/setter) is replaced by its wrapper; a field's function is wrapped when the field is initialised. */
function standard(name: string | undefined, target: unknown, context: DecoratorContext): unknown {
  const label = name ?? String(context.name);
  switch (context.kind) {
    case 'method': case 'getter': case 'setter':
      return wrap(target as (...args: unknown[]) => unknown, label);
    case 'field':
      return (initial: unknown): unknown => {
        if (typeof initial !== 'function') throw new TypeError(`@profiled on the field '${String(context.name)}': its value is ${describe(initial)}, not a function; @profiled goes on methods and on fields that hold a function`);
        return wrap(initial as (...args: unknown[]) => unknown, label);
      };
    default:
      throw new TypeError(`@profiled goes on a method (or a field holding a function), not on ${context.kind === 'class' ? 'a class' : `an ${context.kind}`} ('${String(context.name)}'); wrap a function with profiled(fn, 'name')`);
  }
}

/** An `experimentalDecorators` call `(target, key, descriptor)`: the descriptor's function is wrapped and the descriptor returned (the legacy helper defines the method with it). */
function legacy(name: string | undefined, target: unknown, key: string | symbol, d: PropertyDescriptor | undefined): PropertyDescriptor {
  const label = name ?? String(key);
  const owner = typeof target === 'function' ? target.name : (target as object | null)?.constructor?.name ?? '';
  const member = `${owner ? `${owner}.` : ''}${String(key)}`;
  if (d !== undefined && typeof d.value === 'function') return { ...d, value: wrap(d.value as (...args: unknown[]) => unknown, label) };
  if (d !== undefined && (typeof d.get === 'function' || typeof d.set === 'function')) {
    return { ...d, ...(d.get ? { get: wrap(d.get as () => unknown, label) } : {}), ...(d.set ? { set: wrap(d.set as (v: unknown) => void, label) } : {}) };
  }
  // Babel's legacy decorators pass a field's descriptor with its initializer.
  const init = (d as { initializer?: unknown } | undefined)?.initializer;
  if (typeof init === 'function') {
    return {
      ...d, initializer(this: unknown): unknown {
        const value: unknown = init.call(this);
        if (typeof value !== 'function') throw new TypeError(`@profiled on the field ${member}: its value is ${describe(value)}, not a function`);
        return wrap(value as (...args: unknown[]) => unknown, label);
      },
    } as PropertyDescriptor;
  }
  // A TypeScript/esbuild legacy field decorator gets no descriptor and never sees the value the
  // constructor assigns: it could not wrap it, so it must not pretend to.
  throw new TypeError(`@profiled on the field ${member} cannot work under experimentalDecorators (a field decorator never sees the field's value): write ${String(key)} = profiled((…) => …, '${label}') instead, or decorate a method`);
}

/** True for a standard decorator's context object (`{ kind, name, … }`). */
function isDecoratorContext(x: unknown): x is DecoratorContext {
  return typeof x === 'object' && x !== null && typeof (x as { kind?: unknown }).kind === 'string' && 'name' in x;
}

/** A legacy decorator's property key. */
function isLegacyKey(x: unknown): x is string | symbol {
  return typeof x === 'string' || typeof x === 'symbol';
}

/** A short description of a value for error messages. */
function describe(x: unknown): string {
  if (typeof x === 'function') return `a function${x.name ? ` (${x.name})` : ''}`;
  if (x === null || typeof x !== 'object') return typeof x === 'string' ? JSON.stringify(x) : String(x);
  return `an object (${Object.keys(x).slice(0, 4).join(', ')})`;
}

/**
 * Writes everything recorded to `path` in `format`: `json` (the report), `csv` (per op × line),
 * `chrome` (Chrome trace / Perfetto), `speedscope`, `folded` (flamegraph.pl), `html` (a
 * self-contained flame-graph page), `text` or `markdown` (the printed report). Only `json`, `text`
 * and `markdown` run the recommendation rules (and their timed measurements); the others cost time
 * in proportion to what they hold.
 * @param options.context writes only what ran inside the contexts (or @profiled functions) of this
 *   name, at any depth, in every format: the reports and the CSV count only the ops issued inside
 *   them; the timelines (chrome, speedscope, folded, html) hold those contexts' spans with
 *   everything inside them as their outermost slices (times keep the recording's origin), and the
 *   one-time work that ran while one was open. An unknown name throws, listing the recorded ones.
 * @param options.title the timeline's title (default `corepy profile`, or `corepy profile: context "name"`)
 */
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
  // Timelines hold the context's subtree only, as the report holds its ops (buildReport has checked the name).
  const title = options.title ?? (options.context !== undefined ? `corepy profile: context ${JSON.stringify(options.context)}` : undefined);
  let flame: FlameProfile | undefined;
  writeExport(path, {
    report,
    get flame() { return (flame ??= buildFlame(options.context !== undefined ? restrictToContext(data, options.context) : data, title)); },
  }, options.format);
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
