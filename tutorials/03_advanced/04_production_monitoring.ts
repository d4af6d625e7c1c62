/**
 * Tutorial 3.4 — profiling in production (the seed's Example 4).
 *
 * Run: npx tsx tutorials/03_advanced/04_production_monitoring.ts
 *
 * What to look for:
 *  - `callSites: 'off'` (or 'sampled') makes recording cheap: no stack capture per op. The report
 *    states the profiler's measured cost (`overhead`), so you can decide whether it is affordable;
 *  - each request is split into named sections; after the request, `contexts[name].totalTimeMs`
 *    is compared with a budget, and the recording is cleared so memory stays flat;
 *  - the budgets are not typed-in guesses: they are measured from warm-up requests (median × 1.5,
 *    plus 1 ms of slack because sub-millisecond sections jitter by more than 50 % on a busy
 *    machine), the way you would derive them from a staging run.
 * Midway, the "model" gets 8× larger — a deployment that shipped a bigger model — and the
 * monitor logs a warning for model_inference.
 */
import * as cp from 'corepy';
import { ProfileContext } from 'corepy';

type Section = 'data_loading' | 'preprocessing' | 'model_inference';
const SECTIONS: Section[] = ['data_loading', 'preprocessing', 'model_inference'];

cp.seed(4);
let weights = cp.randn([128, 64]);

function handleRequest(payload: number[]): number {
  return cp.tidy(() => {
    let x: cp.Tensor, processed: cp.Tensor;
    {
      using _s = new ProfileContext('data_loading');
      x = cp.tensor(Float32Array.from(payload), { shape: [payload.length / 128, 128] }); // parse the request body
    }
    {
      using _s = new ProfileContext('preprocessing');
      const { mean, variance } = x.moments(1, true);
      processed = x.sub(mean).div(variance.add(1e-5).sqrt());
    }
    using _s = new ProfileContext('model_inference');
    return processed.matmul(weights).relu().sum().item();
  });
}

function sectionTimes(): Record<Section, number> {
  const report = cp.profileReport({ format: 'json' });
  return Object.fromEntries(SECTIONS.map((s) => [s, report.contexts[s]?.totalTimeMs ?? 0])) as Record<Section, number>;
}

const payload = Array.from({ length: 256 * 128 }, (_, i) => Math.sin(i));
cp.enableProfiling({ callSites: 'off' });

// 1. Budgets from 7 warm-up requests: median × 1.5 + 1 ms per section.
const samples: Record<Section, number[]> = { data_loading: [], preprocessing: [], model_inference: [] };
for (let i = 0; i < 8; i++) {
  cp.clearProfile();
  handleRequest(payload);
  if (i === 0) continue; // the first request compiles kernels
  const t = sectionTimes();
  for (const s of SECTIONS) samples[s].push(t[s]);
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const budgetMs = Object.fromEntries(SECTIONS.map((s) => [s, median(samples[s]) * 1.5 + 1])) as Record<Section, number>;
console.log('budgets (measured median × 1.5 + 1, ms):', Object.fromEntries(SECTIONS.map((s) => [s, Number(budgetMs[s].toFixed(3))])));

// 2. Serve requests; check each against the budgets.
let warnings = 0;
for (let request = 1; request <= 6; request++) {
  if (request === 4) weights = cp.randn([128, 512]); // the bigger model ships
  cp.clearProfile();
  handleRequest(payload);
  const t = sectionTimes();
  for (const s of SECTIONS) {
    if (t[s] > budgetMs[s]) {
      warnings++;
      console.warn(`WARNING request ${request}: PERFORMANCE REGRESSION in ${s}: ${t[s].toFixed(2)} ms (budget ${budgetMs[s].toFixed(2)} ms)`);
    }
  }
}

const o = cp.profileReport({ format: 'json' }).overhead;
console.log(`\n${warnings} budget warning(s) in 6 requests`);
console.log(`profiler cost with callSites 'off': ${o.perOpNs.toFixed(0)} ns per op measured, ${o.percentOfOpTime.toFixed(2)}% of op time in the last request`);
