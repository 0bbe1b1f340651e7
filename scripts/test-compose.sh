#!/usr/bin/env bash
# npm run test:compose — the container tests (issue 12), bounded in time (DROVER_COMPOSE_TIMEOUT,
# default 900 s for the whole script), cleaning up after itself even when it fails:
#   1. the images (scripts/images.sh: local stand-ins, cached; a first build takes a few minutes);
#   2. the testcontainers run: test/containers/services.test.ts and the bus and store integration
#      tests against a RabbitMQ and a CouchDB API container of their own;
#   3. docker-compose.yml up (its own project, random host ports, two replicas of each worker), the
#      demo group through the containers (test/containers/compose.test.ts), then 'down -v'.
#   bash scripts/test-compose.sh [--containers-only | --compose-only]
# Installs and starts Docker when missing (root); a dockerd it started is stopped at the end
# (DROVER_KEEP_DOCKER=1 keeps it).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

mode=all
case "${1:-}" in
  "") ;;
  --containers-only) mode=containers ;;
  --compose-only) mode=compose ;;
  *) die "usage: scripts/test-compose.sh [--containers-only | --compose-only]" ;;
esac
budget="${DROVER_COMPOSE_TIMEOUT:-900}"
[[ "$budget" =~ ^[1-9][0-9]*$ ]] || die "DROVER_COMPOSE_TIMEOUT=$budget: a number of seconds, e.g. 900"
t0=$(date +%s)
deadline=$((t0 + budget))
left() { local l=$((deadline - $(date +%s))); ((l > 0)) || die "out of time: the compose test's $budget s (DROVER_COMPOSE_TIMEOUT) are spent"; echo "$l"; }
bounded() { local l; l=$(left); timeout --kill-after=20 "$l" "$@"; }
mark() { say "[$(( $(date +%s) - t0 )) s] $*"; }

PROJECT=drover-compose-test
WORK="$DROVER_HOME/compose-test"
RUN_ID="test-compose-$$"
ENV_FILE="$WORK/compose.env"
up=0
COMPOSE=(docker-compose)
cleanup() {
  local rc=$?
  if ((up)); then
    if ((rc != 0)); then
      say "the compose test failed: the services' last log lines follow (whole logs: $LOG_DIR/compose-test.log)"
      timeout 60 "${COMPOSE[@]}" -p "$PROJECT" --env-file "$ENV_FILE" -f "$DROVER_ROOT/docker-compose.yml" logs --no-color >"$LOG_DIR/compose-test.log" 2>&1 || true
      tail -n 40 "$LOG_DIR/compose-test.log" >&2 || true
    fi
    timeout 180 "${COMPOSE[@]}" -p "$PROJECT" --env-file "$ENV_FILE" -f "$DROVER_ROOT/docker-compose.yml" --profile tools --profile flock down -v --remove-orphans >"$LOG_DIR/compose-down.log" 2>&1 ||
      say "docker-compose down did not finish (see $LOG_DIR/compose-down.log)"
  fi
  # Testcontainers' containers of a run that was killed (its own teardown removes them otherwise).
  local stray; stray=$(docker ps -aq --filter "label=org.drover.test.run=$RUN_ID" 2>/dev/null || true)
  [[ -n "$stray" ]] && docker rm -f -v $stray >/dev/null 2>&1
  [[ "${DROVER_KEEP_DOCKER:-0}" == 1 ]] || stop_started_docker
  mark "done (exit $rc)"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ensure_deps
ensure_docker
mkdir -p "$WORK"
COMPOSE_CMD=$(compose_command)
read -r -a COMPOSE <<<"$COMPOSE_CMD"
mark "Docker: $(docker version -f '{{.Server.Version}}' 2>/dev/null), compose: $("${COMPOSE[@]}" version --short 2>/dev/null || echo '?')"

# The stack's settings: .env.example with passwords of this run and host ports the engine picks
# (nothing here may clash with the machine's own RabbitMQ, CouchDB API or dashboard).
pw() { head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 20; }
sed -e "s/^RABBITMQ_PASSWORD=.*/RABBITMQ_PASSWORD=$(pw)/" -e "s/^COUCHDB_PASSWORD=.*/COUCHDB_PASSWORD=$(pw)/" \
  "$DROVER_ROOT/.env.example" >"$ENV_FILE"
printf '%s\n' DROVER_AMQP_PORT=0 DROVER_RABBITMQ_MANAGEMENT_PORT=0 DROVER_COUCHDB_PORT=0 DROVER_DASHBOARD_PORT=0 >>"$ENV_FILE"

mark "images (scripts/images.sh)…"
only=(); [[ $mode == containers ]] && only=(--only rabbitmq,couchdb)   # testcontainers needs no drover image
bounded bash "$DROVER_ROOT/scripts/images.sh" --env-file "$ENV_FILE" "${only[@]}" >"$WORK/images.out"
cat "$WORK/images.out" >&2
set -a; source "$WORK/images.out"; set +a   # DROVER_IMAGE, DROVER_RABBITMQ_IMAGE, DROVER_COUCHDB_IMAGE…
mark "images ready"
cd "$DROVER_ROOT"

if [[ $mode != compose ]]; then
  mark "testcontainers: test/containers/services.test.ts and the bus and store integration tests…"
  # CI=true: in this run a missing service or Python reader fails, never skips.
  bounded env -u AMQP_URL -u COUCHDB_URL -u DROVER_TEST_COUCHDB_URL DROVER_TEST_CONTAINERS=always TESTCONTAINERS_RYUK_DISABLED=true \
    DROVER_TEST_RUN_ID="$RUN_ID" CI=true \
    node_modules/.bin/vitest run test/containers/services.test.ts test/integration/bus.test.ts test/integration/store.test.ts
  mark "testcontainers run passed"
fi
[[ $mode == containers ]] && exit 0

dc() { bounded "${COMPOSE[@]}" -p "$PROJECT" --env-file "$ENV_FILE" -f "$DROVER_ROOT/docker-compose.yml" "$@"; }
# A stack left by a killed run of this script (same project name) goes first.
dc --profile tools --profile flock down -v --remove-orphans >/dev/null 2>&1 || true
up=1
mark "docker-compose up (two replicas of each worker)…"
t_up=$(date +%s)
dc up -d >"$LOG_DIR/compose-up.log" 2>&1 || { cat "$LOG_DIR/compose-up.log" >&2; die "docker-compose up failed"; }
# Every container healthy (each service has a health check).
while :; do
  ids=$(dc ps -q)
  [[ -n "$ids" ]] || die "docker-compose up started no containers"
  states=$(docker inspect -f '{{.Name}} {{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}' $ids)
  grep -q -E ' (exited|dead) ' <<<"$states" && { echo "$states" >&2; die "a container of the stack stopped"; }
  grep -q -v -E ' running healthy$' <<<"$states" || break
  (( $(left) > 5 )) || { echo "$states" >&2; die "the stack was not healthy in time"; }
  sleep 2
done
mark "stack healthy $(( $(date +%s) - t_up )) s after 'up': $(wc -l <<<"$states") containers"

mark "the demo group through the stack (test/containers/compose.test.ts)…"
bounded env DROVER_COMPOSE_PROJECT="$PROJECT" DROVER_COMPOSE_ENV_FILE="$ENV_FILE" DROVER_COMPOSE_FILE="$DROVER_ROOT/docker-compose.yml" \
  DROVER_COMPOSE_CMD="$COMPOSE_CMD" DROVER_COMPOSE_REPLICAS=2 \
  node_modules/.bin/vitest run test/containers/compose.test.ts
mark "compose test passed"
