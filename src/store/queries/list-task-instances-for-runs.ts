import type { Kysely } from "kysely";
import type { TaskInstanceRecord } from "../../core/model/records.js";
import type { TaskState } from "../../core/model/states.js";
import type { TaskCell } from "../../core/ports/store.js";
import type { Database } from "../schema/database.js";
import { chunk } from "../chunk.js";
import { toTaskInstanceRecord } from "../rows/task-instance-rows.js";

/** Task instances of many runs, by (run_pk, task_id, map_index); the id list is chunked under the parameter limit. */
export async function listTaskInstancesForRuns(db: Kysely<Database>, maxParameters: number, runPks: readonly number[]): Promise<TaskInstanceRecord[]> {
  const ids = [...new Set(runPks)].sort((a, b) => a - b);
  const out: TaskInstanceRecord[] = [];
  for (const part of chunk(ids, maxParameters - 1)) {
    const rows = await db
      .selectFrom("task_instances")
      .selectAll()
      .where("run_pk", "in", part)
      .orderBy("run_pk")
      .orderBy("task_id")
      .orderBy("map_index")
      .execute();
    for (const row of rows) out.push(toTaskInstanceRecord(row));
  }
  return out;
}

/** The grid's cells of many runs: the key, state and try of each task instance, nothing else (no outputs to read and parse). */
export async function listTaskCellsForRuns(db: Kysely<Database>, maxParameters: number, runPks: readonly number[]): Promise<TaskCell[]> {
  const ids = [...new Set(runPks)].sort((a, b) => a - b);
  const out: TaskCell[] = [];
  for (const part of chunk(ids, maxParameters - 1)) {
    const rows = await db
      .selectFrom("task_instances")
      .select(["run_pk", "task_id", "map_index", "state", "try_number"])
      .where("run_pk", "in", part)
      .orderBy("run_pk")
      .orderBy("task_id")
      .orderBy("map_index")
      .execute();
    for (const r of rows) out.push({ runPk: r.run_pk, taskId: r.task_id, mapIndex: r.map_index, state: r.state as TaskState, tryNumber: r.try_number });
  }
  return out;
}
