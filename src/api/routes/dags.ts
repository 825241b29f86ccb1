import type { FastifyInstance } from "fastify";
import { NotFoundError } from "../../core/errors.js";
import { firstImportErrorByFile } from "../../core/model/first-import-errors.js";
import { deleteDag } from "../../scheduler/requests/delete-dag.js";
import type { RouteDeps } from "../api-deps.js";
import { noteAudit } from "../audit/audit-note.js";
import { requireDag } from "../lookups.js";
import { arrayOf, bool, errors, idParam, int, obj, ref } from "../schemas/json-schema.js";
import { dagDetailView, dagSummaryView, RECENT_RUNS } from "../views/dag-view.js";
import { importErrorView } from "../views/import-error-view.js";

const tags = ["dags"];
const dagParams = obj({ dagId: idParam });

export async function dagRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  const { store } = deps;
  /** A DAG's `importError` (its file's first), looked up once per request. */
  const importErrors = async () => {
    const byFile = firstImportErrorByFile(await store.listImportErrors());
    return (fileloc: string) => ({ importError: importErrorView(byFile.get(fileloc)) });
  };

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
      const errorOf = await importErrors();
      for (const { dag, version } of page) {
        const runs = await store.listRuns({ dagId: dag.dagId, limit: RECENT_RUNS });
        dags.push({ ...dagSummaryView(dag, version, runs, now), ...errorOf(dag.fileloc) });
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
      return { ...dagDetailView(dag, version, runs, deps.now()), ...(await importErrors())(dag.fileloc) };
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
      return { ...dagSummaryView(dag, version, runs, deps.now()), ...(await importErrors())(dag.fileloc) };
    },
  );

  app.delete<{ Params: { dagId: string }; Querystring: { force?: boolean } }>(
    "/api/v1/dags/:dagId",
    {
      config: { role: "op", audit: "dag.delete" },
      schema: {
        tags,
        summary: "Delete a DAG with its runs, task instances, attempts, logs, backfills and versions",
        description:
          "409 while the DAG has a queued or running run or an unfinished backfill, unless `force=true`, which first asks the scheduler to cancel them (and answers 409 if they are not ended within the command wait). " +
          "An inactive DAG (its file gone) can be deleted too. While its file still defines the DAG, it reappears, with no history, at the next DAG sync (as in Airflow). Dataset events and the audit trail are kept.",
        params: dagParams,
        querystring: { type: "object", properties: { force: { ...bool, default: false, description: "Cancel the DAG's active runs and backfills first." } } },
        response: { 200: ref("DagDeleted"), ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const { dagId } = request.params;
      const force = request.query.force === true;
      if (!deps.retention) throw new NotFoundError("deleting DAGs is not available on this server");
      const before = await store.getDag(dagId);
      // A forced delete that is refused may still have cancelled runs: recorded whatever the answer.
      noteAudit(request, {
        target: { type: "dag", id: dagId },
        dagId,
        before: before ? { fileloc: before.fileloc, active: before.active, paused: before.paused, version: before.latestVersion } : null,
        details: { force },
        evenOnError: force && before !== undefined,
      });
      const out = await deleteDag(
        {
          store,
          retention: deps.retention,
          inbox: deps.inbox,
          logsDir: deps.logsDir,
          values: deps.values ?? null,
          now: deps.now,
          ...(deps.wake ? { wake: deps.wake } : {}),
          cancelWaitMs: deps.commandWaitMs,
        },
        dagId,
        { force, requestedBy: request.principal?.username ?? null },
      );
      noteAudit(request, {
        after: null,
        details: {
          runs: out.runs,
          taskInstances: out.taskInstances,
          attempts: out.attempts,
          versions: out.versions,
          cancelledRuns: out.cancelledRuns,
          cancelledBackfills: out.cancelledBackfills,
        },
      });
      return out;
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
        querystring: {
          type: "object",
          properties: { version: { type: "string", minLength: 1, maxLength: 200, description: "A version hash, e.g. a run's dagVersion." } },
        },
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
