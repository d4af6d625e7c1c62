#!/usr/bin/env bash
# Builds the Rust kernels into two wasm modules: runtime/kernels/corepy_kernels_simd.wasm
# (simd128) and corepy_kernels_scalar.wasm (no SIMD, for engines without it). Skipped, silently,
# when neither the sources nor the outputs changed since the last build.
source "$(dirname "$0")/../lib.sh"
crate="$ROOT/kernels-rust"
out="$ROOT/runtime/kernels"
stamp="$crate/target/.corepy-sources.sha256"
# Debian's toolchain: rustup's cargo first on PATH has no wasm32 target here.
export RUSTC=/usr/bin/rustc
cargo=/usr/bin/cargo

hash="$(cd "$crate" && find Cargo.toml src -type f -name '*.rs' -o -name Cargo.toml | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$hash" ] \
  && [ -f "$out/corepy_kernels_simd.wasm" ] && [ -f "$out/corepy_kernels_scalar.wasm" ]; then
  exit 0
fi

log "building wasm kernels (simd + scalar)"
mkdir -p "$out"
for flavour in simd scalar; do
  flags=""
  [ "$flavour" = simd ] && flags="-C target-feature=+simd128"
  # One target dir per flavour: cargo would otherwise rebuild on every flag switch.
  CARGO_TARGET_DIR="$crate/target/$flavour" RUSTFLAGS="$flags" \
    "$cargo" build --quiet --release --target wasm32-unknown-unknown --manifest-path "$crate/Cargo.toml"
  cp "$crate/target/$flavour/wasm32-unknown-unknown/release/corepy_kernels.wasm" "$out/corepy_kernels_$flavour.wasm"
done
echo "$hash" > "$stamp"
