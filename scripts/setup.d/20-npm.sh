#!/usr/bin/env bash
# npm dependencies; reinstalls only when package.json or the lockfile changed since the last install.
source "$(dirname "$0")/../lib.sh"
cd "$ROOT"
stamp=node_modules/.corepy-install-stamp
want="$(cat package.json runtime/package.json package-lock.json 2>/dev/null | sha256sum | cut -c1-16)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then exit 0; fi
log "installing npm dependencies"
npm install --no-audit --no-fund --loglevel=error >/dev/null
want="$(cat package.json runtime/package.json package-lock.json 2>/dev/null | sha256sum | cut -c1-16)"
echo "$want" > "$stamp"
