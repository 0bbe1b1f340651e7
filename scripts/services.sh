#!/usr/bin/env bash
# Starts or stops every drover service in the background (logs in var/log/<service>.log):
#   scripts/services.sh start [copies-of-each-worker]   |   scripts/services.sh stop
# The shepherd starts too when DROVER_SHEPHERD_CONFIG names its config file.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
SERVICES=(state-tracker scanner computer validator completion dashboard)
if [[ -n "${DROVER_SHEPHERD_CONFIG:-}" ]]; then
  [[ -f "$DROVER_SHEPHERD_CONFIG" ]] || die "DROVER_SHEPHERD_CONFIG names $DROVER_SHEPHERD_CONFIG, which does not exist (a sample config is in the README, 'Running a flock')"
  SERVICES+=(shepherd)
fi

start() {
  local copies="${1:-1}" s i
  ensure_build
  for s in "${SERVICES[@]}"; do
    local n=1
    [[ "$s" == scanner || "$s" == computer || "$s" == validator ]] && n="$copies"
    for ((i = 1; i <= n; i++)); do
      local pidfile="$RUN_DIR/$s.$i.pid"
      if [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then continue; fi
      # exec: the recorded pid is node's own, and no shell lingers holding the caller's output.
      (cd "$DROVER_ROOT" && DROVER_LOG_FORMAT="${DROVER_LOG_FORMAT:-pretty}" exec node "services/$s/dist/main.js") </dev/null >>"$LOG_DIR/$s.log" 2>&1 &
      echo $! >"$pidfile"
    done
  done
  say "services started (logs in $LOG_DIR)"
}

stop() {
  local f pid pids=()
  shopt -s nullglob
  for f in "$RUN_DIR"/{state-tracker,scanner,computer,validator,completion,dashboard,shepherd}.*.pid; do
    pid=$(cat "$f")
    kill "$pid" 2>/dev/null && pids+=("$pid")
    rm -f "$f"
  done
  # SIGTERM lets each service close its broker connection; unfinished messages are redelivered.
  for _ in $(seq 1 40); do
    local alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    ((alive == 0)) && break
    sleep 0.25
  done
  for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  say "services stopped"
}

case "${1:-start}" in
  start) shift || true; start "${1:-1}" ;;
  stop) stop ;;
  *) die "usage: scripts/services.sh start [copies] | stop" ;;
esac
