/**
 * Shared setup for the browser tests: Debian's Chromium through playwright-core (never a
 * downloaded browser), a fresh user-data dir per run, the webview bundles built by
 * scripts/build.d/30-webview.sh, and a fake VS Code webview host: the panel page from
 * webview/src/panel-html.ts served at https://corepy.test/ with acquireVsCodeApi stubbed.
 */
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { flamePanelHtml } from '../../webview/src/panel-html.js';
import type { FlameProfile, FromWebview, ToWebview } from '../../webview/src/protocol.js';
import type { DebugState, DrawnFrame } from '../../webview/src/debug-hook.js';

/** Repository root. */
export const ROOT = path.resolve(__dirname, '..', '..');
/** Screenshots land here (gitignored). */
export const ARTIFACTS = path.join(ROOT, 'test-artifacts');
/** Chromium flags from shared/ENVIRONMENT.md. */
export const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Reads a committed fixture from test/fixtures. */
export function fixture(name: string): FlameProfile {
  return JSON.parse(readFileSync(path.join(ROOT, 'test', 'fixtures', name), 'utf8')) as FlameProfile;
}

/** Builds the webview bundles if stale (quiet and instant when up to date). */
export function ensureBundles(): void {
  execFileSync('bash', [path.join(ROOT, 'scripts', 'build.d', '30-webview.sh')], { stdio: 'inherit' });
}

/** A Chromium with a throwaway profile directory; `close` removes it. */
export async function launchChromium(): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  const userData = mkdtempSync(path.join(tmpdir(), 'corepy-chromium-'));
  const context = await chromium.launchPersistentContext(userData, {
    executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_FLAGS, viewport: { width: 1000, height: 640 },
  });
  return { context, close: async () => { await context.close(); rmSync(userData, { recursive: true, force: true }); } };
}

/** What the fake host recorded in the page. */
export interface PageLog {
  posted: FromWebview[];
  csp: string[];
  errors: string[];
}

declare global {
  interface Window { __posted: FromWebview[]; __csp: string[] }
}

const ORIGIN = 'https://corepy.test';

/** Runs before the page's scripts: records CSP violations and stubs acquireVsCodeApi. */
const FAKE_VSCODE_API = `
  window.__posted = [];
  window.__csp = [];
  document.addEventListener('securitypolicyviolation', (e) => { window.__csp.push(e.violatedDirective + ' ' + e.blockedURI); });
  window.acquireVsCodeApi = () => ({
    postMessage: (m) => { window.__posted.push(m); },
    getState: () => { const s = sessionStorage.getItem('vscode-state'); return s === null ? undefined : JSON.parse(s); },
    setState: (s) => { sessionStorage.setItem('vscode-state', JSON.stringify(s)); },
  });`;

/** Body attributes VS Code would set for a theme (class + a few `--vscode-*` variables). */
/** VS Code puts the theme class on <body> and the `--vscode-*` variables on <html>. */
export const VSCODE_THEMES = {
  light: ['vscode-light', '--vscode-editor-background:#ffffff;--vscode-editor-foreground:#3b3b3b;--vscode-font-size:13px'],
  dark: ['vscode-dark', '--vscode-editor-background:#1f1f1f;--vscode-editor-foreground:#cccccc;--vscode-font-size:13px'],
} as const;

/**
 * Opens the panel page as VS Code would serve it (same HTML and CSP), with acquireVsCodeApi
 * stubbed: posted messages collect in window.__posted; state persists in sessionStorage so it
 * survives a reload like VS Code's getState does across hide/show. `bundle`: the panel script to
 * serve (default out/webview/flame.js; the benchmark passes another build to compare against).
 */
export async function openPanel(
  context: BrowserContext, theme: keyof typeof VSCODE_THEMES = 'light', bundle = path.join(ROOT, 'out', 'webview', 'flame.js'),
): Promise<{ page: Page; log: PageLog }> {
  const page = await context.newPage();
  page.setDefaultTimeout(10000);
  const script = readFileSync(bundle);
  const html = flamePanelHtml({ cspSource: ORIGIN, scriptUri: `${ORIGIN}/flame.js`, nonce: 'dGVzdC1ub25jZQ==', title: 'Flame' })
    .replace('<html lang="en">', `<html lang="en" style="${VSCODE_THEMES[theme][1]}">`)
    .replace('<body>', `<body class="${VSCODE_THEMES[theme][0]}">`);
  await page.route(`${ORIGIN}/**`, (route) => {
    const url = new URL(route.request().url());
    if (url.pathname === '/flame.js') return route.fulfill({ body: script, contentType: 'text/javascript' });
    if (url.pathname === '/') return route.fulfill({ body: html, contentType: 'text/html' });
    return route.fulfill({ status: 404, body: '' });
  });
  // A string, not a function: tsx's keepNames would inject a `__name` helper the page lacks.
  await page.addInitScript(FAKE_VSCODE_API);
  const log: PageLog = { posted: [], csp: [], errors: [] };
  page.on('pageerror', (e) => log.errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') log.errors.push(m.text()); });
  await page.goto(`${ORIGIN}/`);
  await page.waitForFunction(() => window.__posted.some((m) => m.type === 'ready'));
  return { page, log };
}

/** Posts an extension → webview message the way VS Code delivers it (a window message event). */
export async function send(page: Page, msg: ToWebview | { type: 'load'; profile: unknown; compare: unknown }): Promise<void> {
  await page.evaluate((m) => window.postMessage(m, '*'), msg);
  await page.waitForFunction(() => window.__corepyFlame !== undefined);
}

/** Refreshes the PageLog from the page (messages posted, CSP violations). */
export async function readLog(page: Page, log: PageLog): Promise<PageLog> {
  const r = await page.evaluate(() => ({ posted: window.__posted, csp: window.__csp }));
  log.posted = r.posted; log.csp = r.csp;
  return log;
}

/** Runs a pending paint and returns what the last paint drew. */
export function drawn(page: Page): Promise<DrawnFrame[]> {
  return page.evaluate(() => { window.__corepyFlame!.flush(); return window.__corepyFlame!.drawnFrames(); });
}

/** The page's state summary (after any pending paint). */
export function flameState(page: Page): Promise<DebugState> {
  return page.evaluate(() => { window.__corepyFlame!.flush(); return window.__corepyFlame!.state(); });
}

/** Page coordinates of the centre of a drawn frame (for mouse events). */
export async function centreOf(page: Page, f: DrawnFrame): Promise<{ x: number; y: number }> {
  const box = await page.locator('.cf-flame canvas').boundingBox();
  if (box === null) throw new Error('canvas not visible');
  const left = Math.max(f.x, 0), right = Math.min(f.x + f.width, box.width);
  return { x: box.x + (left + right) / 2, y: box.y + f.y + f.height / 2 };
}

/** Makes sure test-artifacts/ exists and returns a path in it. */
export function artifact(name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return path.join(ARTIFACTS, name);
}
