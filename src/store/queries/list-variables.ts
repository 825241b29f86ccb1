import type { Kysely } from "kysely";
import type { StoredVariable } from "../../core/ports/secret-store.js";
import type { Database } from "../schema/database.js";
import { toStoredVariable } from "./get-variable.js";

export async function listVariables(db: Kysely<Database>): Promise<StoredVariable[]> {
  const rows = await db.selectFrom("variables").selectAll().orderBy("key").execute();
  return rows.map(toStoredVariable);
}
