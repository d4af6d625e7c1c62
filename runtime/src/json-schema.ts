/**
 * JSON-schema validators (ajv), with ajv loaded on first use rather than when corepy is imported:
 * only reading a baseline or a JSON export needs it, and its ~40 CommonJS files took ~45 ms of every
 * `import 'corepy'` here (a fifth of the whole import).
 */
import { createRequire } from 'node:module';
import type AjvModule from 'ajv';
import type { ValidateFunction } from 'ajv';

export type { ValidateFunction };

/** Compiles `schema` with ajv (loaded once, synchronously); `strict` as ajv's option of that name. */
export function compileSchema(schema: object, strict: boolean): ValidateFunction {
  // ajv is CommonJS: its class is the module's `default`.
  const Ajv = (createRequire(import.meta.url)('ajv') as typeof AjvModule).default;
  return new Ajv({ allErrors: false, strict }).compile(schema);
}
