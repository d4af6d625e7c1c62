/**
 * cp.enableOpenTelemetry against the real SDKs (sdk-metrics with an on-demand reader,
 * sdk-trace-base with an in-memory exporter): instrument names, units and attributes, exact
 * histogram counts and sums against the profiler's own report, bytes, gauges, context spans with
 * their nesting and top ops, baseline regressions, GPU times, and what disable leaves behind.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { context, metrics, trace } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, it } from 'mocha';
import type { Backend, GpuTimingSink } from '../../runtime/src/backends/backend.js';
import { getDispatchObserver } from '../../runtime/src/engine.js';
import * as cp from '../../runtime/src/index.js';
import { ATTR, DURATION_BUCKETS_S } from '../../runtime/src/otel/names.js';
import { BUFFER_SIZE } from '../../runtime/src/otel/op-metrics.js';
import { MeterProvider, type MetricProducer } from '@opentelemetry/sdk-metrics';
import { PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { SeriesHistogram } from '../../runtime/src/otel/metric-producer.js';
import { AlsContextManager, OnDemandReader, collect, DataPointType, point, sdks, type Histogram } from './otel-harness.js';

const attrs = (op: string, backend = 'wasm', dtype = 'float32'): Record<string, string> => ({ [ATTR.op]: op, [ATTR.backend]: backend, [ATTR.dtype]: dtype });

describe('OpenTelemetry export', () => {
  // Earlier suites may leave another default backend or a recording behind.
  beforeEach(async () => {
    await cp.setBackend('wasm');
    cp.disableProfiling();
    cp.clearProfile();
  });
  afterEach(async () => {
    cp.disableOpenTelemetry();
    cp.disableProfiling();
    cp.clearProfile();
    await cp.setBackend('wasm');
  });

  it('records every op in corepy.op.duration with exact counts, the op/backend/dtype attributes and the bucket advice', async () => {
    const { meterProvider, reader } = sdks();
    cp.enableOpenTelemetry({ meterProvider });
    assert.ok(cp.isProfiling(), 'op metrics come from the recorder: profiling was turned on');
    const x = cp.keep(cp.ones([1000]));
    const n = BUFFER_SIZE + 37; // crosses one buffer flush
    for (let i = 0; i < n; i++) x.add(x).dispose();
    await cp.setBackend('js');
    const y = cp.keep(cp.ones([10]));
    for (let i = 0; i < 5; i++) y.mul(y).dispose();
    const report = cp.profileReport({ format: 'json' });
    const m = await collect(reader);

    const duration = m.get('corepy.op.duration')!;
    assert.equal(duration.descriptor.unit, 's');
    assert.equal(duration.dataPointType, DataPointType.HISTOGRAM);
    const add = point<Histogram>(duration, attrs('add'))!;
    assert.equal(add.value.count, n, 'every add, exactly once');
    assert.deepEqual(Object.keys(add.attributes).sort(), [ATTR.backend, ATTR.dtype, ATTR.op].sort(), 'no shapes, no lines: bounded cardinality');
    assert.deepEqual(add.value.buckets.boundaries, [...DURATION_BUCKETS_S]);
    assert.equal(add.value.buckets.counts.reduce((a, b) => a + b, 0), n);
    const addReport = report.operations.find((o) => o.op === 'add')!;
    assert.ok(Math.abs(add.value.sum! - addReport.totalMs / 1000) <= 1e-9 * n, `histogram sum ${add.value.sum} s vs the report's ${addReport.totalMs} ms`);
    assert.equal(point<Histogram>(duration, attrs('mul', 'js'))!.value.count, 5);
    // Creation ops (ones is recorded as full) have no input: their dtype is the result's.
    assert.equal(point<Histogram>(duration, attrs('full', 'js'))!.value.count, 1);

    const bytes = m.get('corepy.op.bytes')!;
    assert.equal(bytes.descriptor.unit, 'By');
    assert.equal(point<number>(bytes, attrs('add'))!.value, addReport.bytesRead + addReport.bytesWritten);
    assert.equal(point<number>(bytes, attrs('add'))!.value, n * 3 * 1000 * 4, 'two inputs read, one output written, 4 bytes each');

    const live = m.get('corepy.tensor.live')!;
    assert.equal(live.descriptor.unit, '{tensor}');
    assert.equal(live.dataPoints[0]!.value, cp.memory().tensors);
    const used = point<number>(m.get('corepy.memory.used'), { [ATTR.backend]: 'wasm' })!;
    assert.equal(used.value, cp.memory().backends['wasm']!.bytesInUse);
    assert.ok(used.value >= 4000, 'x is resident on wasm');
    assert.ok(point<number>(m.get('corepy.memory.reserved'), { [ATTR.backend]: 'js' }));
    x.dispose(); y.dispose();
  });

  it('makes each ProfileContext and @profiled call a span with its top ops, nested under its parent', async () => {
    const { tracerProvider, spans, meterProvider } = sdks();
    cp.enableOpenTelemetry({ tracerProvider, meterProvider });
    const x = cp.keep(cp.ones([256]));
    const step = cp.profiled(function step() { x.exp().dispose(); }, 'step');
    cp.profileContext('request', () => {
      for (let i = 0; i < 3; i++) x.add(x).dispose();
      using _inner = new cp.ProfileContext('inference');
      for (let i = 0; i < 2; i++) step();
      x.mul(x).dispose();
    });
    await new cp.ProfileContext('async').run(async () => { await Promise.resolve(); x.sqrt().dispose(); });
    const done = spans.getFinishedSpans();
    assert.deepEqual(done.map((s) => s.name).sort(),
      ['corepy.context async', 'corepy.context inference', 'corepy.context request', 'corepy.context step', 'corepy.context step'], 'one span per context instance, none per op');
    const byName = (n: string) => done.filter((s) => s.name === `corepy.context ${n}`);
    const [request] = byName('request'), [inference] = byName('inference'), steps = byName('step');
    assert.equal(inference!.parentSpanContext?.spanId, request!.spanContext().spanId);
    for (const s of steps) assert.equal(s.parentSpanContext?.spanId, inference!.spanContext().spanId);
    assert.equal(request!.parentSpanContext, undefined, 'no active span: a root span');
    assert.equal(steps[0]!.attributes[ATTR.contextKind], 'function');
    assert.equal(request!.attributes[ATTR.contextKind], 'context');
    // request holds its own 3 adds plus everything inside it: 2 exps and 1 mul.
    assert.equal(request!.attributes[ATTR.opCount], 6);
    assert.deepEqual([...(request!.attributes[ATTR.topOps] as string[])].sort(), ['add', 'exp', 'mul']);
    const top = request!.attributes[ATTR.topOps] as string[], counts = request!.attributes[ATTR.topOpsCount] as number[];
    assert.equal(counts[top.indexOf('add')], 3);
    assert.equal(counts[top.indexOf('exp')], 2);
    const times = request!.attributes[ATTR.topOpsTime] as number[];
    assert.deepEqual(times, [...times].sort((a, b) => b - a), 'most time first');
    assert.deepEqual(steps[0]!.attributes[ATTR.topOps], ['exp']);
    assert.deepEqual(byName('async')[0]!.attributes[ATTR.topOps], ['sqrt'], 'ops after an await are still counted');
    // Span times are the frame's own: the report's context time for request is the span's duration
    // less the profiler's captures inside it (the span is wall time; the report leaves them out).
    const ctx = cp.profileReport({ format: 'json' }).contexts['request']!;
    const ms = (s: (typeof done)[number]) => (s.duration[0] * 1e3 + s.duration[1] / 1e6);
    const profilerMs = 1e3 * (request!.attributes[ATTR.profilerTime] as number);
    assert.ok(profilerMs >= 0);
    assert.ok(Math.abs(ms(request!) - profilerMs - ctx.totalTimeMs) < 0.01, `span ${ms(request!)} ms − profiler ${profilerMs} ms vs report ${ctx.totalTimeMs} ms`);
    x.dispose();
  });

  it('nests a context span under the span active in OpenTelemetry when it opens', () => {
    const manager = new AlsContextManager();
    context.setGlobalContextManager(manager);
    try {
      const { tracerProvider, spans } = sdks();
      cp.enableOpenTelemetry({ tracerProvider });
      tracerProvider.getTracer('app').startActiveSpan('GET /predict', (request) => {
        cp.profileContext('model', () => cp.ones([4]).dispose());
        request.end();
      });
      const [model, request] = spans.getFinishedSpans();
      assert.equal(model!.name, 'corepy.context model');
      assert.equal(model!.parentSpanContext?.spanId, request!.spanContext().spanId);
      assert.equal(model!.spanContext().traceId, request!.spanContext().traceId);
    } finally {
      context.disable();
    }
  });

  it('reports a baseline regression as a span event and a counter', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'corepy-otel-'));
    try {
      const { tracerProvider, spans, meterProvider, reader } = sdks();
      cp.enableProfiling({ callSites: 'off' });
      const x = cp.keep(cp.randn([1 << 16]));
      for (let i = 0; i < 2000; i++) x.exp().dispose();
      // A real baseline, then its exp made 1 ns with no spread: exp regresses however noisy this machine is.
      // 2000 calls: the comparison needs the difference to exceed 3 standard errors of the current mean,
      // and one descheduling of ~20 ms among few calls inflates that error past the mean itself.
      const path = join(dir, 'base.json');
      cp.saveBaseline(path);
      const base = JSON.parse(readFileSync(path, 'utf8'));
      base.ops.exp = { ...base.ops.exp, meanMs: 1e-6, stddevMs: 0, steadyMeanMs: 1e-6, steadyStddevMs: 0, steadyMedianMs: 1e-6, steadyMadMs: 0, minMs: 1e-6 };
      writeFileSync(path, JSON.stringify(base));
      cp.enableOpenTelemetry({ tracerProvider, meterProvider });
      const result = cp.profileContext('check', () => cp.compareToBaseline(path));
      assert.ok(!result.ok && result.regressions.some((r) => r.name === 'exp'), 'exp regressed');
      const compare = spans.getFinishedSpans().find((s) => s.name === 'corepy.baseline.compare')!;
      const check = spans.getFinishedSpans().find((s) => s.name === 'corepy.context check')!;
      assert.equal(compare.parentSpanContext?.spanId, check.spanContext().spanId, 'under the open corepy context');
      assert.equal(compare.attributes[ATTR.ok], false);
      const ev = compare.events.find((e) => e.name === 'corepy.baseline.regression' && e.attributes?.[ATTR.baselineName] === 'exp')!;
      assert.equal(ev.attributes![ATTR.baselineKind], 'op');
      const exp = result.regressions.find((r) => r.name === 'exp')!;
      assert.equal(ev.attributes![ATTR.ratio], exp.ratio);
      assert.equal(ev.attributes![ATTR.currentMean], exp.currentMeanMs / 1000);
      const counter = point<number>((await collect(reader)).get('corepy.baseline.regressions'), { [ATTR.baselineKind]: 'op', [ATTR.baselineName]: 'exp' });
      assert.equal(counter?.value, 1);
      assert.ok(cp.isProfiling(), 'profiling was on before: enable did not own it');
      x.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('records GPU time into corepy.op.gpu.duration when the timestamp queries resolve, never an estimate', async () => {
    const { meterProvider, reader } = sdks();
    let sink: GpuTimingSink | null = null, last = -1;
    const gpu = { name: 'fake-gpu', device: 'gpu', setTimingSink: (s: GpuTimingSink | null) => { sink = s; }, markOp: (id: number) => { if (id >= 0) last = id; } } as unknown as Backend;
    cp.enableOpenTelemetry({ meterProvider, profiling: { callSites: 'off' } });
    const rec = getDispatchObserver()!;
    rec.observe('matmul', [], gpu, () => 0);
    const id = last;
    rec.observe('matmul', [], gpu, () => 0);
    (sink as GpuTimingSink | null)!.gpuTime(id, 10, 12.5, false); // resolves later, for the first op only
    (sink as GpuTimingSink | null)!.gpuTime(last, 20, 30, true); // an estimate (no timestamp queries): not sent
    const m = await collect(reader);
    const g = point<Histogram>(m.get('corepy.op.gpu.duration'), { [ATTR.op]: 'matmul', [ATTR.backend]: 'fake-gpu' })!;
    assert.equal(m.get('corepy.op.gpu.duration')!.descriptor.unit, 's');
    assert.equal(g.value.count, 1);
    assert.equal(g.value.sum, 0.0025);
    assert.equal(point<Histogram>(m.get('corepy.op.duration'), { [ATTR.op]: 'matmul', [ATTR.backend]: 'fake-gpu' })!.value.count, 2);
  });

  it('uses the globally registered providers by default, and stops on disable', async () => {
    const { meterProvider, reader, tracerProvider, spans } = sdks();
    assert.ok(metrics.setGlobalMeterProvider(meterProvider) && trace.setGlobalTracerProvider(tracerProvider));
    try {
      cp.enableOpenTelemetry();
      const x = cp.ones([8]);
      cp.profileContext('c', () => x.add(x).dispose());
      cp.disableOpenTelemetry();
      assert.ok(!cp.isProfiling(), 'enable turned profiling on, so disable turned it off');
      assert.equal(cp.isOpenTelemetryEnabled(), false);
      cp.enableProfiling();
      for (let i = 0; i < 10; i++) cp.profileContext('c', () => x.add(x).dispose());
      const m = await collect(reader);
      assert.equal(point<Histogram>(m.get('corepy.op.duration'), attrs('add'))!.value.count, 1, 'ops after disable are not sent');
      assert.equal(spans.getFinishedSpans().length, 1);
      x.dispose();
    } finally {
      metrics.disable(); trace.disable();
    }
  });

  it('prometheusViews names each instrument with its unit, once', async () => {
    const reader = new OnDemandReader();
    const meterProvider = new MeterProvider({ readers: [reader], views: cp.prometheusViews() });
    cp.enableOpenTelemetry({ meterProvider });
    cp.ones([4]).dispose();
    const names = [...(await collect(reader)).keys()].sort();
    assert.deepEqual(names, ['corepy.memory.reserved_bytes', 'corepy.memory.used_bytes', 'corepy.op.bytes', 'corepy.op.duration_seconds', 'corepy.tensor.live']);
    assert.ok(cp.prometheusViews().some((v) => v.instrumentName === 'corepy.op.gpu.duration' && v.name === 'corepy.op.gpu.duration_seconds'));
  });

  it('createMetricProducer: the same histogram without an SDK call per op, collected by the reader', async () => {
    const producer = cp.createMetricProducer();
    const reader = new OnDemandReader({ metricProducers: [producer as unknown as MetricProducer] });
    const meterProvider = new MeterProvider({ readers: [reader] });
    cp.enableOpenTelemetry({ meterProvider, metricProducer: producer });
    const x = cp.keep(cp.ones([256]));
    const n = 3 * BUFFER_SIZE; // nothing is buffered on this path: any count is exact at once
    for (let i = 0; i < n; i++) x.add(x).dispose();
    const report = cp.profileReport({ format: 'json' });
    const { resourceMetrics } = await reader.collect();
    const all = resourceMetrics.scopeMetrics.flatMap((sm) => sm.metrics);
    assert.equal(all.filter((m) => m.descriptor.name === 'corepy.op.duration').length, 1, 'only the producer\'s histogram, no SDK duplicate');
    const duration = all.find((m) => m.descriptor.name === 'corepy.op.duration')!;
    assert.equal(duration.descriptor.unit, 's');
    assert.equal(duration.dataPointType, DataPointType.HISTOGRAM);
    const add = point<Histogram>(duration, attrs('add'))!;
    assert.equal(add.value.count, n);
    assert.equal(add.value.buckets.counts.reduce((a, b) => a + b, 0), n);
    const addReport = report.operations.find((o) => o.op === 'add')!;
    assert.ok(Math.abs(add.value.sum! - addReport.totalMs / 1000) <= 1e-9 * n);
    assert.ok(Math.abs(add.value.min! - addReport.minMs / 1000) < 1e-12 && Math.abs(add.value.max! - addReport.maxMs / 1000) < 1e-12);
    assert.ok(all.some((m) => m.descriptor.name === 'corepy.op.bytes'), 'the other instruments still come from the meter');
    // The exposition Prometheus scrapes, renamed as prometheusViews() renames the SDK's instruments.
    const named = cp.createMetricProducer({ names: cp.prometheusViews() });
    cp.enableOpenTelemetry({ meterProvider, metricProducer: named });
    x.add(x).dispose();
    const text = new PrometheusSerializer().serialize((await named.collect()).resourceMetrics as never);
    assert.match(text, /^corepy_op_duration_seconds_count\{corepy_op="add",corepy_backend="wasm",corepy_dtype="float32"[^}]*\} 1$/m);
    assert.match(text, /^corepy_op_duration_seconds_bucket\{[^}]*le="\+Inf"\} 1$/m);
    assert.throws(() => cp.enableOpenTelemetry({ metricProducer: {} as never }), /metricProducer must come from cp.createMetricProducer\(\)/);
    x.dispose();
  });

  it('the producer puts each duration in the bucket sdk-metrics would', async () => {
    const values = [0, 1e-6, 1.0000001e-6, 2.5e-6, 3e-6, 0.01, 0.0999, 10, 11, 1e-9];
    const reader = new OnDemandReader();
    const h = new MeterProvider({ readers: [reader] }).getMeter('t').createHistogram('h', { advice: { explicitBucketBoundaries: [...DURATION_BUCKETS_S] } });
    const mine = new SeriesHistogram({});
    for (const v of values) { h.record(v); mine.record(v); }
    const sdk = (await collect(reader)).get('h')!.dataPoints[0]!.value as Histogram;
    assert.deepEqual([...mine.counts], sdk.buckets.counts);
    assert.deepEqual([mine.count, mine.sum, mine.min, mine.max], [sdk.count, sdk.sum, sdk.min, sdk.max]);
  });

  it('ends context spans still open when disabled, and rejects providers that are not providers', () => {
    const { tracerProvider, spans } = sdks();
    cp.enableOpenTelemetry({ tracerProvider });
    const open = new cp.ProfileContext('left-open');
    cp.disableOpenTelemetry();
    assert.deepEqual(spans.getFinishedSpans().map((s) => s.name), ['corepy.context left-open']);
    open[Symbol.dispose]();
    assert.equal(spans.getFinishedSpans().length, 1, 'closing it later sends nothing more');
    assert.throws(() => cp.enableOpenTelemetry({ meterProvider: {} as never }), /meterProvider must be an OpenTelemetry MeterProvider/);
    assert.throws(() => cp.enableOpenTelemetry({ tracerProvider: 42 as never }), /tracerProvider must be/);
    assert.throws(() => cp.enableOpenTelemetry(null as never), /options must be an object/);
    assert.equal(cp.isOpenTelemetryEnabled(), false);
  });
});
