/**
 * The text report's "Fused kernels" lines: under each fused kernel (`cp.jit`), its member ops
 * with the lines that called them and their share of the kernel's op time. Members of one kernel
 * cannot be timed apart, so the share is the kernel's time split equally among its ops (see the
 * contract's FusedMemberShare); the lines say so, and the shares are not added to any total.
 */
import type { ProfileReport } from '../contract/report.js';

const fmtMs = (x: number): string => (x >= 100 ? x.toFixed(1) : x >= 0.01 ? x.toFixed(2) : x.toFixed(4));

/** `file:line` with the file's base name, or `(line unknown)`. */
function where(l: { readonly file: string; readonly line: number } | null): string {
  return l === null ? '(line unknown)' : `${l.file.split(/[\\/]/).pop()}:${l.line}`;
}

/** The lines (no trailing blank); empty when the report has no fused kernel with known members. Pure. */
export function fusedKernelLines(r: ProfileReport): string[] {
  // One entry per fused op; its members merged over call sites by (op, line).
  const kernels = new Map<string, { totalMs: number; members: Map<string, { op: string; at: string; ms: number }> }>();
  for (const s of r.callSites) {
    if (s.fusedMembers === undefined) continue;
    let k = kernels.get(s.op);
    if (!k) kernels.set(s.op, (k = { totalMs: 0, members: new Map() }));
    k.totalMs += s.totalMs;
    for (const m of s.fusedMembers) {
      const at = where(m.location);
      const key = `${m.op}\u0000${at}`;
      const e = k.members.get(key);
      if (e) e.ms += m.shareMs;
      else k.members.set(key, { op: m.op, at, ms: m.shareMs });
    }
  }
  if (kernels.size === 0) return [];
  const out = ['Fused kernels (cp.jit): each member line\'s share of its kernel\'s op time, split equally among the kernel\'s ops (they run as one kernel):'];
  for (const [op, k] of kernels) {
    const pct = r.totalTimeMs > 0 ? ` (${((100 * k.totalMs) / r.totalTimeMs).toFixed(1)}% of op time)` : '';
    // On the GPU the kernel's op time is its submit; its run is the GPU time (not split among members: one kernel).
    const gpuMs = r.operations.find((o) => o.op === op)?.gpuMs ?? 0;
    out.push(`  ${op}  ${fmtMs(k.totalMs)} ms${pct}${gpuMs > 0 ? `; GPU ${fmtMs(gpuMs)} ms` : ''}`);
    const members = [...k.members.values()];
    const wOp = Math.max(...members.map((m) => m.op.length));
    const wAt = Math.max(...members.map((m) => m.at.length));
    for (const m of members) out.push(`    ↳ ${m.op.padEnd(wOp)}  ${m.at.padEnd(wAt)}  ${fmtMs(m.ms).padStart(8)} ms  fused`);
  }
  return out;
}
