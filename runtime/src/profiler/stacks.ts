/**
 * The user's call stack of an op: V8's frames above the recorder, keeping only the user's (not
 * corepy's, not Node's, not node_modules'), interned as a prefix tree — frames (function name and
 * where the function starts, source-mapped like call sites) and stack nodes (parent node, frame),
 * as Chrome's cpuprofile and Firefox's stack table store them — so an event carries one number,
 * the id of its innermost node.
 *
 * Frames are functions, not lines: a frame is keyed by the position of the function's start
 * (V8's enclosing line and column), so two calls from different lines of `step` share `step`'s
 * frame; the op's own line stays its call site. Awaited async callers appear as V8 reports them
 * (`--async-stack-traces`, on by default): after an `await`, an async function's stack is the
 * chain of async functions awaiting it, not whatever happened to resume it.
 *
 * Two adjacent frames that start at the same place in the user's source but that V8 names
 * differently are one function of the user's source, shown once under the outer one's name: a class
 * with field initializers and no constructor of its own gets a default constructor and an
 * `<instance_members_initializer>` that V8 both places at the class's start (`Model;Model;randn`,
 * a user saw, for `class Model { w = randn(…) }`). Adjacent frames with the same name and start stay
 * two: that is direct recursion (`rec;rec`), which must stay visible. Frames carry only where their
 * function starts, so a synthesized function V8 named like its caller at the caller's start would
 * show twice; none is known.
 *
 * Call lines: a node also records where its parent frame called it (`callAt`, an index into `calls`;
 * source-mapped like call sites), read from the outer frame's current position at capture: every
 * kept frame but the innermost is stopped at the call into the next user frame (the innermost one's
 * position is the op's own call site, recorded apart). Nodes are keyed by (parent, frame, call
 * position), so two calls of `step` from two lines of `main` are two nodes: the flame graph tells
 * consecutive calls from different lines apart, and the report sums op time per calling line
 * (call-lines.ts). Where frames merge (the same start under two V8 names, above) or a frame is left
 * out (a function the module's compiler wrote), the call position is that of the innermost user
 * frame passed before the callee: the one actually stopped at the call.
 */
import { ANONYMOUS_FUNCTION, type SourceLocation } from '../contract/flame.js';
import { framesAbove, isRuntimeFrame, mapPosition, type V8Frame } from './callsite.js';

/** One function of a user call stack. */
export interface StackFrame {
  /** Function name as V8 names it (`Class.method`, `(top level)` for a module's own code, `(anonymous)`; the flame model names an anonymous one by where it starts: functionFrameName). */
  readonly name: string;
  /** Where the function starts (source-mapped; 1-based line and column). */
  readonly location: SourceLocation;
}

/**
 * Interned call stacks: node `i` is frame `frame[i]` called from node `parent[i]` (-1: outermost).
 * An event's stack is a node id (its innermost frame), -1 when none was captured.
 */
export interface StackTableData {
  readonly frames: StackFrame[];
  readonly parent: number[];
  readonly frame: number[];
  /**
   * Positions where a frame called the next user frame (source-mapped; 1-based line and column),
   * each once. Absent in tables from runtimes before call lines.
   */
  readonly calls?: SourceLocation[];
  /**
   * Per node: where its parent frame called it, an index into `calls`; -1 when unknown (an outermost
   * node, unless a user frame left out of the stack called it). Absent with `calls`.
   */
  readonly callAt?: number[];
  /**
   * Per node: the ops recorded ending in it, and their op time (ms), over the recording the data
   * covers, every op counted (the event ring keeps only the last events). Absent from snapshots
   * before these totals, and after a merge with one without them: the call lines then count the
   * retained events.
   */
  readonly nodeOps?: number[];
  readonly nodeMs?: number[];
  /**
   * Per node, of `nodeOps` / `nodeMs`: the ops issued on a line that the node's own path calls from (`nodeOwnCall`,
   * an index into `calls`; -1: none), and their op time (ms). A callback written on the line that passes it
   * (`cp.tidy(() => x.matmul(x))`) issues its ops on the calling line itself: those are the line's own ops, so its
   * calling-line figure leaves them out (audit 33 #8: "18.7 s" and "≈18.7 s in calls" on one line). Absent with
   * the totals, and from snapshots before them.
   */
  readonly nodeOwnOps?: number[];
  readonly nodeOwnMs?: number[];
  readonly nodeOwnCall?: number[];
}

