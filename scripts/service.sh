#!/usr/bin/env bash
# Runs one service (or the CLI) from compiled JavaScript, building first if the sources changed:
#   scripts/service.sh <state-tracker|scanner|computer|validator|completion|cli> [args…]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
name="${1:-}"; shift || true
[[ -f "$DROVER_ROOT/services/$name/package.json" ]] || die "no service called '$name' (services: $(ls "$DROVER_ROOT/services" | tr '\n' ' '))"
ensure_build
cd "$DROVER_ROOT"
exec node "services/$name/dist/main.js" "$@"
