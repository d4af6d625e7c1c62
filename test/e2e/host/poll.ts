/** Waiting in the extension host for views that repaint throttled and events that arrive asynchronously. */
import * as assert from 'node:assert/strict';

/** Polls `probe` every 100 ms until `ok` accepts its value; fails after `ms` with the last value seen. */
export async function until<T>(what: string, probe: () => T | Promise<T>, ok: (v: T) => boolean, ms = 15000): Promise<T> {
  const deadline = Date.now() + ms;
  let v = await probe();
  while (!ok(v)) {
    if (Date.now() > deadline) assert.fail(`${what}: still ${JSON.stringify(v)} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
    v = await probe();
  }
  return v;
}
