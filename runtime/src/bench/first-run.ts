/**
 * `npm run bench:first-run` (node runtime/dist/bench/first-run.js after build): does a cold first
 * run's report tell the truth? The seed's Example 1 runs once, in a fresh process, under
 * `corepy profile` (the JSON report), and once more with plain `node` and `cp.enableProfiling()` as
 * its first line, and (column "baseline") the same with COREPY_WASM_COMPILE=baseline, the kernels'
 * compile mode that path had before enableProfiling() chose `eager`; separately, fresh processes run
 * the same pipeline warm (20 unprofiled rounds, then 20 profiled) and report each op's mean. Per op the figure a user reads on
 * the cold run (steadyMeanMs, else meanMs: every op here is called once) is compared with the warm
 * mean: medians over RUNS rounds, processes alternating cold / warm (/ before) so a noisy machine
 * hits every side. With BEFORE=<path of another corepy's cli.js> (e.g. main's build) the same cold
 * run goes through that CLI too, for a side-by-side of what its report said.
 * Environment: RUNS (default 7), N (elements, default 1e6), BEFORE.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './timing.js';

const runs = Number(process.env['RUNS'] ?? 7);
const n = Number(process.env['N'] ?? 1e6);
const before = process.env['BEFORE'];
const cli = fileURLToPath(new URL('../cli.js', import.meta.url));
const entry = new URL('../index.js', import.meta.url).href;
const dir = mkdtempSync(join(tmpdir(), 'corepy-first-run-'));

// The seed's Example 1 as written (without its enable_profiling line: `corepy profile` has profiling on).
// `corepy` resolves to the runtime of the CLI that runs it (the CLI's resolve fallback).
const example1 = `import * as cp from 'corepy';
const data = cp.tensor(Array.from({ length: ${n} }, (_, i) => i));
const normalized = data.sub(data.mean()).div(data.std());
const result = normalized.sum();
`;
const warm = `import * as cp from ${JSON.stringify(entry)};
const values = Array.from({ length: ${n} }, (_, i) => i);
const once = () => cp.tidy(() => { const data = cp.tensor(values); data.sub(data.mean()).div(data.std()).sum(); });
for (let i = 0; i < 20; i++) once();
cp.enableProfiling({ callSites: 'off' });
for (let i = 0; i < 20; i++) once();
console.log(JSON.stringify(Object.fromEntries(cp.profileReport({ format: 'json' }).operations.map((o) => [o.op, o.meanMs]))));
`;
// The same, profiled by its own first line and run with plain node (no launcher: no COREPY_* set).
const example1Plain = `import * as cp from ${JSON.stringify(entry)};
cp.enableProfiling();
${example1.split('\n').slice(1).join('\n')}
console.log(JSON.stringify(cp.profileReport({ format: 'json' })));
`;
writeFileSync(join(dir, 'example1.mjs'), example1);
writeFileSync(join(dir, 'example1-plain.mjs'), example1Plain);
writeFileSync(join(dir, 'warm.mjs'), warm);

interface Cold { shown: Record<string, number>; mean: Record<string, number>; oneTime: Record<string, number> }
interface JsonReport {
  operations: { op: string; meanMs: number; steadyMeanMs?: number | null }[];
  oneTimeCosts?: { kind: string; totalMs: number }[];
}
/** One cold `corepy profile` run through `cliPath`: per op the shown figure and the mean; one-time costs by kind. */
function cold(cliPath: string): Cold {
  const out = join(dir, 'report.json');
  execFileSync(process.execPath, [cliPath, 'profile', '--format', 'json', '--out', out, join(dir, 'example1.mjs')], { stdio: 'pipe' });
  return figures(JSON.parse(readFileSync(out, 'utf8')) as JsonReport);
}
/** One cold run of the plain script (`node example1-plain.mjs`), the kernels compiled in `compile` mode (unset: the default). */
function coldPlain(compile?: string): Cold {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('COREPY_')) delete env[k];
  if (compile) env['COREPY_WASM_COMPILE'] = compile;
  return figures(JSON.parse(execFileSync(process.execPath, [join(dir, 'example1-plain.mjs')], { encoding: 'utf8', env })) as JsonReport);
}
function figures(r: JsonReport): Cold {
  const shown: Record<string, number> = {}, mean: Record<string, number> = {}, oneTime: Record<string, number> = {};
  for (const o of r.operations) { mean[o.op] = o.meanMs; shown[o.op] = o.steadyMeanMs ?? o.meanMs; }
  for (const c of r.oneTimeCosts ?? []) oneTime[c.kind] = (oneTime[c.kind] ?? 0) + c.totalMs;
  return { shown, mean, oneTime };
}
function warmRun(): Record<string, number> {
  return JSON.parse(execFileSync(process.execPath, [join(dir, 'warm.mjs')], { encoding: 'utf8' })) as Record<string, number>;
}

const colds: Cold[] = [], plains: Cold[] = [], baselines: Cold[] = [], warms: Record<string, number>[] = [], befores: Cold[] = [];
try {
  for (let r = 0; r < runs; r++) {
    colds.push(cold(cli));
    warms.push(warmRun());
    plains.push(coldPlain());
    baselines.push(coldPlain('baseline'));
    if (before) befores.push(cold(before));
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const fmt = (x: number): string => (x >= 10 ? x.toFixed(1) : x.toFixed(3));
const med = (rows: readonly Record<string, number>[], k: string): number => median(rows.map((r) => r[k] ?? NaN));
console.log(`corepy first-run truth — seed Example 1 @ ${n.toExponential(0).replace('+', '')}, ${runs} rounds of fresh processes ` +
  `(cold under corepy profile | warm | plain node + enableProfiling() | the same, baseline compile${before ? ' | before' : ''}), node ${process.version}; ` +
  'medians; ratio = cold shown / warm (target ≤ 3×)');
console.log(`${'op'.padEnd(8)} ${'cold shown'.padStart(11)} ${'warm'.padStart(9)} ${'ratio'.padStart(7)}  ${'plain shown'.padStart(11)} ${'ratio'.padStart(7)}  ` +
  `${'baseline'.padStart(9)} ${'ratio'.padStart(7)}${before ? `  ${'before shown'.padStart(13)} ${'ratio'.padStart(8)}` : ''}`);
for (const op of Object.keys(colds[0]!.shown)) {
  const c = med(colds.map((x) => x.shown), op), w = med(warms, op);
  const p = med(plains.map((x) => x.shown), op), b0 = med(baselines.map((x) => x.shown), op);
  let line = `${op.padEnd(8)} ${fmt(c).padStart(11)} ${fmt(w).padStart(9)} ${(c / w).toFixed(2).padStart(6)}×  ` +
    `${fmt(p).padStart(11)} ${(p / w).toFixed(2).padStart(6)}×  ${fmt(b0).padStart(9)} ${(b0 / w).toFixed(2).padStart(6)}×`;
  if (before) { const b = med(befores.map((x) => x.shown), op); line += `  ${fmt(b).padStart(13)} ${(b / w).toFixed(1).padStart(7)}×`; }
  console.log(line);
}
const kinds = [...new Set(colds.flatMap((c) => Object.keys(c.oneTime)))];
console.log(`one-time costs on the cold run (own rows, not in any op): ${kinds.map((k) => `${k} ${fmt(med(colds.map((c) => c.oneTime), k))} ms`).join(', ')}`);
