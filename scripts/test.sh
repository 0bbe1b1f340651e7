#!/usr/bin/env bash
# The test command: installs and builds what is missing, starts RabbitMQ and the CouchDB API
# when they are not running, runs every test, and stops what it started.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ensure_build
(cd "$DROVER_ROOT" && node_modules/.bin/tsc -p test) >&2 || die "the tests do not type-check (see above)"
ensure_chromium
note_stack
trap stop_started_stack EXIT
"$DROVER_ROOT/scripts/stack.sh" start
"$DROVER_ROOT/scripts/stack.sh" install   # the fault tests run pouchdb-servers of their own
cd "$DROVER_ROOT"
export DROVER_TEST_COUCHDB_URL="${COUCHDB_URL:-http://127.0.0.1:${DROVER_COUCH_PORT:-5984}}"
node_modules/.bin/vitest run "$@"
# The container tests (images, testcontainers, the compose stack; scripts/test-compose.sh): after a
# whole run under CI=true, or with DROVER_TEST_COMPOSE=1 (DROVER_TEST_COMPOSE=0 leaves them out).
if [[ $# == 0 && "${DROVER_TEST_COMPOSE:-${CI:-false}}" =~ ^(1|true)$ ]]; then
  bash "$DROVER_ROOT/scripts/test-compose.sh"
fi
