import type { Kysely } from "kysely";
import type { DagVersionRecord } from "../../core/model/records.js";
import type { Database } from "../schema/database.js";
import { toDagVersionRecord } from "../rows/dag-rows.js";

export async function getDagVersion(db: Kysely<Database>, versionHash: string): Promise<DagVersionRecord | undefined> {
  const row = await db.selectFrom("dag_versions").selectAll().where("version_hash", "=", versionHash).executeTakeFirst();
  return row && toDagVersionRecord(row);
}
