/**
 * Baselines: per-op and per-context statistics of a report, and a noise-aware comparison.
 * A difference counts only when it exceeds both the relative `tolerance` and three standard
 * errors of the difference of means, sqrt(sd_b²/n_b + sd_c²/n_c), computed from the recorded
 * spreads — so a noisy op needs a larger change before it is called a regression.
 *
 * Ops are judged on their steady calls (each op × input shapes' first call left out) when both
 * sides have two or more: a first call carries one-time work whose time varies run to run, and
 * one slow first call among fifty made the spread hide an 11× change. Where both sides have the
 * steady calls' median and MAD (every call retained), those: the scheduler delaying a few calls
 * by milliseconds (a busy CI machine) moves a mean and standard deviation, not a median; the
 * median's standard error is taken as 1.2533 · 1.4826 · MAD / √n (normal data). Contexts likewise, on the median
 * and MAD of all their entries where both sides have them (every span retained): one entry stalled by 250 ms among
 * twenty of 9 ms let a 4.5× slower context pass on means (audit 24 N5). An op or context with a single call
 * on a side has no spread to judge by, and one call's time varied up to ~9× between identical runs
 * (runtime/BENCHMARKS.md, "Baselines"), so there only a change beyond SINGLE_CALL_FACTOR counts; an op judged so
 * fails the comparison only when its change also moves the run's op time (all ops, the larger of the two runs')
 * by more than the tolerance, else it is a warning (`singleCallWarnings`).
 *
 * Op and context names are chosen by users (`constructor` or `__proto__` are possible), so they
 * are only ever looked up as own properties, never through Object.prototype. Reading and writing
 * baseline files is baseline-file.ts: this file has no I/O, so the extension bundles it as is.
 */
import type { ProfileReport } from './report.js';
import { EXPORTER } from './version.js';

/** Version of the baseline file's shape. */
export const BASELINE_SCHEMA_VERSION = 1;

/** Statistics of one op or context in a baseline. Times in ms. */
export interface BaselineEntry {
  readonly count: number;
  readonly meanMs: number;
  readonly stddevMs: number;
  readonly totalMs: number;
  /**
   * Ops only, when two or more calls were steady (not their op × input shapes' first): their count,
   * mean and population standard deviation, ms. Absent for contexts and in files from before them.
   */
  readonly steadyCount?: number;
  readonly steadyMeanMs?: number;
  readonly steadyStddevMs?: number;
  /** Ops only, with the steady figures when every call was retained: the steady calls' median and median absolute deviation, ms. */
  readonly steadyMedianMs?: number;
  readonly steadyMadMs?: number;
  /** Ops only: the fastest call, ms (absent in files from before it). */
  readonly minMs?: number;
  /**
   * Contexts only, entered twice or more with every entry retained: the median and median absolute deviation of
   * the entries' wall times, ms (absent in files from before them: those contexts compare on means).
   */
  readonly medianMs?: number;
  readonly madMs?: number;
}

/**
 * Ratio a time must change by before a comparison with one call on a side calls it a regression
 * (slower by more than this) or an improvement (faster by more than this). One call of an op in
 * ten fresh runs of the same script varied by up to 8.9× (a 10 µs read; 2.1–3.8× for cast, add,
 * sum, randn): runtime/BENCHMARKS.md, "Baselines".
 */
export const SINGLE_CALL_FACTOR = 10;

/**
 * Tolerance suggested on a machine with more runnable threads than cores: at load 5–7 on 2 cores an
 * unchanged script's fastest calls moved 1.11–1.46× between runs (runtime/BENCHMARKS.md, "Baselines"),
 * and with 0.5 six comparisons of it passed while a 10× larger input was still flagged.
 */
export const BUSY_TOLERANCE = 0.5;

/** A saved baseline file. */
export interface Baseline {
  readonly schemaVersion: typeof BASELINE_SCHEMA_VERSION;
  readonly kind: 'corepy-baseline';
  readonly exporter: string;
  readonly createdAt: string;
  readonly ops: Record<string, BaselineEntry>;
  readonly contexts: Record<string, BaselineEntry>;
  /** The machine when the baseline was saved (absent where the platform does not say: browsers, Windows' load average). */
  readonly machine?: MachineLoad;
}

