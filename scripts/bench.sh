#!/usr/bin/env bash
# `npm run bench`: builds what is missing, starts RabbitMQ and the CouchDB API when they are not
# running (the pipeline figures need them), runs `drover bench` and stops what it started.
# `npm run bench -- --dashboard` times the dashboard with 10,000 projects instead.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ensure_build
note_stack
trap stop_started_stack EXIT
"$DROVER_ROOT/scripts/stack.sh" start
cd "$DROVER_ROOT"
if [[ "${1:-}" == --dashboard ]]; then
  # The dashboard with 10,000 projects in headless Chromium (scripts/bench-dashboard.mjs).
  ensure_chromium
  node scripts/bench-dashboard.mjs
  exit
fi
node services/cli/dist/main.js bench "$@"
