/**
 * Rule: repeated CPU↔GPU transfers from one call site (moving the same data back and forth in a
 * loop), detected from `to` ops and from the transfer bytes GPU backends report per op.
 *
 * Speedup (measured): keeping the data on one device leaves one transfer per site; the saved
 * time is the measured transfer time × (calls − 1)/calls (Amdahl over the total op time).
 */
import { corpusFields } from './corpus.js';
import { siteEvents } from './site-events.js';
import { shareText, stallsText, steadyShare } from './stalls.js';
import { ms, priorityFrom, recId, speedupFrom, type Recommendation, type Rule } from './types.js';

const MIN_TRANSFERS = 3;

/** Rule entry point. */
export const transfers: Rule = (input) => {
  const out: Recommendation[] = [];
  for (const s of input.agg.sites) {
    const moved = s.uploadBytes + s.downloadBytes + (s.op === 'to' ? s.bytesRead : 0);
    if (s.count < MIN_TRANSFERS || moved === 0 || (s.op !== 'to' && s.op !== 'read' && s.uploadBytes + s.downloadBytes === 0)) continue;
    // The site's time and the op time without stalled calls (stalls.ts): keeping data on one device removes transfers, not the machine's stalls.
    const steady = steadyShare(input.events, siteEvents(input.events, s.site, s.op), s.totalMs, input.agg.totalOpMs);
    const saved = steady.ms * (1 - 1 / s.count);
    const speedup = speedupFrom(steady.opMs, saved);
    const leftOut = steady.all.stalls > 0 ? ` (left out: ${stallsText(steady.all)}${steady.own.stalls > 0 ? `, ${steady.own.stalls} at this line` : ''})` : '';
    const corpus = corpusFields('transfers');
    out.push({
      id: recId('transfers', s.location, s.op), rule: 'transfers', priority: priorityFrom(speedup, saved, corpus.impact),
      title: 'Repeated CPU↔GPU transfers',
      description: `This line moved data between devices ${s.count} times (${(moved / 1e6).toFixed(2)} MB, ${shareText(steady.ms, steady.opMs, steady.all.stalls > 0 ? 'stalled calls' : '')}). ` +
        'Move tensors to the GPU once, keep intermediate results there, and read back only the final result.',
      estimatedSpeedup: speedup,
      speedupBasis: `measured ${ms(steady.ms)} ms over ${s.count} transfers; one transfer left → ${ms(saved)} ms saved of ${ms(steady.opMs)} ms${leftOut}`,
      codeExample: {
        before: "for (const batch of batches) {\n  const y = model(batch.to('gpu'));\n  results.push(await y.toAsync('cpu'));\n}",
        after: "const all = cp.stack(batches).to('gpu');   // one upload\nconst y = model(all);\nconst results = await y.toAsync('cpu');   // one download",
      },
      location: s.location,
      evidence: { op: s.op, transfers: s.count, bytes: moved, totalMs: s.totalMs },
      savedMs: saved,
      ...corpus,
    });
  }
  return out;
};
