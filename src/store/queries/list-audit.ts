import { sql, type Kysely } from "kysely";
import { InvalidInputError } from "../../core/errors.js";
import type { AuditEntry, AuditFilter } from "../../core/model/audit.js";
import { toAuditEntry } from "../rows/audit-rows.js";
import type { Database } from "../schema/database.js";

/**
 * Audit entries matching every filter field, newest (highest id) first. `action` ending in `.*`
 * matches by prefix (`run.*`: `run.trigger`, `run.clear` …); no LIKE wildcards from the caller are
 * interpreted.
 */
export async function listAudit(db: Kysely<Database>, filter: AuditFilter): Promise<AuditEntry[]> {
  const { limit } = filter;
  if (!Number.isInteger(limit) || limit < 0) throw new InvalidInputError(`listAudit: limit must be a whole number ≥ 0, got ${limit}`);
  let q = db.selectFrom("audit_log").selectAll();
  if (filter.actor !== undefined) q = q.where("actor", "=", filter.actor);
  if (filter.action !== undefined) {
    if (filter.action.endsWith(".*")) {
      const prefix = filter.action.slice(0, -1); // keeps the dot: "run."
      // substr, not LIKE (no wildcards to escape) nor a range (PostgreSQL's collation may not sort by code point).
      q = q.where(sql<string>`substr(action, 1, ${sql.lit(prefix.length)})`, "=", prefix);
    } else {
      q = q.where("action", "=", filter.action);
    }
  }
  if (filter.dagId !== undefined) q = q.where("dag_id", "=", filter.dagId);
  if (filter.targetId !== undefined) q = q.where("target_id", "=", filter.targetId);
  if (filter.since !== undefined) q = q.where("at", ">=", filter.since);
  if (filter.until !== undefined) q = q.where("at", "<", filter.until);
  if (filter.beforeId !== undefined) q = q.where("id", "<", filter.beforeId);
  const rows = await q.orderBy("id", "desc").limit(limit).execute();
  return rows.map(toAuditEntry);
}
