// Two builds of the wasm kernels side by side in one process: `reduce_f32` (max, min, argmax, sum) over one
// contiguous row of N float32, beside a `memory.copy` that moves the same bytes (reads N·4 = a copy of
// N·2), in alternating rounds; medians of CPU time and of the wall clock, and each one's ratio to the
// copy. For a change to a reduction kernel (kernels-rust/src/reduce.rs): copy the old build aside first.
//   cp runtime/kernels/corepy_kernels_simd.wasm /tmp/old.wasm   # before the change
//   node runtime/src/bench/reduce-builds.mjs /tmp/old.wasm runtime/kernels/corepy_kernels_simd.wasm [ROUNDS] [mixed|neg|pos]
// Data: sin(i)·3 + 1 (mixed signs, as `npm run bench:jit -- --limit`), or its negative / positive
// magnitudes (min and max then never meet a float across zero). N: env N, default 1e6.
// COLS=C: instead `reduce_cols_f32` over the leading axis of [N/C, C] (max, min, argmax, sum; output and
// workspace after the data), e.g. COLS=1000 for [1000, 1000].
import fs from 'node:fs';
import os from 'node:os';

const [oldFile, newFile, roundsArg, kind = 'mixed'] = process.argv.slice(2);
if (!oldFile || !newFile) throw new Error('usage: reduce-builds.mjs OLD.wasm NEW.wasm [ROUNDS] [mixed|neg|pos]');
const rounds = Number(roundsArg ?? 15), n = Number(process.env.N ?? 1e6), cols = Number(process.env.COLS ?? 0);
const OPS = [['max', 3], ['min', 2], ['argmax', 4], ['sum', 0]]; // reduce_f32's op codes

/** One build: its exports, and the row at the end of its memory (the heap's allocator is not used). */
function load(file) {
  const mod = new WebAssembly.Module(fs.readFileSync(file));
  const imports = {};
  for (const d of WebAssembly.Module.imports(mod)) (imports[d.module] ??= {})[d.name] = Math[d.name.replace(/_f64$/, '')];
  const ex = new WebAssembly.Instance(mod, imports).exports;
  const base = ex.memory.buffer.byteLength;
  ex.memory.grow(Math.ceil((n * 4 + 64 + cols * 12) / 65536));
  const a = new Float32Array(ex.memory.buffer, base, n);
  for (let i = 0; i < n; i++) {
    const s = Math.sin(i) * 3;
    a[i] = kind === 'neg' ? -Math.abs(s) - 1 : kind === 'pos' ? Math.abs(s) + 1 : s + 1;
  }
  return { ex, base, out: base + n * 4, ws: base + n * 4 + cols * 4 };
}

/** `copy()`: one memory.copy of `bytes` in a module of its own (as runtime/src/bench/jit.ts). */
function copyOf(bytes) {
  const uleb = (v) => { const o = []; do { let b = v & 127; v >>>= 7; if (v) b |= 128; o.push(b); } while (v); return o; };
  const mem = [1, 0, ...uleb(Math.ceil((2 * bytes) / 65536))];
  const inst = new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array([
    0, 97, 115, 109, 1, 0, 0, 0, 1, 7, 1, 0x60, 3, 0x7f, 0x7f, 0x7f, 0, 3, 2, 1, 0, 5, mem.length, ...mem,
    7, 8, 1, 4, 99, 111, 112, 121, 0, 0, 10, 14, 1, 12, 0, 0x20, 0, 0x20, 1, 0x20, 2, 0xfc, 0x0a, 0, 0, 0x0b,
  ])));
  return () => inst.exports.copy(bytes, 0, bytes);
}

const builds = { old: load(oldFile), new: load(newFile) };
const fns = { copy: copyOf(n * 2) };
for (const [op, code] of OPS) {
  for (const [name, b] of Object.entries(builds)) {
    fns[`${op} ${name}`] = cols ? () => b.ex.reduce_cols_f32(code, 1, n / cols, cols, b.out, b.base, b.ws) : () => b.ex.reduce_f32(code, 1, n, b.out, b.base);
  }
  fns[`${op} old`]();
  fns[`${op} new`]();
  const bits = (b) => [...new Uint32Array(b.ex.memory.buffer, b.out, Math.max(1, cols))].join();
  if (bits(builds.old) !== bits(builds.new)) console.log(`${op}: the builds differ`);
}

const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const median = (xs) => { const s = [...xs].sort((a, b) => a - b), h = s.length >> 1; return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2; };
const names = Object.keys(fns), cpu = {}, wall = {};
for (const k of names) { cpu[k] = []; wall[k] = []; }
const load0 = os.loadavg()[0];
for (let r = 0; r < rounds; r++) {
  for (const k of r % 2 ? [...names].reverse() : names) { // alternate the order: a slow moment hits both builds
    const fn = fns[k];
    for (let i = 0; i < 10; i++) fn();
    let iters = 0;
    const c0 = cpuMs(), t0 = performance.now();
    while (performance.now() - t0 < 30) { fn(); fn(); iters += 2; }
    wall[k].push((performance.now() - t0) / iters);
    cpu[k].push((cpuMs() - c0) / iters);
  }
}
console.log(`${cols ? `reduce_cols_f32 over [${n / cols}, ${cols}]` : `reduce_f32 over ${n}`} float32 (${kind}), two builds; load average ${load0.toFixed(2)} → ${os.loadavg()[0].toFixed(2)}; medians of ${rounds} alternating rounds`);
console.log(`${''.padEnd(12)}${'CPU µs'.padStart(10)}${'÷ copy'.padStart(8)}${'wall µs'.padStart(10)}${'÷ copy'.padStart(8)}`);
const cc = median(cpu.copy), cw = median(wall.copy);
for (const k of names) {
  const c = median(cpu[k]), w = median(wall[k]);
  console.log(`${k.padEnd(12)}${(c * 1e3).toFixed(2).padStart(10)}${(c / cc).toFixed(2).padStart(8)}${(w * 1e3).toFixed(2).padStart(10)}${(w / cw).toFixed(2).padStart(8)}`);
}
