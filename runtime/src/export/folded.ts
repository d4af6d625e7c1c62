/**
 * Folded-stacks export (Brendan Gregg's flamegraph.pl / inferno / speedscope import): one line
 * per distinct stack, `frame;frame;frame <weight>`, weight = SELF time in integer µs (rounded),
 * frames outermost first. Nothing else: no comment or stamp line (flamegraph.pl warns about every
 * line that is not a stack), and frame names sanitised by {@link foldedFrameName}.
 *
 * A fused kernel (`cp.jit`, frame `fused(a+b+…)`) gets one line per member under its frame,
 * `…;fused(mul+sub);mul@a.ts:7 <weight>`, each with its equal share of the kernel's weight (equal per
 * group sharing the name, then per member: fused-groups.ts), in integers whose sum is the kernel's
 * own rounded weight: each share rounded down, the remainder to the first member. A member op
 * called twice on one line is one frame with both shares. One-time work done at load, before the
 * recording (at-load.ts), is one line per report row under {@link AT_LOAD_FRAME}, so the one-time
 * lines sum to the report's one-time total.
 */
import { AT_LOAD_FRAME, atLoadCosts } from './at-load.js';
import { fusedMemberLabel, fusedMembersByName, type ExportFusedMember } from './fused-members.js';
import type { ExportInput } from './types.js';

/**
 * What a frame name becomes in a folded line: `;` (the frame separator), whitespace (the
 * weight separator) and control characters, lone surrogates and U+FFFE/U+FFFF (which make
 * flamegraph.pl's SVG invalid XML) are each replaced by `_`; an empty name becomes `_`.
 */
export function foldedFrameName(name: string): string {
  const clean = name.replace(/[;\s\p{Cc}\p{Cs}\uFFFE\uFFFF]/gu, '_');
  return clean === '' ? '_' : clean;
}

/**
 * The folded stacks as text. Each slice's stack is its parent's stack plus one frame, so stacks
 * are interned as (parent stack id, frame) pairs: O(1) per slice, not O(depth), and the text of
 * a stack is built once, from its parent's, only for the lines written.
 */
export function toFolded(input: ExportInput): string {
  const { flame } = input;
  const s = flame.slices;
  const n = s.name.length;
  const self = s.duration.slice();
  for (let i = 0; i < n; i++) if (s.parent[i]! >= 0) self[s.parent[i]!]! -= s.duration[i]!;
  const frame = flame.strings.map(foldedFrameName);
  // Stack ids: stackParent[id] (-1 at the root) and stackFrame[id] (string index), interned by key.
  const stackParent: number[] = [], stackFrame: number[] = [];
  // Keyed by parentStack · strings + frame (a number: no key string per slice).
  const interned = new Map<number, number>();
  const nStrings = flame.strings.length;
  const stackOf = new Int32Array(n).fill(-1);
  const pending: number[] = [];
  const resolve = (i: number): number => {
    // Walk up to the nearest slice whose stack is known (slices usually follow their parent, so
    // this is one step), then intern the walked slices' stacks outermost first.
    for (let k = i; k >= 0 && stackOf[k] === -1; k = s.parent[k]!) pending.push(k);
    while (pending.length > 0) {
      const k = pending.pop()!, p = s.parent[k]!;
      const parentStack = p >= 0 ? stackOf[p]! : -1;
      const key = (parentStack + 1) * nStrings + s.name[k]!;
      let id = interned.get(key);
      if (id === undefined) {
        id = stackParent.length;
        stackParent.push(parentStack);
        stackFrame.push(s.name[k]!);
        interned.set(key, id);
      }
      stackOf[k] = id;
    }
    return stackOf[i]!;
  };
  const weights = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const id = resolve(i);
    weights.set(id, (weights.get(id) ?? 0) + Math.max(0, self[i]!));
  }
  const text: (string | undefined)[] = [];
  const textOf = (id: number): string => {
    for (let k = id; k >= 0 && text[k] === undefined; k = stackParent[k]!) pending.push(k);
    while (pending.length > 0) {
      const k = pending.pop()!, p = stackParent[k]!;
      text[k] = p >= 0 ? `${text[p]!};${frame[stackFrame[k]!]!}` : frame[stackFrame[k]!]!;
    }
    return text[id]!;
  };
  const fused = fusedMembersByName(flame);
  let out = '';
  for (const c of atLoadCosts(input)) {
    const w = Math.round(c.us);
    if (w > 0) out += `${foldedFrameName(AT_LOAD_FRAME)};${foldedFrameName(c.name)} ${w}\n`;
  }
  for (const [id, us] of weights) {
    const w = Math.round(us);
    if (w <= 0) continue;
    const members = fused.get(stackFrame[id]!);
    if (members === undefined) out += `${textOf(id)} ${w}\n`;
    else for (const [frameName, share] of memberWeights(members, w)) if (share > 0) out += `${textOf(id)};${frameName} ${share}\n`;
  }
  return out;
}

/**
 * Integer weights of a fused kernel's member frames that sum to `weight`: equal per group, then
 * per member, rounded down, the remainder to the first member; members with the same frame merged.
 */
export function memberWeights(groups: readonly (readonly ExportFusedMember[])[], weight: number): Map<string, number> {
  const exact = new Map<string, number>();
  for (const g of groups) {
    for (const m of g) {
      const frameName = foldedFrameName(fusedMemberLabel(m));
      exact.set(frameName, (exact.get(frameName) ?? 0) + weight / groups.length / g.length);
    }
  }
  const out = new Map<string, number>();
  let given = 0;
  for (const [frameName, share] of exact) {
    const whole = Math.floor(share + 1e-9);
    out.set(frameName, whole);
    given += whole;
  }
  const first = out.keys().next().value!;
  out.set(first, out.get(first)! + weight - given);
  return out;
}

/** Parses folded text back into stack → weight (µs); throws on a malformed line. */
export function parseFolded(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(.+) (\d+)$/.exec(line);
    if (!m) throw new Error(`Malformed folded line: ${JSON.stringify(line)}`);
    out.set(m[1]!, (out.get(m[1]!) ?? 0) + Number(m[2]));
  }
  return out;
}
