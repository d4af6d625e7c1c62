/**
 * A snapshot restricted to one context's subtree, for the timeline exports (chrome, speedscope,
 * folded, html) of `exportProfile(path, { format, context })`: the same ops the report keeps for
 * that context (every op issued inside a context of that name, at any depth), with the spans of
 * those contexts and of the contexts and @profiled functions inside them. The contexts that enclose
 * it are left out, so its spans are the timeline's outermost slices; GPU intervals follow their ops;
 * one-time work (kernel compilation, memory growth) is kept when it ran while such a span was open
 * on its thread (it belongs to no op, so this is the closest the recording comes). Times keep their
 * origin: a slice starts where it started in the whole recording. Pure.
 */
import { isWithin } from '../profiler/aggregate.js';
import type { EventColumns, SpanColumns } from '../profiler/event-columns.js';
import type { ProfileData } from '../profiler/types.js';

/** `data` with only the events and spans inside the context `name`; an unknown name keeps nothing. */
export function restrictToContext(data: ProfileData, name: string): ProfileData {
  const inside = new Uint8Array(data.contexts.length);
  for (let n = 1; n < data.contexts.length; n++) if (isWithin(n, name, data.contexts)) inside[n] = 1;
  const keep = (context: number): boolean => inside[context] === 1;
  const events = data.columns ? pickColumns(data.columns.events, data.columns.events.context, keep) : null;
  const spans = data.columns ? pickColumns(data.columns.spans, data.columns.spans.context, keep) : null;
  // The spans of the context itself (outermost of its subtree), where one-time work may fall.
  const own: { start: number; end: number; thread: number }[] = [];
  if (spans) {
    for (let i = 0; i < spans.length; i++) if (data.contexts[spans.context[i]!]!.name === name) own.push({ start: spans.startMs[i]!, end: spans.endMs[i]!, thread: spans.thread[i]! });
  } else {
    for (const s of data.spans) if (keep(s.context) && data.contexts[s.context]!.name === name) own.push({ start: s.startMs, end: s.endMs, thread: s.thread });
  }
  const costThread = data.threads[0] ?? 0;
  return {
    ...data,
    events: data.events.filter((e) => keep(e.context)),
    spans: data.spans.filter((s) => keep(s.context)),
    ...(data.columns ? { columns: { events: events!, spans: spans! } } : {}),
    ...(data.oneTimeCosts ? { oneTimeCosts: data.oneTimeCosts.filter((c) => own.some((s) => s.thread === costThread && c.startMs >= s.start && c.endMs <= s.end)) } : {}),
  };
}

/**
 * The rows of a column set (every typed array of length `length`) whose `context` passes `keep`.
 * Columns are copied generically, so one added to EventColumns or SpanColumns is kept too.
 */
function pickColumns<C extends EventColumns | SpanColumns>(cols: C, context: Int32Array, keep: (context: number) => boolean): C {
  const rows: number[] = [];
  for (let i = 0; i < cols.length; i++) if (keep(context[i]!)) rows.push(i);
  const out: Record<string, unknown> = { ...cols, length: rows.length };
  for (const [key, value] of Object.entries(cols)) {
    if (!ArrayBuffer.isView(value) || (value as unknown as ArrayLike<number>).length !== cols.length) continue;
    const from = value as unknown as Int32Array;
    const to = new (from.constructor as Int32ArrayConstructor)(rows.length);
    for (let k = 0; k < rows.length; k++) to[k] = from[rows[k]!]!;
    out[key] = to;
  }
  return out as C;
}
