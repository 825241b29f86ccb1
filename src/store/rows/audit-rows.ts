import type { Insertable, Selectable } from "kysely";
import type { AuditEntry, AuditVia, NewAuditEntry } from "../../core/model/audit.js";
import type { AuditLogTable } from "../schema/database.js";
import { parseJsonColumn } from "./json-column.js";

const json = (value: Record<string, unknown> | null): string | null => (value === null ? null : JSON.stringify(value));

export function toAuditRow(e: NewAuditEntry): Insertable<AuditLogTable> {
  return {
    at: e.at,
    actor: e.actor.name,
    via: e.actor.via,
    token_id: e.actor.tokenId,
    action: e.action,
    target_type: e.target?.type ?? null,
    target_id: e.target?.id ?? null,
    dag_id: e.dagId,
    before: json(e.before),
    after: json(e.after),
    details: json(e.details),
  };
}

export function toAuditEntry(row: Selectable<AuditLogTable>): AuditEntry {
  const obj = (text: string | null, column: string) =>
    text === null ? null : parseJsonColumn<Record<string, unknown>>(text, `audit_log.${column} of entry ${row.id}`);
  return {
    id: Number(row.id),
    at: Number(row.at),
    actor: { name: row.actor, via: row.via as AuditVia, tokenId: row.token_id },
    action: row.action,
    target: row.target_type === null || row.target_id === null ? null : { type: row.target_type, id: row.target_id },
    dagId: row.dag_id,
    before: obj(row.before, "before"),
    after: obj(row.after, "after"),
    details: obj(row.details, "details"),
  };
}
