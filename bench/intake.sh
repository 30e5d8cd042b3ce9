#!/usr/bin/env bash
# Intake benchmark: Faultdesk's report intake (the browser's server function, and the
# JSON API's POST /api/v1/reports with a token) side by side with the bare axum + sqlx
# baseline (../shared/bench/baseline-intake/), on SQLite and PostgreSQL, at c=1/16/64,
# for a 5xx and a 4xx report; writes bench/results/intake.json and prints the table.
#   bash bench/intake.sh            (BENCH_SECONDS=10 per run; BENCH_ENGINES, BENCH_CONCURRENCY)
# Not part of the test run: timings belong in benchmarks, not in tests. Needs wrk,
# sqlite3 and psql (installed here if missing) and PostgreSQL at
# FAULTDESK_TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
BASELINE_DIR="${BASELINE_DIR:-$ROOT/../shared/bench/baseline-intake}"
missing=()
for tool in wrk sqlite3 psql; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if [ "${#missing[@]}" -gt 0 ]; then
  pkgs=()
  for t in "${missing[@]}"; do case "$t" in psql) pkgs+=(postgresql-client);; *) pkgs+=("$t");; esac; done
  SUDO=""; [ "$(id -u)" != "0" ] && SUDO="sudo"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${pkgs[@]}"
fi
cargo build --release --locked -p server
cargo build --release --manifest-path "$BASELINE_DIR/Cargo.toml" --target-dir "$TARGET_DIR/baseline"
export SERVER_BIN="$TARGET_DIR/release/server"
export BASELINE_BIN="$TARGET_DIR/baseline/release/baseline-intake"
exec python3 bench/intake.py
