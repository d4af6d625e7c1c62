/**
 * speedscope export (https://www.speedscope.app, `$schema` file format): one EVENTED profile per
 * thread, per track of concurrent contexts (flame-tracks.ts) and for the GPU queue, unit microseconds, open/close events at µs since the profile
 * start, properly nested (the flame model's nesting) and in non-decreasing time order. Frames are
 * shared and keyed by name + source location. speedscope shows a frame's name, file and line but
 * no other data, so a fused kernel's frame (`cp.jit`) is named with its members and their lines:
 * `fused(mul+sub) [mul@a.ts:7, sub@a.ts:8]` (groups sharing the kernel's name separated by ` | `);
 * its file and line stay the caller's. One-time work done at load, before the recording
 * (at-load.ts), opens the main thread's profile: one frame per report row, one after another from
 * 0, and every track's events are moved by their total (the Chrome trace's `recordingStartUs`), so
 * the profiles keep one time base. Validated against
 * runtime/schemas/speedscope-file-format.schema.json and imported by speedscope's own importer
 * (test/browser/speedscope-import.test.ts).
 *
 * Linear in the number of slices: no recursion and no argument spreading (a `Math.max(...)`
 * over every event overflowed the stack from ~70k ops), the per-track sort is skipped when the
 * slices are already in order (the profiler's flame model always is), and the JSON text is
 * written directly (text-chunks.ts) rather than through one object per open/close event.
 */
import { SliceKind } from '../contract/flame.js';
import { atLoadCosts, atLoadUs } from './at-load.js';
import { fusedMemberLabel, fusedMembersByName } from './fused-members.js';
import { collectText, TextChunks, type TextSink } from './text-chunks.js';
import type { ExportInput } from './types.js';

interface Frame { name: string; file?: string; line?: number; col?: number }

/** The speedscope document as a JSON string. */
export function toSpeedscope(input: ExportInput): string {
  return collectText((sink) => streamSpeedscope(input, sink));
}

/** Writes the speedscope document's JSON text to `sink` in chunks. */
export function streamSpeedscope(input: ExportInput, sink: TextSink): void {
  const { flame } = input;
  const s = flame.slices;
  const frames: Frame[] = [], frameIds = new Map<string, number>();
  // Frame of each (name index, location index) pair, looked up by number: no key string per slice.
  const byPair = new Map<number, number>(), nLocations = flame.locations.length + 1;
  const fused = fusedMembersByName(flame);
  const frameNamed = (name: string, loc: { file: string; line: number; column: number } | undefined): number => {
    // Frames are keyed by name + location text: two indexes may spell the same frame.
    const key = loc ? `${name}\u0000${loc.file}:${loc.line}:${loc.column}` : name;
    let id = frameIds.get(key);
    if (id === undefined) {
      id = frames.length;
      frames.push(loc ? { name, file: loc.file, line: loc.line, col: loc.column } : { name });
      frameIds.set(key, id);
    }
    return id;
  };
  const frameOf = (i: number): number => {
    const pair = s.name[i]! * nLocations + (s.location[i]! + 1);
    const known = byPair.get(pair);
    if (known !== undefined) return known;
    const members = fused.get(s.name[i]!);
    const name = members === undefined ? flame.strings[s.name[i]!]!
      : `${flame.strings[s.name[i]!]!} [${members.map((g) => g.map(fusedMemberLabel).join(', ')).join(' | ')}]`;
    const id = frameNamed(name, s.location[i]! >= 0 ? flame.locations[s.location[i]!] : undefined);
    byPair.set(pair, id);
    return id;
  };
  const atLoad = atLoadCosts(input), shift = atLoadUs(atLoad);
  // Group slice indexes by track (thread, or GPU), keeping (start, depth) order.
  const tracks = new Map<string, number[]>();
  if (atLoad.length > 0) tracks.set('main', []);
  for (let i = 0; i < s.name.length; i++) {
    const thread = (s.thread?.[i] ?? 0) === 0 ? 'main' : `worker ${s.thread![i]}`, track = s.track?.[i] ?? 0;
    // Concurrent contexts' tracks (flame-tracks.ts) are profiles of their own, as threads are.
    const key = s.kind[i] === SliceKind.Gpu ? 'GPU queue' : track === 0 ? thread : `${thread} · concurrent ${track}`;
    (tracks.get(key) ?? tracks.set(key, []).get(key)!).push(i);
  }
  const before = (a: number, b: number): number => s.start[a]! - s.start[b]! || s.depth[a]! - s.depth[b]!;
  const out = new TextChunks(sink);
  out.add(`{"$schema":"https://www.speedscope.app/file-format-schema.json","exporter":${JSON.stringify(input.report.exporter)},` +
    `"name":${JSON.stringify(flame.title)},"activeProfileIndex":0,"profiles":[`);
  let firstProfile = true;
  for (const [name, idx] of tracks) {
    let sorted = true;
    for (let k = 1; k < idx.length && sorted; k++) sorted = before(idx[k - 1]!, idx[k]!) <= 0;
    if (!sorted) idx.sort(before);
    out.add(`${firstProfile ? '' : ','}{"type":"evented","name":${JSON.stringify(name)},"unit":"microseconds","startValue":0,"events":[`);
    firstProfile = false;
    let firstEvent = true, endValue = 0;
    const event = (type: 'O' | 'C', frame: number, at: number): void => {
      out.add(`${firstEvent ? '' : ','}{"type":"${type}","frame":${frame},"at":${at}}`);
      firstEvent = false;
      if (at > endValue) endValue = at;
    };
    if (name === 'main') {
      let at = 0;
      for (const c of atLoad) {
        const frame = frameNamed(c.name, undefined);
        event('O', frame, at);
        event('C', frame, (at += c.us));
      }
    }
    const openFrame: number[] = [], openEnd: number[] = [];
    const closeUntil = (t: number): void => {
      while (openEnd.length && openEnd[openEnd.length - 1]! <= t) event('C', openFrame.pop()!, openEnd.pop()!);
    };
    for (const i of idx) {
      // Moved by `shift`: the end as the moved start + duration, so equal ends stay equal.
      const start = shift === 0 ? s.start[i]! : s.start[i]! + shift;
      closeUntil(start);
      // A child never outlives its parent (flame.ts clamps), but GPU slices may overlap: clamp here too.
      const end = Math.min(shift === 0 ? start + s.duration[i]! : s.start[i]! + s.duration[i]! + shift, openEnd.length ? openEnd[openEnd.length - 1]! : Infinity);
      const frame = frameOf(i);
      event('O', frame, start);
      openFrame.push(frame);
      openEnd.push(Math.max(start, end));
    }
    closeUntil(Infinity);
    out.add(`],"endValue":${endValue}}`);
  }
  out.add(`],"shared":{"frames":${JSON.stringify(frames)}}}\n`);
  out.flush();
}
