import type { FastifyInstance } from "fastify";
import { NotFoundError } from "../../core/errors.js";
import { RUN_STATES, RUN_TYPES, type RunState, type RunType } from "../../core/model/states.js";
import type { RouteDeps } from "../api-deps.js";
import { triggeredByOf } from "../audit/audit-actor.js";
import { commandDetails, noteAudit } from "../audit/audit-note.js";
import { submitCommand } from "../commands.js";
import { decodeCursor } from "../cursor.js";
import { parseDateField } from "../date-field.js";
import { ConflictError } from "../errors.js";
import { requireDag, requireRun } from "../lookups.js";
import { pageRuns } from "../run-pages.js";
import { anyObject, arrayOf, bool, commandResponses, errors, idParam, obj, ref, stringEnum } from "../schemas/json-schema.js";
import { runView } from "../views/run-view.js";
import { withDeadlineFlags } from "../views/missed-deadline-view.js";

const tags = ["runs"];
const RUN_ID_PATTERN = "^[A-Za-z0-9_.~:+-]+$";

interface ListQuery {
  dagId?: string;
  state?: RunState[];
  runType?: RunType[];
  limit: number;
  cursor?: string;
}

const listQuery = (withDagId: boolean) => ({
  type: "object",
  properties: {
    ...(withDagId ? { dagId: idParam } : {}),
    state: { type: "array", items: stringEnum(RUN_STATES), description: "Repeat to match several." },
    runType: { type: "array", items: stringEnum(RUN_TYPES), description: "Repeat to match several." },
    limit: { type: "integer", minimum: 1, maximum: 500, default: 50 },
    cursor: { type: "string", maxLength: 100, description: "The previous page's nextCursor." },
  },
});
const listResponse = { 200: obj({ runs: arrayOf(ref("Run")), nextCursor: { type: ["string", "null"] } }), ...errors(400, 401, 403, 404) };
const dagParams = obj({ dagId: idParam });
const runParams = obj({ dagId: idParam, runId: idParam });

