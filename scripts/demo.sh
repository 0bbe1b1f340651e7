#!/usr/bin/env bash
# The main job on one machine: install what is missing, start the stack and the services with the
# shepherd, make the sample data, drop the demo group file into the shepherd's flock directory,
# show the group's progress until it is complete, say where the products and reports are, and
# stop what this script started.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
t0=$(date +%s%N)
ensure_build
note_stack
"$DROVER_ROOT/scripts/stack.sh" start

cleanup() {
  "$DROVER_ROOT/scripts/services.sh" stop
  [[ "${DROVER_KEEP_STACK:-0}" == 1 ]] || stop_started_stack
  return 0
}
trap cleanup EXIT

# The demo's flock: its own directory and config (a site's own var/shepherd.yaml is left alone).
flock="$DROVER_HOME/demo-flock"
complete_root="${DROVER_COMPLETE_DIR:-$DROVER_HOME/complete}"
export DROVER_SHEPHERD_CONFIG="$DROVER_HOME/demo-shepherd.yaml"
mkdir -p "$flock"
printf '%s\n' "# Written by scripts/demo.sh for the demo flock." "flock_dir: $flock" "complete_dir: $complete_root" \
  "batch_limit: 100" "sweep_interval: 3600" "settle_seconds: 0.5" >"$DROVER_SHEPHERD_CONFIG"
dash_log="$LOG_DIR/dashboard.log"
dash_from=$(( $( [[ -f "$dash_log" ]] && wc -c <"$dash_log" || echo 0) + 1 ))
"$DROVER_ROOT/scripts/services.sh" start
# The dashboard's address, from its "ready" line (this run's lines only): up until the demo ends.
dash_url=""
for _ in $(seq 1 100); do
  dash_url=$(tail -c "+$dash_from" "$dash_log" 2>/dev/null | grep -o 'dashboard ready on http://[^ "]*' | head -1 | sed 's/^dashboard ready on //') || true
  [[ -n "$dash_url" ]] && break
  sleep 0.1
done
if [[ -n "$dash_url" ]]; then
  echo "dashboard: $dash_url  (open it to watch the group live; $([[ -n "${DROVER_DASHBOARD_TOKEN:-}" ]] && echo "actions with the token in DROVER_DASHBOARD_TOKEN" || echo "read-only: set DROVER_DASHBOARD_TOKEN to allow actions"))"
else
  echo "dashboard: did not start (see $dash_log; DROVER_DASHBOARD_PORT picks another port)"
fi
cli() { (cd "$DROVER_ROOT" && node services/cli/dist/main.js "$@"); }
data="$DROVER_HOME/data"
cli sample "$data"
group="demo-$(date +%Y%m%d-%H%M%S)"
# Into the flock under a temporary name, then renamed: the shepherd never reads half a file.
cp "$data/demo/demo.csv" "$flock/.$group.csv.part" && mv "$flock/.$group.csv.part" "$flock/$group.csv"
echo "dropped $flock/$group.csv into the shepherd's flock; the shepherd takes it in…"
set +e
for _ in $(seq 1 300); do
  cli status "$group" >/dev/null 2>&1 && break
  sleep 0.2
done
timeout "${DROVER_DEMO_TIMEOUT:-600}" node "$DROVER_ROOT/services/cli/dist/main.js" status "$group" --watch
rc=$?
set -e
complete="$complete_root/$group"
secs=$(( ($(date +%s%N) - t0) / 1000000 ))
secs="$((secs / 1000)).$(printf %03d $((secs % 1000)))"
echo
if [[ $rc == 0 ]]; then
  echo "The demo group $group is complete; the whole demo took $secs s."
  echo "  products: $complete/data/"
  ls -1 "$complete/data" | sed 's/^/    /'
  echo "  reports:  $complete/reports/"
  echo "  summary:  $complete/summary.json"
  echo "  group file: moved to $flock/completed/$group.csv"
  first="$complete/data/$(ls -1 "$complete/data" | head -1)"
  if [[ "$first" == *.json ]]; then
    echo "  open one in Python: xarray.open_dataset(fsspec.filesystem(\"reference\", fo=\"$first\").get_mapper(\"\"), engine=\"zarr\", consolidated=False)"
  else
    echo "  open one in Python: xarray.open_zarr(\"$first\", consolidated=False)"
  fi
else
  echo "The demo group $group did not complete (see above, 'npm run drover -- status $group', and the logs in $LOG_DIR)."
fi
echo "  service logs: $LOG_DIR/<service>.log"
[[ -n "$dash_url" ]] && echo "  dashboard: $dash_url (stops with the demo; DROVER_DASHBOARD_HOLD=1 keeps the demo, and it, running until Enter)"
if [[ -n "$dash_url" && "${DROVER_DASHBOARD_HOLD:-0}" == 1 && -t 0 ]]; then
  read -r -p "press Enter to stop the services and the dashboard… " _ || true
fi
echo "  to look around later: npm run stack:start, then npm run drover -- status $group"
exit $rc
