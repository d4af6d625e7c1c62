/**
 * What a trace cannot record, said in the user's terms. While a trace is open, {@link UntracedWatch}
 * observes every dispatch the function makes outside the traced ops (chained in front of the
 * profiler's observer, if one is installed):
 *
 * - a read of tensor data (`item()`, `toArray()`, `dataSync()`, `data()`, `array()`, or a corepy
 *   function built on them; ops `read`/`readInto`) stops the trace: the JS value read would become
 *   a constant of the plan, and later calls with other data would silently reuse it;
 * - each tensor an untraced op makes is noted with the corepy function the user called (`ones`,
 *   `randn`, `concat`, …) and the user's line, so that the fallback reason can name it; so is each
 *   view (`transpose`, `slice`, …), seen where it is made since views dispatch nothing.
 *
 * Reads are seen at the dispatch point because that is where every read passes (ops/transfer.ts
 * does not call the trace hook). The observers are installed only while a trace runs, so calls
 * outside a trace pay nothing for them but one compare per view.
 */
import { getDispatchObserver, setDispatchObserver, type DispatchObserver } from '../engine.js';
import type { Backend } from '../backends/backend.js';
import type { FusedOpName, OpName } from '../backends/op-table.js';
import { getViewObserver, setViewObserver, Tensor, type ViewObserver } from '../tensor.js';
import { fmtShape } from '../shape.js';
import { framesAbove, isRuntimeFrame } from '../profiler/callsite.js';
import type { SourceLocation } from '../contract/flame.js';

/** The ops the tracer records, as the fallback reasons list them. */
export const TRACED_OPS = 'elementwise ops, where, cast, sum/mean/min/max/argmax, var, std, matmul, reshape';

/** Where an untraced op or a read came from: the corepy function the user called, and the user's line. */
export interface Origin {
  /** e.g. `randn`, `item` (a method's name without its class); the dispatched op's name when no corepy frame was named. */
  readonly fn: string;
  readonly site: SourceLocation | null;
}

/** The tracer's state the watch reads and writes. */
export interface TraceState {
  /** Why the trace failed (the first problem found), or null. */
  reason: string | null;
  /** Above 0 while a traced op runs: its own dispatches are the tracer's, not the function's. */
  paused: number;
  /** Tensors the tracer recorded (inputs, captured tensors, op results). */
  readonly ids: ReadonlyMap<Tensor, number>;
  /** The user's line of the call running now, when the launch numbered its call sites; else null. */
  staticSite(): SourceLocation | null;
  /** Maps and interns a raw stack position. */
  siteAt(file: string, line: number, column: number): SourceLocation | null;
}

const READS: ReadonlySet<string> = new Set<string>(['read', 'readInto']);
const RANDOM: ReadonlySet<string> = new Set(['rand', 'randn']);
const CREATION: ReadonlySet<string> = new Set(['tensor', 'zeros', 'ones', 'full', 'arange', 'linspace']);
/** Corepy functions that return a view (reshape returns one too, but the tracer records it). */
const VIEWS: ReadonlySet<string> = new Set(['slice', 'transpose', 'permute', 'unsqueeze', 'squeeze', 'contiguous', 'view']);
/** Frames asked for: dispatch → op internals (≤ 4) → public function → Tensor method → user, with room for io/ helpers. */
const FRAMES = 24;

/** Observes dispatches during one trace (see the file comment). Install with {@link open}, remove with {@link close}. */
export class UntracedWatch implements DispatchObserver {
  /** Which corepy call made each tensor an untraced op returned during the trace. */
  private readonly origins = new Map<Tensor, Origin>();
  private prev: DispatchObserver | null = null;
  private prevView: ViewObserver | null = null;
  /** Notes each view the function makes (not the tracer's own: reshape runs paused). */
  private readonly onView: ViewObserver = (view, base) => {
    if (this.prevView !== null) this.prevView(view, base);
    if (this.state.paused > 0 || this.state.reason !== null) return;
    // A view of an untraced op's result: that op is what to move out of the function, so name it.
    const made = this.origins.get(base);
    this.origins.set(view, made !== undefined && !VIEWS.has(made.fn) ? made : this.originHere('view', this.onView));
  };

  constructor(private readonly state: TraceState) {}

  open(): void {
    this.prev = getDispatchObserver();
    setDispatchObserver(this);
    this.prevView = getViewObserver();
    setViewObserver(this.onView);
  }

  /** Restores the previous observers, unless the function installed another meanwhile (enableProfiling inside it). */
  close(): void {
    if (getDispatchObserver() === this) setDispatchObserver(this.prev);
    if (getViewObserver() === this.onView) setViewObserver(this.prevView);
    this.prev = null;
    this.prevView = null;
  }

