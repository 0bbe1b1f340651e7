#!/usr/bin/env bash
# The test command: installs and builds what is missing, starts RabbitMQ and the CouchDB API
# when they are not running, runs every test, and stops what it started.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ensure_build
had_pouch=$([[ -f "$RUN_DIR/pouchdb.pid" ]] && echo 1 || echo 0)
had_rabbit=$([[ -f "$RUN_DIR/rabbitmq.started" ]] && echo 1 || echo 0)
"$DROVER_ROOT/scripts/stack.sh" start
cleanup() {
  [[ $had_pouch == 0 && -f "$RUN_DIR/pouchdb.pid" ]] && { kill "$(cat "$RUN_DIR/pouchdb.pid")" 2>/dev/null || true; rm -f "$RUN_DIR/pouchdb.pid"; }
  [[ $had_rabbit == 0 && -f "$RUN_DIR/rabbitmq.started" ]] && { timeout 60 rabbitmqctl -q stop >/dev/null 2>&1 || true; rm -f "$RUN_DIR/rabbitmq.started"; }
  return 0
}
trap cleanup EXIT
cd "$DROVER_ROOT"
export DROVER_TEST_COUCHDB_URL="${COUCHDB_URL:-http://127.0.0.1:${DROVER_COUCH_PORT:-5984}}"
node_modules/.bin/vitest run "$@"
