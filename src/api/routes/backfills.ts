import type { FastifyInstance } from "fastify";
import { InvalidInputError, NotFoundError } from "../../core/errors.js";
import type { ReprocessBehavior } from "../../core/model/records.js";
import { MAX_BACKFILL_RUNS } from "../../core/timetable/timetable.js";
import type { RouteDeps } from "../api-deps.js";
import { commandDetails, noteAudit } from "../audit/audit-note.js";
import { submitCommand } from "../commands.js";
import { parseDateField } from "../date-field.js";
import { ConflictError } from "../errors.js";
import { requireDag } from "../lookups.js";
import { anyObject, arrayOf, commandResponses, errors, idParam, obj, ref, stringEnum } from "../schemas/json-schema.js";
import { backfillWithProgress, listBackfillsWithProgress } from "../views/backfill-progress.js";
import { backfillView } from "../views/backfill-view.js";
import { dryRunRoute } from "./backfill-dry-run.js";

const tags = ["backfills"];
const idParams = obj({ id: { type: "integer", minimum: 1, maximum: Number.MAX_SAFE_INTEGER } });
const dateText = {
  type: "string",
  minLength: 1,
  maxLength: 40,
  description:
    "YYYY-MM-DD (midnight in the DAG's time zone) or YYYY-MM-DDTHH:MM[:SS[.fff]] with Z, ±HH:MM or no offset (wall-clock time in the DAG's time zone).",
};

interface CreateBody {
  dagId: string;
  from: string;
  to: string;
  reprocess?: ReprocessBehavior;
  maxActiveRuns?: number | null;
  conf?: Record<string, unknown>;
  force?: boolean;
}

export async function backfillRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  const { store } = deps;
  dryRunRoute(app, deps, dateText);

  app.get<{ Querystring: { dagId?: string } }>(
    "/api/v1/backfills",
    {
      config: { role: "viewer" },
      schema: {
        tags,
        summary: "Backfills, newest first",
        querystring: { type: "object", properties: { dagId: idParam } },
        response: { 200: obj({ backfills: arrayOf(ref("Backfill")) }), ...errors(400, 401, 403) },
      },
    },
    async (request) => {
      const { dagId } = request.query;
      return { backfills: await listBackfillsWithProgress(store, dagId === undefined ? {} : { dagId }) };
    },
  );

  app.post<{ Body: CreateBody }>(
    "/api/v1/backfills",
    {
      config: { role: "op", audit: "backfill.create" },
      schema: {
        tags,
        summary: "Backfill a DAG's scheduled intervals in [from, to]",
        body: obj(
          {
            dagId: idParam,
            from: dateText,
            to: dateText,
            reprocess: { ...stringEnum(["none", "failed", "completed"]), default: "none" },
            maxActiveRuns: { type: ["integer", "null"], minimum: 1, maximum: 10_000, description: "Default: the DAG's maxActiveRuns." },
            conf: anyObject,
            force: {
              type: "boolean",
              default: false,
              description: `Accept a range of more than ${MAX_BACKFILL_RUNS} runs (refused otherwise, 400 saying how many).`,
            },
          },
          ["reprocess", "maxActiveRuns", "conf", "force"],
        ),
        response: { 201: ref("Backfill"), ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const { version } = await requireDag(store, b.dagId);
      const tz = version.spec.timezone;
      const from = parseDateField("from", b.from, tz);
      const to = parseDateField("to", b.to, tz);
      if (to < from) throw new InvalidInputError(`to: ${b.to} is before from (${b.from})`);
      const created = await deps.createBackfill(
        { dagId: b.dagId, from, to, reprocess: b.reprocess ?? "none", maxActiveRuns: b.maxActiveRuns ?? null, conf: b.conf ?? {}, force: b.force ?? false },
        deps.now(),
      );
      const view = backfillView(created);
      noteAudit(request, {
        target: { type: "backfill", id: String(created.id) },
        dagId: b.dagId,
        after: {
          from: view.from,
          to: view.to,
          reprocess: created.reprocess,
          maxActiveRuns: created.maxActiveRuns,
          conf: created.conf,
          force: b.force ?? false,
        },
      });
      return reply.status(201).send(await backfillWithProgress(store, created));
    },
  );

  app.get<{ Params: { id: number } }>(
    "/api/v1/backfills/:id",
    {
      config: { role: "viewer" },
      schema: { tags, summary: "One backfill", params: idParams, response: { 200: ref("Backfill"), ...errors(400, 401, 403, 404) } },
    },
    async (request) => {
      const b = await store.getBackfill(request.params.id);
      if (!b) throw new NotFoundError(`no backfill ${request.params.id}`);
      return backfillWithProgress(store, b);
    },
  );

  app.post<{ Params: { id: number } }>(
    "/api/v1/backfills/:id/cancel",
    {
      config: { role: "op", audit: "backfill.cancel" },
      schema: {
        tags,
        summary: "Cancel a backfill: no more runs; its queued runs fail",
        params: idParams,
        response: { ...commandResponses, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const b = await store.getBackfill(request.params.id);
      if (!b) throw new NotFoundError(`no backfill ${request.params.id}`);
      if (b.state === "done" || b.state === "cancelled") throw new ConflictError(`backfill ${b.id} already ended (${b.state})`);
      const out = await submitCommand(deps, "cancel_backfill", { backfillId: b.id }, request.principal?.username ?? null);
      noteAudit(request, { target: { type: "backfill", id: String(b.id) }, dagId: b.dagId, before: { state: b.state }, details: commandDetails(out) });
      return reply.status(out.status).send(out.body);
    },
  );

  for (const paused of [true, false]) {
    const verb = paused ? "pause" : "unpause";
    app.post<{ Params: { id: number } }>(
      `/api/v1/backfills/:id/${verb}`,
      {
        config: { role: "op", audit: `backfill.${verb}` },
        schema: {
          tags,
          summary: paused
            ? "Pause a backfill: the scheduler starts none of its queued runs (they stay queued); running ones finish. Pausing a paused backfill changes nothing."
            : "Unpause a backfill: the scheduler starts its queued runs again, within its maxActiveRuns",
          params: idParams,
          response: { 200: ref("Backfill"), ...errors(400, 401, 403, 404, 409) },
        },
      },
      async (request) => {
        const b = await store.getBackfill(request.params.id);
        if (!b) throw new NotFoundError(`no backfill ${request.params.id}`);
        const ended = (state: string) => new ConflictError(`backfill ${b.id} already ended (${state}): only a queued or running backfill can be ${verb}d`);
        if (b.state === "done" || b.state === "cancelled") throw ended(b.state);
        const after = await store.setBackfillPaused(b.id, paused);
        if (!after) throw new NotFoundError(`no backfill ${b.id}`);
        // The scheduler may have ended it between the read and the write; the write then changed nothing.
        if (after.paused !== paused) throw ended(after.state);
        noteAudit(request, { target: { type: "backfill", id: String(b.id) }, dagId: b.dagId, before: { paused: b.paused }, after: { paused } });
        if (!paused) deps.wake?.();
        return backfillWithProgress(store, after);
      },
    );
  }
}
