/**
 * Reading a saved JSON report (the `json` export) back (Node). Report files are untrusted input —
 * shared, edited by hand, cut short by a full disk — so, as baselines are (profiler/baseline.ts):
 * read only below {@link REPORT_MAX_BYTES}, parsed, then checked against
 * runtime/schemas/profile-report.schema.json (ajv) before anything uses them. Every failure is one
 * line naming the file and what is wrong; nothing else is thrown. Names in the report (contexts,
 * ops, files) stay plain own properties of what JSON.parse built (a context called `__proto__` is
 * a key, not a prototype), so callers look them up with Object.hasOwn.
 *
 * Not in the export registry's bundle (formats.ts): the schema is read from this package's files,
 * found relative to this module as assets.ts finds the renderer (two levels deep in src and dist).
 */
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compileSchema, type ValidateFunction } from '../json-schema.js';
import { REPORT_SCHEMA_VERSION, type ProfileReport } from '../contract/report.js';

/**
 * Largest report read, in bytes (64 MiB, as for baselines). A report holds one row per op and per
 * op × call site plus the recommendations, so real ones are kilobytes to a few megabytes; the limit
 * keeps a wrong or hostile file from taking seconds and gigabytes to parse.
 */
export const REPORT_MAX_BYTES = 64 * 1024 * 1024;

const SCHEMA_URL = new URL('../../schemas/profile-report.schema.json', import.meta.url);

let validator: ValidateFunction | null = null;
/** The compiled report schema (compiled on first use). */
function reportValidator(): ValidateFunction {
  if (validator) return validator;
  let schema: unknown;
  try {
    schema = JSON.parse(readFileSync(SCHEMA_URL, 'utf8'));
  } catch (e) {
    throw new Error(`Cannot read the report schema ${fileURLToPath(SCHEMA_URL)}: ${(e as Error).message}`);
  }
  // strict: false — the schema documents fields with `description` next to `$ref`.
  return (validator = compileSchema(schema as object, false));
}

/**
 * True when `text` opens more objects/arrays than it closes (strings skipped): a file whose write
 * stopped part-way. Its last character alone cannot tell: a cut can land right after any `}`.
 */
function looksCutShort(text: string): boolean {
  let depth = 0, inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) depth--;
  }
  return inString || depth > 0;
}

/**
 * Parses and validates a JSON export. `source` names it in errors (the file path; default "report").
 * Throws one-line errors: too large, not JSON (truncated files say so), not a corepy report, another
 * schemaVersion, or the first place where it does not match the schema.
 */
export function parseJsonExport(text: string, source = 'report'): ProfileReport {
  if (typeof text !== 'string') throw new TypeError(`parseJsonExport: expected the file's text (a string), got ${typeof text}`);
  if (text.length > REPORT_MAX_BYTES) {
    throw new RangeError(`${source} is ${text.length} characters, more than the limit of ${REPORT_MAX_BYTES} bytes for report files; it is not a report corepy wrote`);
  }
  let r: unknown;
  try {
    r = JSON.parse(text);
  } catch (e) {
    throw new Error(`${source} is not valid JSON (${(e as Error).message}${looksCutShort(text) ? '; the file looks cut short' : ''})`);
  }
  if (r === null || typeof r !== 'object' || Array.isArray(r) || !Object.hasOwn(r, 'schemaVersion')) {
    throw new Error(`${source} is not a corepy profile report (no schemaVersion; write one with exportProfile(path, { format: 'json' }))`);
  }
  const version = (r as { schemaVersion: unknown }).schemaVersion;
  if (version !== REPORT_SCHEMA_VERSION) {
    throw new Error(`${source} is a corepy profile report of schemaVersion ${JSON.stringify(version)}; this corepy reads schemaVersion ${REPORT_SCHEMA_VERSION}`);
  }
  const validate = reportValidator();
  if (!validate(r)) {
    const err = validate.errors?.[0];
    throw new Error(`${source} does not match the profile report schema: ${err ? `${err.instancePath || '/'} ${err.message ?? 'is invalid'}` : 'invalid'}`);
  }
  return r as ProfileReport;
}

/** Reads, size-checks and validates the JSON export at `path`; errors are one line naming the file. */
export function readJsonExport(path: string): ProfileReport {
  let text: string;
  try {
    const bytes = statSync(path).size;
    if (bytes > REPORT_MAX_BYTES) {
      throw new RangeError(`Report ${path} is ${bytes} bytes, more than the limit of ${REPORT_MAX_BYTES} bytes for report files; it is not a report corepy wrote`);
    }
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof RangeError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `Report file not found: ${path}` : `Cannot read report ${path}: ${(e as Error).message}`);
  }
  return parseJsonExport(text, `Report ${path}`);
}
