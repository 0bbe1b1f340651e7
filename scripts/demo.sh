#!/usr/bin/env bash
# The main job on one machine: install what is missing, start the stack and the services, make
# the sample data, launch the demo group, show its progress until it is complete, say where the
# products and reports are, and stop what this script started.
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

"$DROVER_ROOT/scripts/services.sh" start
cli() { (cd "$DROVER_ROOT" && node services/cli/dist/main.js "$@"); }
data="$DROVER_HOME/data"
cli sample "$data"
group="demo-$(date +%Y%m%d-%H%M%S)"
set +e
cli launch "$data/demo/demo.csv" --group "$group" --wait --timeout "${DROVER_DEMO_TIMEOUT:-600}"
rc=$?
set -e
complete="${DROVER_COMPLETE_DIR:-$DROVER_HOME/complete}/$group"
secs=$(( ($(date +%s%N) - t0) / 1000000 ))
secs="$((secs / 1000)).$(printf %03d $((secs % 1000)))"
echo
if [[ $rc == 0 ]]; then
  echo "The demo group $group is complete; the whole demo took $secs s."
  echo "  products: $complete/data/"
  ls -1 "$complete/data" | sed 's/^/    /'
  echo "  reports:  $complete/reports/"
  echo "  summary:  $complete/summary.json"
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
echo "  to look around later: npm run stack:start, then npm run drover -- status $group"
exit $rc
