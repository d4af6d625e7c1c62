/**
 * Extension-host test entry (the `extensionTestsPath` of the payload): runs the mocha suite named
 * by COREPY_E2E_SUITE inside VS Code's extension host, against the real `vscode` API.
 * Same `run(): Promise<void>` contract as @vscode/test-electron.
 */
import * as path from 'node:path';

type MochaCtor = new (opts: object) => {
  addFile(file: string): void;
  run(done: (failures: number) => void): void;
};

/**
 * Test files per suite, run in this order: views follows trusted (it reuses its run), and trusted
 * comes last, so the window the UI tests reopen holds what trusted leaves (basic.ts and its run)
 * rather than the editors of the other suites (install's pipeline.ts outside the workspace came
 * back as the current file of the UI test's Run and Profile).
 */
const SUITES: Record<string, readonly string[]> = { trusted: ['install', 'failure', 'debug', 'debug-pause', 'debug-stop', 'debug-live', 'segments', 'quickfix', 'memory', 'explain', 'trusted', 'views'], untrusted: ['untrusted'] };

export function run(): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require('mocha') as MochaCtor & { default?: MochaCtor };
  const Mocha = mod.default ?? mod;
  const mocha = new Mocha({ ui: 'bdd', timeout: 90000, color: false, reporter: 'spec' });
  const suite = process.env.COREPY_E2E_SUITE ?? 'trusted';
  for (const file of SUITES[suite] ?? [suite]) mocha.addFile(path.join(__dirname, `${file}.test.js`));
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} extension-host test(s) failed`)) : resolve()));
  });
}
