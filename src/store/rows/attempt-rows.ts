import type { Selectable } from "kysely";
import type { AttemptRecord } from "../../core/model/records.js";
import type { TaskState } from "../../core/model/states.js";
import type { TaskAttemptsTable } from "../schema/database.js";

export function toAttemptRecord(row: Selectable<TaskAttemptsTable>): AttemptRecord {
  return {
    runPk: row.run_pk,
    taskId: row.task_id,
    mapIndex: row.map_index,
    tryNumber: row.try_number,
    state: row.state as TaskState,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    error: row.error,
    logPath: row.log_path,
    pid: row.pid,
    worker: row.worker,
  };
}

export function toAttemptRow(a: AttemptRecord): TaskAttemptsTable {
  return {
    run_pk: a.runPk,
    task_id: a.taskId,
    map_index: a.mapIndex,
    try_number: a.tryNumber,
    state: a.state,
    started_at: a.startedAt,
    ended_at: a.endedAt,
    error: a.error,
    log_path: a.logPath,
    pid: a.pid,
    worker: a.worker,
  };
}
