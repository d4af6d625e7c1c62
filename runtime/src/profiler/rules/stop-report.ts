/**
 * Whether the report being built is the one of a run the user stopped (Ctrl-C to `corepy profile`, Stop
 * in VS Code: a SIGINT/SIGTERM or the launcher's stop file, profiler/ipc.ts). Its user is waiting on the
 * process to end, and the rules' trials (timing-budget.ts) took most of that wait: about 2.0 s of a
 * 3.6–3.7 s stop at load 8–11 (CPU profile of the child: one trial, abandoned at the 1 980 ms budget). So
 * such a report times nothing by default and uses the figures already on this machine (the per-machine
 * file); a rule whose figure is missing says it was not timed because the run was stopped (types.ts
 * `untimedFields`). A run that ends by itself keeps the full budget. Set once: the process is ending.
 */

let stopped = false;

/** Marks this process's reports from now on as those of a stopped run (the process is ending). */
export function markStoppedRun(): void {
  stopped = true;
}

/** True once {@link markStoppedRun} was called. */
export function isStoppedRun(): boolean {
  return stopped;
}

/** Forgets {@link markStoppedRun} (tests). */
export function resetStoppedRun(): void {
  stopped = false;
}

/**
 * Timing budget of a stopped run's report, ms: COREPY_STOP_RULE_BUDGET_MS (≥ 0), else 0 (figures already
 * timed on this machine only).
 */
export function stopBudgetMs(env: Readonly<Record<string, string | undefined>> = process.env): number {
  const raw = env['COREPY_STOP_RULE_BUDGET_MS'];
  const v = raw === undefined || raw.trim() === '' ? NaN : Number(raw);
  return Number.isFinite(v) && v >= 0 ? v : 0;
}
