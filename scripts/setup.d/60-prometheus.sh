#!/usr/bin/env bash
# Debian's Prometheus server (Debian 12: 2.42, Debian 13: 2.53): test/e2e/otel-prometheus.test.ts starts
# one on a loopback port to scrape corepy's OpenTelemetry metrics through @opentelemetry/exporter-prometheus.
# The package's own service is not needed (the test runs its own instance with a temporary config and data
# dir); on machines without systemd it simply never starts.
source "$(dirname "$0")/../lib.sh"
apt_ensure prometheus