/** How busy the machine was: logical cores and the 1-minute load average (runnable threads). */
export interface MachineLoad {
  readonly cores: number;
  readonly loadAverage: number;
}

/** One significant difference. */
export interface BaselineFinding {
  readonly kind: 'op' | 'context';
  readonly name: string;
  /**
   * The figures compared, ms: for an op the steady median where both sides have one, else the steady mean, else the
   * mean of all calls; for a context the median of its entries where both sides have one, else their mean.
   */
  readonly baselineMeanMs: number;
  readonly currentMeanMs: number;
  /** current / baseline. */
  readonly ratio: number;
  /** The difference had to exceed this, ms. */
  readonly thresholdMs: number;
  /** Human-readable evidence with the figures used. */
  readonly evidence: string;
}

/** `compareToBaseline` result. */
export interface BaselineComparison {
  /** True when nothing regressed. */
  readonly ok: boolean;
  readonly regressions: BaselineFinding[];
  readonly improvements: BaselineFinding[];
  /** Entries compared without a significant difference. */
  readonly unchanged: number;
  /** In the baseline but not recorded now, and the reverse. */
  readonly missing: string[];
  readonly added: string[];
  /**
   * `kind:name` of entries with a single call on a side (or, for ops, fewer than two calls that were not their input
   * shape's first), judged only on a change beyond `singleCallFactor`
   * (SINGLE_CALL_FACTOR, or BUSY_SINGLE_CALL_FACTOR with more runnable threads than cores now or when the baseline was
   * saved; `loadNote` then says so).
   */
  readonly singleCall: string[];
  /** The change (×) an entry with one call on a side needed to count: 10, or 50 on a busy machine (see `singleCall`). */
  readonly singleCallFactor: number;
  /**
   * `op:name` of ops whose typical calls moved past the threshold while their fastest call did not (by more than the
   * tolerance): other work on the machine slowing (or no longer slowing) calls, not the op; counted as unchanged.
   */
  readonly fastestUnchanged: string[];
  /**
   * `kind:name` of entries whose time per call moved past the threshold but whose time over their calls moved by less
   * than `minChangeMs` (MIN_CHANGE_MS): counted as unchanged.
   */
  readonly belowMinChange: string[];
  /**
   * Ops judged on one call (or first calls only) on a side whose change passed `singleCallFactor` but moved the run's
   * op time (the larger of the baseline's and now, all ops) by no more than the tolerance: one sample cannot tell a
   * change from the scheduler stalling that call (an unchanged script's one `randn` call read 0.78 ms, then 52 ms,
   * at load 13 on 2 cores; audit 24 N4), and a change that small does not move the run past the tolerance. Counted
   * unchanged; each finding's `evidence` says what moved and why it did not count.
   */
  readonly singleCallWarnings: BaselineFinding[];
  /**
   * Contexts counted unchanged whose mean entry moved by more than the tolerance: judged within noise (the median of
   * their entries did not move past the threshold, or — files without medians — the means' difference was within
   * three standard errors). `evidence` gives both figures. Single-entry contexts are in `singleCall` instead.
   */
  readonly withinNoise: BaselineFinding[];
  /**
   * Set when the machine was busier (or quieter) by at least half a runnable thread per core than when the baseline
   * was saved (other work slows every op alike, which no run's own spread shows), or when it has more runnable
   * threads than cores now and the tolerance is under BUSY_TOLERANCE.
   */
  readonly loadNote?: string;
}

/** Told about every `compareToBaseline` result (OpenTelemetry: a span with events and a counter); null when none. */
export type ComparisonObserver = (c: BaselineComparison) => void;
let comparisonObserver: ComparisonObserver | null = null;

/** @internal Installs (or, with null, removes) the observer of baseline comparisons. */
export function setComparisonObserver(o: ComparisonObserver | null): void {
  comparisonObserver = o;
}

/** @internal Tells the observer, if any, about a comparison the user asked for. */
export function notifyComparison(c: BaselineComparison): void {
  if (comparisonObserver !== null) comparisonObserver(c);
}

