/**
 * Baseline files: written from a report, read back as untrusted input (shared in repositories,
 * edited by hand) — only below {@link BASELINE_MAX_BYTES}, and checked against a JSON schema (ajv,
 * loaded on first use) before use. Errors say what is wrong and how to fix it.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, platform } from 'node:os';
import { compileSchema, type ValidateFunction } from '../json-schema.js';
import { BASELINE_SCHEMA_VERSION, baselineOf, type Baseline, type MachineLoad } from './baseline.js';
import type { ProfileReport } from './report.js';

/**
 * Largest baseline file read, in bytes (64 MiB). A baseline holds one entry (~100 bytes) per op and
 * per context name, so real ones are kilobytes; the limit keeps a wrong or hostile file from taking
 * seconds and gigabytes to parse (a 177 MB file took 16 s and 1.2 GB before).
 */
export const BASELINE_MAX_BYTES = 64 * 1024 * 1024;

const ENTRY_SCHEMA = {
  type: 'object',
  required: ['count', 'meanMs', 'stddevMs', 'totalMs'],
  properties: {
    count: { type: 'integer', minimum: 0 },
    meanMs: { type: 'number', minimum: 0 },
    stddevMs: { type: 'number', minimum: 0 },
    totalMs: { type: 'number', minimum: 0 },
    // Optional, ops only (baseline.ts BaselineEntry): the steady calls' figures.
    steadyCount: { type: 'integer', minimum: 2 },
    steadyMeanMs: { type: 'number', minimum: 0 },
    steadyStddevMs: { type: 'number', minimum: 0 },
    steadyMedianMs: { type: 'number', minimum: 0 },
    steadyMadMs: { type: 'number', minimum: 0 },
    minMs: { type: 'number', minimum: 0 },
    // Optional, contexts only: the median and MAD of the entries (older files lack them; older readers ignore them).
    medianMs: { type: 'number', minimum: 0 },
    madMs: { type: 'number', minimum: 0 },
  },
  dependencies: { steadyCount: ['steadyMeanMs', 'steadyStddevMs'], steadyMeanMs: ['steadyCount', 'steadyStddevMs'], steadyStddevMs: ['steadyCount', 'steadyMeanMs'], steadyMedianMs: ['steadyCount', 'steadyMadMs'], steadyMadMs: ['steadyCount', 'steadyMedianMs'], medianMs: ['madMs'], madMs: ['medianMs'] },
} as const;

/** JSON schema of a baseline file (kind and schemaVersion are checked first, for clearer errors). */
export const BASELINE_JSON_SCHEMA = {
  type: 'object',
  required: ['schemaVersion', 'kind', 'ops', 'contexts'],
  properties: {
    schemaVersion: { const: BASELINE_SCHEMA_VERSION },
    kind: { const: 'corepy-baseline' },
    exporter: { type: 'string' },
    createdAt: { type: 'string' },
    ops: { type: 'object', additionalProperties: ENTRY_SCHEMA },
    contexts: { type: 'object', additionalProperties: ENTRY_SCHEMA },
    machine: {
      type: 'object', required: ['cores', 'loadAverage'],
      properties: { cores: { type: 'integer', minimum: 1 }, loadAverage: { type: 'number', minimum: 0 } },
    },
  },
} as const;

let validateBaseline: ValidateFunction | null = null;
/** The compiled schema (compiled on first use: most runs never read a baseline). */
function baselineValidator(): ValidateFunction {
  validateBaseline ??= compileSchema(BASELINE_JSON_SCHEMA, true);
  return validateBaseline;
}

/** This machine's load now; undefined on Windows, whose load average is always 0. */
export function machineLoad(): MachineLoad | undefined {
  return platform() === 'win32' ? undefined : { cores: availableParallelism(), loadAverage: loadavg()[0]! };
}

/** Writes a report's baseline to `path`, with the machine's load now. */
export function writeBaseline(path: string, r: ProfileReport): void {
  try {
    writeFileSync(path, JSON.stringify(baselineOf(r, machineLoad()), null, 2) + '\n');
  } catch (e) {
    throw new Error(`Cannot write baseline to ${path}: ${(e as Error).message}`);
  }
}

/**
 * Reads and checks a baseline file; errors say what is wrong and how to fix it. `saveWith` is how
 * the caller's user writes one (the API's `saveBaseline('…')` by default; the CLI names its option).
 */
export function readBaseline(path: string, saveWith = `saveBaseline('${path}')`): Baseline {
  let text: string;
  try {
    const bytes = statSync(path).size;
    if (bytes > BASELINE_MAX_BYTES) {
      throw new RangeError(`Baseline ${path} is ${bytes} bytes, more than the limit of ${BASELINE_MAX_BYTES} bytes for baseline files; ` +
        `it is not a baseline corepy wrote (those are kilobytes): re-create it with ${saveWith}`);
    }
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof RangeError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `Baseline file not found: ${path} (create it with ${saveWith})` : `Cannot read baseline ${path}: ${(e as Error).message}`);
  }
  let b: Partial<Baseline>;
  try {
    b = JSON.parse(text) as Partial<Baseline>;
  } catch (e) {
    throw new Error(`Baseline file ${path} is corrupt (not valid JSON: ${(e as Error).message}); re-create it with ${saveWith}`);
  }
  if (b === null || typeof b !== 'object' || b.kind !== 'corepy-baseline') throw new Error(`File ${path} is not a corepy baseline (missing kind: "corepy-baseline")`);
  if (b.schemaVersion !== BASELINE_SCHEMA_VERSION) {
    throw new Error(`Baseline ${path} has schemaVersion ${JSON.stringify(b.schemaVersion)}; this corepy reads schemaVersion ${BASELINE_SCHEMA_VERSION}. Re-create it with ${saveWith}`);
  }
  if (typeof b.ops !== 'object' || typeof b.contexts !== 'object' || b.ops === null || b.contexts === null) throw new Error(`Baseline ${path} is corrupt (ops/contexts missing)`);
  const validate = baselineValidator();
  if (!validate(b)) {
    const err = validate.errors?.[0];
    throw new Error(`Baseline ${path} does not match the baseline schema: ${err ? `${err.instancePath || '/'} ${err.message ?? 'is invalid'}` : 'invalid'}; re-create it with ${saveWith}`);
  }
  return b as Baseline;
}
