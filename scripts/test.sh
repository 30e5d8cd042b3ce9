#!/usr/bin/env bash
# Runs every check and test: formatting, clippy (server and browser builds), the Rust
# unit, property and integration tests on SQLite and on PostgreSQL, then, against a
# release build on a fresh SQLite file, Schemathesis on the JSON API and the Playwright
# suite in Debian's Chromium, then that suite again against two instances sharing one
# PostgreSQL database behind a round-robin proxy.
#
#   FAULTDESK_TEST_POSTGRES_URL  server for the PostgreSQL runs
#                                (default postgres://postgres@127.0.0.1:5432/postgres;
#                                each test creates and drops its own database)
#   CARGO_TARGET_DIR             reuse a build cache outside the checkout
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
. scripts/setup.sh

export FAULTDESK_TEST_POSTGRES_URL="${FAULTDESK_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
START=$SECONDS
step() {
  local name="$1"; shift
  printf '\n\033[1;34m==> %s\033[0m (%ss so far)\n' "$name" "$((SECONDS - START))"
  "$@"
}

step "rustfmt" cargo fmt --all --check
step "rustfmt and clippy (the wasm bundler, scripts/wasm-bundle)" bash -c \
  "cargo fmt --check --manifest-path scripts/wasm-bundle/Cargo.toml && cargo clippy --locked \
   --manifest-path scripts/wasm-bundle/Cargo.toml --target-dir '$TARGET_DIR/tools' -- -D warnings"
step "build scripts (keeping the previous browser bundle)" bash scripts/tests/keep-previous-bundle.sh
step "clippy (server build)" cargo clippy --locked -p app -p server --features app/ssr --all-targets -- -D warnings
step "clippy (browser build)" cargo clippy --locked -p app -p frontend --features app/hydrate --target wasm32-unknown-unknown -- -D warnings
step "unit and property tests" cargo test --locked -p app --features ssr
step "integration tests (SQLite and PostgreSQL)" cargo test --locked -p server
# The browser tests run the release build (no debug assertions: Leptos' views then have
# their full, deeper types, which is where release-only failures live) but optimised
# lightly: fat LTO in one codegen unit and opt-level 3 cost a cold machine about ten
# minutes and change nothing the tests can see. `scripts/run.sh` builds it fully.
export CARGO_PROFILE_RELEASE_OPT_LEVEL="${CARGO_PROFILE_RELEASE_OPT_LEVEL:-1}"
export CARGO_PROFILE_RELEASE_LTO="${CARGO_PROFILE_RELEASE_LTO:-false}"
export CARGO_PROFILE_RELEASE_CODEGEN_UNITS="${CARGO_PROFILE_RELEASE_CODEGEN_UNITS:-16}"
export CARGO_PROFILE_WASM_RELEASE_LTO="${CARGO_PROFILE_WASM_RELEASE_LTO:-false}"
export CARGO_PROFILE_WASM_RELEASE_CODEGEN_UNITS="${CARGO_PROFILE_WASM_RELEASE_CODEGEN_UNITS:-16}"
step "release build (server and site)" bash scripts/build-site.sh
export FAULTDESK_SERVER_BIN="$TARGET_DIR/release/server"
step "API fuzzing (Schemathesis, developer and agent tokens)" bash scripts/schemathesis.sh "$FAULTDESK_SERVER_BIN"
step "browser tests (Playwright, Chromium)" bash -c "cd end2end && npx playwright test"
step "browser tests, two instances on PostgreSQL behind a round-robin proxy" bash scripts/e2e-instances.sh
printf '\n\033[1;32mAll checks passed in %ss.\033[0m\n' "$((SECONDS - START))"
