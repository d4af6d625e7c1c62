#!/usr/bin/env bash
# Unit and conformance tests of the runtime and profiler (mocha + tsx, straight from TypeScript sources).
source "$(dirname "$0")/../lib.sh"
cd "$ROOT"
mocha --import=tsx --timeout 120000 --reporter spec 'test/unit/**/*.test.ts'
