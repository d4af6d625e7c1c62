#!/usr/bin/env bash
# Debian's Rust toolchain with the wasm32 standard library (rustup here has no wasm32 target).
source "$(dirname "$0")/../lib.sh"
apt_ensure rustc cargo libstd-rust-dev-wasm32
