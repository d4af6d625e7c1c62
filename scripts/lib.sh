# Shared helpers for scripts/*.sh. Sourced, not run.
# Steps print only when they do work, so a second `npm test` is quiet.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ROOT
# Project tools (tsc, mocha) straight from node_modules/.bin; npx would repeat npm's config warnings every run.
export PATH="$ROOT/node_modules/.bin:$PATH"
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$(mktemp -d /tmp/corepy-xdg.XXXXXX)}"
log() { printf '[corepy] %s\n' "$*" >&2; }
# Runs apt-get install for the named packages that are not installed yet (idempotent, quiet).
apt_ensure() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing Debian packages: ${missing[*]}"
  if [ ! -f /var/lib/apt/.corepy-updated ] || [ -n "$(find /var/lib/apt/.corepy-updated -mmin +360 2>/dev/null)" ]; then
    apt-get update -qq >/dev/null && touch /var/lib/apt/.corepy-updated
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}
# Runs every *.sh in a directory in name order.
run_steps() {
  local dir="$1"; shift
  for step in "$dir"/*.sh; do
    [ -e "$step" ] || continue
    bash "$step" "$@"
  done
}
