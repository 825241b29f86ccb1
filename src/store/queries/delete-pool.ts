import type { Kysely } from "kysely";
import { InvalidInputError } from "../../core/errors.js";
import { DEFAULT_POOL } from "../../core/model/dag-spec.js";
import type { Database } from "../schema/database.js";

/** Returns false when the pool does not exist. The default pool cannot be deleted (tasks fall back to it). */
export async function deletePool(db: Kysely<Database>, name: string): Promise<boolean> {
  if (name === DEFAULT_POOL) {
    throw new InvalidInputError(`Pool "${DEFAULT_POOL}" cannot be deleted; set its slots instead`);
  }
  const result = await db.deleteFrom("pools").where("name", "=", name).executeTakeFirst();
  return result.numDeletedRows > 0n;
}
