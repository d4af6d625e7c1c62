#!/usr/bin/env bash
# Debian's Chromium (driven by playwright-core in test/browser and webview/bench) plus an emoji
# font so screenshots of labels render every glyph. Never `npx playwright install`.
source "$(dirname "$0")/../lib.sh"
apt_ensure chromium fonts-noto-color-emoji
