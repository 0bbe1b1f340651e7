#!/usr/bin/env bash
# Regenerates docs/dashboard-overview.png, docs/dashboard-board.png (mid-run) and
# docs/dashboard-project.png: builds, starts RabbitMQ and the CouchDB API when they are not
# running, runs sample groups through a private exchange and database, and photographs the
# dashboard in headless Chromium (Debian's; installed when missing, as root).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ensure_build
ensure_chromium
note_stack
trap stop_started_stack EXIT
"$DROVER_ROOT/scripts/stack.sh" start
cd "$DROVER_ROOT"
node scripts/screenshots.mjs
