/**
 * Builds FlameProfile objects from nested begin/end calls, the way the recorder would see them.
 * Used by the committed test fixtures (test/fixtures/make-flame-fixtures.ts) and the benchmark's
 * generated 100k-slice profile. Times in µs; line/column 1-based; slices come out sorted by
 * (start, depth) with parent links, as the contract's flame model (corepy/contract) requires.
 */
import { SliceKind, type FlameProfile, type SourceLocation } from 'corepy/contract';

/** Slice kinds, as the contract names them. */
export const Kind = SliceKind;

export class ProfileBuilder {
  private readonly strings: string[] = [];
  private readonly stringIds = new Map<string, number>();
  private readonly locations: SourceLocation[] = [];
  private readonly locationIds = new Map<string, number>();
  private readonly s = { name: [] as number[], kind: [] as number[], start: [] as number[], duration: [] as number[],
    depth: [] as number[], location: [] as number[], backend: [] as number[], parent: [] as number[] };
  private readonly open: number[] = [];
  /** Current time, µs. */
  now = 0;

  private str(v: string): number {
    let id = this.stringIds.get(v);
    if (id === undefined) { id = this.strings.length; this.strings.push(v); this.stringIds.set(v, id); }
    return id;
  }

  private loc(l: SourceLocation | undefined): number {
    if (l === undefined) return -1;
    const key = `${l.file}:${l.line}:${l.column}`;
    let id = this.locationIds.get(key);
    if (id === undefined) { id = this.locations.length; this.locations.push(l); this.locationIds.set(key, id); }
    return id;
  }

  /** Opens a slice at the current time. */
  begin(name: string, kind: number, loc?: SourceLocation, backend?: string): this {
    const s = this.s;
    const i = s.name.length;
    s.name.push(this.str(name)); s.kind.push(kind); s.start.push(this.now); s.duration.push(0);
    s.depth.push(this.open.length); s.location.push(this.loc(loc));
    s.backend.push(backend === undefined ? -1 : this.str(backend));
    s.parent.push(this.open.length > 0 ? this.open[this.open.length - 1] : -1);
    this.open.push(i);
    return this;
  }

  /** Closes the innermost open slice at the current time. */
  end(): this {
    const i = this.open.pop();
    if (i === undefined) throw new Error('end() without begin()');
    this.s.duration[i] = this.now - this.s.start[i];
    return this;
  }

  /** A leaf slice of `us` µs (advances the clock). */
  leaf(name: string, kind: number, us: number, loc?: SourceLocation, backend?: string): this {
    this.begin(name, kind, loc, backend);
    this.now += us;
    return this.end();
  }

  /** A GPU-track slice (depth 0 on its own track, no parent); does not advance the clock. */
  gpu(name: string, start: number, us: number, backend = 'webgpu'): this {
    const s = this.s;
    s.name.push(this.str(name)); s.kind.push(Kind.Gpu); s.start.push(start); s.duration.push(us);
    s.depth.push(0); s.location.push(-1); s.backend.push(this.str(backend)); s.parent.push(-1);
    return this;
  }

  /** The finished profile; slices re-sorted by (start, depth) with parents remapped. */
  build(title: string): FlameProfile {
    if (this.open.length > 0) throw new Error('unclosed slices');
    const s = this.s;
    const order = s.name.map((_, i) => i).sort((a, b) => s.start[a] - s.start[b] || s.depth[a] - s.depth[b] || a - b);
    const newIndex = new Int32Array(order.length);
    order.forEach((old, k) => { newIndex[old] = k; });
    const pick = (a: number[]) => order.map((i) => a[i]);
    return {
      version: 1, title, strings: [...this.strings], locations: [...this.locations],
      slices: {
        name: pick(s.name), kind: pick(s.kind), start: pick(s.start), duration: pick(s.duration),
        depth: pick(s.depth), location: pick(s.location), backend: pick(s.backend),
        parent: order.map((i) => (s.parent[i] < 0 ? -1 : newIndex[s.parent[i]])),
      },
      totalUs: this.now, droppedEvents: 0,
    };
  }
}

/**
 * A synthetic training-loop profile with about `nodes` slices: contexts → functions → ops with
 * source locations, three backends, a GPU track. Deterministic (seeded) so runs compare.
 */
export function generateProfile(nodes: number, seed = 1): FlameProfile {
  let x = seed >>> 0;
  const rand = () => ((x = (x * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  const b = new ProfileBuilder();
  const file = '/work/project/examples/train_large.ts';
  const ops = ['matmul', 'add', 'mul', 'relu', 'softmax', 'sum', 'exp', 'transpose', 'reshape', 'mean'];
  const backends = ['wasm', 'js', 'webgpu'];
  let count = 0, step = 0;
  while (count < nodes - 4) {
    b.begin(`train_step_${step % 50}`, Kind.Context, { file, line: 10, column: 3 }); count++;
    for (let layer = 0; layer < 8 && count < nodes - 2; layer++) {
      b.begin(`layer${layer}.forward`, Kind.Function, { file, line: 40 + layer * 5, column: 5 }); count++;
      const k = 2 + Math.floor(rand() * 6);
      for (let j = 0; j < k && count < nodes - 1; j++) {
        const op = ops[Math.floor(rand() * ops.length)];
        const be = backends[Math.floor(rand() * backends.length)];
        const t = b.now;
        b.leaf(op, Kind.Op, 5 + rand() * (op === 'matmul' ? 400 : 60), { file, line: 40 + layer * 5 + j, column: 7 }, be);
        count++;
        if (be === 'webgpu' && count < nodes - 1) { b.gpu(op, t + 2, 3 + rand() * 50); count++; }
      }
      b.now += 1;
      b.end();
    }
    b.end();
    step++;
  }
  return b.build(`generated ${nodes}-slice profile`);
}
