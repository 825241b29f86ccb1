import type { Kysely } from "kysely";
import type { DagVersionRecord } from "../../core/model/records.js";
import type { Database } from "../schema/database.js";

/**
 * Inserts the version unless its hash is known, then points the DAG at it and marks it active.
 * A new DAG starts unpaused; an existing one keeps `paused` and `last_scheduled_logical_date`.
 */
export async function saveDagVersion(db: Kysely<Database>, version: DagVersionRecord): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto("dag_versions")
      .values({
        version_hash: version.versionHash,
        dag_id: version.dagId,
        spec: JSON.stringify(version.spec),
        source: version.source,
        bundle_path: version.bundlePath,
        created_at: version.createdAt,
      })
      .onConflict((oc) => oc.column("version_hash").doNothing())
      .execute();
    await trx
      .insertInto("dags")
      .values({
        dag_id: version.dagId,
        fileloc: version.spec.fileloc,
        paused: 0,
        active: 1,
        latest_version: version.versionHash,
        last_scheduled_logical_date: null,
        created_at: version.createdAt,
        updated_at: version.createdAt,
      })
      .onConflict((oc) =>
        oc.column("dag_id").doUpdateSet((eb) => ({
          fileloc: eb.ref("excluded.fileloc"),
          latest_version: eb.ref("excluded.latest_version"),
          active: 1,
          updated_at: eb.ref("excluded.updated_at"),
        })),
      )
      .execute();
  });
}
