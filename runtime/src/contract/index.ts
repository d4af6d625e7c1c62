/**
 * `corepy/contract`: everything that crosses a process or world boundary (runtime → debug adapter
 * → extension → webview, and the files the exporters write), defined once. Dependency-free: no
 * Node, DOM or 'vscode' imports, so the extension, the adapter and the webview can all import it
 * without pulling in the tensor engine. See README.md beside this file.
 */
export * from './flame.js';
export * from './names.js';
export * from './recommendation.js';
export * from './report.js';
export * from './ipc.js';
export * from './site-stats.js';
export * from './uncaught.js';
export * from './units.js';
