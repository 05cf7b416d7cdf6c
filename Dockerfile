# syntax=docker/dockerfile:1
# The headless Metalytics server (`metalytics serve`): the API, the /api/events WebSocket, the
# web UI, /healthz and /metrics on port 8787. Configured by environment (see .env.example):
#   docker build -t metalytics .
#   docker run -p 127.0.0.1:8787:8787 -e METALYTICS_TOKEN="$(openssl rand -hex 32)" -v metalytics-data:/data metalytics
# docker-compose.yml runs it beside TimescaleDB.

# Node 22: electron 45, a dev dependency the build installs, declares node >= 22.12.
ARG NODE_IMAGE=node:22-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
# The desktop app's Electron binary is never run here; skip its download.
ENV ELECTRON_SKIP_BINARY_DOWNLOAD=1
# better-sqlite3 compiles from source where no prebuilt binary fits the platform.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# The CLI and server bundled into out/ beside the renderer, so the image runs no TypeScript.
RUN npm run build \
  && npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    METALYTICS_DATA_DIR=/data \
    PORT=8787 \
    METALYTICS_LOG_FORMAT=json
WORKDIR /app
# The application stays root-owned and read-only to the server; only /data is its own.
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/bin ./bin
COPY --from=build /app/out ./out
COPY --from=build /app/db/migrations ./db/migrations
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8787
# The image has no curl: Node's own fetch asks /healthz, which answers 503 while the database is down.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8787) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Inside a container the server must bind every interface for the published port to reach it;
# --allow-remote makes it demand a METALYTICS_TOKEN of 32+ characters (or print a random one).
ENTRYPOINT ["node", "bin/metalytics.js"]
CMD ["serve", "--host", "0.0.0.0", "--allow-remote"]
