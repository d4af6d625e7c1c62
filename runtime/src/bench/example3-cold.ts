/**
 * The seed's Example 3 as a script runs it once: `node runtime/dist/bench/example3-cold.js` after
 * the build. Each fresh process builds the 1e5-element tensor, enables profiling (defaults: the rules need call sites)
 * and runs either the loop as written (100 × `data.add(i)`, results left alive) or the batch-loop
 * rule's rewrite (`arange(100)` + `unsqueeze` broadcast), then prints the report's op time (one-time
 * costs are kept out of it); the two alternate process by process, ROUNDS pairs. Compare with
 * example3-variants.ts, which times the same rewrites warm, each run in its own tidy scope.
 * Environment: ROUNDS (default 7); CLI=1 profiles the two scripts as a user would, through
 * `corepy profile` (eager kernel compilation, the CLI's launch), instead of the API in a child.
 * Both op times are printed with and without the GC pauses inside ops (the rule leaves those out), and each
 * side's wall time with the one-time memory work in it (growing and first touching wasm memory).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ProfileReport } from '../contract/report.js';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import * as cp from '../index.js';
import { median } from './timing.js';

function child(mode: 'loop' | 'batched'): void {
  const data = cp.tensor(Array.from({ length: 100000 }, (_, i) => i));
  cp.enableProfiling(); // default call sites: the rules need the loop's line
  if (mode === 'loop') {
    for (let i = 0; i < 100; i++) data.add(i); // as written: `temp = data + i`, results left alive
  } else {
    const offsets = cp.arange(100);
    data.unsqueeze(0).add(offsets.unsqueeze(1));
  }
  const report = cp.profileReport({ format: 'json' });
  const rec = mode === 'loop' ? report.recommendations.find((r) => r.rule === 'batch-loop') : undefined;
  console.log(JSON.stringify({ ...runFields(report), estimate: rec?.estimatedSpeedup ?? null, priority: rec?.priority ?? null }));
}

/** The two scripts as a user writes them, profiled through `corepy profile` (CLI=1). */
const SCRIPTS = {
  loop: "import * as cp from 'corepy';\nconst data = cp.tensor(Array.from({ length: 100000 }, (_, i) => i));\n" +
    'for (let i = 0; i < 100; i++) {\n  const temp = data.add(i);\n}\n',
  batched: "import * as cp from 'corepy';\nconst data = cp.tensor(Array.from({ length: 100000 }, (_, i) => i));\n" +
    'const offsets = cp.arange(100);\nconst temp = data.unsqueeze(0).add(offsets.unsqueeze(1));\n',
};

interface ChildResult { opMs: number; gcMs: number; wallMs: number; memoryMs: number; estimate: number | null; priority: string | null }

/** A report's op time, GC pauses inside ops, wall time and one-time memory work (growth, first touches), ms. */
function runFields(report: ProfileReport): Pick<ChildResult, 'opMs' | 'gcMs' | 'wallMs' | 'memoryMs'> {
  const memoryMs = report.oneTimeCosts.filter((c) => c.kind === 'memory').reduce((n, c) => n + c.totalMs, 0);
  return { opMs: report.totalTimeMs, gcMs: report.gcPauses?.inOpsMs ?? 0, wallMs: report.wallTimeMs, memoryMs };
}

/** One cold run of `mode`: in a fresh process through the API, or through the CLI (`cli`: the folder of the scripts). */
function runOnce(mode: 'loop' | 'batched', cli: string | null): ChildResult {
  const self = fileURLToPath(import.meta.url);
  if (cli === null) {
    const out = execFileSync(process.execPath, [self], { env: { ...process.env, EXAMPLE3_CHILD: mode }, encoding: 'utf8' });
    return JSON.parse(out.trim().split('\n').pop()!) as ChildResult;
  }
  const script = join(cli, `${mode}.mjs`), json = join(cli, `${mode}.json`);
  execFileSync(process.execPath, [join(dirname(self), '..', 'cli.js'), 'profile', script, '--format', 'json', '--out', json], { cwd: cli, stdio: 'ignore' });
  const report = JSON.parse(readFileSync(json, 'utf8')) as ProfileReport;
  const rec = report.recommendations.find((r) => r.rule === 'batch-loop');
  if (process.env['SHOW_BASIS'] && rec) console.log(`    ${rec.speedupBasis}`);
  return { ...runFields(report), estimate: rec?.estimatedSpeedup ?? null, priority: rec?.priority ?? null };
}

