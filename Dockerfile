# One image for every drover service; docker-compose.yml picks the service with `command`.
FROM node:20-bookworm-slim AS build
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
RUN npm install --no-audit --no-fund
COPY shared shared
COPY services services
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production DROVER_LOG_FORMAT=json
COPY --from=build /app /app
USER node
CMD ["node", "services/cli/dist/main.js", "--help"]
