#!/usr/bin/env bash
# The corepy debug adapter over DAP (DebugClient against extension/dist/adapter.js).
source "$(dirname "$0")/../lib.sh"
cd "$ROOT"
[ -f extension/dist/adapter.js ] || bash scripts/build.d/40-extension.sh
exec node_modules/.bin/mocha --config test/integration/.mocharc.json
