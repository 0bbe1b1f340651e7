#!/usr/bin/env bash
# Every service in its own terminal, as the ALMA mockup is run: a tmux session "drover" with a
# pane per service and one for your commands, where the sample + launch command is typed ready
# to run (press Enter). Ctrl-b d detaches; 'tmux kill-session -t drover' ends it, and then the
# RabbitMQ and CouchDB servers this script started are stopped (never ones it found running).
# tmux's own TMUX_TMPDIR (or TMUX) chooses the tmux server.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
command -v tmux >/dev/null || die "tmux is needed ('sudo apt-get install tmux'); or run each 'npm run <service>' in a terminal of its own"
session=drover
if tmux has-session -t "=$session" 2>/dev/null; then
  [[ -t 1 ]] && exec tmux attach -t "=$session"
  say "tmux session '$session' is already running: tmux attach -t $session"
  exit 0
fi
ensure_build
note_stack
trap stop_started_stack EXIT
"$DROVER_ROOT/scripts/stack.sh" start
# The panes' services use the database stack.sh started, on DROVER_COUCH_PORT when that is set.
[[ -n "${COUCHDB_URL:-}" || -z "${DROVER_COUCH_PORT:-}" ]] || export COUCHDB_URL="http://127.0.0.1:$DROVER_COUCH_PORT"
# A tmux server that is already running gives new panes its own environment, not this shell's:
# hand drover's settings to the session explicitly.
session_env=()
while IFS= read -r var; do session_env+=(-e "$var"); done < <(env | grep -E '^(AMQP|COUCHDB|DROVER)_[A-Z_]*=' || true)
data="${DROVER_DATA_ROOTS:-$DROVER_HOME/data}"; data="${data%%:*}"

cd "$DROVER_ROOT"
# Detached, a session is 80x24 unless told otherwise (six panes of 39x7); attaching resizes it.
tmux new-session -d -s "$session" -n drover -x 200 -y 50 "${session_env[@]}" "npm run --silent state-tracker"
for s in scanner computer validator completion; do
  tmux split-window -t "=$session:" "npm run --silent $s"
  tmux select-layout -t "=$session:" tiled >/dev/null
done
pane=$(tmux split-window -t "=$session:" -P -F '#{pane_id}')
tmux select-layout -t "=$session:" tiled >/dev/null

# Type the command only once the shell shows its prompt: keys sent earlier are echoed by the
# terminal, then drawn again by the shell's line editor when it starts (the command twice).
for ((i = 0; i < 300; i++)); do
  [[ -n "$(tmux capture-pane -p -t "$pane" | tr -d '[:space:]')" ]] && break
  sleep 0.1
done
printf -v command 'npm run --silent drover -- sample %q && npm run --silent launch -- %q --wait' "$data" "$data/demo/demo.csv"
tmux send-keys -t "$pane" -l "$command"

# tmux runs no hook of a session when that session closes, and a global hook would outlive this
# script in a tmux server shared with other sessions: a detached watcher stops what this script
# started once the session is gone (killed, or its last pane closed).
(
  trap '' HUP
  while tmux has-session -t "=$session" 2>/dev/null; do sleep 1; done
  stop_started_stack
) </dev/null >>"$LOG_DIR/terminals.log" 2>&1 &
trap - EXIT

[[ -t 1 ]] && exec tmux attach -t "=$session"
say "tmux session '$session' started: tmux attach -t $session"