function parent(): void {
  const rounds = Number(process.env['ROUNDS'] ?? 7);
  const viaCli = process.env['CLI'] === '1';
  const dir = viaCli ? mkdtempSync(join(tmpdir(), 'example3-')) : null;
  if (dir) for (const [mode, text] of Object.entries(SCRIPTS)) writeFileSync(join(dir, `${mode}.mjs`), text);
  const ms = { loop: [] as number[], batched: [] as number[] }, noGc = { loop: [] as number[], batched: [] as number[] };
  const wall = { loop: [] as number[], batched: [] as number[] }, memory = { loop: [] as number[], batched: [] as number[] };
  const estimates: string[] = [], ests: number[] = [];
  try {
    for (let r = 0; r < rounds; r++) {
      for (const mode of r % 2 === 0 ? (['loop', 'batched'] as const) : (['batched', 'loop'] as const)) {
        const got = runOnce(mode, dir);
        ms[mode].push(got.opMs);
        noGc[mode].push(got.opMs - got.gcMs);
        wall[mode].push(got.wallMs);
        memory[mode].push(got.memoryMs);
        if (mode === 'loop') {
          estimates.push(got.estimate === null ? 'none' : `${got.estimate}× ${String(got.priority)}`);
          ests.push(got.estimate ?? NaN);
        }
      }
    }
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
  const show = (xs: number[]): string => xs.slice().sort((a, b) => a - b).map((v) => v.toFixed(2)).join(' ');
  console.log(`Example 3 as written vs the rule's rewrite, cold (one fresh process each${viaCli ? ', through corepy profile' : ', API'}, ${rounds} alternating pairs); ` +
    `op time, ms; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`  loop     median ${median(ms.loop).toFixed(2)}  (${show(ms.loop)});  without GC pauses ${median(noGc.loop).toFixed(2)}  (${show(noGc.loop)})`);
  console.log(`  batched  median ${median(ms.batched).toFixed(2)}  (${show(ms.batched)});  without GC pauses ${median(noGc.batched).toFixed(2)}  (${show(noGc.batched)})`);
  for (const mode of ['loop', 'batched'] as const) {
    console.log(`  ${mode.padEnd(7)}  wall time (report) median ${median(wall[mode]).toFixed(0)} ms, of it one-time memory work (growth, first touches) ${median(memory[mode]).toFixed(0)} ms`);
  }
  console.log(`  measured speedup of the rewrite, cold: ${(median(ms.loop) / median(ms.batched)).toFixed(2)}× op time, ` +
    `${(median(noGc.loop) / median(noGc.batched)).toFixed(2)}× op time without GC pauses (what the rule estimates)`);
  console.log(`  the batch-loop recommendation on each cold loop profile: ${estimates.join(', ')}`);
  // Each profile's estimate against what its own run would have gained: its op time (GC pauses out) ÷ the rewrite's median.
  const own = noGc.loop.map((l, i) => (ests[i] ?? NaN) / (l / median(noGc.batched)));
  console.log(`  estimate ÷ that run's own speedup (its op time without GC pauses ÷ the rewrite's median): ${own.map((x) => x.toFixed(2)).join(' ')}` +
    `; median ${median(own.filter(Number.isFinite)).toFixed(2)}`);
}

const mode = process.env['EXAMPLE3_CHILD'];
if (mode === 'loop' || mode === 'batched') child(mode); else parent();
