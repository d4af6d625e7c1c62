/**
 * The wasm backend's matmul split across worker threads (runtime/src/backends/wasm/matmul-threads.ts)
 * against the same backend on one thread: results must be bit-identical (tolerance 0: the split only
 * changes which thread computes a row, never the order of its sums), on odd shapes, batched and
 * broadcast batches, transposed, reversed and strided operands. Also: the size threshold, the
 * COREPY_WASM_THREADS variable, workers never keeping a process alive, and the profiler still
 * seeing one matmul op.
 */
import { afterEach, describe, it } from 'mocha';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Backend, View } from '../../runtime/src/backends/backend.js';
import { createWasmBackend, type WasmBackend } from '../../runtime/src/backends/wasm/index.js';
import { threadsFromEnv } from '../../runtime/src/backends/wasm/matmul-threads.js';
import { contiguousStrides, sizeOf } from '../../runtime/src/shape.js';

/** Deterministic values in [-2, 2), as float32. */
function values(n: number, seed: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => Math.fround(Math.sin(i * 0.731 + seed * 1.37) * 2));
}

/** View layouts of a logical [..., r, c] operand over its storage: [storage length, strides, offset]. */
const LAYOUTS: Record<string, (shape: readonly number[]) => [number, number[], number]> = {
  contiguous: (s) => [sizeOf(s), contiguousStrides(s), 0],
  transposed: (s) => {
    const t = [...s.slice(0, -2), s[s.length - 1]!, s[s.length - 2]!];
    const ts = contiguousStrides(t);
    return [sizeOf(s), [...ts.slice(0, -2), ts[ts.length - 1]!, ts[ts.length - 2]!], 0];
  },
  reversed: (s) => [sizeOf(s) + 5, contiguousStrides(s).map((x) => -x), sizeOf(s) - 1 + 5],
  'every other column': (s) => [sizeOf(s) * 2 + 1, contiguousStrides(s).map((x) => x * 2), 1],
};

/** `shape` laid out as `layout` on backend `b`, batch dims of extent 1 broadcast (stride 0) to `batch`. */
function operand(b: Backend, shape: number[], batch: readonly number[], layout: string, seed: number): View {
  const [len, strides, offset] = LAYOUTS[layout]!(shape);
  const data = values(len, seed);
  const bs = strides.map((st, i) => (i < shape.length - 2 && shape[i] === 1 && batch[i] !== 1 ? 0 : st));
  return { storage: b.upload(data, 'float32'), dtype: 'float32', shape: [...batch, ...shape.slice(-2)], strides: bs, offset };
}

function product(b: Backend, sa: number[], sb: number[], out: number[], layout: string): Float32Array {
  const batch = out.slice(0, -2);
  const a = operand(b, sa, batch, layout, 1), c = operand(b, sb, batch, layout, 2);
  const s = b.matmul(a, c, out);
  const got = b.readSync({ storage: s, dtype: 'float32', shape: out, strides: contiguousStrides(out), offset: 0 }) as Float32Array;
  b.free(s); b.free(a.storage); b.free(c.storage);
  return got;
}

function sameBits(got: Float32Array, want: Float32Array, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) if (!Object.is(got[i], want[i])) assert.fail(`${what}[${i}]: threaded ${got[i]}, one thread ${want[i]}`);
}

