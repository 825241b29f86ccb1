import type { Kysely } from "kysely";
import type { AuditEntry, NewAuditEntry } from "../../core/model/audit.js";
import { toAuditEntry, toAuditRow } from "../rows/audit-rows.js";
import type { Database } from "../schema/database.js";

/** Appends one audit entry; its id is the next in the table. */
export async function recordAudit(db: Kysely<Database>, entry: NewAuditEntry): Promise<AuditEntry> {
  const row = await db.insertInto("audit_log").values(toAuditRow(entry)).returningAll().executeTakeFirstOrThrow();
  return toAuditEntry(row);
}
