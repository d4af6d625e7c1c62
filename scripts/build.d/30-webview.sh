#!/usr/bin/env bash
# Flame-graph webview: type-checks webview/ and bundles it twice with esbuild:
#   out/webview/flame.js             the VS Code panel script (extension/src/flame-panel.ts loads it)
#   runtime/assets/flame-report.js   a standalone IIFE that runtime/src/export/html.ts inlines (read by export/assets.ts)
# Quiet and skipped when no input changed since the last build.
source "$(dirname "$0")/../lib.sh"
cd "$ROOT"
panel=out/webview/flame.js
report=runtime/assets/flame-report.js
stamp=out/webview/.build-stamp
want="$( { find webview/src runtime/src/contract -type f -print0 | sort -z | xargs -0 sha256sum;
  cat webview/tsconfig.json node_modules/@vscode-elements/elements/package.json scripts/build.d/30-webview.sh; } | sha256sum | cut -c1-16)"
if [ -f "$panel" ] && [ -f "$report" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then exit 0; fi
log "building webview"
node_modules/.bin/tsc -p webview/tsconfig.json
mkdir -p out/webview runtime/assets
# Chrome 120 ~ VS Code 1.90's Electron; the standalone report targets current browsers too.
common=(--bundle --format=iife --target=chrome120 --minify --legal-comments=none --log-level=warning)
node_modules/.bin/esbuild webview/src/main-panel.ts "${common[@]}" --sourcemap --outfile="$panel"
node_modules/.bin/esbuild webview/src/main-standalone.ts "${common[@]}" --outfile="$report"
echo "$want" > "$stamp"
