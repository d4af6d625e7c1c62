#!/usr/bin/env bash
# corepy's OpenTelemetry metrics scraped by a real Prometheus (Debian's package, from
# scripts/setup.d/60-prometheus.sh), started and stopped by the test on a loopback port.
source "$(dirname "$0")/../lib.sh"
cd "$ROOT"
mocha --import=tsx --timeout 120000 --reporter spec test/e2e/otel-prometheus.test.ts
