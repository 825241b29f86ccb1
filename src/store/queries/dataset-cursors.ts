import type { Kysely } from "kysely";
import type { EpochMs } from "../../core/model/records.js";
import type { Database } from "../schema/database.js";

/** The newest dataset event id a DAG has consumed; 0 when it has none. */
export async function getDatasetCursor(db: Kysely<Database>, dagId: string): Promise<number> {
  const row = await db.selectFrom("dataset_cursors").select("last_event_id").where("dag_id", "=", dagId).executeTakeFirst();
  return row ? Number(row.last_event_id) : 0;
}

/** Moves a DAG's cursor (never backwards). */
export async function setDatasetCursor(db: Kysely<Database>, dagId: string, lastEventId: number, at: EpochMs): Promise<void> {
  await db
    .insertInto("dataset_cursors")
    .values({ dag_id: dagId, last_event_id: lastEventId, updated_at: at })
    .onConflict((oc) =>
      oc.column("dag_id").doUpdateSet({ last_event_id: lastEventId, updated_at: at }).where("dataset_cursors.last_event_id", "<", lastEventId),
    )
    .execute();
}
