import type { FastifyInstance } from "fastify";
import { NotFoundError } from "../../core/errors.js";
import { RUN_STATES, RUN_TYPES } from "../../core/model/states.js";
import type { SearchResults } from "../../core/ports/search-catalog.js";
import type { RouteDeps } from "../api-deps.js";
import { arrayOf, bool, errors, int, nullableStr, obj, str, stringEnum, time } from "../schemas/json-schema.js";
import { iso } from "../views/iso.js";

const tags = ["search"];

const SearchResponse = obj({
  query: { ...str, description: "The query as searched (trimmed)." },
  dags: arrayOf(
    obj({
      dagId: str,
      description: nullableStr,
      owner: nullableStr,
      tags: arrayOf(str),
      paused: bool,
      matched: { ...stringEnum(["id", "tag", "owner", "description"]), description: "The best-matching field." },
      latestRun: { oneOf: [{ type: "null" }, obj({ runId: str, state: stringEnum(RUN_STATES) })], description: "The DAG's newest run; null before the first." },
    }),
  ),
  runs: arrayOf(obj({ dagId: str, runId: str, state: stringEnum(RUN_STATES), runType: stringEnum(RUN_TYPES), logicalDate: time, createdAt: time })),
  tasks: arrayOf(
    obj({
      dagId: str,
      taskId: str,
      kind: str,
      latestRunId: {
        ...nullableStr,
        description: "The DAG's newest run, to open the task in (UI: /dags/{dagId}/grid?run=…&task=…); null before the first run.",
      },
    }),
  ),
  datasets: arrayOf(obj({ uri: str, eventCount: { ...int, description: "Recorded events; 0 for a URI only named by a task's outlets or inlets." } })),
});

export function searchView(query: string, r: SearchResults) {
  return {
    query,
    dags: r.dags,
    runs: r.runs.map((x) => ({ ...x, logicalDate: iso(x.logicalDate), createdAt: iso(x.createdAt) })),
    tasks: r.tasks,
    datasets: r.datasets,
  };
}

/** Global search over DAGs, runs, tasks and datasets: what the UI's ⌘K palette asks (docs/ui.md#search-and-navigation). */
export async function searchRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  app.get<{ Querystring: { q: string; limit: number } }>(
    "/api/v1/search",
    {
      config: { role: "viewer" },
      schema: {
        tags,
        summary: "Search DAGs, runs, tasks and datasets",
        description:
          "Case-insensitive; exact matches first, then prefixes, then substrings. DAGs match on id, tags, owner and description; " +
          "runs on run id (active DAGs only, the newest 100,000 runs); tasks on task id (active DAGs' latest versions); datasets on URI (tasks' outlets and inlets, and URIs with events).",
        querystring: {
          type: "object",
          required: ["q"],
          properties: {
            q: { type: "string", maxLength: 200, description: "What to look for; blank finds nothing." },
            limit: { type: "integer", minimum: 1, maximum: 50, default: 8, description: "At most this many hits per kind." },
          },
        },
        response: { 200: SearchResponse, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      if (deps.search === undefined) throw new NotFoundError("search is not available on this server");
      const text = request.query.q.trim();
      return searchView(text, await deps.search.search({ text, limit: request.query.limit }));
    },
  );
}
