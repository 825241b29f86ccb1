import type { Selectable } from "kysely";
import type { CommandKind, CommandPayloads, CommandRecord } from "../../core/model/records.js";
import type { CommandsTable } from "../schema/database.js";
import { parseJsonColumn } from "./json-column.js";

export function toCommandRecord(row: Selectable<CommandsTable>): CommandRecord {
  return {
    id: row.id,
    kind: row.kind as CommandKind,
    payload: parseJsonColumn<CommandPayloads[CommandKind]>(row.payload, `commands.payload of command ${row.id}`),
    requestedBy: row.requested_by,
    createdAt: row.created_at,
    appliedAt: row.applied_at,
    result: row.result,
  };
}
