#!/usr/bin/env bash
# The manager-report benchmark: seeds 1,000,000 tickets (plus 300,000 deflected
# reports) filed over the last 365 days into a fresh database, starts the release
# server on it, and times the report page, its server function and a CSV download
# over HTTP (p50/p99 of 50 sequential requests after 5 warm-up requests) for the
# default range (last 30 days), the last 90 days and the longest range (366 days).
#
#   bash bench/reports.sh                      # SQLite file bench/results/reports.db
#   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/faultdesk_bench bash bench/reports.sh
#
#   BENCH_TICKETS (default 1000000), BENCH_PORT (default 3290), CARGO_TARGET_DIR.
# Not part of scripts/test.sh.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
DB_URL="${BENCH_DATABASE_URL:-sqlite://$ROOT/bench/results/reports.db}"
TICKETS="${BENCH_TICKETS:-1000000}"
PORT="${BENCH_PORT:-3290}"
EMAIL="bench-manager@faultdesk.test"
PASSWORD="bench-manager-password"

cargo build --release --locked -p server --bin server --example seed_reports --example measure_reports
BIN="$TARGET_DIR/release"
mkdir -p "$ROOT/bench/results"

case "$DB_URL" in
  sqlite://*)
    FILE="${DB_URL#sqlite://}"
    mkdir -p "$(dirname "$FILE")"
    rm -f "$FILE" "$FILE-wal" "$FILE-shm"
    ;;
  postgres://*|postgresql://*)
    NAME="${DB_URL##*/}"
    ADMIN="${DB_URL%/*}/postgres"
    psql "$ADMIN" -q -c "DROP DATABASE IF EXISTS \"$NAME\" WITH (FORCE)" -c "CREATE DATABASE \"$NAME\""
    ;;
  *) echo "BENCH_DATABASE_URL must be sqlite:// or postgres://" >&2; exit 1 ;;
esac

echo "==> seeding $TICKETS tickets into $DB_URL"
time "$BIN/examples/seed_reports" --database-url "$DB_URL" --tickets "$TICKETS"
echo "$PASSWORD" | FAULTDESK_DATABASE_URL="$DB_URL" RUST_LOG=error \
  "$BIN/server" create-user --email "$EMAIL" --role manager --password-stdin

FAULTDESK_DATABASE_URL="$DB_URL" LEPTOS_SITE_ADDR="127.0.0.1:$PORT" RUST_LOG=warn \
  "$BIN/server" > "$ROOT/bench/results/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do
  curl -fs "http://127.0.0.1:$PORT/health/ready" > /dev/null && break
  sleep 0.5
done

TODAY="$(date -u +%F)"
echo "==> measuring (nproc: $(nproc))"
"$BIN/examples/measure_reports" --base-url "http://127.0.0.1:$PORT" \
  --email "$EMAIL" --password "$PASSWORD" --database-url "$DB_URL" \
  --range ":" \
  --range "$(date -u -d "$TODAY - 89 days" +%F):$TODAY" \
  --range "$(date -u -d "$TODAY - 365 days" +%F):$TODAY"
