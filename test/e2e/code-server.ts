/**
 * Starts one code-server (VS Code 1.100.3, installed by scripts/setup.d/50-code-server.sh) and
 * one headless Chromium for a test suite, per /work/shared/recipes/vscode-e2e.md. All state lives
 * in a temp dir; stop() kills the server's whole process group (it leaves extension hosts behind
 * otherwise).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { format } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';

const ROOT = path.resolve(__dirname, '..', '..');
const CODE_SERVER = path.join(ROOT, '.cache', 'code-server', 'node_modules', '.bin', 'code-server');

export interface ServerOptions {
  /** Start with workspace trust on (the untrusted-workspace test); default off. */
  readonly trust?: boolean;
  /** Extra environment for the server (and so its extension hosts). */
  readonly env?: Record<string, string>;
  /** Extensions folder to start with (one a packaged .vsix was installed into); default: a new empty one. */
  readonly extensionsDir?: string;
}

export interface Session {
  readonly url: string;
  readonly page: Page;
  /** `remoteAuthority` of the server, for vscode-remote:// URIs in the payload. */
  readonly authority: string;
  /** Extension-host console lines (mocha's output when running extension tests). */
  readonly log: string[];
  /** Resolves with the exit code the extension-host tests report. */
  readonly testsExit: Promise<number>;
  open(query: string): Promise<void>;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

async function waitHealthy(url: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`code-server did not become healthy at ${url} within ${ms} ms`);
}

/** Starts the server and browser. */
export async function startSession(opts: ServerOptions = {}): Promise<Session> {
  const base = mkdtempSync(path.join(tmpdir(), 'corepy-cs-'));
  const userData = path.join(base, 'user');
  const xdg = { XDG_CONFIG_HOME: path.join(base, 'xdg-config'), XDG_DATA_HOME: path.join(base, 'xdg-data'), XDG_CACHE_HOME: path.join(base, 'xdg-cache') };
  mkdirSync(path.join(userData, 'User'), { recursive: true });
  writeFileSync(path.join(userData, 'User', 'settings.json'), JSON.stringify({
    'workbench.startupEditor': 'none', 'telemetry.telemetryLevel': 'off', 'extensions.autoUpdate': false,
    'extensions.autoCheckUpdates': false, 'typescript.disableAutomaticTypeAcquisition': true,
    'security.workspace.trust.startupPrompt': 'never', 'workbench.tips.enabled': false,
    'editor.codeLens': true, 'window.commandCenter': false,
  }));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const args = ['--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry', '--disable-update-check',
    '--user-data-dir', userData, '--extensions-dir', opts.extensionsDir ?? path.join(base, 'ext')];
  if (!opts.trust) args.push('--disable-workspace-trust');
  const server: ChildProcess = spawn(CODE_SERVER, args, {
    detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...xdg, ...opts.env },
  });
  const serverLog: string[] = [];
  server.stdout?.on('data', (d: Buffer) => serverLog.push(d.toString()));
  server.stderr?.on('data', (d: Buffer) => serverLog.push(d.toString()));
  let browser: Browser | undefined;
  const stop = async (): Promise<void> => {
    await browser?.close().catch(() => undefined);
    try { if (server.pid) process.kill(-server.pid, 'SIGTERM'); } catch { /* already gone */ }
    rmSync(base, { recursive: true, force: true, maxRetries: 3 });
  };
  try {
    await waitHealthy(url, 60000);
    const html = await (await fetch(url + '/')).text();
    const authority = /remoteAuthority&quot;:&quot;([^&]+)&quot;/.exec(html)?.[1] ?? /"remoteAuthority":"([^"]+)"/.exec(html)?.[1] ?? `127.0.0.1:${port}`;
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync'],
      env: { ...process.env, ...xdg } as Record<string, string>,
    });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const log: string[] = [];
    let exitResolve: (code: number) => void = () => undefined;
    const testsExit = new Promise<number>((r) => { exitResolve = r; });
    await page.exposeFunction('codeAutomationExit', (code: number) => exitResolve(code));
    await page.exposeFunction('codeAutomationLog', (_type: string, args: unknown[]) => {
      // Console calls arrive as printf-style argument lists (mocha's reporter uses %s/%d).
      const line = format(...args);
      log.push(line);
      if (process.env.COREPY_E2E_VERBOSE) process.stdout.write(`[host] ${line}\n`);
    });
    return {
      url, page, authority, log, testsExit, stop,
      // 90 s: on a loaded 2-core machine the workbench page alone has taken over 30 s to load.
      open: async (query) => { await page.goto(`${url}/?${query}`, { timeout: 90000 }); },
    };
  } catch (err) {
    await stop();
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n--- code-server log ---\n${serverLog.join('')}`);
  }
}

/** The query for a plain window with the extension loaded from the repo (no test runner): for UI tests. */
export function devQuery(s: Pick<Session, 'authority'>, folder: string): string {
  const payload = [['extensionDevelopmentPath', `vscode-remote://${s.authority}${ROOT}`]]; // as payloadQuery, without tests
  return `folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

/** The payload query that loads the extension from the repo and runs `testsIndex` in its host. */
export function payloadQuery(s: Pick<Session, 'authority'>, folder: string, testsIndex: string): string {
  const remote = (p: string): string => `vscode-remote://${s.authority}${p}`;
  const payload = [['extensionDevelopmentPath', remote(ROOT)], ['extensionTestsPath', remote(testsIndex)]];
  return `folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}