describe('wasm matmul on worker threads', function () {
  this.timeout(120000);
  const started: WasmBackend[] = [];
  afterEach(async () => { for (const b of started.splice(0)) await b.stopThreads(); });

  for (const flavour of ['simd', 'scalar'] as const) {
    it(`gives the one-thread kernel's bits on odd, batched, broadcast and strided shapes (${flavour})`, async () => {
      const one = createWasmBackend({ flavour, threads: 1 });
      // The calling thread computes no chunk: every row compared comes from a worker.
      const many = createWasmBackend({ flavour, threads: 3, threadMinWork: 1, threadCallerChunks: false });
      started.push(many);
      assert.equal(await many.startThreads(), 2, 'both workers ready');
      const cases: [number[], number[], number[]][] = [
        [[32, 1], [1, 1], [32, 1]], [[33, 17], [17, 5], [33, 5]], [[63, 65], [65, 67], [63, 67]],
        [[131, 77], [77, 45], [131, 45]], [[3, 37, 20], [3, 20, 19], [3, 37, 19]],
        [[2, 1, 45, 7], [1, 3, 7, 6], [2, 3, 45, 6]], [[257, 300], [300, 70], [257, 70]],
      ];
      let split = 0;
      for (const [sa, sb, so] of cases) {
        for (const layout of Object.keys(LAYOUTS)) {
          const before = many.threadedMatmuls;
          sameBits(product(many, sa, sb, so, layout), product(one, sa, sb, so, layout), `${sa}@${sb} ${layout}`);
          if (many.threadedMatmuls > before) split++;
        }
      }
      assert.equal(split, cases.length * Object.keys(LAYOUTS).length, 'every case (m ≥ 32) was split');
      assert.equal(many.matmulChunks.byWorkers, many.matmulChunks.total, 'the workers computed every chunk');
      assert.equal(one.threadedMatmuls, 0);
    });
  }

  it('keeps small matmuls on the calling thread and starts no worker for them', () => {
    const b = createWasmBackend({ threads: 4 });
    started.push(b);
    product(b, [64, 64], [64, 64], [64, 64], 'contiguous');
    assert.equal(b.threadedMatmuls, 0);
  });

  it('starts workers at the first large matmul without waiting for them, and uses them once ready', async () => {
    const b = createWasmBackend({ threads: 2, threadMinWork: 1 });
    started.push(b);
    const before = process.getActiveResourcesInfo().filter((r) => r === 'Worker' || r === 'Timeout').length;
    product(b, [64, 32], [32, 16], [64, 16], 'contiguous');
    assert.equal(b.threadedMatmuls, 0, 'the call that starts the workers runs alone');
    // Nobody waits for them here: nothing they add may keep the event loop alive (a program ending right
    // after its first large matmul used to wait for the worker's start-up, ~0.6 s of wall time here).
    assert.equal(process.getActiveResourcesInfo().filter((r) => r === 'Worker' || r === 'Timeout').length, before, String(process.getActiveResourcesInfo()));
    assert.equal(await b.startThreads(), 1);
    const one = createWasmBackend({ threads: 1 });
    sameBits(product(b, [64, 32], [32, 16], [64, 16], 'transposed'), product(one, [64, 32], [32, 16], [64, 16], 'transposed'), 'caller and worker');
    assert.equal(b.threadedMatmuls, 1);
    const chunks = b.matmulChunks;
    assert.equal(chunks.total, 4, '64 rows on 2 threads: 4 chunks of 16 rows');
    assert.ok(chunks.byWorkers >= 0 && chunks.byWorkers <= chunks.total, JSON.stringify(chunks));
    await b.stopThreads();
    product(b, [64, 32], [32, 16], [64, 16], 'contiguous');
    assert.equal(b.threadedMatmuls, 1, 'stopped workers start again, not at once');
    assert.equal(await b.startThreads(), 1);
  });

  it('reads COREPY_WASM_THREADS, and names it when it is not a whole number ≥ 1', () => {
    const saved = process.env['COREPY_WASM_THREADS'];
    try {
      process.env['COREPY_WASM_THREADS'] = '3';
      assert.equal(threadsFromEnv(), 3);
      assert.equal(createWasmBackend().threads, 3);
      for (const bad of ['0', '1.5', 'two', '-1']) {
        process.env['COREPY_WASM_THREADS'] = bad;
        assert.throws(() => threadsFromEnv(), new RegExp(`COREPY_WASM_THREADS must be a whole number of threads ≥ 1, got "${bad}"`));
      }
    } finally {
      if (saved === undefined) delete process.env['COREPY_WASM_THREADS']; else process.env['COREPY_WASM_THREADS'] = saved;
    }
    assert.throws(() => createWasmBackend({ threads: 0 }), /threads must be a whole number ≥ 1, got 0/);
  });

  it('never keeps a script alive, and the profiler sees one matmul op', () => {
    const src = (f: string) => JSON.stringify(fileURLToPath(new URL(`../../runtime/src/${f}`, import.meta.url)));
    // Exits on its own after the last line: only unref'd workers are left.
    const script = `
      import * as cp from ${src('index.ts')};
      import { getBackendImpl } from ${src('engine.ts')};
      await cp.setBackend('wasm');
      const w = getBackendImpl('wasm');
      const ready = await w.startThreads();
      const a = cp.rand([256, 256]);
      cp.enableProfiling({ callSites: 'off' });
      a.matmul(a).dispose();
      const r = cp.profileReport({ format: 'json' });
      console.log(JSON.stringify({ ready, split: w.threadedMatmuls, counts: r.operations.filter((o) => o.op === 'matmul').map((o) => o.count) }));
    `;
    const t0 = Date.now();
    const p = spawnSync(process.execPath, ['--import=tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8', timeout: 90000, env: { ...process.env, COREPY_WASM_THREADS: '2' },
    });
    assert.equal(p.status, 0, p.stderr);
    assert.deepEqual(JSON.parse(p.stdout.trim().split('\n').pop()!), { ready: 1, split: 1, counts: [1] }, 'one matmul event for one split matmul');
    assert.ok(Date.now() - t0 < 90000, 'exited on its own');
  });
});
