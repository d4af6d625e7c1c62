/**
 * What `corepy profile` can truthfully say about a script that ended without its final report
 * (SIGKILL, out of memory, killed inside synchronous work after Ctrl-C): only what its last
 * streamed batch held is known. Batches go out every 250 ms while the script's event loop runs
 * (profiler/ipc.ts BATCH_INTERVAL_MS) and from the op path inside a long synchronous loop of ops;
 * none go during synchronous work without ops, so the ops between the last batch and that work are
 * lost, and the CLI cannot tell whether there were any. Pure functions, for cli.ts.
 */
import type { ProfileBatchMessage } from './contract/ipc.js';

/** Why batches can miss ops, for the messages below. */
const WHEN_BATCHES_GO = 'batches go out every 250 ms while its event loop runs and from inside a long synchronous loop of ops, ' +
  'not during synchronous work without ops';

/** " (received 4.8 s before the script ended)", or '' when not known. `agoMs`: ms. */
export function batchAge(agoMs: number | null): string {
  if (agoMs === null || !Number.isFinite(agoMs)) return '';
  const text = agoMs < 1000 ? `${Math.round(agoMs)} ms` : `${(agoMs / 1000).toFixed(1)} s`;
  return ` (received ${text} before the script ended)`;
}

/** True when the batch holds an op (a batch from before the script's first op holds none). */
export function batchHasOps(b: ProfileBatchMessage): boolean {
  return b.sites.length > 0 || (b.segments ?? []).some((g) => g.sites.length > 0);
}

/**
 * Why there is no report to print, when the last batch has no op in it (or no batch came): never
 * "no op ran", which the CLI cannot know. Null when the batch holds ops (a PARTIAL report follows).
 * `agoMs`: time from the batch's arrival to the script's end, ms.
 */
export function lastBatchMissing(batch: ProfileBatchMessage | null, agoMs: number | null): string | null {
  if (batch === null) return `it sent no batch before it ended, so whether it ran any corepy op is not known (${WHEN_BATCHES_GO})`;
  if (batchHasOps(batch)) return null;
  return `its last batch${batchAge(agoMs)} held no corepy op, and ops it ran after that batch are not known (${WHEN_BATCHES_GO})`;
}

/** What a PARTIAL report's figures cover, for its header and the line after its table. `agoMs` as above. */
export function partialFigures(agoMs: number | null): string {
  return `counts and times stop at the last batch${batchAge(agoMs)}; ops after it are not included, so counts may be short`;
}
