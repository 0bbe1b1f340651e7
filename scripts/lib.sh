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
# malloc in transparent huge pages (glibc 2.35 or newer; other C libraries ignore it): a first
# touch of fresh memory cost 11 µs a 4 KiB page on these machines (2026-12-05), and with it
# `drover refs` made 30 % fewer page faults: the 200 bench files without validation 1.02 → 0.92 s,
# the 132 validated 1.91 → 1.81 s (medians of 4 interleaved runs), the peak within 5 MB.
case ":${GLIBC_TUNABLES:-}:" in
  *:glibc.malloc.hugetlb=*) ;;
  *) export GLIBC_TUNABLES="${GLIBC_TUNABLES:+$GLIBC_TUNABLES:}glibc.malloc.hugetlb=1" ;;
esac

say() { printf '%s\n' "drover: $*" >&2; }
die() { say "$*"; exit 1; }

# True when something accepts TCP connections on host:port.
port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# host and port of a URL (amqp://user:pw@host:port/vhost, http://host:port).
url_host() { local u="${1#*://}"; u="${u#*@}"; u="${u%%/*}"; printf '%s' "${u%%:*}"; }
url_port() { local u="${1#*://}"; u="${u#*@}"; u="${u%%/*}"; [[ "$u" == *:* ]] && printf '%s' "${u##*:}" || printf '%s' "$2"; }

