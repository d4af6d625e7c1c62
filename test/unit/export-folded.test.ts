/**
 * Folded export on synthetic flame models: the interned-stack builder writes exactly what the
 * direct definition (walk each slice to the root, join, sum self time per stack) writes — on a
 * deep chain, repeated stacks, frames with ';' and spaces, and a child listed before its parent.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { foldedFrameName, parseFolded, toFolded } from '../../runtime/src/export/folded.js';
import type { ExportInput } from '../../runtime/src/export/types.js';
import type { FlameProfile } from '../../runtime/src/contract/flame.js';

/** The definition, quadratic in depth: the oracle. */
function naive(flame: FlameProfile): Map<string, number> {
  const s = flame.slices, n = s.name.length;
  const self = s.duration.slice();
  for (let i = 0; i < n; i++) if (s.parent[i]! >= 0) self[s.parent[i]!]! -= s.duration[i]!;
  const out = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const frames: string[] = [];
    for (let k = i; k >= 0; k = s.parent[k]!) frames.unshift(foldedFrameName(flame.strings[s.name[k]!]!));
    const key = frames.join(';');
    out.set(key, (out.get(key) ?? 0) + Math.max(0, self[i]!));
  }
  for (const [k, w] of out) if (Math.round(w) > 0) out.set(k, Math.round(w)); else out.delete(k);
  return out;
}

function flameOf(strings: string[], slices: { name: number; duration: number; parent: number }[]): FlameProfile {
  const col = <K extends 'name' | 'duration' | 'parent'>(k: K) => slices.map((x) => x[k]);
  const zeros = slices.map(() => 0);
  return {
    version: 1, title: 't', strings, locations: [], totalUs: 0, droppedEvents: 0,
    slices: { name: col('name'), duration: col('duration'), parent: col('parent'), kind: zeros, start: zeros, depth: zeros, location: zeros.map(() => -1), backend: zeros.map(() => -1) },
  };
}

const input = (flame: FlameProfile): ExportInput => ({ flame, report: { exporter: 'corepy test' } } as unknown as ExportInput);

describe('folded export', () => {
  it('matches the direct definition on a deep chain, repeated stacks and awkward names', () => {
    const strings = ['main loop', 'a;b', 'add', 'mul'];
    const slices: { name: number; duration: number; parent: number }[] = [];
    // A 1000-deep chain, then the same shape again (repeated stacks sum), then siblings.
    for (let rep = 0; rep < 2; rep++) {
      for (let d = 0; d < 1000; d++) slices.push({ name: d % 3, duration: 10000 - d, parent: d === 0 ? -1 : slices.length - 1 });
    }
    const root = slices.length;
    slices.push({ name: 0, duration: 100, parent: -1 });
    for (let i = 0; i < 5; i++) slices.push({ name: 2 + (i % 2), duration: 7, parent: root });
    // A child listed before its parent (not the recorder's order, but the format allows it).
    slices.push({ name: 3, duration: 5, parent: slices.length + 1 });
    slices.push({ name: 2, duration: 3, parent: -1 });
    slices.push({ name: 1, duration: 50, parent: slices.length - 1 });
    const flame = flameOf(strings, slices);
    const text = toFolded(input(flame));
    assert.doesNotMatch(text, /^#/m, 'no comment line');
    assert.deepEqual(parseFolded(text), naive(flame));
    assert.ok(text.includes('main_loop;a_b;add'), 'separators and spaces in frame names are replaced');
  });

  it('writes nothing for an empty profile', () => {
    assert.equal(toFolded(input(flameOf([], []))), '');
  });

  it('sanitises names: no separator, whitespace, control character or non-XML code unit survives', () => {
    const evil = ['a;b', 'tab\there', 'new\nline', 'cr\rx', 'nul\u0000x', 'esc\u001b[31m', 'del\u007f', 'lone\ud800', 'nonchar\uffff', '', 'ünï 😀'];
    // A chain, each frame 10 µs of self time.
    const slices = evil.map((_, k) => ({ name: k, duration: 10 * (evil.length - k), parent: k === 0 ? -1 : k - 1 }));
    const text = toFolded(input(flameOf(evil, slices)));
    const lines = text.trimEnd().split('\n');
    assert.equal(lines.length, evil.length, 'one line per stack: no name split a line');
    lines.forEach((line, depth) => {
      const m = /^(.*) (\d+)$/.exec(line);
      assert.ok(m, line);
      // What flamegraph.pl needs and XML 1.0 allows in its SVG.
      assert.doesNotMatch(m[1]!, /[\s\p{Cc}\p{Cs}\uFFFE\uFFFF]/u);
      assert.equal(m[1]!.split(';').length, depth + 1, 'no name added a frame');
    });
    assert.equal(lines[0], 'a_b 10');
    assert.ok(lines[lines.length - 1]!.endsWith(';_;ünï_😀 10'), 'empty name becomes _, other Unicode kept');
  });
});
