import type { Kysely } from "kysely";
import { InvalidInputError } from "../../core/errors.js";
import type { CommandRecord } from "../../core/model/records.js";
import type { Database } from "../schema/database.js";
import { toCommandRecord } from "../rows/command-rows.js";

/** Commands not yet applied, oldest (lowest id) first, at most `limit`. */
export async function listPendingCommands(db: Kysely<Database>, limit: number): Promise<CommandRecord[]> {
  if (!Number.isInteger(limit) || limit < 0) {
    throw new InvalidInputError(`listPendingCommands: limit must be a whole number ≥ 0, got ${limit}`);
  }
  const rows = await db.selectFrom("commands").selectAll().where("applied_at", "is", null).orderBy("id").limit(limit).execute();
  return rows.map(toCommandRecord);
}
