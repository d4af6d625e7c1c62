/**
 * Real OpenTelemetry SDKs for the tests: a MeterProvider whose reader collects on demand, a
 * BasicTracerProvider exporting to memory, and a context manager on AsyncLocalStorage (the
 * @opentelemetry/context-async-hooks package does the same; it is not a dependency).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { ROOT_CONTEXT, type Context, type ContextManager } from '@opentelemetry/api';
import { DataPointType, MeterProvider, MetricReader, type DataPoint, type Histogram, type MetricData } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';

/** A reader that collects when asked (what a PeriodicExportingMetricReader does on its timer). */
export class OnDemandReader extends MetricReader {
  protected async onShutdown(): Promise<void> { /* nothing buffered */ }
  protected async onForceFlush(): Promise<void> { /* nothing buffered */ }
}

/** One meter provider + reader and one tracer provider + in-memory span exporter. */
export function sdks(): { meterProvider: MeterProvider; reader: OnDemandReader; tracerProvider: BasicTracerProvider; spans: InMemorySpanExporter } {
  const reader = new OnDemandReader();
  const spans = new InMemorySpanExporter();
  return {
    meterProvider: new MeterProvider({ readers: [reader] }), reader,
    tracerProvider: new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }), spans,
  };
}

/** Every metric of one collection, by name. */
export async function collect(reader: MetricReader): Promise<Map<string, MetricData>> {
  const { resourceMetrics, errors } = await reader.collect();
  if (errors.length) throw errors[0];
  const out = new Map<string, MetricData>();
  for (const sm of resourceMetrics.scopeMetrics) for (const m of sm.metrics) out.set(m.descriptor.name, m);
  return out;
}

/** The data point of `metric` whose attributes include `attrs`. */
export function point<T>(metric: MetricData | undefined, attrs: Record<string, string>): DataPoint<T> | undefined {
  if (!metric) return undefined;
  return (metric.dataPoints as DataPoint<T>[]).find((p) => Object.entries(attrs).every(([k, v]) => p.attributes[k] === v));
}

export type { Histogram };
export { DataPointType };

/** A context manager on AsyncLocalStorage, so `context.with` / `startActiveSpan` make a span active. */
export class AlsContextManager implements ContextManager {
  private readonly als = new AsyncLocalStorage<Context>();
  active(): Context { return this.als.getStore() ?? ROOT_CONTEXT; }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(ctx: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    return this.als.run(ctx, () => fn.apply(thisArg, args));
  }
  bind<T>(_ctx: Context, target: T): T { return target; }
  enable(): this { return this; }
  disable(): this { this.als.disable(); return this; }
}
