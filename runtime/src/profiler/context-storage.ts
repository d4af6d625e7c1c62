/**
 * Where the current context frame is kept. In Node (and Deno, Bun) it is an AsyncLocalStorage,
 * so a context follows `await`, timers and callbacks. Where node:async_hooks is absent (a browser
 * or web-worker bundle of the runtime) it is one synchronous slot: `run` sets it for the
 * synchronous part of the callback and restores it afterwards, so contexts are exact for
 * synchronous code and an async callback's continuations run outside the context.
 */

/** The part of AsyncLocalStorage the context tracker uses. */
export interface ContextStorage<T> {
  getStore(): T | undefined;
  run<R>(store: T, fn: () => R): R;
  enterWith(store: T): void;
}

/** One slot, set for the synchronous extent of `run` (the fallback without async_hooks). */
export class SyncContextStorage<T> implements ContextStorage<T> {
  private store: T | undefined;

  getStore(): T | undefined {
    return this.store;
  }

  run<R>(store: T, fn: () => R): R {
    const previous = this.store;
    this.store = store;
    try {
      return fn();
    } finally {
      this.store = previous;
    }
  }

  enterWith(store: T): void {
    this.store = store;
  }
}

type AsyncHooks = { AsyncLocalStorage: new <T>() => ContextStorage<T> };

/**
 * An AsyncLocalStorage when the host has one, else a {@link SyncContextStorage}. Looked up through
 * `process.getBuiltinModule` (Node ≥ 20.16) rather than a static import, so a bundle of the runtime
 * for a host without node:async_hooks still loads.
 */
export function contextStorage<T>(): ContextStorage<T> {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const hooks = proc?.getBuiltinModule?.('node:async_hooks') as AsyncHooks | undefined;
  return hooks?.AsyncLocalStorage ? new hooks.AsyncLocalStorage<T>() : new SyncContextStorage<T>();
}
