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
 * function starts, not where it called the next one, so a synthesized function V8 named like its
 * caller at the caller's start would show twice; none is known.
 */
import type { SourceLocation } from '../contract/flame.js';
import { framesAbove, isRuntimeFrame, mapPosition, type V8Frame } from './callsite.js';

/** One function of a user call stack. */
export interface StackFrame {
  /** Function name as V8 names it (`Class.method`, `(top level)` for a module's own code, `(anonymous)`). */
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
}

/** Frames asked of V8 per capture: deeper stacks lose their outermost frames. */
export const MAX_STACK_FRAMES = 100;
/** Node keys are (parent + 1) · FRAME_SPACE + frame: a number, no key string per node. */
const FRAME_SPACE = 2 ** 26;

/** One recorder's interned stacks. */
export class StackTable implements StackTableData {
  readonly frames: StackFrame[] = [];
  readonly parent: number[] = [];
  readonly frame: number[] = [];
  /** Per file, per start position (line · 65536 + column): the frames interned there, one per V8 function name. */
  private readonly frameIds = new Map<string, Map<number, Interned>>();
  private readonly nodeIds = new Map<number, number>();

  /** Node id of the user's stack above `skip` (its frames are left out), or -1 when it has no user frame. */
  capture(skip: Function): number {
    const frames = framesAbove(skip, MAX_STACK_FRAMES);
    if (!Array.isArray(frames)) return -1;
    let node = -1;
    let outer: Interned | undefined;
    for (let k = frames.length - 1; k >= 0; k--) {
      const f = frames[k]!;
      const file = f.getFileName();
      if (!file || file.startsWith('node:') || file.includes('/node_modules/') || isRuntimeFrame(file)) continue;
      const frame = this.frameOf(f, file);
      if (frame.id < 0) continue;
      // The same start in the user's source under another V8 name: one function (see the top of this file).
      if (outer !== undefined && frame.fn !== outer.fn && sameLocation(this.frames[frame.id]!.location, this.frames[outer.id]!.location)) continue;
      node = this.node(node, frame.id);
      outer = frame;
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
  snapshot(): StackTableData {
    return { frames: this.frames.slice(), parent: this.parent.slice(), frame: this.frame.slice() };
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
      // An unnamed function where the module's source map has nothing of the user's source: tsx's
      // wrapper around a CommonJS script's body (a user saw "(top level);(anonymous)" over every op).
      let id = -1;
      if (!(name === '(anonymous)' && where.hasMap && !where.mapped)) {
        id = this.frames.length;
        this.frames.push({ name, location: where.location });
      }
      e = { id, fn, next: first };
      byPos.set(key, e);
    }
    return e;
  }

  private node(parent: number, frame: number): number {
    const key = (parent + 1) * FRAME_SPACE + frame;
    let id = this.nodeIds.get(key);
    if (id === undefined) {
      id = this.parent.length;
      this.parent.push(parent);
      this.frame.push(frame);
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
  return f.getEnclosingLineNumber() === 1 && f.getEnclosingColumnNumber() === 1 ? '(top level)' : '(anonymous)';
}

/** Concatenates `b` after `a`; returns the table and the offset to add to `b`'s node ids. */
export function mergeStackTables(a: StackTableData | undefined, b: StackTableData | undefined): { table: StackTableData | undefined; offset: number } {
  if (b === undefined || b.parent.length === 0) return { table: a, offset: 0 };
  const nodes = a?.parent.length ?? 0, frames = a?.frames.length ?? 0;
  return {
    table: {
      frames: [...(a?.frames ?? []), ...b.frames],
      parent: [...(a?.parent ?? []), ...b.parent.map((p) => (p < 0 ? p : p + nodes))],
      frame: [...(a?.frame ?? []), ...b.frame.map((f) => f + frames)],
    },
    offset: nodes,
  };
}
