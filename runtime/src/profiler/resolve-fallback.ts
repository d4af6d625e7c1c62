/**
 * Lets a profiled script `import`/`require('corepy')` when its own folder has no corepy: the
 * launcher preloaded THIS runtime (e.g. the copy inside the VS Code extension), so that is the one
 * the script gets. Installed by autostart only when the script cannot resolve corepy itself;
 * normal resolution always wins, the fallback answers only 'corepy' and only after it failed.
 */
import * as nodeModule from 'node:module';
import Module, { createRequire, register } from 'node:module';
import { resolve as resolvePath } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** True when `corepy` resolves from the folder of `program` (the script's own dependency). */
export function scriptHasCorepy(program: string): boolean {
  try {
    createRequire(resolvePath(program)).resolve('corepy');
    return true;
  } catch {
    return false;
  }
}

/** Answers `corepy` with this runtime for both module systems. */
export function installCorepyFallback(): void {
  const cjsEntry = fileURLToPath(new URL('../require.cjs', import.meta.url));
  // CommonJS (`require`, and TypeScript compiled to CommonJS by tsx): Node's resolver, then ours.
  const M = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
  const original = M._resolveFilename;
  M._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]): string {
    try {
      return original.call(this, request, ...rest);
    } catch (e) {
      if (request === 'corepy') return cjsEntry;
      throw e;
    }
  };
  // ES modules: a resolve hook registered after tsx's, so it sees the failure of every other one —
  // in-thread where Node has registerHooks (≥ 22.15: no hooks thread to start; it also sees
  // `require`, answered with the CommonJS entry), else on the hooks thread.
  const esmEntry = new URL('../index.js', import.meta.url).href;
  const registerHooks = (nodeModule as { registerHooks?: RegisterResolveHooks }).registerHooks;
  if (typeof registerHooks === 'function') {
    registerHooks({
      resolve: (specifier, context, next) => {
        try {
          return next(specifier, context);
        } catch (e) {
          if (specifier !== 'corepy') throw e;
          return { url: context.conditions?.includes('require') ? pathToFileURL(cjsEntry).href : esmEntry, shortCircuit: true };
        }
      },
    });
  } else {
    register(new URL('./resolve-hooks.js', import.meta.url), { data: { entry: esmEntry } });
  }
}

interface ResolveContext { conditions?: readonly string[] }
interface ResolveResult { url: string; shortCircuit?: boolean }
/** node:module `registerHooks` (Node ≥ 22.15), typed for the resolve hook alone (@types/node here predates it). */
type RegisterResolveHooks = (hooks: {
  resolve: (specifier: string, context: ResolveContext, next: (specifier: string, context: ResolveContext) => ResolveResult) => ResolveResult;
}) => unknown;
