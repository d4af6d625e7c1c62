#!/usr/bin/env bash
# Debian's python3: test/unit/export-formats.test.ts reads the CSV export with Python's csv module,
# the way users load it (csv.DictReader, pandas).
source "$(dirname "$0")/../lib.sh"
apt_ensure python3
