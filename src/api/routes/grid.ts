import type { FastifyInstance } from "fastify";
import type { TaskInstanceRecord } from "../../core/model/records.js";
import type { TaskCell } from "../../core/ports/store.js";
import type { RouteDeps } from "../api-deps.js";
import { decodeCursor } from "../cursor.js";
import { requireDag } from "../lookups.js";
import { pageRuns } from "../run-pages.js";
import { errors, idParam, obj, ref } from "../schemas/json-schema.js";
import { iso } from "../views/iso.js";

type Cell = { state: TaskInstanceRecord["state"]; tryNumber: number } | null;

export async function gridRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  app.get<{ Params: { dagId: string }; Querystring: { limit: number; cursor?: string } }>(
    "/api/v1/dags/:dagId/grid",
    {
      config: { role: "viewer" },
      schema: {
        tags: ["runs"],
        summary: "A page of runs (newest first) × the tasks of the DAG's latest version",
        params: obj({ dagId: idParam }),
        querystring: {
          type: "object",
          properties: {
            limit: { type: "integer", minimum: 1, maximum: 100, default: 25 },
            cursor: { type: "string", maxLength: 100 },
          },
        },
        response: { 200: ref("Grid"), ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { version } = await requireDag(deps.store, request.params.dagId);
      const tasks = version.spec.tasks;
      const page = await pageRuns(deps.store, { dagId: version.dagId }, { limit: request.query.limit, beforeId: decodeCursor(request.query.cursor) });
      // One query for the whole page; cells are looked up by (run, task).
      // State and try only: reading whole task instances (outputs, errors) took 30 of the page's ~35 ms at 25 runs × 50 tasks (docs/benchmark.md, "UI load").
      const tis = await deps.store.listTaskCellsForRuns(page.runs.map((r) => r.id));
      const byRun = new Map<number, Map<string, TaskCell>>();
      for (const ti of tis) {
        let cells = byRun.get(ti.runPk);
        if (!cells) byRun.set(ti.runPk, (cells = new Map()));
        if (ti.mapIndex === -1 || !cells.has(ti.taskId)) cells.set(ti.taskId, ti);
      }
      return {
        tasks: tasks.map((t) => ({ taskId: t.taskId, kind: t.kind, upstream: t.upstream })),
        runs: page.runs.map((r) => {
          const cells = byRun.get(r.id);
          return {
            runId: r.runId,
            state: r.state,
            runType: r.runType,
            logicalDate: iso(r.logicalDate),
            startedAt: iso(r.startedAt),
            endedAt: iso(r.endedAt),
            note: r.note,
            tasks: tasks.map((t): Cell => {
              const ti = cells?.get(t.taskId);
              return ti ? { state: ti.state, tryNumber: ti.tryNumber } : null;
            }),
          };
        }),
        nextCursor: page.nextCursor,
      };
    },
  );
}
