import type { Kysely } from "kysely";
import type { EpochMs } from "../../core/model/records.js";
import type { Database } from "../schema/database.js";

/** Deletes audit entries recorded before `before` (retention); returns how many. */
export async function pruneAudit(db: Kysely<Database>, before: EpochMs): Promise<number> {
  const result = await db.deleteFrom("audit_log").where("at", "<", before).executeTakeFirst();
  return Number(result.numDeletedRows);
}
