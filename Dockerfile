# One image for every drover service; docker-compose.yml picks the service with `command`.
# NODE_IMAGE: any Node.js 20 image on Debian with npm and a 'node' user (uid 1000). The default
# comes from Docker Hub; scripts/images.sh builds a local one for sites without a registry.
# Plain `docker build` (the legacy builder and BuildKit both work; no buildx features used).
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.base.json tsconfig.json ./
COPY shared/package.json shared/
COPY services/state-tracker/package.json services/state-tracker/
COPY services/scanner/package.json services/scanner/
COPY services/computer/package.json services/computer/
COPY services/validator/package.json services/validator/
COPY services/completion/package.json services/completion/
COPY services/cli/package.json services/cli/
COPY services/shepherd/package.json services/shepherd/
COPY services/dashboard/package.json services/dashboard/
COPY services/cli/bin services/cli/bin
# EXTRA_CA_CERTS (PEM text, build stage only): certificates to trust on the way to the npm registry,
# for a site behind a TLS-inspecting proxy (scripts/images.sh passes the host's local CAs).
# --ignore-scripts: as npm 11 does on the host, no dependency runs install scripts (none is needed).
# npm has been seen to end with 'Exit handler never called!' and status 0: check what it left.
ARG EXTRA_CA_CERTS=""
RUN set -e; \
    if [ -n "$EXTRA_CA_CERTS" ]; then printf '%s\n' "$EXTRA_CA_CERTS" >/tmp/extra-ca.pem; export NODE_EXTRA_CA_CERTS=/tmp/extra-ca.pem; fi; \
    npm install --ignore-scripts --no-audit --no-fund --loglevel=error; \
    rm -f /tmp/extra-ca.pem; \
    test -x node_modules/.bin/tsc || { echo "npm install left no node_modules/.bin/tsc (see above)" >&2; exit 1; }
COPY shared shared
COPY services services
# Build everything, then keep only what runs: compiled JavaScript, package files, production
# dependencies (no TypeScript sources, no compiler, no test tools).
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund --loglevel=error \
 && rm -rf shared/src services/*/src shared/*.tsbuildinfo services/*/*.tsbuildinfo tsconfig.tsbuildinfo \
 && rm -rf services/dashboard/web \
 && npm cache clean --force

FROM ${NODE_IMAGE}
WORKDIR /app
ENV NODE_ENV=production DROVER_LOG_FORMAT=json DROVER_HOME=/var/lib/drover GLIBC_TUNABLES=glibc.malloc.hugetlb=1 \
    DROVER_DATA_ROOTS=/data DROVER_WORK_DIR=/work DROVER_COMPLETE_DIR=/complete
# The directories the services share through volumes, owned by the user they run as (a new named
# volume takes its owner from the image).
RUN mkdir -p /data /work /complete /flock /var/lib/drover \
 && chown node:node /data /work /complete /flock /var/lib/drover
COPY --from=build --chown=root:root /app /app
USER node
CMD ["node", "services/cli/dist/main.js", "--help"]
