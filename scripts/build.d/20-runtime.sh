#!/usr/bin/env bash
# Compiles the corepy runtime (TypeScript → runtime/dist, ESM + .d.ts + source maps; tsc -b is incremental),
# then bundles it into runtime/dist/corepy.cjs, the CommonJS build `require('corepy')` loads (runtime/build-cjs.mjs).
source "$(dirname "$0")/../lib.sh"
cd "$ROOT"
tsc -b runtime
node runtime/build-cjs.mjs
# npm links the `corepy` bin at install time, before dist/cli.js exists on a fresh clone; link it now.
if [ ! -x runtime/dist/cli.js ] || [ ! -e node_modules/.bin/corepy ]; then
  npm rebuild corepy --no-audit --loglevel=error >/dev/null
fi
