import type { Kysely } from "kysely";
import type { EpochMs } from "../../core/model/records.js";
import type { PurgedBundles } from "../../core/ports/retention-store.js";
import { chunk } from "../chunk.js";
import type { Database } from "../schema/database.js";

/** The sha256 a version's `bundle_path` names (`…/<sha256>.mjs`), or null. */
function hashOf(bundlePath: string): string | null {
  return /([0-9a-f]{64})\.mjs$/.exec(bundlePath)?.[1] ?? null;
}

/**
 * The bundles still needed: those of each DAG's current version (`dags.latest_version`) and of
 * every version a remaining run was created with (by sha256, from `dag_versions.bundle_path`).
 */
export async function bundlesInUse(db: Kysely<Database>): Promise<Set<string>> {
  const rows = await db
    .selectFrom("dag_versions as v")
    .select("v.bundle_path")
    .where((eb) =>
      eb.or([
        eb("v.version_hash", "in", eb.selectFrom("dags").select("dags.latest_version")),
        eb.exists(eb.selectFrom("dag_runs as r").select("r.id").whereRef("r.dag_id", "=", "v.dag_id").whereRef("r.dag_version", "=", "v.version_hash")),
      ]),
    )
    .execute();
  const used = new Set<string>();
  for (const r of rows) {
    const h = hashOf(r.bundle_path);
    if (h !== null) used.add(h);
  }
  return used;
}

/**
 * Deletes the `dag_bundles` rows no DAG's current version and no remaining run's version uses,
 * saved (or saved again: the DAG sync re-saves a bundle it points a DAG at) before `savedBefore`.
 * The delete re-checks `created_at`, so a bundle the sync saves again meanwhile stays.
 */
export async function purgeBundles(db: Kysely<Database>, maxParameters: number, savedBefore: EpochMs): Promise<PurgedBundles> {
  const inUse = await bundlesInUse(db);
  const old = await db.selectFrom("dag_bundles").select("sha256").where("created_at", "<", savedBefore).execute();
  const unused = old.map((r) => r.sha256).filter((h) => !inUse.has(h));
  let deleted = 0;
  for (const part of chunk(unused, maxParameters - 1)) {
    const r = await db.deleteFrom("dag_bundles").where("sha256", "in", part).where("created_at", "<", savedBefore).executeTakeFirst();
    deleted += Number(r.numDeletedRows);
  }
  return { deleted, inUse: [...inUse].sort() };
}
