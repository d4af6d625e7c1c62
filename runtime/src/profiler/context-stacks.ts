/**
 * Per call site, the stack last captured there in each context node, for the ops between two
 * captures (the recorder samples user call stacks per site; see recorder.ts): an op takes the
 * stack its site was last captured with in the op's own context. The holds between captures are
 * random and fixed before the capture they follow, so which stack a hold carries is the caller of
 * one op picked independently of the hold's length: over a run each caller gets ops in proportion
 * to its calls, whether the callers alternate or follow each other.
 *
 * Weighing a site's stacks by their captures over the whole run instead (a smooth weighted round
 * robin) lost callers that came later: `forward` called 300 times from one line and then 150 times
 * from another had all 450 calls' ops on the first line (audit 28).
 *
 * Per site, at most CONTEXT_SLOTS contexts are kept; a new one replaces the least recently captured.
 */

/** Contexts whose last stack is kept per call site. */
export const CONTEXT_SLOTS = 4;

/** Per call site: the last stack captured there in each of up to CONTEXT_SLOTS context nodes. */
export class ContextStacks {
  /** Contexts kept per site. */
  private count = new Uint8Array(0);
  /** Per site × slot: context node, its last stack node id (-1: no user frame), and when it was captured (a capture counter). */
  private ctx = new Int32Array(0);
  private stack = new Int32Array(0);
  private seq = new Float64Array(0);
  private captures = 0;

  /** Makes room for site ids below `sites`. */
  grow(sites: number): void {
    if (sites <= this.count.length) return;
    const grow = <A extends Uint8Array | Int32Array | Float64Array>(a: A, n: number, make: (n: number) => A): A => { const b = make(n); b.set(a); return b; };
    this.count = grow(this.count, sites, (n) => new Uint8Array(n));
    this.ctx = grow(this.ctx, sites * CONTEXT_SLOTS, (n) => new Int32Array(n));
    this.stack = grow(this.stack, sites * CONTEXT_SLOTS, (n) => new Int32Array(n));
    this.seq = grow(this.seq, sites * CONTEXT_SLOTS, (n) => new Float64Array(n));
  }

  /** Contexts with a stack captured at `site` so far (at most CONTEXT_SLOTS). */
  size(site: number): number {
    return this.count[site]!;
  }

  /** Records a capture of `stack` in context node `ctx` at `site` (grown already). */
  add(site: number, stack: number, ctx: number): void {
    const base = site * CONTEXT_SLOTS, n = this.count[site]!;
    let at = -1, oldest = base;
    for (let i = base; i < base + n; i++) {
      if (this.ctx[i] === ctx) { at = i; break; }
      if (this.seq[i]! < this.seq[oldest]!) oldest = i;
    }
    if (at < 0) {
      at = n < CONTEXT_SLOTS ? base + n : oldest;
      if (n < CONTEXT_SLOTS) this.count[site] = n + 1;
      this.ctx[at] = ctx;
    }
    this.stack[at] = stack;
    this.seq[at] = ++this.captures;
  }

  /** The stack last captured at `site` in context `ctx`; -2 when none was (or it was replaced). */
  lastIn(site: number, ctx: number): number {
    const base = site * CONTEXT_SLOTS, end = base + this.count[site]!;
    for (let i = base; i < end; i++) if (this.ctx[i] === ctx) return this.stack[i]!;
    return -2;
  }
}
