#!/usr/bin/env bash
# The browser suite once more, against two server processes sharing one fresh
# PostgreSQL database behind a small round-robin proxy (end2end/proxy.js): every page,
# form and live update must work when consecutive requests hit different instances.
#   bash scripts/e2e-instances.sh [playwright args]   (needs the release build)
#   FAULTDESK_TEST_POSTGRES_URL  PostgreSQL server (default postgres://postgres@127.0.0.1:5432/postgres)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ADMIN_URL="${FAULTDESK_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
NAME="faultdesk_e2e_$$"
psql "$ADMIN_URL" -qX -c "DROP DATABASE IF EXISTS $NAME" -c "CREATE DATABASE $NAME"
trap 'psql "$ADMIN_URL" -qX -c "DROP DATABASE IF EXISTS $NAME WITH (FORCE)" >/dev/null' EXIT
cd "$ROOT/end2end"
FAULTDESK_E2E_INSTANCES=2 FAULTDESK_E2E_DATABASE_URL="${ADMIN_URL%/*}/$NAME" FAULTDESK_E2E_PORT=3131 \
  FAULTDESK_E2E_DATA_DIR= npx playwright test --project=chromium "$@"
