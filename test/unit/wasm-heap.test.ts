/**
 * The wasm backend's allocator (backends/wasm/memory.ts) under random alloc/release sequences
 * (fast-check): live blocks never overlap and stay 16-byte aligned, the counters match the model,
 * and once everything is released the free list has coalesced back to nothing — the next block
 * starts at the heap's base again.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import fc from 'fast-check';
import { LinearHeap } from '../../runtime/src/backends/wasm/memory.js';

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
      const live: { off: number; bytes: number }[] = [];
      for (const s of steps) {
        if (s.kind === 'alloc') {
          const off = heap.alloc(s.bytes);
          assert.equal(off % 16, 0, `block at ${off} is not 16-byte aligned`);
          if (s.bytes > 0) live.push({ off, bytes: s.bytes });
        } else if (live.length > 0) {
          const [b] = live.splice(s.pick % live.length, 1);
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
      for (const b of live.splice(0)) heap.release(b.off, b.bytes);
      assert.equal(heap.bytesInUse, 0);
      assert.equal(heap.alloc(16), HEAP_BASE, 'after releasing everything the next block starts at the base (free list coalesced)');
    }), { numRuns: 300 });
  });
});
