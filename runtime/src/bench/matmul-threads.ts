/**
 * The wasm backend's matmul on one thread against the same kernel split across threads
 * (matmul-threads.ts), through the Backend interface, wall clock (threads save wall time, not CPU
 * time), n×n×n from 32 to 1024, medians of interleaved rounds. Prints GFLOP/s (2·n³ / time) and the
 * ratio, and the workers' share of the row chunks (a share near 1/threads with no speed-up means the
 * threads did not get a core each); the crossover sets DEFAULT_MIN_WORK. Run: `node runtime/dist/bench/matmul-threads.js
 * [--threads N] [--rounds R] [--sizes 64,512]` (default threads: os.availableParallelism()). On a machine
 * whose cores other work holds, the split gains less: print the load average beside the figures.
 * `--probe`: what the machine gives two threads at all, whatever corepy does — 512² matmuls on one
 * thread for 3 s, then the same on this thread and, independently, on a second one (no split, no
 * sharing): throughput together / alone is the ceiling of a 2-thread speed-up here and now.
 * A benchmark, not a test.
 */
import { availableParallelism, loadavg } from 'node:os';
import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import type { View } from '../backends/backend.js';
import { createWasmBackend, type WasmBackend } from '../backends/wasm/index.js';
import { interleaved } from './timing.js';

function argAfter(flag: string): string | undefined {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const threads = Number(argAfter('--threads') ?? availableParallelism());
const rounds = Number(argAfter('--rounds') ?? 7);
const sizes = (argAfter('--sizes') ?? '32,48,64,96,128,192,256,512,1024').split(',').map(Number);

/** A contiguous n×n float32 view on `b`. */
function square(b: WasmBackend, n: number, seed: number): View {
  const data = Float32Array.from({ length: n * n }, (_, i) => Math.sin(i * 0.37 + seed));
  return { storage: b.upload(data, 'float32'), dtype: 'float32', shape: [n, n], strides: [n, 1], offset: 0 };
}

/** The workers' share of the row chunks computed since `before` (a {@link WasmBackend.matmulChunks} reading). */
function shareSince(b: WasmBackend, before: WasmBackend['matmulChunks']): string {
  const now = b.matmulChunks, total = now.total - before.total;
  return total === 0 ? '—' : `${(((now.byWorkers - before.byWorkers) / total) * 100).toFixed(0)} %`;
}

/** ms per 512² matmul on a fresh one-thread backend, looping for `ms`. */
function loop512(ms: number): number {
  const b = createWasmBackend({ threads: 1 });
  const a = square(b, 512, 1);
  for (let i = 0; i < 5; i++) b.free(b.matmul(a, a, [512, 512]));
  let calls = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < ms) { b.free(b.matmul(a, a, [512, 512])); calls++; }
  return (performance.now() - t0) / calls;
}

/** `--probe` (see the file's comment). */
async function probe(): Promise<void> {
  const alone = loop512(3000);
  const w = new Worker(new URL(import.meta.url));
  const other = new Promise<number>((resolve) => w.once('message', resolve));
  await new Promise((r) => w.once('online', r));
  const together = loop512(3000);
  const second = await other;
  const gain = (1 / together + 1 / second) / (1 / alone);
  console.log(`512² matmul, ms per call: one thread alone ${alone.toFixed(2)}; two independent threads together ${together.toFixed(2)} and ${second.toFixed(2)}: ` +
    `${gain.toFixed(2)}× the throughput of one (the ceiling of a 2-thread split here); load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
}

async function main(): Promise<void> {
  if (process.argv.includes('--probe')) return probe();
  const one = createWasmBackend({ threads: 1 });
  const many = createWasmBackend({ threads, threadMinWork: 1 });
  const ready = await many.startThreads();
  console.log(`wasm matmul n×n×n, 1 thread vs ${threads} (${ready} workers ready), wall clock, medians of ${rounds} interleaved rounds; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  console.log(`${'n'.padStart(6)}${'1 thread ms'.padStart(14)}${`${threads} threads ms`.padStart(14)}${'GFLOP/s 1'.padStart(12)}${`GFLOP/s ${threads}`.padStart(12)}${'speed-up'.padStart(10)}${'worker share'.padStart(14)}`);
  for (const n of sizes) {
    const before = many.matmulChunks;
    const a1 = square(one, n, 1), b1 = square(one, n, 2), am = square(many, n, 1), bm = square(many, n, 2);
    const t = interleaved({
      one: () => one.free(one.matmul(a1, b1, [n, n])),
      many: () => many.free(many.matmul(am, bm, [n, n])),
    }, rounds, n >= 512 ? 150 : 40);
    const gf = (ms: number) => (2 * n ** 3 / ms / 1e6).toFixed(1).padStart(12);
    console.log(`${String(n).padStart(6)}${t.one!.toFixed(3).padStart(14)}${t.many!.toFixed(3).padStart(14)}${gf(t.one!)}${gf(t.many!)}${`${(t.one! / t.many!).toFixed(2)}×`.padStart(10)}${shareSince(many, before).padStart(14)}`);
  }
  console.log(`load average after: ${loadavg().map((x) => x.toFixed(2)).join(' ')}; calls split: ${many.threadedMatmuls}`);
  await many.stopThreads();
}

if (!isMainThread) parentPort!.postMessage(loop512(3300));
else main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
