/**
 * Builds a throwaway workspace for the extension tests: the fixture scripts plus a
 * `node_modules/corepy` that is either the real runtime (when built, or COREPY_TEST_RUNTIME=real)
 * or the contract-conformant fake in test/fixtures/fake-corepy (COREPY_TEST_RUNTIME=fake).
 * COREPY_TEST_RUNTIME_DIR points "real" at another built runtime folder.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/** Repository root. */
export const ROOT = path.resolve(__dirname, '..', '..');

/** Which runtime the workspace uses. */
export type TestRuntime = 'real' | 'fake';

/** The runtime choice: env override, else real when its autostart is built, else fake. */
export function chooseRuntime(): TestRuntime {
  const forced = process.env.COREPY_TEST_RUNTIME;
  if (forced === 'real' || forced === 'fake') return forced;
  return existsSync(path.join(ROOT, 'runtime', 'dist', 'profiler', 'autostart.js')) ? 'real' : 'fake';
}

/**
 * The real runtime the workspace links to: COREPY_TEST_RUNTIME_DIR (a built copy elsewhere, e.g.
 * while runtime/ is mid-edit), else runtime/.
 */
export function realRuntimeDir(): string {
  return process.env.COREPY_TEST_RUNTIME_DIR ? path.resolve(process.env.COREPY_TEST_RUNTIME_DIR) : path.join(ROOT, 'runtime');
}

/** Creates the workspace folder and returns its absolute path. */
export function makeWorkspace(runtime: TestRuntime = chooseRuntime(), parent = tmpdir()): string {
  const ws = mkdtempSync(path.join(parent, 'corepy-ws-'));
  cpSync(path.join(ROOT, 'test', 'fixtures', 'scripts'), ws, { recursive: true });
  const mod = path.join(ws, 'node_modules', 'corepy');
  if (runtime === 'real') {
    mkdirSync(path.dirname(mod), { recursive: true });
    symlinkSync(realRuntimeDir(), mod, 'dir');
  } else {
    const fake = path.join(ROOT, 'test', 'fixtures', 'fake-corepy');
    mkdirSync(path.join(mod, 'dist', 'profiler'), { recursive: true });
    cpSync(path.join(fake, 'package.json'), path.join(mod, 'package.json'));
    cpSync(path.join(fake, 'index.js'), path.join(mod, 'dist', 'index.js'));
    cpSync(path.join(fake, 'autostart.js'), path.join(mod, 'dist', 'profiler', 'autostart.js'));
  }
  // ESM scripts (.js with import) need "type": "module" in the workspace.
  cpSync(path.join(ROOT, 'test', 'fixtures', 'workspace-package.json'), path.join(ws, 'package.json'));
  return ws;
}
