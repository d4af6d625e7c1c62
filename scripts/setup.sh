#!/usr/bin/env bash
# Installs everything the project needs on a fresh Debian 12/13 machine (idempotent, quiet when done).
# Each concern is one step in scripts/setup.d/, run in name order.
source "$(dirname "$0")/lib.sh"
run_steps "$ROOT/scripts/setup.d"
