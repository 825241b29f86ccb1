import type { Kysely } from "kysely";
import type { TaskInstanceRecord } from "../../core/model/records.js";
import type { Database } from "../schema/database.js";
import { chunk } from "../chunk.js";
import { toTaskInstanceRecord } from "../rows/task-instance-rows.js";

/** Task instances of many runs, by (run_pk, task_id, map_index); the id list is chunked under the parameter limit. */
export async function listTaskInstancesForRuns(
  db: Kysely<Database>,
  maxParameters: number,
  runPks: readonly number[],
): Promise<TaskInstanceRecord[]> {
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
