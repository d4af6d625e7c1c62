#!/usr/bin/env node
/**
 * `corepy` command line. `corepy profile <script>` runs a script in a child Node with the profiler
 * preloaded (profiler/autostart; TypeScript through Node's type stripping, or tsx on older Node),
 * receives the report over IPC, prints it, writes an export, and compares with a baseline. Exit status: the script's own when it failed
 * (the partial report is still printed), 1 on a baseline regression, 2 on bad usage.
 */
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { constants } from 'node:os';
import { Command, InvalidArgumentError, Option } from 'commander';
import { nodeTypeScriptArgs, profiledNodeArgs } from './launch.js';
import { EXPORT_FORMATS, formatFromPath, writeExport } from './export/index.js';
import { compareBaseline, readBaseline, writeBaseline } from './profiler/baseline.js';
import { renderMarkdown, renderText } from './profiler/format-text.js';
import type { FlameProfile } from './profiler/flame-model.js';
import type { ProfileIpcMessage } from './profiler/ipc-protocol.js';
import type { ProfileReport } from './profiler/report.js';
import type { CallSiteMode } from './profiler/types.js';
import { VERSION } from './profiler/version.js';

const FORMATS = ['text', 'markdown', ...EXPORT_FORMATS] as const;
const fromSource = import.meta.url.endsWith('.ts');

interface ProfileOptions { format?: string; out?: string; backend?: string; baseline?: string; saveBaseline?: string; callSites?: string; sampleEvery?: number; tolerance?: number }

function runScript(script: string, args: string[], o: ProfileOptions): Promise<{ code: number; report: ProfileReport | null; flame: FlameProfile | null }> {
  const ts = /\.[cm]?tsx?$/.test(script);
  // TypeScript: this Node's own type stripping where it has it (the child is this same Node),
  // else tsx (a dependency of corepy). Run from source, autostart.ts itself needs tsx.
  const strip = ts && !fromSource ? nodeTypeScriptArgs(process.versions.node, script) : null;
  const { execArgs: execArgv, env } = profiledNodeArgs({
    autostart: new URL(`./profiler/autostart.${fromSource ? 'ts' : 'js'}`, import.meta.url).href,
    tsx: (ts && strip === null) || fromSource ? import.meta.resolve('tsx') : null,
    nodeFlags: strip ?? [],
    baseEnv: process.env,
    keepNodeOptions: true, // the user's shell set it
    backend: o.backend,
    callSites: o.callSites as CallSiteMode | undefined,
    sampleEvery: o.sampleEvery,
  });
  return new Promise((done) => {
    const child = fork(script, args, { execArgv, env, stdio: ['inherit', 'inherit', 'inherit', 'ipc'] });
    let report: ProfileReport | null = null, flame: FlameProfile | null = null;
    child.on('message', (m: ProfileIpcMessage) => {
      if (m && m.type === 'corepyReport') { report = m.report as ProfileReport; flame = m.flame; }
    });
    child.on('error', (e) => { process.stderr.write(`corepy: cannot start ${script}: ${e.message}\n`); done({ code: 2, report, flame }); });
    child.on('exit', (code, signal) => done({ code: code ?? (signal ? 128 + (constants.signals[signal] ?? 15) : 1), report, flame }));
  });
}

