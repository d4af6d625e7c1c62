/**
 * `node --import corepy/static-sites script.js`: static call sites
 * (static-sites-install.ts) without the rest of autostart — for a script that enables profiling
 * itself and wants exact per-line figures without stack captures. `corepy profile` and the VS Code
 * launchers install them already.
 */
import { installStaticSites } from './static-sites-install.js';

installStaticSites();
