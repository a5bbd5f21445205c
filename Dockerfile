# syntax=docker/dockerfile:1
# postback-relay: compile with dev dependencies, run with production ones (plus better-sqlite3 for the embedded
# default) as a non-root user. Node 22 LTS: Node 20 leaves maintenance in April 2026.

FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Only the TypeScript compiler runs here: no native addon needs building.
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY lib ./lib
COPY plugins ./plugins
COPY docker ./docker
RUN npm run build

FROM node:22-bookworm-slim AS runtime-deps
WORKDIR /app
# better-sqlite3 (an optional peer of the library) compiles its native addon for the embedded SQLite default.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --omit=dev \
 && npm install --no-audit --no-fund --no-save --omit=dev "better-sqlite3@$(node -p "require('./package.json').peerDependencies['better-sqlite3']")"

FROM node:22-bookworm-slim
# No relay setting: the port and the database come from the configuration's defaults (3000, ./data/postback-relay.sqlite
# under WORKDIR, i.e. the /app/data volume), so a config file (POSTBACK_RELAY_CONFIG_FILE) or -e variables set them.
# MALLOC_ARENA_MAX as `npm start` sets it: two malloc arenas instead of one per thread (docs/performance.md, "Memory").
ENV NODE_ENV=production MALLOC_ARENA_MAX=2
WORKDIR /app
COPY --from=runtime-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json knexfile.js ./
# `postback-relay <command>` on the PATH, e.g. `docker compose exec relay postback-relay endpoints list`.
RUN install -d -o node -g node /app/data \
 && chmod +x dist/docker/cli.js \
 && ln -s /app/dist/docker/cli.js /usr/local/bin/postback-relay
USER node
VOLUME ["/app/data"]
EXPOSE 3000
STOPSIGNAL SIGTERM
# Healthy once /readyz answers 200 (database, migrations, dispatcher), asked where the same configuration says it listens.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 CMD ["node", "dist/docker/cli.js", "healthcheck"]
# The heap sized for the job, as `npm start` sizes it (docs/performance.md, "Memory"): 4 MB semi-spaces and an old
# space capped at 256 MB, which also keeps V8 from letting garbage grow to four times the live heap before collecting.
CMD ["node", "--max-semi-space-size=4", "--max-old-space-size=256", "dist/docker/server.js"]
