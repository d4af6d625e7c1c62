/**
 * The inline adapter's flame models, handed to the extension in-process. A custom DAP event from
 * an inline adapter goes from the extension host to the VS Code window and back to the extension
 * host (onDidReceiveDebugSessionCustomEvent), serialized both ways; with a long run's flame model
 * (up to ~5 MB of JSON for the 100k-event ring) that trip took seconds in code-server on 2 cores.
 * So the inline adapter keeps the model here and its `corepyReport` event carries only a key
 * (`flameKey`); the standalone adapter (adapter-main.ts) still sends the model in the event.
 * No 'vscode' import.
 */
import type { CorepyReportEventBody } from './protocol.js';

type Flame = NonNullable<CorepyReportEventBody['flame']>;

/** At most this many models wait for their event (one per run; a window that never echoes the event leaks no more). */
const MAX_KEPT = 4;
const kept = new Map<string, Flame>();
let next = 0;

/** Keeps `flame` until {@link takeFlame}; returns its key. */
export function keepFlame(flame: Flame): string {
  const key = `flame-${process.pid}-${++next}`;
  kept.set(key, flame);
  for (const old of kept.keys()) { if (kept.size <= MAX_KEPT) break; kept.delete(old); }
  return key;
}

/** The event body with its flame model back in place of `flameKey` (null when that model is gone). */
export function takeFlame(body: CorepyReportEventBody): CorepyReportEventBody {
  if (body.flameKey === undefined) return body;
  const flame = kept.get(body.flameKey) ?? null;
  kept.delete(body.flameKey);
  const { flameKey: _key, ...rest } = body;
  return { ...rest, flame: body.flame ?? flame };
}
