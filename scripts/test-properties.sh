#!/usr/bin/env bash
# The property-based suite (test/unit/validation-properties.test.ts) with many more cases than
# `npm test` runs, and a fresh seed each time unless FC_SEED is set. Usage:
#   npm run test:properties                 # FC_RUNS=2000 cases per property, random seed
#   FC_RUNS=10000 FC_SEED=42 npm run test:properties
# A failure prints the seed and the shrunk counterexample; rerun with that FC_SEED to reproduce it.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
export FC_RUNS="${FC_RUNS:-2000}"
export FC_SEED="${FC_SEED:-$(( (RANDOM << 15) | RANDOM ))}"
log "property suite: FC_RUNS=$FC_RUNS FC_SEED=$FC_SEED"
mocha --import=tsx --timeout 1800000 --reporter spec test/unit/validation-properties.test.ts
