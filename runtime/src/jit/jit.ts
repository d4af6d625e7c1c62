/**
 * `cp.jit(fn)`: traces `fn` once per input signature (each tensor argument's backend, dtype and
 * shape, and the value of each number/boolean/string argument) and afterwards runs the traced
 * plan, where chains of elementwise ops and their reduction run as one fused kernel each.
 *
 * When a call cannot be traced (it reads tensor data, an op outside the traced set made a tensor
 * the function uses, or the result is not tensors) that signature runs eagerly from then on, and
 * the reason is printed once with `console.warn` and kept in {@link JitFunction.signatures}.
 * JS values the function reads from its closure are read at trace time: constants of the plan.
 */
import { Tensor } from '../tensor.js';
import { fmtShape } from '../shape.js';
import { opNameOf, planGraph, type FusedGroup, type Plan } from './plan.js';
import { registerFusedGroup } from '../profiler/fused-groups.js';
import { framesAbove, isRuntimeFrame, mapLocation } from '../profiler/callsite.js';
import type { SourceLocation } from '../contract/flame.js';
import { runPlan, unfusedReasons } from './exec.js';
import { trace } from './trace.js';
import { traceHook } from './hook.js';

/** How one input signature of a jitted function runs. */
export interface JitSignature {
  /** e.g. `wasm float32[1000000]`, one entry per argument, joined with `, `. */
  readonly key: string;
  /** Fused groups (kernels) per call; 0 when running eagerly. */
  readonly fusedGroups: number;
  /** Ops folded into fused groups per call. */
  readonly fusedOps: number;
  /** Steps per call (fused groups + ops run on their own). */
  readonly steps: number;
  /**
   * Why this signature runs eagerly (e.g. `item() read tensor data while the function was traced
   * (model.ts:12): …`), or null when it runs the traced plan.
   */
  readonly eagerReason: string | null;
  /** Each fused group: the op name the profiler records, and its member ops with the lines that called them. */
  readonly groups: readonly JitGroupInfo[];
}

/** One fused group of a {@link JitSignature}. */
export interface JitGroupInfo {
  /** e.g. `fused(mul+sub+relu+sum)`: the op name of the group's profiler events. */
  readonly op: string;
  /** Member ops in execution order, each with the user's line that called it (1-based; null when unknown). */
  readonly members: readonly { readonly op: string; readonly location: SourceLocation | null }[];
  /**
   * Why a call ran this group op by op although its backend fuses (e.g. more inputs than a GPU
   * kernel may bind; the latest such reason), or null when that never happened.
   */
  readonly unfused: string | null;
}

/** A fused group's member ops (its elementwise chain, then its reduction epilogue) with the lines that called them. */
function membersOf(plan: Plan, group: FusedGroup): JitGroupInfo['members'] {
  const nodes = plan.graph.nodes;
  const ids = [...group.members, ...(group.epilogue >= 0 ? [group.epilogue] : [])];
  return ids.map((i) => ({ op: opNameOf(nodes[i]!), location: nodes[i]!.site }));
}

/**
 * Tells the profiler what each fused kernel of `plan` is made of, so its views can show the member
 * lines, and returns the plan with each group under the event name the profiler gave it (another
 * group with the same op chain gets a name of its own, so their times are not mixed up).
 */
function registerGroups(plan: Plan): Plan {
  const steps = plan.steps.map((s) => {
    if (s.kind !== 'group') return s;
    const label = registerFusedGroup(s.group.label, membersOf(plan, s.group));
    return label === s.group.label ? s : { ...s, group: { ...s.group, label } };
  });
  return { ...plan, steps };
}

/**
 * A signature of a jitted function that runs eagerly, with where the function was compiled: what
 * the profiler's jit-chain rule reads so that a chain inside such a function is told why it is not
 * fused, not to wrap it in `cp.jit` again.
 */
export interface EagerSignature {
  /** `options.name`, the function's name, or `anonymous function`. */
  readonly name: string;
  /** As {@link JitSignature.key}. */
  readonly key: string;
  /** As {@link JitSignature.eagerReason}. */
  readonly reason: string;
  /** The user's line and column of the `cp.jit(…)` call (1-based, source-mapped), or null when no user frame was found. */
  readonly compiledAt: SourceLocation | null;
}

/** Most eager signatures kept (the oldest go first): jitted functions made in a loop must not grow it without bound. */
const MAX_EAGER = 256;
/** Eager signatures of every jitted function of this thread, by compile position, name and key. */
const eagerSignatureList = new Map<string, { readonly name: string; readonly key: string; readonly reason: string; readonly at: RawPosition | null }>();
type RawPosition = { readonly file: string; readonly line: number; readonly column: number };

/** The eager signatures of this thread's jitted functions, oldest first (a snapshot; read-only). */
export function eagerSignatures(): EagerSignature[] {
  return [...eagerSignatureList.values()].map((e) => ({ name: e.name, key: e.key, reason: e.reason, compiledAt: e.at && mapLocation(e.at.file, e.at.line, e.at.column) }));
}

/** The first frame above `jit` outside the runtime, unmapped (mapped only when read). A stack capture: microseconds, once per `cp.jit(…)`. */
function compilePosition(): RawPosition | null {
  for (const f of framesAbove(jit, 8) ?? []) {
    const file = f.getFileName();
    if (!file || file.startsWith('node:') || isRuntimeFrame(file)) continue;
    return { file, line: f.getLineNumber() ?? 0, column: f.getColumnNumber() ?? 0 };
  }
  return null;
}

/** A function compiled by {@link jit}. */
export interface JitFunction<A extends unknown[], R> {
  (...args: A): R;
  /** What each input signature seen so far compiled to. */
  signatures(): JitSignature[];
}

