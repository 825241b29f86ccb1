import type { MissedDeadline, MissedDeadlineRecord } from "../../core/model/deadlines.js";
import type { MissedDeadlinesTable } from "../schema/deadline-tables.js";

type Row = { [K in keyof MissedDeadlinesTable]: K extends "id" ? number : MissedDeadlinesTable[K] };

export function toMissedDeadlineRow(m: MissedDeadline): Omit<Row, "id"> {
  return {
    dag_id: m.dagId,
    run_id: m.runId,
    run_pk: m.runPk,
    task_id: m.taskId ?? "",
    map_index: m.mapIndex,
    try_number: m.tryNumber,
    deadline_index: m.deadlineIndex,
    description: m.description,
    due_at: m.dueAt,
    detected_at: m.detectedAt,
  };
}

export function toMissedDeadlineRecord(r: Row): MissedDeadlineRecord {
  return {
    id: Number(r.id),
    dagId: r.dag_id,
    runId: r.run_id,
    runPk: Number(r.run_pk),
    taskId: r.task_id === "" ? null : r.task_id,
    mapIndex: r.map_index,
    tryNumber: r.try_number,
    deadlineIndex: r.deadline_index,
    description: r.description,
    dueAt: Number(r.due_at),
    detectedAt: Number(r.detected_at),
  };
}
