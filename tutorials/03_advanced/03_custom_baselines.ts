/**
 * Tutorial 3.3 — performance targets as files: save a baseline, compare later runs with it.
 *
 * Run: npx tsx tutorials/03_advanced/03_custom_baselines.ts [out-dir]
 *
 * What to look for:
 *  - `saveBaseline(path)` stores per-op and per-context statistics (count, mean, stddev) of what
 *    was recorded; commit the file next to the code it describes;
 *  - `compareToBaseline(path, { tolerance })` flags a difference only when it is larger than
 *    BOTH the tolerance (10 % by default) and three standard errors of the two means — noisy
 *    ops need a bigger change before they count, so CI does not cry wolf;
 *  - each finding carries its evidence (means, counts, spreads, the threshold used).
 * The "regressed" run below does 16× the work per call, so the comparison is not a close call.
 * The same check runs from the command line: `corepy profile script.ts --baseline base.json`.
 */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as cp from 'corepy';
import { profileContext } from 'corepy';

const outDir = resolve(process.argv[2] ?? join(tmpdir(), 'corepy-tutorials', 'baselines'));
mkdirSync(outDir, { recursive: true });
const baselinePath = join(outDir, 'baseline.json');

cp.seed(2);
const small = cp.randn([64, 256]);
const large = cp.randn([1024, 256]); // 16× the rows: the "regression"
const w = cp.randn([256, 32]);

// The workload: 40 calls, so every op has a mean and a spread (and one slow call on a busy machine
// does not make the standard error hide a 16× change).
function workload(x: cp.Tensor): void {
  for (let i = 0; i < 40; i++) cp.tidy(() => profileContext('score', () => x.matmul(w).sigmoid().mean(0)));
}

function profiled(x: cp.Tensor): void {
  cp.clearProfile();
  cp.enableProfiling();
  workload(x);
  cp.disableProfiling();
}

// Warm-up, both sizes: first calls compile kernels, and the large matmul starts the wasm backend's
// worker threads (one-time costs, which belong in neither the baseline nor the comparison).
workload(small);
workload(large);

function show(title: string, c: cp.BaselineComparison): void {
  console.log(`${title}: ${c.ok ? 'OK' : 'REGRESSION'} — ${c.regressions.length} regressed, ${c.improvements.length} improved, ${c.unchanged} unchanged`);
  for (const f of c.regressions) console.log(`   ✗ ${f.kind} ${f.name}: ${f.ratio.toFixed(1)}× slower  (${f.evidence})`);
}

profiled(small);
cp.saveBaseline(baselinePath);
console.log(`baseline saved: ${baselinePath}\n`);

profiled(small);
show('same workload    ', cp.compareToBaseline(baselinePath, { tolerance: 0.5 }));

profiled(large);
show('16× larger input ', cp.compareToBaseline(baselinePath, { tolerance: 0.5 }));
