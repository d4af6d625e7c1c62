#!/usr/bin/env bash
# A CPU Vulkan driver (Mesa's lavapipe) so the webgpu backend (Dawn) finds an adapter with no GPU.
# Debian 12's Mesa 22 lavapipe is rejected by Dawn (it lacks shaderUniform*ArrayDynamicIndexing),
# so there we take Mesa 25 from Debian's own bookworm-backports suite; Debian 13's Mesa is new
# enough as shipped. Idempotent and quiet when done.
source "$(dirname "$0")/../lib.sh"

major="$(cut -d. -f1 /etc/debian_version 2>/dev/null || echo 0)"
if [ "$major" != "12" ]; then
  apt_ensure mesa-vulkan-drivers
  exit 0
fi

# Already on a backports Mesa (version ≥ 23)? Then nothing to do.
installed="$(dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null || true)"
if [ -n "$installed" ] && dpkg --compare-versions "$installed" ge 23; then exit 0; fi

# Same mirror and keyring as the image's debian.sources (deb822), suite bookworm-backports.
src=/etc/apt/sources.list.d/corepy-bookworm-backports.sources
if [ ! -f "$src" ]; then
  base=/etc/apt/sources.list.d/debian.sources
  uri="$(awk '/^URIs:/ && $2 ~ /\/debian\/?$/ {print $2; exit}' "$base" 2>/dev/null || true)"
  key="$(awk '/^Signed-By:/ {print $2; exit}' "$base" 2>/dev/null || true)"
  uri="${uri:-http://deb.debian.org/debian}"
  key="${key:-/usr/share/keyrings/debian-archive-keyring.gpg}"
  log "adding apt source bookworm-backports ($uri) for Mesa's lavapipe"
  printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: %s\n' \
    "$uri" "$key" > "$src"
  rm -f /var/lib/apt/.corepy-updated
fi
log "installing mesa-vulkan-drivers from bookworm-backports (lavapipe for WebGPU without a GPU)"
apt-get update -qq >/dev/null && touch /var/lib/apt/.corepy-updated
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -t bookworm-backports mesa-vulkan-drivers >/dev/null
