#!/usr/bin/env bash
# Installs what Faultdesk needs to build and test, skipping what is already there:
# the wasm32 target, npm packages (Playwright and binaryen's wasm-opt), and for the
# tests Debian's Chromium and Schemathesis (the API fuzzer) in a Python virtualenv under
# ~/.cache/faultdesk/venv (FAULTDESK_SKIP_TEST_TOOLS=1 skips those two). No cargo-leptos
# and no wasm-bindgen CLI: scripts/build-site.sh builds the site with plain cargo and a
# small tool of ours (scripts/wasm-bundle). Safe to run again. Source it
# (`. scripts/setup.sh`) to get PATH set.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

say() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }

export PATH="$HOME/.cargo/bin:$ROOT/end2end/node_modules/.bin:$PATH"

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if [ ! -x "$ROOT/end2end/node_modules/.bin/wasm-opt" ] || [ ! -d "$ROOT/end2end/node_modules/@playwright/test" ] \
  || [ "$ROOT/end2end/package-lock.json" -nt "$ROOT/end2end/node_modules/.package-lock.json" ]; then
  say "installing npm packages (Playwright, axe-core, binaryen's wasm-opt)"
  (cd "$ROOT/end2end" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
fi

SKIP_TEST_TOOLS="${FAULTDESK_SKIP_TEST_TOOLS:-0}"
if [ "$SKIP_TEST_TOOLS" != "1" ] && [ ! -x /usr/bin/chromium ]; then
  say "installing Debian's chromium for the browser tests"
  SUDO=""
  if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium
fi

SCHEMATHESIS_VERSION="4.32.5"
VENV="${FAULTDESK_VENV:-$HOME/.cache/faultdesk/venv}"
if [ "$SKIP_TEST_TOOLS" != "1" ] && ! "$VENV/bin/schemathesis" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
  say "installing Schemathesis $SCHEMATHESIS_VERSION into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi
