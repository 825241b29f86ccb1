import type { FastifyInstance } from "fastify";
import { NotFoundError } from "../../core/errors.js";
import type { RouteDeps } from "../api-deps.js";
import { errors } from "../schemas/json-schema.js";

/**
 * `GET /metrics`: the process's Prometheus metrics in the text format (docs/metrics.md). Role
 * `viewer`, like reading the API: open in local mode from this machine, a bearer token (or a
 * session) otherwise. A process built without metrics answers 404 (JSON), never the UI's page.
 */
export async function metricsRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  app.get(
    "/metrics",
    {
      config: { role: "viewer" },
      schema: {
        tags: ["health"],
        summary: "Prometheus metrics (text exposition format), every series named baton_*",
        response: {
          200: { description: "The metrics", content: { "text/plain": { schema: { type: "string" } } } },
          ...errors(401, 403, 404),
        },
      },
    },
    async (_request, reply) => {
      if (!deps.metrics) throw new NotFoundError("this process serves no metrics");
      const text = await deps.metrics.render();
      return reply.header("cache-control", "no-store").type(deps.metrics.contentType).send(text);
    },
  );
}
