#!/usr/bin/env bash
# Browser tests: the flame-graph webview and the HTML report in Debian's Chromium (playwright-core).
source "$(dirname "$0")/../lib.sh"
cd "$ROOT"
mocha --import=tsx --timeout 60000 'test/browser/**/*.test.ts'
