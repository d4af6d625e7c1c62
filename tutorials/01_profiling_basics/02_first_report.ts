/**
 * Tutorial 1.2 — your first report.
 *
 * Run: npx tsx tutorials/01_profiling_basics/02_first_report.ts
 *
 * What to look for in the table:
 *  - one row per operation, in the order your code first used it (it reads like the script);
 *  - Count: how many times it ran; Avg (ms): mean time per call; Backend: where it ran
 *    (CPU (wasm) = the Rust/WebAssembly kernels; GPU (webgpu) = the graphics card);
 *  - % Total: the op's share of all op time — the row marked "← Slowest" is where to start;
 *  - "Profiler overhead": what recording cost, measured, not assumed;
 *  - RECOMMENDATIONS: each has a priority, the line it is about, and an Impact estimated from
 *    the times just measured (here: mean and std of the same tensor read the data twice).
 */
import * as cp from 'corepy';

cp.enableProfiling();

const data = cp.arange(100_000).cast('float32');
const normalized = data.sub(data.mean()).div(data.std());
const result = normalized.sum();
console.log(`result: ${result.item().toFixed(3)}\n`);

// Text: for the terminal. The same report renders as Markdown for a pull request or a wiki.
console.log(cp.profileReport());
console.log('\nThe same report as Markdown (first lines):');
console.log(cp.profileReport({ format: 'markdown' }).split('\n').slice(0, 8).join('\n'));
