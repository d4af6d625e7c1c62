/**
 * The flame model's nesting by context identity on tracks (profiler/flame-tracks.ts), on
 * hand-made snapshots whose times are chosen to be awkward: spans with identical start and end
 * (a context and its child both shorter than the clock's resolution), two concurrent instances of
 * the same context, a context whose span was dropped from the ring, and a record snapshot and a
 * columns snapshot giving the same model.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { buildFlame } from '../../runtime/src/profiler/flame.js';
import { eventColumns, spanColumns } from '../../runtime/src/profiler/event-columns.js';
import type { ContextInfo, ContextSpan, ProfileData, ProfileEvent } from '../../runtime/src/profiler/types.js';
import type { FlameProfile } from '../../runtime/src/contract/flame.js';

function op(name: string, context: number, startMs: number, endMs: number): ProfileEvent {
  return {
    id: 0, op: name, backend: 'js', dtype: 'float32', inputShapes: [], outputShapes: [], inputIds: [-1, -1], elements: 0, bytesRead: 0, bytesWritten: 0,
    startMs, endMs, context, site: -1, thread: 0, uploadBytes: 0, downloadBytes: 0,
  };
}

function data(contexts: ContextInfo[], spans: Omit<ContextSpan, 'thread'>[], events: ProfileEvent[]): ProfileData {
  return {
    sites: [], contexts: [{ name: '(root)', kind: 'root', parent: -1 }, ...contexts], events, spans: spans.map((s) => ({ ...s, thread: 0 })),
    cells: [], contextCells: [], droppedEvents: 0, droppedSpans: 0, startMs: 0, endMs: 10, threads: [0], callSites: 'off', sampleEvery: 64,
    selfCost: { perOpNs: 0, perCaptureNs: 0, ops: 0, captures: 0 },
  };
}

/** Each slice as "name@track/depth<parent name" in model order. */
function shape(f: FlameProfile): string[] {
  const s = f.slices, name = (i: number): string => f.strings[s.name[i]!]!;
  return s.name.map((_, i) => `${name(i)}@${s.track![i]}/${s.depth[i]}<${s.parent[i]! >= 0 ? name(s.parent[i]!) : '-'}`);
}

describe('flame model: nesting by context identity, on tracks', () => {
  it('a context and its child with identical start and end nest (ancestor first), no extra track', () => {
    // outer (node 1) holds inner (node 2) holds an op; all three at [1, 1.001]. Spans arrive in close order: inner first.
    const d = data([{ name: 'outer', kind: 'function', parent: 0 }, { name: 'inner', kind: 'context', parent: 1 }],
      [{ context: 2, startMs: 1, endMs: 1.001 }, { context: 1, startMs: 1, endMs: 1.001 }], [op('add', 2, 1, 1.001)]);
    assert.deepEqual(shape(buildFlame(d)), ['outer@0/0<-', 'inner@0/1<outer', 'add@0/2<inner']);
  });

  it('two concurrent instances of one context each keep their ops, the later on track 1', () => {
    // job (node 1) twice: [0, 6] and [2, 8]; the ops of each instance lie in its own interval only.
    const d = data([{ name: 'job', kind: 'context', parent: 0 }],
      [{ context: 1, startMs: 0, endMs: 6 }, { context: 1, startMs: 2, endMs: 8 }],
      [op('add', 1, 1, 1.5), op('mul', 1, 3, 3.5), op('sub', 1, 7, 7.5)]);
    const f = buildFlame(d);
    assert.deepEqual(shape(f), ['job@0/0<-', 'add@0/1<job', 'job@1/0<-', 'mul@0/1<job', 'sub@1/1<job']);
    assert.deepEqual(f.slices.duration.slice(0, 3), [6000, 500, 6000], 'nothing clamped');
  });

  it("an op whose context's span is not in the snapshot (dropped) is a top-level slice on track 0", () => {
    const d = data([{ name: 'gone', kind: 'context', parent: 0 }], [], [op('add', 1, 1, 2), op('mul', 0, 3, 4)]);
    assert.deepEqual(shape(buildFlame(d)), ['add@0/0<-', 'mul@0/0<-']);
  });

  it('a context closed inside a concurrent sibling keeps its identity parent across tracks', () => {
    // parent P [0, 10]; children C1 [1, 5] and C2 [3, 8] of P overlap: C2 goes on track 1, its parent still P.
    const d = data([{ name: 'P', kind: 'context', parent: 0 }, { name: 'C1', kind: 'context', parent: 1 }, { name: 'C2', kind: 'context', parent: 1 }],
      [{ context: 2, startMs: 1, endMs: 5 }, { context: 3, startMs: 3, endMs: 8 }, { context: 1, startMs: 0, endMs: 10 }],
      [op('add', 3, 6, 7)]);
    assert.deepEqual(shape(buildFlame(d)), ['P@0/0<-', 'C1@0/1<P', 'C2@1/0<P', 'add@1/1<C2']);
  });

  it('records and columns give the same model', () => {
    const d = data([{ name: 'job', kind: 'context', parent: 0 }],
      [{ context: 1, startMs: 0, endMs: 6 }, { context: 1, startMs: 2, endMs: 8 }], [op('add', 1, 1, 1.5), op('mul', 1, 3, 3.5)]);
    const viaColumns: ProfileData = { ...d, events: [], spans: [], columns: { events: eventColumns(d.events), spans: spanColumns(d.spans) } };
    assert.deepEqual(buildFlame(viaColumns), buildFlame(d));
  });
});
