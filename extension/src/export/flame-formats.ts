/**
 * Timeline formats derived from the FlameProfile (times in µs, 0-based index links):
 * Chrome trace events, speedscope's evented profile, and Brendan Gregg's folded stacks.
 * Pure functions; a run without a flame profile exports empty timelines.
 */
import type { FlameProfile } from '../../../runtime/src/profiler/flame-model.js';
import type { RunSnapshot } from '../profile-store.js';

const KIND_NAMES = ['context', 'function', 'op', 'gpu'];

function labelOf(f: FlameProfile, i: number): string {
  return f.strings[f.slices.name[i]!] ?? '?';
}

/** Chrome `about:tracing` / Perfetto JSON: one complete ('X') event per slice; GPU on its own track. */
export function toChromeTrace(run: RunSnapshot, stamp: string): object {
  const f = run.flame;
  const traceEvents: object[] = [];
  if (f) {
    for (let i = 0; i < f.slices.name.length; i++) {
      const loc = f.slices.location[i]! >= 0 ? f.locations[f.slices.location[i]!] : undefined;
      const backend = f.slices.backend[i]! >= 0 ? f.strings[f.slices.backend[i]!] : undefined;
      traceEvents.push({
        name: labelOf(f, i), cat: KIND_NAMES[f.slices.kind[i]!] ?? 'op', ph: 'X', pid: 1, tid: f.slices.kind[i] === 3 ? 2 : 1,
        ts: f.slices.start[i], dur: f.slices.duration[i],
        args: { ...(loc ? { file: loc.file, line: loc.line, column: loc.column } : {}), ...(backend ? { backend } : {}) },
      });
    }
  }
  return { traceEvents, displayTimeUnit: 'ms', otherData: { exporter: stamp, program: run.program } };
}

/** speedscope file format (https://www.speedscope.app/file-format-schema.json), one evented profile. */
export function toSpeedscope(run: RunSnapshot, stamp: string): object {
  const f = run.flame;
  const frames: { name: string; file?: string; line?: number; col?: number }[] = [];
  const frameIndex = new Map<string, number>();
  const events: { type: 'O' | 'C'; at: number; frame: number; depth: number }[] = [];
  let end = 0;
  if (f) {
    for (let i = 0; i < f.slices.name.length; i++) {
      if (f.slices.kind[i] === 3) continue; // GPU slices overlap CPU ones; speedscope needs one nesting.
      const loc = f.slices.location[i]! >= 0 ? f.locations[f.slices.location[i]!] : undefined;
      const key = `${labelOf(f, i)}|${loc ? `${loc.file}:${loc.line}:${loc.column}` : ''}`;
      let fi = frameIndex.get(key);
      if (fi === undefined) {
        fi = frames.push({ name: labelOf(f, i), ...(loc ? { file: loc.file, line: loc.line, col: loc.column } : {}) }) - 1;
        frameIndex.set(key, fi);
      }
      const s = f.slices.start[i]!, d = f.slices.duration[i]!, depth = f.slices.depth[i]!;
      events.push({ type: 'O', at: s, frame: fi, depth }, { type: 'C', at: s + d, frame: fi, depth });
      end = Math.max(end, s + d);
    }
  }
  // Same instant: close before open; opens outer-first, closes inner-first (proper nesting).
  events.sort((a, b) => a.at - b.at || (a.type === b.type ? (a.type === 'O' ? a.depth - b.depth : b.depth - a.depth) : a.type === 'C' ? -1 : 1));
  return {
    $schema: 'https://www.speedscope.app/file-format-schema.json',
    exporter: stamp, name: f?.title ?? run.program, activeProfileIndex: 0,
    shared: { frames },
    profiles: [{
      type: 'evented', name: f?.title ?? run.program, unit: 'microseconds', startValue: 0, endValue: f?.totalUs ?? end,
      events: events.map((e) => ({ type: e.type, at: e.at, frame: e.frame })),
    }],
  };
}

/** Folded stacks: `outer;inner value` lines, value = self time in whole µs. */
export function toFolded(run: RunSnapshot): string {
  const f = run.flame;
  if (!f) return '';
  const n = f.slices.name.length;
  const self = f.slices.duration.slice(0, n);
  for (let i = 0; i < n; i++) {
    const p = f.slices.parent[i]!;
    if (p >= 0) self[p] = (self[p] ?? 0) - f.slices.duration[i]!;
  }
  const stacks = new Map<string, number>();
  const pathOf: string[] = [];
  for (let i = 0; i < n; i++) {
    const p = f.slices.parent[i]!;
    const label = labelOf(f, i).replace(/[; ]/g, '_');
    pathOf[i] = p >= 0 && pathOf[p] !== undefined ? `${pathOf[p]};${label}` : label;
    stacks.set(pathOf[i]!, (stacks.get(pathOf[i]!) ?? 0) + Math.max(0, self[i]!));
  }
  return [...stacks].filter(([, v]) => Math.round(v) > 0).map(([k, v]) => `${k} ${Math.round(v)}`).join('\n') + '\n';
}
