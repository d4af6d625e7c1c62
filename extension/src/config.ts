/** One typed reader for the `corepy.*` settings (package.json `contributes.configuration`). */
import * as vscode from 'vscode';
import type { BackendChoice } from './debug/protocol.js';

/** Snapshot of the settings; read again whenever they change. */
export interface CorepyConfig {
  /** Backend for runs started with Run and Profile. */
  readonly backend: BackendChoice;
  /** Mean call-site sampling period in ops when `callSites` is 'sampled' (integer ≥ 1; ~1 in N ops captures its call site). */
  readonly sampleEvery: number;
  /** Capture call sites (per-line timings need them). */
  readonly callSites: 'sampled' | 'all' | 'off';
  /** Show CodeLens timings, heat and hovers. */
  readonly inlineTimings: boolean;
  /** Node executable for profiled scripts. */
  readonly nodePath: string;
  /** Flame-graph row height, CSS px (12–40). */
  readonly flameRowHeight: number;
}

/** Reads the settings with their documented defaults. */
export function readConfig(): CorepyConfig {
  const c = vscode.workspace.getConfiguration('corepy');
  return {
    backend: c.get<BackendChoice>('backend', 'wasm'),
    sampleEvery: Math.max(1, c.get<number>('sampleEvery', 64)),
    callSites: callSiteMode(c.get<unknown>('callSites', 'sampled')),
    inlineTimings: c.get<boolean>('inlineTimings.enabled', true),
    nodePath: c.get<string>('nodePath', 'node'),
    flameRowHeight: Math.min(40, Math.max(12, c.get<number>('flameGraph.rowHeight', 18))),
  };
}

/** The call-site mode from a setting: the three names, or the older boolean (true = sampled). */
function callSiteMode(v: unknown): 'sampled' | 'all' | 'off' {
  if (v === 'all' || v === 'off' || v === 'sampled') return v;
  return v === false ? 'off' : 'sampled';
}
