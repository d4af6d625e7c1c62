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
  private readonly frameIds = new Map<string, Map<number, number>>();
  private readonly nodeIds = new Map<number, number>();

  /** Node id of the user's stack above `skip` (its frames are left out), or -1 when it has no user frame. */
  capture(skip: Function): number {
    const frames = framesAbove(skip, MAX_STACK_FRAMES);
    if (!Array.isArray(frames)) return -1;
    let node = -1;
    for (let k = frames.length - 1; k >= 0; k--) {
      const f = frames[k]!;
      const file = f.getFileName();
      if (!file || file.startsWith('node:') || file.includes('/node_modules/') || isRuntimeFrame(file)) continue;
      const frame = this.frameOf(f, file);
      if (frame >= 0) node = this.node(node, frame);
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

  /** The frame's id, or -1 for a function the module's compiler wrote (left out: its body is the frame around it). */
  private frameOf(f: V8Frame, file: string): number {
    let byPos = this.frameIds.get(file);
    if (byPos === undefined) this.frameIds.set(file, (byPos = new Map()));
    const line = f.getEnclosingLineNumber() ?? f.getLineNumber() ?? 0, column = f.getEnclosingColumnNumber() ?? f.getColumnNumber() ?? 0;
    const key = line * 65536 + column;
    let id = byPos.get(key);
    if (id === undefined) {
      const name = frameName(f), where = mapPosition(file, line, column);
      // An unnamed function where the module's source map has nothing of the user's source: tsx's
      // wrapper around a CommonJS script's body (a user saw "(top level);(anonymous)" over every op).
      if (name === '(anonymous)' && where.hasMap && !where.mapped) id = -1;
      else {
        id = this.frames.length;
        this.frames.push({ name, location: where.location });
      }
      byPos.set(key, id);
    }
    return id;
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
