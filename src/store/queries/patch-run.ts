import type { Kysely, Updateable } from "kysely";
import type { RunPatch } from "../../core/ports/store.js";
import type { Database, DagRunsTable } from "../schema/database.js";

/** Updates the fields present in the patch (undefined = leave alone, null = clear). Unknown ids are a no-op. */
export async function patchRun(db: Kysely<Database>, patch: RunPatch): Promise<void> {
  const set: Updateable<DagRunsTable> = {};
  if (patch.state !== undefined) set.state = patch.state;
  if (patch.startedAt !== undefined) set.started_at = patch.startedAt;
  if (patch.endedAt !== undefined) set.ended_at = patch.endedAt;
  if (patch.note !== undefined) set.note = patch.note;
  if (Object.keys(set).length === 0) return;
  await db.updateTable("dag_runs").set(set).where("id", "=", patch.id).execute();
}
