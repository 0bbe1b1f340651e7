#!/usr/bin/env bash
# Every service in its own terminal, as the ALMA mockup is run: a tmux session "drover" with a
# pane per service and one for your commands. Ctrl-b d detaches; 'tmux kill-session -t drover' ends it.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
command -v tmux >/dev/null || die "tmux is needed ('sudo apt-get install tmux'); or run each 'npm run <service>' in a terminal of its own"
ensure_build
"$DROVER_ROOT/scripts/stack.sh" start
session=drover
tmux has-session -t "$session" 2>/dev/null && exec tmux attach -t "$session"
cd "$DROVER_ROOT"
tmux new-session -d -s "$session" -n drover "npm run --silent state-tracker"
for s in scanner computer validator completion; do
  tmux split-window -t "$session" "npm run --silent $s"
  tmux select-layout -t "$session" tiled >/dev/null
done
tmux split-window -t "$session"
tmux select-layout -t "$session" tiled >/dev/null
tmux send-keys -t "$session" "npm run --silent drover -- sample && npm run --silent launch -- var/data/demo/demo.csv --wait" ""
[[ -t 1 ]] && exec tmux attach -t "$session" || say "tmux session '$session' started: tmux attach -t $session"
