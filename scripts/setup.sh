#!/usr/bin/env bash
# Idempotent, quiet set-up for a fresh Debian bookworm machine with Node 20 (run as root, or with sudo):
# npm packages, a WebGPU adapter (Mesa lavapipe >= 23 from bookworm-backports when none is found),
# Debian chromium for the browser tests. Safe to run again: every step checks first.
set -euo pipefail
cd "$(dirname "$0")/.."
log() { echo "[setup] $*"; }
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
apt_updated=0
apt_install() {
  if [ $apt_updated -eq 0 ]; then $SUDO apt-get update -qq >/dev/null; apt_updated=1; fi
  $SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# 1. npm packages (only when package-lock.json changed since the last install).
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi

# 2. A WebGPU adapter. Debian bookworm's Mesa 22.3 is too old for Dawn; bookworm-backports has Mesa 25.
if ! node scripts/check-adapter.mjs 2>/dev/null; then
  if ! grep -rqs "bookworm-backports" /etc/apt/sources.list /etc/apt/sources.list.d/; then
    log "adding the bookworm-backports suite"
    $SUDO tee /etc/apt/sources.list.d/bookworm-backports.sources >/dev/null <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  fi
  log "installing Mesa lavapipe (software Vulkan) from bookworm-backports"
  if [ $apt_updated -eq 0 ]; then $SUDO apt-get update -qq >/dev/null; apt_updated=1; fi
  $SUDO apt-get install -y -qq -t bookworm-backports mesa-vulkan-drivers libvulkan1 >/dev/null
  node scripts/check-adapter.mjs 2>/dev/null || { echo "[setup] still no WebGPU adapter after installing Mesa" >&2; exit 1; }
fi

# 3. Chromium for the browser tests (never a downloaded browser).
if [ ! -x /usr/bin/chromium ]; then
  log "installing Debian chromium"
  apt_install chromium
fi

# 4. redis-server for the job-queue tests.
if ! command -v redis-server >/dev/null; then
  log "installing redis-server"
  apt_install redis-server
fi
exit 0
