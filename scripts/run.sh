#!/usr/bin/env bash
# Builds Faultdesk and runs it on an SQLite file in the working folder
# (faultdesk.db), installing anything missing first. Prints the URL when ready.
#   FAULTDESK_DATABASE_URL=postgres://…  to use PostgreSQL instead.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
FAULTDESK_SKIP_TEST_TOOLS=1 . scripts/setup.sh
bash scripts/build-site.sh
exec "${CARGO_TARGET_DIR:-$ROOT/target}/release/server"
