/**
 * Entry point of the self-contained report bundle (runtime/assets/flame-report.js), inlined by
 * the runtime's export/html.ts (corepy/export). The profile (and optional compare profile) are embedded as JSON in
 * <script type="application/json"> elements; nothing is fetched, so the file works from file://.
 */
import { HTML_REPORT_IDS } from 'corepy/contract';
import { App } from './app.js';
import { standaloneHost } from './host.js';

/** Id of the embedded profile element; html.ts writes it. */
export const PROFILE_ELEMENT_ID = HTML_REPORT_IDS.profile;
/** Id of the embedded compare profile element (absent when there is none). */
export const COMPARE_ELEMENT_ID = HTML_REPORT_IDS.compare;

function readJson(id: string): { ok: true; value: unknown } | { ok: false; error: string } | null {
  const el = document.getElementById(id);
  if (el === null) return null;
  try {
    return { ok: true, value: JSON.parse(el.textContent ?? '') };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}

function main(): void {
  // Read the embedded JSON first: the App replaces the body's children, these elements included.
  const profile = readJson(PROFILE_ELEMENT_ID);
  const compare = readJson(COMPARE_ELEMENT_ID);
  const app = new App(standaloneHost(), document);
  if (profile === null) { app.fail('No profile in this report', `Missing #${PROFILE_ELEMENT_ID}.`); return; }
  if (!profile.ok) { app.fail('The embedded profile is not valid JSON', profile.error); return; }
  try {
    app.load(profile.value, compare !== null && compare.ok ? compare.value : null);
  } catch (err) {
    app.fail('Could not draw the profile', err instanceof Error ? err.message : String(err));
  }
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', main);
else main();
