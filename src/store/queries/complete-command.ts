import type { Kysely } from "kysely";
import { NotFoundError } from "../../core/errors.js";
import type { EpochMs } from "../../core/model/records.js";
import type { Database } from "../schema/database.js";

/**
 * Marks a pending command applied with its result. Completing it again is a no-op: the first
 * result stands. An unknown id is a NotFoundError.
 */
export async function completeCommand(db: Kysely<Database>, id: number, result: string, at: EpochMs): Promise<void> {
  const updated = await db.updateTable("commands").set({ applied_at: at, result }).where("id", "=", id).where("applied_at", "is", null).executeTakeFirst();
  if (updated.numUpdatedRows > 0n) return;
  const exists = await db.selectFrom("commands").select("id").where("id", "=", id).executeTakeFirst();
  if (exists === undefined) throw new NotFoundError(`Command ${id} does not exist`);
}
