/**
 * One timing budget per report, shared by every rule. The rules time their rewrites on this
 * machine (measure*.ts), and each trial's warm-up and alternating rounds take 0.3–1.8 s: run
 * in rule order, the first report after a run paid 3–4 s for them. So the rules run in passes:
 *
 * 1. plan: every rule runs with measurers that answer from what is already known (this process's
 *    figures, then the per-machine file of timing-cache-file.ts) and record what they miss;
 * 2. time: the missing measurements run cheapest first (fewest elements touched by one run of the
 *    trial) until the budget is spent; one that reaches the deadline is abandoned (measure.ts
 *    `withDeadline`), never cut short into a figure;
 * 3. final: the rules run again with what is now known. A measurement that did not fit answers
 *    UNTIMED, and the rule says its impact is not timed yet (types.ts `untimedFields`) — never a guess.
 *
 * The budget is COREPY_RULE_BUDGET_MS (default DEFAULT_BUDGET_MS; 0 times nothing); the report of a run the
 * user stopped gets COREPY_STOP_RULE_BUDGET_MS, default 0 (stop-report.ts). It bounds the trials only: the
 * plan pass (and the final one, run only when something was timed) comes on top. Figures are
 * kept for the process and written to the per-machine file, so later reports and later runs reuse them.
 * A figure not timed for this report — from the file, or from an earlier report of this process — carries
 * `measuredAtMs` (when it was measured) for the rule to say it is a cached trial (types.ts `trialWhen`); one
 * timed now carries none. One from the file that a rule's hint shows does not describe this run (FITS) is
 * missing: timed again, else UNTIMED.
 */
import { measureBatch, measureMoments, OutOfBudget, TRIAL_MAX_MS, withDeadline } from './measure.js';
import { jitTrialFits, jitTrialRuns, measureJit } from './measure-jit.js';
import { measureReads } from './measure-reads.js';
import { measureStack } from './measure-stack.js';
import { measuredAtOf, noteMeasured, readTimings, timingsCachePath, writeTimings, type StoredTiming } from './timing-cache-file.js';
import { isStoppedRun, stopBudgetMs } from './stop-report.js';
import { UNTIMED, type RuleInput } from './types.js';

/** Names of the measurers a rule can call. */
export const MEASURER_NAMES = ['measureBatch', 'measureMoments', 'measureJit', 'measureStack', 'measureReads'] as const;
export type MeasurerName = (typeof MEASURER_NAMES)[number];
/** The measurers of a {@link RuleInput}. */
export type Measurers = Pick<RuleInput, MeasurerName>;

/** The measurers that time on this machine. */
export const REAL_MEASURERS: Measurers = { measureBatch, measureMoments, measureJit, measureStack, measureReads };

/**
 * Default time for the rules' measurements per report, ms: the longest one trial can take, plus
 * 10 %, so the cheapest missing measurement always completes — with less, a cold trial on a busy
 * machine (whose warm-up runs to its cap) would be abandoned report after report. Warm trials take
 * 0.3–0.6 s, so this holds several; a report whose figures are all in the file spends none of it.
 */
export const DEFAULT_BUDGET_MS = Math.round(1.1 * TRIAL_MAX_MS);
/** A trial is not started with less than this left, ms: the shortest trial takes about this long, and one abandoned is time lost. */
const MIN_TRIAL_MS = 250;

/**
 * The budget from COREPY_RULE_BUDGET_MS (ms, ≥ 0), else DEFAULT_BUDGET_MS; for the report of a stopped run
 * (`stopped`), the stop budget (stop-report.ts: COREPY_STOP_RULE_BUDGET_MS, else 0).
 */
export function timingBudgetMs(env: Readonly<Record<string, string | undefined>> = process.env, stopped = isStoppedRun()): number {
  if (stopped) return stopBudgetMs(env);
  const raw = env['COREPY_RULE_BUDGET_MS'];
  const v = raw === undefined || raw.trim() === '' ? NaN : Number(raw);
  return Number.isFinite(v) && v >= 0 ? v : DEFAULT_BUDGET_MS;
}

/** Elements of a shape. */
const size = (shape: readonly number[]): number => Math.max(1, shape.reduce((p, d) => p * d, 1));

/** Elements one run of each trial touches: the order in which missing measurements are timed. */
const COST: { readonly [N in MeasurerName]: (...args: Parameters<Measurers[N]>) => number } = {
  measureBatch: (_op, _b, shape, _dt, k) => Math.min(size(shape) * k, 1 << 24),
  measureMoments: (_s, _b, shape) => 3 * size(shape),
  measureJit: (links, _r, _b, shape, _dt, runs = 1) => (links.length + 1) * size(shape) * jitTrialRuns(runs, links.length, shape),
  measureStack: (_op, _b, shape, _dt, k) => size(shape) * Math.min(k, 2000),
  measureReads: (_b, shape, _dt, k) => size(shape) * k,
};

/**
 * Arguments that name a measurement (its key); any after them are hints about the run being reported on,
 * read by FITS: measureJit's 7th is the profile's median chain time, ms.
 */
const KEY_ARGS: { readonly [N in MeasurerName]?: number } = { measureJit: 6 };

