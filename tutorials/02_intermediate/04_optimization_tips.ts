/**
 * Tutorial 2.4 — apply a recommendation and verify it (the seed's Example 3).
 *
 * Run: npx tsx tutorials/02_intermediate/04_optimization_tips.ts
 *
 * What to look for:
 *  - the loop `data.add(i)` for 100 values of i is 100 separate ops from one line: the
 *    "Batch repeated operations" recommendation says so, with the code change;
 *  - the batched version is ONE broadcast op: `data.unsqueeze(0).add(offsets.unsqueeze(1))`
 *    computes all 100 rows at once;
 *  - we check the two give the same numbers, then compare op counts and measured times
 *    (medians with the profiler off — the estimate is a guide, the measurement decides).
 * Batching saves the fixed per-call cost (the Impact line shows the rewrite "timed now", or "… cached" when reused: the
 * loop against the one broadcast op, on a tensor of your shape). Where that cost is small next to the work per call — large tensors on the plain `js`
 * reference backend — the estimate is close to 1× and the measurement may even show the
 * broadcast version slower: believe the measurement, and keep the simpler code.
 */
import * as cp from 'corepy';
import { medianMsEach, reportSpeedup, step } from '../shared/measure.js';

const data = cp.arange(100_000).cast('float32');

function before(): cp.Tensor[] {
  const out: cp.Tensor[] = [];
  for (let i = 0; i < 100; i++) {
    const temp = data.add(i);
    out.push(temp);
  }
  return out;
}

function after(): cp.Tensor {
  const offsets = cp.arange(100);
  return data.unsqueeze(0).add(offsets.unsqueeze(1)); // row i = data + i
}

step('BEFORE: profile the loop');
cp.enableProfiling();
const loop = before();
const beforeReport = cp.profileReport({ format: 'json' });

for (const rec of cp.getRecommendations()) {
  if (rec.rule !== 'batch-loop') continue;
  // Priority follows the estimated impact; "impact unknown" where the rule's estimates are not verified on the corpus.
  console.log(`⚡ [${rec.priority}] ${rec.title}`);
  console.log(`   Impact: ${rec.impact === 'unknown' ? 'impact unknown' : `~${rec.estimatedSpeedup.toFixed(2)}×`} (${rec.speedupBasis})`);
  console.log(`   ${rec.description}`);
  console.log('\n   Code change:\n     BEFORE:');
  console.log(rec.codeExample.before.replace(/^/gm, '       '));
  console.log('     AFTER:');
  console.log(rec.codeExample.after.replace(/^/gm, '       '));
}

step('AFTER: profile the batched version');
cp.clearProfile();
const batched = after();
const afterReport = cp.profileReport({ format: 'json' });
cp.disableProfiling();

// Same numbers? Row 37 of the batch must equal data + 37.
const same = batched.slice([37]).sub(loop[37]!).abs().max().item() === 0;
console.log(`results identical: ${same}`);
console.log(`ops: ${beforeReport.opCount} → ${afterReport.opCount}; op time ${beforeReport.totalTimeMs.toFixed(2)} ms → ${afterReport.totalTimeMs.toFixed(2)} ms (one profiled run each)`);

step('Measure (profiler off)');
const disposeAll = (ts: cp.Tensor | cp.Tensor[]): void => (Array.isArray(ts) ? ts : [ts]).forEach((t) => t.dispose());
// Side by side (rounds alternate the two): on a busy machine, timing all of one and then all of the other lets the load decide.
// Each side takes ~5–30 ms: 11 rounds cost well under a second and steady the medians.
const { before: tBefore, after: tAfter } = await medianMsEach({ before: () => disposeAll(before()), after: () => disposeAll(after()) }, 11);
reportSpeedup(tBefore, tAfter, 11);
// Three figures, three questions: the estimate (the rewrite timed warm on this machine, applied to the loop as the
// profiled run paid it), one profiled run of each side (which can still carry first-run costs: fresh memory, JIT),
// and the measurement above (warm medians, profiler off) — the one that checks the estimate.
console.log('The estimate came from a warm trial of the rewrite; the single profiled runs can carry first-run costs;\n' +
  'the median above, profiler off, is what to hold the estimate to (on a busy machine expect ±30 % between runs).');
if (!same) process.exitCode = 1;
