/**
 * Case study 4.3 — moving work from the CPU to the GPU, and doing it efficiently.
 *
 * Run: npx tsx tutorials/04_case_studies/03_gpu_migration.ts
 *
 * Three versions of the same computation (a few matmul + tanh layers on a batch):
 *  1. CPU: the starting point.
 *  2. NAIVE GPU: each step uploads its input and downloads its output — the profile shows the
 *     transfers, and the "Repeated CPU↔GPU transfers" recommendation names the line;
 *  3. RESIDENT GPU: upload once, keep intermediates on the GPU, read back once at the end.
 * GPU work is asynchronous: times are taken around `await ….data()`, which waits for the result,
 * never around the submit. Without a GPU adapter (no Vulkan driver, a headless container) the
 * script says why and runs the CPU part only — see PROFILING_GUIDE.md, "Troubleshooting".
 * On a software adapter (Mesa's llvmpipe, what CI machines have) the "GPU" is the CPU again plus
 * a driver: expect the measured speedup to be below 1× there, and well above it on real hardware.
 * `cp.calibrate()` measures where the GPU starts to win on this machine; after it, the profiler's
 * "Run on the GPU" recommendation appears for CPU ops above the measured crossover.
 */
import * as cp from 'corepy';
import { medianMsEach, reportSpeedup, step } from '../shared/measure.js';

const layers = 4, batch = 256, width = 256;
cp.seed(8);
const input = cp.randn([batch, width]);
const weights = Array.from({ length: layers }, () => cp.randn([width, width]).mul(1 / Math.sqrt(width)));

/** 1. CPU. */
async function cpuVersion(): Promise<Float32Array> {
  const y = cp.tidy(() => weights.reduce((h, w) => h.matmul(w).tanh(), input));
  const out = (await y.data()) as Float32Array;
  y.dispose();
  return out;
}

step('CPU: profile the starting point');
cp.enableProfiling();
const expected = await cpuVersion();
console.log(cp.profileReport());
cp.disableProfiling();

const gpu = await cp.initGpu({ onMissing: 'fallback' });
if (!gpu.ok) {
  console.log(`\nNo GPU adapter: ${gpu.reason}`);
  console.log('GPU part skipped (the CPU profile above is still valid). See PROFILING_GUIDE.md → Troubleshooting.');
} else {
  console.log(`\nGPU: ${gpu.adapter}`);
  const weightsGpu = weights.map((w) => w.to('gpu'));

  /** 2. NAIVE: round trip per layer. */
  const naiveVersion = async (): Promise<Float32Array> => {
    let h = input;
    for (const w of weightsGpu) {
      const y = h.to('gpu').matmul(w).tanh(); // upload every layer…
      const back = await y.toAsync('cpu'); // …and download every layer
      y.dispose();
      if (h !== input) h.dispose();
      h = back;
    }
    const out = (await h.data()) as Float32Array;
    h.dispose();
    return out;
  };

  /** 3. RESIDENT: one upload, one download. */
  const residentVersion = async (): Promise<Float32Array> => {
    const x = input.to('gpu');
    const y = cp.tidy(() => weightsGpu.reduce((h, w) => h.matmul(w).tanh(), x));
    const out = (await y.data()) as Float32Array;
    x.dispose();
    y.dispose();
    return out;
  };

  step('NAIVE GPU: profile the round trips');
  cp.clearProfile();
  cp.enableProfiling();
  const naive = await naiveVersion();
  const recs = cp.getRecommendations();
  cp.disableProfiling();
  const report = cp.profileReport({ format: 'json' });
  for (const o of report.operations) {
    console.log(`  ${o.op.padEnd(8)} ×${o.count} on ${o.backends.join(',')}: ${o.totalMs.toFixed(2)} ms, ` +
      `${((o.uploadBytes + o.downloadBytes) / 1e6).toFixed(2)} MB moved`);
  }
  for (const r of recs) console.log(`  ⚡ [${r.priority}] ${r.title}${r.location ? ` (line ${r.location.line})` : ''}`);

  step('RESIDENT GPU');
  const resident = await residentVersion();
  // GPU and CPU kernels sum in different orders: compare with a float32 tolerance.
  const maxDiff = (a: Float32Array, b: Float32Array): number => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
  const ok = maxDiff(naive, expected) < 1e-3 && maxDiff(resident, expected) < 1e-3;
  console.log(`results match the CPU (tolerance 1e-3): ${ok}`);

  step('Measure (profiler off)');
  const { cpu: tCpu, naive: tNaive, resident: tResident } = await medianMsEach({ cpu: cpuVersion, naive: naiveVersion, resident: residentVersion });
  console.log(`naive GPU vs CPU: ${(tCpu / tNaive).toFixed(2)}× (${tNaive.toFixed(2)} ms)`);
  reportSpeedup(tCpu, tResident);
  if (!ok) process.exitCode = 1;
}