/**
 * Whether a figure from the per-machine file still describes this run, given the call's arguments (an
 * earlier process may have timed it at a busy moment: audit 25 reused a trial about 5× the run's own chain
 * time). A figure this process timed is always used.
 */
const FITS: { readonly [N in MeasurerName]?: (stored: StoredTiming, args: Parameters<Measurers[N]>) => boolean } = {
  measureJit: (stored, args) => typeof stored['eagerMs'] !== 'number' || jitTrialFits({ eagerMs: stored['eagerMs'] }, args[6]),
};

/** What this process knows: figures (or null: cannot be timed here) by `<measurer>|<arguments>`. */
const known = new Map<string, unknown>();
/** The per-machine file's entries (loaded once), and its path (null: persistence off). */
let disk: { path: string | null; entries: Map<string, StoredTiming> } | null = null;

function diskEntries(): { path: string | null; entries: Map<string, StoredTiming> } {
  if (disk === null) {
    const path = timingsCachePath();
    disk = { path, entries: path ? readTimings(path) : new Map() };
  }
  return disk;
}

/** Forgets what this process timed and re-reads the file at the next report (tests). */
export function resetTimingStore(): void {
  known.clear();
  disk = null;
}

/** One run of {@link budgetedRun}: what it timed, what it left untimed, and the time spent timing, ms. */
export interface BudgetRun<T> {
  readonly result: T;
  readonly timed: number;
  readonly untimed: number;
  readonly spentMs: number;
}

interface Request {
  readonly key: string;
  readonly cost: number;
  readonly run: () => unknown;
}

/**
 * Runs `pass` (the rules) under one timing budget of `budgetMs` (see the file comment). Measurers
 * in `fixed` (tests' stand-ins) are used as given, outside the budget.
 */
export function budgetedRun<T>(pass: (m: Measurers) => T, budgetMs: number, fixed: Partial<Measurers> = {}): BudgetRun<T> {
  const requests = new Map<string, Request>();
  // Keys timed by this run: their figures are "timed now"; any other known figure is a cached one.
  const timedNow = new Set<string>();
  const lookup = (record: boolean): Measurers => {
    const make = <N extends MeasurerName>(name: N): Measurers[N] => {
      if (fixed[name]) return fixed[name];
      return ((...args: Parameters<Measurers[N]>): unknown => {
        const arity = KEY_ARGS[name];
        const key = `${name}|${JSON.stringify(arity === undefined ? args : args.slice(0, arity))}`;
        if (known.has(key)) {
          const v = known.get(key);
          const at = timedNow.has(key) || v === null || typeof v !== 'object' ? undefined : measuredAtOf(key);
          return at === undefined ? v : { ...(v as StoredTiming), measuredAtMs: at };
        }
        // Not kept in `known`: each call checks the file's figure against its own run.
        const stored = diskEntries().entries.get(key);
        const fits = FITS[name] as ((s: StoredTiming, a: Parameters<Measurers[N]>) => boolean) | undefined;
        if (stored && (!fits || fits(stored, args))) {
          const at = measuredAtOf(key);
          return at === undefined ? stored : { ...stored, measuredAtMs: at };
        }
        if (record && !requests.has(key)) {
          const real = REAL_MEASURERS[name] as (...a: Parameters<Measurers[N]>) => unknown;
          requests.set(key, { key, cost: (COST[name] as (...a: Parameters<Measurers[N]>) => number)(...args), run: () => real(...args) });
        }
        return UNTIMED;
      }) as Measurers[N];
    };
    return { measureBatch: make('measureBatch'), measureMoments: make('measureMoments'), measureJit: make('measureJit'), measureStack: make('measureStack'), measureReads: make('measureReads') };
  };
  const planned = pass(lookup(true));
  if (requests.size === 0) return { result: planned, timed: 0, untimed: 0, spentMs: 0 };
  const t0 = performance.now(), deadline = t0 + budgetMs;
  const { path, entries } = diskEntries();
  let timed = 0, wrote = false;
  for (const r of [...requests.values()].sort((a, b) => a.cost - b.cost)) {
    const left = deadline - performance.now();
    if (left <= 0 || left < Math.min(MIN_TRIAL_MS, budgetMs)) break;
    try {
      const v = withDeadline(deadline, r.run);
      known.set(r.key, v);
      timedNow.add(r.key);
      timed++;
      if (v !== null && typeof v === 'object') {
        entries.delete(r.key);
        entries.set(r.key, v as StoredTiming);
        noteMeasured(r.key);
        wrote = true;
      }
    } catch (e) {
      // Abandoned at the deadline: left for the next report. Anything else the measurer already turned into null.
      if (!(e instanceof OutOfBudget)) throw e;
    }
  }
  const spentMs = performance.now() - t0;
  if (wrote && path) writeTimings(path, entries);
  // Nothing new is known: the final pass would give the plan's answers again (one pass took 0.3–1.1 s at load 10).
  if (timed === 0) return { result: planned, timed, untimed: requests.size, spentMs };
  return { result: pass(lookup(false)), timed, untimed: requests.size - timed, spentMs };
}
