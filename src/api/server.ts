import Fastify, { type FastifyInstance, type FastifyServerOptions } from "fastify";
import type { ApiDeps, RouteDeps } from "./api-deps.js";
import { AUTH_LOG_REDACT, registerAuth } from "./auth/index.js";
import { registerAuditHooks } from "./audit/audit-hooks.js";
import { auditRoutes } from "./audit/audit-routes.js";
import { startAuditRetention } from "./audit/start-audit-retention.js";
import { COMMAND_WAIT_MS } from "./commands.js";
import { registerResponseCompression } from "./compress-responses.js";
import { installErrorHandler, sendError, sendNotFound } from "./errors.js";
import { rejectNonFiniteNumbers } from "./finite-numbers.js";
import { installJsonBodyParsers } from "./json-body.js";
import { registerOpenApiRoute } from "./openapi.js";
import { backfillRoutes } from "./routes/backfills.js";
import { connectionRoutes } from "./routes/connections.js";
import { dagRoutes } from "./routes/dags.js";
import { datasetRoutes } from "./routes/datasets.js";
import { anomalyRoutes } from "./routes/anomalies.js";
import { searchRoutes } from "./routes/search.js";
import { deadlineRoutes } from "./routes/deadlines.js";
import { notificationRoutes } from "./routes/notifications.js";
import { callbackRoutes } from "./routes/callbacks.js";
import { eventRoutes } from "./routes/events.js";
import { explainRoutes } from "./routes/explain.js";
import { lineageRoutes } from "./routes/lineage.js";
import { gridRoutes } from "./routes/grid.js";
import { healthRoutes } from "./routes/health.js";
import { importErrorRoutes } from "./routes/import-errors.js";
import { metricsRoutes } from "./routes/metrics.js";
import { poolRoutes } from "./routes/pools.js";
import { runRoutes } from "./routes/runs.js";
import { taskInstanceRoutes } from "./routes/task-instances.js";
import { variableRoutes } from "./routes/variables.js";
import { webhookRoutes } from "./routes/webhooks.js";
import { workerTokenRoutes } from "./routes/worker-tokens.js";
import { workerRoutes } from "./routes/workers.js";
import { overviewRoutes } from "./routes/overview.js";
import { trendsRoutes } from "./routes/trends.js";
import { registerSchemas } from "./schemas/register-schemas.js";
import { serializeRequest } from "./request-log.js";
import { lazyCompilers, rememberCompilers } from "./lazy-compilers.js";
import { registerSecurityHeaders } from "./security-headers.js";
import { registerUiAssets } from "./ui-assets.js";

export type { ApiDeps, BackfillRequest, TriggerRequest } from "./api-deps.js";

/**
 * The HTTP API (docs/api.md) over the given collaborators; not yet listening.
 *
 * @example
 * const app = await buildApiServer({ store, inbox: store, auth: store, changes, mode: "local", logsDir, triggerRun, createBackfill });
 * await app.listen({ host: "127.0.0.1", port: 8080 });
 *
 * `describeRoutes` registers, before any route, a plugin that sees each route as it is added: the
 * OpenAPI generator's @fastify/swagger (src/api/openapi-document.ts). The running server has none.
 */
export async function buildApiServer(deps: ApiDeps, build: { describeRoutes?: (app: FastifyInstance) => Promise<void> } = {}): Promise<FastifyInstance> {
  const routeDeps: RouteDeps = { ...deps, now: deps.now ?? Date.now, commandWaitMs: deps.commandWaitMs ?? COMMAND_WAIT_MS };
  // Validators and response serializers are compiled on each route's first request, not here (issue 13: start fast).
  const compilers = lazyCompilers();
  const app = Fastify({
    logger: loggerOptions(deps.logger),
    schemaController: compilers.schemaController,
    // Strict bodies: unknown fields are an error naming them, not silently dropped.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: "array", useDefaults: true } },
    frameworkErrors: (error, request, reply) => void sendError(error, request, reply),
    // Only then do X-Forwarded-For/-Proto set request.ip/protocol (login throttling, Secure cookies).
    trustProxy: deps.trustProxy ?? false,
  });
  rememberCompilers(app, compilers);
  installErrorHandler(app);
  await registerSecurityHeaders(app);
  registerResponseCompression(app);
  installJsonBodyParsers(app);
  // A POST without a body is an empty object, so optional-body routes accept it.
  app.addHook("preValidation", async (request) => {
    if (request.body === undefined && request.routeOptions.schema?.body !== undefined) request.body = {};
  });
  app.addHook("preHandler", rejectNonFiniteNumbers);
  registerSchemas(app);
  await build.describeRoutes?.(app);
  // Before any route: every state-changing route is audited (docs/audit.md).
  registerAuditHooks(app, deps.audit, routeDeps.now);
  await registerAuth(app, { auth: deps.auth, mode: deps.mode, now: routeDeps.now, secureCookies: deps.cookieSecure ?? "auto" });
  // Remote workers: their own token auth (the bundle route is public to the user auth; the upgrade bypasses the hooks).
  deps.workerHub?.attach(app);
  for (const routes of [
    healthRoutes,
    dagRoutes,
    importErrorRoutes,
    runRoutes,
    gridRoutes,
    taskInstanceRoutes,
    backfillRoutes,
    poolRoutes,
    eventRoutes,
    datasetRoutes,
    webhookRoutes,
    connectionRoutes,
    variableRoutes,
    metricsRoutes,
  ]) {
    await routes(app, routeDeps);
  }
  await auditRoutes(app, routeDeps);
  startAuditRetention(app, routeDeps);
  await explainRoutes(app, routeDeps);
  await lineageRoutes(app, routeDeps);
  await deadlineRoutes(app, routeDeps);
  await notificationRoutes(app, routeDeps);
  await callbackRoutes(app, routeDeps);
  await anomalyRoutes(app, routeDeps);
  await searchRoutes(app, routeDeps);
  await workerRoutes(app, routeDeps);
  await overviewRoutes(app, routeDeps);
  await trendsRoutes(app, routeDeps);
  await workerTokenRoutes(app, routeDeps);
  registerOpenApiRoute(app);
  const spaFallback = await registerUiAssets(app, deps.uiDir);
  app.setNotFoundHandler((request, reply) => spaFallback?.(request, reply) ?? sendNotFound(request, reply));
  await app.ready();
  return app;
}

function loggerOptions(logger: ApiDeps["logger"]): FastifyServerOptions["logger"] {
  if (logger === undefined || logger === false) return false;
  const base = logger === true ? {} : logger;
  return { redact: [...AUTH_LOG_REDACT], serializers: { req: serializeRequest }, ...base };
}