/** The baseline of a report. */
export function baselineOf(r: ProfileReport, machine?: MachineLoad): Baseline {
  // Object.fromEntries defines own properties: a name such as `__proto__` stays a key (assignment
  // would set the prototype and lose the entry).
  const ops: Record<string, BaselineEntry> = Object.fromEntries(r.operations.map((o) => {
    const steadyCount = o.count - o.firstCallCount;
    const medians = o.steadyMedianMs !== undefined && o.steadyMadMs !== undefined ? { steadyMedianMs: o.steadyMedianMs, steadyMadMs: o.steadyMadMs } : {};
    const steady = o.steadyMeanMs !== null && o.steadyStddevMs !== undefined && o.steadyStddevMs !== null && steadyCount >= 2
      ? { steadyCount, steadyMeanMs: o.steadyMeanMs, steadyStddevMs: o.steadyStddevMs, ...medians } : {};
    return [o.op, { count: o.count, meanMs: o.meanMs, stddevMs: o.stddevMs, totalMs: o.totalMs, ...steady, ...(o.count > 0 ? { minMs: o.minMs } : {}) }];
  }));
  const contexts: Record<string, BaselineEntry> = Object.fromEntries(Object.entries(r.contexts).map(([name, c]) =>
    [name, { count: c.count, meanMs: c.meanMs, stddevMs: c.stddevMs, totalMs: c.totalTimeMs,
      ...(c.count >= 2 && c.medianMs !== undefined && c.madMs !== undefined ? { medianMs: c.medianMs, madMs: c.madMs } : {}) }]));
  return { schemaVersion: BASELINE_SCHEMA_VERSION, kind: 'corepy-baseline', exporter: EXPORTER, createdAt: new Date().toISOString(), ops, contexts, ...(machine ? { machine } : {}) };
}

/**
 * The figures one entry is judged by: count, centre (mean or median) and the spread whose
 * standard error over n calls is sd / √n, ms.
 */
interface Sample { readonly n: number; readonly mean: number; readonly sd: number }
/**
 * Least change in an entry's time over its calls (|current − baseline time per call| × current calls), ms, before a
 * comparison calls it a regression or an improvement (`minChangeMs`, CLI `--min-change`). Ops of a few µs called a
 * few times are at the machine's mercy: a script of five 64² matmul/add/mul/sum/read rounds, profiled ten times at
 * load 3–7 on 2 cores, moved each such op's fastest call 2.1–4.9× and its steady median 4.4–18× between identical
 * runs, while their totals moved by at most 0.7 ms (matmul 1.1 ms); runtime/BENCHMARKS.md, "Baselines". A change
 * that small is not what a regression gate is for; a µs op in a hot loop adds up past it.
 */
export const MIN_CHANGE_MS = 1;

/**
 * {@link SINGLE_CALL_FACTOR} on a machine with more runnable threads than cores (now, or when the baseline was
 * saved): there one call's time moved 33.6× between identical runs (`randn` of 64² called once, 0.48–16.15 ms over
 * seven runs at load 3–6 on 2 cores; a newcomer audit, session 11), so a single call counts only beyond 50×.
 */
export const BUSY_SINGLE_CALL_FACTOR = 50;

/**
 * Least change, ms, in a single-call entry's time before it counts on a machine with more runnable threads than
 * cores: there the scheduler stalls any one call by up to tens of ms — an unchanged script's one-call `add`, `relu`,
 * `mul` of 17–100 µs read 21–46 ms (300–2700×) in 3 of 5 comparisons at load 5.5 on 2 cores (audit 18), beyond any
 * factor. One call that slows by less than this on such a machine cannot be told from a stall.
 */
export const BUSY_SINGLE_CALL_MIN_MS = 50;

/** Steady medians, steady means, medians of a context's entries, or the means of all calls. */
type Basis = 'median' | 'steady' | 'entries' | 'all';

/** Median's standard error over the mean's for normal data (√(π/2)), and MAD to standard deviation (1 / Φ⁻¹(3/4)). */
const MEDIAN_SE = 1.2533, MAD_TO_SD = 1.4826;

/**
 * Steady medians when both sides have them, else steady means when both have two or more steady calls; a context's
 * entries' medians when both sides have them; else all calls.
 */
