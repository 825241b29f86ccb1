# syntax=docker/dockerfile:1
# Baton: one image for every process (standalone, scheduler, api, worker), see docs/deploy.md.
#   docker build -t baton .
#   docker run --init -p 8080:8080 -v baton-home:/var/lib/baton -v "$PWD/dags:/dags:ro" baton
# The image is not built by the project's tests (no Docker daemon on its machines):
# test/deploy-files.test.ts checks this file's commands, flags and layout against the real CLI.

ARG NODE_IMAGE=node:22-bookworm-slim

# ---- build: the server (tsc -> dist/src) and the UI (vite -> dist/ui) ----------------------------
FROM ${NODE_IMAGE} AS build
# better-sqlite3 compiles from source when no prebuilt binary fits the platform.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json ./
# The package's postinstall (removes better-sqlite3's compile intermediates).
COPY scripts/tidy-native-build.mjs ./scripts/tidy-native-build.mjs
# `prepare` builds; the sources are not here yet, so it runs below as its own step.
RUN --mount=type=cache,target=/root/.npm \
    npm pkg delete scripts.prepare && npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/bundle.mjs ./scripts/bundle.mjs
COPY src ./src
COPY ui ./ui
RUN npm run build

# ---- prod-deps: production dependencies only, native addons compiled for the runtime's Node ------
# The npm package keeps integrations (S3, Kafka, DuckDB, ...) and the OpenTelemetry SDK as optional
# peer dependencies; the image is batteries-included, so it installs every one of them too.
FROM ${NODE_IMAGE} AS prod-deps
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts/tidy-native-build.mjs ./scripts/tidy-native-build.mjs
RUN --mount=type=cache,target=/root/.npm \
    npm pkg delete scripts.prepare && npm ci --omit=dev --no-audit --no-fund \
 && npm install --no-save --no-audit --no-fund $(node -p 'Object.entries(require("./package.json").peerDependencies).map(([n, v]) => n + "@" + v).join(" ")')

# ---- runtime ----------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
# BATON_HOME: database (SQLite), attempt logs, DAG bundles, the generated secret key when
# BATON_SECRET_KEY is unset. /node_modules links to Baton's own, so DAG files mounted at /dags can
# import the packages Baton ships (pg, @duckdb/node-api, ...): a DAG's imports resolve upwards from
# its folder, as in Node. Your own packages: a node_modules in the DAGs folder, or an image FROM this one.
RUN groupadd --system --gid 10001 baton \
 && useradd --system --uid 10001 --gid baton --home-dir /var/lib/baton --no-create-home --shell /usr/sbin/nologin baton \
 && mkdir -p /var/lib/baton/logs /dags \
 && chown -R baton:baton /var/lib/baton \
 && ln -s /app/node_modules /node_modules
WORKDIR /app
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /src/dist/src ./dist/src
COPY --from=build /src/dist/ui ./dist/ui
COPY package.json ./
# GET /api/openapi.json serves the generated document the package ships (src/api/openapi.ts).
COPY docs/openapi.json ./docs/openapi.json
COPY bin ./bin
COPY deploy/docker/healthcheck.mjs ./deploy/docker/healthcheck.mjs
ENV BATON_HOME=/var/lib/baton \
    BATON_DAGS=/dags
USER baton
EXPOSE 8080
# standalone and api: GET /api/v1/health; a scheduler: its --metrics-port's /metrics when it has one;
# a worker: the process is there (deploy/docker/healthcheck.mjs).
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "deploy/docker/healthcheck.mjs"]
ENTRYPOINT ["node", "bin/baton.js"]
CMD ["standalone", "--host", "0.0.0.0", "--auth", "required"]
