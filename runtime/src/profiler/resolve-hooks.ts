/**
 * Module resolve hook (node:module `register`) behind resolve-fallback.ts: when `corepy` cannot
 * be resolved the normal way, it resolves to the runtime that registered this hook.
 */
let entry = '';

/** Receives the runtime entry URL from `register(…, { data })`. */
export function initialize(data: { entry: string }): void {
  entry = data.entry;
}

interface ResolveResult { url: string; shortCircuit?: boolean; format?: string | null }
type NextResolve = (specifier: string, context: unknown) => Promise<ResolveResult>;

/** Default resolution first; `corepy` falls back to the registering runtime. */
export async function resolve(specifier: string, context: unknown, next: NextResolve): Promise<ResolveResult> {
  try {
    return await next(specifier, context);
  } catch (e) {
    if (specifier === 'corepy' && entry !== '') return { url: entry, shortCircuit: true };
    throw e;
  }
}
