#!/usr/bin/env bash
# Faults under an outage flood: kill -9 under 16 concurrent filers (SQLite and
# PostgreSQL) and PostgreSQL restarted under load; every acknowledged report must
# survive and every answer must be 2xx or a 503 JSON body. Writes
# bench/results/faults.json.   bash bench/faults.sh
# Restarts the local PostgreSQL cluster (needs root): not part of the test run.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
for tool in sqlite3 psql; do
  command -v "$tool" >/dev/null || { echo "needs $tool (apt-get install sqlite3 postgresql-client)"; exit 1; }
done
cargo build --release --locked -p server
export SERVER_BIN="$TARGET_DIR/release/server"
exec python3 bench/faults.py
