#!/usr/bin/env bash
# Type-checks and bundles the VS Code extension (CJS, `vscode` external) and the standalone debug
# adapter with esbuild into extension/dist/. Skips the work when none of the files the bundles
# really read changed since the last build: the list comes from esbuild's metafile
# (extension/dist/meta.json, hashed by extension/bundle-inputs.mjs), not from a hand-kept list.
source "$(dirname "$0")/../lib.sh"
cd "$ROOT"
out=extension/dist
stamp="$out/.build-stamp"
want="$(node extension/bundle-inputs.mjs)"
if [ "$want" != none ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -f "$out/extension.js" ] && [ -f "$out/adapter.js" ]; then exit 0; fi
log "building extension"
tsc -p extension/tsconfig.json
node extension/esbuild.mjs
node extension/bundle-inputs.mjs > "$stamp"
