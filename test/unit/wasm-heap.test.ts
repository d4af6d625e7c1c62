/**
 * The wasm backend's allocator (backends/wasm/memory.ts) under random alloc/release sequences
 * (fast-check): live blocks never overlap and stay 16-byte aligned, the counters match the model,
 * and once everything is released the free list has coalesced back to nothing — the next block
 * starts at the heap's base again; the first touch of new pages never changes a live block's bytes.
 * And new memory is touched as allocations reach it, not as it grows.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import fc from 'fast-check';
import { LINE, LINE_MIN_BYTES, LinearHeap } from '../../runtime/src/backends/wasm/memory.js';
import { createWasmBackend } from '../../runtime/src/backends/wasm/index.js';
import type { WasmStorage } from '../../runtime/src/backends/wasm/backend.js';
import { oneTimeCostMark, oneTimeCostsSince } from '../../runtime/src/one-time-costs.js';
import { mul } from '../../runtime/src/ops/binary.js';
import { wrap } from '../../runtime/src/tensor.js';

const HEAP_BASE = 1024;

/** One step: allocate `bytes`, or release the live block at index `pick` (mod the live count). */
const step = fc.oneof(
  fc.record({ kind: fc.constant('alloc' as const), bytes: fc.integer({ min: 0, max: 5000 }) }),
  fc.record({ kind: fc.constant('release' as const), pick: fc.nat() }),
);

describe('wasm heap allocator', () => {
  it('keeps blocks disjoint and aligned, counts them, and coalesces back to its base', () => {
    fc.assert(fc.property(fc.array(step, { minLength: 20, maxLength: 200, size: 'max' }), (steps) => {
      const heap = new LinearHeap(new WebAssembly.Memory({ initial: 1, maximum: 512 }), HEAP_BASE);
      const live: { off: number; bytes: number; mark: number }[] = [];
      // Each block is filled with its own non-zero byte; a touch of new pages writing into it would show.
      const intact = (b: { off: number; bytes: number; mark: number }): boolean => heap.u8.subarray(b.off, b.off + b.bytes).every((v) => v === b.mark);
      let made = 0;
      for (const s of steps) {
        if (s.kind === 'alloc') {
          const off = heap.alloc(s.bytes);
          assert.equal(off % 16, 0, `block at ${off} is not 16-byte aligned`);
          if (s.bytes >= LINE_MIN_BYTES) assert.equal(off % LINE, 0, `block of ${s.bytes} bytes at ${off} does not start on a cache line`);
          if (s.bytes > 0) {
            const b = { off, bytes: s.bytes, mark: 1 + (made++ % 255) };
            heap.u8.fill(b.mark, off, off + s.bytes);
            live.push(b);
          }
        } else if (live.length > 0) {
          const [b] = live.splice(s.pick % live.length, 1);
          assert.ok(intact(b!), `block at ${b!.off} changed before its release`);
          heap.release(b!.off, b!.bytes);
        }
        const sorted = [...live].sort((x, y) => x.off - y.off);
        for (let i = 1; i < sorted.length; i++) {
          const prev = sorted[i - 1]!;
          assert.ok(prev.off + Math.ceil(prev.bytes / 16) * 16 <= sorted[i]!.off, `blocks at ${prev.off} and ${sorted[i]!.off} overlap`);
        }
        assert.equal(heap.blocks, live.length);
        assert.equal(heap.bytesInUse, live.reduce((n, b) => n + Math.ceil(b.bytes / 16) * 16, 0));
      }
      for (const b of live) assert.ok(intact(b), `block at ${b.off} changed`);
      for (const b of live.splice(0)) heap.release(b.off, b.bytes);
      assert.equal(heap.bytesInUse, 0);
      assert.equal(heap.alloc(16), HEAP_BASE, 'after releasing everything the next block starts at the base (free list coalesced)');
    }), { numRuns: 300 });
  });

  it('starts a large result on a cache line whatever came before it (a scalar operand, a small block)', () => {
    // A fresh backend's first blocks, as a script's first ops make them: x, then x.mul(1.5) allocates the
    // scalar's 16-byte block and then the result (audit 25 3a: the result sat 16 bytes past a line, and the
    // kernel ran ~1.5× slower than with the profiler's warm-up, whose blocks happened to leave it on one).
    for (const before of [0, 4, 8, 12]) {
      const b = createWasmBackend({ threads: 1 });
      const small = before > 0 ? b.alloc('float32', before) : null;
      const x = wrap(b, b.upload(new Float32Array(100_000).fill(2), 'float32'), [100_000], 'float32');
      const y = mul(x, 1.5);
      try {
        assert.equal((y.storage as WasmStorage).ptr % LINE, 0, `result after ${before} floats at ${(y.storage as WasmStorage).ptr}`);
        assert.equal((x.storage as WasmStorage).ptr % LINE, 0);
        assert.deepEqual([...(b.readSync(y) as Float32Array).subarray(0, 3)], [3, 3, 3]);
      } finally {
        x.dispose();
        y.dispose();
        if (small) b.free(small);
      }
      // The bytes skipped to reach the line went back to the free list: everything released, nothing in use.
      assert.equal(b.memory().bytesInUse, 0);
      assert.equal(b.memory().storages, 0);
    }
  });

  it('touches new pages as allocations reach them, not whole growths', () => {
    const heap = new LinearHeap(new WebAssembly.Memory({ initial: 1, maximum: 4096 }), HEAP_BASE);
    const mark = oneTimeCostMark();
    const block = 100 * 1024, k = 100; // Example 3's loop at a quarter of the size: results kept alive
    for (let i = 0; i < k; i++) heap.alloc(block);
    const costs = oneTimeCostsSince(mark);
    const grown = costs.filter((c) => c.name.startsWith('grow wasm memory')).reduce((n, c) => n + c.bytes, 0);
    const touches = costs.filter((c) => c.name === 'first touch of new wasm memory');
    const touched = touches.reduce((n, c) => n + c.bytes, 0);
    // Doubling grows past what the loop uses; the touches cover what it uses plus at most one stretch ahead.
    assert.ok(grown > k * block, `grew ${grown}`);
    assert.ok(touched >= k * block - 65536 && touched <= k * block + (1 << 20) + 4096, `touched ${touched} for ${k * block} allocated`);
    // A stretch of at least 1 MB per touch (or to the memory's end): 10 MB of allocations are ~10 recorded costs
    // and one more per growth, not 100.
    const grows = costs.filter((c) => c.name.startsWith('grow wasm memory')).length;
    assert.ok(touches.length <= 11 + grows, `${touches.length} touches, ${grows} growths`);
    assert.ok(touches.every((c) => c.kind === 'memory' && c.duringOp === null && c.endMs >= c.startMs));
  });
});
