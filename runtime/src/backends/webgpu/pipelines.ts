/**
 * Compute pipelines compiled once per key (kernel, op, dtype, rank…) and reused: compiling WGSL
 * costs milliseconds, a cached lookup costs a Map.get. Each compile is recorded as the one-time
 * cost "create GPU pipeline <key>", so the profiler keeps it out of the op that asked for it.
 */
import { recordOneTimeCost } from '../../one-time-costs.js';

/** Cache of compiled pipelines on one device. */
export class PipelineCache {
  private readonly cache = new Map<string, GPUComputePipeline>();

  constructor(private readonly device: GPUDevice) {}

  /** The pipeline for `key`, compiling `code()` (entry point `main`) on first use. */
  get(key: string, code: () => string): GPUComputePipeline {
    let p = this.cache.get(key);
    if (!p) {
      const t0 = performance.now();
      const module = this.device.createShaderModule({ code: code(), label: key });
      p = this.device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' }, label: key });
      this.cache.set(key, p);
      recordOneTimeCost(`create GPU pipeline ${key}`, 'pipeline', t0, performance.now());
    }
    return p;
  }

  /** Number of compiled pipelines (for tests and memory reports). */
  get size(): number {
    return this.cache.size;
  }
}
