#!/usr/bin/env bash
# Shared helpers of drover's scripts: paths, installing what is missing, reaching the services.
# Source it; it does nothing by itself.

DROVER_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export DROVER_HOME="${DROVER_HOME:-$DROVER_ROOT/var}"
RUN_DIR="$DROVER_HOME/run"
LOG_DIR="$DROVER_HOME/log"
mkdir -p "$RUN_DIR" "$LOG_DIR"
export npm_config_loglevel="${npm_config_loglevel:-error}"
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false

say() { printf '%s\n' "drover: $*" >&2; }
die() { say "$*"; exit 1; }

# True when something accepts TCP connections on host:port.
port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# host and port of a URL (amqp://user:pw@host:port/vhost, http://host:port).
url_host() { local u="${1#*://}"; u="${u#*@}"; u="${u%%/*}"; printf '%s' "${u%%:*}"; }
url_port() { local u="${1#*://}"; u="${u#*@}"; u="${u%%/*}"; [[ "$u" == *:* ]] && printf '%s' "${u##*:}" || printf '%s' "$2"; }

need_node() {
  command -v node >/dev/null || die "Node.js 20.18 or newer is needed (https://nodejs.org, or 'apt-get install nodejs npm')"
  local major; major=$(node -p 'process.versions.node.split(".")[0]')
  (( major >= 20 )) || die "Node.js $(node -v) is too old: drover needs 20.18 or newer"
}

# Installs the locked dependencies when node_modules is missing or older than the lockfile.
# 'npm install' rather than 'npm ci': registries that serve only this platform's optional
# packages (rollup's native builds) leave lockfiles that 'npm ci' calls out of sync.
ensure_deps() {
  need_node
  if [[ ! -d "$DROVER_ROOT/node_modules" || "$DROVER_ROOT/package-lock.json" -nt "$DROVER_ROOT/node_modules/.package-lock.json" ]]; then
    say "installing dependencies (npm install, from package-lock.json)…"
    (cd "$DROVER_ROOT" && npm install --no-audit --no-fund) >&2 || die "npm install failed (see above)"
  fi
  # Once seen on a fresh clone: npm reported success but left node_modules incomplete. Check, and install once more.
  if [[ ! -x "$DROVER_ROOT/node_modules/.bin/tsc" ]]; then
    say "node_modules is incomplete (no TypeScript compiler); installing again…"
    (cd "$DROVER_ROOT" && npm install --no-audit --no-fund) >&2 || die "npm install failed (see above)"
    [[ -x "$DROVER_ROOT/node_modules/.bin/tsc" ]] || die "npm install left no node_modules/.bin/tsc: remove node_modules and run 'npm install' (see its output above)"
  fi
}

# tsc -b is incremental: a no-op build takes a fraction of a second. The dashboard's page is
# bundled again when a file of its source (services/dashboard/web) is newer than the bundle.
ensure_build() {
  ensure_deps
  (cd "$DROVER_ROOT" && node_modules/.bin/tsc -b) >&2 || die "the TypeScript build failed (see above)"
  local web="$DROVER_ROOT/services/dashboard/web" bundle="$DROVER_ROOT/services/dashboard/dist/public/app.js"
  if [[ ! -f "$bundle" || -n "$(find "$web" "$DROVER_ROOT/shared/src/lifecycle.ts" -newer "$bundle" -type f -print -quit)" ]]; then
    (cd "$DROVER_ROOT" && node_modules/.bin/tsc -p services/dashboard/web && node services/dashboard/web/build.mjs) >&2 || die "the dashboard's page did not build (see above)"
  fi
}

# Debian's chromium for the dashboard's browser tests (playwright-core drives it; browser downloads
# are impossible here). Installed when missing, as root; otherwise the tests say what is missing
# (and fail under CI=true).
ensure_chromium() {
  command -v "${DROVER_CHROMIUM:-/usr/bin/chromium}" >/dev/null && return 0
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    say "installing Debian's chromium for the browser tests…"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >"$LOG_DIR/apt-chromium.log" 2>&1 ||
      { apt-get update -q >>"$LOG_DIR/apt-chromium.log" 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >>"$LOG_DIR/apt-chromium.log" 2>&1; } ||
      die "could not install chromium (see $LOG_DIR/apt-chromium.log)"
  else
    say "chromium is missing and this is not root: the browser tests will say so ('sudo apt-get install chromium')"
  fi
}

# Servers already running before a script starts the stack: stop_started_stack stops only the
# others, the ones this script started (a running server belongs to whoever started it).
note_stack() {
  had_pouch=0; had_rabbit=0
  [[ -f "$RUN_DIR/pouchdb.pid" ]] && kill -0 "$(cat "$RUN_DIR/pouchdb.pid")" 2>/dev/null && had_pouch=1
  [[ -f "$RUN_DIR/rabbitmq.started" ]] && had_rabbit=1
  return 0
}
stop_started_stack() {
  if [[ ${had_pouch:-1} == 0 && -f "$RUN_DIR/pouchdb.pid" ]]; then
    kill "$(cat "$RUN_DIR/pouchdb.pid")" 2>/dev/null || true
    rm -f "$RUN_DIR/pouchdb.pid"
    say "stopped the embedded CouchDB server it started"
  fi
  if [[ ${had_rabbit:-1} == 0 && -f "$RUN_DIR/rabbitmq.started" ]]; then
    timeout 60 rabbitmqctl -q stop >/dev/null 2>&1 || true
    rm -f "$RUN_DIR/rabbitmq.started"
    say "stopped the rabbitmq-server it started"
  fi
  return 0
}