  observe<T>(op: OpName | FusedOpName, inputs: readonly Tensor[], backend: Backend, run: (backend: Backend) => T): T {
    const out = this.prev !== null ? this.prev.observe(op, inputs, backend, run) : run(backend);
    if (this.state.paused > 0 || this.state.reason !== null) return out;
    if (READS.has(op)) {
      this.state.reason = readReason(this.originHere(op));
    } else if (out instanceof Tensor) {
      this.origins.set(out, this.originHere(op));
    } else if (out !== null && typeof out === 'object' && Object.getPrototypeOf(out) === Object.prototype) {
      // moments(): { mean, variance }
      const values = Object.values(out).filter((v): v is Tensor => v instanceof Tensor);
      if (values.length > 0) {
        const o = this.originHere(op);
        for (const v of values) this.origins.set(v, o);
      }
    }
    return out;
  }

  /**
   * The outermost corepy function on the stack below the user's first frame (what the user called:
   * `item` for `x.item()`, `ones` for `cp.ones`, although both dispatch under other names), and that frame's line.
   */
  private originHere(op: string, above: Function = UntracedWatch.prototype.observe): Origin {
    const frames = framesAbove(above, FRAMES) ?? [];
    let fn: string | null = null;
    for (const f of frames) {
      const file = f.getFileName();
      if (!file || file.startsWith('node:')) continue;
      if (isRuntimeFrame(file)) {
        fn = f.getFunctionName() ?? fn;
        continue;
      }
      const site = this.state.staticSite() ?? this.state.siteAt(file, f.getLineNumber() ?? 0, f.getColumnNumber() ?? 0);
      return { fn: fn === null ? op : fn.slice(fn.lastIndexOf('.') + 1), site };
    }
    return { fn: op, site: this.state.staticSite() };
  }

  /**
   * Why the trace stops at `t`, a tensor the function made that the tracer did not record; `subject`
   * says what needed it (`mul used`, `the function returns`). E.g. "mul used the result of randn
   * (model.ts:12), which cp.jit does not trace; random ops are never traced (…)".
   */
  untracedReason(subject: string, t: Tensor): string {
    const own = this.origins.get(t);
    if (own !== undefined && VIEWS.has(own.fn)) {
      return `${subject} the view made by ${own.fn}${at(own.site)}; cp.jit does not trace views (slice, transpose, permute, unsqueeze, ` +
        'squeeze): take the view outside the function and pass it as an argument, or use reshape, which is traced';
    }
    if (own !== undefined) return `${subject} the result of ${own.fn}${at(own.site)}, which cp.jit does not trace${hintFor(own.fn)}`;
    // Views (slice, transpose, permute, unsqueeze, squeeze) dispatch nothing: find their base by storage.
    const ref = t.refOrNull;
    const views = 'a view (slice, transpose, permute, unsqueeze or squeeze)';
    if (ref !== null) {
      for (const [base, o] of this.origins) {
        if (base.refOrNull === ref) return `${subject} ${views} of the result of ${o.fn}${at(o.site)}, which cp.jit does not trace${hintFor(o.fn)}`;
      }
      for (const base of this.state.ids.keys()) {
        if (base.refOrNull === ref) return `${subject} ${views} of a traced tensor; cp.jit does not trace views (traced: ${TRACED_OPS})`;
      }
    }
    return `${subject} tensor #${t.id} (${t.dtype} ${fmtShape(t.shape)}), which the function made with an op cp.jit does not trace (traced: ${TRACED_OPS})`;
  }
}

/** What to do about an untraced op's result, with its separator. */
function hintFor(fn: string): string {
  if (RANDOM.has(fn)) return '; random ops are never traced (each call must draw new values): draw outside the function and pass the tensor as an argument';
  if (CREATION.has(fn)) return '; make the tensor once outside the function (a tensor made before the call is captured as a constant), or pass it as an argument';
  return ` (traced: ${TRACED_OPS})`;
}

/** The reason for a read of tensor data during a trace. */
function readReason(o: Origin): string {
  const what = READS.has(o.fn) ? 'tensor data was read' : `${o.fn}() read tensor data`;
  return `${what} while the function was traced${at(o.site)}: the value would become a constant ` +
    'of the traced plan and later calls with other data would reuse it. Compute the value outside the jitted function and pass ' +
    'it as an argument (a number argument is part of the signature), or keep it a tensor (cp.where to choose between results)';
}

/** ` (model.ts:12)`, or nothing when the line is unknown. */
function at(site: SourceLocation | null): string {
  if (site === null) return '';
  return ` (${site.file.slice(Math.max(site.file.lastIndexOf('/'), site.file.lastIndexOf('\\')) + 1)}:${site.line})`;
}
