#!/usr/bin/env bash
# Tools for the extension's tests and packaging, kept out of the root node_modules:
#   .cache/code-server  code-server 4.100.3 (VS Code 1.100.3 with a Node extension host)
#   .cache/tools        @vscode/vsce 3.9.2 (4.x needs Node >= 22)
# See /work/shared/recipes/vscode-e2e.md. Idempotent and quiet when done.
source "$(dirname "$0")/../lib.sh"
apt_ensure build-essential pkg-config python3 libkrb5-dev chromium ripgrep fonts-noto-color-emoji

CS_PREFIX="$ROOT/.cache/code-server"
TOOLS_PREFIX="$ROOT/.cache/tools"
CS_VERSION=4.100.3
VSCE_VERSION=3.9.2

if [ ! -x "$CS_PREFIX/node_modules/.bin/code-server" ] || \
   ! grep -q "\"version\": \"$CS_VERSION\"" "$CS_PREFIX/node_modules/code-server/package.json" 2>/dev/null; then
  log "installing code-server $CS_VERSION into .cache/code-server"
  # @vscode/ripgrep's postinstall downloads rg from GitHub (unreachable); it first looks for this
  # tarball, so build it from Debian's rg.
  rg_cache="${TMPDIR:-/tmp}/vscode-ripgrep-cache-1.15.11"
  rg_tar="$rg_cache/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"
  if [ ! -f "$rg_tar" ]; then
    mkdir -p "$rg_cache"
    tmp="$(mktemp -d)"; cp /usr/bin/rg "$tmp/rg"
    tar -czf "$rg_tar" -C "$tmp" rg; rm -rf "$tmp"
  fi
  mkdir -p "$CS_PREFIX"
  [ -f "$CS_PREFIX/package.json" ] || echo '{"name":"corepy-code-server","private":true}' > "$CS_PREFIX/package.json"
  # npm_config_yes: node-pty's postinstall runs `npx node-gyp`; --unsafe-perm: postinstall refuses root.
  npm_config_yes=true npm_config_nodedir=/usr npm install --prefix "$CS_PREFIX" --unsafe-perm \
    --no-audit --no-fund --loglevel=error "code-server@$CS_VERSION" >/dev/null
fi

if [ ! -x "$TOOLS_PREFIX/node_modules/.bin/vsce" ] || \
   ! grep -q "\"version\": \"$VSCE_VERSION\"" "$TOOLS_PREFIX/node_modules/@vscode/vsce/package.json" 2>/dev/null; then
  log "installing @vscode/vsce $VSCE_VERSION into .cache/tools"
  mkdir -p "$TOOLS_PREFIX"
  [ -f "$TOOLS_PREFIX/package.json" ] || echo '{"name":"corepy-tools","private":true}' > "$TOOLS_PREFIX/package.json"
  npm install --prefix "$TOOLS_PREFIX" --no-audit --no-fund --loglevel=error "@vscode/vsce@$VSCE_VERSION" >/dev/null
fi
