/**
 * `calibrate()`: measures, per op family, the element count above which the GPU (op + readback)
 * beats the CPU backend (wasm when available, else js) on this machine, stores the result per
 * adapter in `$XDG_CACHE_HOME/corepy/gpu-calibration.json` (default `~/.cache/corepy/…`) and
 * installs it with setCalibration(). The profiler's GPU recommendation reads only this.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Backend, Storage, View } from '../backend.js';
import { getBackendImpl, initBackend } from '../../engine.js';
import { setCalibration, type GpuCalibration, type OpFamily } from '../calibration.js';
import type { WebGpuBackend } from './webgpu-backend.js';

/** Options of {@link calibrate}. */
export interface CalibrateOptions {
  /** Element counts to time per family (matmul: M·N·K of a square product). Default 2^10…2^20 by ×4. */
  readonly sizes?: readonly number[];
  /** Timed repetitions per size (the median is kept). Default 5. */
  readonly repeats?: number;
  /** CPU backend to compare with. Default wasm when registered, else js. */
  readonly cpu?: 'wasm' | 'js';
}

const DEFAULT_SIZES = [1 << 10, 1 << 12, 1 << 14, 1 << 16, 1 << 18, 1 << 20];

/** Path of the calibration store. */
export function calibrationFile(): string {
  const base = process.env['XDG_CACHE_HOME'] || join(homedir(), '.cache');
  return join(base, 'corepy', 'gpu-calibration.json');
}

type Store = { version: 1; adapters: Record<string, GpuCalibration> };

function readStore(): Store {
  try {
    const s = JSON.parse(readFileSync(calibrationFile(), 'utf8')) as Store;
    if (s.version === 1 && typeof s.adapters === 'object') return s;
  } catch { /* no store yet, or unreadable: start empty */ }
  return { version: 1, adapters: {} };
}

/** Installs the stored calibration of `adapter`, if one exists; returns it. */
export function loadCalibration(adapter: string): GpuCalibration | null {
  const c = readStore().adapters[adapter] ?? null;
  if (c) setCalibration(c);
  return c;
}

function view(s: Storage, shape: number[]): View {
  const strides = shape.map((_, d) => shape.slice(d + 1).reduce((p, e) => p * e, 1));
  return { storage: s, dtype: s.dtype, shape, strides, offset: 0 };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

/** Median ms of `run` (op + read of its result) on backend `b`, inputs made once. */
async function timeOn(b: Backend, family: OpFamily, n: number, repeats: number): Promise<number> {
  const side = Math.max(1, Math.round(Math.cbrt(n)));
  const shapes = family === 'matmul' ? [[side, side], [side, side]] : [[n], [n]];
  const inputs = shapes.map((sh) => view(b.upload(Float32Array.from({ length: sh.reduce((p, e) => p * e, 1) }, (_, i) => (i % 17) / 17), 'float32'), sh));
  const once = async () => {
    const t0 = performance.now();
    const out = family === 'elementwise' ? b.binary('add', inputs[0]!, inputs[1]!, [n])
      : family === 'reduce' ? b.reduce('sum', inputs[0]!, [0])
        : b.matmul(inputs[0]!, inputs[1]!, [side, side]);
    await b.read(view(out, family === 'elementwise' ? [n] : family === 'reduce' ? [] : [side, side]));
    const ms = performance.now() - t0;
    b.free(out);
    return ms;
  };
  await once(); // warm-up: pipeline compilation and pool allocation are not what we measure
  const times: number[] = [];
  for (let r = 0; r < repeats; r++) times.push(await once());
  for (const v of inputs) b.free(v.storage);
  return median(times);
}

/**
 * Measures CPU vs GPU crossovers (a few seconds), stores and installs them.
 * @returns the calibration now in force
 */
export async function calibrate(options: CalibrateOptions = {}): Promise<GpuCalibration> {
  const gpu = (await initBackend('webgpu')) as WebGpuBackend;
  let cpu: Backend;
  try {
    cpu = getBackendImpl(options.cpu ?? 'wasm');
  } catch {
    cpu = getBackendImpl('js');
  }
  const sizes = [...(options.sizes ?? DEFAULT_SIZES)].sort((a, b) => a - b);
  const repeats = options.repeats ?? 5;
  const crossover = {} as Record<OpFamily, number | null>;
  const speedupAtLargest = {} as Record<OpFamily, number>;
  for (const family of ['elementwise', 'reduce', 'matmul'] as const) {
    const wins: boolean[] = [];
    let ratio = 0;
    for (const n of sizes) {
      const c = await timeOn(cpu, family, n, repeats);
      const g = await timeOn(gpu, family, n, repeats);
      wins.push(g < c);
      ratio = c / g;
    }
    // The crossover is where the GPU starts winning and keeps winning up to the largest size.
    let k = wins.length;
    while (k > 0 && wins[k - 1]) k--;
    crossover[family] = k < wins.length ? sizes[k]! : null;
    speedupAtLargest[family] = ratio;
  }
  // The largest sizes' buffers would otherwise stay reserved (idle in the pools) for good.
  gpu.trimPools();
  const result: GpuCalibration = { adapter: gpu.ctx.adapterName, measuredAt: new Date().toISOString(), crossover, speedupAtLargest };
  const store = readStore();
  store.adapters[result.adapter] = result;
  mkdirSync(dirname(calibrationFile()), { recursive: true });
  writeFileSync(calibrationFile(), JSON.stringify(store, null, 2) + '\n');
  setCalibration(result);
  return result;
}
