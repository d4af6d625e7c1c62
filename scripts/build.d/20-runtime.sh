#!/usr/bin/env bash
# Compiles the corepy runtime (TypeScript → runtime/dist, ESM + .d.ts + source maps). tsc -b is incremental.
source "$(dirname "$0")/../lib.sh"
cd "$ROOT"
npx --no-install tsc -b runtime
