import type { Selectable } from "kysely";
import type { DagSpec } from "../../core/model/dag-spec.js";
import type { DagRecord, DagVersionRecord } from "../../core/model/records.js";
import type { DagsTable, DagVersionsTable } from "../schema/database.js";
import { parseJsonColumn, toBool } from "./json-column.js";

export function toDagRecord(row: Selectable<DagsTable>): DagRecord {
  return {
    dagId: row.dag_id,
    fileloc: row.fileloc,
    paused: toBool(row.paused),
    active: toBool(row.active),
    latestVersion: row.latest_version,
    lastScheduledLogicalDate: row.last_scheduled_logical_date,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function toDagVersionRecord(row: Selectable<DagVersionsTable>): DagVersionRecord {
  return {
    versionHash: row.version_hash,
    dagId: row.dag_id,
    spec: parseJsonColumn<DagSpec>(row.spec, `dag_versions.spec of ${row.version_hash}`),
    source: row.source,
    bundlePath: row.bundle_path,
    createdAt: row.created_at,
  };
}
