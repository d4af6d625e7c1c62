// The floor of reading a large result back to JS: a fresh 400 KB array copied out of wasm memory,
// per read (what dataSync does in both corepy and tfjs-wasm). Compare the allocator's effect:
//   node runtime/src/bench/readback-alloc.mjs
//   MALLOC_MMAP_THRESHOLD_=100000000 node runtime/src/bench/readback-alloc.mjs
const mem = new WebAssembly.Memory({ initial: 200 });
const view = new Float32Array(mem.buffer, 1024, 1e5);
let s = 0;
const N = 2000;
const t = performance.now();
for (let i = 0; i < N; i++) s += view.slice()[5];
console.log(`${((performance.now() - t) / N * 1000).toFixed(1)} µs per 400 KB slice (checksum ${s})`);