async function profileCommand(script: string, args: string[], o: ProfileOptions): Promise<number> {
  const path = resolve(script);
  if (!existsSync(path)) { process.stderr.write(`corepy: script not found: ${script}\n`); return 2; }
  const format = o.format ?? (o.out ? formatFromPath(o.out) ?? 'json' : 'text');
  if (!(FORMATS as readonly string[]).includes(format)) { process.stderr.write(`corepy: unknown format '${format}'; allowed: ${FORMATS.join(', ')}\n`); return 2; }
  const baseline = o.baseline ? (() => { try { return readBaseline(o.baseline!); } catch (e) { return e as Error; } })() : null;
  if (baseline instanceof Error) { process.stderr.write(`corepy: ${baseline.message}\n`); return 2; }
  const { code, report, flame } = await runScript(path, args, o);
  if (!report || !flame) {
    process.stderr.write(`corepy: the script ended (exit ${code}) without sending a profile report\n`);
    return code || 1;
  }
  if (code !== 0) process.stderr.write(`corepy: the script failed (exit ${code}); partial report of what ran before:\n`);
  const toStdout = !o.out && (format === 'text' || format === 'markdown' || format === 'json');
  if (format === 'markdown' && toStdout) process.stdout.write(renderMarkdown(report) + '\n');
  else if (format === 'json' && toStdout) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  else process.stdout.write(renderText(report) + '\n');
  if (!toStdout) {
    const out = o.out ?? `corepy-profile.${format === 'chrome' ? 'trace.json' : format === 'speedscope' ? 'speedscope.json' : format}`;
    try {
      if (format === 'text' || format === 'markdown') {
        const { writeFileSync } = await import('node:fs');
        writeFileSync(out, (format === 'text' ? renderText(report, { color: false }) : renderMarkdown(report)) + '\n');
      } else {
        writeExport(out, { report, flame }, format);
      }
      process.stdout.write(`Wrote ${format} export to ${out}\n`);
    } catch (e) {
      process.stderr.write(`corepy: ${(e as Error).message}\n`);
      return 2;
    }
  }
  if (o.saveBaseline) { writeBaseline(o.saveBaseline, report); process.stdout.write(`Saved baseline to ${o.saveBaseline}\n`); }
  let status = code;
  if (baseline) {
    const cmp = compareBaseline(baseline, report, o.tolerance);
    process.stdout.write(`\nBaseline ${o.baseline}: ${cmp.regressions.length} regression(s), ${cmp.improvements.length} improvement(s), ${cmp.unchanged} unchanged\n`);
    for (const f of cmp.regressions) process.stdout.write(`  REGRESSION  ${f.evidence}\n`);
    for (const f of cmp.improvements) process.stdout.write(`  improvement ${f.evidence}\n`);
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

const program = new Command('corepy').version(VERSION).description('corepy: a tensor runtime with a built-in profiler');
// Usage errors exit 2 (the script's own failures and regressions use other statuses).
program.exitOverride((e) => process.exit(e.exitCode === 0 ? 0 : 2));
program.command('profile')
  .description('Run a script (.js/.mjs, or .ts/.mts/.cts: Node type stripping on Node ≥ 22.6, else tsx) with the profiler on, print the report, write an export')
  .argument('<script>', 'script to run (.js, .mjs, .ts, .mts)')
  .argument('[args...]', 'arguments passed to the script')
  .addOption(new Option('-f, --format <format>', 'report/export format (default: text, or from --out\'s extension)').choices(FORMATS as unknown as string[]))
  .option('-o, --out <path>', 'write the export here (.json, .csv, .trace.json, .speedscope.json, .folded, .html)')
  .addOption(new Option('-b, --backend <backend>', 'backend for new tensors').choices(['wasm', 'webgpu', 'js']))
  .option('--baseline <path>', 'compare with this baseline; exit 1 on a regression')
  .option('--save-baseline <path>', 'save this run as a baseline')
  .option('--tolerance <ratio>', 'relative change treated as noise in the baseline comparison, ≥ 0 (default 0.1)', numberArg('--tolerance', 0, false))
  .addOption(new Option('--call-sites <mode>', 'call-site capture').choices(['all', 'sampled', 'off']))
  .option('--sample-every <n>', 'mean call-site sampling period in ops with --call-sites sampled, integer ≥ 1', numberArg('--sample-every', 1, true))
  .addHelpText('after', '\nExit status: the script\'s own if it failed (the partial report is still printed), 1 on a baseline regression, 2 on bad usage.\n' +
    'Examples:\n  corepy profile train.ts\n  corepy profile pipeline.js --format chrome --out trace.json\n  corepy profile bench.ts --baseline base.json')
  .action(async (script: string, args: string[], o: ProfileOptions) => {
    process.exitCode = await profileCommand(script, args, o);
  });
await program.parseAsync(process.argv);
