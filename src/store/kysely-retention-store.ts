import type { Kysely } from "kysely";
import type { EpochMs } from "../core/model/records.js";
import type { DagDeletion, PurgedBundles, PurgedRuns, PurgeLimits, RetentionCounts, RetentionFilter, RetentionStore } from "../core/ports/retention-store.js";
import type { DialectFeatures } from "./dialect-features.js";
import { deleteDag } from "./queries/delete-dag.js";
import { purgeBundles } from "./queries/purge-bundles.js";
import { countFinishedRuns, purgeFinishedRuns } from "./queries/purge-finished-runs.js";
import type { Database } from "./schema/database.js";

/** Deleting old runs over the store's Kysely handle (`store.retention`; docs/storage.md, "Backup, restore and retention"). */
export class KyselyRetentionStore implements RetentionStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly features: DialectFeatures,
  ) {}

  countFinishedRuns(filter: RetentionFilter): Promise<RetentionCounts> {
    return countFinishedRuns(this.db, filter);
  }

  purgeFinishedRuns(filter: RetentionFilter, limits: PurgeLimits): Promise<PurgedRuns> {
    return purgeFinishedRuns(this.db, this.features.rowLocks, this.features.maxParameters, filter, limits);
  }

  deleteDag(dagId: string): Promise<DagDeletion> {
    return deleteDag(this.db, this.features.rowLocks, this.features.maxParameters, dagId);
  }

  purgeBundles(savedBefore: EpochMs): Promise<PurgedBundles> {
    return purgeBundles(this.db, this.features.maxParameters, savedBefore);
  }
}
