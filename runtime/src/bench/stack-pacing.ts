/**
 * What the user call stacks' sampling (recorder.ts: the pace, the cap on holds) costs and how right
 * its call lines come out, for two builds of the runtime in alternating fresh processes: each
 * workload is a small ES module written to a temporary folder that imports one build, profiles
 * itself (callSites 'sampled') and prints its report's `callStacks` and call lines.
 *
 * - `two phases`: `forward(x)` (two ops, in two functions) called N times from one line of `main`,
 *   then N/2 times from another: the first line's share of forward's ops, true 0.667 (audit 28).
 * - `in turn`: the same two lines calling it in turn N times each: true 0.5.
 * - `Example 1, 1.5 s`: the seed's Example 1 on a resident 1e5 tensor in a loop for 1.5 s: what a
 *   hot loop pays (captures, their ms, their share of the wall time).
 * - `200 lines × 2000`: 200 `x.mul(k)` lines in a 2 000-iteration loop: many lines each run a few
 *   thousand times.
 *
 * Per workload: the captures, those of them that ended a hold for its length in run time
 * (`callStacks.timedOut`; 0 for a build without that bound), their ms and share of the wall time.
 *
 *   AB_OLD=/tmp/old/runtime/dist AB_NEW=runtime/dist PROCS=5 node runtime/dist/bench/stack-pacing.js
 *
 * Environment: AB_OLD / AB_NEW (runtime dist folders; AB_NEW defaults to this build, AB_OLD to none:
 * only AB_NEW is run), PROCS (processes per build and workload, default 5), ROUNDS (N above,
 * default 3000; also `ROUNDS=300`), ONLY (comma-separated parts of workload names, e.g. `phases,turn`). A build is a dist folder whose imports resolve (see ab-builds.ts).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { median } from './timing.js';

/** What one workload's process prints. */
interface Outcome { captures: number; captureMs: number; timedOut: number; wallMs: number; share: number | null; truth: number | null }

/** The module text of each workload, for build `dist`; `// LINE_A` / `// LINE_B` mark the two calling lines. */
function workloads(dist: string, rounds: number): Record<string, { source: string; truth: number | null }> {
  const cp = JSON.stringify(pathToFileURL(resolve(dist, 'index.js')).href);
  const ex1 = JSON.stringify(pathToFileURL(resolve(dist, 'bench/example1.js')).href);
  const head = `import * as cp from ${cp};\ncp.enableProfiling({ callSites: 'sampled' });\n`;
  const model = 'function scale(t) { return t.mul(2); }\nfunction forward(x) { const h = scale(x); const y = h.add(1); h.dispose(); return y; }\n';
  const report = `const r = cp.profileReport({ format: 'json' });
const src = (await import('node:fs')).readFileSync(new URL(import.meta.url), 'utf8').split('\\n');
const line = (m) => src.findIndex((l) => l.includes(m)) + 1;
const ops = (m) => (r.callLines ?? []).filter((c) => c.location.line === line(m) && c.location.file.endsWith('w.mjs')).reduce((s, c) => s + c.ops, 0);
const a = ops('// LINE_' + 'A'), b = ops('// LINE_' + 'B');
console.log(JSON.stringify({ captures: r.callStacks?.captures ?? 0, captureMs: r.callStacks?.captureMs ?? 0, timedOut: r.callStacks?.timedOut ?? 0, wallMs: r.wallTimeMs, share: a + b > 0 ? a / (a + b) : null }));
`;
  const x = 'const x = cp.keep(cp.ones([64]));\n';
  const many = Array.from({ length: 200 }, (_, k) => `    x.mul(${k + 1});`).join('\n');
  return {
    'two phases': {
      truth: rounds / (rounds + (rounds >> 1)),
      source: `${head}${model}${x}function main() {
  for (let i = 0; i < ${rounds}; i++) forward(x).dispose(); // LINE_A
  for (let i = 0; i < ${rounds >> 1}; i++) forward(x).dispose(); // LINE_B
}
main();
${report}`,
    },
    'in turn': {
      truth: 0.5,
      source: `${head}${model}${x}function main() {
  for (let i = 0; i < ${rounds}; i++) {
    forward(x).dispose(); // LINE_A
    forward(x).dispose(); // LINE_B
  }
}
main();
${report}`,
    },
    'Example 1, 1.5 s': {
      truth: null,
      source: `${head}import { example1 } from ${ex1};
const run = example1(1e5, false);
const t0 = performance.now();
while (performance.now() - t0 < 1500) run();
${report}`,
    },
    '200 lines × 2000': {
      truth: null,
      source: `${head}const x = cp.keep(cp.ones([256]));
for (let i = 0; i < 2000; i++) {
  cp.tidy(() => {
${many}
  });
}
${report}`,
    },
  };
}

function main(): void {
  const neu = resolve(process.env['AB_NEW'] ?? resolve(fileURLToPath(import.meta.url), '../..'));
  const old = process.env['AB_OLD'] ? resolve(process.env['AB_OLD']) : null;
  const procs = Number(process.env['PROCS'] ?? 5), rounds = Number(process.env['ROUNDS'] ?? 3000);
  const builds = old === null ? [['new', neu]] : [['old', old], ['new', neu]];
  const dir = mkdtempSync(join(tmpdir(), 'corepy-stack-pacing-'));
  const load0 = loadavg()[0]!;
  const only = process.env['ONLY'];
  const names = Object.keys(workloads(neu, rounds)).filter((n) => only === undefined || only.split(',').some((o) => n.includes(o)));
  const got = new Map<string, Outcome[]>();
  try {
    for (let p = 0; p < procs; p++) {
      for (const name of names) {
        // Which build runs first alternates from process to process.
        for (const [side, dist] of p % 2 === 0 ? builds : [...builds].reverse()) {
          const w = workloads(dist!, rounds)[name]!;
          const file = join(dir, 'w.mjs');
          writeFileSync(file, w.source);
          const out = execFileSync(process.execPath, [file], { encoding: 'utf8', maxBuffer: 64 << 20 });
          const o = JSON.parse(out.trim().split('\n').pop()!) as Outcome;
          const key = `${name}\t${side}`;
          got.set(key, [...(got.get(key) ?? []), { ...o, truth: w.truth }]);
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`stack pacing: ${procs} fresh processes per build and workload (builds alternating), N = ${rounds}; callSites 'sampled'; load average ${load0.toFixed(2)} → ${loadavg()[0]!.toFixed(2)}`);
  console.log('workload            build  captures (range)        of them timed out  capture ms      % of wall        first line\'s share (truth)');
  const range = (xs: number[], d: number): string => `${median(xs).toFixed(d)} (${Math.min(...xs).toFixed(d)}–${Math.max(...xs).toFixed(d)})`;
  for (const name of names) {
    for (const [side] of builds) {
      const os = got.get(`${name}\t${side}`)!;
      const shares = os.map((o) => o.share).filter((s): s is number => s !== null);
      const truth = os[0]!.truth;
      console.log(`${name.padEnd(19)} ${side!.padEnd(6)} ${range(os.map((o) => o.captures), 0).padEnd(23)} ${range(os.map((o) => o.timedOut), 0).padEnd(18)} ${range(os.map((o) => o.captureMs), 1).padEnd(15)} ` +
        `${range(os.map((o) => (100 * o.captureMs) / o.wallMs), 2).padEnd(16)} ${truth === null || shares.length === 0 ? '—' : `${range(shares, 3)} (${truth.toFixed(3)})`}`);
    }
  }
}

main();
