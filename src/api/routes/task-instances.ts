import type { FastifyInstance } from "fastify";
import { NotFoundError } from "../../core/errors.js";
import type { RouteDeps } from "../api-deps.js";
import { commandDetails, noteAudit } from "../audit/audit-note.js";
import { submitCommand } from "../commands.js";
import { attemptLogFile, followLog, readLog } from "../log-files.js";
import { requireRun, requireTaskInstance } from "../lookups.js";
import { arrayOf, bool, commandResponses, errors, idParam, obj, ref, stringEnum } from "../schemas/json-schema.js";
import { attemptView, taskInstanceView } from "../views/task-instance-view.js";
import { renderedCommandOf, storedReturnValue } from "../views/task-detail.js";

const tags = ["task instances"];
const runParams = obj({ dagId: idParam, runId: idParam });
const taskParams = obj({ dagId: idParam, runId: idParam, taskId: idParam });
type TaskParams = { dagId: string; runId: string; taskId: string };
const mapIndexQuery = {
  type: "integer",
  minimum: -1,
  maximum: 1_000_000,
  default: -1,
  description: "A copy of a mapped task (0…N-1); -1 (default) is the task itself.",
} as const;

export async function taskInstanceRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  const { store } = deps;

  app.get<{ Params: { dagId: string; runId: string } }>(
    "/api/v1/dags/:dagId/runs/:runId/tasks",
    {
      config: { role: "viewer" },
      schema: {
        tags,
        summary: "A run's task instances",
        params: runParams,
        response: { 200: obj({ taskInstances: arrayOf(ref("TaskInstance")) }), ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const run = await requireRun(store, request.params.dagId, request.params.runId);
      const [tis, version] = await Promise.all([store.listTaskInstances(run.id), store.getDagVersion(run.dagVersion)]);
      const order = new Map(version?.spec.tasks.map((t, i) => [t.taskId, { i, kind: t.kind }]) ?? []);
      const sorted = [...tis].sort((a, b) => (order.get(a.taskId)?.i ?? Infinity) - (order.get(b.taskId)?.i ?? Infinity) || a.mapIndex - b.mapIndex);
      return { taskInstances: sorted.map((ti) => taskInstanceView(ti, order.get(ti.taskId)?.kind ?? null)) };
    },
  );

  app.get<{ Params: TaskParams; Querystring: { mapIndex: number } }>(
    "/api/v1/dags/:dagId/runs/:runId/tasks/:taskId",
    {
      config: { role: "viewer" },
      schema: {
        tags,
        summary: "A task instance with its attempts and return value",
        params: taskParams,
        querystring: obj({ mapIndex: mapIndexQuery }, ["mapIndex"]),
        response: { 200: ref("TaskInstanceDetail"), ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { dagId, runId, taskId } = request.params;
      const run = await requireRun(store, dagId, runId);
      const ti = await requireTaskInstance(store, run, taskId, request.query.mapIndex);
      const [attempts, version, tis] = await Promise.all([
        store.listAttempts(run.id, taskId),
        store.getDagVersion(run.dagVersion),
        store.listTaskInstances(run.id),
      ]);
      const kind = version?.spec.tasks.find((t) => t.taskId === taskId)?.kind ?? null;
      const copies = ti.mapIndex >= 0 ? [] : tis.filter((t) => t.taskId === taskId && t.mapIndex >= 0 && t.state !== "removed");
      const value = await storedReturnValue(ti, deps.values);
      return {
        ...taskInstanceView(ti, kind),
        attempts: attempts
          .filter((a) => a.mapIndex === ti.mapIndex)
          .sort((a, b) => a.tryNumber - b.tryNumber)
          .map(attemptView),
        copies: copies.sort((a, b) => a.mapIndex - b.mapIndex).map((c) => taskInstanceView(c, kind)),
        ...value,
        renderedCommand: renderedCommandOf(version, run, ti),
      };
    },
  );

  app.get<{ Params: TaskParams; Querystring: { try?: number; follow: boolean; mapIndex: number } }>(
    "/api/v1/dags/:dagId/runs/:runId/tasks/:taskId/logs",
    {
      config: { role: "viewer" },
      schema: {
        tags,
        summary: "The log of one attempt (text/plain); follow=true streams it until the attempt ends",
        params: taskParams,
        querystring: {
          type: "object",
          properties: {
            try: { type: "integer", minimum: 1, maximum: 10_000, description: "Attempt number; default the latest." },
            follow: { type: "boolean", default: false },
            mapIndex: mapIndexQuery,
          },
        },
        response: { 200: { description: "The attempt's output.", content: { "text/plain": { schema: { type: "string" } } } }, ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { dagId, runId, taskId } = request.params;
      const run = await requireRun(store, dagId, runId);
      const ti = await requireTaskInstance(store, run, taskId, request.query.mapIndex);
      const tryNumber = request.query.try ?? ti.tryNumber;
      if (tryNumber < 1 || tryNumber > ti.tryNumber) {
        throw new NotFoundError(`task "${taskId}" of run "${runId}" has no attempt ${tryNumber} (attempts so far: ${ti.tryNumber})`);
      }
      const attempt = (await store.listAttempts(run.id, taskId)).find((a) => a.tryNumber === tryNumber && a.mapIndex === ti.mapIndex);
      const path = attemptLogFile(deps.logsDir, run, taskId, tryNumber, attempt, ti.mapIndex);
      reply.type("text/plain; charset=utf-8");
      if (!request.query.follow) return readLog(path);
      const stillWriting = async () => {
        const now = (await store.listTaskInstances(run.id)).find((t) => t.taskId === taskId && t.mapIndex === ti.mapIndex);
        return now !== undefined && now.tryNumber === tryNumber && (now.state === "queued" || now.state === "running");
      };
      const stream = followLog(path, stillWriting);
      request.raw.on("close", () => stream.destroy());
      return reply.send(stream);
    },
  );

  app.post<{ Params: TaskParams; Body: { downstream?: boolean } | undefined }>(
    "/api/v1/dags/:dagId/runs/:runId/tasks/:taskId/clear",
    {
      config: { role: "user", audit: "task.clear" },
      schema: {
        tags,
        summary: "Clear a task instance (and optionally its downstream) so it runs again",
        params: taskParams,
        body: obj({ downstream: { ...bool, default: false } }, ["downstream"]),
        response: { ...commandResponses, ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { dagId, runId, taskId } = request.params;
      const ti = await requireTaskInstance(store, await requireRun(store, dagId, runId), taskId);
      const payload = { dagId, runId, taskIds: [taskId], downstream: request.body?.downstream ?? false };
      const out = await submitCommand(deps, "clear_tasks", payload, request.principal?.username ?? null);
      noteAudit(request, {
        target: { type: "task_instance", id: `${runId}/${taskId}` },
        dagId,
        before: { state: ti.state, tryNumber: ti.tryNumber },
        details: { runId, taskId, downstream: payload.downstream, ...commandDetails(out) },
      });
      return reply.status(out.status).send(out.body);
    },
  );

  app.patch<{ Params: TaskParams; Body: { state: "success" | "failed" } }>(
    "/api/v1/dags/:dagId/runs/:runId/tasks/:taskId",
    {
      config: { role: "user", audit: "task.mark" },
      schema: {
        tags,
        summary: "Mark a task instance success or failed",
        params: taskParams,
        body: obj({ state: stringEnum(["success", "failed"]) }),
        response: { ...commandResponses, ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { dagId, runId, taskId } = request.params;
      const ti = await requireTaskInstance(store, await requireRun(store, dagId, runId), taskId);
      const payload = { dagId, runId, taskIds: [taskId], state: request.body.state };
      const out = await submitCommand(deps, "mark_tasks", payload, request.principal?.username ?? null);
      noteAudit(request, {
        target: { type: "task_instance", id: `${runId}/${taskId}` },
        dagId,
        before: { state: ti.state },
        after: { state: request.body.state },
        details: { runId, taskId, ...commandDetails(out) },
      });
      return reply.status(out.status).send(out.body);
    },
  );
}
