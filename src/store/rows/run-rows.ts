import type { Insertable, Selectable } from "kysely";
import type { NewRun, RunRecord } from "../../core/model/records.js";
import type { RunState, RunType } from "../../core/model/states.js";
import type { DagRunsTable } from "../schema/database.js";
import { parseJsonColumn } from "./json-column.js";

export function toRunRecord(row: Selectable<DagRunsTable>): RunRecord {
  return {
    id: row.id,
    dagId: row.dag_id,
    runId: row.run_id,
    runType: row.run_type as RunType,
    state: row.state as RunState,
    logicalDate: row.logical_date,
    dataIntervalStart: row.data_interval_start,
    dataIntervalEnd: row.data_interval_end,
    runAfter: row.run_after,
    conf: parseJsonColumn<Record<string, unknown>>(row.conf, `dag_runs.conf of run ${row.id}`),
    dagVersion: row.dag_version,
    backfillId: row.backfill_id,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    note: row.note,
    createdAt: row.created_at,
    // Absent rather than null when unknown: records built before 0008 compare equal.
    ...(row.triggered_by === null || row.triggered_by === undefined ? {} : { triggeredBy: row.triggered_by }),
  };
}

export function toNewRunRow(run: NewRun, createdAt: number): Insertable<DagRunsTable> {
  return {
    dag_id: run.dagId,
    run_id: run.runId,
    run_type: run.runType,
    state: run.state,
    logical_date: run.logicalDate,
    data_interval_start: run.dataIntervalStart,
    data_interval_end: run.dataIntervalEnd,
    run_after: run.runAfter,
    conf: JSON.stringify(run.conf),
    dag_version: run.dagVersion,
    backfill_id: run.backfillId,
    started_at: null,
    ended_at: null,
    note: null,
    created_at: createdAt,
    // Only when known: a run without one inserts into a schema before 0008 too (the upgrade contract).
    ...(run.triggeredBy ? { triggered_by: run.triggeredBy } : {}),
  };
}
