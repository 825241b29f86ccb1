import type { Kysely } from "kysely";
import type { EpochMs } from "../core/model/records.js";
import type { OverviewStore, RunCounts, SchedulerLoad } from "../core/ports/overview-store.js";
import { countRuns } from "./queries/count-runs.js";
import { schedulerLoads } from "./queries/scheduler-loads.js";
import type { Database } from "./schema/database.js";

/** The home page's aggregates over the store's Kysely handle (`store.overview`; docs/ui.md#home). */
export class KyselyOverviewStore implements OverviewStore {
  constructor(private readonly db: Kysely<Database>) {}

  schedulerLoads(): Promise<SchedulerLoad[]> {
    return schedulerLoads(this.db);
  }

  countRuns(failedSince: EpochMs): Promise<RunCounts> {
    return countRuns(this.db, failedSince);
  }
}
