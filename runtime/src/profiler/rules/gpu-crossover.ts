/**
 * Rule: large tensors on the CPU where this machine's GPU calibration (backends/calibration.ts,
 * written by `cp.calibrate()`) measured the GPU faster. Without a calibration this rule says
 * nothing about the GPU: no guessing.
 *
 * Speedup (measured): the calibration's measured wasm/webgpu ratio at its largest size, applied
 * to the measured time of the qualifying ops (Amdahl over the total op time).
 */
import type { OpFamily } from '../../backends/calibration.js';
import { opInfo } from '../../backends/op-table.js';
import { corpusFields } from './corpus.js';
import { siteEvents } from './site-events.js';
import { ms, priorityFrom, recId, speedupFrom, type Recommendation, type Rule } from './types.js';

/** The calibrated family of `op` (op table), or undefined for families calibration does not time. */
function familyOf(op: string): OpFamily | undefined {
  const f = opInfo(op)?.family;
  // cast changes bytes, not arithmetic: calibration's elementwise figures do not cover it.
  return (f === 'elementwise' && op !== 'cast') || f === 'reduce' || f === 'matmul' ? f : undefined;
}

/** Rule entry point. */
export const gpuCrossover: Rule = (input) => {
  const cal = input.calibration;
  if (!cal) return [];
  const out: Recommendation[] = [];
  for (const s of input.agg.sites) {
    const family = familyOf(s.op);
    if (!family || s.backends.some((b) => b === 'webgpu')) continue;
    const crossover = cal.crossover[family];
    const ratio = cal.speedupAtLargest[family];
    // Work per call: M·N·K for matmul (as calibrated), elements of the largest input otherwise.
    const events = siteEvents(input.events, s.site, s.op);
    // Per distinct shape list (equal lists share an index), and a loop, not Math.max(...): a spread of 1e6 values overflows the stack.
    let work = events.length ? -Infinity : s.elements / Math.max(1, s.count);
    const seen = new Set<number>();
    for (const e of events) {
      const k = input.events.inShapes[e]!;
      if (seen.has(k)) continue;
      seen.add(k);
      const shapes = input.events.shapeLists[k]!;
      let w: number;
      if (family !== 'matmul') w = Math.max(0, ...shapes.map((sh) => sh.reduce((p, d) => p * d, 1)));
      else {
        const [a = [], b = []] = shapes;
        w = (a[a.length - 2] ?? 1) * (a[a.length - 1] ?? 1) * (b[b.length - 1] ?? 1);
      }
      if (w > work) work = w;
    }
    if (crossover === null || work < crossover || ratio <= 1) continue;
    const saved = s.totalMs * (1 - 1 / ratio);
    const speedup = speedupFrom(input.agg.totalOpMs, saved);
    const corpus = corpusFields('gpu-crossover');
    out.push({
      id: recId('gpu-crossover', s.location, s.op), rule: 'gpu-crossover',
      priority: priorityFrom(speedup, saved, corpus.impact),
      title: `Run '${s.op}' on the GPU`,
      description: `'${s.op}' runs on the CPU (${s.backends.join(', ')}) on ${work.toLocaleString('en-US')} elements per call; this machine's ` +
        `calibration (${cal.adapter}) measured the GPU faster from ${crossover.toLocaleString('en-US')} elements (${ratio.toFixed(1)}× at its largest size).`,
      estimatedSpeedup: speedup,
      speedupBasis: `calibration ratio ${ratio.toFixed(2)}× applied to the measured ${ms(s.totalMs)} ms of '${s.op}'`,
      codeExample: { before: `const y = cp.${s.op}(x, …);`, after: `const xg = x.to('gpu');   // once, before the loop\nconst y = cp.${s.op}(xg, …);` },
      location: s.location,
      evidence: { op: s.op, elementsPerCall: work, crossover, calibratedSpeedup: ratio, totalMs: s.totalMs },
      savedMs: saved,
      ...corpus,
    });
  }
  return out;
};
