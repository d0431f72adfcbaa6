#!/usr/bin/env bash
# The browser test (tests/test_browser.py) drives Debian's Chromium with Playwright.
# Install Chromium, and a colour emoji font for the exercise feedback icons, where missing.
# Another Chromium-based browser can be used instead: CHROMIUM=/path/to/chrome make test.
set -euo pipefail

if [ -n "${CHROMIUM:-}" ] && [ ! -x "$CHROMIUM" ]; then
    echo "error: CHROMIUM=$CHROMIUM is not an executable browser" >&2
    exit 1
fi
browser="${CHROMIUM:-/usr/bin/chromium}"
packages=()
[ -x "$browser" ] || packages+=(chromium)
[ -f /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ] || packages+=(fonts-noto-color-emoji)
[ ${#packages[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null; then
    echo "error: the browser test needs Chromium at $browser (missing: ${packages[*]});" \
         "install it, or set CHROMIUM to a Chromium-based browser" >&2
    exit 1
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "Installing ${packages[*]} from Debian for the browser test"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
[ -x "$browser" ] || { echo "error: $browser is still missing after installing ${packages[*]}" >&2; exit 1; }
