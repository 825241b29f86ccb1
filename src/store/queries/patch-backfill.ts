import type { Kysely, Updateable } from "kysely";
import type { BackfillPatch } from "../../core/ports/store.js";
import type { BackfillsTable, Database } from "../schema/database.js";

/** Updates the fields present in the patch (undefined = leave alone, null = clear). Unknown ids are a no-op. */
export async function patchBackfill(db: Kysely<Database>, patch: BackfillPatch): Promise<void> {
  const set: Updateable<BackfillsTable> = {};
  if (patch.state !== undefined) set.state = patch.state;
  if (patch.endedAt !== undefined) set.ended_at = patch.endedAt;
  if (Object.keys(set).length === 0) return;
  await db.updateTable("backfills").set(set).where("id", "=", patch.id).execute();
}