function samplesOf(b: BaselineEntry, c: BaselineEntry): { base: Sample; now: Sample; basis: Basis } {
  const steadyN = (e: BaselineEntry): number | null => (e.steadyCount !== undefined && e.steadyCount >= 2 ? e.steadyCount : null);
  const median = (e: BaselineEntry): Sample | null => {
    const n = steadyN(e);
    return n !== null && e.steadyMedianMs !== undefined && e.steadyMadMs !== undefined ? { n, mean: e.steadyMedianMs, sd: MEDIAN_SE * MAD_TO_SD * e.steadyMadMs } : null;
  };
  const steady = (e: BaselineEntry): Sample | null => {
    const n = steadyN(e);
    return n !== null && e.steadyMeanMs !== undefined && e.steadyStddevMs !== undefined ? { n, mean: e.steadyMeanMs, sd: e.steadyStddevMs } : null;
  };
  const mb = median(b), mc = median(c);
  if (mb !== null && mc !== null) return { base: mb, now: mc, basis: 'median' };
  const sb = steady(b), sc = steady(c);
  if (sb !== null && sc !== null) return { base: sb, now: sc, basis: 'steady' };
  const entries = (e: BaselineEntry): Sample | null => (e.count >= 2 && e.medianMs !== undefined && e.madMs !== undefined
    ? { n: e.count, mean: e.medianMs, sd: MEDIAN_SE * MAD_TO_SD * e.madMs } : null);
  const eb = entries(b), ec = entries(c);
  if (eb !== null && ec !== null) return { base: eb, now: ec, basis: 'entries' };
  return { base: { n: b.count, mean: b.meanMs, sd: b.stddevMs }, now: { n: c.count, mean: c.meanMs, sd: c.stddevMs }, basis: 'all' };
}

type Out = {
  regressions: BaselineFinding[]; improvements: BaselineFinding[]; unchanged: number; missing: string[]; added: string[]; singleCall: string[];
  fastestUnchanged: string[]; belowMinChange: string[]; singleCallWarnings: BaselineFinding[]; withinNoise: BaselineFinding[];
};

