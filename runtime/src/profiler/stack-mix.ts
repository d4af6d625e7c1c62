/**
 * The stacks a call site was captured with, for the ops between two captures there (the recorder
 * samples user call stacks per site; see recorder.ts). Carrying the site's LAST capture was biased
 * wherever one line is reached from several callers: a helper called by `forward` and by `loss`
 * alternately, captured on its first 8 calls and then rarely (captures are held to a share of op
 * time), put 396 of its 400 ops under `loss` — whichever caller the last capture happened to see
 * (audit 16). Here each op between captures takes one of the site's captured stacks (in its own
 * context) by smooth weighted round robin, weights = how often each was captured, so over the run
 * every stack gets ops in proportion to its captures; a site seen with one stack (the common case)
 * costs the recorder one comparison.
 *
 * Per site, at most MIX_SLOTS distinct (stack, context) pairs are kept; a new one replaces the
 * least captured. The weights are capture counts over the whole recording: a line whose callers
 * change from one phase of a script to the next is split by the mix of all its captures.
 */

/** Distinct (stack, context) pairs kept per call site. */
export const MIX_SLOTS = 4;

/** Per call site: the stacks captured there, with counts, and the round robin's state. */
export class StackMix {
  /** Distinct pairs per site. */
  private count = new Uint8Array(0);
  /** Per site × slot: stack node id (-1: no user frame), context node, captures, round-robin credit. */
  private stack = new Int32Array(0);
  private ctx = new Int32Array(0);
  private weight = new Int32Array(0);
  private credit = new Int32Array(0);

  /** Makes room for site ids below `sites`. */
  grow(sites: number): void {
    if (sites <= this.count.length) return;
    const grow = <A extends Uint8Array | Int32Array>(a: A, n: number, make: (n: number) => A): A => { const b = make(n); b.set(a); return b; };
    this.count = grow(this.count, sites, (n) => new Uint8Array(n));
    this.stack = grow(this.stack, sites * MIX_SLOTS, (n) => new Int32Array(n));
    this.ctx = grow(this.ctx, sites * MIX_SLOTS, (n) => new Int32Array(n));
    this.weight = grow(this.weight, sites * MIX_SLOTS, (n) => new Int32Array(n));
    this.credit = grow(this.credit, sites * MIX_SLOTS, (n) => new Int32Array(n));
  }

  /** Distinct (stack, context) pairs captured at `site` so far. */
  size(site: number): number {
    return this.count[site]!;
  }

  /** Counts a capture of `stack` in context node `ctx` at `site` (grown already). */
  add(site: number, stack: number, ctx: number): void {
    const base = site * MIX_SLOTS, n = this.count[site]!;
    let least = base;
    for (let i = base; i < base + n; i++) {
      if (this.stack[i] === stack && this.ctx[i] === ctx) { this.weight[i]!++; return; }
      if (this.weight[i]! < this.weight[least]!) least = i;
    }
    const at = n < MIX_SLOTS ? base + n : least;
    if (n < MIX_SLOTS) this.count[site] = n + 1;
    this.stack[at] = stack; this.ctx[at] = ctx; this.weight[at] = 1; this.credit[at] = 0;
  }

  /**
   * The stack for an op at `site` in context `ctx` that captured none: each of the site's stacks
   * captured in `ctx` in turn, in proportion to its captures (smooth weighted round robin: every
   * candidate gains its weight, the one with most credit is taken and pays the total). -2 when no
   * stack was captured at `site` in `ctx`.
   */
  pick(site: number, ctx: number): number {
    const base = site * MIX_SLOTS, end = base + this.count[site]!;
    let best = -1, total = 0;
    for (let i = base; i < end; i++) {
      if (this.ctx[i] !== ctx) continue;
      total += this.weight[i]!;
      this.credit[i] = this.credit[i]! + this.weight[i]!;
      if (best < 0 || this.credit[i]! > this.credit[best]!) best = i;
    }
    if (best < 0) return -2;
    this.credit[best] = this.credit[best]! - total;
    return this.stack[best]!;
  }
}
