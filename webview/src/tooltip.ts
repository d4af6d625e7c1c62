/**
 * Text shown for a hovered frame, and the number formatting shared by the UI. Pure: returns
 * lines; the view puts them in the tooltip element with textContent (labels are untrusted).
 */
import { isMergedCallsName, percentLabel, shareOf, type FlameProfile } from 'corepy/contract';
import type { FlameLayout } from './layout.js';
import type { PathDiff } from './compare.js';

/** Formats a duration given in µs as milliseconds with 3 decimals ("1.234 ms"). */
export function fmtUs(us: number): string {
  return `${(us / 1000).toFixed(3)} ms`;
}

/** Formats a fraction (0..1) as a percentage with one decimal. */
export function fmtPct(fraction: number): string {
  return `${(fraction * 100).toFixed(1)} %`;
}

/** Short display form of a file path: the last two segments. */
export function shortFile(file: string): string {
  const parts = file.split(/[\\/]/);
  return parts.slice(-2).join('/');
}

const KIND_NAMES = ['context', 'function', 'op', 'gpu', 'one-time cost'];
/** The layout's kind of a function frame of the user's call stack (contract SliceKind.Function). */
const FUNCTION_KIND = 1;

/**
 * Tooltip lines for frame `f`: op name, self/total time in ms with % of wall time (the profile's
 * timeline, not the editor views' op time), count,
 * backend, file:line, and the change against the compare profile when one is shown.
 */
export function tooltipLines(
  L: FlameLayout, f: number, profile: FlameProfile, diff: PathDiff | null, canReveal: boolean,
): string[] {
  const s = profile.strings;
  const backend = L.backend[f] === -2 ? 'mixed' : L.backend[f] >= 0 ? s[L.backend[f]] : '—';
  const lines = [
    `${s[L.name[f]]} (${KIND_NAMES[L.kind[f]] ?? 'slice'})`,
    `self ${fmtUs(L.self[f])} · total ${fmtUs(L.w[f])} (${percentLabel(shareOf(L.w[f], L.totalUs), 'wall')})`,
    // A function's count is of runs on the timeline, as the ops table says: calls it cannot count (audit 28: "count 1"
    // for a function called 450 times, each call's ops next to the last).
    // (A function of the call stack has its start as location; a @profiled one has none and counts its calls.)
    L.kind[f] === FUNCTION_KIND && L.location[f] >= 0
      ? `${L.count[f]} run${L.count[f] === 1 ? '' : 's'} (stretches of ops with it on the stack, not calls) · backend ${backend}`
      : `count ${L.count[f]} · backend ${backend}`,
  ];
  const merged = mergedCallsNote(s[L.name[f]]);
  if (merged !== null) lines.push(merged);
  const loc = L.location[f] >= 0 ? profile.locations[L.location[f]] : undefined;
  if (loc !== undefined) lines.push(`${shortFile(loc.file)}:${loc.line}`);
  lines.push(...fusedLines(profile, s[L.name[f]]));
  if (diff !== null) {
    const p = L.path[f];
    const d = diff.deltaUs[p];
    const rel = diff.baseUs[p] > 0 ? ` (${d >= 0 ? '+' : ''}${fmtPct(d / diff.baseUs[p])})` : ' (new)';
    lines.push(`self vs compare: ${d >= 0 ? '+' : '−'}${fmtUs(Math.abs(d))}${rel}`);
  }
  if (loc !== undefined && canReveal) lines.push('Ctrl/Cmd+click: open source');
  return lines;
}

/**
 * For a fused kernel's frame (`cp.jit`): one line per member op with the line that called it
 * ("  mul  jit.ts:12"), after a header saying the members run as one kernel. [] for other frames.
 */
export function fusedLines(profile: FlameProfile, name: string | undefined): string[] {
  if (name === undefined || !Array.isArray(profile.fused)) return [];
  // The model may come from a saved HTML report or another runtime version: read only what has the expected shape.
  const groups = profile.fused.filter((k) => typeof k === 'object' && k !== null && k.name === name && Array.isArray(k.members));
  if (groups.length === 0) return [];
  const out = ['fused kernel (cp.jit), one kernel for:'];
  for (const g of groups) {
    for (const m of g.members) {
      const at = typeof m?.location?.file === 'string' ? `${shortFile(m.location.file)}:${m.location.line}` : '(line unknown)';
      out.push(`  ${String(m?.op)}  ${at}`);
    }
  }
  return out;
}

/**
 * What a merged run of a function means (its name ends with MERGED_CALLS_SUFFIX: the capture cannot
 * tell its calls apart), for the tooltip and the ops table; null for other names.
 */
export function mergedCallsNote(name: string | undefined): string | null {
  if (name === undefined || !isMergedCallsName(name)) return null;
  return 'calls unknown: consecutive calls with no op of the caller between them, and a loop inside it, look alike — the count is a lower bound; the time between them is under "(…: loop or next call)", not its self';
}
