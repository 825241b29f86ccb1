import type { Selectable } from "kysely";
import type { DatasetEventRecord } from "../../core/model/records.js";
import type { DatasetEventsTable } from "../schema/database.js";
import { parseJsonColumn } from "./json-column.js";

export function toDatasetEventRecord(row: Selectable<DatasetEventsTable>): DatasetEventRecord {
  const { source_dag_id: dagId, source_run_id: runId, source_task_id: taskId, source_try_number: tryNumber } = row;
  return {
    id: Number(row.id),
    uri: row.uri,
    source: dagId !== null && runId !== null && taskId !== null && tryNumber !== null ? { dagId, runId, taskId, tryNumber } : null,
    extra: parseJsonColumn<Record<string, unknown>>(row.extra, `dataset_events.extra of event ${row.id}`),
    createdAt: Number(row.created_at),
  };
}
