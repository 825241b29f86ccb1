import type { Selectable } from "kysely";
import type { BackfillRecord, ReprocessBehavior } from "../../core/model/records.js";
import type { BackfillsTable } from "../schema/database.js";
import { parseJsonColumn, toBool } from "./json-column.js";

export function toBackfillRecord(row: Selectable<BackfillsTable>): BackfillRecord {
  return {
    id: row.id,
    dagId: row.dag_id,
    fromDate: row.from_date,
    toDate: row.to_date,
    reprocess: row.reprocess as ReprocessBehavior,
    maxActiveRuns: row.max_active_runs,
    conf: parseJsonColumn<Record<string, unknown>>(row.conf, `backfills.conf of backfill ${row.id}`),
    state: row.state as BackfillRecord["state"],
    paused: toBool(row.paused),
    createdAt: row.created_at,
    endedAt: row.ended_at,
  };
}
