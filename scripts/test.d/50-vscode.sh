#!/usr/bin/env bash
# The extension in a real VS Code (code-server + headless Chromium, one server per suite), and
# the corepy-report TextMate grammar. Mocha spec output, so the runner counts "N passing".
source "$(dirname "$0")/../lib.sh"
cd "$ROOT"
[ -f extension/dist/extension.js ] || bash scripts/build.d/40-extension.sh
node_modules/.bin/vscode-tmgrammar-test -g syntaxes/corepy-report.tmLanguage.json 'syntaxes/test/*.corepy-report'
exec node_modules/.bin/mocha --config test/e2e/.mocharc.json
