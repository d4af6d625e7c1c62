#!/usr/bin/env node
/**
 * `corepy` command line. `corepy profile <script>` runs a script in a child Node with the profiler
 * preloaded (profiler/autostart; TypeScript through tsx),
 * receives the report over IPC, prints it, writes an export, and compares with a baseline. Exit
 * status: the script's own when it failed (the partial report is still printed), 1 on a baseline
 * regression, 2 on bad usage. A script killed before its final report (SIGKILL, a signal during a
 * long synchronous loop) still gets a report, from its last streamed batch, marked PARTIAL, which
 * says that its figures stop at that batch (cli-partial.ts).
 */
import { fork } from 'node:child_process';
import { accessSync, constants as fsConstants, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import { constants, tmpdir } from 'node:os';
import { Command, InvalidArgumentError, Option } from 'commander';
import { stopAskedText, stopWaitingText } from './cli-stop-text.js';
import { killAfterGrace, profiledNodeArgs, type PendingKill } from './launch.js';
import { EXPORT_FORMATS as FORMATS, FORMATS as EXPORT_REGISTRY, exportFileName, formatFromPath, writeExport, type ExportFormat } from './export/index.js';
import { compareBaseline, MIN_CHANGE_MS, SINGLE_CALL_FACTOR } from './profiler/baseline.js';
import { machineLoad, readBaseline, writeBaseline } from './profiler/baseline-file.js';
import { renderMarkdown, renderText } from './profiler/format-text.js';
import type { FlameProfile } from './contract/flame.js';
import { REPORT_FILE_ENV, STOP_FILE_ENV, STOP_REPORT_MAX_MS, type ProfileBatchMessage, type ProfileIpcMessage } from './contract/ipc.js';
import type { ProfileReport } from './contract/report.js';
import { BACKENDS, CALL_SITE_MODES, type CallSiteMode } from './contract/names.js';
import { emptyFlame, reportFromBatch } from './profiler/batch-report.js';
import { lastBatchMissing, partialFigures } from './cli-partial.js';
import { runOutcome } from './cli-outcome.js';
import { VERSION } from './profiler/version.js';

const fromSource = import.meta.url.endsWith('.ts');
/** The export file names `--out` may have, for messages and help. */
const EXTENSIONS = EXPORT_REGISTRY.flatMap((f) => f.extensions.map((e) => `.${e}`));
/** What `profile` runs: JavaScript as is, TypeScript (and TSX) through tsx. */
const SCRIPT_EXTENSIONS: readonly string[] = ['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts', '.tsx'];

interface ProfileOptions { format?: string; json?: boolean; out?: string; backend?: string; baseline?: string; saveBaseline?: string; callSites?: string; sampleEvery?: number; tolerance?: number; minChange?: number }

/** How long a forwarded SIGINT/SIGTERM may take to produce the script's report before SIGKILL, ms. */
const SIGNAL_GRACE_MS = 5000;

/** What a run left: the final report (from the report file or IPC), else the last streamed batch. */
interface RunResult {
  readonly code: number;
  readonly signal: NodeJS.Signals | null;
  readonly report: ProfileReport | null;
  readonly flame: FlameProfile | null;
  readonly lastBatch: ProfileBatchMessage | null;
  /** Time from the last batch's arrival to the script's end, ms (null: no batch came). */
  readonly lastBatchAgoMs: number | null;
  /** The signal the CLI forwarded to stop the script (Ctrl-C), if it did. */
  readonly stoppedBy: NodeJS.Signals | null;
  /** What the runtime printed for the uncaught error the script ended by, if any (ProfileReportMessage `uncaught`). */
  readonly uncaught: string | undefined;
}

/**
 * Runs the script in a profiled child. The child writes its final report to a file in a fresh
 * temporary folder (COREPY_PROFILE_REPORT_FILE, synchronous, so `process.exit()` in the script
 * cannot lose it) and streams batches over IPC; the newest batch is kept in case no report
 * comes. SIGINT/SIGTERM to the CLI (Ctrl-C) are forwarded to the child, which writes its report
 * and exits (a script busy in synchronous JavaScript is interrupted to do so: stop-watcher.ts); if it
 * has not exited within {@link SIGNAL_GRACE_MS} and is not writing its report (contract
 * stopAckFile; then up to STOP_REPORT_MAX_MS), or a second signal arrives, it is killed, so the
 * CLI never leaves it running.
 */
function runScript(script: string, args: string[], o: ProfileOptions): Promise<RunResult> {
  const ts = /\.[cm]?tsx?$/.test(script);
  const tmp = mkdtempSync(join(tmpdir(), 'corepy-run-'));
  const reportFile = join(tmp, 'report.json'), stopFile = join(tmp, 'stop');
  // TypeScript through tsx (a dependency of corepy) on every Node: see launch.ts, ProfiledNodeOptions.tsx.
  // Run from source, autostart.ts itself needs tsx.
  const { execArgs: execArgv, env } = profiledNodeArgs({
    autostart: new URL(`./profiler/autostart.${fromSource ? 'ts' : 'js'}`, import.meta.url).href,
    tsx: ts || fromSource ? import.meta.resolve('tsx') : null,
    baseEnv: process.env,
    keepNodeOptions: true, // the user's shell set it
    env: { [REPORT_FILE_ENV]: reportFile, [STOP_FILE_ENV]: stopFile },
    backend: o.backend,
    callSites: o.callSites as CallSiteMode | undefined,
    sampleEvery: o.sampleEvery,
  });
  return new Promise((done) => {
    const child = fork(script, args, { execArgv, env, stdio: ['inherit', 'inherit', 'inherit', 'ipc'] });
    let report: ProfileReport | null = null, flame: FlameProfile | null = null, lastBatch: ProfileBatchMessage | null = null, lastBatchAt = 0;
    let uncaught: string | undefined;
    const take = (m: ProfileIpcMessage): void => {
      if (m && m.type === 'corepyReport') { report = m.report; flame = m.flame; uncaught = m.uncaught; }
      if (m && m.type === 'corepyProfile') { lastBatch = m; lastBatchAt = performance.now(); }
    };
    child.on('message', take);
    let signals = 0, pendingKill: PendingKill | undefined, stoppedBy: NodeJS.Signals | null = null;
    const forward = (sig: NodeJS.Signals): void => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      if (signals++ > 0) { child.kill('SIGKILL'); return; }
      stoppedBy = sig;
      process.stderr.write(`\n${stopAskedText(sig, SIGNAL_GRACE_MS, STOP_REPORT_MAX_MS)}\n`);
      // The signal, for a script whose event loop runs; the file, for one inside a synchronous loop of ops.
      try { writeFileSync(stopFile, sig); } catch { /* the signal still goes */ }
      child.kill(sig);
      pendingKill = killAfterGrace({
        graceMs: SIGNAL_GRACE_MS,
        stopFile,
        exists: existsSync,
        onWaiting: () => process.stderr.write(`${stopWaitingText(SIGNAL_GRACE_MS, STOP_REPORT_MAX_MS)}\n`),
        kill: () => {
          process.stderr.write('corepy: the script did not stop; killing it\n');
          child.kill('SIGKILL');
        },
      });
    };
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    const finish = (code: number, signal: NodeJS.Signals | null): void => {
      const lastBatchAgoMs = lastBatch === null ? null : Math.max(0, performance.now() - lastBatchAt);
      pendingKill?.cancel();
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      try {
        if (!report && existsSync(reportFile)) take(JSON.parse(readFileSync(reportFile, 'utf8')) as ProfileIpcMessage);
      } catch (e) {
        process.stderr.write(`corepy: unreadable report file ${reportFile}: ${(e as Error).message}\n`);
      }
      rmSync(tmp, { recursive: true, force: true });
      done({ code, signal, report, flame, lastBatch, lastBatchAgoMs, stoppedBy, uncaught });
    };
    child.on('error', (e) => { process.stderr.write(`corepy: cannot start ${script}: ${e.message}\n`); finish(2, null); });
    child.on('exit', (code, signal) => finish(code ?? (signal ? 128 + (constants.signals[signal] ?? 15) : 1), signal));
  });
}

