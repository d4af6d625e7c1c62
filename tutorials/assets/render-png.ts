/**
 * Renders an HTML page to PNG with Debian's Chromium through playwright-core (no browser
 * download). CHROMIUM_PATH overrides the executable.
 */
import { chromium } from 'playwright-core';

/** Screenshots the page's `main` element (or the whole page) to `path`. */
export async function renderPng(html: string, path: string): Promise<void> {
  const browser = await chromium.launch({
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    // Root in a container cannot use Chromium's sandbox.
    args: ['--no-sandbox', '--disable-gpu'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 960, height: 800 }, deviceScaleFactor: 1 });
    await page.setContent(html, { waitUntil: 'load' });
    await page.locator('main').screenshot({ path });
  } finally {
    await browser.close();
  }
}