need_node() {
  command -v node >/dev/null || die "Node.js 20.18 or newer is needed (https://nodejs.org, or 'apt-get install nodejs npm')"
  # `node --version` answers without starting the JavaScript engine (`node -p` took 0.13 s).
  local version major; version=$(node --version); major=${version#v}; major=${major%%.*}
  (( major >= 20 )) || die "Node.js $version is too old: drover needs 20.18 or newer"
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

# `tsc -b` took 0.25 s even with nothing to build, on every service start and every
# `npm run drover -- …`: it runs only when a source or build setting is newer than the last build
# (a stamp beside the compiled code, so a removed dist/ is rebuilt). The dashboard's page is
# bundled again when a file of its source (services/dashboard/web) is newer than the bundle.
ensure_build() {
  ensure_deps
  local stamp="$DROVER_ROOT/shared/dist/.built"
  if [[ ! -f "$stamp" || ! -f "$DROVER_ROOT/services/cli/dist/main.js" ||
        -n "$(cd "$DROVER_ROOT" && find shared/src services/*/src tsconfig.json tsconfig.base.json shared/tsconfig.json services/*/tsconfig.json package-lock.json -newer "$stamp" -print -quit 2>/dev/null)" ]]; then
    mkdir -p "$DROVER_ROOT/shared/dist"
    local started; started=$(mktemp "$DROVER_ROOT/shared/dist/.building.XXXXXX") # edits made during the build are built next time
    (cd "$DROVER_ROOT" && node_modules/.bin/tsc -b) >&2 || { rm -f "$started"; die "the TypeScript build failed (see above)"; }
    mv "$started" "$stamp"
  fi
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

# --- Docker (scripts/images.sh, scripts/test-compose.sh, the testcontainers tests) ---------------
# Debian's docker.io 20.10 (no Compose v2, no buildx here): the legacy builder, and Compose v1
# (docker-compose 1.29) when 'docker compose' is missing. The file format suits both.
export DOCKER_BUILDKIT="${DOCKER_BUILDKIT:-0}"

# Installs docker.io, debootstrap and docker-compose when missing (root, apt), and starts dockerd in
# the background when no engine answers. Sets docker_started=1 when this script started it:
# stop_started_docker then stops that dockerd, by its PID, and undoes what it changed on the host.
ensure_docker() {
  docker_started=0
  local missing=()
  command -v dockerd >/dev/null || missing+=(docker.io)
  command -v debootstrap >/dev/null || missing+=(debootstrap)
  command -v docker-compose >/dev/null || docker compose version >/dev/null 2>&1 || missing+=(docker-compose)
  if ((${#missing[@]} > 0)); then
    [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null ||
      die "Docker is missing (${missing[*]}): install it ('sudo apt-get install ${missing[*]}'), or run this as root on Debian"
    say "installing ${missing[*]} (apt-get)…"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >"$LOG_DIR/apt-docker.log" 2>&1 ||
      { apt-get update -q >>"$LOG_DIR/apt-docker.log" 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >>"$LOG_DIR/apt-docker.log" 2>&1; } ||
      die "could not install ${missing[*]} (see $LOG_DIR/apt-docker.log)"
  fi
  timeout 20 docker info >/dev/null 2>&1 && return 0
  [[ $(id -u) == 0 ]] || die "no Docker engine answers and this is not root: start one ('sudo dockerd &' or 'sudo systemctl start docker')"
  [[ -S /var/run/docker.sock ]] && ! pgrep -x dockerd >/dev/null && rm -f /var/run/docker.sock
  pgrep -x dockerd >/dev/null && die "a dockerd is running but does not answer 'docker info' (see its log); stop it or wait for it"
  # What dockerd changes and does not undo when it stops: the forwarding switch, iptables (its rules
# and the FORWARD policy) and the docker0 bridge.
  cat /proc/sys/net/ipv4/ip_forward >"$RUN_DIR/dockerd.ip_forward" 2>/dev/null || true
  iptables -S FORWARD 2>/dev/null | awk '$1 == "-P" {print $3; exit}' >"$RUN_DIR/dockerd.forward_policy" || true
  say "starting dockerd in the background (log: $LOG_DIR/dockerd.log)…"
  dockerd >"$LOG_DIR/dockerd.log" 2>&1 </dev/null &
  echo $! >"$RUN_DIR/dockerd.pid"
  docker_started=1
  local i
  for ((i = 0; i < 120; i++)); do
    timeout 10 docker info >/dev/null 2>&1 && { say "dockerd is up (pid $(cat "$RUN_DIR/dockerd.pid"))"; return 0; }
    kill -0 "$(cat "$RUN_DIR/dockerd.pid")" 2>/dev/null || die "dockerd exited at start (see $LOG_DIR/dockerd.log)"
    sleep 0.5
  done
  die "dockerd did not answer within 60 s (see $LOG_DIR/dockerd.log)"
}

# Stops the dockerd that ensure_docker started in this script (never another one), then removes
# its docker0 bridge and iptables rules and puts ip_forward back as it was.
stop_started_docker() {
  [[ ${docker_started:-0} == 1 && -f "$RUN_DIR/dockerd.pid" ]] || return 0
  local pid i; pid=$(cat "$RUN_DIR/dockerd.pid")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for ((i = 0; i < 60; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$pid" 2>/dev/null && { kill -9 "$pid" 2>/dev/null || true; }
  fi
  rm -f "$RUN_DIR/dockerd.pid"
  ip link delete docker0 2>/dev/null || true
  local t
  for t in filter nat; do
    if iptables-save -t "$t" 2>/dev/null | grep -q -E 'DOCKER|docker0'; then
      iptables-save -t "$t" | grep -v -E 'DOCKER|docker0|-i br-|-o br-' | iptables-restore -T "$t" 2>/dev/null || iptables-save -t "$t" | grep -v -E 'DOCKER|docker0|-i br-|-o br-' | iptables-restore 2>/dev/null || true
    fi
  done
  local policy; policy=$(cat "$RUN_DIR/dockerd.forward_policy" 2>/dev/null || true)   # dockerd sets FORWARD to DROP
  [[ "$policy" == ACCEPT || "$policy" == DROP ]] && { iptables -P FORWARD "$policy" 2>/dev/null || true; }
  rm -f "$RUN_DIR/dockerd.forward_policy"
  [[ -f "$RUN_DIR/dockerd.ip_forward" ]] && { cat "$RUN_DIR/dockerd.ip_forward" >/proc/sys/net/ipv4/ip_forward 2>/dev/null || true; rm -f "$RUN_DIR/dockerd.ip_forward"; }
  docker_started=0
  say "stopped the dockerd it started (pid $pid) and removed its bridge and iptables rules"
}

# The Compose command, printed: 'docker compose' (v2) when the plugin is there, else Debian's
# docker-compose (v1.29). (Not a function named compose: Debian's mailcap ships /usr/bin/compose.)
compose_command() {
  if docker compose version >/dev/null 2>&1; then echo "docker compose"; else echo docker-compose; fi
}
