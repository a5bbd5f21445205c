# syntax=docker/dockerfile:1
# postback-relay: build with dev dependencies, run with production ones only, as a non-root user.

FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 compiles its native addon during npm ci.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY lib ./lib
COPY plugins ./plugins
COPY docker ./docker
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    PORT=3000 \
    DATABASE_URL=/data/postback-relay.sqlite
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json knexfile.js ./
# `postback-relay <command>` on the PATH, e.g. `docker compose exec relay postback-relay endpoints list`.
RUN install -d -o node -g node /data \
 && chmod +x dist/docker/cli.js \
 && ln -s /app/dist/docker/cli.js /usr/local/bin/postback-relay
USER node
VOLUME ["/data"]
EXPOSE 3000
STOPSIGNAL SIGTERM
# Healthy once the database answers, migrations are current and the dispatcher runs (GET /readyz).
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 CMD ["node", "dist/docker/healthcheck.js"]
CMD ["node", "dist/docker/server.js"]
