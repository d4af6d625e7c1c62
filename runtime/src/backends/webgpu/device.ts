// The GPU* types here are globals from @webgpu/types. This file's declarations are internal: the
// package's index.d.ts reaches the webgpu backend only through public.ts and options.ts, which
// name no GPU* type, so a user's program never loads @webgpu/types (it clashes with TypeScript
// ≥ 6's lib.dom). Kept (preserve) in the emitted device.d.ts so that it still compiles on its own.
/// <reference types="@webgpu/types" preserve="true" />
/**
 * Opening the one WebGPU device through Dawn (npm `webgpu`), with timeouts and a one-line reason
 * when no adapter exists. Nothing here throws anything but {@link GpuUnavailableError} for a
 * missing GPU, so callers can fall back to the CPU.
 */
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { GpuUnavailableError, type GpuOptions } from './options.js';

/** An open device and what the backend needs to know about it. */
export interface GpuContext {
  readonly device: GPUDevice;
  /** Adapter description (vendor, architecture, device, driver), the calibration key. */
  readonly adapterName: string;
  /** True when timestamp queries are enabled on the device. */
  readonly timestamps: boolean;
  /** Largest buffer one binding may address, in bytes. */
  readonly maxBindingBytes: number;
  /** Required alignment of storage-binding offsets, in bytes. */
  readonly offsetAlignment: number;
}

let gpu: GPU | null = null;

// The Dawn instance is created once per process: dawn.node's `create` spins up a native instance.
async function dawn(): Promise<GPU> {
  if (gpu) return gpu;
  let mod: { create(flags: string[]): GPU; globals: object };
  try {
    mod = (await import('webgpu')) as unknown as typeof mod;
  } catch (e) {
    throw new GpuUnavailableError(`the webgpu package (dawn.node) failed to load: ${(e as Error).message.split('\n')[0]}`);
  }
  // Dawn exposes GPUBufferUsage & co. as module globals; WebGPU code expects them on globalThis.
  Object.assign(globalThis, mod.globals);
  // Without this toggle Dawn rounds timestamps to ~100 µs, useless for per-op timing.
  gpu = mod.create(['disable-dawn-features=timestamp_quantization']);
  return gpu;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new GpuUnavailableError(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, limit]).finally(() => clearTimeout(timer));
}

/**
 * Why Dawn found no adapter, as far as the file system and the Vulkan loader's variables tell (one line).
 * Names Mesa's lavapipe only when its driver is the one found: on a machine with a vendor driver the
 * usual cause is a driver library the loader cannot open, which `VK_LOADER_DEBUG=error` prints.
 */
export function diagnoseMissing(env: Readonly<Record<string, string | undefined>> = process.env): string {
  if (process.platform !== 'linux') return 'Dawn found no adapter on this system';
  const listed = (env['VK_DRIVER_FILES'] ?? env['VK_ICD_FILENAMES'] ?? '').split(':').filter((f) => f !== '');
  const dirs = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d'];
  const icds = listed.length > 0
    ? listed.map((f) => basename(f))
    : dirs.filter((d) => existsSync(d)).flatMap((d) => readdirSync(d));
  if (icds.length === 0) return 'no Vulkan driver found (install your GPU vendor\'s Vulkan driver, or Mesa\'s lavapipe for the CPU: scripts/setup.d/30-mesa.sh)';
  const found = `Dawn found no adapter through the Vulkan driver${icds.length > 1 ? 's' : ''} ${icds.join(', ')}`;
  if (icds.every((f) => /lvp/.test(f))) {
    return `${found}; on Debian 12 Mesa 22's lavapipe is too old: install mesa-vulkan-drivers from bookworm-backports (scripts/setup.d/30-mesa.sh)`;
  }
  return `${found}; run with VK_LOADER_DEBUG=error to see which library the Vulkan loader could not load (often the vendor's GL/EGL libraries, e.g. libglvnd, missing in a container)`;
}

/** Requests an adapter and a device. Throws GpuUnavailableError with a one-line reason. */
export async function openDevice(opts: GpuOptions = {}): Promise<GpuContext> {
  const timeoutMs = opts.timeoutMs ?? 15000;
  // Mesa warns on every start without a private runtime dir; scripts/lib.sh exports one for
  // tests and tools, this covers user scripts run without it.
  if (!process.env['XDG_RUNTIME_DIR']) process.env['XDG_RUNTIME_DIR'] = mkdtempSync(join(tmpdir(), 'corepy-xdg-'));
  const request = opts.requestAdapter ?? (async () => (await dawn()).requestAdapter({ powerPreference: 'high-performance' }));
  let adapter: GPUAdapter | null;
  try {
    // A stand-in from GpuOptions is typed by the members read here (GpuAdapterLike) and trusted to
    // be a whole adapter, so that the device descriptor below is checked against the real type.
    adapter = (await withTimeout(request(), timeoutMs, 'requestAdapter')) as GPUAdapter | null;
  } catch (e) {
    if (e instanceof GpuUnavailableError) throw e;
    throw new GpuUnavailableError(`requestAdapter failed: ${(e as Error).message.split('\n')[0]}`);
  }
  if (!adapter) throw new GpuUnavailableError(diagnoseMissing());
  const timestamps = (opts.timestamps ?? true) && adapter.features.has('timestamp-query');
  const maxBindingBytes = Math.min(adapter.limits.maxStorageBufferBindingSize, adapter.limits.maxBufferSize);
  let device: GPUDevice;
  try {
    device = await withTimeout(adapter.requestDevice({
      requiredFeatures: timestamps ? ['timestamp-query'] : [],
      requiredLimits: {
        maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
        maxBufferSize: adapter.limits.maxBufferSize,
        // cp.jit's fused kernels bind every input of a group (up to 8) plus meta and output.
        maxStorageBuffersPerShaderStage: adapter.limits.maxStorageBuffersPerShaderStage,
      },
    }), timeoutMs, 'requestDevice');
  } catch (e) {
    if (e instanceof GpuUnavailableError) throw e;
    throw new GpuUnavailableError(`requestDevice failed: ${(e as Error).message.split('\n')[0]}`);
  }
  const i = adapter.info;
  const adapterName = [i.vendor, i.architecture, i.device, i.description].filter((s) => s).join(' / ') || 'unknown adapter';
  return {
    device, adapterName, timestamps, maxBindingBytes,
    offsetAlignment: device.limits.minStorageBufferOffsetAlignment,
  };
}
