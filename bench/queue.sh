#!/usr/bin/env bash
# Queue benchmark: 100,000 open tickets, queue page p50/p99 on SQLite and PostgreSQL.
#   bash bench/queue.sh [tickets]
# Not part of the test run: timings belong in benchmarks, not in tests.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
N="${1:-100000}"
cargo build --release -p server --example bench_queue
for engine in sqlite postgres; do
  cargo run --quiet --release -p server --example bench_queue -- "$engine" "$N"
done
