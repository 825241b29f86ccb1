import type { FastifyInstance } from "fastify";
import { explainDag } from "../../core/explain/explain-dag.js";
import { explainRun } from "../../core/explain/explain-run.js";
import { explainTask } from "../../core/explain/explain-task.js";
import type { RouteDeps } from "../api-deps.js";
import { gatherDagFacts, gatherRunFacts, type ExplainSources } from "../explain/explain-facts.js";
import { requireTaskInstance } from "../lookups.js";
import { errors, idParam, obj, ref } from "../schemas/json-schema.js";

const tags = ["explain"];
const mapIndexQuery = {
  type: "integer",
  minimum: -1,
  maximum: 1_000_000,
  default: -1,
  description: "A copy of a mapped task (0…N-1); -1 (default) is the task itself.",
} as const;
const response = { 200: ref("Explanation"), ...errors(400, 401, 403, 404) };

/** "Why isn't it running?" for a DAG, a run and a task instance (docs/explain.md). Read-only. */
export async function explainRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  const sources = (): ExplainSources => ({ store: deps.store, leases: deps.leases, workers: deps.workers, now: deps.now() });

  app.get<{ Params: { dagId: string } }>(
    "/api/v1/dags/:dagId/explain",
    {
      config: { role: "viewer" },
      schema: {
        tags,
        summary: "Why the DAG has no run going or coming: paused, schedule, max active runs, scheduler",
        params: obj({ dagId: idParam }),
        response,
      },
    },
    async (request) => explainDag(await gatherDagFacts(sources(), request.params.dagId)),
  );

  app.get<{ Params: { dagId: string; runId: string } }>(
    "/api/v1/dags/:dagId/runs/:runId/explain",
    {
      config: { role: "viewer" },
      schema: { tags, summary: "Why the run is not running, or which of its tasks wait and why", params: obj({ dagId: idParam, runId: idParam }), response },
    },
    async (request) => explainRun(await gatherRunFacts(sources(), request.params.dagId, request.params.runId)),
  );

  app.get<{ Params: { dagId: string; runId: string; taskId: string }; Querystring: { mapIndex: number } }>(
    "/api/v1/dags/:dagId/runs/:runId/tasks/:taskId/explain",
    {
      config: { role: "viewer" },
      schema: {
        tags,
        summary: "Why the task instance is not running: upstreams, pool, limits, retry, sensor, scheduler",
        params: obj({ dagId: idParam, runId: idParam, taskId: idParam }),
        querystring: obj({ mapIndex: mapIndexQuery }, ["mapIndex"]),
        response,
      },
    },
    async (request) => {
      const { dagId, runId, taskId } = request.params;
      const facts = await gatherRunFacts(sources(), dagId, runId);
      const ti = await requireTaskInstance(deps.store, facts.run, taskId, request.query.mapIndex);
      return explainTask(facts, ti.taskId, ti.mapIndex);
    },
  );
}