export async function runRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  const { store } = deps;

  const list = async (dagId: string | undefined, q: ListQuery) => {
    const page = await pageRuns(
      store,
      { ...(dagId === undefined ? {} : { dagId }), ...(q.state ? { states: q.state } : {}) },
      { limit: q.limit, beforeId: decodeCursor(q.cursor), runTypes: q.runType },
    );
    return { runs: await withDeadlineFlags(deps.deadlines, page.runs, runView), nextCursor: page.nextCursor };
  };

  app.get<{ Querystring: ListQuery }>(
    "/api/v1/runs",
    { config: { role: "viewer" }, schema: { tags, summary: "Runs of all DAGs, newest first", querystring: listQuery(true), response: listResponse } },
    async (request) => list(request.query.dagId, request.query),
  );

  app.get<{ Params: { dagId: string }; Querystring: ListQuery }>(
    "/api/v1/dags/:dagId/runs",
    {
      config: { role: "viewer" },
      schema: { tags, summary: "Runs of one DAG, newest first", params: dagParams, querystring: listQuery(false), response: listResponse },
    },
    async (request) => {
      const { dagId } = request.params;
      if (!(await store.getDag(dagId))) throw new NotFoundError(`unknown DAG "${dagId}"`);
      return list(dagId, request.query);
    },
  );

  app.post<{ Params: { dagId: string }; Body: { conf?: Record<string, unknown>; logicalDate?: string | null; runId?: string } }>(
    "/api/v1/dags/:dagId/runs",
    {
      config: { role: "user", audit: "run.trigger" },
      schema: {
        tags,
        summary: "Trigger a manual run",
        params: dagParams,
        body: obj(
          {
            conf: { ...anyObject, description: "Params for this run, validated against the DAG's params schema." },
            logicalDate: {
              type: ["string", "null"],
              maxLength: 40,
              description:
                "YYYY-MM-DD (midnight in the DAG's time zone) or YYYY-MM-DDTHH:MM[:SS[.fff]] with Z, ±HH:MM or no offset (wall-clock time in the DAG's time zone); default now.",
            },
            runId: { type: "string", minLength: 1, maxLength: 250, pattern: RUN_ID_PATTERN },
          },
          ["conf", "logicalDate", "runId"],
        ),
        response: { 201: ref("Run"), ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const { dagId } = request.params;
      const body = request.body ?? {};
      const { version } = await requireDag(store, dagId);
      const logicalDate = typeof body.logicalDate === "string" ? parseDateField("logicalDate", body.logicalDate, version.spec.timezone) : null;
      if (body.runId !== undefined && (await store.getRun(dagId, body.runId))) {
        throw new ConflictError(`DAG "${dagId}" already has a run with id "${body.runId}"`);
      }
      const triggeredBy = triggeredByOf(request.principal);
      const run = await deps.triggerRun(dagId, { conf: body.conf ?? {}, logicalDate, runId: body.runId ?? null, triggeredBy }, deps.now());
      const view = runView(run);
      noteAudit(request, { target: { type: "run", id: run.runId }, dagId, after: { state: run.state, logicalDate: view.logicalDate, conf: run.conf } });
      return reply.status(201).send(view);
    },
  );

  app.get<{ Params: { dagId: string; runId: string } }>(
    "/api/v1/dags/:dagId/runs/:runId",
    { config: { role: "viewer" }, schema: { tags, summary: "One run", params: runParams, response: { 200: ref("Run"), ...errors(400, 401, 403, 404) } } },
    async (request) => (await withDeadlineFlags(deps.deadlines, [await requireRun(store, request.params.dagId, request.params.runId)], runView))[0],
  );

  app.patch<{ Params: { dagId: string; runId: string }; Body: { state: "success" | "failed" } }>(
    "/api/v1/dags/:dagId/runs/:runId",
    {
      config: { role: "user", audit: "run.mark" },
      schema: {
        tags,
        summary: "Mark a run success or failed",
        params: runParams,
        body: obj({ state: stringEnum(["success", "failed"]) }),
        response: { ...commandResponses, ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { dagId, runId } = request.params;
      const run = await requireRun(store, dagId, runId);
      const out = await submitCommand(deps, "mark_run", { dagId, runId, state: request.body.state }, request.principal?.username ?? null);
      noteAudit(request, {
        target: { type: "run", id: runId },
        dagId,
        before: { state: run.state },
        after: { state: request.body.state },
        details: commandDetails(out),
      });
      return reply.status(out.status).send(out.body);
    },
  );

  app.post<{ Params: { dagId: string; runId: string }; Body: { onlyFailed?: boolean } | undefined }>(
    "/api/v1/dags/:dagId/runs/:runId/clear",
    {
      config: { role: "user", audit: "run.clear" },
      schema: {
        tags,
        summary: "Clear a run's task instances so they run again",
        params: runParams,
        body: obj({ onlyFailed: { ...bool, default: false } }, ["onlyFailed"]),
        response: { ...commandResponses, ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { dagId, runId } = request.params;
      const run = await requireRun(store, dagId, runId);
      const onlyFailed = request.body?.onlyFailed ?? false;
      const out = await submitCommand(deps, "clear_run", { dagId, runId, onlyFailed }, request.principal?.username ?? null);
      noteAudit(request, { target: { type: "run", id: runId }, dagId, before: { state: run.state }, details: { onlyFailed, ...commandDetails(out) } });
      return reply.status(out.status).send(out.body);
    },
  );

  app.post<{ Params: { dagId: string; runId: string } }>(
    "/api/v1/dags/:dagId/runs/:runId/cancel",
    {
      config: { role: "user", audit: "run.cancel" },
      schema: {
        tags,
        summary: "Cancel a queued or running run",
        params: runParams,
        response: { ...commandResponses, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const { dagId, runId } = request.params;
      const run = await requireRun(store, dagId, runId);
      if (run.state !== "queued" && run.state !== "running") throw new ConflictError(`run "${runId}" of DAG "${dagId}" already ended (${run.state})`);
      const out = await submitCommand(deps, "cancel_run", { dagId, runId }, request.principal?.username ?? null);
      noteAudit(request, { target: { type: "run", id: runId }, dagId, before: { state: run.state }, details: commandDetails(out) });
      return reply.status(out.status).send(out.body);
    },
  );
}
