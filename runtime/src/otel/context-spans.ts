/**
 * Context spans: each ProfileContext / @profiled call becomes one span `corepy.context <name>`
 * (never one span per op). The span's parent is the enclosing corepy context's span, or else
 * whatever span is active in OpenTelemetry's context when the corepy context opens (an HTTP
 * request span, say). Ops issued inside it, at any depth, are tallied per op name; when it
 * closes, the top ops by time become span attributes (ATTR.topOps and friends).
 */
import type { Span, Tracer } from '@opentelemetry/api';
import { currentFrame, type Frame, type FrameObserver } from '../profiler/context.js';
import { otelApi } from './api.js';
import { ATTR, CONTEXT_SPAN, TOP_OPS } from './names.js';

interface OpTally { count: number; seconds: number }

/** One open context instance. */
interface OpenSpan {
  readonly span: Span;
  readonly ops: Map<string, OpTally>;
  count: number;
  seconds: number;
}

export class ContextSpans implements FrameObserver {
  /** A Map, not a WeakMap: on disable the spans still open are ended (see endAll). */
  private readonly open = new Map<Frame, OpenSpan>();

  private readonly api = otelApi();

  constructor(private readonly tracer: Tracer) {}

  opened(f: Frame, name: string, kind: 'context' | 'function'): void {
    const parent = f.parent !== null ? this.open.get(f.parent) : undefined;
    const { context, trace } = this.api;
    const ctx = parent ? trace.setSpan(context.active(), parent.span) : context.active();
    const span = this.tracer.startSpan(`${CONTEXT_SPAN} ${name}`, { startTime: f.startMs, attributes: { [ATTR.contextKind]: kind } }, ctx);
    this.open.set(f, { span, ops: new Map(), count: 0, seconds: 0 });
  }

  closed(f: Frame, endMs: number): void {
    const o = this.open.get(f);
    if (!o) return; // opened before OpenTelemetry was enabled
    this.open.delete(f);
    this.finish(o, endMs, f.profilerMs);
  }

  private finish(o: OpenSpan, endMs?: number, profilerMs = 0): void {
    const top = [...o.ops].sort((a, b) => b[1].seconds - a[1].seconds).slice(0, TOP_OPS);
    o.span.setAttributes({
      [ATTR.opCount]: o.count, [ATTR.opTime]: o.seconds, [ATTR.profilerTime]: profilerMs / 1e3,
      [ATTR.topOps]: top.map(([op]) => op), [ATTR.topOpsTime]: top.map(([, t]) => t.seconds), [ATTR.topOpsCount]: top.map(([, t]) => t.count),
    });
    o.span.end(endMs);
  }

  /** Tallies an op issued inside the current frame into every open span up the frame chain. */
  readonly onOp = (op: string, seconds: number): void => {
    if (this.open.size === 0) return;
    for (let f = currentFrame(); f !== null; f = f.parent) {
      const o = this.open.get(f);
      if (!o) continue;
      o.count++;
      o.seconds += seconds;
      const t = o.ops.get(op);
      if (t) { t.count++; t.seconds += seconds; } else o.ops.set(op, { count: 1, seconds });
    }
  };

  /** The span of the innermost open corepy context, if any (baseline events attach under it). */
  currentSpan(): Span | undefined {
    for (let f = currentFrame(); f !== null; f = f.parent) {
      const o = this.open.get(f);
      if (o) return o.span;
    }
    return undefined;
  }

  /** Ends every span still open (on disable: their frames will not be reported to us), so none is lost. */
  endAll(): void {
    for (const o of this.open.values()) this.finish(o);
    this.open.clear();
  }
}
