/**
 * Chrome trace export (chrome://tracing, Perfetto): the JSON object format with complete (`X`)
 * events, `ts`/`dur` in µs relative to the profile start, pid 1, one tid per thread, `M` metadata
 * naming the process and threads, contexts as enclosing slices (the flame model already nests
 * them properly), and the GPU queue on its own track (tid {@link GPU_TID}).
 */
import { SliceKind } from '../profiler/flame-model.js';
import type { ExportInput } from './types.js';

/** tid of the GPU queue track. */
export const GPU_TID = 9999;

/** One trace event (the subset of fields we write). */
export interface TraceEvent {
  readonly name: string;
  readonly ph: 'X' | 'M';
  readonly pid: number;
  readonly tid: number;
  readonly ts?: number;
  readonly dur?: number;
  readonly cat?: string;
  readonly args?: Record<string, unknown>;
}

const CATEGORY: Record<number, string> = { [SliceKind.Context]: 'context', [SliceKind.Function]: 'function', [SliceKind.Op]: 'op', [SliceKind.Gpu]: 'gpu', [SliceKind.OneTime]: 'one-time' };

/** The trace as a JSON string. */
export function toChromeTrace(input: ExportInput): string {
  const { flame } = input;
  const s = flame.slices;
  const threads = new Set<number>();
  const events: TraceEvent[] = [];
  for (let i = 0; i < s.name.length; i++) {
    const thread = s.thread?.[i] ?? 0;
    const gpu = s.kind[i] === SliceKind.Gpu;
    const tid = gpu ? GPU_TID : thread + 1;
    if (!gpu) threads.add(thread);
    const loc = s.location[i]! >= 0 ? flame.locations[s.location[i]!] : undefined;
    events.push({
      name: flame.strings[s.name[i]!]!, ph: 'X', pid: 1, tid, ts: s.start[i]!, dur: s.duration[i]!, cat: CATEGORY[s.kind[i]!] ?? 'op',
      args: { ...(s.backend[i]! >= 0 ? { backend: flame.strings[s.backend[i]!] } : {}), ...(loc ? { file: loc.file, line: loc.line, column: loc.column } : {}) },
    });
  }
  const meta: TraceEvent[] = [{ name: 'process_name', ph: 'M', pid: 1, tid: 0, args: { name: flame.title } }];
  for (const t of threads) meta.push({ name: 'thread_name', ph: 'M', pid: 1, tid: t + 1, args: { name: t === 0 ? 'main' : `worker ${t}` } });
  if (events.some((e) => e.tid === GPU_TID)) meta.push({ name: 'thread_name', ph: 'M', pid: 1, tid: GPU_TID, args: { name: 'GPU queue' } });
  return JSON.stringify({ traceEvents: [...meta, ...events], displayTimeUnit: 'ms', otherData: { exporter: input.report.exporter, droppedEvents: flame.droppedEvents } }) + '\n';
}
