/**
 * Names that cross a process or world boundary as plain strings: backends (`COREPY_BACKEND`, the
 * launch configuration's `backend`), call-site modes (`COREPY_CALL_SITES`) and the element ids of
 * the self-contained HTML report. No imports.
 */

/** Every backend name. `js` is the reference every other backend is tested against. */
export const BACKENDS = ['js', 'wasm', 'webgpu'] as const;

/** A registered compute backend. */
export type BackendName = (typeof BACKENDS)[number];

/**
 * How call sites are captured. `all`: a V8 stack per op (exact, microseconds each). `sampled`
 * (default): the first 32 calls of each op name exactly, then one capture per `sampleEvery`
 * calls on average (randomised period; the period doubles, up to 16×, while an op's captures keep
 * finding the same line), each call in between attributed to its op's most recently captured
 * site — or, for an op found at several lines, to the line its captures found after the same
 * previous op's line (a loop's lines each get their own calls) — per-line counts and times stay
 * complete (they sum to the op totals) and are estimates only beyond those first calls. `off`: no
 * call sites.
 */
export const CALL_SITE_MODES = ['all', 'sampled', 'off'] as const;

/** One of {@link CALL_SITE_MODES}. */
export type CallSiteMode = (typeof CALL_SITE_MODES)[number];

/**
 * How a report's per-line figures were obtained (`ProfileReport.callSiteMode`): `exact` when the profiled
 * launch numbered every recorded call at load (static call sites: no capture was needed, whatever the option
 * said), else the capture option ({@link CALL_SITE_MODES}) the calls not numbered at load were recorded with.
 */
export type ReportedCallSiteMode = CallSiteMode | 'exact';

/** `sampled` mode: calls of each op name whose call site is always captured (the recorder implements it; reports quote it). */
export const SAMPLE_FIRST = 32;

/**
 * Held memory per line (profiler/held.ts): a line's first HELD_EXACT results are counted one by
 * one, later ones sampled (one per random hold of mean HELD_PERIOD results, counted for its hold),
 * so a held count beyond HELD_EXACT results is an estimate; views show it with "≈".
 */
export const HELD_EXACT = 32;
/** See {@link HELD_EXACT}. */
export const HELD_PERIOD = 16;
/**
 * Fewest results a line must still hold for the reports and the editor to list it under memory, and
 * for the undisposed-tensors rule to consider it: a script's few live tensors at its end are not a leak.
 */
export const HELD_LISTED = 100;
/** `sampled` mode: longest mean sampling period of an op whose line does not change, as a multiple of `sampleEvery`. */
export const MAX_PERIOD_FACTOR = 16;

/**
 * User call stacks (any call-site mode but `off`) are sampled per call site: the first
 * STACK_FIRST ops at each line capture their stack, later ones after random holds paced so that
 * capture time stays within STACK_BUDGET (a fraction) of the recording's time, plus a one-time
 * allowance of STACK_ALLOWANCE_MS that accrues at STACK_ALLOWANCE_RATE of it (a short script's
 * lines are sampled densely; a long run's captures tend to STACK_BUDGET). Ops in between take
 * the stack their line was last captured with in their own context node, or where its callers
 * take turns its recent captures in turn (profiler/context-stacks.ts). The recorder implements
 * it; reports and docs quote it.
 */
export const STACK_FIRST = 8;
export const STACK_BUDGET = 0.002;
export const STACK_ALLOWANCE_MS = 5;
export const STACK_ALLOWANCE_RATE = 0.02;
/**
 * Paced capture time past this many times the budget (2× for a line whose callers take turns): the
 * recorder's caps on holds between captures widen, and only a bound in run time keeps a line's
 * later caller seen; the report's Call stacks line says so.
 */
export const STACK_HOLD_SLACK = 4;

/**
 * Element ids of the self-contained HTML report: runtime/src/export/html.ts writes them,
 * webview/src/main-standalone.ts reads them.
 */
export const HTML_REPORT_IDS = {
  /** `<script type="application/json">` holding the {@link FlameProfile}. */
  profile: 'corepy-profile',
  /** The same for the compare (baseline) profile; absent when there is none. */
  compare: 'corepy-compare',
} as const;
