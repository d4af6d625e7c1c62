/**
 * Per call site and context node, the stacks last captured there, for the ops between two captures
 * (the recorder samples user call stacks per site; see recorder.ts). The holds between captures are
 * random and fixed before the capture they follow, so each capture is the caller of one op picked
 * independently of the hold's length. What an op between captures takes depends on how the site's
 * last TURN_WINDOW captures in its context went:
 * - one caller, or callers one after the other (at most one change in them): the last capture.
 *   Weighing the site's stacks by their captures over the whole run instead lost callers that came
 *   later: `forward` called 300 times from one line and then 150 times from another had all 450 calls'
 *   ops on the first line (audit 28).
 * - callers in turn (two changes or more, and then until they all agree): each of the last HISTORY
 *   captures in turn, so a hold is split between
 *   the callers in proportion to their recent captures. The last capture alone put a whole hold on one
 *   caller: a helper called from two lines in turn read 36–61 % for one line over runs, not ~50 %.
 *
 * Per site, at most CONTEXT_SLOTS contexts are kept; a new one replaces the least recently captured.
 */

/** Contexts kept per call site. */
export const CONTEXT_SLOTS = 4;
/**
 * Captures remembered per site and context: what the held ops of a line whose callers take turns
 * cycle through. At 8, the split of a run whose captures went over budget (holds of hundreds of
 * ops) was decided by a few windows of 8 draws: a helper called in turn read 0.14–0.72 for one
 * caller over runs of 3 000 turns.
 */
export const HISTORY = 32;
/** The last captures whose changes say whether callers take turns (see add). */
export const TURN_WINDOW = 8;

/** Per call site: the last HISTORY stacks captured there in each of up to CONTEXT_SLOTS context nodes. */
export class ContextStacks {
  /** Contexts kept per site, and whether any of them has callers in turn (the recorder's fast path asks). */
  private count = new Uint8Array(0);
  private anyInTurn = new Uint8Array(0);
  /** Per site × slot: context node, when it was last captured (a capture counter), captures kept, next write, next read, callers in turn. */
  private ctx = new Int32Array(0);
  private seq = new Float64Array(0);
  private kept = new Uint8Array(0);
  private at = new Uint8Array(0);
  private cursor = new Uint8Array(0);
  private inTurn = new Uint8Array(0);
  /** Per site × slot × HISTORY: the captured stacks, as the recorder gives them (its stack keys, one per stack node at a site; -1: no user frame), a ring. */
  private history = new Int32Array(0);
  private captures = 0;

  /** Makes room for site ids below `sites`. */
  grow(sites: number): void {
    if (sites <= this.count.length) return;
    const grow = <A extends Uint8Array | Int32Array | Float64Array>(a: A, n: number, make: (n: number) => A): A => { const b = make(n); b.set(a); return b; };
    const slots = sites * CONTEXT_SLOTS;
    this.count = grow(this.count, sites, (n) => new Uint8Array(n));
    this.anyInTurn = grow(this.anyInTurn, sites, (n) => new Uint8Array(n));
    this.ctx = grow(this.ctx, slots, (n) => new Int32Array(n));
    this.seq = grow(this.seq, slots, (n) => new Float64Array(n));
    this.kept = grow(this.kept, slots, (n) => new Uint8Array(n));
    this.at = grow(this.at, slots, (n) => new Uint8Array(n));
    this.cursor = grow(this.cursor, slots, (n) => new Uint8Array(n));
    this.inTurn = grow(this.inTurn, slots, (n) => new Uint8Array(n));
    this.history = grow(this.history, slots * HISTORY, (n) => new Int32Array(n));
  }

  /** Contexts with a stack captured at `site` so far (at most CONTEXT_SLOTS). */
  size(site: number): number {
    return this.count[site]!;
  }

  /** Whether some context at `site` has callers in turn (then its last capture is not what its ops take). */
  inTurnAt(site: number): boolean {
    return this.anyInTurn[site] !== 0;
  }

  /** Records a capture of `stack` in context node `ctx` at `site` (grown already). */
  add(site: number, stack: number, ctx: number): void {
    const base = site * CONTEXT_SLOTS, n = this.count[site]!;
    let slot = -1, oldest = base;
    for (let i = base; i < base + n; i++) {
      if (this.ctx[i] === ctx) { slot = i; break; }
      if (this.seq[i]! < this.seq[oldest]!) oldest = i;
    }
    if (slot < 0) {
      slot = n < CONTEXT_SLOTS ? base + n : oldest;
      if (n < CONTEXT_SLOTS) this.count[site] = n + 1;
      this.ctx[slot] = ctx; this.kept[slot] = 0; this.at[slot] = 0; this.cursor[slot] = 0;
    }
    const h = slot * HISTORY, at = this.at[slot]!;
    this.history[h + at] = stack;
    this.at[slot] = at + 1 === HISTORY ? 0 : at + 1;
    const kept = Math.min(HISTORY, this.kept[slot]! + 1);
    this.kept[slot] = kept;
    this.seq[slot] = ++this.captures;
    // Changes between consecutive captures among the last TURN_WINDOW, oldest to newest.
    let changes = 0;
    const window = Math.min(kept, TURN_WINDOW);
    for (let k = 1, first = (this.at[slot]! - window + HISTORY) % HISTORY; k < window; k++) {
      if (this.history[h + ((first + k) % HISTORY)] !== this.history[h + ((first + k - 1) % HISTORY)]) changes++;
    }
    // Callers in turn from two changes on, until all kept captures agree: with two changes the way both in
    // and out, a line whose callers take turns left that state whenever its last captures, random draws,
    // showed one change, and a whole hold then took one caller.
    this.inTurn[slot] = changes >= 2 ? 1 : changes === 0 ? 0 : this.inTurn[slot]!;
    let any = 0;
    for (let i = base; i < base + this.count[site]!; i++) any |= this.inTurn[i]!;
    this.anyInTurn[site] = any;
  }

  /**
   * The stack for an op at `site` in context `ctx` that captured none: the last capture there in
   * `ctx`, or with callers in turn each of the kept captures in turn. -2 when none was captured (or
   * the context was replaced).
   */
  pick(site: number, ctx: number): number {
    const base = site * CONTEXT_SLOTS, end = base + this.count[site]!;
    for (let i = base; i < end; i++) {
      if (this.ctx[i] !== ctx) continue;
      const h = i * HISTORY, kept = this.kept[i]!;
      if (this.inTurn[i] === 0) return this.history[h + ((this.at[i]! - 1 + HISTORY) % HISTORY)]!;
      const c = this.cursor[i]!;
      this.cursor[i] = c + 1 >= kept ? 0 : c + 1;
      return this.history[h + ((this.at[i]! - kept + c + HISTORY) % HISTORY)]!;
    }
    return -2;
  }
}