async function profileCommand(script: string, args: string[], o: ProfileOptions): Promise<number> {
  const path = resolve(script);
  if (!existsSync(path)) { process.stderr.write(`corepy: script not found: ${script}\n`); return 2; }
  // A file with an extension runs only as one of the script kinds (an extensionless file runs as Node would run it).
  const ext = extname(path).toLowerCase();
  if (ext !== '' && !SCRIPT_EXTENSIONS.includes(ext)) {
    process.stderr.write(`corepy: cannot run ${script}: a script is ${SCRIPT_EXTENSIONS.join(', ')} (or a file with no extension)\n`);
    return 2;
  }
  if (o.out && !o.format && formatFromPath(o.out) === null) {
    process.stderr.write(`corepy: cannot tell the export format from '${o.out}'; name it ${EXTENSIONS.join(', ')} or pass --format\n`);
    return 2;
  }
  const format = (o.format ?? (o.out ? formatFromPath(o.out)! : 'text')) as ExportFormat;
  if (!(FORMATS as readonly string[]).includes(format)) { process.stderr.write(`corepy: unknown format '${format}'; allowed: ${FORMATS.join(', ')}\n`); return 2; }
  // Where the results go must be writable before the script runs, not found out after it. JSON goes to a file
  // like the other machine formats: on standard output it followed the script's own output (`> r.json` was not JSON).
  const toStdout = !o.out && (format === 'text' || format === 'markdown');
  for (const [what, file] of [['export', toStdout ? null : o.out ?? exportFileName('corepy-profile', format)], ['baseline', o.saveBaseline ?? null]] as const) {
    const problem = file === null ? null : unwritable(file);
    if (problem !== null) { process.stderr.write(`corepy: cannot write the ${what} to ${file}: ${problem}\n`); return 2; }
  }
  const baseline = o.baseline ? (() => { try { return readBaseline(o.baseline!, `--save-baseline ${o.baseline!}`); } catch (e) { return e as Error; } })() : null;
  if (baseline instanceof Error) { process.stderr.write(`corepy: ${baseline.message}\n`); return 2; }
  const run = await runScript(path, args, o);
  const { code } = run;
  let { report, flame } = run;
  let partial = false;
  const how = run.signal ? `killed by ${run.signal}` : `exit ${code}`;
  let partialNote = '';
  if (!report || !flame) {
    // SIGKILL, out of memory, a signal it could not act on: only what the last batch held is known.
    const missing = lastBatchMissing(run.lastBatch, run.lastBatchAgoMs);
    if (missing !== null) {
      process.stderr.write(`corepy: the script ended (${how}) without sending a profile report; ${missing}\n`);
      return code || 1;
    }
    partialNote = partialFigures(run.lastBatchAgoMs);
    process.stderr.write(`corepy: the script ended (${how}) before its final report; PARTIAL report from the last streamed batch: ${partialNote} ` +
      `(per-op and per-line counts and times only; no contexts, timeline or recommendations):\n`);
    report = reportFromBatch(run.lastBatch!);
    partial = true;
    flame = emptyFlame(`${script} (partial)`);
  } else if (code !== 0) {
    // A script that failed before its first op (a missing package, a syntax error) has nothing to show: an empty
    // table around its error only buries it.
    if (report.opCount === 0 && format === 'text' && toStdout) {
      process.stderr.write(`corepy: the script failed (${how}) before any corepy op ran: nothing to report\n`);
      return code;
    }
    process.stderr.write(run.stoppedBy ? `corepy: the script stopped on ${run.stoppedBy} (${how}); report of what ran until then:\n`
      : `corepy: the script failed (${how}); partial report of what ran before:\n`);
  }
  // How the run ended, for a tool reading the export (the lines above say it on standard error).
  report = { ...report, run: runOutcome({ code, signal: run.signal, stoppedBy: run.stoppedBy, partial, uncaught: run.uncaught }) };
  if (format === 'markdown' && toStdout) process.stdout.write(renderMarkdown(report) + '\n');
  // A batch carries no overhead or call-site settings: leave out the lines that would state them.
  else if (partial) process.stdout.write(renderText(report).split('\n').filter((l) => !/^(Profiler overhead|Call sites):/.test(l)).join('\n') + '\n');
  else process.stdout.write(renderText(report) + '\n');
  // With the table, not only on standard error: a report saved with `> out.txt` says that its counts may be short too.
  if (partial && toStdout) process.stdout.write(`PARTIAL: ${partialNote}\n`);
  if (!toStdout) {
    const out = o.out ?? exportFileName('corepy-profile', format);
    try {
      writeExport(out, { report, flame }, format);
      process.stdout.write(`Wrote ${format} export to ${out}\n`);
    } catch (e) {
      process.stderr.write(`corepy: ${(e as Error).message}\n`);
      return 2;
    }
  }
  if (o.saveBaseline) {
    // A bad path is a usage error (exit 2) with one line, not an uncaught stack trace.
    try {
      writeBaseline(o.saveBaseline, report);
    } catch (e) {
      process.stderr.write(`corepy: ${(e as Error).message}\n`);
      return 2;
    }
    process.stdout.write(`Saved baseline to ${o.saveBaseline}\n`);
  }
  let status = code;
  if (baseline) {
    const cmp = compareBaseline(baseline, report, o.tolerance, machineLoad(), o.minChange);
    process.stdout.write(`\nBaseline ${o.baseline}: ${cmp.regressions.length} regression(s), ${cmp.improvements.length} improvement(s), ${cmp.unchanged} unchanged` +
      `${cmp.singleCallWarnings.length > 0 ? ` (${cmp.singleCallWarnings.length} with a warning, not counted)` : ''}\n`);
    for (const f of cmp.regressions) process.stdout.write(`  REGRESSION  ${f.evidence}\n`);
    for (const f of cmp.improvements) process.stdout.write(`  improvement ${f.evidence}\n`);
    for (const f of cmp.singleCallWarnings) process.stdout.write(`  warning     ${f.evidence}\n`);
    for (const f of cmp.withinNoise) process.stdout.write(`  within noise ${f.evidence}\n`);
    if (cmp.loadNote !== undefined) process.stdout.write(`  note: ${cmp.loadNote}\n`);
    if (cmp.fastestUnchanged.length > 0) {
      process.stdout.write(`  typical calls moved but the fastest did not (other work on the machine, counted unchanged): ${cmp.fastestUnchanged.join(', ')}\n`);
    }
    if (cmp.belowMinChange.length > 0) {
      process.stdout.write(`  moved per call but by under ${o.minChange ?? MIN_CHANGE_MS} ms over all their calls (--min-change; counted unchanged): ` +
        `${cmp.belowMinChange.join(', ')}\n`);
    }
    if (cmp.singleCall.length > 0) {
      process.stdout.write(`  one call (or only first calls) on a side, judged only on a change beyond ${cmp.singleCallFactor}× (one call's time varies ` +
        `${cmp.singleCallFactor > SINGLE_CALL_FACTOR ? 'tens of times on a machine this busy' : 'several-fold'} between runs): ${cmp.singleCall.join(', ')}\n`);
    }
    if (!cmp.ok && status === 0) status = 1;
  }
  return status;
}

