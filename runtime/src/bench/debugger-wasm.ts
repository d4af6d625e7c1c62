/**
 * What an attached debugger does to wasm op times (Debug and Profile): V8 switches WebAssembly to its
 * unoptimised debug code once a debugger is enabled. One process: a 256² matmul on one thread (set
 * COREPY_WASM_THREADS=1 for that), 60 warm-up calls, then the median of 15 calls before, while and after
 * an in-process inspector session has `Debugger.enable`d. Run it under each Node:
 *   COREPY_WASM_THREADS=1 COREPY_WASM_COMPILE=eager node runtime/dist/bench/debugger-wasm.js
 * (extension/src/views/labels.ts UNDER_DEBUGGER quotes the figures). A benchmark, not a test.
 */
import { Session } from 'node:inspector';
import * as cp from '../index.js';

const a = cp.randn([256, 256]);
const median = (): number => {
  const ts: number[] = [];
  for (let i = 0; i < 15; i++) { const t0 = performance.now(); a.matmul(a).dispose(); ts.push(performance.now() - t0); }
  return ts.sort((x, y) => x - y)[7]!;
};
const post = (s: Session, method: string): Promise<void> => new Promise((done, fail) => s.post(method, (e) => (e ? fail(e) : done())));

for (let i = 0; i < 60; i++) a.matmul(a).dispose();
await new Promise((r) => setTimeout(r, 1500)); // the optimising tier finishes in the background
const plain = median();
const session = new Session();
session.connect();
await post(session, 'Debugger.enable');
const debugging = median();
await post(session, 'Debugger.disable');
await new Promise((r) => setTimeout(r, 1500));
const after = median();
session.disconnect();
console.log(`node ${process.version}, matmul 256² (threads: ${process.env['COREPY_WASM_THREADS'] ?? 'default'}), median of 15 calls: ` +
  `${plain.toFixed(3)} ms, with the debugger enabled ${debugging.toFixed(3)} ms (${(debugging / plain).toFixed(2)}×), after it ${after.toFixed(3)} ms`);