/** Options of {@link jit}. */
export interface JitOptions {
  /** Name used in messages (default: the function's name). */
  readonly name?: string;
  /** Print the reason once when a signature falls back to eager execution (default true). */
  readonly warn?: boolean;
}

type Entry = { readonly plan: Plan } | { readonly eager: string };

function keyOf(args: readonly unknown[]): string | null {
  let key = '';
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (i > 0) key += ', ';
    // The same tensor passed twice traces differently from two tensors (one graph input, not two).
    const same = a instanceof Tensor ? args.indexOf(a) : -1;
    if (same >= 0 && same < i) key += `=arg${same}`;
    else if (a instanceof Tensor) key += `${a.backend} ${a.dtype}${fmtShape(a.shape)}`;
    else if (a === undefined || typeof a === 'number' || typeof a === 'boolean' || typeof a === 'string') key += JSON.stringify(a) ?? 'undefined';
    else return null;
  }
  return key;
}

/**
 * Whether `args` have the signature recorded in `parts` by {@link signatureParts}: the check a
 * repeated call makes instead of building its key string (≈ 0.3 µs per call saved on small ops).
 */
function matchesParts(args: readonly unknown[], parts: readonly unknown[]): boolean {
  let p = 0;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a instanceof Tensor) {
      if (parts[p++] !== args.indexOf(a) || parts[p++] !== a.backend || parts[p++] !== a.dtype || parts[p++] !== a.shape.length) return false;
      for (const d of a.shape) if (parts[p++] !== d) return false;
    } else if (parts[p++] !== 'value' || !Object.is(parts[p++], a)) {
      return false;
    }
  }
  return p === parts.length;
}

/** The flat list {@link matchesParts} compares against: per tensor its first index, backend, dtype, rank, dims; per value a marker and the value. */
function signatureParts(args: readonly unknown[]): unknown[] {
  const parts: unknown[] = [];
  for (const a of args) {
    if (a instanceof Tensor) parts.push(args.indexOf(a), a.backend, a.dtype, a.shape.length, ...a.shape);
    else parts.push('value', a);
  }
  return parts;
}

function rebuild(plan: Plan, vals: readonly (Tensor | undefined)[]): unknown {
  const out = plan.graph.output;
  if (out.kind === 'single') return vals[out.id];
  const list = out.ids.map((id) => vals[id]);
  if (out.kind === 'array') return list;
  return Object.fromEntries(out.keys.map((k, i) => [k, list[i]]));
}

/**
 * Compiles `fn` into a function that fuses elementwise chains (and their sum/mean/min/max) into
 * one kernel per group. `fn` takes tensors (and static numbers/strings) and returns a tensor, or
 * an array or plain object of tensors; results equal eager execution within the tolerances in
 * PROFILING_GUIDE.md ("Fusion with cp.jit"). Works inside `tidy`; disposes every intermediate.
 */
export function jit<A extends unknown[], R>(fn: (...args: A) => R, options: JitOptions = {}): JitFunction<A, R> {
  if (typeof fn !== 'function') throw new TypeError('cp.jit: expected a function');
  const name = options.name ?? (fn.name || 'anonymous function');
  const cache = new Map<string, Entry>();
  // The last call's signature and entry: a loop calling with one signature skips keyOf and the Map.
  let last: { readonly parts: readonly unknown[]; readonly entry: Entry } | null = null;
  const at = compilePosition();
  const eager = (key: string, reason: string): void => {
    cache.set(key, { eager: reason });
    const id = `${at ? `${at.file}:${at.line}:${at.column}` : ''}|${name}|${key}`;
    eagerSignatureList.delete(id);
    eagerSignatureList.set(id, { name, key, reason, at });
    if (eagerSignatureList.size > MAX_EAGER) eagerSignatureList.delete(eagerSignatureList.keys().next().value!);
    if (options.warn !== false) console.warn(`cp.jit(${name}): running eagerly for (${key}): ${reason}`);
  };
  const jitted = ((...args: A): R => {
    // Inside another function's trace, run inline: the outer trace records these ops itself.
    if (traceHook !== null) return fn(...args);
    let entry = last !== null && matchesParts(args, last.parts) ? last.entry : undefined;
    if (entry !== undefined) return run(entry, args);
    const key = keyOf(args);
    if (key === null) return fn(...args);
    entry = cache.get(key);
    if (entry === undefined) {
      const t = trace(fn as unknown as (...a: never[]) => R, args);
      if (t.graph === null) {
        eager(key, t.reason ?? 'tracing failed');
        return t.result;
      }
      for (const x of t.intermediates) x.dispose();
      const plan = registerGroups(planGraph(t.graph));
      cache.set(key, { plan });
      return t.result;
    }
    last = { parts: signatureParts(args), entry };
    return run(entry, args);
  }) as JitFunction<A, R>;
  const run = (entry: Entry, args: A): R => ('eager' in entry ? fn(...args) : rebuild(entry.plan, runPlan(entry.plan, args)) as R);
  jitted.signatures = () => [...cache.entries()].map(([key, e]) => {
    if ('eager' in e) return { key, fusedGroups: 0, fusedOps: 0, steps: 0, eagerReason: e.eager, groups: [] };
    const groups: JitGroupInfo[] = [];
    for (const s of e.plan.steps) {
      if (s.kind !== 'group') continue;
      groups.push({ op: s.group.label, members: membersOf(e.plan, s.group), unfused: unfusedReasons.get(s.group) ?? null });
    }
    const fusedOps = groups.reduce((n, gr) => n + gr.members.length, 0);
    return { key, fusedGroups: groups.length, fusedOps, steps: e.plan.steps.length, eagerReason: null, groups };
  });
  return jitted;
}
