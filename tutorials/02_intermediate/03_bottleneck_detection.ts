/**
 * Tutorial 2.3 — let the profiler find the bottleneck.
 *
 * Run: npx tsx tutorials/02_intermediate/03_bottleneck_detection.ts
 *
 * A three-stage pipeline with a hidden problem: the "scale" stage processes a matrix one row at a
 * time, in a loop. What to look for:
 *  - the per-section wall times point at the stage (`contexts`);
 *  - the call-site table points at the line: the most expensive (op, line) pair, with its count;
 *  - the recommendations explain why — the same op issued hundreds of times from one line, each
 *    on a small row, paying the fixed per-call cost every time — and what to write instead.
 * The pipeline runs once before profiling: first calls compile kernels and would otherwise look
 * like a bottleneck of their own. And it is profiled over several runs: what happens once then weighs
 * little. In a single run, the first profiled `sub` grew wasm memory and touched its new pages (~4.5 ms
 * here, listed under one-time costs but inside the stage's wall time), which made the cheap "center"
 * stage look as slow as the loop.
 */
import * as cp from 'corepy';
import { profileContext } from 'corepy';

cp.seed(3);
const rows = 400;
const matrix = cp.rand([rows, 64]);

function pipeline(): number {
  const centered = profileContext('center', () => matrix.sub(matrix.mean(0)));
  const scaled = profileContext('scale', () => {
    const out: cp.Tensor[] = [];
    for (let r = 0; r < rows; r++) out.push(centered.slice([r]).mul(2).add(1)); // one row at a time
    return cp.stack(out);
  });
  return profileContext('reduce', () => scaled.sum().item());
}

const RUNS = 5;
cp.tidy(pipeline); // warm-up, not profiled
cp.enableProfiling();
let total = 0;
for (let run = 0; run < RUNS; run++) total = cp.tidy(pipeline);
cp.disableProfiling();
console.log(`result: ${total.toFixed(3)}\n`);

const report = cp.profileReport({ format: 'json' });

// 1. Which stage? Sort sections by wall time.
console.log(`stages by wall time (${RUNS} runs):`);
for (const c of Object.values(report.contexts).sort((a, b) => b.totalTimeMs - a.totalTimeMs)) {
  console.log(`  ${c.name.padEnd(7)} ${c.totalTimeMs.toFixed(2).padStart(8)} ms  (${c.percent.toFixed(0)}% of wall time, ${c.opCount} ops)`);
}

// 2. Which line? The top call sites by total time.
console.log('\ntop call sites:');
for (const s of [...report.callSites].sort((a, b) => b.totalMs - a.totalMs).slice(0, 3)) {
  const where = s.location ? `line ${s.location.line}` : '(call sites off)';
  console.log(`  ${s.op.padEnd(6)} ×${String(s.count).padEnd(4)} ${s.totalMs.toFixed(2).padStart(7)} ms at ${where}`);
}

// 3. Why, and what to do: the recommendations, with the measured evidence.
console.log('\nrecommendations:');
for (const rec of cp.getRecommendations()) {
  // "impact unknown" where the rule's estimates were not verified on the corpus, as the editor says it: the figure is a guide only.
  console.log(`  [${rec.priority}] ${rec.title} — ${rec.impact === 'unknown' ? `impact unknown (est. ${rec.estimatedSpeedup.toFixed(2)}× overall, a guide only)` : `est. ${rec.estimatedSpeedup.toFixed(2)}× overall`}`);
  console.log(`      ${rec.description}`);
}
