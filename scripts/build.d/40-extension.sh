#!/usr/bin/env bash
# Bundles the VS Code extension (CJS, `vscode` external) and the standalone debug adapter with
# esbuild into extension/dist/. Skips the work when no input changed since the last build.
source "$(dirname "$0")/../lib.sh"
cd "$ROOT"
out=extension/dist
stamp="$out/.build-stamp"
want="$(find extension/src runtime/src/profiler runtime/src/export runtime/src/launch.ts webview/src -type f -name '*.ts' -print0 2>/dev/null | sort -z | xargs -0 cat | cat - extension/esbuild.mjs | sha256sum | cut -c1-16)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -f "$out/extension.js" ] && [ -f "$out/adapter.js" ]; then exit 0; fi
log "building extension"
node extension/esbuild.mjs
echo "$want" > "$stamp"
