import type { Kysely } from "kysely";
import type { EpochMs } from "../../core/model/records.js";
import type { Database } from "../schema/database.js";

/**
 * Stores a bundle once: its key is the sha256 of its code, so a second save has only its time to
 * add (`created_at` becomes the last save: retention keeps bundles saved recently).
 */
export async function saveBundle(db: Kysely<Database>, sha256: string, code: string, at: EpochMs): Promise<void> {
  await db
    .insertInto("dag_bundles")
    .values({ sha256, code, created_at: at })
    .onConflict((oc) => oc.column("sha256").doUpdateSet({ created_at: at }))
    .execute();
}

export async function getBundle(db: Kysely<Database>, sha256: string): Promise<string | undefined> {
  const row = await db.selectFrom("dag_bundles").select("code").where("sha256", "=", sha256).executeTakeFirst();
  return row?.code;
}
