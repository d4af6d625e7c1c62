#!/usr/bin/env bash
# Builds kernels, runtime, webview and extension. Each part is one step in scripts/build.d/.
source "$(dirname "$0")/lib.sh"
run_steps "$ROOT/scripts/build.d"