/**
 * The call on `node`'s path (innermost first) on the line of `at` (same file and line), as an index into `calls`;
 * -1 when the path calls from no such line: where an op issued at `at` with stack `node` is its calling line's own.
 */
export function callOnLine(t: Pick<StackTableData, 'parent' | 'callAt' | 'calls'>, node: number, at: SourceLocation): number {
  const callAt = t.callAt, calls = t.calls;
  if (callAt === undefined || calls === undefined) return -1;
  for (let p = node; p >= 0; p = t.parent[p]!) {
    const c = callAt[p]!, pos = c >= 0 ? calls[c] : undefined;
    if (pos !== undefined && pos.line === at.line && pos.file === at.file) return c;
  }
  return -1;
}

/** Per-node op totals (ms), and of them those issued on a line their own path calls from (StackTableData.nodeOwnOps). */
export interface StackTotals {
  readonly ops: Float64Array;
  readonly ms: Float64Array;
  readonly ownOps?: Float64Array;
  readonly ownMs?: Float64Array;
  readonly ownCall?: Int32Array;
}

/** Frames asked of V8 per capture: deeper stacks lose their outermost frames. */
export const MAX_STACK_FRAMES = 100;
/** Node keys are (parent + 1) · FRAME_SPACE + edge, edge keys frame · FRAME_SPACE + call + 1: numbers, no key string per node. */
const FRAME_SPACE = 2 ** 26;

/** One recorder's interned stacks. */
export class StackTable implements StackTableData {
  readonly frames: StackFrame[] = [];
  readonly parent: number[] = [];
  readonly frame: number[] = [];
  readonly calls: SourceLocation[] = [];
  readonly callAt: number[] = [];
  /**
   * Positions source-mapped so far (frames' starts and call positions, each once): a capture that
   * raised it paid a first sight (a source map read, up to half a millisecond), not the steady cost.
   */
  mapped = 0;
  /** Per file, per start position (line · 65536 + column): the frames interned there, one per V8 function name. */
  private readonly frameIds = new Map<string, Map<number, Interned>>();
  /** Per file, per call position (line · 65536 + column): its index in `calls` (mapped once). */
  private readonly callIds = new Map<string, Map<number, number>>();
  /** Edge (frame, call) keys to edge ids, and (parent, edge) keys to node ids. */
  private readonly edgeIds = new Map<number, number>();
  private readonly nodeIds = new Map<number, number>();

  /** Node id of the user's stack above `skip` (its frames are left out), or -1 when it has no user frame. */
  capture(skip: Function): number {
    const frames = framesAbove(skip, MAX_STACK_FRAMES);
    if (!Array.isArray(frames)) return -1;
    let node = -1;
    let outer: Interned | undefined;
    // The innermost user frame passed so far (kept or not) and its file: it is stopped at the call into the next one.
    let caller: V8Frame | undefined, callerFile = '';
    for (let k = frames.length - 1; k >= 0; k--) {
      const f = frames[k]!;
      const file = f.getFileName();
      if (!file || file.startsWith('node:') || file.includes('/node_modules/') || isRuntimeFrame(file)) continue;
      const frame = this.frameOf(f, file);
      // The same start in the user's source under another V8 name: one function (see the top of this file).
      if (frame.id < 0 || (outer !== undefined && frame.fn !== outer.fn && sameLocation(this.frames[frame.id]!.location, this.frames[outer.id]!.location))) {
        caller = f; callerFile = file;
        continue;
      }
      // An outermost kept frame has a call position only when a left-out user frame called it (a CommonJS body tsx wraps).
      node = this.node(node, frame.id, caller === undefined ? -1 : this.callOf(caller, callerFile));
      outer = frame;
      caller = f; callerFile = file;
    }
    return node;
  }