/** Commander parser for a number option: finite, ≥ `min`, integer when asked; else a usage error (exit 2). */
function numberArg(what: string, min: number, integer: boolean): (value: string) => number {
  return (value) => {
    const n = value.trim() === '' ? NaN : Number(value);
    if (!Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) {
      throw new InvalidArgumentError(`${what} must be ${integer ? 'an integer' : 'a number'} ≥ ${min}, got '${value}'.`);
    }
    return n;
  };
}

/** What is wrong with writing `file` (its folder missing or read-only), or null. */
function unwritable(file: string): string | null {
  const folder = dirname(resolve(file));
  try {
    if (!statSync(folder).isDirectory()) return `${folder} is not a folder`;
    accessSync(folder, fsConstants.W_OK);
    return null;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? `the folder ${folder} does not exist` : code === 'EACCES' || code === 'EPERM' ? `the folder ${folder} is not writable` : (e as Error).message;
  }
}

const program = new Command('corepy').version(VERSION).description('corepy: a tensor runtime with a built-in profiler');
// Usage errors exit 2 (the script's own failures and regressions use other statuses).
program.exitOverride((e) => process.exit(e.exitCode === 0 ? 0 : 2));
program.command('profile')
  .description('Run a script (.js/.mjs/.cjs, or .ts/.mts/.cts/.tsx through tsx) with the profiler on, print the report, write an export')
  .argument('<script>', `script to run (${SCRIPT_EXTENSIONS.join(', ')})`)
  .argument('[args...]', 'arguments passed to the script; options meant for the script go after -- (corepy profile train.ts -- --epochs 3)')
  .addOption(new Option('-f, --format <format>', 'report/export format (default: text, or from --out\'s extension); text and markdown ' +
    'without --out go to standard output after the script\'s own output, other formats (json too) to corepy-profile.<extension> in the current folder').choices(FORMATS as unknown as string[]))
  // --json is --format json: commander's implies() sets format when --format was not given; an explicit
  // different --format is a contradiction, refused in the action (commander's conflicts() would refuse
  // `--json --format json` too).
  .addOption(new Option('--json', 'shorthand for --format json: the JSON report, written to --out or to corepy-profile.json').implies({ format: 'json' }))
  .option('-o, --out <path>', `write the export here (${EXTENSIONS.join(', ')}; another name needs --format)`)
  .addOption(new Option('-b, --backend <backend>', 'backend for new tensors').choices([...BACKENDS]))
  .option('--baseline <path>', 'compare with this baseline; exit 1 on a regression')
  .option('--save-baseline <path>', 'save this run as a baseline')
  .option('--tolerance <ratio>', 'relative change treated as noise in the baseline comparison, ≥ 0 (default 0.1)', numberArg('--tolerance', 0, false))
  .option('--min-change <ms>', 'least change in an op\'s time over all its calls that the baseline comparison counts, ms ≥ 0 (default 1)', numberArg('--min-change', 0, false))
  .addOption(new Option('--call-sites <mode>', 'call-site capture').choices([...CALL_SITE_MODES]))
  .option('--sample-every <n>', 'mean call-site sampling period in ops with --call-sites sampled, integer ≥ 1', numberArg('--sample-every', 1, true))
  .addHelpText('after', '\nExit status: the script\'s own if it failed (the partial report is still printed), 1 on a baseline regression, 2 on bad usage.\n' +
    'Examples:\n  corepy profile train.ts\n  corepy profile train.ts -- --epochs 3     (options after -- go to the script)\n' +
    '  corepy profile pipeline.js --format chrome --out trace.json\n  corepy profile train.ts --json            (report as corepy-profile.json)\n' +
    '  corepy profile bench.ts --baseline base.json')
  // An option the script was meant to get is the usual cause of "unknown option": say how to pass it.
  .configureOutput({
    outputError: (text, write) => write(/unknown option/.test(text)
      ? `${text.trimEnd()}\n(options for the script go after --: corepy profile script.ts -- --epochs 3; yarn 1 drops the first --: ` +
        'yarn corepy profile script.ts -- -- --epochs 3)\n' : text),
  })
  .action(async (script: string, args: string[], o: ProfileOptions, cmd: Command) => {
    if (o.json && o.format !== 'json') {
      cmd.error(`error: option '--json' (--format json) cannot be used with option '--format ${String(o.format)}'`, { exitCode: 2, code: 'commander.conflictingOption' });
    }
    process.exitCode = await profileCommand(script, args, o);
  });
await program.parseAsync(process.argv);
