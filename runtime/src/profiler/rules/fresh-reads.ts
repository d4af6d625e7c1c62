/**
 * Rule: one call site reading a large tensor back into a NEW array again and again
 * (`t.dataSync()` in a loop). Every such read allocates fresh memory, and touching it the first
 * time costs several times the copy itself (runtime/BENCHMARKS.md, "Runtime vs tfjs-wasm":
 * 0.089 ms against 0.008 ms for 1e5 float32). `t.dataSync(out)` with one array made before the
 * loop leaves only the copy. Reads that already pass `out` are recorded as op `readInto`.
 *
 * Speedup (measured): saved = the site's read time − its bytes × the measured cost of copying one
 * byte into a reused array (measure.ts copyMsPerByte); Amdahl over the total op time. Silent for
 * GPU sites (their reads are asynchronous downloads) and when the saving is under 5 % of op time.
 */
import { corpusFields } from './corpus.js';
import { ms, priorityFrom, recId, speedupFrom, type Recommendation, type Rule } from './types.js';

const MIN_READS = 10;
/** Below this a fresh array comes from V8's young generation cheaply; the fault cost is for big buffers. */
const MIN_BYTES_PER_READ = 64 * 1024;
const MIN_SHARE = 0.05;

/** Rule entry point. */
export const freshReads: Rule = (input) => {
  const { agg } = input;
  const out: Recommendation[] = [];
  for (const s of agg.sites) {
    if (s.op !== 'read' || s.count < MIN_READS || s.bytesWritten / s.count < MIN_BYTES_PER_READ) continue;
    if (!s.backends.every((b) => input.dispatchCostMs(b) !== null)) continue;
    const intoMs = s.bytesWritten * input.copyMsPerByte();
    const saved = Math.max(0, s.totalMs - intoMs);
    if (saved < MIN_SHARE * agg.totalOpMs) continue;
    const perRead = s.bytesWritten / s.count;
    const speedup = speedupFrom(agg.totalOpMs, saved);
    const corpus = corpusFields('fresh-reads');
    out.push({
      id: recId('fresh-reads', s.location, s.op), rule: 'fresh-reads', priority: priorityFrom(speedup, saved, corpus.impact),
      title: 'Read into one reused array instead of a new one per call',
      description: `${s.count} reads of ${(perRead / 1024).toFixed(0)} KB each from this line took ${ms(s.totalMs)} ms; copying the ` +
        `same bytes into an array that already exists takes about ${ms(intoMs)} ms. Make the array once, before the loop, and pass it: ` +
        't.dataSync(out).',
      estimatedSpeedup: speedup,
      speedupBasis: `site read time ${ms(s.totalMs)} ms − ${s.bytesWritten.toFixed(0)} bytes × measured copy cost into a reused array ` +
        `(${(input.copyMsPerByte() * 1e6 * 1024).toFixed(0)} ns/KB = ${ms(intoMs)} ms) = ${ms(saved)} ms saved of ${ms(agg.totalOpMs)} ms`,
      codeExample: {
        before: 'for (const frame of frames) {\n  const pixels = render(frame).dataSync(); // a new array every pass\n  draw(pixels);\n}',
        after: 'const pixels = new Float32Array(width * height); // once\nfor (const frame of frames) {\n  render(frame).dataSync(pixels);\n  draw(pixels);\n}',
      },
      location: s.location,
      evidence: { reads: s.count, bytesPerRead: perRead, readMs: s.totalMs, copyIntoMs: intoMs },
      savedMs: saved,
      ...corpus,
    });
  }
  return out;
};
