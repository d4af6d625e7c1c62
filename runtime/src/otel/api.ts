/**
 * `@opentelemetry/api`, loaded on first use rather than when corepy is imported: it is ~60 CommonJS
 * files that most programs (no OpenTelemetry) never need, and importing it took about as long as
 * importing all of corepy on the dev machine. Its global state (the registered providers) lives on
 * `globalThis` under a versioned symbol, so this copy sees what the application registered whether
 * the application imported the API as ESM or CommonJS.
 */
import { createRequire } from 'node:module';
import type * as Api from '@opentelemetry/api';

let api: typeof Api | null = null;

/** The OpenTelemetry API (loaded once, synchronously). */
export function otelApi(): typeof Api {
  return (api ??= createRequire(import.meta.url)('@opentelemetry/api') as typeof Api);
}
