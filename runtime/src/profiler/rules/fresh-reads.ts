/**
 * Rule: one call site reading a large tensor back into a NEW array again and again
 * (`t.dataSync()` in a loop). Every such read allocates fresh memory, and touching it the first
 * time costs several times the copy itself (runtime/BENCHMARKS.md, "Runtime vs tfjs-wasm":
 * 0.089 ms against 0.008 ms for 1e5 float32). `t.dataSync(out)` with one array made before the
 * loop leaves only the copy. Reads that already pass `out` are recorded as op `readInto`.
 *
 * Speedup (measured): both reads are timed here on a tensor of the site's shape (measure-reads.ts:
 * fresh array vs reused array, steady state; r: types.ts trialRatio); the site saves
 * siteMs · (1 − 1/r), Amdahl over the total op time. (Subtracting a copy cost from the cold
 * profile's read time instead claimed 128–480× on the corpus where 5–8.5× was measured: a cold
 * run's reads include one-time page faults that the rewrite does not remove from steady state.)
 * Silent for GPU sites (their reads are asynchronous downloads) and when the saving is under 5 % of op time.
 */
import { corpusFields } from './corpus.js';
import { dtypeAt, inputShapesAt } from '../rule-columns.js';
import { siteEvents } from './site-events.js';
import { shareText, stallsText, steadyShare } from './stalls.js';
import { ms, priorityFrom, recId, speedupFrom, trialEvidence, trialRatio, trialWhen, UNTIMED, untimedFields, type Recommendation, type Rule } from './types.js';

const MIN_READS = 10;
/** Below this a fresh array comes from V8's young generation cheaply; the fault cost is for big buffers. */
const MIN_BYTES_PER_READ = 64 * 1024;
const MIN_SHARE = 0.05;

/** Title and code example, the same whether the reads were timed or not. */
const TEXT = {
  title: 'Read into one reused array instead of a new one per call',
  codeExample: {
    before: 'for (const frame of frames) {\n  const pixels = render(frame).dataSync(); // a new array every pass\n  draw(pixels);\n}',
    after: 'const pixels = new Float32Array(width * height); // once\nfor (const frame of frames) {\n  render(frame).dataSync(pixels);\n  draw(pixels);\n}',
  },
} as const;

/** Rule entry point. */
export const freshReads: Rule = (input) => {
  const { agg } = input;
  const out: Recommendation[] = [];
  for (const s of agg.sites) {
    if (s.op !== 'read' || s.count < MIN_READS || s.bytesWritten / s.count < MIN_BYTES_PER_READ) continue;
    if (!s.backends.every((b) => input.dispatchCostMs(b) !== null)) continue;
    const perRead = s.bytesWritten / s.count;
    const event = siteEvents(input.events, s.site, 'read')[0];
    const dtype = (event !== undefined ? dtypeAt(input.events, event) : '') || 'float32';
    const shape = (event !== undefined ? inputShapesAt(input.events, event)[0] : undefined) ?? [Math.round(perRead / (dtype === 'bool' ? 1 : 4))];
    // The reads' time and the op time without stalled calls (stalls.ts): a reused array does not remove the machine's stalls.
    const steady = steadyShare(input.events, siteEvents(input.events, s.site, 'read'), s.totalMs, agg.totalOpMs);
    const stated = shareText(steady.ms, steady.opMs, steady.all.stalls > 0 ? 'stalled calls' : '');
    const times = input.measureReads(s.backends[0]!, shape, dtype, s.count);
    const corpus = corpusFields('fresh-reads');
    if (times === UNTIMED) {
      // Only when the whole read time would clear the rule's threshold: a saving is a part of it.
      if (steady.ms < MIN_SHARE * steady.opMs) continue;
      out.push({
        id: recId('fresh-reads', s.location, s.op), rule: 'fresh-reads', ...TEXT,
        description: `${s.count} reads of ${(perRead / 1024).toFixed(0)} KB each from this line took ${stated}; each allocates a new array. ` +
          'Make the array once, before the loop, and pass it: t.dataSync(out).',
        location: s.location,
        evidence: { reads: s.count, bytesPerRead: perRead, readMs: s.totalMs },
        ...corpus,
        ...untimedFields(`reads of [${shape.join(', ')}] ${dtype}`),
      });
      continue;
    }
    // The ratio the printed medians and the per-round ratios both support (types.ts trialRatio; 1 when they disagree).
    const claimed = times ? trialRatio(times.freshMs, times.intoMs, times.ratio) : null;
    if (!times || !claimed || claimed.r <= 1) continue;
    const saved = steady.ms * (1 - 1 / claimed.r);
    const intoMs = steady.ms - saved;
    if (saved < MIN_SHARE * steady.opMs) continue;
    const speedup = speedupFrom(steady.opMs, saved);
    out.push({
      id: recId('fresh-reads', s.location, s.op), rule: 'fresh-reads', priority: priorityFrom(speedup, saved, corpus.impact), ...TEXT,
      description: `${s.count} reads of ${(perRead / 1024).toFixed(0)} KB each from this line took ${stated}; reading the ` +
        `same bytes into an array that already exists measured ${claimed.r.toFixed(1)}× faster here (about ${ms(intoMs)} ms). Make the array once, before the loop, and pass it: ` +
        't.dataSync(out).',
      estimatedSpeedup: speedup,
      speedupBasis: `reads of [${shape.join(', ')}] ${dtype} ${trialWhen(times)}: new array ${ms(times.freshMs)} ms vs reused array ${ms(times.intoMs)} ms ` +
        `(medians; ${claimed.text}); site read time ${ms(steady.ms)} ms × (1 − 1/r) = ${ms(saved)} ms saved of ${ms(steady.opMs)} ms` +
        (steady.all.stalls > 0 ? ` (left out: ${stallsText(steady.all)}${steady.own.stalls > 0 ? `, ${steady.own.stalls} among the reads` : ''})` : ''),
      location: s.location,
      evidence: { reads: s.count, bytesPerRead: perRead, readMs: s.totalMs, freshMs: times.freshMs, intoMs: times.intoMs, ...trialEvidence(times),
        ...(steady.all.stalls > 0 ? { steadyReadMs: steady.ms, steadyOpMs: steady.opMs } : {}) },
      savedMs: saved,
      ...corpus,
    });
  }
  return out;
};