/** `runOpMs`: the run's op time, ms (the larger of the baseline's and now, all ops), which a one-call op must move. */
function compareEntries(kind: 'op' | 'context', base: Record<string, BaselineEntry>, now: Record<string, BaselineEntry>, tolerance: number, minChangeMs: number, busy: boolean,
  runOpMs: number, out: Out): void {
  for (const [name, b] of Object.entries(base)) {
    // Own properties only: `now.constructor` would otherwise be Object's constructor function.
    const c = Object.hasOwn(now, name) ? now[name] : undefined;
    if (!c) { out.missing.push(`${kind}:${name}`); continue; }
    const { base: sb, now: sc, basis } = samplesOf(b, c);
    const delta = sc.mean - sb.mean;
    // An op with fewer than two steady calls on a side is judged on its first calls (one per input shape), whose
    // one-time work varies like a single call's: two `randn` calls of two shapes moved 10–16× between identical runs
    // at load 4–7 (audit 17). Files that say so have `minMs` without the steady figures; older files have neither.
    const firstCallsOnly = kind === 'op' && basis === 'all' && [b, c].some((e) => e.minMs !== undefined && e.steadyCount === undefined);
    const single = sb.n < 2 || sc.n < 2 || firstCallsOnly;
    let threshold: number, rule: string;
    if (single) {
      // Slower by more than the factor, or faster by more than it: the threshold on the side the change is on.
      const factor = busy ? BUSY_SINGLE_CALL_FACTOR : SINGLE_CALL_FACTOR;
      threshold = Math.max(tolerance * sb.mean, delta >= 0 ? (factor - 1) * sb.mean : sb.mean * (1 - 1 / factor));
      const what = sb.n < 2 || sc.n < 2 ? 'one call on a side has no spread to judge noise by, and one call\'s time'
        : 'fewer than two calls on a side were not an input shape\'s first, and a first call\'s time (one-time work included)';
      rule = `${what} varies ${busy ? 'tens of times on a machine this busy' : 'several-fold'} ` +
        `between identical runs, so only a change beyond ${factor}× counts`;
      out.singleCall.push(`${kind}:${name}`);
    } else {
      threshold = Math.max(tolerance * sb.mean, 3 * Math.sqrt(sb.sd ** 2 / sb.n + sc.sd ** 2 / sc.n));
      rule = `max of ${(tolerance * 100).toFixed(0)}% and 3 standard errors`;
    }
    const centre = basis === 'median' ? 'steady median' : basis === 'steady' ? 'steady mean' : basis === 'entries' ? 'median' : 'mean';
    // A median's spread is shown as the MAD it came from.
    const spread = (x: Sample, e: BaselineEntry): string => (basis === 'median' ? `MAD ${e.steadyMadMs!.toFixed(4)}` : basis === 'entries' ? `MAD ${e.madMs!.toFixed(4)}` : `sd ${x.sd.toFixed(4)}`);
    const body = `${centre} ${sc.mean.toFixed(4)} ms (n=${sc.n}, ${spread(sc, c)}) vs baseline ${sb.mean.toFixed(4)} ms ` +
      `(n=${sb.n}, ${spread(sb, b)})${basis === 'median' || basis === 'steady' ? ', first call per input shape left out' : basis === 'entries' ? ' of all entries' : ''}; ` +
      `difference ${delta.toFixed(4)} ms, threshold ${threshold.toFixed(4)} ms (${rule})`;
    const f: BaselineFinding = {
      kind, name, baselineMeanMs: sb.mean, currentMeanMs: sc.mean, ratio: sb.mean > 0 ? sc.mean / sb.mean : Infinity, thresholdMs: threshold,
      evidence: `${kind} '${name}': ${body}`,
    };
    // With two or more calls a side, an op's fastest call must move too: on a busy machine the scheduler and other
    // jobs slow most calls of a run alike (the median of a 1e5-element mul moved 2.2× between identical runs at load
    // 4.7 on 2 cores) while its fastest call, one that ran undisturbed, stays.
    const fastest = !single && b.minMs !== undefined && c.minMs !== undefined && b.minMs > 0 ? c.minMs / b.minMs : null;
    const withFastest = (x: BaselineFinding): BaselineFinding => (fastest === null ? x
      : { ...x, evidence: `${x.evidence}; fastest call ${c.minMs!.toFixed(4)} ms vs ${b.minMs!.toFixed(4)} ms (${fastest.toFixed(2)}×)` });
    // `minChangeMs: 0` judges every change, as documented: the busy machine's floor is not forced on it.
    const leastChangeMs = single && busy && minChangeMs > 0 ? Math.max(minChangeMs, BUSY_SINGLE_CALL_MIN_MS) : minChangeMs;
    // A one-call op past the factor counts only when its change moves the run's op time by more than the tolerance.
    const runShareMs = tolerance * runOpMs;
    if (Math.abs(delta) > threshold && Math.abs(delta) * c.count < leastChangeMs) { out.belowMinChange.push(`${kind}:${name}`); out.unchanged++; }
    else if (single && kind === 'op' && Math.abs(delta) > threshold && Math.abs(delta) * c.count <= runShareMs) {
      out.singleCallWarnings.push({
        ...f, evidence: `${f.evidence}; not counted: ${c.count === 1 ? 'that call' : `its ${c.count} calls`} moved the run's op time by ` +
          `${(Math.abs(delta) * c.count).toFixed(1)} ms, not more than ${(tolerance * 100).toFixed(0)}% of it (${runOpMs.toFixed(1)} ms, the larger of the ` +
          `baseline's and now): one call is one sample, which the scheduler alone moves by tens of ms on a busy machine`,
      });
      out.unchanged++;
    } else if (delta > threshold) {
      if (fastest === null || fastest > 1 + tolerance) out.regressions.push(withFastest(f));
      else { out.fastestUnchanged.push(`${kind}:${name}`); out.unchanged++; }
    } else if (-delta > threshold) {
      if (fastest === null || fastest < 1 / (1 + tolerance)) out.improvements.push(withFastest(f));
      else { out.fastestUnchanged.push(`${kind}:${name}`); out.unchanged++; }
    } else {
      out.unchanged++;
      // A context whose mean entry moved past the tolerance but was judged within noise: named, with both figures.
      const meanRatio = b.meanMs > 0 ? c.meanMs / b.meanMs : null;
      if (kind === 'context' && !single && meanRatio !== null && Math.abs(c.meanMs - b.meanMs) > tolerance * b.meanMs) {
        out.withinNoise.push({
          ...f, evidence: `${kind} '${name}': mean ${c.meanMs.toFixed(4)} ms (sd ${c.stddevMs.toFixed(4)}) vs baseline ${b.meanMs.toFixed(4)} ms ` +
            `(sd ${b.stddevMs.toFixed(4)}), ${meanRatio.toFixed(2)}×, beyond the tolerance, but judged within noise on ${body}` +
            (basis === 'entries' ? ' — a few slow entries (the scheduler) move a mean, not a median'
              : b.medianMs === undefined ? ' — the baseline has no median of the entries (saved by an older corepy): re-save it to judge contexts on medians'
                : ' — this run did not keep every entry\'s span (the span ring overwrote some), so the means were compared'),
        });
      }
    }
  }
  for (const name of Object.keys(now)) if (!Object.hasOwn(base, name)) out.added.push(`${kind}:${name}`);
}

