import type { FastifyInstance } from "fastify";
import type { DagSpec } from "../../core/model/dag-spec.js";
import { lineageGraph } from "../../lineage/lineage-graph.js";
import type { RouteDeps } from "../api-deps.js";
import { requireDag } from "../lookups.js";
import { arrayOf, errors, idParam, nullableStr, obj, str, stringEnum } from "../schemas/json-schema.js";

const tags = ["lineage"];

const NODE = {
  ...obj(
    {
      id: { ...str, description: "`dataset:<uri>`, `task:<dagId>.<taskId>` or `dag:<dagId>`." },
      kind: stringEnum(["dataset", "task", "dag"]),
      uri: { ...str, description: "Datasets: the URI as declared (operators' templates unrendered)." },
      namespace: { ...str, description: "Datasets: the OpenLineage namespace (datasource)." },
      name: { ...str, description: "Datasets: the OpenLineage name within the namespace." },
      dagId: str,
      taskId: str,
      operator: { ...nullableStr, description: "Tasks: the built-in operator (sqlQuery, copyObjects…), null for other tasks." },
    },
    ["uri", "namespace", "name", "dagId", "taskId", "operator"],
  ),
  description: "A dataset, a task that reads or writes one, or a DAG scheduled on one.",
};
const EDGE = obj({
  source: str,
  target: str,
  kind: { ...stringEnum(["writes", "reads", "triggers"]), description: "task → dataset: writes; dataset → task: reads; dataset → DAG: triggers." },
});

export async function lineageRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  const { store } = deps;
  app.get<{ Querystring: { dagId?: string } }>(
    "/api/v1/lineage",
    {
      config: { role: "viewer" },
      schema: {
        tags,
        summary: "The lineage graph of the active DAGs: datasets and the tasks and DAGs that write, read or wait for them",
        querystring: obj({ dagId: { ...idParam, description: "Only this DAG's tasks, their datasets and what else touches those." } }, ["dagId"]),
        response: { 200: obj({ nodes: arrayOf(NODE), edges: arrayOf(EDGE) }), ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      const { dagId } = request.query;
      if (dagId !== undefined) await requireDag(store, dagId); // 404 naming the DAG
      const specs: DagSpec[] = [];
      for (const dag of await store.listDags()) {
        if (!dag.active) continue;
        const v = await store.getDagVersion(dag.latestVersion);
        if (v) specs.push(v.spec);
      }
      return lineageGraph(specs, dagId);
    },
  );
}
