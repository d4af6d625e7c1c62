/**
 * Folded-stacks export (Brendan Gregg's flamegraph.pl / inferno / speedscope import): one line
 * per distinct stack, `frame;frame;frame <weight>`, weight = SELF time in integer µs (rounded),
 * frames outermost first. A first `# exporter: …` comment line carries the stamp (flamegraph.pl
 * and inferno skip lines that do not end in a number).
 */
import type { ExportInput } from './types.js';

/** The folded stacks as text. */
export function toFolded(input: ExportInput): string {
  const { flame } = input;
  const s = flame.slices;
  const n = s.name.length;
  const self = s.duration.slice();
  for (let i = 0; i < n; i++) if (s.parent[i]! >= 0) self[s.parent[i]!]! -= s.duration[i]!;
  const weights = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const frames: string[] = [];
    for (let k = i; k >= 0; k = s.parent[k]!) frames.unshift(flame.strings[s.name[k]!]!.replace(/[;\s]/g, '_'));
    const key = frames.join(';');
    weights.set(key, (weights.get(key) ?? 0) + Math.max(0, self[i]!));
  }
  const lines = [`# exporter: ${input.report.exporter}`];
  for (const [stack, us] of weights) {
    const w = Math.round(us);
    if (w > 0) lines.push(`${stack} ${w}`);
  }
  return lines.join('\n') + '\n';
}

/** Parses folded text back into stack → weight (µs); throws on a malformed line. */
export function parseFolded(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(.+) (\d+)$/.exec(line);
    if (!m) throw new Error(`Malformed folded line: ${JSON.stringify(line)}`);
    out.set(m[1]!, (out.get(m[1]!) ?? 0) + Number(m[2]));
  }
  return out;
}
