/**
 * speedscope export (https://www.speedscope.app, `$schema` file format): one EVENTED profile per
 * thread plus one for the GPU queue, unit microseconds, open/close events at µs since the profile
 * start, properly nested (the flame model's nesting) and in non-decreasing time order. Frames are
 * shared and keyed by name + source location. Validated against
 * runtime/schemas/speedscope-file-format.schema.json in the tests.
 */
import { SliceKind } from '../contract/flame.js';
import type { ExportInput } from './types.js';

interface Frame { name: string; file?: string; line?: number; col?: number }
interface Ev { type: 'O' | 'C'; frame: number; at: number }

/** The speedscope document as a JSON string. */
export function toSpeedscope(input: ExportInput): string {
  const { flame } = input;
  const s = flame.slices;
  const frames: Frame[] = [], frameIds = new Map<string, number>();
  const frameOf = (i: number): number => {
    const name = flame.strings[s.name[i]!]!;
    const loc = s.location[i]! >= 0 ? flame.locations[s.location[i]!] : undefined;
    const key = loc ? `${name}\u0000${loc.file}:${loc.line}:${loc.column}` : name;
    let id = frameIds.get(key);
    if (id === undefined) {
      id = frames.length;
      frames.push(loc ? { name, file: loc.file, line: loc.line, col: loc.column } : { name });
      frameIds.set(key, id);
    }
    return id;
  };
  // Group slice indexes by track (thread, or GPU), keeping (start, depth) order.
  const tracks = new Map<string, number[]>();
  for (let i = 0; i < s.name.length; i++) {
    const key = s.kind[i] === SliceKind.Gpu ? 'GPU queue' : (s.thread?.[i] ?? 0) === 0 ? 'main' : `worker ${s.thread![i]}`;
    (tracks.get(key) ?? tracks.set(key, []).get(key)!).push(i);
  }
  const profiles = [...tracks.entries()].map(([name, idx]) => {
    idx.sort((a, b) => s.start[a]! - s.start[b]! || s.depth[a]! - s.depth[b]!);
    const events: Ev[] = [];
    const open: { frame: number; end: number }[] = [];
    const closeUntil = (t: number): void => {
      while (open.length && open[open.length - 1]!.end <= t) {
        const o = open.pop()!;
        events.push({ type: 'C', frame: o.frame, at: o.end });
      }
    };
    for (const i of idx) {
      const start = s.start[i]!;
      closeUntil(start);
      // A child never outlives its parent (flame.ts clamps), but GPU slices may overlap: clamp here too.
      const end = Math.min(start + s.duration[i]!, open.length ? open[open.length - 1]!.end : Infinity);
      const frame = frameOf(i);
      events.push({ type: 'O', frame, at: start });
      open.push({ frame, end: Math.max(start, end) });
    }
    closeUntil(Infinity);
    const endValue = events.length ? Math.max(...events.map((e) => e.at)) : 0;
    return { type: 'evented' as const, name, unit: 'microseconds' as const, startValue: 0, endValue: Math.max(endValue, 0), events };
  });
  return JSON.stringify({
    $schema: 'https://www.speedscope.app/file-format-schema.json', exporter: input.report.exporter, name: flame.title,
    activeProfileIndex: 0, shared: { frames }, profiles,
  }) + '\n';
}