/**
 * Compares a report with a baseline. `tolerance` is the relative change ignored as noise (default 0.1 = 10 %);
 * `machine`, the machine's load now, adds `loadNote` when it differs from the baseline's by half a runnable thread per
 * core, or exceeds one per core with a tolerance under BUSY_TOLERANCE; `minChangeMs` (ms, default MIN_CHANGE_MS) is the
 * least change in an entry's time over its calls that counts.
 */
export function compareBaseline(base: Baseline, r: ProfileReport, tolerance = 0.1, machine?: MachineLoad, minChangeMs = MIN_CHANGE_MS): BaselineComparison {
  if (!(tolerance >= 0)) throw new RangeError(`compareToBaseline: tolerance must be ≥ 0, got ${tolerance}`);
  if (!(minChangeMs >= 0)) throw new RangeError(`compareToBaseline: minChangeMs must be ≥ 0 (ms), got ${minChangeMs}`);
  const now = baselineOf(r);
  const out: Out = {
    regressions: [], improvements: [], unchanged: 0, missing: [], added: [], singleCall: [], fastestUnchanged: [], belowMinChange: [], singleCallWarnings: [], withinNoise: [],
  };
  const then = base.machine;
  const perCore = (m: MachineLoad): number => m.loadAverage / m.cores;
  const busy = (machine !== undefined && perCore(machine) >= 1) || (then !== undefined && perCore(then) >= 1);
  const opMs = (ops: Record<string, BaselineEntry>): number => Object.values(ops).reduce((t, e) => t + e.totalMs, 0);
  const runOpMs = Math.max(opMs(base.ops), opMs(now.ops));
  compareEntries('op', base.ops, now.ops, tolerance, minChangeMs, busy, runOpMs, out);
  compareEntries('context', base.contexts, now.contexts, tolerance, minChangeMs, busy, runOpMs, out);
  const notes: string[] = [];
  if (machine && then && Math.abs(perCore(machine) - perCore(then)) >= 0.5) {
    notes.push(`load average ${machine.loadAverage.toFixed(1)} now against ${then.loadAverage.toFixed(1)} when the baseline was saved ` +
      `(${machine.cores} cores${then.cores !== machine.cores ? ` now, ${then.cores} then` : ''}): other work on the machine slows every op alike, ` +
      'which neither run\'s spread shows — compare runs made under the same load');
  }
  if (machine && perCore(machine) >= 1 && tolerance < BUSY_TOLERANCE) {
    notes.push(`more runnable threads than cores now (load average ${machine.loadAverage.toFixed(1)}, ${machine.cores} cores): even an op's fastest ` +
      `call moves by tens of percent between identical runs on such a machine, more than a tolerance of ${tolerance} allows — ` +
      `use a tolerance of ${BUSY_TOLERANCE} (--tolerance ${BUSY_TOLERANCE}) or a quieter machine`);
  }
  if (busy && out.singleCall.length > 0) {
    notes.push(`entries with one call on a side were judged only on a change beyond ${BUSY_SINGLE_CALL_FACTOR}× and ${BUSY_SINGLE_CALL_MIN_MS} ms: with more runnable threads than cores ` +
      `${then !== undefined && perCore(then) >= 1 && !(machine !== undefined && perCore(machine) >= 1) ? 'when the baseline was saved' : 'now'}, ` +
      'one call\'s time moved up to 33× between identical runs, and the scheduler stalled single calls by tens of ms');
  }
  const loadNote = notes.length > 0 ? notes.join('; ') : undefined;
  return { ok: out.regressions.length === 0, ...out, singleCallFactor: busy ? BUSY_SINGLE_CALL_FACTOR : SINGLE_CALL_FACTOR, ...(loadNote ? { loadNote } : {}) };
}
