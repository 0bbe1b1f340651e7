#!/usr/bin/env bash
# Start, stop or show the local stack: RabbitMQ and the CouchDB API.
#   start: use a running broker (AMQP_URL), else start the local rabbitmq-server, else install
#          Debian's when root, else 'docker compose up rabbitmq'; when COUCHDB_URL is unset, start
#          the embedded pouchdb-server (a CouchDB-compatible server) on 127.0.0.1:5984.
#   stop:  stop what 'start' started, nothing else.
#   install: install the embedded pouchdb-server only (whatever CouchDB API is running).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

AMQP_URL="${AMQP_URL:-amqp://guest:guest@127.0.0.1:5672}"
AMQP_HOST=$(url_host "$AMQP_URL"); AMQP_PORT=$(url_port "$AMQP_URL" 5672)
COUCH_PORT="${DROVER_COUCH_PORT:-5984}"
POUCH_DIR="$DROVER_ROOT/scripts/pouchdb"

wait_for() { # what host port seconds
  local i
  for ((i = 0; i < $4 * 4; i++)); do port_open "$2" "$3" && return 0; sleep 0.25; done
  return 1
}

start_rabbitmq() {
  if port_open "$AMQP_HOST" "$AMQP_PORT"; then say "RabbitMQ: using the broker at $AMQP_HOST:$AMQP_PORT"; return; fi
  [[ "$AMQP_HOST" == 127.0.0.1 || "$AMQP_HOST" == localhost ]] || die "RabbitMQ at $AMQP_HOST:$AMQP_PORT does not answer (AMQP_URL); start it there, or unset AMQP_URL to use a local one"
  if ! command -v rabbitmq-server >/dev/null && [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    say "RabbitMQ: installing Debian's rabbitmq-server…"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q rabbitmq-server >"$LOG_DIR/apt-rabbitmq.log" 2>&1 ||
      { apt-get update -q >>"$LOG_DIR/apt-rabbitmq.log" 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q rabbitmq-server >>"$LOG_DIR/apt-rabbitmq.log" 2>&1; } ||
      die "could not install rabbitmq-server (see $LOG_DIR/apt-rabbitmq.log)"
  fi
  if command -v rabbitmq-server >/dev/null; then
    say "RabbitMQ: starting the local rabbitmq-server…"
    # Never call 'rabbitmq-server --help': it starts a broker in the foreground.
    timeout 60 rabbitmq-server -detached >"$LOG_DIR/rabbitmq-start.log" 2>&1 || true
    timeout 90 rabbitmqctl -q await_startup >>"$LOG_DIR/rabbitmq-start.log" 2>&1 || wait_for RabbitMQ "$AMQP_HOST" "$AMQP_PORT" 60 ||
      die "rabbitmq-server did not start (see $LOG_DIR/rabbitmq-start.log)"
    touch "$RUN_DIR/rabbitmq.started"
  elif command -v docker >/dev/null && docker info >/dev/null 2>&1; then
    say "RabbitMQ: starting it with docker compose…"
    (cd "$DROVER_ROOT" && docker compose up -d rabbitmq) >&2
    wait_for RabbitMQ "$AMQP_HOST" "$AMQP_PORT" 90 || die "the rabbitmq container did not come up"
    touch "$RUN_DIR/rabbitmq.compose"
  else
    die "no RabbitMQ at $AMQP_HOST:$AMQP_PORT and none to start: install it ('sudo apt-get install rabbitmq-server'), or run 'docker compose up -d rabbitmq', or set AMQP_URL"
  fi
  wait_for RabbitMQ "$AMQP_HOST" "$AMQP_PORT" 30 || die "RabbitMQ does not accept connections on $AMQP_HOST:$AMQP_PORT"
  say "RabbitMQ: ready on $AMQP_HOST:$AMQP_PORT"
}

ensure_pouchdb() {
  if [[ ! -x "$POUCH_DIR/node_modules/.bin/pouchdb-server" ]]; then
    need_node
    say "CouchDB API: installing the embedded pouchdb-server (once, about a minute)…"
    (cd "$POUCH_DIR" && npm install --no-audit --no-fund --loglevel=error) >"$LOG_DIR/pouchdb-install.log" 2>&1 ||
      die "could not install pouchdb-server (see $LOG_DIR/pouchdb-install.log)"
  fi
}

start_couch() {
  if [[ -n "${COUCHDB_URL:-}" ]]; then
    port_open "$(url_host "$COUCHDB_URL")" "$(url_port "$COUCHDB_URL" 5984)" || die "CouchDB at COUCHDB_URL=$COUCHDB_URL does not answer"
    say "CouchDB: using COUCHDB_URL"
    return
  fi
  if port_open 127.0.0.1 "$COUCH_PORT"; then say "CouchDB API: using the server on 127.0.0.1:$COUCH_PORT"; return; fi
  ensure_pouchdb
  mkdir -p "$DROVER_HOME/couch"
  say "CouchDB API: starting the embedded pouchdb-server on 127.0.0.1:$COUCH_PORT (data in $DROVER_HOME/couch)…"
  # exec: the recorded pid is the server's own, and no shell lingers holding the caller's output.
  (cd "$DROVER_HOME/couch" && exec "$POUCH_DIR/node_modules/.bin/pouchdb-server" -p "$COUCH_PORT" -o 127.0.0.1 -d "$DROVER_HOME/couch" -n) \
    </dev/null >"$LOG_DIR/pouchdb.log" 2>&1 &
  echo $! >"$RUN_DIR/pouchdb.pid"
  wait_for CouchDB 127.0.0.1 "$COUCH_PORT" 30 || die "pouchdb-server did not start (see $LOG_DIR/pouchdb.log)"
  say "CouchDB API: ready on http://127.0.0.1:$COUCH_PORT"
}

stop_all() {
  if [[ -f "$RUN_DIR/pouchdb.pid" ]]; then
    kill "$(cat "$RUN_DIR/pouchdb.pid")" 2>/dev/null && say "stopped pouchdb-server" || true
    rm -f "$RUN_DIR/pouchdb.pid"
  fi
  if [[ -f "$RUN_DIR/rabbitmq.started" ]]; then
    timeout 60 rabbitmqctl -q stop >/dev/null 2>&1 && say "stopped rabbitmq-server" || true
    rm -f "$RUN_DIR/rabbitmq.started"
  fi
  if [[ -f "$RUN_DIR/rabbitmq.compose" ]]; then
    (cd "$DROVER_ROOT" && docker compose stop rabbitmq) >&2 || true
    rm -f "$RUN_DIR/rabbitmq.compose"
  fi
}

case "${1:-start}" in
  start) start_rabbitmq; start_couch ;;
  stop) stop_all ;;
  # The embedded pouchdb-server installed, whichever CouchDB API runs (the fault tests start their own).
  install) ensure_pouchdb ;;
  status)
    port_open "$AMQP_HOST" "$AMQP_PORT" && echo "RabbitMQ: up ($AMQP_HOST:$AMQP_PORT)" || echo "RabbitMQ: down ($AMQP_HOST:$AMQP_PORT)"
    if [[ -n "${COUCHDB_URL:-}" ]]; then c_host=$(url_host "$COUCHDB_URL"); c_port=$(url_port "$COUCHDB_URL" 5984); else c_host=127.0.0.1; c_port=$COUCH_PORT; fi
    port_open "$c_host" "$c_port" && echo "CouchDB API: up ($c_host:$c_port)" || echo "CouchDB API: down ($c_host:$c_port)" ;;
  *) die "usage: scripts/stack.sh start|stop|status|install" ;;
esac
