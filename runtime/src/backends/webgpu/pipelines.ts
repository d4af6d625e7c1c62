/**
 * Compute pipelines compiled once per key (kernel, op, dtype, rank…) and reused: compiling WGSL
 * costs milliseconds, a cached lookup costs a Map.get. Each compile is recorded as the one-time
 * cost "create GPU pipeline for <op>" ({@link pipelineName}), so the profiler keeps it out of the
 * op that asked for it.
 */
import { FUSED_BINARY, FUSED_UNARY, INSTR_WORDS, OP } from '../fused.js';
import { recordOneTimeCost } from '../../one-time-costs.js';

const BINARY_BY_CODE = Object.keys(FUSED_BINARY);
const UNARY_BY_CODE = Object.keys(FUSED_UNARY);

/** Longest key shown as it is when {@link pipelineName} does not know its kernel. */
const RAW_KEY_MAX = 40;

/**
 * The name of a pipeline's one-time cost, for a user: the op it runs (`create GPU pipeline for
 * tanh`, `… for fused(mul+sub+relu+sum)`), not the cache key (which carries ranks, dtypes and a
 * fused program's instruction words). The profiler merges costs by name, so one row counts every
 * pipeline compiled for that op (ranks and dtypes have their own); the second pass of a long
 * reduction is its own row, `… for sum (pass 2)`. Pure; keys are those of ops-*.ts.
 */
export function pipelineName(key: string): string {
  // Keys (ops-*.ts): matmul:<rank>, binary:<op>:…, map:<op|cast|copy>:<from>:<to>:…, where:…, scatter:…,
  // reduce:<op>:…:<tensor|partials>:<final>, fused:store:<rank>:<program>, fused:<op>:<rk>:<rr>:<final>:<program>,
  // fused:<op>:partials; a fused <program> (kernels/fused.wgsl.ts programKey) has no ':'.
  const parts = key.split(':');
  const [kind, a = ''] = parts;
  let what: string | null = null;
  if (kind === 'matmul' || kind === 'where') what = kind;
  else if (kind === 'binary') what = a;
  else if (kind === 'map') what = a === 'cast' ? `cast to ${parts[3] ?? '?'}` : a;
  else if (kind === 'scatter') what = 'copy into a strided view';
  else if (kind === 'reduce') what = parts.includes('partials') ? `${a} (pass 2)` : a;
  else if (kind === 'fused' && parts[2] === 'partials') what = `fused ${a} (pass 2)`;
  else if (kind === 'fused') {
    const ops = fusedOps(parts[parts.length - 1]!);
    what = ops === null ? 'fused kernel' : `fused(${[...ops, ...(a === 'store' ? [] : [a])].join('+')})`;
  }
  if (what === null || what === '') what = key.length > RAW_KEY_MAX ? `${key.slice(0, RAW_KEY_MAX - 1)}…` : key;
  return `create GPU pipeline for ${what}`;
}

/**
 * The ops of a fused program from its key (kernels/fused.wgsl.ts programKey: `<instruction words>|r<result>|…`),
 * loads and constants left out; null when the words do not parse.
 */
function fusedOps(program: string): string[] | null {
  const words = program.split('|')[0]!.split(',').map(Number);
  if (words.length === 0 || words.length % INSTR_WORDS !== 0 || words.some((w) => !Number.isInteger(w))) return null;
  const ops: string[] = [];
  for (let pc = 0; pc < words.length; pc += INSTR_WORDS) {
    const op = words[pc]!;
    const name = op === OP.load || op === OP.const ? '' : op === OP.tobool ? 'bool' : op === OP.where ? 'where'
      : op >= OP.unaryBase ? UNARY_BY_CODE[op - OP.unaryBase] : op >= OP.binaryBase ? BINARY_BY_CODE[op - OP.binaryBase] : undefined;
    if (name === undefined) return null;
    if (name !== '') ops.push(name);
  }
  return ops;
}

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
      recordOneTimeCost(pipelineName(key), 'pipeline', t0, performance.now());
    }
    return p;
  }

  /** Number of compiled pipelines (for tests and memory reports). */
  get size(): number {
    return this.cache.size;
  }
}
