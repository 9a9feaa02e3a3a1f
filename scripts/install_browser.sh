#!/usr/bin/env bash
# Installs Debian's Chromium, Korean fonts (Hangul) and an emoji font for the chat-page browser test.
# Playwright's own browser download does not work here, so the test drives
# /usr/bin/chromium. Idempotent: does nothing when Chromium and both fonts are there.
set -euo pipefail

if [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -qi nanum && fc-list 2>/dev/null | grep -qi "color emoji"; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi

echo "==> installing Chromium, Korean and emoji fonts (apt-get)" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq chromium chromium-driver fonts-nanum fonts-noto-color-emoji >/dev/null
