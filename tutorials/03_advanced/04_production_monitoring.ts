/**
 * Tutorial 3.4 — profiling in production (the seed's Example 4).
 *
 * Run: npx tsx tutorials/03_advanced/04_production_monitoring.ts
 * Needs the OpenTelemetry SDK, which corepy leaves to the application (in the repository it is a
 * devDependency; in your own folder install it once):
 *   npm i @opentelemetry/exporter-prometheus@^0.223.0 @opentelemetry/sdk-metrics@^2.12.0 @opentelemetry/sdk-trace-base@^2.12.0
 *
 * What to look for:
 *  - `callSites: 'off'` (or 'sampled') makes recording cheap: no stack capture per op. The report
 *    states the profiler's measured cost (`overhead`), so you can decide whether it is affordable;
 *  - each request is split into named sections; after the request, `contexts[name].totalTimeMs`
 *    is compared with a budget, and the recording is cleared so memory stays flat;
 *  - the budgets are not typed-in guesses: they are measured from warm-up requests (median × 1.5,
 *    plus 1 ms of slack because sub-millisecond sections jitter by more than 50 % on a busy
 *    machine), the way you would derive them from a staging run.
 * Midway, the "model" gets 64× larger — a deployment that shipped a bigger model — and the
 * monitor logs a warning for model_inference.
 *
 * Part 3 takes the same monitor to a fleet with OpenTelemetry: `cp.enableOpenTelemetry()` sends
 * per-op duration histograms, bytes and memory to the registered MeterProvider (here a Prometheus
 * exporter serving /metrics, as Prometheus would scrape it) and each section as a span
 * `corepy.context <name>` with its top ops (here kept in memory; in production an OTLP exporter
 * to a collector). A baseline regression becomes a span event and the counter
 * `corepy_baseline_regressions_total`. It prints the alert rules and what OpenTelemetry costs per request.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { metrics, trace } from '@opentelemetry/api';
import * as cp from 'corepy';
import { ProfileContext } from 'corepy';

// The SDK packages are imported dynamically so that a folder without them gets one line saying
// what to install, not a stack trace. (@opentelemetry/api comes with corepy.)
const OTEL_SDK_INSTALL = 'npm i @opentelemetry/exporter-prometheus@^0.223.0 @opentelemetry/sdk-metrics@^2.12.0 @opentelemetry/sdk-trace-base@^2.12.0';
async function importOtelSdk() {
  try {
    return await Promise.all([
      import('@opentelemetry/exporter-prometheus'), import('@opentelemetry/sdk-metrics'), import('@opentelemetry/sdk-trace-base'),
    ]);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw e;
    console.error(`This tutorial needs the OpenTelemetry SDK (${(e as Error).message.split('\n')[0]!.replace(/ imported from .*/, '')}); install it with: ${OTEL_SDK_INSTALL}`);
    process.exit(1);
  }
}
const [{ PrometheusExporter }, { MeterProvider }, { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor }] = await importOtelSdk();

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
  if (request === 4) weights = cp.randn([128, 4096]); // the bigger model ships
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

// 3. Fleet-wide: OpenTelemetry. The application registers the SDK once at start-up; corepy uses the
//    global providers. Prometheus scrapes /metrics (its usual port for OpenTelemetry is 9464; here
//    METRICS_PORT, default any free port, so the tutorial never collides with a running exporter).
const exporter = new PrometheusExporter({ preventServerStart: true });
const server = createServer((req, res) => exporter.getMetricsRequestHandler(req, res));
await new Promise<void>((resolve) => server.listen(Number(process.env['METRICS_PORT'] ?? 0), '127.0.0.1', resolve));
// prometheusViews(): the metric names the OpenTelemetry spec gives Prometheus (corepy_op_duration_seconds_*);
// the JS exporter does not add unit suffixes itself. Not needed behind an OpenTelemetry Collector.
const meterProvider = new MeterProvider({ readers: [exporter], views: cp.prometheusViews() });
const spans = new InMemorySpanExporter(); // production: BatchSpanProcessor + an OTLP exporter to your collector
const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
metrics.setGlobalMeterProvider(meterProvider);
trace.setGlobalTracerProvider(tracerProvider);
cp.enableOpenTelemetry();

// A baseline from the small model, then the bigger model ships again: compareToBaseline finds it.
const dir = mkdtempSync(join(tmpdir(), 'corepy-monitoring-'));
weights = cp.randn([128, 64]);
cp.clearProfile();
for (let i = 0; i < 30; i++) handleRequest(payload);
cp.saveBaseline(join(dir, 'baseline.json'));
weights = cp.randn([128, 4096]);
cp.clearProfile();
for (let i = 0; i < 30; i++) handleRequest(payload);
const comparison = cp.compareToBaseline(join(dir, 'baseline.json'));
rmSync(dir, { recursive: true, force: true });
// A regression counts only beyond 3 standard errors and when the op's fastest call moved too. The model's ops move
// most; the ops around it can move as well — the bigger weights (2 MB) push the requests' data out of the caches, and
// on a busy machine every op moves: `loadNote` says when the machine's load makes the comparison unreliable.
console.log(`\nbaseline check: ${comparison.regressions.map((r) => `${r.kind} ${r.name} ×${r.ratio.toFixed(1)}`).join(', ') || 'no significant regression'}`);
if (comparison.loadNote) console.log(`  note: ${comparison.loadNote}`);

// What Prometheus scrapes: one histogram series per (op, backend, dtype), no shapes or lines.
const { port } = server.address() as AddressInfo;
const scraped = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
console.log('\nscraped from /metrics (count series):');
for (const line of scraped.split('\n')) if (line.startsWith('corepy_op_duration_seconds_count')) console.log(`  ${line.replace(/,otel_scope_\w+="[^"]*"/g, '')}`);
const regressionLines = scraped.split('\n').filter((l) => l.startsWith('corepy_baseline_regressions_total'));
console.log(regressionLines.map((l) => `  ${l.replace(/,?otel_scope_\w+="[^"]*"/g, '')}`).join('\n'));

// What the tracing backend receives: one span per section per request, with its top ops.
const last = spans.getFinishedSpans().filter((s) => s.name === 'corepy.context model_inference').at(-1)!;
console.log(`\nspan ${last.name}: ${(last.duration[0] * 1e3 + last.duration[1] / 1e6).toFixed(3)} ms, top ops ${JSON.stringify(last.attributes['corepy.op.top'])}`);

// What to alert on (Prometheus rules; the thresholds come from your own staging runs, as the budgets above).
console.log(`
alert rules:
  p95 of an op above its budget:    histogram_quantile(0.95, sum by (le, corepy_op) (rate(corepy_op_duration_seconds_bucket[5m]))) > 0.005
  a section slower than baseline:   increase(corepy_baseline_regressions_total{corepy_baseline_kind="context"}[15m]) > 0
  tensors leaking:                  deriv(corepy_tensor_live[15m]) > 0`);

// The cost: requests with OpenTelemetry on and off, alternating, medians (profiling stays on for both).
const on: number[] = [], off: number[] = [];
const timed = (): number => { const t = performance.now(); handleRequest(payload); return performance.now() - t; };
for (let i = 0; i < 40; i++) {
  if (i % 2 === 0) { on.push(timed()); cp.disableOpenTelemetry(); off.push(timed()); cp.enableOpenTelemetry(); } else { cp.disableOpenTelemetry(); off.push(timed()); cp.enableOpenTelemetry(); on.push(timed()); }
}
cp.disableOpenTelemetry();
console.log(`OpenTelemetry cost: request ${median(on).toFixed(3)} ms with vs ${median(off).toFixed(3)} ms without (medians of 40 alternating)`);
await meterProvider.shutdown();
await tracerProvider.shutdown();
server.close();
