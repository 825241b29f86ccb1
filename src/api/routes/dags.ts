import type { FastifyInstance } from "fastify";
import { NotFoundError } from "../../core/errors.js";
import type { RouteDeps } from "../api-deps.js";
import { noteAudit } from "../audit/audit-note.js";
import { requireDag } from "../lookups.js";
import { arrayOf, bool, errors, idParam, int, obj, ref } from "../schemas/json-schema.js";
import { dagDetailView, dagSummaryView, RECENT_RUNS } from "../views/dag-view.js";

const tags = ["dags"];
const dagParams = obj({ dagId: idParam });

export async function dagRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  const { store } = deps;

  app.get<{ Querystring: { search?: string; tag?: string; paused?: boolean; limit: number; offset: number } }>(
    "/api/v1/dags",
    {
      config: { role: "viewer" },
      schema: {
        tags,
        summary: "List active DAGs",
        querystring: {
          type: "object",
          properties: {
            search: { type: "string", maxLength: 200, description: "Case-insensitive substring of the DAG id, description or owner." },
            tag: { type: "string", maxLength: 200 },
            paused: bool,
            limit: { type: "integer", minimum: 1, maximum: 1000, default: 100 },
            offset: { type: "integer", minimum: 0, maximum: 1_000_000, default: 0 },
          },
        },
        response: { 200: obj({ dags: arrayOf(ref("DagSummary")), total: int }), ...errors(400, 401, 403) },
      },
    },
    async (request) => {
      const q = request.query;
      const now = deps.now();
      const needle = q.search?.toLowerCase();
      const matches = [];
      for (const dag of await store.listDags()) {
        if (!dag.active || (q.paused !== undefined && dag.paused !== q.paused)) continue;
        const version = await store.getDagVersion(dag.latestVersion);
        if (!version) continue;
        const s = version.spec;
        if (q.tag !== undefined && !s.tags.includes(q.tag)) continue;
        if (needle !== undefined && ![dag.dagId, s.description ?? "", s.owner ?? ""].some((t) => t.toLowerCase().includes(needle))) continue;
        matches.push({ dag, version });
      }
      matches.sort((a, b) => (a.dag.dagId < b.dag.dagId ? -1 : a.dag.dagId > b.dag.dagId ? 1 : 0));
      const page = matches.slice(q.offset, q.offset + q.limit);
      const dags = [];
      for (const { dag, version } of page) {
        const runs = await store.listRuns({ dagId: dag.dagId, limit: RECENT_RUNS });
        dags.push(dagSummaryView(dag, version, runs, now));
      }
      return { dags, total: matches.length };
    },
  );

  app.get<{ Params: { dagId: string } }>(
    "/api/v1/dags/:dagId",
    {
      config: { role: "viewer" },
      schema: { tags, summary: "A DAG with its params and tasks", params: dagParams, response: { 200: ref("DagDetail"), ...errors(400, 401, 403, 404) } },
    },
    async (request) => {
      const { dag, version } = await requireDag(store, request.params.dagId);
      const runs = await store.listRuns({ dagId: dag.dagId, limit: RECENT_RUNS });
      return dagDetailView(dag, version, runs, deps.now());
    },
  );

  app.patch<{ Params: { dagId: string }; Body: { paused: boolean } }>(
    "/api/v1/dags/:dagId",
    {
      config: { role: "user", audit: "dag.pause" },
      schema: {
        tags,
        summary: "Pause or unpause a DAG",
        params: dagParams,
        body: obj({ paused: bool }),
        response: { 200: ref("DagSummary"), ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { dagId } = request.params;
      const before = await requireDag(store, dagId);
      await store.setDagPaused(dagId, request.body.paused);
      noteAudit(request, {
        action: request.body.paused ? "dag.pause" : "dag.unpause",
        target: { type: "dag", id: dagId },
        dagId,
        before: { paused: before.dag.paused },
        after: { paused: request.body.paused },
      });
      const { dag, version } = await requireDag(store, dagId);
      const runs = await store.listRuns({ dagId, limit: RECENT_RUNS });
      return dagSummaryView(dag, version, runs, deps.now());
    },
  );

  app.get<{ Params: { dagId: string }; Querystring: { version?: string } }>(
    "/api/v1/dags/:dagId/source",
    {
      config: { role: "viewer" },
      schema: {
        tags,
        summary: "The source of a DAG version (default: the latest)",
        params: dagParams,
        querystring: { type: "object", properties: { version: { type: "string", minLength: 1, maxLength: 200, description: "A version hash, e.g. a run's dagVersion." } } },
        response: { 200: ref("DagSource"), ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { dagId } = request.params;
      const wanted = request.query.version;
      const version = wanted === undefined ? (await requireDag(store, dagId)).version : await store.getDagVersion(wanted);
      if (!version || version.dagId !== dagId) throw new NotFoundError(`DAG "${dagId}" has no version "${wanted ?? ""}"`);
      return { dagId, version: version.versionHash, fileloc: version.spec.fileloc, source: version.source };
    },
  );
}
