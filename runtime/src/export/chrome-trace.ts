/**
 * Chrome trace export (chrome://tracing, Perfetto, speedscope's importer): the JSON object format
 * with complete (`X`) events, `ts`/`dur` in µs relative to the profile start, pid 1, one tid per
 * thread, `M` metadata naming the process and threads, contexts as enclosing slices (the flame
 * model already nests them properly), contexts that ran concurrently with another on their own
 * tracks (tid from {@link CONCURRENT_TID_BASE}, named "main · concurrent 1", …; never clamped to
 * the context they overlapped), and the GPU queue on its own track (tid {@link GPU_TID}). One-time
 * work done at load, before the recording (at-load.ts), is one `one-time` event per report row on the
 * main thread, `args.atLoad: true`, placed one after another from ts 0; the recording then starts at
 * `otherData.recordingStartUs` (their total; 0 when there is none) and every other event is moved by
 * it — Perfetto rejects negative timestamps, so they cannot go before 0. A fused
 * kernel's events (`cp.jit`, named `fused(a+b+…)`) carry its members in `args.fusedMembers`:
 * `{ op, file, line, column }` each in execution order (the op alone when its line is unknown), plus
 * `group` (0, 1, …) when several groups share the kernel's name (the recorder cannot tell which ran).
 *
 * Linear in the number of slices: each event's JSON is written directly (text-chunks.ts), with
 * the name, category and args text of each distinct string / location / backend encoded once,
 * instead of one object per event passed to JSON.stringify.
 */
import { SliceKind } from '../contract/flame.js';
import { atLoadCosts, atLoadUs } from './at-load.js';
import { fusedMembersByName, type ExportFusedMember } from './fused-members.js';
import { collectText, TextChunks, type TextSink } from './text-chunks.js';
import type { ExportInput } from './types.js';

/** tid of the GPU queue track. */
export const GPU_TID = 9999;
/** First tid of the tracks of concurrent contexts (a context overlapping another without nesting: flame-tracks.ts). */
export const CONCURRENT_TID_BASE = 10000;

/** One trace event (the fields we write; what a parsed export contains). */
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
  return collectText((sink) => streamChromeTrace(input, sink));
}

/** Writes the trace's JSON text to `sink` in chunks (memory: one chunk, not the whole file). */
export function streamChromeTrace(input: ExportInput, sink: TextSink): void {
  const { flame } = input;
  const s = flame.slices;
  const n = s.name.length;
  const threads = new Set<number>();
  // Tracks of concurrent contexts (flame-tracks.ts): "thread:track" → tid, from CONCURRENT_TID_BASE.
  const trackTids = new Map<string, number>();
  const tidOf = (i: number): number => {
    const thread = s.thread?.[i] ?? 0, track = s.track?.[i] ?? 0;
    if (track === 0) return thread + 1;
    const key = `${thread}:${track}`;
    let tid = trackTids.get(key);
    if (tid === undefined) trackTids.set(key, (tid = CONCURRENT_TID_BASE + trackTids.size));
    return tid;
  };
  let gpuTrack = false;
  const meta: TraceEvent[] = [{ name: 'process_name', ph: 'M', pid: 1, tid: 0, args: { name: flame.title } }];
  const threadName = (t: number): string => (t === 0 ? 'main' : `worker ${t}`);
  for (let i = 0; i < n; i++) {
    if (s.kind[i] === SliceKind.Gpu) { gpuTrack = true; continue; }
    const t = s.thread?.[i] ?? 0, track = s.track?.[i] ?? 0;
    if (track === 0 && !threads.has(t)) {
      threads.add(t);
      meta.push({ name: 'thread_name', ph: 'M', pid: 1, tid: t + 1, args: { name: threadName(t) } });
    } else if (track !== 0 && !trackTids.has(`${t}:${track}`)) {
      meta.push({ name: 'thread_name', ph: 'M', pid: 1, tid: tidOf(i), args: { name: `${threadName(t)} · concurrent ${track}` } });
    }
  }
  if (gpuTrack) meta.push({ name: 'thread_name', ph: 'M', pid: 1, tid: GPU_TID, args: { name: 'GPU queue' } });
  const atLoad = atLoadCosts(input), shift = atLoadUs(atLoad);
  if (atLoad.length > 0 && !threads.has(0)) meta.push({ name: 'thread_name', ph: 'M', pid: 1, tid: 1, args: { name: threadName(0) } });
  // JSON text of each distinct name and args value, encoded once.
  const nameJson: (string | undefined)[] = [];
  const nameOf = (k: number): string => (nameJson[k] ??= JSON.stringify(flame.strings[k]!));
  // Only a fused kernel's args depend on its name: other slices share one text per (backend, location).
  const argsJson = new Map<number, string>(), fusedArgsJson = new Map<number, string>();
  const fused = fusedMembersByName(flame), nStrings = flame.strings.length;
  const argsOf = (name: number, backend: number, location: number): string => {
    const members = fused.size === 0 ? undefined : fused.get(name);
    const at = (backend + 1) * (flame.locations.length + 1) + (location + 1);
    const cache = members ? fusedArgsJson : argsJson, key = members ? at * nStrings + name : at;
    let text = cache.get(key);
    if (text === undefined) {
      const loc = location >= 0 ? flame.locations[location] : undefined;
      text = JSON.stringify({
        ...(backend >= 0 ? { backend: flame.strings[backend] } : {}), ...(loc ? { file: loc.file, line: loc.line, column: loc.column } : {}),
        ...(members ? { fusedMembers: traceMembers(members) } : {}),
      });
      cache.set(key, text);
    }
    return text;
  };
  const out = new TextChunks(sink);
  out.add(`{"traceEvents":[${meta.map((m) => JSON.stringify(m)).join(',')}`);
  let at = 0;
  for (const c of atLoad) {
    out.add(`,${JSON.stringify({ name: c.name, ph: 'X', pid: 1, tid: 1, ts: at, dur: c.us, cat: 'one-time', args: { atLoad: true, count: c.count } })}`);
    at += c.us;
  }
  for (let i = 0; i < n; i++) {
    const kind = s.kind[i]!;
    const tid = kind === SliceKind.Gpu ? GPU_TID : tidOf(i);
    // Moved by `shift`, the duration is taken between the moved ends: equal ends stay equal (nesting kept exactly).
    const ts = shift === 0 ? s.start[i]! : s.start[i]! + shift, dur = shift === 0 ? s.duration[i]! : s.start[i]! + s.duration[i]! + shift - ts;
    out.add(`,{"name":${nameOf(s.name[i]!)},"ph":"X","pid":1,"tid":${tid},"ts":${ts},"dur":${dur},` +
      `"cat":"${CATEGORY[kind] ?? 'op'}","args":${argsOf(s.name[i]!, s.backend[i]!, s.location[i]!)}}`);
  }
  out.add(`],"displayTimeUnit":"ms","otherData":${JSON.stringify({ exporter: input.report.exporter, droppedEvents: flame.droppedEvents, recordingStartUs: shift })}}\n`);
  out.flush();
}

/** A fused kernel's `args.fusedMembers`: every group's members in order, `group` numbered when there are several. */
function traceMembers(groups: readonly (readonly ExportFusedMember[])[]): Record<string, unknown>[] {
  return groups.flatMap((members, g) => members.map((m) => ({
    op: m.op,
    ...(m.location ? { file: m.location.file, line: m.location.line, column: m.location.column } : {}),
    ...(groups.length > 1 ? { group: g } : {}),
  })));
}