  /** Frames of node `id`, outermost first. */
  path(id: number): number[] {
    const out: number[] = [];
    for (let k = id; k >= 0; k = this.parent[k]!) out.push(this.frame[k]!);
    return out.reverse();
  }

  /** A copy of the table (a snapshot keeps it while recording goes on). */
  snapshot(totals?: StackTotals): StackTableData {
    const own = totals?.ownOps !== undefined && totals.ownMs !== undefined && totals.ownCall !== undefined;
    return {
      frames: this.frames.slice(), parent: this.parent.slice(), frame: this.frame.slice(), calls: this.calls.slice(), callAt: this.callAt.slice(),
      ...(totals ? { nodeOps: Array.from(totals.ops), nodeMs: Array.from(totals.ms) } : {}),
      ...(own ? { nodeOwnOps: Array.from(totals.ownOps!), nodeOwnMs: Array.from(totals.ownMs!), nodeOwnCall: Array.from(totals.ownCall!) } : {}),
    };
  }

  /**
   * Index in `calls` of V8 frame `f`'s current position (in `file`), mapping it on first sight. Keyed
   * by generated line and column, not line alone: a compiler may print several lines of the user's
   * source on one (under tsx, keyed by line, the calls of `forward` from two lines of `main` and the
   * top level's call of `main` came out as one call line). Reading the position makes a capture about
   * a quarter slower (bench/stack-capture.ts; V8's source offset, getPosition, was no cheaper).
   */
  private callOf(f: V8Frame, file: string): number {
    let byPos = this.callIds.get(file);
    if (byPos === undefined) this.callIds.set(file, (byPos = new Map()));
    const line = f.getLineNumber() ?? 0, column = f.getColumnNumber() ?? 0, key = line * 65536 + column;
    let id = byPos.get(key);
    if (id === undefined) {
      id = this.calls.length;
      this.calls.push(mapPosition(file, line, column).location);
      this.mapped++;
      byPos.set(key, id);
    }
    return id;
  }

  /**
   * The frame (id -1: a function the module's compiler wrote, left out: its body is the frame around
   * it). Keyed by where the function starts and by V8's name for it: two functions can start at the
   * same place (a class's default constructor and its field initializers).
   */
  private frameOf(f: V8Frame, file: string): Interned {
    let byPos = this.frameIds.get(file);
    if (byPos === undefined) this.frameIds.set(file, (byPos = new Map()));
    const line = f.getEnclosingLineNumber() ?? f.getLineNumber() ?? 0, column = f.getEnclosingColumnNumber() ?? f.getColumnNumber() ?? 0;
    const key = line * 65536 + column, fn = f.getFunctionName() ?? '';
    const first = byPos.get(key);
    let e = first;
    while (e !== undefined && e.fn !== fn) e = e.next;
    if (e === undefined) {
      const name = frameName(f), where = mapPosition(file, line, column);
      this.mapped++;
      // An unnamed function where the module's source map has nothing of the user's source: tsx's
      // wrapper around a CommonJS script's body (a user saw "(top level);(anonymous)" over every op).
      let id = -1;
      if (!(name === ANONYMOUS_FUNCTION && where.hasMap && !where.mapped)) {
        id = this.frames.length;
        this.frames.push({ name, location: where.location });
      }
      e = { id, fn, next: first };
      byPos.set(key, e);
    }
    return e;
  }

  /** Node of `frame` called from node `parent` at call position `call` (-1: outermost, or unknown). */
  private node(parent: number, frame: number, call: number): number {
    const edgeKey = frame * FRAME_SPACE + call + 1;
    let edge = this.edgeIds.get(edgeKey);
    if (edge === undefined) this.edgeIds.set(edgeKey, (edge = this.edgeIds.size));
    const key = (parent + 1) * FRAME_SPACE + edge;
    let id = this.nodeIds.get(key);
    if (id === undefined) {
      id = this.parent.length;
      this.parent.push(parent);
      this.frame.push(frame);
      this.callAt.push(call);
      this.nodeIds.set(key, id);
    }
    return id;
  }
}

/** An interned frame: its id, V8's own function name, and the next frame interned at the same start. */
interface Interned {
  readonly id: number;
  readonly fn: string;
  readonly next: Interned | undefined;
}

function sameLocation(a: SourceLocation, b: SourceLocation): boolean {
  return a.line === b.line && a.column === b.column && a.file === b.file;
}

/** A frame's name as V8's own stack text writes it (`K.m`, `helper`), or what the code is when it has none. */
function frameName(f: V8Frame): string {
  const fn = f.getFunctionName();
  if (fn) {
    const type = f.isToplevel() || f.isConstructor() ? null : f.getTypeName();
    return type && type !== 'Object' && !fn.startsWith(type + '.') ? `${type}.${fn}` : fn;
  }
  // A module's own code (an ES module's body, CommonJS's wrapper function) has no name and starts at 1:1.
  return f.getEnclosingLineNumber() === 1 && f.getEnclosingColumnNumber() === 1 ? '(top level)' : ANONYMOUS_FUNCTION;
}

/** Concatenates `b` after `a`; returns the table and the offset to add to `b`'s node ids. */
export function mergeStackTables(a: StackTableData | undefined, b: StackTableData | undefined): { table: StackTableData | undefined; offset: number } {
  if (b === undefined || b.parent.length === 0) return { table: a, offset: 0 };
  const nodes = a?.parent.length ?? 0, frames = a?.frames.length ?? 0, calls = a?.calls?.length ?? 0;
  // A table without call lines (an older runtime's) has none known: -1 per node.
  const callAt = (t: StackTableData | undefined, shift: number): number[] =>
    t === undefined ? [] : t.callAt?.map((c) => (c < 0 ? c : c + shift)) ?? t.parent.map(() => -1);
  // Per-node totals only where both sides have them (an empty side has none to add).
  const both = (b.nodeOps !== undefined && b.nodeMs !== undefined) && (a === undefined || a.parent.length === 0 || (a.nodeOps !== undefined && a.nodeMs !== undefined));
  const pad = (xs: number[] | undefined, fill = 0): number[] => [...(xs ?? []), ...new Array<number>(Math.max(0, nodes - (xs?.length ?? 0))).fill(fill)].slice(0, nodes);
  // Own ops where b has them (a side without them has none known: 0 ops, no line).
  const own = both && b.nodeOwnOps !== undefined && b.nodeOwnMs !== undefined && b.nodeOwnCall !== undefined;
  return {
    table: {
      frames: [...(a?.frames ?? []), ...b.frames],
      parent: [...(a?.parent ?? []), ...b.parent.map((p) => (p < 0 ? p : p + nodes))],
      frame: [...(a?.frame ?? []), ...b.frame.map((f) => f + frames)],
      calls: [...(a?.calls ?? []), ...(b.calls ?? [])],
      callAt: [...callAt(a, 0), ...callAt(b, calls)],
      ...(both ? { nodeOps: [...pad(a?.nodeOps), ...b.nodeOps!], nodeMs: [...pad(a?.nodeMs), ...b.nodeMs!] } : {}),
      ...(own ? {
        nodeOwnOps: [...pad(a?.nodeOwnOps), ...b.nodeOwnOps!], nodeOwnMs: [...pad(a?.nodeOwnMs), ...b.nodeOwnMs!],
        nodeOwnCall: [...pad(a?.nodeOwnCall, -1), ...b.nodeOwnCall!.map((c) => (c < 0 ? c : c + calls))],
      } : {}),
    },
    offset: nodes,
  };
}
